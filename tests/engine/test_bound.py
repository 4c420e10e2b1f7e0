"""The bound's ceiling (matching/engine/ceiling.py) is never below a pair's exact points.

The large mode's proved upper bound and its pass over every feasible edge skip the pairs whose
ceiling cannot beat their potentials: a ceiling below the exact points of one pair would make
the bound wrong. Checked on every pair of random pools, with vocabularies small enough for the
per-bit features and large enough (over MAX_BITS codes) for the per-person fallback, and birth
years spread wider than AGE_BINS years (wider bins).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Person, Weights, scoring
from matching.engine.ceiling import MAX_BITS, build_ceiling
from matching.engine.model import build_pools

WEIGHTS = st.builds(
    Weights,
    distance=st.integers(0, 30),
    interests=st.integers(0, 20),
    availability=st.integers(0, 15),
    language=st.integers(0, 10),
    age=st.integers(0, 10),
    waiting=st.integers(0, 15),
)
SLOTS = ["weekday_day", "weekday_evening", "weekend_day", "weekend_evening"]


@st.composite
def pool(draw, prefix: str, interests: int, years: tuple[int, int]) -> list[Person]:
    words = [f"hobby{i}" for i in range(interests)]
    return [
        Person(
            id=f"{prefix}{i}",
            lat=48.85,
            lon=2.35,
            max_distance_km=10.0,
            languages=draw(
                st.dictionaries(
                    st.sampled_from(["fr", "en", "ar", "fa"]),
                    st.sampled_from(["basic", "conversational", "fluent", "native"]),
                    max_size=3,
                )
            ),
            interests=frozenset(draw(st.lists(st.sampled_from(words), max_size=12))),
            availability=frozenset(draw(st.lists(st.sampled_from(SLOTS), max_size=4))),
            gender="woman",
            birth_year=draw(st.one_of(st.none(), st.integers(*years))),
            waiting_days=draw(st.integers(0, 900)),
        )
        for i in range(draw(st.integers(1, 12)))
    ]


def exact_points_but_distance(refugees, sponsors, weights: Weights) -> np.ndarray:
    a, b = refugees.as_rows(), sponsors.as_columns()
    chord2 = scoring.squared_chord(a, b)
    points = scoring.criterion_points(a, b, chord2, scoring.reach_limit(a, b), weights)
    del points["distance"]
    return sum(p.astype(np.int64) for p in points.values())


def assert_ceiling_holds(sponsor_people, refugee_people, weights: Weights) -> None:
    sponsors, refugees = build_pools(sponsor_people, refugee_people)
    ceiling = build_ceiling(refugees, sponsors, weights)
    rows = np.arange(len(refugees))
    bound = ceiling.points(rows, ceiling.cols, ceiling.language_cols[None, :])
    exact = exact_points_but_distance(refugees, sponsors, weights)
    assert exact.shape == bound.shape
    assert (bound >= exact).all(), (bound - exact).min()


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    interests=st.sampled_from([4, 30, MAX_BITS + 40]),
    years=st.sampled_from([(1980, 1990), (1930, 2008)]),
    weights=WEIGHTS,
)
def test_ceiling_is_never_below_the_exact_points_of_any_pair(data, interests, years, weights):
    sponsors = data.draw(pool("s", interests, years))
    refugees = data.draw(pool("r", interests, years))
    assert_ceiling_holds(sponsors, refugees, weights)


def test_ceiling_is_tight_for_two_identical_people():
    """Same interests, slots and year: the ceiling stays within a few points of the exact ones
    (the slopes of the interests and slots tables, the waiting term's rounding half), or the
    pass would score exactly nearly every pair."""
    one = Person(
        "s", 48.85, 2.35, 10.0, languages={"fr": "native"}, gender="woman",
        interests=frozenset({"art", "music"}), availability=frozenset(SLOTS[:2]),
        birth_year=1985, waiting_days=100,
    )  # fmt: skip
    other = dataclasses.replace(one, id="r")
    sponsors, refugees = build_pools([one], [other])
    ceiling = build_ceiling(refugees, sponsors, Weights())
    bound = ceiling.points(np.arange(1), ceiling.cols, ceiling.language_cols[None, :])
    exact = exact_points_but_distance(refugees, sponsors, Weights())
    assert 0 <= float(bound[0, 0]) - int(exact[0, 0]) < 3.0


@settings(max_examples=60, deadline=None)
@given(st.data(), st.integers(1, 1200), st.integers(0, 3))
def test_best_ceilings_keep_each_rows_k_highest(data, width, spread):
    """Long rows full of ties take a threshold from the maxima of column groups: every
    row still keeps its k highest ceilings (or all its pairs), ties included."""
    from matching.engine.bound import TOP_FREE, _best_ceilings

    rows = 4
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    ceiling = rng.integers(60, 60 + 2 * spread + 2, (rows, width)).astype(np.float32)
    maybe = rng.random((rows, width)) < data.draw(st.sampled_from([0.002, 0.3, 1.0]))
    kept = _best_ceilings(maybe, ceiling, TOP_FREE)
    assert not (kept & ~maybe).any()
    for row in range(rows):
        values = np.sort(ceiling[row][maybe[row]])[::-1]
        if len(values) <= TOP_FREE:
            assert kept[row].sum() == len(values)
            continue
        kth = values[TOP_FREE - 1]
        assert (kept[row] | ~(maybe[row] & (ceiling[row] >= kth))).all()
        assert kept[row].sum() >= TOP_FREE


def test_the_bound_pass_counts_every_feasible_partner_of_the_free_people():
    """The pass sees every feasible pair: the partners it counts for the free refugees
    and the free sponsors (why they are unmatched is told from them) are all of theirs,
    exclusions left out, as a plain count over every edge says; 0 for the others."""
    from matching.engine.bound import violations
    from matching.engine.candidates import Exclusions, all_edges
    from matching.engine.synthetic import synthetic_people

    pool_s, pool_r = build_pools(synthetic_people(1500, "sponsor", seed=3),
                                 synthetic_people(1500, "refugee", seed=3))  # fmt: skip
    rng = np.random.default_rng(3)
    free_s, free_r = rng.random(len(pool_s)) < 0.2, rng.random(len(pool_r)) < 0.2
    nobody = Exclusions(np.empty(0, np.int64), len(pool_s))
    every = all_edges(pool_r, pool_s, Weights(), nobody)
    pairs_r = np.repeat(np.arange(len(pool_r)), np.diff(every.indptr))
    excluded = Exclusions.from_index_pairs(
        zip(pairs_r[::97].tolist(), every.indices[::97].tolist(), strict=True), len(pool_s)
    )
    kept = np.ones(len(pairs_r), bool)
    kept[::97] = False
    degree_r = np.bincount(pairs_r[kept], minlength=len(pool_r))
    degree_s = np.bincount(every.indices[kept], minlength=len(pool_s))
    big = 10_000
    u, v = np.full(len(pool_r), big, np.int64), np.zeros(len(pool_s), np.int64)

    found = violations(pool_r, pool_s, u, v, big, Weights(), excluded, free_s,
                       np.arange(len(pool_s)), free_r)  # fmt: skip

    assert found.edges == int(kept.sum()) > 10_000
    assert (found.free_degree_r == np.where(free_r, degree_r, 0)).all()
    assert (found.free_degree_s == np.where(free_s, degree_s, 0)).all()
