"""The sparse solver on its own: splitting by connected component changes nothing."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matching.engine import scoring, solve


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


def test_band_blocks_hold_everyone_within_reach_even_near_a_pole_or_the_date_line():
    from matching.engine import Person
    from matching.engine.blocks import spatial_blocks
    from matching.engine.model import build_pools

    rng = np.random.default_rng(4)
    centres = [(48.8, 2.3), (89.5, 10.0), (-89.7, -40.0), (10.0, 179.9), (10.0, -179.9)]

    def people(prefix: str, n: int) -> list[Person]:
        found = []
        for i in range(n):
            lat0, lon0 = centres[i % len(centres)]
            lat = float(np.clip(lat0 + rng.normal(0, 0.3), -90, 90))
            lon = float((lon0 + rng.normal(0, 0.5) + 180) % 360 - 180)
            found.append(Person(f"{prefix}{i}", lat, lon, float(rng.uniform(5, 80)),
                                {"fr": "native"}))  # fmt: skip
        return found

    pool_a, pool_b = build_pools(people("a", 1500), people("b", 1500))
    reach = np.minimum(pool_a.reach_chord2[:, None], pool_b.reach_chord2[None, :])
    near = scoring.squared_chord(pool_a.as_rows(), pool_b.as_columns()) <= reach
    seen = np.zeros_like(near)
    for block in spatial_blocks(pool_a, pool_b, 64, in_order=True):
        seen[np.ix_(block.rows, block.cols)] = True
    assert near.sum() > 0 and not (near & ~seen).any()


def test_repair_reaches_the_maximum_by_searches_alone_when_hopcroft_karp_never_helps():
    """From no pairs at all, with a grower that never finds more: the searches' flips
    alone (Hopcroft-Karp skipped after rounds with few paths) reach the maximum of an
    independent count on every feasible edge, and König's cover proves it."""
    from matching.engine.candidates import Exclusions, all_edges
    from matching.engine.model import Matching, Weights, build_pools
    from matching.engine.synthetic import synthetic_people

    pool_s, pool_r = build_pools(synthetic_people(600, "sponsor", seed=5),
                                 synthetic_people(600, "refugee", seed=5))  # fmt: skip
    nobody = Exclusions(np.empty(0, np.int64), len(pool_s))
    graph = all_edges(pool_r, pool_s, Weights(), nobody)
    r = np.repeat(np.arange(len(pool_r)), np.diff(graph.indptr))
    every = solve.refugee_major_csr(graph.indices.astype(np.int64), r, np.ones(len(r)),
                                    len(pool_s), len(pool_r))  # fmt: skip
    best = solve.max_pairs(every)
    none = Matching(np.full(len(pool_r), -1, np.int64))
    grown = []

    def grow(extra_r, extra_s):
        grown.append(len(extra_r))
        return none

    found = solve.repair_and_certify(pool_s, pool_r, none, nobody, grow)
    assert best > 100
    assert found.matching.size == best == found.certificate.max_pairs
    rounds = int(found.certificate.method.split("(")[1].split()[0])
    assert rounds > 2 and len(grown) < rounds + 1  # some rounds ran without growing
