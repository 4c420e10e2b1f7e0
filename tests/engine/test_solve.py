"""The sparse solver on its own: splitting by connected component changes nothing."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matching.engine import solve


def clustered_graph(seed: int) -> sp.csr_matrix:
    """Three clusters of refugees and sponsors, edges only inside a cluster."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for cluster, (n_r, n_s) in enumerate(((60, 45), (40, 50), (3, 1))):
        dense = rng.random((n_r, n_s)) < 0.08
        r, s = np.nonzero(dense)
        rows.append(r + 100 * cluster)
        cols.append(s + 100 * cluster)
    r, s = np.concatenate(rows), np.concatenate(cols)
    scores = rng.integers(0, 101, len(r))
    return solve.refugee_major_csr(s, r, scores + 1, 300, 300)


def total(graph: sp.csr_matrix, matching: solve.Matching) -> int:
    rows = np.flatnonzero(matching.sponsor_of >= 0)
    return int(sum(graph[r, matching.sponsor_of[r]] - 1 for r in rows))


def test_split_assignment_by_component_gives_the_same_optimum(monkeypatch):
    for seed in range(5):
        graph = clustered_graph(seed)
        whole = solve.split_assignment(graph, 100)
        monkeypatch.setattr(solve, "BIG_COMPONENT", 2)
        split = solve.split_assignment(graph, 100)
        monkeypatch.undo()
        assert split.size == whole.size == solve.max_pairs(graph)
        assert total(graph, split) == total(graph, whole)


def test_feasible_pairs_by_language_groups_finds_every_edge():
    """The searches' blocks skip people who share no language or fail the gender
    preferences of a whole block: on a pool big enough for KD-tree blocks, they must
    still hold every feasible edge, or the König certificate would not be a proof."""
    from matching.engine import scoring
    from matching.engine.api import _spatially_sorted
    from matching.engine.candidates import Exclusions, feasible_pairs
    from matching.engine.model import build_pools
    from matching.engine.synthetic import synthetic_people

    sponsors = _spatially_sorted(synthetic_people(2500, "sponsor", seed=11))
    refugees = _spatially_sorted(synthetic_people(2500, "refugee", seed=11))
    pool_s, pool_r = build_pools(sponsors, refugees)
    a, b = pool_r.as_rows(), pool_s.as_columns()
    chord2 = scoring.squared_chord(a, b)
    dense = scoring.feasible(a, b, chord2, scoring.reach_limit(a, b))
    rows = np.arange(0, 2500, 2)  # 1,250 x 2,500: past one dense block, KD-tree blocks
    none = Exclusions.from_index_pairs([], len(pool_s))
    found_r, found_s, has_any = feasible_pairs(pool_r, pool_s, rows, none)
    expected = {(int(rows[i]), int(s)) for i, s in zip(*np.nonzero(dense[rows]), strict=True)}
    assert set(zip(found_r.tolist(), found_s.tolist(), strict=True)) == expected
    assert np.array_equal(has_any, dense[rows].any(axis=1))
