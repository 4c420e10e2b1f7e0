"""The page behind a reminder's "we met" and "not yet" links: one button, changeable answers,
an optional activity, the mid-way mood, and links that close with the month."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from duos.followup.checkins import checkin_token
from duos.followup.reminders import duos_send_reminders
from duos.followup.timeline import MET
from duos.lifecycle import schedule
from duos.models import Activity, CheckIn, DuoState, Reminder
from tests.duos.test_reminders import REMINDER_DAY, START
from tests.factories import DuoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English, the msgids the assertions read, whatever the catalogs hold."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def at_reminder_day():
    with time_machine.travel(REMINDER_DAY, tick=False) as traveller:
        yield traveller


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _links(duo, side="sponsor") -> dict[str, str]:
    """One side's two links from the reminder email: {"met": path, "not_yet": path}."""
    duos_send_reminders()
    person = getattr(duo, side)
    message = next(m for m in mail.outbox if m.to == [person.contact_user.email])
    met, not_yet = re.findall(r"https?://\S+/duo/suivi/\S+/", message.body)
    return {"met": _path(met), "not_yet": _path(not_yet)}


def _checkin(duo, side="sponsor") -> CheckIn:
    return CheckIn.objects.get(duo=duo, side=side)


def test_checkin_get_shows_one_button_and_changes_nothing(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)

    for path in links.values():
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK
        # base.html's language switcher aside, one button.
        assert response.content.count(b"<button") == 2
        assert response.content.count(b'<button type="submit" class="primary">') == 1
        assert b'name="activity"' not in response.content

    assert not CheckIn.objects.exists()


def test_checkin_rejects_other_methods(client, at_reminder_day):
    links = _links(DuoFactory(started_at=START))

    assert client.put(links["met"]).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not CheckIn.objects.exists()


def test_checkin_we_met_is_recorded_then_offers_the_activities(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)

    response = client.post(links["met"])

    assert response.status_code == HTTPStatus.OK
    assert b"Your answer is recorded" in response.content
    for value in Activity.values:
        assert f'name="activity" value="{value}"'.encode() in response.content
    assert b'name="mood"' not in response.content  # month 1
    checkin = _checkin(duo)
    assert (checkin.month, checkin.met, checkin.activity, checkin.mood) == (1, True, "", None)
    assert checkin.answered_at == timezone.now()
    assert checkin.changed_at is None
    # The other side has not answered.
    assert not CheckIn.objects.filter(side="refugee").exists()


def test_checkin_activity_added_in_one_more_click(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)
    client.post(links["met"])
    at_reminder_day.shift(timedelta(minutes=1))

    response = client.post(links["met"], {"activity": Activity.WALK})

    assert response.status_code == HTTPStatus.OK
    checkin = _checkin(duo)
    assert (checkin.met, checkin.activity) == (True, Activity.WALK)
    assert checkin.changed_at == timezone.now()


def test_checkin_activity_alone_records_the_meeting_too(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)

    client.post(links["met"], {"activity": Activity.CULTURE})

    assert (_checkin(duo).met, _checkin(duo).activity) == (True, Activity.CULTURE)


def test_checkin_answer_can_change_until_the_close(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)
    client.post(links["met"], {"activity": Activity.COFFEE})
    answered_at = _checkin(duo).answered_at

    at_reminder_day.shift(timedelta(days=5))
    response = client.post(links["not_yet"])

    assert response.status_code == HTTPStatus.OK
    checkin = _checkin(duo)
    assert (checkin.met, checkin.activity) == (False, "")
    assert checkin.answered_at == answered_at
    assert checkin.changed_at == timezone.now()

    # And back: the GET of the other link explains it would change the answer.
    response = client.get(links["met"])
    assert b"You gave another answer for this month" in response.content
    client.post(links["met"])
    assert _checkin(duo).met is True
    assert CheckIn.objects.count() == 1


def test_checkin_not_yet_offers_no_activity_and_refuses_one(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)

    response = client.post(links["not_yet"])
    assert b'name="activity"' not in response.content

    response = client.post(links["not_yet"], {"activity": Activity.WALK})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _checkin(duo).activity == ""


def test_checkin_unknown_activity_or_mood_changes_nothing(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)
    client.post(links["met"])

    assert client.post(links["met"], {"activity": "skydiving"}).status_code == 400
    assert client.post(links["met"], {"mood": "4"}).status_code == 400  # month 1: not asked
    checkin = _checkin(duo)
    assert (checkin.activity, checkin.mood, checkin.changed_at) == ("", None, None)


def test_checkin_mood_on_month_3(client, at_reminder_day):
    duo = DuoFactory(started_at=START - timedelta(days=61))
    links = _links(duo)
    assert Reminder.objects.get(duo=duo, side="sponsor").month == 3

    response = client.post(links["not_yet"])
    for n in range(1, 6):
        assert f'name="mood" value="{n}"'.encode() in response.content
    client.post(links["not_yet"], {"mood": "4"})

    checkin = _checkin(duo)
    assert (checkin.month, checkin.met, checkin.mood) == (3, False, 4)
    assert client.post(links["not_yet"], {"mood": "6"}).status_code == 400
    assert client.post(links["not_yet"], {"mood": "0"}).status_code == 400
    assert _checkin(duo).mood == 4


def test_checkin_tampered_link_is_400(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)
    tampered = links["met"][:-3] + ("A" if links["met"][-3] != "A" else "B") + links["met"][-2:]

    assert client.get(tampered).status_code == HTTPStatus.BAD_REQUEST
    response = client.post(tampered)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"The link is incomplete or was changed" in response.content
    # A token signed for another purpose does not work either.
    from duos.lifecycle.links import answer_token

    other = answer_token(duo, "sponsor", "accepted")
    assert client.post(f"/duo/suivi/{other}/").status_code == HTTPStatus.BAD_REQUEST
    assert not CheckIn.objects.exists()


def test_checkin_link_for_a_missing_reminder_is_400(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    _links(duo)
    ghost = Reminder(pk=Reminder.objects.order_by("-pk").first().pk + 100)

    assert client.post(f"/duo/suivi/{checkin_token(ghost, MET)}/").status_code == 400


def test_checkin_link_expires_when_the_month_closes(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)
    client.post(links["met"])
    closes_at = schedule.month_window(duo, 1).closes_at()

    at_reminder_day.move_to(closes_at - timedelta(seconds=1))
    assert client.post(links["not_yet"]).status_code == HTTPStatus.OK
    at_reminder_day.move_to(closes_at)

    for response in (client.get(links["met"]), client.post(links["met"], {"activity": "walk"})):
        assert response.status_code == HTTPStatus.GONE
        assert b"This month is closed" in response.content
    assert (_checkin(duo).met, _checkin(duo).activity) == (False, "")


def test_checkin_link_of_an_ended_duo_is_gone(client, at_reminder_day):
    duo = DuoFactory(started_at=START)
    links = _links(duo)
    duo.state = DuoState.ENDED
    duo.save()

    assert client.post(links["met"]).status_code == HTTPStatus.GONE
    assert not CheckIn.objects.exists()


def test_checkin_by_the_social_worker_of_a_referred_refugee(
    client, at_reminder_day, referred_refugee
):
    duo = DuoFactory(started_at=START, refugee=referred_refugee)
    links = _links(duo, side="refugee")

    response = client.get(links["met"])
    name = referred_refugee.first_name
    assert f"The duo of {name} with {duo.sponsor.first_name}".encode() in response.content
    client.post(links["met"])

    assert _checkin(duo, side="refugee").met is True
