"""The monthly reminders: one per person of each active duo whose month is due, never twice,
taken over from a dead worker, retried while the mail server is down, in bounded queries."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import CandidateState
from duos.followup import survey
from duos.followup.checkins import checkin_link, checkin_token
from duos.followup.reminders import (
    CLAIM_STALE_AFTER,
    RETRY_BACKOFF,
    duos_send_reminders,
    reminders_create_due,
)
from duos.followup.tasks import send_due_reminders
from duos.followup.timeline import MET
from duos.lib.links import CHECKIN, LinkExpired
from duos.lifecycle import schedule
from duos.models import Duo, DuoState, Reminder, ReminderKind
from tests.factories import DuoFactory, RefugeeFactory, SponsorFactory
from tests.mail import FAILING_BACKEND, MEMORY_BACKEND

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Month 1's reminder of a duo started on START is due on REMINDER_DAY (day 21), at midnight.
START = datetime(2025, 3, 10, 18, 0, tzinfo=PARIS)
REMINDER_DAY = datetime(2025, 3, 30, 9, 0, tzinfo=PARIS)


def message_ids(outbox=None) -> list[str]:
    return [m.message()["Message-ID"] for m in (mail.outbox if outbox is None else outbox)]


@pytest.fixture
def at_reminder_day():
    with time_machine.travel(REMINDER_DAY, tick=False) as traveller:
        yield traveller


# Who gets a reminder, and when ---------------------------------------------------------------


def test_reminders_one_per_person_of_each_due_duo_and_never_twice(at_reminder_day):
    due = [DuoFactory(started_at=START), DuoFactory(started_at=START)]
    DuoFactory(started_at=START + timedelta(days=5))  # its day 21 is not reached yet
    DuoFactory(started_at=START, state=DuoState.ENDED)
    Duo.objects.create(
        sponsor=SponsorFactory(), refugee=RefugeeFactory(), expires_at=START
    )  # still waiting for answers

    assert duos_send_reminders() == 4

    ids = message_ids()
    assert len(ids) == len(set(ids)) == 4
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {p.user.email for d in due for p in (d.sponsor, d.refugee)}
    rows = Reminder.objects.all()
    assert {(r.duo_id, r.month, r.side) for r in rows} == {
        (d.pk, 1, side) for d in due for side in ("sponsor", "refugee")
    }
    assert set(ids) == {f"<reminder-{r.pk}@duos-de-demain>" for r in rows}
    assert all(r.sent_at and r.claimed_at is None and r.attempts == 0 for r in rows)

    mail.outbox.clear()
    assert duos_send_reminders() == 0
    at_reminder_day.shift(timedelta(hours=6))
    assert duos_send_reminders() == 0
    assert not mail.outbox


def test_reminders_none_before_day_21(at_reminder_day):
    DuoFactory(started_at=REMINDER_DAY - timedelta(days=19))

    assert duos_send_reminders() == 0
    assert not Reminder.objects.exists()


def test_reminders_six_months_one_a_month_then_the_closing_email_not_a_seventh():
    duo = DuoFactory(started_at=START)
    sent = []
    with time_machine.travel(START, tick=False) as traveller:
        # A sweep every day for eight months, as beat would (more often) do.
        for _day in range(245):
            traveller.shift(timedelta(days=1))
            duos_send_reminders()
            sent += [(timezone.localdate(), m) for m in mail.outbox]
            mail.outbox.clear()

    start = schedule.start_date(duo.started_at)
    by_side = {}
    for day, message in sent:
        by_side.setdefault(message.to[0], []).append(day)
    assert set(by_side) == {duo.sponsor.user.email, duo.refugee.user.email}
    for days in by_side.values():
        # Six reminders, then the closing email (with the survey) when month 6 ends.
        assert days == [schedule.window(start, k).reminder_on for k in range(1, 7)] + [
            schedule.window(start, 6).ends_on
        ]
    rows = Reminder.objects.values_list("month", "kind")
    assert sorted(rows) == [(month, "monthly") for month in range(1, 7) for _side in (1, 2)] + [
        (7, "closing"),
        (7, "closing"),
    ]


def test_reminders_the_task_runs_the_sweep(at_reminder_day):
    DuoFactory(started_at=START)

    send_due_reminders.delay()

    assert len(mail.outbox) == 2


def test_reminders_skip_a_duo_ended_after_its_row_was_created(at_reminder_day, settings):
    duo = DuoFactory(started_at=START)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    duos_send_reminders()
    Duo.objects.filter(pk=duo.pk).update(state=DuoState.ENDED)
    settings.EMAIL_BACKEND = MEMORY_BACKEND
    at_reminder_day.shift(RETRY_BACKOFF[0])

    assert duos_send_reminders() == 0

    assert not mail.outbox
    assert set(Reminder.objects.values_list("skip_reason", flat=True)) == {"duo_not_active"}


# The email -----------------------------------------------------------------------------------


def test_reminder_email_has_two_links_and_ideas(at_reminder_day):
    duo = DuoFactory(started_at=START)
    duo.sponsor.user.language = "en"
    duo.sponsor.user.save()

    duos_send_reminders()

    message = next(m for m in mail.outbox if m.to == [duo.sponsor.user.email])
    html = message.alternatives[0][0]
    assert f"Hello {duo.sponsor.first_name}," in message.body
    assert f"month 1 of 6 of your duo with {duo.refugee.first_name}" in message.body
    assert "A few ideas to do together" in message.body and "A few ideas" in html
    assert len(re.findall(r"/duo/suivi/\S+/", message.body)) == 2
    assert len(re.findall(r"/duo/suivi/[^\"]+/", html)) == 2
    assert "how it is going" not in message.body
    assert message.extra_headers["Message-ID"] == message.message()["Message-ID"]


def test_reminder_in_month_3_asks_how_it_is_going(at_reminder_day):
    DuoFactory(started_at=START - timedelta(days=61))  # 2025-01-08: month 3 from 2025-03-08

    duos_send_reminders()

    assert Reminder.objects.filter(month=3).count() == 2
    assert all("comment ça se passe, de 1 à 5" in m.body for m in mail.outbox)


def test_reminder_for_a_referred_refugee_goes_to_the_social_worker(
    at_reminder_day, referred_refugee
):
    social_worker = referred_refugee.referrer
    duo = DuoFactory(started_at=START, refugee=referred_refugee)

    duos_send_reminders()

    assert {m.to[0] for m in mail.outbox} == {duo.sponsor.user.email, social_worker.email}
    message = next(m for m in mail.outbox if m.to == [social_worker.email])
    name = referred_refugee.first_name
    assert f"mois 1 de {name} avec {duo.sponsor.first_name}" in message.subject
    assert f"Pourriez-vous demander à {name} s'ils se sont vus ce mois-ci" in message.body


# Workers that die, mail servers that fail ----------------------------------------------------


def test_reminders_a_row_left_claimed_by_a_dead_worker_is_sent_by_the_next_sweep(
    at_reminder_day,
):
    duo = DuoFactory(started_at=START)
    # A first worker created and claimed the rows, then died before sending.
    reminders_create_due(now=timezone.now())
    Reminder.objects.update(
        claimed_at=timezone.now() - timedelta(minutes=10), claim_token=uuid.uuid4()
    )

    assert duos_send_reminders() == 2

    assert {m.to[0] for m in mail.outbox} == {duo.sponsor.user.email, duo.refugee.user.email}
    assert not Reminder.objects.filter(sent_at=None).exists()


def test_reminders_a_fresh_claim_is_left_to_its_worker(at_reminder_day):
    DuoFactory(started_at=START)
    reminders_create_due(now=timezone.now())
    Reminder.objects.update(
        claimed_at=timezone.now() - CLAIM_STALE_AFTER + timedelta(minutes=1),
        claim_token=uuid.uuid4(),
    )

    assert duos_send_reminders() == 0
    assert not mail.outbox

    at_reminder_day.shift(timedelta(minutes=2))
    assert duos_send_reminders() == 2


def test_reminders_wait_for_the_mail_server_and_go_once_it_is_back(at_reminder_day, settings):
    duo = DuoFactory(started_at=START)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    failed_at = timezone.now()

    assert duos_send_reminders() == 0

    rows = list(Reminder.objects.all())
    assert len(rows) == 2
    for row in rows:
        assert row.sent_at is None
        assert row.attempts == 1
        assert row.next_attempt_at == failed_at + RETRY_BACKOFF[0]
        assert row.claimed_at is None and row.claim_token is None

    # Still down at the next attempt: the wait grows.
    at_reminder_day.shift(RETRY_BACKOFF[0])
    assert duos_send_reminders() == 0
    row = Reminder.objects.first()
    assert row.attempts == 2
    assert row.next_attempt_at == timezone.now() + RETRY_BACKOFF[1]

    # Back, but not yet the time to retry: nothing goes.
    settings.EMAIL_BACKEND = MEMORY_BACKEND
    assert duos_send_reminders() == 0
    assert not mail.outbox

    at_reminder_day.shift(RETRY_BACKOFF[1])
    assert duos_send_reminders() == 2
    assert {m.to[0] for m in mail.outbox} == {duo.sponsor.user.email, duo.refugee.user.email}
    assert len(set(message_ids())) == 2

    mail.outbox.clear()
    at_reminder_day.shift(timedelta(days=1))
    assert duos_send_reminders() == 0
    assert not mail.outbox


def test_reminders_backoff_is_capped_and_stops_when_the_month_closes(at_reminder_day, settings):
    DuoFactory(started_at=START)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    duos_send_reminders()
    for _attempt in range(len(RETRY_BACKOFF) + 2):
        at_reminder_day.shift(RETRY_BACKOFF[-1])
        duos_send_reminders()
    row = Reminder.objects.first()
    assert row.attempts == len(RETRY_BACKOFF) + 3
    assert row.next_attempt_at == timezone.now() + RETRY_BACKOFF[-1]

    closes_at = schedule.month_window(Duo.objects.get(), 1).closes_at()
    at_reminder_day.move_to(closes_at)
    settings.EMAIL_BACKEND = MEMORY_BACKEND
    assert duos_send_reminders() == 0
    assert not mail.outbox
    assert set(Reminder.objects.values_list("skip_reason", flat=True)) == {"month_closed"}


# Bounded queries -----------------------------------------------------------------------------


def _sweep_queries(n_duos: int, batch_size: int = 200) -> int:
    Reminder.objects.all().delete()
    Duo.objects.all().delete()
    for _each in range(n_duos):
        DuoFactory(started_at=START)
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        assert duos_send_reminders(batch_size=batch_size) == 2 * n_duos
    assert len(mail.outbox) == 2 * n_duos
    return len(queries)


def test_reminders_sweep_queries_do_not_grow_with_the_duos(at_reminder_day):
    few = _sweep_queries(3)
    many = _sweep_queries(30)

    assert many == few, (few, many)


def test_reminders_sweep_queries_grow_with_the_batches_only(at_reminder_day):
    one_batch = _sweep_queries(5, batch_size=10)  # 10 rows: 1 batch
    six_batches = _sweep_queries(30, batch_size=10)  # 60 rows: 6 batches, 3 pages of duos

    # Each extra batch costs what a whole one-batch sweep costs at most; 60 emails, far fewer
    # queries.
    assert one_batch < six_batches <= 6 * one_batch
    assert six_batches < 60


# Pauses, suspensions, extensions and the closing email ----------------------------------------


def _closing_day(duo) -> datetime:
    """Midnight of the day after the duo's last month."""
    start = schedule.start_date(duo.started_at, duo.shift_days)
    day = schedule.closing_on(start, schedule.duo_months(duo))
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@pytest.mark.parametrize("field", ["paused_at", "suspended_at"])
def test_reminders_none_for_a_paused_or_suspended_duo(at_reminder_day, field):
    held = DuoFactory(started_at=START)
    setattr(held, field, START + timedelta(days=5))
    held.save()
    running = DuoFactory(started_at=START)

    assert duos_send_reminders() == 2

    assert set(Reminder.objects.values_list("duo_id", flat=True)) == {running.pk}


@pytest.mark.parametrize("field", ["paused_at", "suspended_at"])
def test_reminders_a_row_created_before_a_pause_or_suspension_is_held_then_sent(
    at_reminder_day, settings, field
):
    duo = DuoFactory(started_at=START)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    duos_send_reminders()  # the rows exist, waiting for a retry
    settings.EMAIL_BACKEND = MEMORY_BACKEND
    Duo.objects.filter(pk=duo.pk).update(**{field: timezone.now()})
    at_reminder_day.shift(timedelta(days=2))

    assert duos_send_reminders() == 0

    assert not mail.outbox
    # Held, not skipped: nobody claimed them.
    assert Reminder.objects.filter(sent_at=None, skipped_at=None, attempts=1).count() == 2

    Duo.objects.filter(pk=duo.pk).update(**{field: None})
    assert duos_send_reminders() == 2
    assert {m.to[0] for m in mail.outbox} == {duo.sponsor.user.email, duo.refugee.user.email}


def test_reminders_a_held_row_whose_month_closed_meanwhile_is_skipped(at_reminder_day, settings):
    duo = DuoFactory(started_at=START)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    duos_send_reminders()
    settings.EMAIL_BACKEND = MEMORY_BACKEND
    Duo.objects.filter(pk=duo.pk).update(suspended_at=timezone.now())
    at_reminder_day.move_to(schedule.month_window(duo, 1).closes_at())

    Duo.objects.filter(pk=duo.pk).update(suspended_at=None)
    assert duos_send_reminders() == 0

    assert not mail.outbox
    assert set(Reminder.objects.values_list("skip_reason", flat=True)) == {"month_closed"}


def test_reminders_an_extended_duo_gets_month_7_then_closes_after_it():
    duo = DuoFactory(started_at=START)
    duo.extra_months = 1
    duo.save()
    duo.sponsor.user.language = "en"
    duo.sponsor.user.save()
    month_7 = schedule.month_window(duo, 7)

    with time_machine.travel(schedule.month_window(duo, 6).reminder_at(), tick=False) as t:
        duos_send_reminders()
        t.move_to(_closing_day(Duo(started_at=duo.started_at)))  # six months' end
        duos_send_reminders()
        assert not Reminder.objects.filter(kind=ReminderKind.CLOSING).exists()
        mail.outbox.clear()
        t.move_to(month_7.reminder_at())
        assert duos_send_reminders() == 2
        message = next(m for m in mail.outbox if m.to == [duo.sponsor.user.email])
        assert "month 7 of 7" in message.body
        t.move_to(_closing_day(duo))
        duos_send_reminders()

    assert Reminder.objects.filter(kind=ReminderKind.CLOSING, month=8).count() == 2
    duo.refresh_from_db()
    assert duo.state == DuoState.COMPLETED


def test_reminders_closing_completes_the_duo_and_sends_the_survey_once():
    duo = DuoFactory(started_at=START)
    duo.sponsor.user.language = "en"
    duo.sponsor.user.save()
    with time_machine.travel(schedule.month_window(duo, 6).reminder_at(), tick=False) as t:
        duos_send_reminders()
        t.move_to(_closing_day(duo) - timedelta(minutes=1))
        duos_send_reminders()
        duo.refresh_from_db()
        assert duo.state == DuoState.ACTIVE
        mail.outbox.clear()

        t.move_to(_closing_day(duo) + timedelta(hours=1))
        assert duos_send_reminders() == 2
        closed_at = timezone.now()
        assert duos_send_reminders() == 0
        t.shift(timedelta(days=3))
        assert duos_send_reminders() == 0

    duo.refresh_from_db()
    assert duo.state == DuoState.COMPLETED
    assert duo.ended_at == closed_at
    duo.sponsor.refresh_from_db()
    duo.refugee.refresh_from_db()
    assert duo.sponsor.state == duo.refugee.state == CandidateState.DUO_ENDED
    rows = Reminder.objects.filter(kind=ReminderKind.CLOSING)
    assert {(r.month, r.side) for r in rows} == {(7, "sponsor"), (7, "refugee")}
    assert set(message_ids()) == {r.message_id for r in rows}
    message = next(m for m in mail.outbox if m.to == [duo.sponsor.user.email])
    assert f"your duo with {duo.refugee.first_name}" in message.subject
    assert len(re.findall(r"/duo/questionnaire/\S+/", message.body)) == 1


def test_reminders_the_last_months_checkins_stay_open_after_completion():
    duo = DuoFactory(started_at=START)
    last = schedule.month_window(duo, 6)
    with time_machine.travel(last.reminder_at(), tick=False) as t:
        duos_send_reminders()
        row = Reminder.objects.get(month=6, side="sponsor")
        t.move_to(_closing_day(duo))
        duos_send_reminders()

        assert checkin_link(CHECKIN, CHECKIN.read(checkin_token(row, MET))).reminder == row
        t.move_to(last.closes_at())
        with pytest.raises(LinkExpired):
            checkin_link(CHECKIN, CHECKIN.read(checkin_token(row, MET)))


def test_reminders_a_duo_suspended_at_its_end_closes_once_it_runs_again():
    duo = DuoFactory(started_at=START)
    with time_machine.travel(_closing_day(duo), tick=False) as t:
        Duo.objects.filter(pk=duo.pk).update(suspended_at=timezone.now())
        duos_send_reminders()
        assert Duo.objects.get(pk=duo.pk).state == DuoState.ACTIVE
        assert not Reminder.objects.filter(kind=ReminderKind.CLOSING).exists()

        t.shift(timedelta(days=10))
        Duo.objects.filter(pk=duo.pk).update(suspended_at=None)
        duos_send_reminders()

    assert Duo.objects.get(pk=duo.pk).state == DuoState.COMPLETED
    assert Reminder.objects.filter(kind=ReminderKind.CLOSING, sent_at__isnull=False).count() == 2


def test_reminders_closing_email_is_retried_then_given_up_with_the_survey(settings):
    duo = DuoFactory(started_at=START)
    with time_machine.travel(schedule.month_window(duo, 6).reminder_at(), tick=False) as t:
        duos_send_reminders()
        mail.outbox.clear()
        settings.EMAIL_BACKEND = FAILING_BACKEND
        t.move_to(_closing_day(duo))
        duos_send_reminders()
        closing = Reminder.objects.filter(kind=ReminderKind.CLOSING)
        assert closing.filter(attempts=1, sent_at=None).count() == 2
        duo.refresh_from_db()
        t.move_to(survey.survey_expires_at(duo))
        settings.EMAIL_BACKEND = MEMORY_BACKEND
        duos_send_reminders()

    assert not mail.outbox
    assert set(closing.values_list("skip_reason", flat=True)) == {"survey_closed"}


def test_reminders_a_paused_duos_checkin_links_stay_open_during_the_pause():
    duo = DuoFactory(started_at=START)
    first = schedule.month_window(duo, 1)
    with time_machine.travel(first.reminder_at(), tick=False) as t:
        duos_send_reminders()
        row = Reminder.objects.get(month=1, side="sponsor")
        Duo.objects.filter(pk=duo.pk).update(paused_at=timezone.now())
        t.move_to(first.closes_at() + timedelta(days=20))

        # The duo's clock stopped at the pause: month 1 is still open.
        assert checkin_link(CHECKIN, CHECKIN.read(checkin_token(row, MET))).reminder == row


def test_reminders_closing_queries_do_not_grow_with_the_duos():
    def closing_sweep_queries(n_duos: int) -> int:
        Reminder.objects.all().delete()
        Duo.objects.all().delete()
        duos = [DuoFactory(started_at=START) for _each in range(n_duos)]
        closing_day = time_machine.travel(_closing_day(duos[0]), tick=False)
        with closing_day, CaptureQueriesContext(connection) as queries:
            duos_send_reminders()
        assert Duo.objects.filter(state=DuoState.COMPLETED).count() == n_duos
        return len(queries)

    assert closing_sweep_queries(3) == closing_sweep_queries(20)
