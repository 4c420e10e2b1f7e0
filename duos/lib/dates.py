"""Month arithmetic, the one place for it: the duo calendar, the dashboard's months, the reports
and the inactivity rule of personal data all count calendar months with `add_months`."""

import calendar as _calendar
from datetime import date
from typing import TypeVar

# A date, or a datetime (whose time and time zone are kept).
Day = TypeVar("Day", bound=date)


def add_months(day: Day, months: int) -> Day:
    """`day` plus `months` calendar months (minus, if negative), the day clamped to the month's
    last (Jan 31 + 1 = Feb 28 or 29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if day.day <= 28:  # every month has it (the follow-up page calls this thousands of times)
        return day.replace(year=year, month=month + 1)
    last = _calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def month_start(day: date, months: int = 0) -> date:
    """The first day of the month `months` away from `day`'s (0: its own month)."""
    return add_months(day.replace(day=1), months)
