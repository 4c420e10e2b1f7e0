"""A duo's months: when each starts and ends, when its reminder is due, when it closes.

Month k (1 to `duo_months(duo)`: six, plus up to three months added by staff) runs from the
start date plus k-1 calendar months to the start plus k months (the end is exclusive). Its
reminder and check-in are due on its day 21 (the start being day 1), and it closes 14 days
after it ends: its links expire then. When the last month ends, the closing email (with the
survey) is due instead of a further reminder.

The start date is the local date the duo started, pushed back by `Duo.shift_days`. A pause
stops the duo's clock: while `Duo.paused_at` is set no reminder is due, and on resume the
pause's length in days, rounded up (`pause_days`), is added to `shift_days`, so every month
still to come (and the close of the month the pause interrupted) moves by as much.

Pure functions of a duo's fields and of dates: no query, so the reminder sweep computes them
for a batch in Python and pages call them on duos they already hold.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from duos.lib.dates import add_months

MONTHS = 6


# Staff may add one to three months to a duo.
MAX_EXTRA_MONTHS = 3


# The reminder goes on day 21 of each month: 20 days after the month starts.
REMINDER_AFTER_DAYS = 20


# A month's check-in stays open this long after the month ends.
CLOSE_AFTER_DAYS = 14


# The month of the reminder that also asks "how is it going?".
MIDWAY_MONTH = 3


@dataclass(frozen=True)
class MonthWindow:
    month: int
    starts_on: date
    ends_on: date  # exclusive: the next month's first day
    reminder_on: date
    closes_on: date  # the first day the check-in is closed

    def reminder_at(self) -> datetime:
        return _local_midnight(self.reminder_on)

    def closes_at(self) -> datetime:
        return _local_midnight(self.closes_on)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def duo_months(duo) -> int:
    """How many months the duo lasts: six plus the months staff added."""
    return MONTHS + (duo.extra_months or 0)


def start_date(started_at: datetime, shift_days: int = 0, *, zone: tzinfo | None = None) -> date:
    """Day 1 of month 1: the local date the duo started, pushed back by its shift. `zone`:
    the current time zone, given by a caller that reads hundreds of duos (looking it up costs
    more than the rest)."""
    return timezone.localdate(started_at, zone) + timedelta(days=shift_days)


def duo_start(duo, *, zone: tzinfo | None = None) -> date:
    """Day 1 of a started duo's month 1, on its shifted calendar."""
    return start_date(duo.started_at, duo.shift_days, zone=zone)


def window(start: date, month: int, months: int = MONTHS) -> MonthWindow:
    """Month `month` of a duo of `months` months starting on `start`."""
    if not 1 <= month <= months:
        raise ValueError(f"A duo has months 1 to {months}, not {month}.")
    # Each month from the start, not from the previous month: Jan 31, Feb 28, Mar 31.
    starts_on, ends_on = add_months(start, month - 1), add_months(start, month)
    return MonthWindow(
        month=month,
        starts_on=starts_on,
        ends_on=ends_on,
        reminder_on=starts_on + timedelta(days=REMINDER_AFTER_DAYS),
        closes_on=ends_on + timedelta(days=CLOSE_AFTER_DAYS),
    )


def windows(start: date, months: int = MONTHS) -> tuple[MonthWindow, ...]:
    """Every month of a duo of `months` months starting on `start`, in order (`window` of
    each): what a timeline reads, and what the follow-up page keeps per start date."""
    return tuple(window(start, month, months) for month in range(1, months + 1))


def month_window(duo, month: int) -> MonthWindow:
    """Month `month` (1 to `duo_months(duo)`) of a started duo, on its shifted calendar."""
    if duo.started_at is None:
        raise ValueError("The duo has not started.")
    return window(duo_start(duo), month, duo_months(duo))


def closing_on(start: date, months: int = MONTHS) -> date:
    """The day the closing email is due: the day after the last month ends."""
    return add_months(start, months)


def due_month(start: date, today: date, months: int = MONTHS) -> int | None:
    """The month whose reminder is due on `today` and still open, if any.

    At most one: month k closes on day 14 of month k+1, before month k+1's day 21.
    """
    for month in range(1, months + 1):
        each = window(start, month, months)
        if each.reminder_on <= today < each.closes_on:
            return month
        if today < each.reminder_on:
            return None
    return None


def closing_due(start: date, today: date, months: int = MONTHS) -> bool:
    """Whether the last month has ended: the closing email is due (and stays due until sent).

    No upper bound: a duo past its end (the sweep was down, or the duo was suspended then)
    is closed by the next sweep that sees it.
    """
    return today >= closing_on(start, months)


def duo_due_month(duo, today: date) -> int | None:
    """`due_month` of a started duo: the month whose reminder is due on `today`, if any."""
    return due_month(duo_start(duo), today, duo_months(duo))


def duo_closing_due(duo, today: date) -> bool:
    """`closing_due` of a started duo: whether its closing email is due on `today`."""
    return closing_due(duo_start(duo), today, duo_months(duo))


def pause_days(paused_at: datetime, now: datetime) -> int:
    """A pause's length in whole days, rounded up: what resuming adds to `shift_days`."""
    seconds = max((now - paused_at).total_seconds(), 0)
    return math.ceil(seconds / 86400)


def duo_clock(duo, now: datetime) -> datetime:
    """The moment the duo's calendar has reached: `now`, or when it was paused (its clock stops
    during a pause, and resuming shifts the calendar by as much)."""
    if duo.paused_at is not None and duo.paused_at < now:
        return duo.paused_at
    return now


def clock_day(duo, today: date, *, zone: tzinfo | None = None) -> date:
    """The day the duo's calendar has reached (a local date): `today`, or the day it was
    paused (its clock stops during a pause), or the day it ended."""
    for stopped in (duo.paused_at, duo.ended_at):
        if stopped is not None:
            today = min(today, timezone.localdate(stopped, zone))
    return today


def month_containing(duo, day: date) -> int | None:
    """The month of a started duo that contains `day` (a local date), if any; unlike
    `current_month`, whatever the duo's clock says (a group activity's date, say)."""
    if duo.started_at is None:
        return None
    for month in range(1, duo_months(duo) + 1):
        each = month_window(duo, month)
        if each.starts_on <= day < each.ends_on:
            return month
        if day < each.starts_on:
            return None
    return None


def current_month(duo, today: date) -> int | None:
    """The month the duo is in on `today` (a local date), or None.

    None before it starts and after its last month. A paused duo stays in the month it was
    paused in; a duo that ended early stays in the month it ended in (None once completed,
    which happens after its last month).
    """
    if duo.started_at is None:
        return None
    today = clock_day(duo, today)
    start = duo_start(duo)
    months = duo_months(duo)
    if not start <= today < closing_on(start, months):
        return None
    # The months are contiguous from the start: the first whose end is after today.
    for month in range(1, months + 1):
        if today < add_months(start, month):
            return month
    return None  # pragma: no cover (closing_on is the last month's end)


def next_reminder_on(duo, today: date) -> date | None:
    """The day of the next email the sweep will send the duo, from `today` (a local date):
    the next month's reminder, else the closing email once the last reminder is past.

    None when the duo is not running (paused, suspended, ended, completed or not started):
    no reminder is due then, and a pause moves the calendar by an amount not known yet.
    """
    if not duo.is_running or duo.started_at is None:
        return None
    start = duo_start(duo)
    months = duo_months(duo)
    for month in range(1, months + 1):
        reminder_on = window(start, month, months).reminder_on
        if today <= reminder_on:
            return reminder_on
    return max(today, closing_on(start, months))
