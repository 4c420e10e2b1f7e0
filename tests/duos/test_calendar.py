"""A duo's six months: month-end starts, the reminder day, the close, and no seventh month."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duos.lib.dates import add_months
from duos.lifecycle import schedule
from duos.lifecycle.schedule import due_month, window
from duos.models import Duo, DuoState

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 10, 1), 6, date(2026, 4, 1)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
    ],
)
def test_add_months_clamps_the_day(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 24))
def test_add_months_lands_in_the_right_month_never_later_than_the_day(day, months):
    result = add_months(day, months)

    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result.day == day.day or result.day >= 28


def test_calendar_months_follow_the_start_without_drifting():
    # Each month from the start: Jan 31 gives Feb 28 then Mar 31, not Mar 28.
    start = date(2025, 1, 31)

    starts = [window(start, k).starts_on for k in range(1, 7)]

    assert starts == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
        date(2025, 6, 30),
    ]
    assert window(start, 6).ends_on == date(2025, 7, 31)


def test_calendar_months_are_contiguous():
    start = date(2024, 8, 31)

    for k in range(1, 6):
        assert window(start, k).ends_on == window(start, k + 1).starts_on


def test_calendar_reminder_on_day_21_and_close_14_days_after_the_end():
    month = window(date(2025, 3, 10), 2)

    assert month.starts_on == date(2025, 4, 10)
    assert month.ends_on == date(2025, 5, 10)
    # Day 21 counting the start as day 1.
    assert month.reminder_on == date(2025, 4, 30)
    assert (month.reminder_on - month.starts_on).days + 1 == 21
    assert month.closes_on == date(2025, 5, 24)


def test_calendar_has_six_months_only():
    with pytest.raises(ValueError, match="not 7"):
        window(date(2025, 1, 1), 7)
    with pytest.raises(ValueError, match="not 0"):
        window(date(2025, 1, 1), 0)


def test_calendar_due_month_on_each_reminder_day_and_never_a_seventh():
    start = date(2025, 1, 31)
    due = {}
    day = start
    while day < date(2026, 1, 1):
        month = due_month(start, day)
        if month is not None and month not in due:
            due[month] = day
        day += timedelta(days=1)

    assert due == {k: window(start, k).reminder_on for k in range(1, 7)}
    assert max(due) == schedule.MONTHS


def test_calendar_due_month_until_the_close_only():
    start = date(2025, 3, 10)
    month = window(start, 2)

    assert due_month(start, month.reminder_on - timedelta(days=1)) is None
    assert due_month(start, month.reminder_on) == 2
    assert due_month(start, month.closes_on - timedelta(days=1)) == 2
    # Month 2 is closed and month 3's reminder is not due yet.
    assert due_month(start, month.closes_on) is None
    assert due_month(start, window(start, 6).closes_on) is None


def test_calendar_start_date_is_local_and_shifted():
    # 00:30 in Paris on Feb 1 is still Jan 31 in UTC: the local date counts.
    late = datetime(2025, 2, 1, 0, 30, tzinfo=PARIS)
    duo = Duo(started_at=late)

    assert schedule.month_window(duo, 1).starts_on == date(2025, 2, 1)
    assert schedule.month_window(duo, 2).starts_on == date(2025, 3, 1)

    duo.shift_days = 10
    assert schedule.month_window(duo, 1).starts_on == date(2025, 2, 11)


def test_calendar_month_window_needs_a_started_duo():
    with pytest.raises(ValueError, match="not started"):
        schedule.month_window(Duo(), 1)


# Extensions, pauses, closing, and the helpers of the pages -----------------------------------

START = datetime(2025, 3, 10, 18, 0, tzinfo=PARIS)


def started_duo(**fields) -> Duo:
    return Duo(**{"started_at": START, "state": DuoState.ACTIVE, **fields})


def test_calendar_duo_months_counts_the_added_months():
    assert schedule.duo_months(Duo()) == 6
    assert schedule.duo_months(Duo(extra_months=3)) == 9


def test_calendar_an_extended_duo_has_up_to_nine_months():
    duo = started_duo(extra_months=3)

    assert schedule.month_window(duo, 9).starts_on == date(2025, 11, 10)
    assert schedule.month_window(duo, 9).ends_on == date(2025, 12, 10)
    with pytest.raises(ValueError, match="not 10"):
        schedule.month_window(duo, 10)
    with pytest.raises(ValueError, match="not 7"):
        schedule.month_window(started_duo(), 7)


def test_calendar_due_month_runs_to_the_added_months():
    start = date(2025, 3, 10)

    assert due_month(start, window(start, 7, 7).reminder_on) is None
    assert due_month(start, window(start, 7, 7).reminder_on, 7) == 7
    assert due_month(start, window(start, 8, 8).reminder_on, 8) == 8
    assert due_month(start, window(start, 8, 8).closes_on, 8) is None


def test_calendar_closing_is_due_when_the_last_month_ends_and_stays_due():
    start = date(2025, 3, 10)

    assert schedule.closing_on(start) == window(start, 6).ends_on == date(2025, 9, 10)
    assert not schedule.closing_due(start, date(2025, 9, 9))
    assert schedule.closing_due(start, date(2025, 9, 10))
    assert schedule.closing_due(start, date(2026, 1, 1))
    # Extended by two months: no closing at six months, at eight.
    assert not schedule.closing_due(start, date(2025, 9, 10), 8)
    assert schedule.closing_on(start, 8) == date(2025, 11, 10)


@pytest.mark.parametrize(
    ("hours", "days"), [(0, 0), (0.01, 1), (1, 1), (24, 1), (24.5, 2), (24 * 40, 40)]
)
def test_calendar_pause_days_are_rounded_up(hours, days):
    paused_at = START

    assert schedule.pause_days(paused_at, paused_at + timedelta(hours=hours)) == days


def test_calendar_a_resumed_pause_shifts_every_month_still_to_come():
    # Paused 31 days, then resumed: the shift is what resuming writes.
    duo = started_duo(shift_days=31)

    assert schedule.month_window(duo, 1).starts_on == date(2025, 4, 10)
    assert schedule.month_window(duo, 1).reminder_on == date(2025, 4, 30)
    assert schedule.month_window(duo, 2).closes_on == date(2025, 6, 24)
    assert [schedule.month_window(duo, k) for k in range(1, 7)] == [
        window(date(2025, 4, 10), k) for k in range(1, 7)
    ]
    assert schedule.next_reminder_on(duo, date(2025, 8, 31)) == date(2025, 9, 30)


def test_calendar_current_month_follows_the_start():
    duo = started_duo()

    assert schedule.current_month(Duo(), date(2025, 3, 10)) is None
    assert schedule.current_month(duo, date(2025, 3, 9)) is None
    assert schedule.current_month(duo, date(2025, 3, 10)) == 1
    assert schedule.current_month(duo, date(2025, 4, 9)) == 1
    assert schedule.current_month(duo, date(2025, 4, 10)) == 2
    assert schedule.current_month(duo, date(2025, 9, 9)) == 6
    assert schedule.current_month(duo, date(2025, 9, 10)) is None
    duo.extra_months = 1
    assert schedule.current_month(duo, date(2025, 9, 10)) == 7


def test_calendar_current_month_stands_still_while_paused_or_once_ended():
    paused = started_duo(paused_at=datetime(2025, 5, 1, 12, 0, tzinfo=PARIS))
    ended = started_duo(state=DuoState.ENDED, ended_at=datetime(2025, 4, 20, tzinfo=PARIS))

    assert schedule.current_month(paused, date(2025, 8, 1)) == 2
    assert schedule.current_month(ended, date(2025, 8, 1)) == 2


def test_calendar_next_reminder_is_the_next_day_21_then_the_closing():
    duo = started_duo()

    assert schedule.next_reminder_on(duo, date(2025, 3, 10)) == date(2025, 3, 30)
    assert schedule.next_reminder_on(duo, date(2025, 3, 30)) == date(2025, 3, 30)
    assert schedule.next_reminder_on(duo, date(2025, 3, 31)) == date(2025, 4, 30)
    # After month 6's reminder, the closing email.
    assert schedule.next_reminder_on(duo, date(2025, 8, 31)) == date(2025, 9, 10)
    duo.extra_months = 1
    assert schedule.next_reminder_on(duo, date(2025, 8, 31)) == date(2025, 9, 30)
    duo.shift_days = 10
    assert schedule.next_reminder_on(duo, date(2025, 3, 31)) == date(2025, 4, 9)


@pytest.mark.parametrize(
    "fields",
    [
        {"paused_at": START},
        {"suspended_at": START},
        {"state": DuoState.ENDED},
        {"state": DuoState.COMPLETED},
        {"started_at": None, "state": DuoState.WAITING},
    ],
)
def test_calendar_no_next_reminder_unless_running(fields):
    duo = started_duo()
    for name, value in fields.items():
        setattr(duo, name, value)

    assert schedule.next_reminder_on(duo, date(2025, 3, 20)) is None


def test_calendar_a_paused_duos_clock_stops_at_the_pause():
    paused_at = datetime(2025, 5, 1, 12, 0, tzinfo=PARIS)
    later = paused_at + timedelta(days=40)

    assert schedule.duo_clock(started_duo(), later) == later
    assert schedule.duo_clock(started_duo(paused_at=paused_at), later) == paused_at
