"""Monthly check-ins: the signed "we met" / "not yet" links and the record they write."""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from duos.followup.timeline import MET, NOT_YET
from duos.lib.emails import token_url
from duos.lifecycle import schedule
from duos.models import Activity, CheckIn, Duo, DuoState, Reminder, ReminderKind

_TOKEN_SALT = "duos.checkin"  # noqa: S105  (a namespace, not a secret)


class InvalidCheckInLink(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


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
    return signing.dumps({"r": reminder.pk, "a": answer}, salt=_TOKEN_SALT)


def checkin_url(reminder: Reminder, answer: str) -> str:
    return token_url("duos:checkin", checkin_token(reminder, answer))


def read_checkin_token(token: str, *, now: datetime | None = None) -> CheckInLink:
    """The reminder and answer a link carries; InvalidCheckInLink if tampered or closed.

    No max_age: the link lives until its month closes, which the calendar says. A paused
    duo's clock stops at the pause (`schedule.duo_clock`): a month whose close would fall
    during the pause stays open, and resuming moves its close later by the pause's length.
    """
    try:
        data = signing.loads(token, salt=_TOKEN_SALT)
    except signing.BadSignature as error:
        raise InvalidCheckInLink from error
    if not isinstance(data, dict) or data.get("a") not in (MET, NOT_YET):
        raise InvalidCheckInLink
    reminder = (
        Reminder.objects.select_related("duo__sponsor", "duo__refugee")
        .filter(pk=data.get("r"))
        .first()
    )
    if reminder is None:
        raise InvalidCheckInLink
    link = CheckInLink(reminder=reminder, met=data["a"] == MET)
    if reminder.duo.state not in (DuoState.ACTIVE, DuoState.COMPLETED):
        raise InvalidCheckInLink(expired=True)
    if reminder.kind != ReminderKind.MONTHLY:
        raise InvalidCheckInLink
    clock = schedule.duo_clock(reminder.duo, now or timezone.now())
    if clock >= link.window.closes_at():
        raise InvalidCheckInLink(expired=True)
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
