"""The open month answered from /mon-duo/ while logged in: a POST form that writes the same
record as the reminder's "we met" / "not yet" links, for that person's side only."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from duos.followup.reminders import duos_send_reminders
from duos.lifecycle import schedule
from duos.models import CheckIn, DuoState, Reminder
from tests.conftest import client_for
from tests.duos.test_reminders import REMINDER_DAY, START
from tests.factories import DuoFactory, SocialWorkerFactory, SponsorFactory

pytestmark = pytest.mark.django_db

MY_DUO = reverse("duos:my_duo")
ANSWER = reverse("duos:my_duo_checkin")


@pytest.fixture
def at_reminder_day():
    with time_machine.travel(REMINDER_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def duo(at_reminder_day):
    duo = DuoFactory(started_at=START)
    duos_send_reminders()  # month 1's reminders, one per side
    return duo


def _reminder(duo, side: str) -> Reminder:
    return Reminder.objects.get(duo=duo, side=side, month=1)


def _form_reminder(page) -> int:
    return int(re.search(r'name="reminder" value="(\d+)"', page.text)[1])


def test_participant_answers_the_open_month_from_the_page(duo):
    client = client_for(duo.sponsor.user)

    page = client.get(MY_DUO)
    assert "Month 1 is still open: did you meet?" in page.text
    response = client.post(ANSWER, {"reminder": _form_reminder(page), "answer": "met"})

    assert response.status_code == HTTPStatus.FOUND and response.url == MY_DUO
    checkin = CheckIn.objects.get(duo=duo, month=1)
    assert (checkin.side, checkin.met, checkin.recorded_by) == ("sponsor", True, None)
    page = client.get(MY_DUO)
    assert "Thank you! Your answer is recorded." in page.text
    assert "Answer recorded for month 1: We met." in page.text
    assert 'value="met" class="primary" aria-pressed="true"' in page.text


def test_participant_changes_the_answer_until_the_month_closes(duo, at_reminder_day):
    client = client_for(duo.sponsor.user)
    reminder = _reminder(duo, "sponsor")
    client.post(ANSWER, {"reminder": reminder.pk, "answer": "met"})

    at_reminder_day.move_to(REMINDER_DAY + timedelta(days=5))
    response = client.post(ANSWER, {"reminder": reminder.pk, "answer": "not_yet"})

    assert response.status_code == HTTPStatus.FOUND
    checkin = CheckIn.objects.get(duo=duo, month=1)
    assert checkin.met is False and checkin.changed_at is not None
    assert "Answer recorded for month 1: Not yet." in client.get(MY_DUO).text


def test_page_and_email_link_write_the_same_record(duo):
    client = client_for(duo.sponsor.user)
    client.post(ANSWER, {"reminder": _reminder(duo, "sponsor").pk, "answer": "met"})
    message = next(m for m in mail.outbox if m.to == [duo.sponsor.user.email])
    not_yet = re.findall(r"https?://[^/\s]+(/duo/suivi/\S+/)", message.body)[1]

    client_for().post(not_yet)

    (checkin,) = CheckIn.objects.filter(duo=duo)
    assert (checkin.side, checkin.met) == ("sponsor", False)
    assert "Answer recorded for month 1: Not yet." in client.get(MY_DUO).text


def test_answer_needs_the_pages_csrf_token(duo):
    client = client_for(duo.sponsor.user)
    client.handler.enforce_csrf_checks = True

    response = client.post(ANSWER, {"reminder": _reminder(duo, "sponsor").pk, "answer": "met"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not CheckIn.objects.exists()


def test_the_other_person_of_the_duo_cannot_answer_for_the_sponsor(duo):
    client = client_for(duo.refugee.user)

    response = client.post(ANSWER, {"reminder": _reminder(duo, "sponsor").pk, "answer": "met"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "This month is not yours to answer. Nothing was changed." in response.text
    assert not CheckIn.objects.exists()
    # Their own month, from their own page, is theirs alone.
    client.post(ANSWER, {"reminder": _reminder(duo, "refugee").pk, "answer": "met"})
    assert list(CheckIn.objects.values_list("side", "met")) == [("refugee", True)]


def test_outsiders_are_refused(duo, outsider):
    reminder = _reminder(duo, "sponsor")
    stranger = DuoFactory(started_at=START, sponsor=SponsorFactory()).sponsor
    posted = {"reminder": reminder.pk, "answer": "met"}

    from_stranger = client_for(stranger.user).post(ANSWER, posted)
    assert from_stranger.status_code == HTTPStatus.NOT_FOUND
    assert "This month is not yours to answer." in from_stranger.text
    assert client_for(outsider).post(ANSWER, posted).status_code == HTTPStatus.NOT_FOUND
    worker = SocialWorkerFactory().user
    assert client_for(worker).post(ANSWER, posted).status_code == HTTPStatus.NOT_FOUND
    assert client_for().post(ANSWER, posted).status_code == HTTPStatus.FOUND  # to log in
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"paused_at": REMINDER_DAY - timedelta(days=1)},
        {"suspended_at": REMINDER_DAY - timedelta(days=1)},
        {"state": DuoState.ENDED, "ended_at": REMINDER_DAY - timedelta(days=1)},
    ],
)
def test_a_duo_not_running_is_refused(duo, change):
    type(duo).objects.filter(pk=duo.pk).update(**change)
    client = client_for(duo.sponsor.user)

    response = client.post(ANSWER, {"reminder": _reminder(duo, "sponsor").pk, "answer": "met"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "The duo is not running now: there is no month to answer." in response.text
    assert not CheckIn.objects.exists()
    assert 'name="reminder"' not in client.get(MY_DUO).text


def test_a_closed_month_is_refused(duo, at_reminder_day):
    reminder = _reminder(duo, "sponsor")
    at_reminder_day.move_to(
        timezone.make_aware(
            timezone.datetime.combine(schedule.month_window(duo, 1).closes_on, REMINDER_DAY.time())
        )
    )

    response = client_for(duo.sponsor.user).post(ANSWER, {"reminder": reminder.pk, "answer": "met"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "This month is closed: its answer can no longer change." in response.text
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("posted", [{}, {"answer": "maybe"}, {"reminder": "x", "answer": "met"}])
def test_a_bad_answer_is_400_and_changes_nothing(duo, posted):
    posted = {"reminder": _reminder(duo, "sponsor").pk, **posted}

    response = client_for(duo.sponsor.user).post(ANSWER, posted)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This choice is not available. Nothing was changed." in response.text
    assert not CheckIn.objects.exists()


def test_the_social_worker_answers_for_the_refugee_they_refer(at_reminder_day, referred_refugee):
    duo = DuoFactory(started_at=START, refugee=referred_refugee)
    duos_send_reminders()
    page = reverse("duos:referred_duo", args=[referred_refugee.pk])
    answer = reverse("duos:referred_duo_checkin", args=[referred_refugee.pk])
    posted = {"reminder": _reminder(duo, "refugee").pk, "answer": "met"}
    worker = client_for(referred_refugee.referrer)

    assert f'action="{answer}"' in worker.get(page).text
    assert client_for(SocialWorkerFactory().user).post(answer, posted).status_code == 404
    response = worker.post(answer, posted)

    assert response.status_code == HTTPStatus.FOUND and response.url == page
    assert list(CheckIn.objects.values_list("side", "met")) == [("refugee", True)]
