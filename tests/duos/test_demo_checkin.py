"""After `make run`'s demo data, the month's check-in can be tried: its reminders are sent (to
var/mail/ on a laptop) and the participant page answers the open month while logged in."""

import io
import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.management import call_command

from duos.models import CheckIn, Reminder, ReminderKind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_demo_data_sends_one_months_reminders_on_the_first_run_only():
    call_command("demo_data", stdout=io.StringIO())
    reminders = [m for m in mail.outbox if "/duo/suivi/" in m.body]

    assert reminders
    mail.outbox.clear()
    call_command("demo_data", stdout=io.StringIO())
    assert not [m for m in mail.outbox if "/duo/suivi/" in m.body]


def test_participant_answers_the_open_month_from_their_page():
    call_command("demo_data", stdout=io.StringIO())
    message = next(m for m in mail.outbox if "/duo/suivi/" in m.body)
    reminder = Reminder.objects.filter(
        kind=ReminderKind.MONTHLY, sent_at__isnull=False, duo__sponsor__user__email=message.to[0]
    ).latest("month")
    person = reminder.duo.sponsor
    client = client_for(person.user)

    page = client.get("/mon-duo/")
    assert page.status_code == HTTPStatus.OK
    form = re.search(
        r'action="(/mon-duo/reponse/)".*?name="reminder" value="(\d+)"', page.text, re.S
    )
    assert int(form[2]) == reminder.pk
    answered = client.post(form[1], {"reminder": form[2], "answer": "met"})
    assert answered.status_code == HTTPStatus.FOUND

    checkin = CheckIn.objects.get(duo=reminder.duo, month=reminder.month, side="sponsor")
    assert checkin.met is True
