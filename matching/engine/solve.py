"""Maximum-cardinality, maximum-score matching on a sparse feasible graph.

One sparse assignment gives both at once: each refugee row gets a private dummy
column, a real edge costs K - score and a dummy costs K + BIG with BIG larger than
any possible total score, so minimising the cost first maximises the number of
real pairs, then their total score. Integer costs stay exact in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import (
    connected_components,
    maximum_bipartite_matching,
    min_weight_full_bipartite_matching,
)

from .candidates import Exclusions, feasible_pairs
from .model import UNMATCHED, Certificate, Matching, Pool
from .reach import reach

__all__ = ["UNMATCHED", "Matching"]  # re-exported: their home is model

EDGE_OFFSET = 101  # > max score, so every real edge cost K - score is >= 1


def refugee_major_csr(
    sponsors: np.ndarray, refugees: np.ndarray, values: np.ndarray, n_s: int, n_r: int
) -> sp.csr_matrix:
    """Rows are refugees: maximum_bipartite_matching is far faster in this orientation."""
    order = np.argsort(refugees, kind="stable")
    indptr = np.zeros(n_r + 1, np.int64)
    np.cumsum(np.bincount(refugees, minlength=n_r), out=indptr[1:])
    return sp.csr_matrix((values[order], sponsors[order], indptr), shape=(n_r, n_s))


def max_pairs(graph: sp.csr_matrix) -> int:
    """Independent maximum cardinality (Hopcroft-Karp) on the refugee-major graph."""
    if graph.shape[0] == 0 or graph.shape[1] == 0:
        return 0
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def konig_cover(graph: sp.csr_matrix, sponsor_of: np.ndarray) -> int:
    """The size of a vertex cover of the refugee-major graph built from `sponsor_of`:
    the refugees no alternating path from an unmatched refugee reaches, and the sponsors
    it reaches. Every pair has an end in it, so no matching has more pairs (König);
    when it equals the matching's size, the matching is maximum. Raises if an
    alternating path reaches a free sponsor (the matching was not maximum)."""
    if graph.shape[0] == 0 or graph.shape[1] == 0:
        return 0
    rows, cols = _reachable_from_unmatched(graph, sponsor_of)
    matched_s = np.zeros(graph.shape[1], bool)
    matched_s[sponsor_of[sponsor_of >= 0]] = True
    if (cols & ~matched_s).any():
        raise RuntimeError("an augmenting path remains: the matching is not maximum")
    return int((~rows).sum() + cols.sum())


def split_assignment(
    graph: sp.csr_matrix, max_score: int, maximum: np.ndarray | None = None
) -> Matching:
    """Most pairs, then best total score, on a refugee-major graph of scores.

    `graph.data` holds scores + 1 (so that a zero score is still a stored edge).
    A maximum matching and the Dulmage-Mendelsohn split from its unmatched rows cut
    the problem in two parts that each have a full matching on one side: the rows that
    some maximum matching leaves out, with every sponsor they can reach (all of whom
    are matched in every maximum matching), and the rest, whose rows are matched in
    every maximum matching. Every maximum matching is a full matching of both parts,
    so solving each for its best score is exact, and needs no padding. `maximum`, a
    maximum matching already known on this graph (sponsor_of per row), saves finding one.
    """
    n_r, n_s = graph.shape
    sponsor_of = np.full(n_r, UNMATCHED, np.int64)
    if n_r == 0 or n_s == 0 or graph.nnz == 0:
        return Matching(sponsor_of)
    if maximum is None:
        maximum = maximum_bipartite_matching(graph, perm_type="column")
    loose_rows, tight_cols = _reachable_from_unmatched(graph, maximum)
    costs = float(max(EDGE_OFFSET, max_score + 2)) + 1.0 - graph.data.astype(np.float64)
    cost = sp.csr_matrix((costs, graph.indices, graph.indptr), shape=graph.shape, copy=False)
    rows = np.flatnonzero(loose_rows)
    if tight_cols.any():
        part, cols = _part(cost, rows, tight_cols)
        c, r = _by_component(part.T.tocsr())  # sponsors as rows
        sponsor_of[rows[r]] = cols[c]
    rows = np.flatnonzero(~loose_rows)
    if len(rows):
        part, cols = _part(cost, rows, ~tight_cols)
        r, c = _by_component(part)
        sponsor_of[rows[r]] = cols[c]
    return Matching(sponsor_of)


BIG_COMPONENT = 2000  # rows; smaller connected components are solved together


def _by_component(part: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """min_weight_full_bipartite_matching, one connected component at a time (a pool
    falls apart by city): the solver's cost grows faster than the graph."""
    n_r, n_c = part.shape
    if n_r < 2 * BIG_COMPONENT:
        return min_weight_full_bipartite_matching(part)
    indptr = np.concatenate((part.indptr, np.full(n_c, part.nnz, part.indptr.dtype)))
    both = sp.csr_matrix((np.ones(part.nnz, np.int8), part.indices + n_r, indptr),
                         shape=(n_r + n_c, n_r + n_c))  # fmt: skip
    _, label = connected_components(both, directed=False)
    row_label, col_label = label[:n_r], label[n_r:]
    sizes = np.bincount(row_label, minlength=len(label))
    big = np.flatnonzero(sizes >= BIG_COMPONENT)
    groups = [row_label == k for k in big]
    groups.append(~np.isin(row_label, big))
    found_r, found_c = [], []
    for in_group in groups:
        rows = np.flatnonzero(in_group)
        if not len(rows):
            continue
        cols = np.isin(col_label, np.unique(row_label[rows]))
        sub, col_index = _part(part, rows, cols)
        if sub.nnz == 0:
            continue
        r, c = min_weight_full_bipartite_matching(sub)
        found_r.append(rows[r])
        found_c.append(col_index[c])
    return _cat(found_r), _cat(found_c)


def padded_assignment(graph: sp.csr_matrix, max_score: int) -> Matching:
    """Like `split_assignment`, with one private dummy column per row instead of the
    split: leaner in memory on the full graph, slower when many rows stay unmatched."""
    n_r, n_s = graph.shape
    if n_r == 0 or graph.nnz == 0:
        return Matching(np.full(n_r, UNMATCHED, np.int64))
    big = float((max_score + 1) * min(n_r, n_s) + 1)
    offset = float(max(EDGE_OFFSET, max_score + 2))
    # Each row's own dummy column goes last in the row (it has the largest index).
    dummy_at = graph.indptr[1:] + np.arange(n_r)
    is_real = np.ones(graph.nnz + n_r, bool)
    is_real[dummy_at] = False
    indices = np.empty(graph.nnz + n_r, np.int32)
    indices[is_real] = graph.indices
    indices[dummy_at] = n_s + np.arange(n_r)
    data = np.empty(graph.nnz + n_r, np.float64)
    data[is_real] = offset + 1.0 - graph.data  # data is score + 1
    data[dummy_at] = offset + big
    del is_real
    indptr = graph.indptr + np.arange(n_r + 1)
    padded = sp.csr_matrix((data, indices, indptr), shape=(n_r, n_s + n_r))
    rows, cols = min_weight_full_bipartite_matching(padded)
    sponsor_of = np.full(n_r, UNMATCHED, np.int64)
    real = cols < n_s
    sponsor_of[rows[real]] = cols[real]
    return Matching(sponsor_of)


def _part(cost: sp.csr_matrix, rows: np.ndarray, keep_cols: np.ndarray):
    """cost[rows][:, keep_cols] with fewer copies than SciPy's column slicing."""
    sub = cost[rows]
    keep = keep_cols[sub.indices]
    new_column = np.cumsum(keep_cols, dtype=np.int32) - 1
    indices = new_column[sub.indices[keep]]
    data = sub.data[keep]
    kept_before = np.zeros(len(keep) + 1, np.int64)
    np.cumsum(keep, out=kept_before[1:])
    indptr = kept_before[sub.indptr]
    del sub, keep, kept_before
    part = sp.csr_matrix((data, indices, indptr), shape=(len(rows), int(keep_cols.sum())))
    return part, np.flatnonzero(keep_cols)


def _reachable_from_unmatched(graph: sp.csr_matrix, sponsor_of: np.ndarray):
    """Rows and columns reachable by alternating paths from the unmatched rows."""
    n_r, n_s = graph.shape
    refugee_of = np.full(n_s, UNMATCHED, np.int64)
    matched = np.flatnonzero(sponsor_of >= 0)
    refugee_of[sponsor_of[matched]] = matched
    rows = np.zeros(n_r, bool)
    cols = np.zeros(n_s, bool)
    frontier = np.flatnonzero(sponsor_of < 0)
    rows[frontier] = True
    while len(frontier):
        reached = np.unique(graph[frontier].indices)
        reached = reached[~cols[reached]]
        cols[reached] = True
        frontier = refugee_of[reached]  # all matched, or the matching was not maximum
        frontier = frontier[~rows[frontier]]
        rows[frontier] = True
    return rows, cols


Grower = Callable[[np.ndarray, np.ndarray], Matching]
SEARCH_SPREAD = 2  # extra edges recorded per person reached by the searches


@dataclass
class Certified:
    matching: Matching
    certificate: Certificate
    walked_r: np.ndarray  # every edge the searches recorded
    walked_s: np.ndarray


def repair_and_certify(
    sponsors: Pool,
    refugees: Pool,
    matching: Matching,
    excluded_rs: Exclusions,
    grow: Grower,
    progress: Callable[[float, str], None] | None = None,
) -> Certified:
    """Restore maximum cardinality on the *full* feasible graph, and prove it.

    First a sweep gathers the edges of the short augmenting paths and Hopcroft-Karp
    repairs most of the matching with them. Then an alternating breadth-first search
    from the unmatched refugees generates feasible edges on demand, layer by layer,
    only from the refugees on the frontier to the sponsors not yet visited: it never
    holds the whole graph. It stops at the first layer that reaches free sponsors (else
    it runs to the end), and records its tree plus a few more edges per person reached.
    If it reached free sponsors, the tree's augmenting paths are flipped, then
    `grow(r, s)` (Hopcroft-Karp on the candidates plus every edge recorded) finds all
    the augmenting paths those edges hold at once, and the search starts again. When
    it reaches none, Berge's theorem says the matching is maximum, and König's vertex
    cover of the same size (unvisited refugees + visited sponsors) is the proof.
    Flipping is blind to scores: the caller solves again for the score on a graph that
    holds this matching (candidates plus the recorded edges).
    """
    sponsor_of = matching.sponsor_of.copy()
    refugee_of = matching.refugee_of(len(sponsors))
    isolated = np.zeros(len(refugees), bool)  # no feasible sponsor at all: never a root
    walked_r, walked_s = _sweep(sponsors, refugees, sponsor_of, refugee_of, isolated,
                                excluded_rs)  # fmt: skip
    sponsor_of, refugee_of = _grow_if_larger(grow, walked_r, walked_s, sponsor_of,
                                             refugee_of, len(sponsors))  # fmt: skip
    if progress:
        progress(0.25, "verifying")
    rounds = 0
    while True:
        rounds += 1
        search = _alternating_search(sponsors, refugees, sponsor_of, refugee_of,
                                     isolated, excluded_rs)  # fmt: skip
        walked_r += [search.edge_r, search.extra_r]
        walked_s += [search.edge_s, search.extra_s]
        if progress:
            progress(1 - 0.5**rounds, "verifying")
        if not len(search.free):
            break
        before = int((sponsor_of >= 0).sum())
        _augment(search.free, search.parent, sponsor_of, refugee_of)
        flipped = int((sponsor_of >= 0).sum()) - before
        if flipped <= 0:
            raise RuntimeError("an augmenting path was found but not applied")
        # The tree's paths clash; a Hopcroft-Karp matching on the candidates plus
        # every edge recorded so far finds all of their augmenting paths at once. When
        # the tree gave only a few disjoint paths, the matching is nearly maximum and
        # the next search costs less than Hopcroft-Karp (a second each at 100,000 per
        # side): grow then only every few rounds, so that a long tail stays short.
        if flipped >= GROW_AFTER_FLIPS or rounds % GROW_EVERY_ROUNDS == 0:
            sponsor_of, refugee_of = _grow_if_larger(grow, walked_r, walked_s, sponsor_of,
                                                     refugee_of, len(sponsors))  # fmt: skip
    return Certified(Matching(sponsor_of), _konig_certificate(search, sponsor_of, rounds),
                     np.concatenate(walked_r), np.concatenate(walked_s))  # fmt: skip


def _grow_if_larger(grow: Grower, walked_r: list, walked_s: list, sponsor_of: np.ndarray,
                    refugee_of: np.ndarray, n_s: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(sponsor_of, refugee_of) of Hopcroft-Karp on the candidates plus every edge recorded
    so far when it has more pairs, else the ones given, unchanged: the matching never
    shrinks, and on a tie it keeps the pairs it already has (the same choice both times
    `repair_and_certify` grows)."""
    grown = grow(np.concatenate(walked_r), np.concatenate(walked_s))
    if grown.size > int((sponsor_of >= 0).sum()):
        return grown.sponsor_of.copy(), grown.refugee_of(n_s)
    return sponsor_of, refugee_of


def _konig_certificate(search: Search, sponsor_of: np.ndarray, rounds: int) -> Certificate:
    """The proof from the last search, which reached no free sponsor: König's vertex
    cover (the refugees it did not visit, the sponsors it did) bounds every matching."""
    cover = int((len(search.visited_r) - search.visited_r.sum()) + search.visited_s.sum())
    return Certificate(
        pairs=int((sponsor_of >= 0).sum()),
        max_pairs=cover,
        method=f"König vertex cover of the full feasible graph ({rounds} alternating searches)",
        score_exact=False,
    )


GROW_AFTER_FLIPS = 16  # disjoint augmenting paths of a search after which Hopcroft-Karp runs
GROW_EVERY_ROUNDS = 3  # ... and at least every this many searches
SWEEP_CAP = 256  # edges kept per free refugee by the sweep
SWEEP_SPREAD = 4  # edges to free sponsors kept per mate (and per free sponsor)


def _sweep(sponsors, refugees, sponsor_of, refugee_of, isolated, excluded_rs):
    """Edges for the short augmenting paths (free refugee, sponsor, her mate, free
    sponsor) that the candidates miss, so that one Hopcroft-Karp run repairs most of
    the matching before the first full search: every edge of the free refugees (few,
    and they have few partners), then a few edges from the mates of their partners to
    free sponsors, spread so that many mates get different ones. Also marks the free
    refugees who have no feasible sponsor at all."""
    roots = np.flatnonzero(sponsor_of < 0)
    root_r, root_s, has_any = feasible_pairs(refugees, sponsors, roots, excluded_rs,
                                             cap=SWEEP_CAP)  # fmt: skip
    isolated[roots[~has_any]] = True
    partners = np.unique(root_s)
    mates = np.sort(refugee_of[partners[refugee_of[partners] >= 0]])
    free_s = np.flatnonzero(refugee_of < 0)
    layer = reach(refugees, sponsors, mates, free_s, excluded_rs, spread=SWEEP_SPREAD)
    found = np.flatnonzero(layer.parent >= 0)
    return ([root_r, layer.edge_a, layer.parent[found]],
            [root_s, layer.edge_b, free_s[found]])  # fmt: skip


@dataclass
class Search:
    visited_r: np.ndarray
    visited_s: np.ndarray
    parent: np.ndarray  # refugee through which each sponsor was reached
    edge_r: np.ndarray  # the search tree's edges
    edge_s: np.ndarray
    extra_r: np.ndarray  # more edges between the layers, a few per person reached
    extra_s: np.ndarray
    free: np.ndarray  # free sponsors reached


def _alternating_search(sponsors, refugees, sponsor_of, refugee_of, isolated, excluded_rs):
    """Breadth-first search from every unmatched refugee over alternating paths.

    Each layer tries the free sponsors first, and stops at the first layer that reaches
    some (shortest augmenting paths, as in Hopcroft-Karp): the rest of the layer, the
    costly part (most sponsors are matched), is only walked when there is nothing to
    repair, that is in the search that proves the matching maximum.
    """
    visited_s = np.zeros(len(sponsors), bool)
    visited_r = np.zeros(len(refugees), bool)
    parent = np.full(len(sponsors), UNMATCHED, np.int64)
    roots = np.flatnonzero(sponsor_of < 0)
    visited_r[roots] = True
    frontier = roots[~isolated[roots]]
    free, extra_r, extra_s = [], [], []
    is_free = refugee_of < 0
    while len(frontier):
        unvisited = np.flatnonzero(~visited_s)
        reached = []
        for cols in (unvisited[is_free[unvisited]], unvisited[~is_free[unvisited]]):
            layer = reach(refugees, sponsors, frontier, cols, excluded_rs,
                          spread=SEARCH_SPREAD, wanted_b=is_free)  # fmt: skip
            found = layer.parent
            reached.append(cols[found >= 0])
            parent[reached[-1]] = found[found >= 0]
            visited_s[reached[-1]] = True
            extra_r.append(layer.edge_a)
            extra_s.append(layer.edge_b)
            if len(reached[0]):  # augmenting paths: stop here
                free.append(reached[0])
                break
        if free:
            break
        frontier = refugee_of[reached[1]]
        frontier = frontier[~visited_r[frontier]]
        visited_r[frontier] = True
    tree_s = np.flatnonzero(parent >= 0)
    return Search(visited_r, visited_s, parent, parent[tree_s], tree_s,
                  _cat(extra_r), _cat(extra_s), _cat(free))  # fmt: skip


def _cat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, np.int64)


def _augment(free: np.ndarray, parent, sponsor_of, refugee_of) -> None:
    """Flip vertex-disjoint augmenting paths ending at the free sponsors found."""
    used_r: set[int] = set()
    for end in free.tolist():
        path, s, clash = [], end, False
        while s != UNMATCHED:
            r = int(parent[s])
            if r in used_r:  # already flipped by a previous path: its pointers moved
                clash = True
                break
            path.append((r, s))
            s = int(sponsor_of[r])
        if clash:
            continue
        for r, s in path:
            used_r.add(r)
            sponsor_of[r] = s
            refugee_of[s] = r
