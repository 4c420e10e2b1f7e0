"""The engine against the brute-force reference of tests/engine/reference.py, on random
small pools: pairs, total score, each pair's breakdown and reasons, why the others are
unmatched, and the alternatives."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matching.engine import Person, Weights, match

from . import reference as ref

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LANGUAGES = ["fr", "en", "ar", "ps", "xyz"]  # "xyz" is outside the vocabulary
WEIGHTS = [
    Weights(),
    Weights(distance=45, interests=5, waiting=0, age=25),
    Weights(distance=7, interests=40, availability=5, language=23),
]
INTERESTS = ["cinema", "cooking", "music", "art", "chess-boxing"]


@st.composite
def person(draw, pid: str) -> Person:
    return Person(
        id=pid,
        lat=draw(st.floats(48.80, 48.90)),
        lon=draw(st.floats(2.30, 2.45)),
        max_distance_km=draw(st.sampled_from([0.0, 0.5, 2.0, 5.0, 8.0, 12.0, 30.0])),
        languages=draw(
            st.dictionaries(st.sampled_from(LANGUAGES), st.sampled_from(ref.LEVELS), max_size=3)
        ),  # fmt: skip
        interests=frozenset(draw(st.sets(st.sampled_from(INTERESTS)))),
        availability=frozenset(draw(st.sets(st.sampled_from(ref.SLOTS)))),
        gender=draw(st.sampled_from(["woman", "man", "other"])),
        partner_gender=draw(st.sampled_from(["any", "", "woman", "man"])),
        birth_year=draw(st.one_of(st.none(), st.integers(1940, 2008))),
        waiting_days=draw(st.integers(0, 800)),
    )


@st.composite
def problems(draw):
    # Ids drawn out of order, so the engine's id tie-break is really exercised.
    n_s, n_r = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    s_ids = draw(st.permutations([f"s{k}" for k in range(n_s)]))
    r_ids = draw(st.permutations([f"r{k}" for k in range(n_r)]))
    sponsors = [draw(person(i)) for i in s_ids]
    refugees = [draw(person(i)) for i in r_ids]
    all_pairs = [(s.id, r.id) for s in sponsors for r in refugees]
    excluded = draw(st.sets(st.sampled_from(all_pairs), max_size=4)) if all_pairs else set()
    weights = draw(st.sampled_from(WEIGHTS))
    return sponsors, refugees, excluded, weights


def close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-6)


@SETTINGS
@given(problems(), st.sampled_from(["exact", "large"]))
def test_engine_agrees_with_the_brute_force_reference(problem, mode):
    sponsors, refugees, excluded, weights = problem
    assume(not any(ref.on_a_boundary(s, r, weights) for s in sponsors for r in refugees))
    best = ref.optimum(sponsors, refugees, excluded, weights)
    result = match(sponsors, refugees, weights=weights, exclusions=excluded, mode=mode)

    assert len(result.pairs) == best.count == result.certificate.max_pairs
    assert result.total_score == best.total
    assert result.certificate.score_bound >= best.total
    if best.unique:
        assert {(p.sponsor_id, p.refugee_id) for p in result.pairs} == best.pairs
    by_id = {p.id: p for p in [*sponsors, *refugees]}
    for pair in result.pairs:
        s, r = by_id[pair.sponsor_id], by_id[pair.refugee_id]
        assert ref.feasible(s, r, excluded)
        assert pair.breakdown == ref.breakdown(s, r, weights)
        assert pair.score == best.scores[s.id, r.id]
        expected = ref.reasons(s, r)
        assert [code for code, _ in pair.reasons] == [code for code, _ in expected]
        assert close(pair.reasons[0][1]["km"], expected[0][1]["km"])
        assert pair.reasons[1:] == expected[1:]

    mate = {("sponsor", p.sponsor_id): p.refugee_id for p in result.pairs}
    mate |= {("refugee", p.refugee_id): p.sponsor_id for p in result.pairs}
    sides = (("sponsor", sponsors, refugees), ("refugee", refugees, sponsors))
    unmatched = {(u.side, u.person_id): u for u in result.unmatched}
    for side, people, others in sides:
        for me in people:
            if (side, me.id) in mate:
                assert (side, me.id) not in unmatched
                continue
            code, values = ref.unmatched_reason(me, others, side, excluded)
            got = unmatched[(side, me.id)]
            assert got.reason == code
            if code == "no_one_in_reach":
                assert close(got.values["nearest_km"], values["nearest_km"])
            else:
                assert got.values == values
    if mode == "exact":  # the large mode's alternatives come from sampled candidates
        for side, people, others in sides:
            for me in people:
                expected = ref.alternatives(me, others, side, mate, best.scores)
                assert result.alternatives.get((side, me.id), []) == expected
