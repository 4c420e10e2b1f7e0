"""Answering an introduction by its emailed links, the emails that follow, expiry, and the
team's list of duos still waiting for an answer."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CandidateState
from duos.lifecycle.links import answer_token
from duos.lifecycle.services import DECLINE_WAITING_BONUS, duos_expire_unanswered
from duos.models import ANSWER_DAYS, Answer, Duo, DuoState, duo_propose
from matching import engine
from matching.models import Exclusion, ExclusionReason, Proposal
from matching.services import engine_person
from tests.factories import ProposalFactory, RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English, the msgids the assertions read, whatever the catalogs hold."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def propose(staff, django_capture_on_commit_callbacks):
    """Propose a duo and return it with the introduction emails, by recipient email."""

    def propose(sponsor, refugee, proposal=None):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            duo = duo_propose(sponsor=sponsor, refugee=refugee, by=staff, proposal=proposal)
        emails = {m.to[0]: m for m in mail.outbox}
        mail.outbox.clear()
        return duo, emails

    return propose


def run_proposal(sponsor, refugee) -> Proposal:
    """The proposal a match run stores for the pair: the engine's points, distance, reasons."""
    now = timezone.now()
    pair = engine.score_pair(engine_person(sponsor, now), engine_person(refugee, now))
    return ProposalFactory(
        sponsor=sponsor,
        refugee=refugee,
        score=pair.score,
        distance_km=round(pair.distance_km, 1),
        breakdown=pair.breakdown,
        reasons=[[code, values] for code, values in pair.reasons],
    )


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _link(message, answer: str) -> str:
    urls = re.findall(r"https?://\S+/duo/reponse/\S+/", message.body)
    return _path(urls[0] if answer == "accept" else urls[1])


def _answer(client, message, answer: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(_link(message, answer))


# Introductions -------------------------------------------------------------------------------


def test_introduction_presents_the_other_without_contact_details(propose, sponsor, refugee):
    refugee.phone = "06 12 34 56 78"
    refugee.save()
    sponsor.user.language = "en"
    sponsor.user.save()

    # As an approved proposal of a run does: the email reads what the engine stored for them.
    _duo, emails = propose(sponsor, refugee, run_proposal(sponsor, refugee))

    to_sponsor = emails[sponsor.user.email]
    text = to_sponsor.body + to_sponsor.alternatives[0][0]
    assert refugee.first_name in text
    assert refugee.commune in text
    assert "cinema" in text and "cooking" in text
    for secret in (refugee.last_name, refugee.user.email, "06 12 34 56 78", refugee.postal_code):
        assert secret not in text
    assert text.count("/duo/reponse/") == 4  # two links, in the text and the HTML


def test_introduction_is_in_the_recipients_language(propose, sponsor, refugee):
    refugee.user.language = "en"
    refugee.user.save()
    sponsor.user.language = "fr"
    sponsor.user.save()

    _duo, emails = propose(sponsor, refugee)

    assert "Hello" in emails[refugee.user.email].body
    assert "Bonjour" in emails[sponsor.user.email].body


def test_introduction_for_a_referred_refugee_goes_to_the_social_worker(
    propose, sponsor, referred_refugee
):
    social_worker = referred_refugee.referrer
    social_worker.language = "en"
    social_worker.save()

    _duo, emails = propose(sponsor, referred_refugee)

    assert set(emails) == {sponsor.user.email, social_worker.email}
    to_social_worker = emails[social_worker.email]
    name = referred_refugee.first_name
    assert f"we propose a duo for {name}" in to_social_worker.subject
    assert f"We propose a sponsor for {name}: {sponsor.first_name}." in to_social_worker.body
    assert sponsor.user.email not in to_social_worker.body
    assert to_social_worker.body.count("/duo/reponse/") == 2


# The answer page -----------------------------------------------------------------------------


def test_answer_get_changes_nothing(client, propose, sponsor, refugee):
    duo, emails = propose(sponsor, refugee)

    for answer in ("accept", "decline"):
        response = client.get(_link(emails[sponsor.user.email], answer))
        assert response.status_code == HTTPStatus.OK
        assert response.content.count(b'<button type="submit" class="primary">') == 1

    duo.refresh_from_db()
    assert duo.state == DuoState.WAITING
    assert duo.sponsor_answer == ""
    assert not mail.outbox


def test_answer_rejects_other_methods(client, propose, sponsor, refugee):
    _duo, emails = propose(sponsor, refugee)

    response = client.put(_link(emails[sponsor.user.email], "accept"))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_answer_accepted_by_one_waits_for_the_other(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, refugee)

    response = _answer(
        client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks
    )

    assert response.status_code == HTTPStatus.OK
    duo.refresh_from_db()
    assert duo.state == DuoState.WAITING
    assert duo.sponsor_answer == Answer.ACCEPTED
    assert duo.sponsor_answered_at is not None
    assert duo.refugee_answer == ""
    assert not mail.outbox


def test_answer_accepted_by_both_starts_the_duo_and_shares_contacts(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    refugee.phone = "06 12 34 56 78"
    refugee.save()
    duo, emails = propose(sponsor, refugee)

    _answer(client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks)
    _answer(client, emails[refugee.user.email], "accept", django_capture_on_commit_callbacks)

    duo.refresh_from_db()
    assert duo.state == DuoState.ACTIVE
    assert duo.started_at is not None
    started = {m.to[0]: m for m in mail.outbox}
    assert set(started) == {sponsor.user.email, refugee.user.email}
    to_sponsor = started[sponsor.user.email].body
    assert refugee.user.email in to_sponsor
    assert "06 12 34 56 78" in to_sponsor
    assert refugee.last_name not in to_sponsor
    assert sponsor.user.email in started[refugee.user.email].body
    sponsor.refresh_from_db()
    assert sponsor.state == CandidateState.IN_DUO


def test_answer_by_the_social_worker_for_a_referred_refugee(
    client, propose, sponsor, referred_refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, referred_refugee)
    social_worker = referred_refugee.referrer

    _answer(client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks)
    _answer(client, emails[social_worker.email], "accept", django_capture_on_commit_callbacks)

    duo.refresh_from_db()
    assert duo.state == DuoState.ACTIVE
    assert duo.refugee_answer == Answer.ACCEPTED
    started = {m.to[0]: m for m in mail.outbox}
    assert set(started) == {sponsor.user.email, social_worker.email}
    assert social_worker.email in started[sponsor.user.email].body


def test_answer_declined_by_the_social_worker(
    client, propose, sponsor, referred_refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, referred_refugee)

    _answer(
        client,
        emails[referred_refugee.referrer.email],
        "decline",
        django_capture_on_commit_callbacks,
    )

    duo.refresh_from_db()
    assert duo.state == DuoState.DECLINED
    assert duo.refugee_answer == Answer.DECLINED
    referred_refugee.refresh_from_db()
    assert referred_refugee.state == CandidateState.VALIDATED


def test_answer_declined_closes_the_duo_excludes_the_pair_and_favours_the_other(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    refugee.first_name = "Zainab"  # a name the sponsor's email must not contain
    refugee.save()
    sponsor_waiting, refugee_waiting = sponsor.waiting_since, refugee.waiting_since
    duo, emails = propose(sponsor, refugee)

    response = _answer(
        client, emails[refugee.user.email], "decline", django_capture_on_commit_callbacks
    )

    assert response.status_code == HTTPStatus.OK
    duo.refresh_from_db()
    assert duo.state == DuoState.DECLINED
    assert duo.refugee_answer == Answer.DECLINED
    assert Exclusion.objects.filter(
        sponsor=sponsor, refugee=refugee, reason=ExclusionReason.DECLINED
    ).exists()
    sponsor.refresh_from_db()
    refugee.refresh_from_db()
    assert sponsor.state == refugee.state == CandidateState.VALIDATED
    assert sponsor.waiting_since == sponsor_waiting - DECLINE_WAITING_BONUS
    assert refugee.waiting_since == refugee_waiting
    kind = {m.to[0]: m for m in mail.outbox}
    assert set(kind) == {sponsor.user.email, refugee.user.email}
    # The one who did not decline never learns who did, nor why.
    assert refugee.first_name not in kind[sponsor.user.email].body


def test_answer_declined_after_accepting_while_waiting(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, refugee)

    _answer(client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks)
    _answer(client, emails[sponsor.user.email], "decline", django_capture_on_commit_callbacks)

    duo.refresh_from_db()
    assert duo.state == DuoState.DECLINED
    assert duo.sponsor_answer == Answer.DECLINED


def test_answer_twice_the_same_is_idempotent(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, refugee)
    _answer(client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks)
    duo.refresh_from_db()
    first_time = duo.sponsor_answered_at

    response = _answer(
        client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks
    )

    assert response.status_code == HTTPStatus.OK
    assert b"already recorded" in response.content
    duo.refresh_from_db()
    assert duo.sponsor_answered_at == first_time


def test_answer_after_the_duo_started_changes_nothing(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, refugee)
    _answer(client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks)
    _answer(client, emails[refugee.user.email], "accept", django_capture_on_commit_callbacks)
    mail.outbox.clear()

    page = client.get(_link(emails[refugee.user.email], "decline"))
    response = _answer(
        client, emails[refugee.user.email], "decline", django_capture_on_commit_callbacks
    )

    assert b"already started" in page.content
    assert response.status_code == HTTPStatus.CONFLICT
    assert b"already started" in response.content
    duo.refresh_from_db()
    assert duo.state == DuoState.ACTIVE
    assert duo.refugee_answer == Answer.ACCEPTED
    assert not Exclusion.objects.exists()
    assert not mail.outbox


def test_answer_after_the_duo_was_declined_changes_nothing(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, refugee)
    _answer(client, emails[refugee.user.email], "decline", django_capture_on_commit_callbacks)
    mail.outbox.clear()

    response = _answer(
        client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert b"will not go ahead" in response.content
    duo.refresh_from_db()
    assert duo.state == DuoState.DECLINED
    assert duo.sponsor_answer == ""
    assert not mail.outbox


def test_answer_with_a_tampered_link_is_refused(client, propose, sponsor, refugee):
    duo, emails = propose(sponsor, refugee)
    link = _link(emails[sponsor.user.email], "accept")
    token = link.rstrip("/").rsplit("/", 1)[1]
    forged = answer_token(duo, "refugee", Answer.ACCEPTED)[:-3] + "abc"

    for bad in (token[:-2] + "xy", forged, "nonsense"):
        url = reverse("duos:answer", args=[bad])
        assert client.get(url).status_code == HTTPStatus.BAD_REQUEST
        response = client.post(url)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert b"This link does not work" in response.content

    duo.refresh_from_db()
    assert duo.sponsor_answer == duo.refugee_answer == ""


def test_answer_with_an_expired_link_is_refused(client, propose, sponsor, refugee):
    duo, emails = propose(sponsor, refugee)
    link = _link(emails[sponsor.user.email], "accept")

    with time_machine.travel(timezone.now() + timedelta(days=ANSWER_DAYS, hours=1)):
        response = client.post(link)

    assert response.status_code == HTTPStatus.GONE
    assert b"expired" in response.content
    duo.refresh_from_db()
    assert duo.sponsor_answer == ""


def test_answer_link_of_a_deleted_duo_is_refused(client, propose, sponsor, refugee):
    duo, emails = propose(sponsor, refugee)
    link = _link(emails[sponsor.user.email], "accept")
    Duo.objects.filter(pk=duo.pk).delete()

    assert client.post(link).status_code == HTTPStatus.BAD_REQUEST


# Expiry --------------------------------------------------------------------------------------


def test_duos_expire_unanswered_frees_both_without_excluding_them(
    propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, _emails = propose(sponsor, refugee)
    fresh, _emails = propose(SponsorFactory(), RefugeeFactory())
    later = timezone.now() + timedelta(days=ANSWER_DAYS, minutes=1)
    Duo.objects.filter(pk=fresh.pk).update(expires_at=later + timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        expired = duos_expire_unanswered(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        again = duos_expire_unanswered(now=later)

    assert (expired, again) == (1, 0)
    duo.refresh_from_db()
    fresh.refresh_from_db()
    assert duo.state == DuoState.EXPIRED
    assert fresh.state == DuoState.WAITING
    sponsor.refresh_from_db()
    refugee.refresh_from_db()
    assert sponsor.state == refugee.state == CandidateState.VALIDATED
    assert not Exclusion.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sponsor.user.email, refugee.user.email])


def test_duos_expire_unanswered_uses_a_bounded_number_of_queries(
    propose, django_assert_max_num_queries
):
    for _ in range(5):
        propose(SponsorFactory(), RefugeeFactory())
    later = timezone.now() + timedelta(days=ANSWER_DAYS, minutes=1)

    with django_assert_max_num_queries(12):
        assert duos_expire_unanswered(now=later) == 5


def test_answer_after_expiry_changes_nothing(
    client, propose, sponsor, refugee, django_capture_on_commit_callbacks
):
    duo, emails = propose(sponsor, refugee)
    Duo.objects.filter(pk=duo.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = _answer(
        client, emails[sponsor.user.email], "accept", django_capture_on_commit_callbacks
    )

    assert response.status_code == HTTPStatus.CONFLICT
    duo.refresh_from_db()
    assert duo.sponsor_answer == ""


# The team's list -----------------------------------------------------------------------------


def test_waiting_lists_silent_duos_for_the_team(client, propose, sponsor, refugee, staff):
    old, _emails = propose(sponsor, refugee)
    recent, _emails = propose(SponsorFactory(), RefugeeFactory())
    Duo.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    client.force_login(staff)

    response = client.get(reverse("duos:waiting"))

    assert response.status_code == HTTPStatus.OK
    assert list(response.context["page_obj"]) == [old]
    assert recent not in response.context["page_obj"]


def test_waiting_is_hidden_from_everyone_else(client, sponsor, social_worker, outsider):
    for user in (sponsor.user, social_worker.user, outsider):
        client.force_login(user)
        assert client.get(reverse("duos:waiting")).status_code == HTTPStatus.NOT_FOUND


def test_waiting_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("duos:waiting"))

    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response.url


def test_waiting_refuses_post(client, staff):
    client.force_login(staff)

    assert client.post(reverse("duos:waiting")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
