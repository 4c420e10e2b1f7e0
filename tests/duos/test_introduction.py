"""Proposing a duo: the state of both people, conflicts, and the introduction emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import CandidateState
from duos.lifecycle.emails import duo_send_email
from duos.lifecycle.services import duo_answer
from duos.models import ANSWER_DAYS, Answer, Duo, DuoConflict, DuoState, duo_propose
from matching.models import MatchRun, Proposal, ProposalState
from tests.factories import ReferredRefugeeFactory, RefugeeFactory, SponsorFactory
from tests.mail import FAILING_BACKEND

pytestmark = pytest.mark.django_db


def _proposal(sponsor, refugee) -> Proposal:
    run = MatchRun.objects.create(active=None, state="done")
    return Proposal.objects.create(
        run=run,
        sponsor=sponsor,
        refugee=refugee,
        score=80,
        distance_km=2.4,
        reasons=[["distance", {"km": 2.4}], ["languages", {"codes": ["fr"]}]],
    )


def test_duo_propose_creates_a_waiting_duo_and_moves_both_people(sponsor, refugee, staff):
    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff)

    duo.refresh_from_db()
    assert duo.state == DuoState.WAITING
    assert duo.created_by == staff
    assert abs(duo.expires_at - (timezone.now() + timedelta(days=ANSWER_DAYS))) < timedelta(
        minutes=1
    )
    sponsor.refresh_from_db()
    refugee.refresh_from_db()
    assert sponsor.state == refugee.state == CandidateState.IN_DUO


def test_duo_propose_approves_the_proposal(sponsor, refugee, staff):
    proposal = _proposal(sponsor, refugee)

    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)

    proposal.refresh_from_db()
    assert duo.proposal == proposal
    assert proposal.state == ProposalState.APPROVED
    assert proposal.reviewed_by == staff
    assert proposal.reviewed_at is not None


def test_duo_propose_refuses_a_person_already_in_an_open_duo(sponsor, refugee, staff):
    duo_propose(sponsor=sponsor, refugee=refugee, by=staff)
    other_sponsor = SponsorFactory()

    with pytest.raises(DuoConflict) as raised:
        duo_propose(sponsor=other_sponsor, refugee=refugee, by=staff)

    assert refugee.first_name in raised.value.message
    assert "fait déjà partie d'un duo" in raised.value.message
    assert Duo.objects.count() == 1
    other_sponsor.refresh_from_db()
    assert other_sponsor.state == CandidateState.VALIDATED


def test_duo_propose_refuses_a_person_who_paused(sponsor, staff):
    paused = RefugeeFactory(state=CandidateState.PAUSED)
    proposal = _proposal(sponsor, paused)

    with pytest.raises(DuoConflict):
        duo_propose(sponsor=sponsor, refugee=paused, by=staff, proposal=proposal)

    assert not Duo.objects.exists()
    sponsor.refresh_from_db()
    proposal.refresh_from_db()
    assert sponsor.state == CandidateState.VALIDATED
    assert proposal.state == ProposalState.PROPOSED


def test_duo_propose_refuses_a_proposal_already_reviewed(sponsor, refugee, staff):
    proposal = _proposal(sponsor, refugee)
    Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.REJECTED)

    with pytest.raises(DuoConflict):
        duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)

    assert not Duo.objects.exists()


def test_duo_propose_sends_the_introductions_after_commit(
    sponsor, refugee, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        duo_propose(sponsor=sponsor, refugee=refugee, by=staff)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([sponsor.user.email, refugee.user.email])


def test_duo_propose_refuses_a_proposal_of_another_pair(sponsor, refugee, staff):
    proposal = _proposal(SponsorFactory(), refugee)

    with pytest.raises(ValueError):
        duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)

    assert not Duo.objects.exists()


def test_duo_propose_refuses_a_proposal_whose_duo_was_declined(sponsor, refugee, staff):
    proposal = _proposal(sponsor, refugee)
    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)
    duo_answer(duo=duo, side="sponsor", answer=Answer.DECLINED)

    with pytest.raises(DuoConflict) as raised:
        duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)

    assert "déjà été examinée" in raised.value.message
    assert Duo.objects.count() == 1


def test_introduction_subject_keeps_apostrophes(
    sponsor, social_worker, staff, django_capture_on_commit_callbacks
):
    refugee = ReferredRefugeeFactory(referrer=social_worker.user, first_name="N'Goné")
    social_worker.user.language = "en"
    social_worker.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        duo_propose(sponsor=sponsor, refugee=refugee, by=staff)

    to_social_worker = next(m for m in mail.outbox if m.to == [social_worker.user.email])
    assert to_social_worker.subject == "Duos de demain: we propose a duo for N'Goné"
    assert "Why we thought of you two" not in to_social_worker.body


def test_introduction_is_not_sent_once_the_duo_moved_on(sponsor, refugee, staff):
    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff)
    Duo.objects.filter(pk=duo.pk).update(state=DuoState.EXPIRED)

    assert duo_send_email(duo_id=duo.pk, side="sponsor", template="introduction") is False
    assert not mail.outbox


def test_send_duo_email_is_retried_while_the_mail_server_is_down(sponsor, refugee, staff, settings):
    from celery.exceptions import Retry

    from duos.lifecycle.tasks import send_duo_email

    duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff)

    settings.EMAIL_BACKEND = FAILING_BACKEND

    # Eager tasks raise Retry where a worker would schedule the next attempt.
    with pytest.raises(Retry):
        send_duo_email.delay(duo.pk, "sponsor", "introduction")
    assert send_duo_email.max_retries == 8
    assert not mail.outbox
