"""The engine's entry point: `match(sponsors, refugees, ...) -> Result`."""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import numpy as np

from . import scoring
from .alternatives import alternatives, alternatives_from_graph, id_ranks
from .blocks import morton_order_of
from .candidates import (
    WORKERS,
    EdgeSet,
    Exclusions,
    all_edges,
    collect_edges,
)
from .dense import DENSE_MAX_PAIRS, solve_dense
from .model import (
    Certificate,
    Matching,
    Pair,
    Person,
    Pool,
    Result,
    Unmatched,
    Weights,
    build_pools,
    chord2_to_km,
)
from .pair import pair_reasons
from .reach import stage_counts

Progress = Callable[[float, str], None]
Mode = Literal["auto", "exact", "large"]
EXACT_MAX_PAIRS_CONSIDERED = 25_000**2  # |S| x |R| above which "auto" picks "large"
LARGE_TOP_K = 16  # candidates kept per person in the large mode
LARGE_MAX_COLS = 2500  # nearest people of the other side examined per block (large mode)
SCARCE_LANGUAGE_SHARE = 0.05  # of all pairs: languages below get an exhaustive pass


def match(
    sponsors: Sequence[Person],
    refugees: Sequence[Person],
    *,
    weights: Weights = Weights(),  # noqa: B008 - frozen dataclass, safe as a default
    exclusions: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
    mode: Mode = "auto",
) -> Result:
    """Pair sponsors with refugees: the most pairs possible, then the best total score.

    `exclusions` are (sponsor_id, refugee_id) pairs that must not be formed.
    `progress(fraction, stage)` is called along the way with fraction in 0..1.
    "exact" proves both optimality claims; "large" (picked by "auto" for national
    pools) proves the number of pairs and gets the score close to the optimum.
    """
    report = _Reporter(progress)
    _check_unique_ids(sponsors, "sponsor")
    _check_unique_ids(refugees, "refugee")
    report(0.0, "preparing")
    # The same people in any order give the same answer: every later step, ties
    # included, depends only on the index order, made canonical here (by id). Then
    # neighbours in space become neighbours in index: blocks are compact and the
    # refugee-major edges come out already sorted.
    sponsors = _spatially_sorted(sorted(sponsors, key=_by_id))
    refugees = _spatially_sorted(sorted(refugees, key=_by_id))
    pool_s, pool_r = build_pools(sponsors, refugees)
    excluded = _exclusion_indices(sponsors, refugees, exclusions)
    chosen = _choose_mode(mode, len(sponsors), len(refugees))
    degrees = (None, None)  # the free people's feasible partners, if a pass counted them
    if chosen == "exact" and len(pool_s) * len(pool_r) <= DENSE_MAX_PAIRS:
        matching, certificate, graph, n_edges = solve_dense(pool_s, pool_r, weights, excluded,
                                                            report)  # fmt: skip
    elif chosen == "exact":
        matching, certificate, graph, n_edges = _solve_exact(pool_s, pool_r, weights,
                                                             excluded, report)  # fmt: skip
    else:
        matching, certificate, seen, edges, n_edges = _solve_large(
            pool_s, pool_r, weights, excluded, report, id_ranks(sponsors))  # fmt: skip
        degrees = (seen.free_degree_s, seen.free_degree_r)
    report(0.9, "explaining")
    pairs = _pairs(sponsors, refugees, pool_s, pool_r, matching, weights)
    if certificate.score_exact:  # the optimum is its own bound
        certificate = dataclasses.replace(certificate, score_bound=sum(p.score for p in pairs))
    unmatched = _unmatched(sponsors, refugees, pool_s, pool_r, matching, excluded, degrees)
    if chosen == "exact":
        options, swaps = alternatives_from_graph(sponsors, refugees, pool_s, pool_r, graph,
                                                 matching, weights, excluded)  # fmt: skip
    else:
        options, swaps = alternatives(sponsors, refugees, pool_s, pool_r, *edges, matching,
                                      weights, excluded)  # fmt: skip
    report(1.0, "done")
    return Result(pairs, unmatched, options, certificate, n_edges, chosen, swaps,
                  report.finish())  # fmt: skip


class _Reporter:
    """Passes progress on, and times each stage (wall and CPU seconds of the process)."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback = callback
        self.stage = ""
        self.since = (time.perf_counter(), time.process_time())
        self.seconds: dict[str, list[float]] = {}

    def __call__(self, fraction: float, stage: str) -> None:
        if stage != self.stage:
            self._close()
            self.stage = stage
        if self.callback:
            self.callback(float(min(max(fraction, 0.0), 1.0)), stage)

    def _close(self) -> None:
        now = (time.perf_counter(), time.process_time())
        if self.stage:
            spent = self.seconds.setdefault(self.stage, [0.0, 0.0])
            spent[0] += now[0] - self.since[0]
            spent[1] += now[1] - self.since[1]
        self.since = now

    def timed(self, label: str) -> None:
        """Time what follows under `label`, without a new stage for the progress bar."""
        self._close()
        self.stage = label

    def finish(self) -> dict[str, tuple[float, float]]:
        self._close()
        self.stage = ""
        return {stage: (wall, cpu) for stage, (wall, cpu) in self.seconds.items()
                if stage != "done"}  # fmt: skip

    def span(self, start: float, end: float) -> Progress:
        """A callback mapping a stage's own 0..1 onto [start, end] of the whole run."""
        return lambda fraction, stage: self(start + (end - start) * fraction, stage)


def _by_id(person: Person) -> str:
    return person.id


def _spatially_sorted(people: Sequence[Person]) -> list[Person]:
    if len(people) < 2000:  # one dense block anyway
        return list(people)
    lat = np.fromiter((p.lat for p in people), np.float64, len(people))
    lon = np.fromiter((p.lon for p in people), np.float64, len(people))
    order = morton_order_of(lat, lon)
    return [people[i] for i in order.tolist()]


def _check_unique_ids(people: Sequence[Person], side: str) -> None:
    seen: set[str] = set()
    for person in people:
        if person.id in seen:
            raise ValueError(f"duplicate {side} id {person.id!r}")
        seen.add(person.id)


def _exclusion_indices(sponsors, refugees, exclusions) -> Exclusions:
    s_index = {p.id: i for i, p in enumerate(sponsors)}
    r_index = {p.id: i for i, p in enumerate(refugees)}
    pairs = [(s_index[s], r_index[r]) for s, r in exclusions if s in s_index and r in r_index]
    return Exclusions.from_index_pairs(pairs, len(refugees))


def _choose_mode(mode: Mode, n_s: int, n_r: int) -> str:
    if mode not in ("auto", "exact", "large"):
        raise ValueError(f"unknown mode {mode!r}")
    if mode != "auto":
        return mode
    return "exact" if n_s * n_r <= EXACT_MAX_PAIRS_CONSIDERED else "large"


def _solve_exact(pool_s, pool_r, weights, excluded, report):
    """Every feasible edge, generated refugee-major, straight into a sparse graph."""
    import scipy.sparse as sp  # loaded only for pools too big for the dense path

    from .solve import konig_cover, padded_assignment

    found = all_edges(pool_r, pool_s, weights, excluded.swapped(len(pool_s)),
                      progress=report.span(0.02, 0.55))  # fmt: skip
    found.scores += 1  # a zero score must still be a stored edge
    graph = sp.csr_matrix((found.scores, found.indices, found.indptr),
                          shape=(len(pool_r), len(pool_s)))  # fmt: skip
    del found
    report(0.6, "solving")
    matching = padded_assignment(graph, weights.total())
    report(0.8, "verifying")
    cover = konig_cover(graph, matching.sponsor_of)
    certificate = Certificate(
        pairs=matching.size,
        max_pairs=cover,
        method="König vertex cover of the full feasible graph (no augmenting path)",
        score_exact=True,
    )
    by_sponsor = graph.tocsc()  # a linear pass: the edges of each sponsor
    both = ((graph.indptr, graph.indices, graph.data),
            (by_sponsor.indptr, by_sponsor.indices, by_sponsor.data))  # fmt: skip
    return matching, certificate, both, graph.nnz


def _flip(edges: EdgeSet) -> EdgeSet:
    """Edges generated refugee-major, seen sponsor-major."""
    return EdgeSet(None, None, edges.top_b, edges.top_b_scores, edges.top_a,
                   edges.top_a_scores, edges.degree_b, edges.degree_a)  # fmt: skip


def _solve_large(pool_s, pool_r, weights, excluded, report, rank_s):
    """Best candidates per person; a maximum matching restored and proved on the full
    feasible graph, streamed; then the best score on the candidates plus every edge the
    proof walked (a graph that holds a maximum matching, so no pair is lost)."""
    from scipy.sparse.csgraph import maximum_bipartite_matching

    from .solve import refugee_major_csr, repair_and_certify

    edges = collect_edges(pool_s, pool_r, weights, excluded, k=LARGE_TOP_K,
                          max_cols=LARGE_MAX_COLS, progress=report.span(0.02, 0.5))  # fmt: skip
    candidates = _pruned_graph(edges)
    for extra in _scarce_language_candidates(pool_s, pool_r, weights, excluded):
        candidates = _union(candidates, extra)

    def grow(extra_r: np.ndarray, extra_s: np.ndarray) -> Matching:
        """Hopcroft-Karp on the candidates plus the extra edges: cardinality only."""
        s = np.concatenate((candidates[0], extra_s))
        r = np.concatenate((candidates[1], extra_r))
        graph = refugee_major_csr(s, r, np.ones(len(s), np.int8), len(pool_s), len(pool_r))
        graph.sum_duplicates()
        return Matching(maximum_bipartite_matching(graph, perm_type="column").astype(np.int64))

    empty = np.empty(0, np.int64)
    report(0.55, "verifying")
    found = repair_and_certify(pool_s, pool_r, grow(empty, empty), excluded.swapped(len(pool_s)),
                               grow, report.span(0.55, 0.75))  # fmt: skip
    report(0.75, "solving")
    on = np.flatnonzero(found.matching.sponsor_of >= 0)
    new_s = np.concatenate((found.walked_s, found.matching.sponsor_of[on]))
    new_r = np.concatenate((found.walked_r, on))
    candidates = _union(candidates, (new_s, new_r, _scores(pool_s, pool_r, new_s, new_r,
                                                           weights)))  # fmt: skip
    matching, graph = _solve_candidates(candidates, pool_s, pool_r, weights, found.matching)
    if matching.size != found.matching.size:
        raise RuntimeError("the final solve lost pairs")
    report(0.8, "verifying")
    report.timed("bounding")
    bound, seen = _score_bound(pool_s, pool_r, graph, matching, weights, excluded, rank_s)
    certificate = dataclasses.replace(found.certificate, pairs=matching.size, score_bound=bound)
    return matching, certificate, seen, (edges, seen.free_keys), seen.edges


def _score_bound(pool_s, pool_r, graph, matching: Matching, weights, excluded, rank_s):
    """(proved upper bound on the best total score, the pass's `bound.Violations`: the
    feasible edges counted, each refugee's best free sponsors, the free people's feasible
    partners): the candidate graph's optimal dual, raised to hold on every feasible edge
    (bound.py)."""
    from .bound import candidate_duals, violations

    big = (weights.total() + 1) * max(matching.size, 1) + 1
    u, v = candidate_duals(graph.indptr, graph.indices, graph.data, matching.sponsor_of,
                           len(pool_s), big)  # fmt: skip
    free_s = matching.refugee_of(len(pool_s)) < 0
    found = violations(pool_r, pool_s, u, v, big, weights, excluded.swapped(len(pool_s)),
                       free_s, rank_s, matching.sponsor_of < 0)  # fmt: skip
    bound = int(u.sum() + v.sum()) - big * matching.size + min(found.rise_r, found.rise_s)
    return bound, found


def _scarce_language_candidates(pool_s: Pool, pool_r: Pool, weights, excluded):
    """The nearest-people sample misses the few partners of someone who speaks a rare
    language: for each language that few pairs share, an exhaustive pass among its
    speakers (small pools) adds their best candidates."""
    budget = SCARCE_LANGUAGE_SHARE * len(pool_s) * len(pool_r)
    for word, bit in itertools.product(range(len(pool_s.lang_conv)), range(64)):
        mask = np.uint64(1 << bit)
        speakers_s = np.flatnonzero(pool_s.lang_conv[word] & mask)
        speakers_r = np.flatnonzero(pool_r.lang_conv[word] & mask)
        if not len(speakers_s) or not len(speakers_r):
            continue
        if len(speakers_s) * len(speakers_r) > budget:
            continue
        sub = collect_edges(pool_s.take(speakers_s), pool_r.take(speakers_r), weights,
                            excluded.restricted(speakers_s, speakers_r), k=LARGE_TOP_K,
                            workers=WORKERS)  # fmt: skip
        s, r, score = _pruned_graph(sub)
        yield speakers_s[s], speakers_r[r], score


def _solve_candidates(candidates, pool_s, pool_r, weights, maximum: Matching) -> Matching:
    """`maximum` is a maximum matching whose pairs are all among the candidates."""
    from .solve import refugee_major_csr, split_assignment

    s, r, score = candidates
    graph = refugee_major_csr(s, r, score + 1, len(pool_s), len(pool_r))
    return split_assignment(graph, weights.total(), maximum.sponsor_of), graph


def _scores(pool_s, pool_r, s: np.ndarray, r: np.ndarray, weights) -> np.ndarray:
    a, b = pool_s.take(s), pool_r.take(r)
    chord2 = scoring.squared_chord(a, b)
    points = scoring.criterion_points(a, b, chord2, scoring.reach_limit(a, b), weights)
    return scoring.total_score(points).astype(np.int16)


def _union(first, second):
    s, r, score = (np.concatenate(pair) for pair in zip(first, second, strict=True))
    _, unique = np.unique(s * (int(r.max(initial=0)) + 1) + r, return_index=True)
    return s[unique], r[unique], score[unique]


def _pruned_graph(edges: EdgeSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of each sponsor's and each refugee's best candidates."""
    k_a, k_b = edges.top_a.shape[1], edges.top_b.shape[1]
    s = np.concatenate((np.repeat(np.arange(len(edges.top_a)), k_a), edges.top_b.ravel()))
    r = np.concatenate((edges.top_a.ravel(), np.repeat(np.arange(len(edges.top_b)), k_b)))
    score = np.concatenate((edges.top_a_scores.ravel(), edges.top_b_scores.ravel()))
    real = (s >= 0) & (r >= 0)
    s, r, score = s[real], r[real], score[real]
    key = s * max(len(edges.top_b), 1) + r
    _, first = np.unique(key, return_index=True)
    return s[first], r[first], score[first].astype(np.int16)


def _pairs(sponsors, refugees, pool_s: Pool, pool_r: Pool, matching: Matching, weights):
    r_idx = np.flatnonzero(matching.sponsor_of >= 0)
    s_idx = matching.sponsor_of[r_idx]
    a, b = pool_s.take(s_idx), pool_r.take(r_idx)
    chord2 = scoring.squared_chord(a, b)
    points = scoring.criterion_points(a, b, chord2, scoring.reach_limit(a, b), weights)
    km = chord2_to_km(chord2)
    names = list(points)
    columns = [points[name].tolist() for name in names]  # Python ints, read once
    pairs = []
    for i, j, distance, *values in zip(s_idx.tolist(), r_idx.tolist(), km.tolist(), *columns,
                                       strict=True):  # fmt: skip
        sponsor, refugee = sponsors[i], refugees[j]
        pairs.append(
            Pair(
                sponsor_id=sponsor.id,
                refugee_id=refugee.id,
                score=sum(values),
                distance_km=round(distance, 2),
                breakdown=dict(zip(names, values, strict=True)),
                reasons=pair_reasons(sponsor, refugee, distance),
            )
        )
    pairs.sort(key=lambda p: (p.sponsor_id, p.refugee_id))
    return pairs


def _unmatched(sponsors, refugees, pool_s, pool_r, matching: Matching, excluded, degrees):
    """Why each person left over is: `degrees`, (sponsors', refugees') feasible partners
    when a pass already counted them for the free people, else None."""
    refugee_of = matching.refugee_of(len(pool_s))
    lonely_s = np.flatnonzero(refugee_of < 0)
    lonely_r = np.flatnonzero(matching.sponsor_of < 0)
    found = _explain_side(sponsors, "sponsor", pool_s, pool_r, lonely_s, excluded, degrees[0])
    found += _explain_side(refugees, "refugee", pool_r, pool_s, lonely_r,
                           excluded.swapped(len(pool_s)), degrees[1])  # fmt: skip
    return found


def _explain_side(people, side, own: Pool, other: Pool, rows, excluded,
                  degree) -> list[Unmatched]:  # fmt: skip
    if not len(rows):
        return []
    counts = stage_counts(own, other, rows, excluded, None if degree is None else degree[rows])
    alone = np.flatnonzero(counts.in_reach == 0)  # few: only they need the nearest one
    nearest = dict(zip(alone.tolist(), _nearest_km(own, other, rows[alone]), strict=True))
    result = []
    for n, i in enumerate(rows.tolist()):
        if counts.feasible[n] > 0:
            reason, values = "partners_needed_elsewhere", {"feasible": int(counts.feasible[n])}
        elif counts.in_reach[n] == 0:
            reason, values = "no_one_in_reach", {"nearest_km": nearest[n]}
        elif counts.language[n] == 0:
            reason, values = "no_shared_language", {"in_reach": int(counts.in_reach[n])}
        elif counts.gender[n] == 0:
            reason, values = "gender_preference", {"in_reach": int(counts.in_reach[n])}
        else:
            reason, values = "excluded", {"in_reach": int(counts.in_reach[n])}
        result.append(Unmatched(people[i].id, side, reason, values))
    return result


def _nearest_km(own: Pool, other: Pool, rows: np.ndarray) -> list[float | None]:
    if not len(other):
        return [None] * len(rows)
    columns = other.as_columns()
    step = max(1, 2_000_000 // len(other))
    chord2 = np.concatenate([np.empty(0)] + [
        scoring.squared_chord(own.take(rows[start : start + step]).as_rows(), columns).min(axis=1)
        for start in range(0, len(rows), step)])  # fmt: skip
    return chord2_to_km(chord2).tolist()  # exact: the sentence rounds once
