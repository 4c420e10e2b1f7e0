"""The public one-pair API agrees with `match` on every pair, to the last bit."""

from __future__ import annotations

import math
from collections import namedtuple

from hypothesis import HealthCheck, given, settings

from matching.engine import (
    Person,
    distance_km,
    match,
    pair_breaches,
    score_pair,
    shared_languages,
)

from .pools import haversine_km, people

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KM_PER_DEGREE_LAT = math.pi * 6371.0088 / 180


def person(pid: str, lat: float, lon: float = 2.35, reach: float = 10.0, **fields) -> Person:
    fields.setdefault("languages", {"fr": "native"})
    return Person(pid, lat, lon, reach, **fields)


def test_distance_km_is_the_great_circle_distance_unrounded():
    a, b = person("s", 48.85), person("r", 48.85 + 7.49 / KM_PER_DEGREE_LAT)
    assert abs(distance_km(a, b) - 7.49) < 1e-6
    assert distance_km(a, b) == distance_km(b, a)
    assert distance_km(a, a) == 0.0


def test_distance_km_takes_anything_with_lat_and_lon():
    Commune = namedtuple("Commune", "lat lon")
    paris, lyon = Commune(48.8566, 2.3522), Commune(45.7640, 4.8357)
    assert abs(distance_km(paris, lyon) - haversine_km(paris, lyon)) < 1e-6
    assert 390 < distance_km(paris, lyon) < 393


def test_pair_breaches_refuses_a_pair_just_past_the_limit_as_the_solver_does():
    sponsor = person("s", 48.85)
    refugee = person("r", 48.85 + 10.04 / KM_PER_DEGREE_LAT)
    [(code, values)] = pair_breaches(sponsor, refugee)
    assert code == "too_far" and values["limit"] == 10.0
    assert 10.03 < values["km"] < 10.05  # unrounded: not 10.0
    assert match([sponsor], [refugee]).pairs == []


def test_pair_breaches_names_every_constraint_broken():
    sponsor = person("s", 48.85, partner_gender="man", gender="woman", languages={"fr": "basic"})
    refugee = person("r", 49.85, partner_gender="woman", gender="woman")
    assert [code for code, _ in pair_breaches(sponsor, refugee)] == [
        "too_far",
        "no_shared_language",
        "gender_preference",
    ]
    assert pair_breaches(sponsor, refugee)[2][1] == {"side": "sponsor", "wants": "man"}


def test_shared_languages_counts_conversational_and_better():
    sponsor = person("s", 48.85, languages={"fr": "native", "ar": "basic", "en": "fluent"})
    refugee = person("r", 48.85, languages={"fr": "conversational", "ar": "native", "en": "native"})
    assert shared_languages(sponsor, refugee) == ["en", "fr"]


def test_score_pair_even_if_infeasible_gives_the_points_anyway():
    sponsor = person("s", 48.85, interests=frozenset({"art"}), birth_year=1980)
    refugee = person("r", 49.85, interests=frozenset({"art"}), birth_year=1980)
    assert score_pair(sponsor, refugee) is None
    pair = score_pair(sponsor, refugee, even_if_infeasible=True)
    assert pair.breakdown["distance"] == 0 and pair.breakdown["interests"] > 0
    assert pair.score == sum(pair.breakdown.values())


@SETTINGS
@given(people("s", 1), people("r", 1))
def test_one_pair_api_agrees_with_match(sponsors, refugees):
    if not sponsors or not refugees:
        return
    sponsor, refugee = sponsors[0], refugees[0]
    result = match([sponsor], [refugee], mode="exact")
    pair = score_pair(sponsor, refugee)
    assert (pair_breaches(sponsor, refugee) == []) == (pair is not None) == bool(result.pairs)
    if pair is not None:
        assert result.pairs[0] == pair
        assert pair.distance_km == round(distance_km(sponsor, refugee), 2)
        assert dict(pair.reasons)["languages"]["codes"] == shared_languages(sponsor, refugee)
