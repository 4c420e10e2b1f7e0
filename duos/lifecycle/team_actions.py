"""What the team does to a running duo: pause and resume it, extend it, end it early.

One service per action. The transition itself is a method of `Duo` (duos/models/duo.py), a
conditional update on the state it reads, so two staff members clicking at once cannot apply
an action twice: the second one gets a LifecycleError with a code and a message saying why,
in the language of the request, for the page to show. Suspension (a report being acted on)
lives in duos/reports/services.py; completion after the last month in the reminder sweep
(duos/followup/reminders.py).

How the calendar follows (duos/lifecycle/schedule.py): a pause stops the duo's clock and no
reminder is due while it lasts; resuming adds the pause's length in days, rounded up, to
`shift_days`. An extension adds months 7 to 9, each with its reminder, and moves the closing
email after them.

Ending early: the duo is ENDED with the reason (kept for the team), and whoever did not ask
for the end is told kindly by email (both people when the team ends it on its own). Where the
people go (documented choice):
- the refugee goes back to the validated pool with the waiting bonus of a decline
  (`services.DECLINE_WAITING_BONUS`) when `refugee_back_to_pool`, else is DUO_ENDED;
- the sponsor goes back to the pool, without a bonus, only when the refugee asked for the end
  (the sponsor is still willing); when the sponsor asked, or the team ended it on its own
  (often after a report), the sponsor is DUO_ENDED and the team decides later.
The pair is excluded from future matching runs either way.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Person, User
from duos.lifecycle import schedule
from duos.lifecycle.services import people_back_to_pool
from duos.models import Duo, LifecycleError, Side
from matching.models import Exclusion, ExclusionReason

logger = logging.getLogger(__name__)

__all__ = ["LifecycleError", "duo_end_early", "duo_extend", "duo_pause", "duo_resume"]


def duo_pause(duo: Duo, *, by: User, now: datetime | None = None) -> Duo:
    """Pause an active duo (e.g. for the summer): no reminder until it is resumed."""
    _fresh(duo).pause(now=now or timezone.now())
    logger.info("Duo %s paused by user %s", duo.pk, by.pk)
    duo.refresh_from_db()
    return duo


def duo_resume(duo: Duo, *, by: User, now: datetime | None = None) -> Duo:
    """Resume a paused duo: its calendar shifts by the pause's length in days (rounded up)."""
    fresh = _fresh(duo)
    days = schedule.pause_days(fresh.paused_at, now or timezone.now()) if fresh.paused_at else 0
    fresh.resume(days=days)
    logger.info("Duo %s resumed by user %s: calendar shifted by %s days", duo.pk, by.pk, days)
    duo.refresh_from_db()
    return duo


def duo_extend(duo: Duo, *, months: int, by: User) -> Duo:
    """Add one to three months to an active duo (at most three in all)."""
    _fresh(duo).extend(months, most=schedule.MAX_EXTRA_MONTHS)
    logger.info("Duo %s extended by %s months by user %s", duo.pk, months, by.pk)
    duo.refresh_from_db()
    return duo


def duo_end_early(
    duo: Duo,
    *,
    by: User,
    reason: str,
    ended_by_side: str | None,
    refugee_back_to_pool: bool,
    now: datetime | None = None,
) -> Duo:
    """End an active duo before its last month; see the module's docstring for who goes where.

    `ended_by_side` is the side that asked for the end, or None when the team ends it.
    """
    from duos.lifecycle.tasks import send_duo_email

    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("no_reason")
    if ended_by_side not in (None, *Side.values):
        raise LifecycleError("no_side")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _fresh(duo)
        locked.end_early(by=by, reason=reason, now=now)
        back = [locked.sponsor_id] if ended_by_side == Side.REFUGEE else []
        bonus = [locked.refugee_id] if refugee_back_to_pool else []
        people_back_to_pool(person_ids=back + bonus, bonus_ids=bonus, now=now)
        # The others' part in the programme is over for now: the team decides what follows.
        Person.objects.filter(pk__in=[locked.sponsor_id, locked.refugee_id]).duo_ended(now=now)
        Exclusion.objects.get_or_create(
            sponsor_id=locked.sponsor_id,
            refugee_id=locked.refugee_id,
            defaults={"reason": ExclusionReason.FORMER_DUO, "created_by": by},
        )
        for side in Side.values:
            if side != ended_by_side:
                send_duo_email.delay_on_commit(locked.pk, side, "duo_ended")
    logger.info("Duo %s ended early by user %s (asked by %s)", duo.pk, by.pk, ended_by_side)
    duo.refresh_from_db()
    return duo


def _fresh(duo: Duo) -> Duo:
    """The duo as the database holds it now: each method's update is conditional on it."""
    return Duo.objects.get(pk=duo.pk)
