"""Monthly check-ins: the signed "we met" / "not yet" links and the record they write."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from duos.followup.timeline import MET, NOT_YET
from duos.lib.links import CHECKIN, LinkExpired, LinkInvalid, LinkKind
from duos.lifecycle import schedule
from duos.models import Activity, CheckIn, Duo, DuoState, Reminder, ReminderKind


@dataclass(frozen=True)
class CheckInLink:
    reminder: Reminder
    met: bool

    @property
    def duo(self) -> Duo:
        return self.reminder.duo

    @property
    def window(self) -> schedule.MonthWindow:
        return schedule.month_window(self.reminder.duo, self.reminder.month)


def checkin_token(reminder: Reminder, answer: str) -> str:
    return CHECKIN.token(reminder.pk, answer)


def checkin_url(reminder: Reminder, answer: str) -> str:
    return CHECKIN.url(reminder.pk, answer)


def checkin_link(kind: LinkKind, payload: dict, *, now: datetime | None = None) -> CheckInLink:
    """The reminder and answer a link carries; LinkExpired once its month has closed.

    The link lives until its month closes, which the calendar says. A paused duo's clock
    stops at the pause (`schedule.duo_clock`): a month whose close would fall during the
    pause stays open, and resuming moves its close later by the pause's length.
    """
    if payload["a"] not in (MET, NOT_YET):
        raise LinkInvalid
    reminder = (
        Reminder.objects.select_related("duo__sponsor", "duo__refugee")
        .filter(pk=payload["r"])
        .first()
    )
    if reminder is None:
        raise LinkInvalid
    link = CheckInLink(reminder=reminder, met=payload["a"] == MET)
    if reminder.duo.state not in (DuoState.ACTIVE, DuoState.COMPLETED):
        raise LinkExpired
    if reminder.kind != ReminderKind.MONTHLY:
        raise LinkInvalid
    clock = schedule.duo_clock(reminder.duo, now or timezone.now())
    if clock >= link.window.closes_at():
        raise LinkExpired
    return link


def checkin_record(
    *,
    reminder: Reminder,
    met: bool,
    activity: str = "",
    mood: int | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Record (or change) one side's answer for a month; what is not given is kept.

    "Not yet" clears the activity: there was none. The mood is asked in month 3 only.
    """
    if activity and (not met or activity not in Activity.values):
        raise ValueError(f"{activity=} with {met=}")
    if mood is not None and (reminder.month != schedule.MIDWAY_MONTH or not 1 <= mood <= 5):
        raise ValueError(f"{mood=} in month {reminder.month}")
    now = now or timezone.now()
    key = {"duo_id": reminder.duo_id, "month": reminder.month, "side": reminder.side}
    with transaction.atomic():
        checkin = CheckIn.objects.select_for_update().filter(**key).first()
        if checkin is None:
            try:
                with transaction.atomic():
                    return CheckIn.objects.create(
                        **key, met=met, activity=activity, mood=mood, answered_at=now
                    )
            except IntegrityError:
                # The other link of the same email, clicked at the same moment: update it.
                checkin = CheckIn.objects.select_for_update().get(**key)
        before = (checkin.met, checkin.activity, checkin.mood)
        checkin.met = met
        checkin.activity = activity or (checkin.activity if met else "")
        if mood is not None:
            checkin.mood = mood
        if (checkin.met, checkin.activity, checkin.mood) != before:
            checkin.changed_at = now
            checkin.save(update_fields=["met", "activity", "mood", "changed_at"])
    return checkin
