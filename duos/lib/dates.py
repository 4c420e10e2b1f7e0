"""Date arithmetic shared by the duo calendar, the reports and the dashboard."""

import calendar as _calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, the day clamped to the month's last (Jan 31 + 1 =
    Feb 28 or 29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))
