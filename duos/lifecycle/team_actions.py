"""What the team does to a running duo: pause and resume it, extend it, end it early.

One service per action, each the only place its rule lives. Each locks the duo's row
(`select_for_update`) and checks its state under the lock, so two staff members clicking at
once cannot apply an action twice: the second one gets a LifecycleError saying why, in the
language of the request, for the page to show. Suspension (a report being acted on) lives in
duos/reports/services.py; completion after the last month in the reminder sweep
(duos/followup/reminders.py).

How the calendar follows (duos/lifecycle/schedule.py): a pause stops the duo's clock and no
reminder is
due while it lasts; resuming adds the pause's length in days, rounded up, to `shift_days`. An
extension adds months 7 to 9, each with its reminder, and moves the closing email after them.

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
from django.utils.translation import gettext, ngettext

from accounts.models import CandidateState, Person, User
from duos.lifecycle import schedule
from duos.lifecycle.services import people_back_to_pool
from duos.models import Duo, DuoState, Side
from matching.models import Exclusion, ExclusionReason

logger = logging.getLogger(__name__)


class LifecycleError(Exception):
    """The action is not allowed now; `message` (translated) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def duo_pause(duo: Duo, *, by: User, now: datetime | None = None) -> Duo:
    """Pause an active duo (e.g. for the summer): no reminder until it is resumed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_running(duo)
        if locked.paused_at is not None:
            raise LifecycleError(gettext("This duo is already paused."))
        locked.paused_at = now
        locked.save(update_fields=["paused_at"])
    logger.info("Duo %s paused by user %s", duo.pk, by.pk)
    duo.refresh_from_db()
    return duo


def duo_resume(duo: Duo, *, by: User, now: datetime | None = None) -> Duo:
    """Resume a paused duo: its calendar shifts by the pause's length in days (rounded up)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_running(duo)
        if locked.paused_at is None:
            raise LifecycleError(gettext("This duo is not paused."))
        days = schedule.pause_days(locked.paused_at, now)
        locked.shift_days += days
        locked.paused_at = None
        locked.save(update_fields=["shift_days", "paused_at"])
    logger.info("Duo %s resumed by user %s: calendar shifted by %s days", duo.pk, by.pk, days)
    duo.refresh_from_db()
    return duo


def duo_extend(duo: Duo, *, months: int, by: User) -> Duo:
    """Add one to three months to an active duo (at most three in all)."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 3:
        raise LifecycleError(gettext("A duo can be extended by one, two or three months."))
    with transaction.atomic():
        locked = _lock_running(duo)
        room = schedule.MAX_EXTRA_MONTHS - locked.extra_months
        if months > room:
            if room == 0:
                message = gettext(
                    "This duo was already extended by three months: that is the most."
                )
            else:
                message = ngettext(
                    "This duo can be extended by %(room)d more month only.",
                    "This duo can be extended by %(room)d more months only.",
                    room,
                ) % {"room": room}
            raise LifecycleError(message)
        locked.extra_months += months
        locked.save(update_fields=["extra_months"])
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
        raise LifecycleError(gettext("Please say why the duo ends: the team keeps it on file."))
    if ended_by_side not in (None, *Side.values):
        raise LifecycleError(gettext("Please say who asked to end the duo."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_running(duo)
        locked.state = DuoState.ENDED
        locked.ended_at = now
        locked.end_reason = reason
        locked.ended_by = by
        locked.save(update_fields=["state", "ended_at", "end_reason", "ended_by"])
        back = [locked.sponsor_id] if ended_by_side == Side.REFUGEE else []
        bonus = []
        if refugee_back_to_pool:
            back.append(locked.refugee_id)
            bonus.append(locked.refugee_id)
        people_back_to_pool(person_ids=back, bonus_ids=bonus, now=now)
        # The others' part in the programme is over for now: the team decides what follows.
        Person.objects.filter(
            pk__in=[locked.sponsor_id, locked.refugee_id], state=CandidateState.IN_DUO
        ).update(state=CandidateState.DUO_ENDED, state_changed_at=now)
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


def _lock_running(duo: Duo) -> Duo:
    """The duo's row, locked until the transaction ends; LifecycleError unless it is active."""
    locked = Duo.objects.select_for_update().get(pk=duo.pk)
    if locked.state != DuoState.ACTIVE:
        raise LifecycleError(_not_active_message(locked))
    return locked


def _not_active_message(duo: Duo) -> str:
    if duo.state == DuoState.ENDED:
        return gettext("This duo has already ended: nothing was changed.")
    if duo.state == DuoState.COMPLETED:
        return gettext("This duo is completed: nothing was changed.")
    return gettext("This duo has not started: nothing was changed.")
