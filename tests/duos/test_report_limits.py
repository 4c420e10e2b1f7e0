"""Reports cannot flood the team (issue 14, #3): a few a day per person, and one urgent alert
per duo per hour that says how many came."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from duos.models import Report, ReportAlert, ReportCategory
from duos.reports import limits, tasks
from duos.reports.limits import REPORTS_PER_DAY, Alert, claim_urgent_alert
from tests.conftest import client_for
from tests.factories import DuoFactory, StaffFactory

pytestmark = pytest.mark.django_db
URGENT = {"category": ReportCategory.SAFETY, "text": "Please call me.", "urgent": "on"}


def report(client, duo, text="Something happened.", **data):
    fields = {"category": ReportCategory.OTHER, "text": text, **data}
    return client.post(reverse("duos:report_new", args=[duo.pk]), fields)


def test_a_person_sends_a_few_reports_a_day_then_the_page_says_how_to_reach_the_team():
    duo = DuoFactory(language="en")
    client = client_for(duo.sponsor.user)
    for n in range(REPORTS_PER_DAY):
        assert report(client, duo, f"Report {n}").status_code == HTTPStatus.FOUND

    typed = "One more thing I must tell you 4c1e."
    response = report(client, duo, typed)

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Report.objects.count() == REPORTS_PER_DAY
    page = response.content.decode()
    assert typed in page  # what they typed is still there, to copy
    assert f'href="mailto:{settings.PROGRAMME_EMAIL}"' in page
    assert "last 24 hours" in page
    # The other person of the duo is not held back by it.
    assert report(client_for(duo.refugee.user), duo).status_code == HTTPStatus.FOUND

    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert report(client, duo, typed).status_code == HTTPStatus.FOUND


def test_urgent_reports_alert_the_team_once_an_hour_then_say_how_many_came(
    monkeypatch, django_capture_on_commit_callbacks
):
    duo = DuoFactory(language="en")
    team = [StaffFactory(language="en"), StaffFactory(language="en")]
    scheduled, run_now = [], tasks.send_urgent_report_alert.apply_async

    def apply_async(args, eta=None, **options):
        # What is scheduled for later is kept aside (the test runs tasks in its thread).
        return scheduled.append((args, eta)) if eta else run_now(args, **options)

    monkeypatch.setattr(tasks.send_urgent_report_alert, "apply_async", apply_async)
    client = client_for(duo.sponsor.user)
    start = timezone.now()

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert report(client, duo, **URGENT).status_code == HTTPStatus.FOUND

    # One alert, one email per team member; the two reports after it wait for the hour's end.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(u.email for u in team)
    assert "since the last alert" not in mail.outbox[0].body
    assert len(scheduled) == 1
    (report_id, deferred), eta = scheduled[0]
    assert deferred is True
    assert start + timedelta(hours=1) < eta < timezone.now() + timedelta(hours=1, minutes=1)

    mail.outbox.clear()
    with time_machine.travel(eta):
        tasks.send_urgent_report_alert(report_id, True)

    newest = Report.objects.order_by("-pk").first()
    assert len(mail.outbox) == len(team)
    for message in mail.outbox:
        assert "Urgent reports for this duo since the last alert: 2." in message.body
        assert reverse("duos:report", args=[newest.pk]) in message.body
    assert len(scheduled) == 1  # the deferred run never schedules another


def test_two_reports_at_the_same_moment_claim_one_alert(monkeypatch):
    duo = DuoFactory()
    Report.objects.create(
        duo=duo, side="sponsor", reporter=duo.sponsor, category="other", text="x", urgent=True
    )
    stale = ReportAlert.objects.create(duo=duo)  # what both read before either wrote

    assert isinstance(claim_urgent_alert(duo.pk), Alert)
    monkeypatch.setattr(limits, "_alert_row", lambda duo_id: stale)

    assert claim_urgent_alert(duo.pk) is None  # the other one moved sent_at first
