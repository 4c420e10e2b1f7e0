"""Points of one pair, against the documented rules."""

from __future__ import annotations

import math

from matching.engine import Person, Weights, score_pair

KM_PER_DEGREE_LAT = math.pi * 6371.0088 / 180


def person(pid: str, lat: float = 48.85, lon: float = 2.35, **fields) -> Person:
    fields.setdefault("languages", {"fr": "native"})
    return Person(pid, lat, lon, fields.pop("reach", 10.0), gender="woman", **fields)


def test_score_age_is_zero_when_both_birth_years_are_missing():
    # Same point, French natively on both sides, nothing else: 30 distance + 10 language.
    pair = score_pair(person("s"), person("r"))
    assert pair.breakdown["age"] == 0
    assert pair.score == 40


def test_score_age_is_zero_when_one_birth_year_is_missing():
    assert score_pair(person("s", birth_year=1980), person("r")).breakdown["age"] == 0
    assert score_pair(person("s"), person("r", birth_year=1980)).breakdown["age"] == 0
    assert (
        score_pair(person("s", birth_year=1980), person("r", birth_year=1980)).breakdown["age"]
        == Weights().age
    )


def test_score_distance_points_follow_the_great_circle_distance():
    # Half-way round the globe with a limit of the whole half circumference: the
    # distance read is half the limit, so half of the 30 points (the chord gives 9).
    far = 20_037.0
    sponsor = person("s", lat=0.0, lon=0.0, reach=far)
    refugee = person("r", lat=0.0, lon=90.0, reach=far)
    pair = score_pair(sponsor, refugee)
    assert abs(pair.distance_km - 10_007.5) < 1
    assert pair.breakdown["distance"] == 15


def test_score_distance_points_at_a_tenth_of_the_limit():
    sponsor = person("s", reach=20.0)
    refugee = person("r", lat=48.85 + 2.0 / KM_PER_DEGREE_LAT, reach=20.0)
    assert score_pair(sponsor, refugee).breakdown["distance"] == 27  # 30 * 0.9
