"""Other partners for each person, for the staff's swap menu.

Up to `ALTERNATIVES` per person: first the best partners who are still free (a swap
that changes nobody else), then the best of those already paired, each with the
`Swap` that takes them: the pairs it undoes and forms, its cost in score, and
whether it keeps the number of pairs (the partner's former mate is paired again
with the person's former partner, or with someone free, when either is possible).
Ties are broken by id, so the menu does not depend on the order of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import scoring
from .candidates import EdgeSet, Exclusions, feasible_pairs
from .model import Person, Pool, Weights
from .solve import Matching

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


def alternatives(sponsors, refugees, pool_s, pool_r, edges: EdgeSet, matching: Matching,
                 weights: Weights, excluded: Exclusions):  # fmt: skip
    """(options, swaps): options[(side, id)] is [(partner id, score), ...], free partners
    first; swaps[(side, id, partner id)] is the `Swap` of each partner already paired."""
    n_s = len(pool_s)
    refugee_of, sponsor_of = matching.refugee_of(n_s), matching.sponsor_of
    rank_s, rank_r = id_ranks(sponsors), id_ranks(refugees)
    free_r = np.flatnonzero(sponsor_of < 0)
    free_s = np.flatnonzero(refugee_of < 0)
    # Every edge to a free person: few people are free, and they have few partners.
    edge_r, edge_s, _ = feasible_pairs(pool_r, pool_s, free_r, excluded.swapped(n_s))
    free_of_s = _best(edge_s, edge_r, pair_scores(pool_s, pool_r, edge_s, edge_r, weights,
                                                  excluded), rank_r, n_s)  # fmt: skip
    edge_s, edge_r, _ = feasible_pairs(pool_s, pool_r, free_s, excluded)
    free_of_r = _best(edge_r, edge_s, pair_scores(pool_s, pool_r, edge_s, edge_r, weights,
                                                  excluded), rank_s, len(pool_r))  # fmt: skip
    mate_score_r = np.full(len(pool_r), -1, np.int64)  # score of each refugee's pair
    on = np.flatnonzero(sponsor_of >= 0)
    mate_score_r[on] = pair_scores(pool_s, pool_r, sponsor_of[on], on, weights, excluded)
    sides = (
        _Side("sponsor", sponsors, refugees, edges.top_a, edges.top_a_scores, refugee_of,
              sponsor_of, free_of_s, rank_r),
        _Side("refugee", refugees, sponsors, edges.top_b, edges.top_b_scores, sponsor_of,
              refugee_of, free_of_r, rank_s),
    )  # fmt: skip
    options: dict[tuple[str, str], list[tuple[str, int]]] = {}
    swaps: dict[tuple[str, str, str], Swap] = {}
    for side in sides:
        taken = _taken_options(side)
        repairs = _repairs(side, taken, pool_s, pool_r, weights, excluded)
        for i, person in enumerate(side.people):
            found = [(side.partners[j].id, score) for j, score in side.free_own[i]]
            for j, score in taken[i][: ALTERNATIVES - len(found)]:
                partner = side.partners[j].id
                found.append((partner, score))
                swaps[(side.name, person.id, partner)] = _swap(side, i, j, score, repairs,
                                                               mate_score_r)  # fmt: skip
            if found:
                options[(side.name, person.id)] = found
    return options, swaps


@dataclass
class _Side:
    name: str
    people: list[Person]
    partners: list[Person]
    top: np.ndarray
    top_scores: np.ndarray
    mate: np.ndarray  # partner index of each person, -1 if free
    partner_mate: np.ndarray  # person index of each partner, -1 if free
    free_own: list[list[tuple[int, int]]]  # best free partners of each person
    partner_rank: np.ndarray


def _best(person: np.ndarray, partner: np.ndarray, score: np.ndarray, partner_rank, n: int):
    """The best `ALTERNATIVES` partners of each of n people, score first, then by id."""
    found: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    keep = score >= 0
    person, partner, score = person[keep], partner[keep], score[keep]
    order = np.lexsort((partner_rank[partner], -score, person))
    person, partner, score = person[order], partner[order], score[order]
    start = np.searchsorted(person, person, side="left")
    first = (np.arange(len(person)) - start) < ALTERNATIVES
    for i, j, w in zip(person[first].tolist(), partner[first].tolist(), score[first].tolist(),
                       strict=True):  # fmt: skip
        found[i].append((j, w))
    return found


def _taken_options(side: _Side) -> list[list[tuple[int, int]]]:
    """Each person's best partners from the candidates, already paired to someone else."""
    top, scores = side.top, side.top_scores.astype(np.int64)
    if not top.size or not len(side.partner_mate):
        return [[] for _ in range(len(top))]
    paired = (top >= 0) & (side.partner_mate[np.maximum(top, 0)] >= 0)
    paired &= top != side.mate[:, None]
    rank = np.where(paired, side.partner_rank[np.maximum(top, 0)], np.iinfo(np.int64).max)
    order = np.lexsort((rank, -np.where(paired, scores, -1)), axis=1)
    top = np.take_along_axis(top, order, axis=1)
    scores = np.take_along_axis(scores, order, axis=1)
    paired = np.take_along_axis(paired, order, axis=1)
    return [[(j, w) for j, w, ok in zip(row_j, row_w, row_ok, strict=True) if ok]
            for row_j, row_w, row_ok in zip(top.tolist(), scores.tolist(), paired.tolist(),
                                            strict=True)]  # fmt: skip


def _repairs(side: _Side, taken, pool_s, pool_r, weights, excluded) -> dict:
    """Score of pairing each displaced mate with the person's former partner, if feasible."""
    people, partners_of_mates = [], []
    for i, options in enumerate(taken):
        own = int(side.mate[i])
        if own < 0:
            continue
        for j, _score in options[:ALTERNATIVES]:
            people.append(int(side.partner_mate[j]))  # the displaced mate (same side as i)
            partners_of_mates.append(own)
    if side.name == "sponsor":
        scores = pair_scores(pool_s, pool_r, people, partners_of_mates, weights, excluded)
    else:
        scores = pair_scores(pool_s, pool_r, partners_of_mates, people, weights, excluded)
    return dict(zip(zip(people, partners_of_mates, strict=True), scores.tolist(), strict=True))


def _swap(side: _Side, i: int, j: int, score: int, repairs: dict, mate_score_r) -> Swap:
    """Person i takes partner j from j's mate m; m takes i's former partner, or someone
    free, whichever scores more, when either is possible."""
    m, own = int(side.partner_mate[j]), int(side.mate[i])

    def triple(person: int, partner: int, value: int) -> tuple[str, str, int]:
        ids = (side.people[person].id, side.partners[partner].id)
        return (*(ids if side.name == "sponsor" else ids[::-1]), int(value))

    def paired_score(person: int, partner: int) -> int:
        return int(mate_score_r[partner if side.name == "sponsor" else person])

    removed = [triple(m, j, paired_score(m, j))]
    added = [triple(i, j, score)]
    if own >= 0:
        removed.append(triple(i, own, paired_score(i, own)))
        choices = [(repairs.get((m, own), -1), own)]
        choices += [(w, f) for f, w in side.free_own[m][:1]]
        best_score, best_partner = max(choices, key=lambda c: (c[0], -side.partner_rank[c[1]]))
        if best_score >= 0:
            added.append(triple(m, best_partner, best_score))
    return Swap(tuple(added), tuple(removed))
