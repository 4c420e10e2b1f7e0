"""Other partners for each person, for the staff's swap menu.

Up to `ALTERNATIVES` per person: first the best partners who are still free (a swap
that changes nobody else), then the best of those already paired, each with the
`Swap` that takes them: the pairs it undoes and forms, its cost in score, and
whether it keeps the number of pairs (the partner's former mate is paired again
with the person's former partner, or with someone free, when either is possible).
Ties are broken by id, so the menu does not depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import scoring
from .candidates import EdgeSet, Exclusions, collect_edges
from .model import Matching, Person, Pool, Weights

ALTERNATIVES = 5


@dataclass(frozen=True)
class Swap:
    """What pairing a person with someone already paired changes.

    `added` and `removed` hold (sponsor_id, refugee_id, score) triples.
    """

    added: tuple[tuple[str, str, int], ...]
    removed: tuple[tuple[str, str, int], ...]

    @property
    def cost(self) -> int:
        """Total score lost (negative if the swap gains)."""
        return sum(t[2] for t in self.removed) - sum(t[2] for t in self.added)

    @property
    def keeps_pairs(self) -> bool:
        return len(self.added) == len(self.removed)

    def chain(self, side: str) -> tuple[str, str | None]:
        """(the partner's mate, whom the mate goes with instead or None), for a person of
        `side` taking the partner: removed[0] is the partner's pair, added[1] the mate's."""
        at = 1 if side == "sponsor" else 0  # the partner's place in (sponsor, refugee)
        again = self.added[1][at] if len(self.added) > 1 else None
        return self.removed[0][1 - at], again


def pair_scores(pool_s: Pool, pool_r: Pool, s, r, weights: Weights, excluded: Exclusions):
    """Scores of the aligned (s, r) index pairs, -1 where infeasible or excluded."""
    s, r = np.asarray(s, np.int64), np.asarray(r, np.int64)
    if not len(s):
        return np.empty(0, np.int64)
    a, b = pool_s.take(s), pool_r.take(r)
    chord2, limit2 = scoring.squared_chord(a, b), scoring.reach_limit(a, b)
    ok = scoring.feasible(a, b, chord2, limit2) & ~excluded.contains(s, r)
    score = scoring.total_score(scoring.criterion_points(a, b, chord2, limit2, weights))
    return np.where(ok, score.astype(np.int64), -1)


def id_ranks(people: list[Person]) -> np.ndarray:
    """Rank of each person's id among the side's ids: ties are broken by it."""
    order = sorted(range(len(people)), key=lambda i: people[i].id)
    rank = np.empty(len(people), np.int64)
    rank[order] = np.arange(len(people))
    return rank


def alternatives(sponsors, refugees, pool_s, pool_r, edges: EdgeSet, free_keys, matching: Matching,
                 weights: Weights, excluded: Exclusions):  # fmt: skip
    """From the best candidates of each person (the large mode): (options, swaps), where
    options[(side, id)] is [(partner id, score), ...], free partners first, and
    swaps[(side, id, partner id)] the `Swap` of each partner already paired.
    `free_keys`: each refugee's best free sponsors, found by the bound's pass."""
    n_s = len(pool_s)
    refugee_of, sponsor_of = matching.refugee_of(n_s), matching.sponsor_of
    rank_s, rank_r = id_ranks(sponsors), id_ranks(refugees)
    free_r = np.flatnonzero(sponsor_of < 0)
    # The best free partners of the sponsors, streamed from the free refugees (few, with
    # few partners): no edge list.
    free_of_s = _best_free(pool_r, pool_s, free_r, excluded.swapped(n_s), weights, rank_r)
    free_of_r = _from_keys(free_keys, rank_s)
    taken_of_s = _taken_options(edges.top_a, edges.top_a_scores, refugee_of, sponsor_of, rank_r)
    taken_of_r = _taken_options(edges.top_b, edges.top_b_scores, sponsor_of, refugee_of, rank_s)
    return _compose(sponsors, refugees, pool_s, pool_r, matching, weights, excluded,
                    (free_of_s, free_of_r), (taken_of_s, taken_of_r), (rank_s, rank_r))  # fmt: skip


def _best_free(
    free_side: Pool,
    other: Pool,
    free: np.ndarray,
    excluded_fo: Exclusions,
    weights: Weights,
    free_rank: np.ndarray,
) -> list[list[tuple[int, int]]]:
    """For each person of `other`, the best free people of `free_side` (indices `free`),
    best score first, then lower id."""
    found: list[list[tuple[int, int]]] = [[] for _ in range(len(other))]
    if not len(free) or not len(other):
        return found
    everyone = np.arange(len(other))
    edges = collect_edges(free_side.take(free), other, weights,
                          excluded_fo.restricted(free, everyone), k=ALTERNATIVES + 2,
                          compatible=True)  # fmt: skip
    top, scores = edges.top_b, edges.top_b_scores.astype(np.int64)
    real = top >= 0
    who = np.where(real, free[np.maximum(top, 0)], -1)
    rank = np.where(real, free_rank[np.maximum(who, 0)], np.iinfo(np.int64).max)
    order = np.lexsort((rank, -np.where(real, scores, -1)), axis=1)
    who = np.take_along_axis(who, order, axis=1)[:, :ALTERNATIVES]
    scores = np.take_along_axis(scores, order, axis=1)[:, :ALTERNATIVES]
    for i, (row_j, row_w) in enumerate(zip(who.tolist(), scores.tolist(), strict=True)):
        found[i] = [(j, w) for j, w in zip(row_j, row_w, strict=True) if j >= 0]
    return found


def _from_keys(keys: np.ndarray, partner_rank: np.ndarray) -> list[list[tuple[int, int]]]:
    """Keys score << 24 | (2^24 - 1 - partner rank), best first, -1 padded, as lists."""
    if not len(partner_rank):
        return [[] for _ in range(len(keys))]
    by_rank = np.argsort(partner_rank)
    score = keys >> 24
    rank = np.where(keys >= 0, (1 << 24) - 1 - (keys & ((1 << 24) - 1)), 0)
    partner = np.where(keys >= 0, by_rank[rank], -1)
    return [[(j, w) for j, w in zip(row_j, row_w, strict=True) if j >= 0][:ALTERNATIVES]
            for row_j, row_w in zip(partner.tolist(), score.tolist(), strict=True)]  # fmt: skip


def alternatives_from_graph(sponsors, refugees, pool_s, pool_r, graph, matching: Matching,
                            weights: Weights, excluded: Exclusions):  # fmt: skip
    """The same from every feasible edge (the exact mode). `graph` is two compressed
    forms of it, (indptr, indices, data) refugee-major then sponsor-major, data the
    scores + 1. Only the people with fewer free partners than the menu holds have
    their paired partners looked up."""
    n_s = len(pool_s)
    refugee_of, sponsor_of = matching.refugee_of(n_s), matching.sponsor_of
    rank_s, rank_r = id_ranks(sponsors), id_ranks(refugees)
    rows, cols = graph
    free_of_r = _top_free(*rows, refugee_of < 0, rank_s)
    free_of_s = _top_free(*cols, sponsor_of < 0, rank_r)
    needy_r = np.array([len(f) < ALTERNATIVES for f in free_of_r], bool)
    needy_s = np.array([len(f) < ALTERNATIVES for f in free_of_s], bool)
    taken_of_r = _top(*rows, needy_r, rank_s,
                      lambda j, i: (refugee_of[j] >= 0) & (sponsor_of[i] != j))  # fmt: skip
    taken_of_s = _top(*cols, needy_s, rank_r,
                      lambda j, i: (sponsor_of[j] >= 0) & (refugee_of[i] != j))  # fmt: skip
    return _compose(sponsors, refugees, pool_s, pool_r, matching, weights, excluded,
                    (free_of_s, free_of_r), (taken_of_s, taken_of_r), (rank_s, rank_r))  # fmt: skip


RANK_BITS = 24  # ids per side below 16 million: a key of score and rank fits in int32
CHUNK_EDGES = 1 << 22  # edges looked at together, so that the temporaries stay small


def _top(indptr, partner, data, wanted: np.ndarray, partner_rank, allowed):
    """For each person (a segment of a compressed graph) that is `wanted`, the best
    `ALTERNATIVES` partners j with allowed(j, person): best score first, then lower id.
    A few passes of a segmented maximum over the edges, chunk by chunk: no sort."""
    found: list[list[tuple[int, int]]] = [[] for _ in range(len(wanted))]
    people = np.flatnonzero(wanted)
    ends = np.cumsum(indptr[people + 1] - indptr[people])
    start = 0
    while start < len(people):
        before = int(ends[start - 1]) if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + CHUNK_EDGES, side="right")))
        _top_chunk(indptr, partner, data, people[start:stop], partner_rank, allowed, found)
        start = stop
    return found


def _top_free(indptr, partner, data, free: np.ndarray, partner_rank):
    """Like `_top` for everyone, the partners allowed being the `free` ones: few edges
    lead to a free person, so they are found first, in one pass."""
    found: list[list[tuple[int, int]]] = [[] for _ in range(len(indptr) - 1)]
    at = np.flatnonzero(free[partner])
    owner = np.searchsorted(indptr, at, side="right") - 1
    _pick(owner, partner[at], data[at], np.arange(len(found)), partner_rank, found)
    return found


def _top_chunk(indptr, partner, data, people, partner_rank, allowed, found) -> None:
    starts, lengths = indptr[people], indptr[people + 1] - indptr[people]
    at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    owner = np.repeat(np.arange(len(people), dtype=np.int32), lengths)
    j = partner[at]
    keep = allowed(j, people[owner])
    _pick(owner[keep], j[keep], data[at[keep]], people, partner_rank, found)


def _pick(owner, j, data, people, partner_rank, found) -> None:
    """Append to found[people[o]] the best partners among edges (owner o, partner j,
    data = score + 1), owners in increasing order."""
    if not len(j):
        return
    score = data.astype(np.int32) - 1
    key = (score << RANK_BITS) | ((1 << RANK_BITS) - 1 - partner_rank[j]).astype(np.int32)
    counts = np.bincount(owner, minlength=len(people))
    nonempty = counts > 0
    first = (np.cumsum(counts) - counts)[nonempty]
    spans = counts[nonempty]
    picks = []
    for _ in range(ALTERNATIVES):
        best = np.maximum.reduceat(key, first)
        hit = np.flatnonzero(key == np.repeat(best, spans))
        hit = hit[key[hit] >= 0]
        if not len(hit):
            break
        picks.append(hit)
        key[hit] = -1
    hit = np.concatenate(picks)
    hit = hit[np.argsort(owner[hit], kind="stable")]  # by person, best first
    for person, partner_j, value in zip(people[owner[hit]].tolist(), j[hit].tolist(),
                                        score[hit].tolist(), strict=True):  # fmt: skip
        found[person].append((partner_j, value))


def _compose(sponsors, refugees, pool_s, pool_r, matching, weights, excluded, free, taken,
             ranks):  # fmt: skip
    refugee_of, sponsor_of = matching.refugee_of(len(pool_s)), matching.sponsor_of
    mate_score_r = np.full(len(pool_r), -1, np.int64)  # score of each refugee's pair
    on = np.flatnonzero(sponsor_of >= 0)
    mate_score_r[on] = pair_scores(pool_s, pool_r, sponsor_of[on], on, weights, excluded)
    sides = (
        _Side("sponsor", sponsors, refugees, refugee_of, sponsor_of, free[0], taken[0],
              ranks[1]),
        _Side("refugee", refugees, sponsors, sponsor_of, refugee_of, free[1], taken[1],
              ranks[0]),
    )  # fmt: skip
    options: dict[tuple[str, str], list[tuple[str, int]]] = {}
    menus = {}
    for side in sides:
        partner_ids = [p.id for p in side.partners]
        taken_i, taken_j, taken_w = [], [], []
        for i, person in enumerate(side.people):
            found = [(partner_ids[j], score) for j, score in side.free_own[i]]
            for j, score in side.taken[i][: ALTERNATIVES - len(found)]:
                found.append((partner_ids[j], score))
                taken_i.append(i)
                taken_j.append(j)
                taken_w.append(score)
            if found:
                options[(side.name, person.id)] = found
        menus[side.name] = _Taken(side, *(np.array(v, np.int64) for v in
                                          (taken_i, taken_j, taken_w)))  # fmt: skip
    return options, Swaps(menus, (pool_s, pool_r, weights, excluded, mate_score_r))


@dataclass
class _Taken:
    """One side's paired alternatives: person i may take partner j, scoring w (by i)."""

    side: _Side
    i: np.ndarray
    j: np.ndarray
    w: np.ndarray


class Swaps(Mapping):
    """(side, person id, partner id) -> `Swap`, for each alternative partner already
    paired. Each swap is worked out when it is read (the CLI reads none of a national
    pool's hundreds of thousands), or all at once by `worked_out`."""

    def __init__(self, menus: dict[str, _Taken], context: tuple) -> None:
        self._menus = menus
        self._context = context  # pool_s, pool_r, weights, excluded, mate_score_r

    @cached_property
    def _positions(self) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
        """Per side, the index of each person's id and of each partner's id."""
        return {name: ({p.id: n for n, p in enumerate(menu.side.people)},
                       {p.id: n for n, p in enumerate(menu.side.partners)})
                for name, menu in self._menus.items()}  # fmt: skip

    def _find(self, key) -> tuple[_Taken, int] | None:
        side, person_id, partner_id = key
        menu = self._menus.get(side)
        if menu is None:
            return None
        people, partners = self._positions[side]
        i, j = people.get(person_id), partners.get(partner_id)
        if i is None or j is None:
            return None
        lo, hi = np.searchsorted(menu.i, [i, i + 1])  # the menu is in person order
        hit = np.flatnonzero(menu.j[lo:hi] == j)
        return (menu, int(lo + hit[0])) if len(hit) else None

    def __getitem__(self, key) -> Swap:
        found = self._find(key)
        if found is None:
            raise KeyError(key)
        menu, at = found
        return _swaps(menu.side, menu.i[at : at + 1], menu.j[at : at + 1],
                      menu.w[at : at + 1], *self._context)[0]  # fmt: skip

    def __contains__(self, key) -> bool:
        return self._find(key) is not None

    def __iter__(self):
        for name, menu in self._menus.items():
            ids = [p.id for p in menu.side.people]
            partner_ids = [p.id for p in menu.side.partners]
            for i, j in zip(menu.i.tolist(), menu.j.tolist(), strict=True):
                yield (name, ids[i], partner_ids[j])

    def __len__(self) -> int:
        return sum(len(menu.i) for menu in self._menus.values())

    def worked_out(self) -> dict[tuple[str, str, str], Swap]:
        """Every swap at once, one vectorised pass a side (reading them one by one costs
        a NumPy call each): for a run that stores them all."""
        found = {}
        for name, menu in self._menus.items():
            made = _swaps(menu.side, menu.i, menu.j, menu.w, *self._context)
            for i, j, swap in zip(menu.i.tolist(), menu.j.tolist(), made, strict=True):
                found[(name, menu.side.people[i].id, menu.side.partners[j].id)] = swap
        return found


def _swaps(side, i, j, w, pool_s, pool_r, weights, excluded, mate_score_r) -> list[Swap]:
    """Person i takes partner j from j's mate m; m takes i's former partner, or the best
    free partner of m, whichever scores more (ties by id), when either is possible."""
    if not len(i):
        return []
    m, own = side.partner_mate[j], side.mate[i]
    sponsor = side.name == "sponsor"

    def paired(person, partner):
        return mate_score_r[partner if sponsor else person]

    has_own = own >= 0
    repair = np.full(len(i), -1, np.int64)
    at = np.flatnonzero(has_own)
    pair = (m[at], own[at]) if sponsor else (own[at], m[at])
    repair[at] = pair_scores(pool_s, pool_r, *pair, weights, excluded)
    first_free = [side.free_own[x][0] if side.free_own[x] else (-1, -1) for x in m.tolist()]
    free_j, free_w = np.array(first_free, np.int64).reshape(-1, 2).T
    rank = side.partner_rank
    take_free = (free_w > repair) | (
        (free_w == repair)
        & (free_w >= 0)
        & (rank[np.maximum(free_j, 0)] < rank[np.maximum(own, 0)])
    )
    again_j = np.where(take_free, free_j, own)
    again_w = np.where(take_free, free_w, repair)

    def triple(person: int, partner: int, value: int) -> tuple[str, str, int]:
        one, other = side.people[person].id, side.partners[partner].id
        return (one, other, value) if sponsor else (other, one, value)

    found = []
    for row in zip(i.tolist(), j.tolist(), w.tolist(), m.tolist(), own.tolist(),
                   paired(m, j).tolist(), paired(i, np.maximum(own, 0)).tolist(),
                   again_j.tolist(), again_w.tolist(), strict=True):  # fmt: skip
        pi, pj, pw, pm, po, lost_m, lost_i, aj, aw = row
        removed = [triple(pm, pj, lost_m)]
        added = [triple(pi, pj, pw)]
        if po >= 0:
            removed.append(triple(pi, po, lost_i))
            if aw >= 0:
                added.append(triple(pm, aj, aw))
        found.append(Swap(tuple(added), tuple(removed)))
    return found


@dataclass
class _Side:
    name: str
    people: list[Person]
    partners: list[Person]
    mate: np.ndarray  # partner index of each person, -1 if free
    partner_mate: np.ndarray  # person index of each partner, -1 if free
    free_own: list[list[tuple[int, int]]]  # best free partners of each person
    taken: list[list[tuple[int, int]]]  # best paired partners of each person (not the mate)
    partner_rank: np.ndarray


def _taken_options(top, top_scores, mate, partner_mate, partner_rank):
    """Each person's best candidates already paired to someone else, by score then id."""
    scores = top_scores.astype(np.int64)
    if not top.size or not len(partner_mate):
        return [[] for _ in range(len(top))]
    paired = (top >= 0) & (partner_mate[np.maximum(top, 0)] >= 0) & (top != mate[:, None])
    rank = np.where(paired, partner_rank[np.maximum(top, 0)], np.iinfo(np.int64).max)
    # The menu holds at most ALTERNATIVES: the rest of each sorted row is never read.
    order = np.lexsort((rank, -np.where(paired, scores, -1)), axis=1)[:, :ALTERNATIVES]
    top = np.take_along_axis(top, order, axis=1)
    scores = np.take_along_axis(scores, order, axis=1)
    paired = np.take_along_axis(paired, order, axis=1)
    return [[(j, w) for j, w, ok in zip(row_j, row_w, row_ok, strict=True) if ok]
            for row_j, row_w, row_ok in zip(top.tolist(), scores.tolist(), paired.tolist(),
                                            strict=True)]  # fmt: skip
