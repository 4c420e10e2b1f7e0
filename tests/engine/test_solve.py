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
