"""Pause and withdraw ask for a ticked box; the messages speak to who reads them; a withdrawal
can be undone for UNDO_WITHDRAWAL_DAYS days, by the candidate or their social worker."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import UNDO_WITHDRAWAL_DAYS, CandidateState
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["pause", "withdraw"])
def test_one_tap_changes_nothing_and_says_to_tick_the_box(sponsor, action):
    client = client_for(sponsor.user)

    response = client.post(reverse("accounts:state_action", args=[action]), follow=True)

    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.VALIDATED
    assert "Nothing changed: tick the box to confirm first." in response.text


def test_dashboard_asks_for_the_box_and_says_how_long_a_withdrawal_can_be_undone(sponsor):
    page = client_for(sponsor.user).get(reverse("accounts:dashboard")).text

    assert 'name="confirm" value="yes" required' in page
    assert f"it can be undone for {UNDO_WITHDRAWAL_DAYS} days" in page


def test_candidate_undoes_a_withdrawal_within_the_days_then_no_longer(sponsor):
    client = client_for(sponsor.user)
    client.post(reverse("accounts:state_action", args=["withdraw"]), {"confirm": "yes"})
    assert "Undo the withdrawal" in client.get(reverse("accounts:dashboard")).text

    response = client.post(reverse("accounts:state_action", args=["restore"]), follow=True)

    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.VALIDATED
    assert "Your withdrawal is undone" in response.text
    client.post(reverse("accounts:state_action", args=["withdraw"]), {"confirm": "yes"})
    later = timezone.now() + timedelta(days=UNDO_WITHDRAWAL_DAYS, hours=1)
    with time_machine.travel(later):
        client.post(reverse("accounts:state_action", args=["restore"]))
        assert "Undo the withdrawal" not in client.get(reverse("accounts:dashboard")).text
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.WITHDRAWN


def test_social_worker_reads_about_the_person_they_refer(social_worker, referred_refugee):
    client = client_for(social_worker.user)
    url = reverse("accounts:referral_state_action", args=[referred_refugee.pk, "withdraw"])

    page = client.post(url, {"confirm": "yes"}, follow=True).text

    assert f"The application of {referred_refugee.first_name} is withdrawn." in page
    assert "Your application" not in page
    referred_refugee.refresh_from_db()
    assert referred_refugee.state == CandidateState.WITHDRAWN


def test_a_refusal_by_the_team_cannot_be_undone(sponsor):
    sponsor.state, sponsor.refusal_reason = CandidateState.WITHDRAWN, "Not in the area."
    sponsor.save(update_fields=["state", "refusal_reason"])

    client_for(sponsor.user).post(reverse("accounts:state_action", args=["restore"]))

    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.WITHDRAWN


def test_starting_a_referral_twice_makes_one_empty_record(social_worker):
    from accounts.models import Person

    client = client_for(social_worker.user)
    first = client.post(reverse("accounts:referral_new"))
    second = client.post(reverse("accounts:referral_new"))

    assert first["Location"] == second["Location"]
    assert Person.objects.filter(referrer=social_worker.user).count() == 1
