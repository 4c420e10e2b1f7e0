"""The introduction says what the engine found for the pair, as the Proposal stores it: the
distance, the languages and interests in common and the reasons, never measured again."""

import pytest
from django.utils import translation

from duos.lifecycle.emails import introduction_context
from duos.models import duo_propose
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def context(duo, side="sponsor") -> dict:
    with translation.override("en"):
        return introduction_context(duo, side)


def test_introduction_context_reads_the_proposal_not_the_profiles(
    sponsor, refugee, staff, monkeypatch
):
    proposal = ProposalFactory(
        sponsor=sponsor,
        refugee=refugee,
        distance_km=7.4,
        reasons=[
            ["distance", {"km": 7.4}],
            ["languages", {"codes": ["fr"]}],
            ["interests", {"codes": ["football"]}],  # their profiles say cinema and cooking
        ],
    )
    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)

    def no_engine_person(*args):
        raise AssertionError("the introduction rebuilt the engine's persons")

    monkeypatch.setattr("matching.services.engine_person", no_engine_person)
    found = context(duo)

    assert found["km"] == 7
    assert found["languages"] == ["French"]
    assert found["interests"] == ["football"]
    assert "7 km" in found["reasons"] and "football" in found["reasons"]


def test_introduction_context_of_a_duo_without_a_proposal_measures_nothing(sponsor, refugee, staff):
    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff)

    found = context(duo)

    assert (found["km"], found["languages"], found["interests"], found["reasons"]) == (
        None,
        [],
        [],
        "",
    )
    assert found["accept_url"] and found["decline_url"]
