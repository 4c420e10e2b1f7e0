"""The web app asks the engine about one pair (matching.engine's public API): the manual-pair
warnings are the engine's own rules, never on a distance rounded first."""

import math

import pytest
from django.utils import timezone, translation

from matching import engine
from matching.proposals import manual_pair_warnings
from matching.services import engine_person
from tests.factories import RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db

KM_PER_DEGREE_LAT = math.pi * 6371.0088 / 180
PARIS_11E = (48.8574, 2.3795)  # the factories' home


def pair_apart(km: float):
    """A sponsor and a refugee `km` apart (north-south), both willing to go 10 km."""
    sponsor = SponsorFactory(max_distance_km=10)
    refugee = RefugeeFactory(
        max_distance_km=10, latitude=PARIS_11E[0] + km / KM_PER_DEGREE_LAT, longitude=PARIS_11E[1]
    )
    return sponsor, refugee


def engine_accepts(sponsor, refugee) -> bool:
    now = timezone.now()
    return engine.score_pair(engine_person(sponsor, now), engine_person(refugee, now)) is not None


def test_manual_pair_warns_of_a_pair_just_past_the_limit_the_engine_refuses():
    # Rounded to 0.1 km first, 10.04 km read as 10.0: no warning for a pair the engine refuses.
    sponsor, refugee = pair_apart(10.04)
    assert not engine_accepts(sponsor, refugee)

    with translation.override("en"):
        warnings = manual_pair_warnings(sponsor=sponsor, refugee=refugee)

    assert warnings == [
        "They live about 10 km apart, farther than 10 km, the distance the one who travels "
        "less will go."
    ]


def test_manual_pair_has_no_warning_for_a_pair_the_engine_accepts():
    sponsor, refugee = pair_apart(9.96)
    assert engine_accepts(sponsor, refugee)

    assert manual_pair_warnings(sponsor=sponsor, refugee=refugee) == []
