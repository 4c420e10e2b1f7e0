"""The closing survey: its link in the closing email, one page whose GET changes nothing, an
answer that can be changed while the link lives, tampered (400) and expired (410) links, and
bad input that keeps what was typed."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from duos.followup.reminders import duos_send_reminders
from duos.followup.survey import SURVEY_DAYS, survey_token
from duos.lifecycle import schedule
from duos.models import DuoState, SurveyAnswer
from tests.duos.test_reminders import START
from tests.factories import DuoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English, the msgids the assertions read, whatever the catalogs hold."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def closed_duo():
    """A duo whose last month ended today: completed, its closing emails sent."""
    duo = DuoFactory(started_at=START)
    _close(duo)
    duo.refresh_from_db()
    return duo


def _close(duo) -> None:
    """Month 6's reminder on its day, then the closing email when month 6 ends (the outbox
    keeps the closing emails only)."""
    last = schedule.month_window(duo, 6)
    with time_machine.travel(last.reminder_at(), tick=False) as traveller:
        duos_send_reminders()
        mail.outbox.clear()
        traveller.move_to(schedule.closing_on(schedule.start_date(duo.started_at)))
        duos_send_reminders()


@pytest.fixture
def after_closing(closed_duo):
    with time_machine.travel(closed_duo.ended_at + timedelta(hours=3), tick=False) as traveller:
        yield traveller


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _survey_path(person) -> str:
    message = next(m for m in mail.outbox if m.to == [person.contact_user.email])
    (url,) = re.findall(r"https?://\S+/duo/questionnaire/\S+/", message.body)
    return _path(url)


GOOD = {"rating": "4", "keep_in_touch": "yes", "suggestion": "More group outings."}


def test_survey_closing_email_carries_each_sides_link(closed_duo):
    assert closed_duo.state == DuoState.COMPLETED
    assert {m.to[0] for m in mail.outbox} == {
        closed_duo.sponsor.user.email,
        closed_duo.refugee.user.email,
    }
    assert _survey_path(closed_duo.sponsor) != _survey_path(closed_duo.refugee)
    html = mail.outbox[0].alternatives[0][0]
    assert len(re.findall(r"/duo/questionnaire/[^\"]+/", html)) == 1


def test_survey_get_shows_the_form_and_changes_nothing(client, closed_duo, after_closing):
    response = client.get(_survey_path(closed_duo.sponsor))

    assert response.status_code == HTTPStatus.OK
    assert b'name="rating"' in response.content
    assert b'name="keep_in_touch"' in response.content
    assert b'name="suggestion"' in response.content
    assert response["Cache-Control"].startswith("max-age=0")
    assert not SurveyAnswer.objects.exists()


def test_survey_post_records_the_sides_answer(client, closed_duo, after_closing):
    response = client.post(_survey_path(closed_duo.refugee), GOOD)

    assert response.status_code == HTTPStatus.OK
    assert b"Your answer is recorded" in response.content
    answer = SurveyAnswer.objects.get()
    assert (answer.duo, answer.side, answer.person) == (
        closed_duo,
        "refugee",
        closed_duo.refugee,
    )
    assert (answer.rating, answer.keep_in_touch, answer.suggestion) == (
        4,
        "yes",
        "More group outings.",
    )
    assert answer.answered_at == timezone.now()


def test_survey_answer_can_be_changed_while_the_link_lives(client, closed_duo, after_closing):
    path = _survey_path(closed_duo.sponsor)
    client.post(path, GOOD)

    after_closing.shift(timedelta(days=SURVEY_DAYS - 1))
    # The page shows the answer on record, to change.
    page = client.get(path)
    assert page.status_code == HTTPStatus.OK
    assert b"already recorded" in page.content
    assert b"More group outings." in page.content
    response = client.post(path, {"rating": "2", "keep_in_touch": "maybe", "suggestion": ""})

    assert response.status_code == HTTPStatus.OK
    answer = SurveyAnswer.objects.get()
    assert (answer.rating, answer.keep_in_touch, answer.suggestion) == (2, "maybe", "")
    assert answer.answered_at == timezone.now()


def test_survey_expired_link_is_gone(client, closed_duo, after_closing):
    path = _survey_path(closed_duo.sponsor)
    after_closing.move_to(closed_duo.ended_at + timedelta(days=SURVEY_DAYS))

    for response in (client.get(path), client.post(path, GOOD)):
        assert response.status_code == HTTPStatus.GONE
        assert b"This survey is closed" in response.content
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3] + "xyz",
        lambda token: token.replace(":", ":x", 1),
        lambda _token: "nonsense",
    ],
)
def test_survey_tampered_link_is_refused(client, closed_duo, after_closing, mangle):
    token = survey_token(closed_duo, "sponsor")

    response = client.post(f"/duo/questionnaire/{mangle(token)}/", GOOD)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"incomplete or was changed" in response.content
    assert not SurveyAnswer.objects.exists()


def test_survey_link_of_a_duo_not_completed_does_not_work(client):
    duo = DuoFactory(started_at=START)
    duo.state = DuoState.ENDED
    duo.ended_at = timezone.now()
    duo.save()

    response = client.get(f"/duo/questionnaire/{survey_token(duo, 'sponsor')}/")

    assert response.status_code == HTTPStatus.GONE


@pytest.mark.parametrize(
    "data",
    [
        {"rating": "6", "keep_in_touch": "yes", "suggestion": "Keep this text"},
        {"rating": "0", "keep_in_touch": "yes", "suggestion": "Keep this text"},
        {"rating": "", "keep_in_touch": "yes", "suggestion": "Keep this text"},
        {"rating": "3", "keep_in_touch": "often", "suggestion": "Keep this text"},
        {"rating": "3", "suggestion": "Keep this text"},
        {"rating": "3", "keep_in_touch": "yes", "suggestion": "x" * 3001},
    ],
)
def test_survey_bad_input_is_a_400_that_keeps_what_was_typed(
    client, closed_duo, after_closing, data
):
    response = client.post(_survey_path(closed_duo.sponsor), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Nothing was recorded yet" in response.content
    assert data["suggestion"][:100].encode() in response.content
    assert not SurveyAnswer.objects.exists()


def test_survey_rejects_other_methods(client, closed_duo, after_closing):
    response = client.put(_survey_path(closed_duo.sponsor))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_survey_of_a_referred_refugee_goes_to_their_social_worker(client, referred_refugee):
    worker = referred_refugee.referrer
    worker.language = "en"
    worker.save()
    duo = DuoFactory(started_at=START, refugee=referred_refugee)
    _close(duo)
    duo.refresh_from_db()
    with time_machine.travel(duo.ended_at + timedelta(days=1)):
        message = next(m for m in mail.outbox if m.to == [worker.email])
        name = referred_refugee.first_name
        assert f"the duo of {name} with {duo.sponsor.first_name}" in message.subject
        assert f"how it went for {name}" in message.body
        path = _survey_path(referred_refugee)

        page = client.get(path)
        assert f"How did it go for {name}".encode() in page.content
        client.post(path, GOOD)
    answer = SurveyAnswer.objects.get()
    assert (answer.side, answer.person) == ("refugee", referred_refugee)
