"""`make run` under another PORT: SITE_URL follows it, and every email's links carry the port."""

import os
import re
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts.models import Role
from accounts.roles import ensure_programme_team_group
from accounts.services import send_completion_reminders
from duos.activities.emails import registration_send_email
from duos.followup.reminders import duos_send_reminders
from duos.lifecycle.emails import duo_send_email
from duos.models import DuoState
from duos.reports.services import report_send_urgent_alert
from tests.factories import (
    DuoFactory,
    PersonFactory,
    RegistrationFactory,
    ReportFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PORT = "18431"
PARIS = ZoneInfo("Europe/Paris")


def make_site_url(**env) -> str:
    """The SITE_URL `make run` exports to honcho, read from the Makefile itself."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}} | env
    printer = "print-site-url: ; @echo $$SITE_URL"
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={printer}", "print-site-url"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_make_run_derives_site_url_from_port_unless_it_is_set():
    assert make_site_url(PORT=PORT) == f"http://127.0.0.1:{PORT}"
    assert make_site_url() == "http://127.0.0.1:8000"
    assert make_site_url(PORT=PORT, SITE_URL="https://duos.example.org") == (
        "https://duos.example.org"
    )


def _links(message) -> list[str]:
    bodies = [message.body] + [content for content, _ in message.alternatives]
    return [url for body in bodies for url in re.findall(r"https?://[^\s\"'<>]+", body)]


def test_every_kind_of_email_links_to_the_port_make_run_serves(settings):
    settings.SITE_URL = make_site_url(PORT=PORT)
    site = f"http://127.0.0.1:{PORT}/"
    with time_machine.travel(datetime(2025, 3, 30, 9, 0, tzinfo=PARIS), tick=False):
        duo = DuoFactory(started_at=datetime(2025, 3, 10, 18, 0, tzinfo=PARIS))
        duos_send_reminders()  # the month's check-in, with its report link
    proposed = DuoFactory(state=DuoState.WAITING, started_at=None)
    assert duo_send_email(duo_id=proposed.pk, side="sponsor", template="introduction")
    report = ReportFactory(duo=duo, urgent=True)
    team_member = StaffFactory()
    team_member.groups.add(ensure_programme_team_group())
    report_send_urgent_alert(report_id=report.pk, user_id=team_member.pk)
    registration = RegistrationFactory()
    assert registration_send_email(registration_id=registration.pk, template="activity_promoted")
    PersonFactory(role=Role.SPONSOR)
    send_completion_reminders(now=datetime(2030, 1, 1, tzinfo=PARIS))
    Client(HTTP_HOST=f"127.0.0.1:{PORT}").post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "A long pass 1234!",
            "password2": "A long pass 1234!",
            "role": Role.SPONSOR,
        },
    )

    templates = {m.subject for m in mail.outbox}
    links = [(m.subject, url) for m in mail.outbox for url in _links(m)]
    assert len(templates) >= 6, templates
    assert links and all(url.startswith(site) for _, url in links), links
