"""The day-before reminder of a group activity: claimed in batches, sent once."""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from duos.activities.emails import _email_context
from duos.lib.emails import send_templated_email
from duos.models import (
    Registration,
    RegistrationState,
)

logger = logging.getLogger(__name__)


# The reminder goes this long before the activity starts.
REMINDER_AHEAD = timedelta(hours=24)


REMINDER_BATCH_SIZE = 200


# A claim older than this was left by a worker that died: a later sweep takes the row over.
REMINDER_CLAIM_STALE_AFTER = timedelta(minutes=5)


# After this many failed sends in a row the mail server is taken to be down: the rest waits
# for the next sweep (beat's interval is the backoff; no countdown that Redis could repeat).
_FAILURES_BEFORE_PAUSE = 3


def _reminder_due(now: datetime) -> Q:
    return (
        Q(
            state=RegistrationState.REGISTERED,
            reminder_sent_at=None,
            activity__cancelled_at=None,
            activity__starts_at__gt=now,
            activity__starts_at__lte=now + REMINDER_AHEAD,
            person__anonymised_at=None,
        )
        & (Q(person__user__isnull=False) | Q(person__referrer__isnull=False))
        & (
            Q(reminder_claimed_at=None)
            | Q(reminder_claimed_at__lt=now - REMINDER_CLAIM_STALE_AFTER)
        )
    )


def reminder_message_id(registration: Registration) -> str:
    """Fixed per registration: a resent reminder is recognisably the same message."""
    return f"<activity-reminder-{registration.pk}@duos-de-demain>"


def activities_send_reminders(
    *, now: datetime | None = None, batch_size: int = REMINDER_BATCH_SIZE
) -> int:
    """Send the reminders of activities starting within a day, each once; how many were sent.

    A constant number of queries per batch plus the sends.
    """
    fixed_now = now
    sent = 0
    while True:
        now = fixed_now or timezone.now()
        rows = _claim_reminders(now=now, batch_size=batch_size)
        if not rows:
            return sent
        done, server_down = _send_reminders(rows, claimed_at=now)
        sent += done
        if server_down or done == 0:
            return sent


def _claim_reminders(*, now: datetime, batch_size: int) -> list[Registration]:
    with transaction.atomic():
        ids = list(
            Registration.objects.filter(_reminder_due(now))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        # Conditional: a row another sweep claimed since the select stays theirs.
        Registration.objects.filter(_reminder_due(now), pk__in=ids).update(reminder_claimed_at=now)
    return list(
        Registration.objects.filter(pk__in=ids, reminder_claimed_at=now, reminder_sent_at=None)
        .select_related("activity", "person__user", "person__referrer")
        .order_by("pk")
    )


def _send_reminders(rows: list[Registration], *, claimed_at: datetime) -> tuple[int, bool]:
    sent, failures_in_a_row = [], 0
    try:
        for row in rows:
            try:
                send_templated_email(
                    to=row.person.contact_user,
                    template="activity_reminder",
                    context=_email_context(row),
                    headers={
                        "Reply-To": settings.PROGRAMME_EMAIL,
                        "Message-ID": reminder_message_id(row),
                    },
                )
            except (OSError, smtplib.SMTPException) as error:  # noqa: PERF203
                logger.warning("Activity reminder %s not sent: %r", row.pk, error)
                failures_in_a_row += 1
                if failures_in_a_row >= _FAILURES_BEFORE_PAUSE:
                    break
            else:
                sent.append(row.pk)
                failures_in_a_row = 0
    finally:
        mine = Registration.objects.filter(
            pk__in=[row.pk for row in rows], reminder_claimed_at=claimed_at
        )
        if sent:
            mine.filter(pk__in=sent).update(reminder_sent_at=timezone.now())
        # What failed or was not tried is released: the next sweep tries again.
        mine.filter(reminder_sent_at=None).update(reminder_claimed_at=None)
    return len(sent), failures_in_a_row >= _FAILURES_BEFORE_PAUSE
