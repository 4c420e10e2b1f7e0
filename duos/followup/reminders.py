"""Monthly reminders and check-ins: each person of an active duo, once a month, for six months
(up to nine when extended), then the closing email with the survey.

`duos_send_reminders` is the sweep beat runs several times a day. Nothing lost, nothing sent
twice: a row per (duo, month, side) is created when the month's reminder is due (a unique
constraint), claimed by a conditional update, sent with a fixed Message-ID, then stamped. A
claim left by a dead worker goes stale and is taken over; a send refused by the mail server is
released with a later `next_attempt_at`, until the month closes.

The reminder's two links ("we met", "not yet") are signed and carry the row's id and the
answer; they are valid until the month closes, which the page reads from the calendar.

Pauses, suspensions, extensions and the closing email:
- No row is created for a paused or suspended duo. A row created before the pause or the
  suspension is *held*, not skipped: the sweep does not claim it while the duo is paused or
  suspended, and sends it once the duo runs again if its month is still open (a resumed pause
  moves the close later by the pause's length); otherwise it is then skipped as
  "month_closed". A row of a duo that ended meanwhile is claimed and skipped as before.
- A duo extended by staff gets the reminders of months 7 to 9 like the others.
- When the duo's last month ends, the sweep marks it completed (state COMPLETED, `ended_at`
  the sweep's time, both people DUO_ENDED, the pair excluded from later runs) and creates, in
  the same transaction, one CLOSING row per side (month = last month + 1), sent by the same
  claims, Message-IDs and backoff with `templates/emails/closing/` and the survey link. Only a
  running duo is completed: a paused or suspended one stays active until it runs again, so its
  closing waits too. The check-ins of the last month stay answerable until that month closes,
  `schedule.CLOSE_AFTER_DAYS` later; its reminder, if still being retried, may still go until
  then. A closing email is retried until its survey link expires (`duos.survey.SURVEY_DAYS`
  after `ended_at`).
"""

import logging
import smtplib
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import Person
from duos.activities.emails import email_activities
from duos.followup import survey
from duos.followup.checkins import checkin_url
from duos.lib.emails import send_templated_email
from duos.lifecycle import schedule
from duos.models import Duo, DuoState, Reminder, ReminderKind, Side
from duos.reports.links import report_link_url
from matching.models import Exclusion, ExclusionReason

logger = logging.getLogger(__name__)


# The window of doubt is one batch: rows are marked sent in one update after their batch, so a
# worker killed after the mail server accepted some rows of its batch and before that update
# sends those rows again (at most BATCH_SIZE, measured in tests/duos/test_reminders_delivery.py).
# Marking each row after its send would shrink it to one email, for one query per email.
BATCH_SIZE = 200


# A claim older than this was left by a worker that died: another sweep takes the row over.
CLAIM_STALE_AFTER = timedelta(seconds=settings.REMINDER_CLAIM_STALE_SECONDS)


# A batch stops sending well before its claim could go stale, and releases what is left.
_SEND_BUDGET_SECONDS = CLAIM_STALE_AFTER.total_seconds() / 2


# After this many failures in a row the mail server is taken to be down: the rest waits.
_FAILURES_BEFORE_PAUSE = 3


# Waits after the 1st, 2nd... failed send; the last one repeats until the month closes.
RETRY_BACKOFF = [timedelta(seconds=s) for s in settings.REMINDER_RETRY_BACKOFF_SECONDS]


# Before the 21st day, at most 23h30 early in UTC terms: a cheap filter before the calendar.
_EARLIEST_REMINDER = timedelta(days=schedule.REMINDER_AFTER_DAYS - 1)


MET, NOT_YET = "met", "not_yet"


def duos_send_reminders(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Create the rows of due reminders, then send them in claimed batches; how many were sent.

    Per batch a constant number of queries plus the sends: no query per duo.
    """
    fixed_now = now
    reminders_create_due(now=fixed_now or timezone.now(), batch_size=batch_size)
    sent = 0
    while True:
        # Each batch's claim is stamped when it is taken, so that it goes stale on time.
        now = fixed_now or timezone.now()
        rows = _claim_batch(now=now, batch_size=batch_size)
        if not rows:
            return sent
        done, server_down = _send_batch(rows, now=now)
        sent += done
        if server_down:
            return sent


def reminders_create_due(*, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """A row per side for every running duo whose month's reminder is due, and the closing rows
    of those whose last month has ended (completing them); existing rows stay."""
    today = timezone.localdate(now)
    created = 0
    last_pk = 0
    while True:
        duos = list(
            Duo.objects.running()
            .filter(started_at__lte=now - _EARLIEST_REMINDER, pk__gt=last_pk)
            .order_by("pk")
            .only(*_CALENDAR_FIELDS)[:batch_size]
        )
        if not duos:
            return created
        last_pk = duos[-1].pk
        rows, ending = [], []
        for duo in duos:
            month = schedule.duo_due_month(duo, today)
            if month is not None:
                rows += [Reminder(duo_id=duo.pk, month=month, side=side) for side in Side.values]
            if schedule.duo_closing_due(duo, today):
                ending.append(duo.pk)
        if rows:
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
        if ending:
            created += _complete(ending, now=now)


# What the calendar reads of a duo (duos/lifecycle/schedule.py).
_CALENDAR_FIELDS = ("pk", "started_at", "shift_days", "extra_months")


def _complete(ids: list[int], *, now: datetime) -> int:
    """Mark these duos completed and create their closing rows, in one transaction.

    The duos are locked and their calendar read again under the lock: an extension, a pause,
    a suspension or an early end committed since the batch was read wins, and the duo is left
    as it is (a duo another transaction holds is left to the next sweep). The pair is excluded
    from later match runs, as every former duo is.
    """
    today = timezone.localdate(now)
    with transaction.atomic():
        locked = (
            Duo.objects.running()
            .filter(pk__in=ids)
            .select_for_update(skip_locked=True)
            .only(*_CALENDAR_FIELDS, "sponsor", "refugee")
        )
        done = [duo for duo in locked if schedule.duo_closing_due(duo, today)]
        if not done:
            return 0
        Duo.objects.filter(pk__in=[duo.pk for duo in done]).complete(now=now)
        Person.objects.filter(
            pk__in=[pk for duo in done for pk in (duo.sponsor_id, duo.refugee_id)]
        ).duo_ended(now=now)
        Exclusion.objects.bulk_create(
            [
                Exclusion(
                    sponsor_id=duo.sponsor_id,
                    refugee_id=duo.refugee_id,
                    reason=ExclusionReason.FORMER_DUO,
                )
                for duo in done
            ],
            ignore_conflicts=True,
        )
        rows = [
            Reminder(
                duo_id=duo.pk,
                month=schedule.duo_months(duo) + 1,
                side=side,
                kind=ReminderKind.CLOSING,
            )
            for duo in done
            for side in Side.values
        ]
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    logger.info("Duos completed: %s", [duo.pk for duo in done])
    return len(rows)


def _claimable(now: datetime) -> Q:
    # Rows of a paused or suspended duo are held (see the module's docstring). A subquery, not
    # a join: the claim's FOR UPDATE then locks reminder rows only, never the duos.
    return (
        Q(sent_at=None, skipped_at=None)
        & (Q(claimed_at=None) | Q(claimed_at__lt=now - CLAIM_STALE_AFTER))
        & (Q(next_attempt_at=None) | Q(next_attempt_at__lte=now))
        & ~Q(duo__in=Duo.objects.held().values("pk"))
    )


def _claim_batch(*, now: datetime, batch_size: int) -> list[Reminder]:
    token = uuid.uuid4()
    with transaction.atomic():
        candidates = (
            Reminder.objects.filter(_claimable(now))
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        ids = list(candidates)
        if not ids:
            return []
        # Conditional: a row another sweep claimed since the select stays theirs.
        Reminder.objects.filter(_claimable(now), pk__in=ids).update(
            claimed_at=now, claim_token=token
        )
    return list(
        Reminder.objects.filter(claim_token=token)
        .select_related(
            "duo__sponsor__user",
            "duo__sponsor__referrer",
            "duo__refugee__user",
            "duo__refugee__referrer",
        )
        .order_by("pk")
    )


def _send_batch(rows: list[Reminder], *, now: datetime) -> tuple[int, bool]:
    """Send a claimed batch; stamp, skip, back off or release each row in a few bulk updates."""
    sent, skipped, failed, errors = [], {}, [], {}
    started = time.monotonic()
    failures_in_a_row = 0
    try:
        for row in rows:
            if time.monotonic() - started > _SEND_BUDGET_SECONDS:
                break
            if row.duo.is_held:
                continue  # paused or suspended since the claim: released below, sent later
            reason = _skip_reason(row, now)
            if reason:
                skipped.setdefault(reason, []).append(row.pk)
                continue
            try:
                _send(row)
            except (OSError, smtplib.SMTPException) as error:  # noqa: PERF203
                logger.warning("Reminder %s not sent: %r", row.pk, error)
                failed.append(row.pk)
                errors[row.pk] = repr(error)[:200]
                failures_in_a_row += 1
                if failures_in_a_row >= _FAILURES_BEFORE_PAUSE:
                    break
            else:
                sent.append(row.pk)
                failures_in_a_row = 0
    finally:
        _record_outcomes(rows, sent=sent, skipped=skipped, failed=failed, now=now)
    return len(sent), failures_in_a_row >= _FAILURES_BEFORE_PAUSE


def _record_outcomes(rows, *, sent, skipped, failed, now) -> None:
    token = rows[0].claim_token
    mine = Reminder.objects.filter(claim_token=token)
    if sent:
        mine.filter(pk__in=sent).update(sent_at=timezone.now(), claimed_at=None, claim_token=None)
    for reason, ids in skipped.items():
        mine.filter(pk__in=ids).update(
            skipped_at=now, skip_reason=reason, claimed_at=None, claim_token=None
        )
    if failed:
        # The wait grows with the attempts already made; one update for the whole batch.
        steps = [When(attempts=n, then=Value(now + wait)) for n, wait in enumerate(RETRY_BACKOFF)]
        mine.filter(pk__in=failed).update(
            attempts=F("attempts") + 1,
            next_attempt_at=Case(*steps, default=Value(now + RETRY_BACKOFF[-1])),
            last_error="mail server refused or unreachable",
            claimed_at=None,
            claim_token=None,
        )
    # Whatever was not tried (time budget, server down) is released for the next sweep.
    mine.update(claimed_at=None, claim_token=None)


def _skip_reason(row: Reminder, now: datetime) -> str:
    duo = row.duo
    if row.kind == ReminderKind.CLOSING:
        if duo.state != DuoState.COMPLETED:
            return "duo_not_active"
        if now >= survey.survey_expires_at(duo):
            return "survey_closed"
    else:
        # A completed duo's last month stays open until it closes.
        if duo.state not in (DuoState.ACTIVE, DuoState.COMPLETED):
            return "duo_not_active"
        if row.month > schedule.duo_months(duo):
            return "month_closed"
        if now >= schedule.month_window(duo, row.month).closes_at():
            return "month_closed"
    person = getattr(duo, row.side)
    if person.anonymised_at is not None or person.contact_user is None:
        return "no_recipient"
    return ""


def _send(row: Reminder) -> None:
    if row.kind == ReminderKind.CLOSING:
        _send_closing(row)
        return
    duo = row.duo
    person = getattr(duo, row.side)
    other = getattr(duo, _other(row.side))
    window = schedule.month_window(duo, row.month)
    send_templated_email(
        to=person.contact_user,
        template="reminder",
        context={
            "duo": duo,
            "person": person,
            "other": other,
            "for_someone_else": person.user_id is None,
            "month": row.month,
            "months": schedule.duo_months(duo),
            "midway": row.month == schedule.MIDWAY_MONTH,
            "last_day": window.closes_on - timedelta(days=1),
            "met_url": checkin_url(row, MET),
            "not_yet_url": checkin_url(row, NOT_YET),
            "report_url": report_link_url(duo, row.side),
            # The next group activities, fetched once per claimed batch.
            "activities": email_activities(person, batch=row.claim_token),
        },
        headers={"Reply-To": settings.PROGRAMME_EMAIL, "Message-ID": row.message_id},
    )


def _send_closing(row: Reminder) -> None:
    """The closing email: thanks, and the survey link of this side."""
    duo = row.duo
    person = getattr(duo, row.side)
    send_templated_email(
        to=person.contact_user,
        template="closing",
        context={
            "duo": duo,
            "person": person,
            "other": getattr(duo, _other(row.side)),
            "for_someone_else": person.user_id is None,
            "months": schedule.duo_months(duo),
            "survey_url": survey.survey_url(duo, row.side),
            "last_day": timezone.localdate(survey.survey_expires_at(duo)) - timedelta(days=1),
        },
        headers={"Reply-To": settings.PROGRAMME_EMAIL, "Message-ID": row.message_id},
    )


def _other(side: str) -> str:
    return Side.REFUGEE if side == Side.SPONSOR else Side.SPONSOR
