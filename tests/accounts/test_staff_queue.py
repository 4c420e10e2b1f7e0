"""The programme team's queue: candidates list, a candidate's file, interview, decisions, notes."""

import datetime
from http import HTTPStatus

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CandidateState, Consent, Person, ProfileView, Role, StaffNote
from tests.conftest import client_for
from tests.factories import (
    ReferredRefugeeFactory,
    RefugeeFactory,
    SponsorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AWAITING = CandidateState.AWAITING_VALIDATION
# Everyone but the programme team gets a 404, including a user flagged is_staff without the
# team's permission: access is a permission, not the flag.
OUTSIDERS = ["sponsor", "refugee", "social_worker", "outsider", "staff_flag_only"]


@pytest.fixture
def staff_flag_only(db):
    user = UserFactory(is_staff=True)
    # With the two-factor app staff flags need, so that only the missing permission stops them.
    TOTP.activate(user, generate_totp_secret())
    return user


def awaiting(factory=RefugeeFactory, days: int = 0, **kwargs) -> Person:
    person = factory(state=AWAITING, validated_at=None, waiting_since=None, **kwargs)
    since = timezone.now() - datetime.timedelta(days=days)
    Person.objects.filter(pk=person.pk).update(state_changed_at=since)
    person.refresh_from_db()
    return person


@pytest.fixture
def candidate(db):
    return awaiting(days=3)


def login_as(client, request, who: str) -> None:
    cast = request.getfixturevalue(who)
    client.force_login(getattr(cast, "user", cast))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def queue_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("accounts:staff_queue") + ("?" + urlencode(params) if params else "")


# --- URLs ------------------------------------------------------------------------------------


def test_staff_urls_live_under_equipe_candidats():
    assert reverse("accounts:staff_queue") == "/equipe/candidats/"
    assert reverse("accounts:staff_person", args=[7]) == "/equipe/candidats/7/"
    assert reverse("accounts:staff_interview", args=[7]) == "/equipe/candidats/7/entretien/"
    assert reverse("accounts:staff_validate", args=[7]) == "/equipe/candidats/7/valider/"
    assert reverse("accounts:staff_refuse", args=[7]) == "/equipe/candidats/7/refuser/"
    assert reverse("accounts:staff_note", args=[7]) == "/equipe/candidats/7/notes/"


# --- Queue -----------------------------------------------------------------------------------


def test_queue_sends_anonymous_to_login(client):
    response = client.get(queue_url())

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", OUTSIDERS)
def test_queue_is_not_found_for_outsiders(client, request, who, candidate):
    login_as(client, request, who)

    response = client.get(queue_url())

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert str(candidate) not in response.content.decode()


def test_queue_refuses_post(staff_client):
    assert staff_client.post(queue_url()).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_queue_lists_candidates_awaiting_validation_oldest_first_as_cards(staff_client, sponsor):
    recent = awaiting(SponsorFactory, days=1, first_name="Recent", last_name="Candidate")
    oldest = awaiting(RefugeeFactory, days=20, first_name="Oldest", last_name="Candidate")

    response = staff_client.get(queue_url())

    assert response.status_code == HTTPStatus.OK
    assert list(response.context["page_obj"]) == [oldest, recent]
    html = response.content.decode()
    assert '<ul class="cards">' in html
    assert '<option value="awaiting_validation" selected>' in html
    assert reverse("accounts:staff_person", args=[oldest.pk]) in html
    assert str(sponsor) not in html  # validated: not in the queue


def test_queue_filters_by_role_departement_and_days_waiting(staff_client):
    old_refugee_75 = awaiting(RefugeeFactory, days=30)
    awaiting(RefugeeFactory, days=2)  # too recent
    awaiting(SponsorFactory, days=30)  # a sponsor
    awaiting(RefugeeFactory, days=30, postal_code="93100", departement="93")

    response = staff_client.get(queue_url(role="refugee", departement="75", waiting_days=10))

    assert response.status_code == HTTPStatus.OK
    assert list(response.context["page_obj"]) == [old_refugee_75]


def test_queue_filters_by_any_state(staff_client, sponsor, refugee, candidate):
    validated = staff_client.get(queue_url(state="validated"))
    everyone = staff_client.get(queue_url(state="all"))

    assert set(validated.context["page_obj"]) == {sponsor, refugee}
    assert set(everyone.context["page_obj"]) == {sponsor, refugee, candidate}


def test_queue_accepts_corsican_departements_in_lower_case(staff_client):
    corsican = awaiting(postal_code="20000", departement="2A")

    response = staff_client.get(queue_url(departement="2a"))

    assert list(response.context["page_obj"]) == [corsican]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "nope"}, "state"),
        ({"role": "admin"}, "role"),
        ({"departement": "xyz"}, "departement"),
        ({"departement": "7501"}, "departement"),
        ({"waiting_days": "abc"}, "waiting_days"),
        ({"waiting_days": "-1"}, "waiting_days"),
        ({"waiting_days": "99999999999999999999"}, "waiting_days"),
    ],
)
def test_queue_answers_bad_filters_with_400_and_a_message(staff_client, candidate, params, field):
    response = staff_client.get(queue_url(**params))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors[field]
    assert 'class="errorlist' in response.content.decode()


def test_queue_shows_25_per_page_and_keeps_the_filters_in_page_links(staff_client):
    for days in range(30):
        awaiting(days=days + 1)

    first = staff_client.get(queue_url(role="refugee"))
    second = staff_client.get(queue_url(role="refugee", page=2))

    assert len(first.context["page_obj"]) == 25
    assert len(second.context["page_obj"]) == 5
    assert "?role=refugee&amp;page=2" in first.content.decode()


@pytest.mark.parametrize(("page", "number"), [("abc", 1), ("0", 2), ("999", 2), ("", 1)])
def test_queue_turns_a_bad_page_into_the_first_or_last(staff_client, page, number):
    for days in range(30):
        awaiting(days=days + 1)

    response = staff_client.get(queue_url(page=page))

    assert response.status_code == HTTPStatus.OK
    assert response.context["page_obj"].number == number


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(queue_url(state="all"))
    assert response.status_code == HTTPStatus.OK
    return len(queries)


def test_queue_query_count_does_not_grow_with_candidates(
    staff_client, django_assert_max_num_queries
):
    # Referred refugees exercise the referrer and social worker shown on each card.
    for _ in range(3):
        awaiting(ReferredRefugeeFactory)
    with django_assert_max_num_queries(8):
        few = _queue_queries(staff_client)
    for _ in range(27):
        awaiting(ReferredRefugeeFactory, days=2)
    with django_assert_max_num_queries(8):
        many = _queue_queries(staff_client)

    assert many == few


# --- A candidate's file --------------------------------------------------------------------


def test_person_sends_anonymous_to_login(client, candidate):
    response = client.get(reverse("accounts:staff_person", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
    assert not ProfileView.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_person_is_not_found_for_outsiders(client, request, who, candidate):
    login_as(client, request, who)

    response = client.get(reverse("accounts:staff_person", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not ProfileView.objects.exists()


def test_person_is_not_found_for_the_person_themself(client, candidate):
    StaffNote.objects.create(person=candidate, text="Secret team note")
    client.force_login(candidate.user)

    response = client.get(reverse("accounts:staff_person", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Secret team note" not in response.content.decode()


def test_person_is_not_found_when_it_does_not_exist(staff_client):
    response = staff_client.get(reverse("accounts:staff_person", args=[999_999]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_person_refuses_post(staff_client, candidate):
    response = staff_client.post(reverse("accounts:staff_person", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_person_shows_the_profile_consents_and_notes_newest_first(staff_client, staff, candidate):
    Consent.objects.create(person=candidate, kind="charter", version="2026-01")
    old = StaffNote.objects.create(person=candidate, author=staff, text="First call")
    new = StaffNote.objects.create(person=candidate, author=staff, text="Second call")
    StaffNote.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(1))

    response = staff_client.get(reverse("accounts:staff_person", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert candidate.user.email in html
    assert "Paris 11e Arrondissement" in html
    assert "2026-01" in html
    assert list(response.context["notes"]) == [new, old]
    assert html.index("Second call") < html.index("First call")
    assert reverse("accounts:staff_validate", args=[candidate.pk]) in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html  # interview date: today


def test_person_query_count_does_not_grow_with_notes_and_consents(
    staff_client, staff, referred_refugee, django_assert_max_num_queries
):
    for kind in ("charter", "privacy", "referral"):
        Consent.objects.create(person=referred_refugee, kind=kind, version="1")
    for number in range(20):
        StaffNote.objects.create(person=referred_refugee, author=staff, text=f"Note {number}")

    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("accounts:staff_person", args=[referred_refugee.pk]))

    assert "Note 19" in response.content.decode()


def test_person_logs_each_staff_view_of_a_refugee(staff_client, staff, candidate):
    url = reverse("accounts:staff_person", args=[candidate.pk])

    staff_client.get(url)
    staff_client.get(url)

    views = ProfileView.objects.filter(person=candidate)
    assert views.count() == 2
    assert {(v.viewer, v.what) for v in views} == {(staff, "staff detail")}


def test_person_does_not_log_views_of_a_sponsor(staff_client, sponsor):
    response = staff_client.get(reverse("accounts:staff_person", args=[sponsor.pk]))

    assert response.status_code == HTTPStatus.OK
    assert not ProfileView.objects.exists()


def test_person_shows_a_referred_refugee_with_their_social_worker(staff_client, referred_refugee):
    response = staff_client.get(reverse("accounts:staff_person", args=[referred_refugee.pk]))

    html = response.content.decode()
    assert referred_refugee.referrer.email in html
    assert "CADA de Montreuil" in html


# --- Interview -----------------------------------------------------------------------------


def test_interview_sends_anonymous_to_login(client, candidate):
    url = reverse("accounts:staff_interview", args=[candidate.pk])

    response = client.post(url, {"date": "2026-01-05"})

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert candidate.interview_at is None


def test_interview_refuses_get(staff_client, candidate):
    response = staff_client.get(reverse("accounts:staff_interview", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("who", OUTSIDERS)
def test_interview_is_not_found_for_outsiders(client, request, who, candidate):
    login_as(client, request, who)

    response = client.post(
        reverse("accounts:staff_interview", args=[candidate.pk]), {"date": "2026-01-05"}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    candidate.refresh_from_db()
    assert candidate.interview_at is None


def test_interview_records_the_date(staff_client, candidate):
    url = reverse("accounts:staff_interview", args=[candidate.pk])

    response = staff_client.post(url, {"date": "2026-01-05"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("accounts:staff_person", args=[candidate.pk])
    candidate.refresh_from_db()
    assert timezone.localtime(candidate.interview_at).date() == datetime.date(2026, 1, 5)
    assert candidate.state == AWAITING


@pytest.mark.parametrize("date", ["", "not a date", "2999-01-01"])
def test_interview_rejects_a_missing_bad_or_future_date(staff_client, candidate, date):
    response = staff_client.post(
        reverse("accounts:staff_interview", args=[candidate.pk]), {"date": date}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["interview_form"].errors["date"]
    candidate.refresh_from_db()
    assert candidate.interview_at is None


# --- Validation ----------------------------------------------------------------------------


def test_validate_sends_anonymous_to_login(client, candidate):
    response = client.post(reverse("accounts:staff_validate", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert candidate.state == AWAITING


def test_validate_refuses_get(staff_client, candidate):
    response = staff_client.get(reverse("accounts:staff_validate", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    candidate.refresh_from_db()
    assert candidate.state == AWAITING


@pytest.mark.parametrize("who", OUTSIDERS)
def test_validate_is_not_found_for_outsiders(client, request, who, candidate):
    login_as(client, request, who)

    response = client.post(reverse("accounts:staff_validate", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND
    candidate.refresh_from_db()
    assert candidate.state == AWAITING


def test_validate_makes_the_candidate_matchable(staff_client, candidate):
    response = staff_client.post(reverse("accounts:staff_validate", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.VALIDATED
    assert candidate.validated_at is not None
    assert candidate.waiting_since == candidate.validated_at
    assert Person.objects.filter(role=Role.REFUGEE, state="validated").contains(candidate)


def test_validate_twice_warns_and_changes_nothing_the_second_time(staff, candidate):
    staff_client = client_for(staff, language="fr")  # the messages read in French
    url = reverse("accounts:staff_validate", args=[candidate.pk])
    staff_client.post(url)
    candidate.refresh_from_db()
    first = (candidate.validated_at, candidate.state_changed_at, candidate.updated_at)

    response = staff_client.post(url)

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert (candidate.validated_at, candidate.state_changed_at, candidate.updated_at) == first
    assert any("plus en attente de validation" in m for m in messages_of(response))


@pytest.mark.parametrize("state", [CandidateState.TO_COMPLETE, CandidateState.WITHDRAWN])
def test_validate_leaves_someone_not_awaiting_validation_alone(staff_client, state):
    person = RefugeeFactory(state=state, validated_at=None)

    response = staff_client.post(reverse("accounts:staff_validate", args=[person.pk]))

    assert response.status_code == HTTPStatus.FOUND
    person.refresh_from_db()
    assert person.state == state
    assert person.validated_at is None


# --- Refusal -------------------------------------------------------------------------------


def refuse(client, person: Person, reason: str = "Nous n'avons pas de binôme près de chez vous."):
    return client.post(reverse("accounts:staff_refuse", args=[person.pk]), {"reason": reason})


def test_refuse_sends_anonymous_to_login(client, candidate):
    response = refuse(client, candidate)

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert candidate.state == AWAITING
    assert not mail.outbox


def test_refuse_refuses_get(staff_client, candidate):
    response = staff_client.get(reverse("accounts:staff_refuse", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("who", OUTSIDERS)
def test_refuse_is_not_found_for_outsiders(client, request, who, candidate):
    login_as(client, request, who)

    response = refuse(client, candidate)

    assert response.status_code == HTTPStatus.NOT_FOUND
    candidate.refresh_from_db()
    assert candidate.state == AWAITING
    assert not mail.outbox


def test_refuse_withdraws_and_emails_the_reason_in_the_persons_language(
    staff_client, candidate, settings, django_capture_on_commit_callbacks
):
    settings.PROGRAMME_EMAIL = "equipe@duos.example.org"
    candidate.user.language = "en"
    candidate.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = refuse(staff_client, candidate, "No sponsor lives near you yet.")

    assert response.status_code == HTTPStatus.FOUND
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.WITHDRAWN
    assert candidate.refusal_reason == "No sponsor lives near you yet."
    [email] = mail.outbox
    assert email.to == [candidate.user.email]
    assert email.subject == "Your application to Duos de demain"
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="en">' in html
    for body in (email.body, html):
        assert "No sponsor lives near you yet." in body
        assert "equipe@duos.example.org" in body
        assert f"Hello {candidate.first_name}," in body


def test_refuse_email_leaks_nothing_else_about_the_person(
    staff_client, candidate, django_capture_on_commit_callbacks
):
    Person.objects.filter(pk=candidate.pk).update(
        phone="0611223344", about="Arrived from Khartoum", hopes="Learn to cook"
    )
    StaffNote.objects.create(person=candidate, text="Seemed tired at the interview")

    with django_capture_on_commit_callbacks(execute=True):
        refuse(staff_client, candidate, "Reason & details <b>here</b>")

    [email] = mail.outbox
    html = email.alternatives[0][0]
    assert "Reason & details <b>here</b>" in email.body  # text: not escaped
    assert "Reason &amp; details &lt;b&gt;here&lt;/b&gt;" in html
    for secret in [
        "0611223344",
        "Khartoum",
        "Learn to cook",
        "Seemed tired",
        "75011",
        "Paris 11e",
        candidate.last_name,
        "Refugee status",
        "Statut de réfugié",
    ]:
        assert secret not in email.subject + email.body + html


def test_refuse_a_referred_refugee_emails_their_social_worker_in_their_language(
    staff_client, referred_refugee, django_capture_on_commit_callbacks
):
    Person.objects.filter(pk=referred_refugee.pk).update(state=AWAITING)
    referrer = referred_refugee.referrer
    referrer.language = "fr"
    referrer.save()

    with django_capture_on_commit_callbacks(execute=True):
        refuse(staff_client, referred_refugee)

    [email] = mail.outbox
    assert email.to == [referrer.email]
    assert '<html lang="fr">' in email.alternatives[0][0]
    assert referred_refugee.first_name in email.body


def test_refuse_someone_nobody_can_be_told_about_warns(staff, django_capture_on_commit_callbacks):
    staff_client = client_for(staff, language="fr")  # the messages read in French
    orphan = awaiting(ReferredRefugeeFactory, referrer=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = refuse(staff_client, orphan)

    orphan.refresh_from_db()
    assert orphan.state == CandidateState.WITHDRAWN
    assert not mail.outbox
    assert any("personne ne peut en être informé" in m for m in messages_of(response))


def test_refuse_needs_a_reason(staff_client, candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = refuse(staff_client, candidate, "   ")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["refusal_form"].errors.as_data()["reason"][0].code == "required"
    candidate.refresh_from_db()
    assert candidate.state == AWAITING
    assert not mail.outbox


def test_refuse_twice_sends_one_email_and_warns(
    staff, candidate, django_capture_on_commit_callbacks
):
    staff_client = client_for(staff, language="fr")  # the messages read in French
    with django_capture_on_commit_callbacks(execute=True):
        refuse(staff_client, candidate, "First reason")
        response = refuse(staff_client, candidate, "Second reason")

    candidate.refresh_from_db()
    assert candidate.refusal_reason == "First reason"
    assert len(mail.outbox) == 1
    assert any("plus en attente de validation" in m for m in messages_of(response))


def test_refuse_leaves_a_validated_person_alone(
    staff_client, refugee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refuse(staff_client, refugee)

    refugee.refresh_from_db()
    assert refugee.state == CandidateState.VALIDATED
    assert refugee.refusal_reason == ""
    assert not mail.outbox


# --- Staff notes ---------------------------------------------------------------------------


def test_note_sends_anonymous_to_login(client, candidate):
    response = client.post(reverse("accounts:staff_note", args=[candidate.pk]), {"text": "Hi"})

    assert response.status_code == HTTPStatus.FOUND
    assert not StaffNote.objects.exists()


def test_note_refuses_get(staff_client, candidate):
    response = staff_client.get(reverse("accounts:staff_note", args=[candidate.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("who", OUTSIDERS)
def test_note_is_not_found_for_outsiders(client, request, who, candidate):
    login_as(client, request, who)

    response = client.post(reverse("accounts:staff_note", args=[candidate.pk]), {"text": "Hi"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not StaffNote.objects.exists()


def test_note_is_added_with_its_author(staff_client, staff, candidate):
    response = staff_client.post(
        reverse("accounts:staff_note", args=[candidate.pk]), {"text": "Called, call back Monday"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("#notes")
    note = StaffNote.objects.get()
    assert (note.person, note.author, note.text) == (candidate, staff, "Called, call back Monday")


def test_note_must_not_be_blank(staff_client, candidate):
    response = staff_client.post(reverse("accounts:staff_note", args=[candidate.pk]), {"text": ""})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["note_form"].errors["text"]
    assert not StaffNote.objects.exists()
