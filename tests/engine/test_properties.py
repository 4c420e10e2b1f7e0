"""On random pools: hard constraints hold, the number of pairs is the maximum, and on
small pools the total score equals a brute-force optimum."""

from __future__ import annotations

from functools import cache

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import maximum_bipartite_matching

from matching.engine import match, score_pair

from .pools import haversine_km, is_feasible, people

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLACK_KM = 1e-6  # float rounding at the exact distance limit


@st.composite
def problems(draw, max_size: int = 6):
    sponsors = draw(people("s", max_size))
    refugees = draw(people("r", max_size))
    all_pairs = [(s.id, r.id) for s in sponsors for r in refugees]
    excluded = draw(st.sets(st.sampled_from(all_pairs), max_size=4)) if all_pairs else set()
    return sponsors, refugees, excluded


def feasible_graph(sponsors, refugees, excluded, slack=0.0) -> np.ndarray:
    return np.array(
        [[is_feasible(s, r, excluded, slack) for s in sponsors] for r in refugees], dtype=bool
    ).reshape(len(refugees), len(sponsors))


def independent_max_pairs(dense: np.ndarray) -> int:
    if dense.size == 0:
        return 0
    matching = maximum_bipartite_matching(sp.csr_matrix(dense.astype(np.int8)))
    return int((matching >= 0).sum())


def brute_force_best(sponsors, refugees, feasible: np.ndarray) -> tuple[int, int]:
    """(pairs, total score) of the best matching, by exhaustive search."""
    scores = {}
    for j, r in enumerate(refugees):
        for i, s in enumerate(sponsors):
            if feasible[j, i]:
                scores[i, j] = score_pair(s, r).score

    @cache
    def best(i: int, used: int) -> tuple[int, int]:
        if i == len(sponsors):
            return (0, 0)
        options = [best(i + 1, used)]
        for j in range(len(refugees)):
            if (i, j) in scores and not used >> j & 1:
                count, total = best(i + 1, used | 1 << j)
                options.append((count + 1, total + scores[i, j]))
        return max(options)

    return best(0, 0)


@SETTINGS
@given(problems(), st.sampled_from(["exact", "large"]))
def test_pairs_respect_constraints_and_are_maximum(problem, mode):
    sponsors, refugees, excluded = problem
    result = match(sponsors, refugees, exclusions=excluded, mode=mode)
    by_id_s = {p.id: p for p in sponsors}
    by_id_r = {p.id: p for p in refugees}
    for pair in result.pairs:
        s, r = by_id_s[pair.sponsor_id], by_id_r[pair.refugee_id]
        assert is_feasible(s, r, excluded, slack=SLACK_KM)
        assert abs(pair.distance_km - haversine_km(s, r)) < 0.01
        assert 0 <= pair.score <= 100
        assert pair.score == sum(pair.breakdown.values())
    assert len({p.sponsor_id for p in result.pairs}) == len(result.pairs)
    assert len({p.refugee_id for p in result.pairs}) == len(result.pairs)
    strict = independent_max_pairs(feasible_graph(sponsors, refugees, excluded))
    loose = independent_max_pairs(feasible_graph(sponsors, refugees, excluded, SLACK_KM))
    assert strict <= len(result.pairs) <= loose
    assert result.certificate.cardinality_proved


@SETTINGS
@given(problems(max_size=5))
def test_exact_mode_matches_brute_force(problem):
    sponsors, refugees, excluded = problem
    result = match(sponsors, refugees, exclusions=excluded, mode="exact")
    feasible = feasible_graph(sponsors, refugees, excluded, SLACK_KM)
    count, total = brute_force_best(sponsors, refugees, feasible)
    assert (len(result.pairs), result.total_score) == (count, total)
    assert result.certificate.score_exact


@SETTINGS
@given(problems())
def test_everyone_is_either_paired_or_explained(problem):
    sponsors, refugees, excluded = problem
    result = match(sponsors, refugees, exclusions=excluded)
    paired = {("sponsor", p.sponsor_id) for p in result.pairs}
    paired |= {("refugee", p.refugee_id) for p in result.pairs}
    explained = {(u.side, u.person_id) for u in result.unmatched}
    everyone = {("sponsor", p.id) for p in sponsors} | {("refugee", p.id) for p in refugees}
    assert paired | explained == everyone
    assert not paired & explained
    others = {"sponsor": refugees, "refugee": sponsors}
    own = {"sponsor": {p.id: p for p in sponsors}, "refugee": {p.id: p for p in refugees}}
    for u in result.unmatched:
        me = own[u.side][u.person_id]
        reach = [
            o for o in others[u.side]
            if haversine_km(me, o) <= min(me.max_distance_km, o.max_distance_km) - SLACK_KM
        ]  # fmt: skip
        if u.reason == "no_one_in_reach":
            assert not reach
        if u.reason == "partners_needed_elsewhere":
            assert u.values["feasible"] >= 1


@SETTINGS
@given(problems())
def test_alternatives_are_feasible_other_partners(problem):
    sponsors, refugees, excluded = problem
    result = match(sponsors, refugees, exclusions=excluded)
    by_id = {("sponsor", p.id): p for p in sponsors} | {("refugee", p.id): p for p in refugees}
    current = {("sponsor", p.sponsor_id): p.refugee_id for p in result.pairs}
    current |= {("refugee", p.refugee_id): p.sponsor_id for p in result.pairs}
    for (side, person_id), options in result.alternatives.items():
        assert len(options) <= 5
        other_side = "refugee" if side == "sponsor" else "sponsor"
        taken = [(other_side, partner) in current for partner, _ in options]
        assert taken == sorted(taken)  # free partners first
        for group in (False, True):
            scores = [score for (_, score), t in zip(options, taken, strict=True) if t == group]
            assert scores == sorted(scores, reverse=True)
        for partner_id, score in options:
            assert partner_id != current.get((side, person_id))
            me, other = by_id[(side, person_id)], by_id[(other_side, partner_id)]
            s, r = (me, other) if side == "sponsor" else (other, me)
            assert is_feasible(s, r, excluded, SLACK_KM)
            assert score == score_pair(s, r).score


@SETTINGS
@given(problems())
def test_same_input_same_result(problem):
    sponsors, refugees, excluded = problem
    first = match(sponsors, refugees, exclusions=excluded)
    second = match(sponsors, refugees, exclusions=excluded)
    assert first.pairs == second.pairs
    assert first.unmatched == second.unmatched
