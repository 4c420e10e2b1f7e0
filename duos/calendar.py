"""A duo's six months: when each starts and ends, when its reminder is due, when it closes.

Month k (1 to 6) runs from the start date plus k-1 calendar months to the start plus k months
(the end is exclusive). Its reminder and check-in are due on its day 21 (the start being day 1),
and it closes 14 days after it ends: its links expire then. The start date is the local date
the duo started, pushed back by `Duo.shift_days`, the one place pauses and extensions will act.

Pure functions of dates: no query, so the reminder sweep computes them for a batch in Python.
"""

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

MONTHS = 6
# The reminder goes on day 21 of each month: 20 days after the month starts.
REMINDER_AFTER_DAYS = 20
# A month's check-in stays open this long after the month ends.
CLOSE_AFTER_DAYS = 14
# The month of the reminder that also asks "how is it going?".
MIDWAY_MONTH = 3


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, the day clamped to the month's last (Jan 31 + 1 =
    Feb 28 or 29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


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


def start_date(started_at: datetime, shift_days: int = 0) -> date:
    """Day 1 of month 1: the local date the duo started, pushed back by its shift."""
    return timezone.localdate(started_at) + timedelta(days=shift_days)


def window(start: date, month: int) -> MonthWindow:
    if not 1 <= month <= MONTHS:
        raise ValueError(f"A duo has months 1 to {MONTHS}, not {month}.")
    # Each month from the start, not from the previous month: Jan 31, Feb 28, Mar 31.
    starts_on, ends_on = add_months(start, month - 1), add_months(start, month)
    return MonthWindow(
        month=month,
        starts_on=starts_on,
        ends_on=ends_on,
        reminder_on=starts_on + timedelta(days=REMINDER_AFTER_DAYS),
        closes_on=ends_on + timedelta(days=CLOSE_AFTER_DAYS),
    )


def month_window(duo, month: int) -> MonthWindow:
    """Month `month` of an started duo."""
    if duo.started_at is None:
        raise ValueError("The duo has not started.")
    return window(start_date(duo.started_at, duo.shift_days), month)


def due_month(start: date, today: date) -> int | None:
    """The month whose reminder is due on `today` and still open, if any.

    At most one: month k closes on day 14 of month k+1, before month k+1's day 21.
    """
    for month in range(1, MONTHS + 1):
        each = window(start, month)
        if each.reminder_on <= today < each.closes_on:
            return month
        if today < each.reminder_on:
            return None
    return None
