"""What the programme team reads to follow the duos: a timeline per duo and who to call first.

No query here: duos/followup/selectors.py reads the duos, their check-ins and open reports (a
fixed number of queries for a whole page) and ranks them with what this module works out.

The timeline has one cell per month of the duo (6, plus the months staff added):

- met: either side answered "we met" (or staff recorded their attendance at a group activity);
- not yet: someone answered, nobody reported a meeting;
- no answer: the month's reminder went out (day 21) and nobody answered, whether the month is
  still open or closed;
- future: the month's reminder is not due yet;
- not held: the duo ended before the month's reminder was due.

A paused duo's clock stops on the day of the pause (its calendar shifts when it resumes); an
ended duo's on the day it ended.

The call queue ranks duos by a score, the sum of these signals (each shown in words):

- no meeting reported for two months in a row or more: 3 points per month of the streak. The
  streak counts back from the latest month that says something: a closed month without a
  meeting, or an open month someone answered "not yet"; a month with a meeting ends it, an open
  month with no answer yet is skipped (people may still answer);
- unanswered check-ins: 2 points per closed month with no answer from either side (such a
  month also counts in the streak above: silence is worse than "not yet");
- a low mid-way answer: 4 points when either side answered 2 or less out of 5 in month 3,
  5 points for a 1;
- open reports (status other than closed): 4 points each, 10 for an urgent one.

Ties go to the duo that started first.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from duos.lifecycle import schedule
from duos.models import CheckIn, Duo, DuoState, Side

# A month's status (the module's docstring says when each applies).
MET = "met"
NOT_YET = "not_yet"
NO_ANSWER = "no_answer"
FUTURE = "future"
NOT_HELD = "not_held"

# The call queue's points (the docstring's rules; `score_legend` says them in words).
STREAK_MIN = 2
STREAK_POINTS = 3
UNANSWERED_POINTS = 2
LOW_MOOD_MAX = 2
LOW_MOOD_POINTS = 4
LOWEST_MOOD_POINTS = 5
REPORT_POINTS = 4
URGENT_REPORT_POINTS = 10


def score_legend() -> list[str]:
    """How the call queue's score is counted, in words, from the points the signals give."""
    return [
        _("No meeting for %(months)d months in a row or more: %(points)d points per month.")
        % {"months": STREAK_MIN, "points": STREAK_POINTS},
        _("A closed month that nobody answered: %(points)d points each.")
        % {"points": UNANSWERED_POINTS},
        _("A mid-way rating of %(max)d out of 5 or less: %(points)d points, %(lowest)d for a 1.")
        % {"max": LOW_MOOD_MAX, "points": LOW_MOOD_POINTS, "lowest": LOWEST_MOOD_POINTS},
        _("An open report: %(points)d points each, %(urgent)d for an urgent one.")
        % {"points": REPORT_POINTS, "urgent": URGENT_REPORT_POINTS},
    ]


# Lazy, translated when read: a page shows hundreds of cells, each reading one label.
STATUS_LABELS = {
    MET: gettext_lazy("met"),
    NOT_YET: gettext_lazy("not yet"),
    NO_ANSWER: gettext_lazy("no answer"),
    FUTURE: gettext_lazy("to come"),
    NOT_HELD: gettext_lazy("not held"),
}


def status_labels() -> dict[str, str]:
    return {status: str(label) for status, label in STATUS_LABELS.items()}


@dataclass
class MonthCell:
    month: int
    status: str
    starts_on: date
    ends_on: date
    # The reminder went out and the check-in still takes answers.
    open: bool
    # The check-in no longer takes answers.
    closed: bool
    # The month the duo is in now.
    current: bool
    # The month's check-ins: CheckIn instances or rows with their month, side, met and mood.
    checkins: list[CheckIn] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def name(self) -> str:
        # Not a {% blocktranslate %} in the timeline's template: the follow-up page shows 300
        # cells, and the tag cost more than all the rest of a cell.
        return _("Month %(month)s") % {"month": self.month}


@dataclass
class Signal:
    code: str
    points: int
    text: str

    @property
    def points_text(self) -> str:
        # Not a {% blocktranslate %} in the follow-up page: it shows some sixty.
        return ngettext("%(points)s point", "%(points)s points", self.points) % {
            "points": self.points
        }


@dataclass
class DuoFollowup:
    duo: Duo
    months: list[MonthCell]
    signals: list[Signal]
    open_reports: int = 0
    urgent_reports: int = 0

    @property
    def score(self) -> int:
        return sum(signal.points for signal in self.signals)

    @property
    def score_text(self) -> str:
        return ngettext(
            "Call score: %(points)s point", "Call score: %(points)s points", self.score
        ) % {"points": self.score}

    @property
    def current_month(self) -> int | None:
        return next((cell.month for cell in self.months if cell.current), None)

    @property
    def unreachable(self) -> list[str]:
        """The sides whose emails bounce (to themselves or to their social worker)."""
        return [side for side, user in contact_users(self.duo).items() if bounced(user)]


def contact_users(duo: Duo) -> dict[str, object]:
    return {Side.SPONSOR: duo.sponsor.contact_user, Side.REFUGEE: duo.refugee.contact_user}


def bounced(user) -> bool:
    return user is not None and user.email_bounced_at is not None


def _ended(duo) -> bool:
    return duo.state in (DuoState.ENDED, DuoState.EXPIRED, DuoState.DECLINED)


class MonthStatus(NamedTuple):
    """What the signals read of a month, MonthCell's fields of the same names: the follow-up
    page ranks every active duo on these and builds the MonthCells of the rows it shows."""

    window: schedule.MonthWindow
    status: str
    closed: bool
    checkins: list

    @property
    def month(self) -> int:
        return self.window.month


def by_month(checkins) -> dict[int, list]:
    """Check-ins by month, each month's in their order."""
    grouped: dict[int, list] = defaultdict(list)
    for checkin in checkins:
        grouped[checkin.month].append(checkin)
    return grouped


def sponsor_first(checkin) -> bool:
    return checkin.side != Side.SPONSOR


def month_statuses(
    duo,
    checkins: dict[int, list],
    *,
    today: date,
    windows: dict | None = None,
    zone: tzinfo | None = None,
) -> list[MonthStatus]:
    """Each month's status of a started duo (`duo`: a Duo or a row with its CLOCK_FIELDS);
    `checkins`: the duo's by month (`by_month`). `windows`, kept from call to call, holds the
    months of each start date worked out once (duos start on the same days); `zone`, the
    current time zone (schedule.start_date)."""
    if duo.started_at is None:
        return []
    clock = schedule.clock_day(duo, today, zone=zone)
    ended = _ended(duo)
    # schedule.month_window(duo, month) of each month, its start worked out once.
    start, months = schedule.duo_start(duo, zone=zone), schedule.duo_months(duo)
    if windows is None:
        each = schedule.windows(start, months)
    elif (each := windows.get((start, months))) is None:
        each = windows[start, months] = schedule.windows(start, months)
    statuses = []
    for window in each:
        answers = checkins.get(window.month, [])
        asked = clock >= window.reminder_on
        if answers:
            status = MET if any(checkin.met for checkin in answers) else NOT_YET
        elif ended and not asked:
            status = NOT_HELD
        elif asked:
            status = NO_ANSWER
        else:
            status = FUTURE
        statuses.append(MonthStatus(window, status, clock >= window.closes_on, answers))
    return statuses


def timeline(
    duo, checkins: list[CheckIn], *, today: date, windows: dict | None = None
) -> list[MonthCell]:
    """One cell per month of a started duo; `checkins` are the duo's, in any order."""
    return cells(
        duo,
        by_month(sorted(checkins, key=lambda c: (c.month, sponsor_first(c)))),
        today=today,
        windows=windows,
    )


def cells(duo, checkins: dict[int, list], *, today: date, windows: dict | None) -> list[MonthCell]:
    """`timeline` of the duo's check-ins by month, each month's in the order its cell keeps."""
    statuses = month_statuses(duo, checkins, today=today, windows=windows)
    if not statuses:
        return []
    clock = schedule.clock_day(duo, today)
    ended = _ended(duo)
    return [
        MonthCell(
            month=window.month,
            status=status,
            starts_on=window.starts_on,
            ends_on=window.ends_on,
            open=clock >= window.reminder_on and not closed and not ended,
            closed=closed,
            current=window.starts_on <= clock < window.ends_on and not ended,
            checkins=answers,
        )
        for window, status, closed, answers in statuses
    ]


def _months_text(months: list[int]) -> str:
    return ", ".join(str(month) for month in months)


def signals(months: list[MonthCell], *, open_reports: int, urgent_reports: int) -> list[Signal]:
    """Why call this duo, strongest first; empty when nothing calls for it."""
    found = [
        _no_meeting_signal(months),
        _unanswered_signal(months),
        _low_midway_signal(months),
        _report_signal(open_reports, urgent_reports),
    ]
    return sorted((s for s in found if s is not None), key=lambda signal: -signal.points)


def score(months: list[MonthStatus], *, open_reports: int, urgent_reports: int) -> int:
    """The points of `signals`, without wording them: what ranks every active duo."""
    streak, lowest = _no_meeting_streak(months), _lowest_midway(months)
    return (
        _streak_points(streak)
        + UNANSWERED_POINTS * len(_unanswered_months(months))
        + (_mood_points(lowest) if lowest else 0)
        + _report_points(open_reports, urgent_reports)
    )


def _no_meeting_streak(months: list[MonthCell]) -> list[int]:
    """The latest months in a row with no meeting reported (a month not answered counts once
    it has closed), the latest first."""
    streak: list[int] = []
    for cell in reversed(months):
        if cell.status == MET:
            break
        if cell.status == NOT_YET or (cell.status == NO_ANSWER and cell.closed):
            streak.append(cell.month)
    return streak


def _streak_points(streak: list[int]) -> int:
    return STREAK_POINTS * len(streak) if len(streak) >= STREAK_MIN else 0


def _no_meeting_signal(months: list[MonthCell]) -> Signal | None:
    streak = _no_meeting_streak(months)
    if not _streak_points(streak):
        return None
    first, last = min(streak), max(streak)
    return Signal(
        "no_meeting",
        _streak_points(streak),
        ngettext(
            "No meeting reported for %(count)d month in a row (months %(first)d to %(last)d).",
            "No meeting reported for %(count)d months in a row (months %(first)d to %(last)d).",
            len(streak),
        )
        % {"count": len(streak), "first": first, "last": last},
    )


def _unanswered_months(months: list[MonthCell]) -> list[int]:
    return [cell.month for cell in months if cell.status == NO_ANSWER and cell.closed]


def _unanswered_signal(months: list[MonthCell]) -> Signal | None:
    unanswered = _unanswered_months(months)
    if not unanswered:
        return None
    return Signal(
        "unanswered",
        UNANSWERED_POINTS * len(unanswered),
        ngettext(
            "%(count)d month closed with no answer from either side (month %(months)s).",
            "%(count)d months closed with no answer from either side (months %(months)s).",
            len(unanswered),
        )
        % {"count": len(unanswered), "months": _months_text(unanswered)},
    )


def _lowest_midway(months: list[MonthCell]):
    """The mid-way check-in with the lowest mood of LOW_MOOD_MAX or less, if any (the first of
    equals)."""
    midway = next((cell for cell in months if cell.month == schedule.MIDWAY_MONTH), None)
    low = [
        checkin
        for checkin in (midway.checkins if midway else [])
        if checkin.mood is not None and checkin.mood <= LOW_MOOD_MAX
    ]
    return min(low, key=lambda checkin: checkin.mood) if low else None


def _mood_points(lowest) -> int:
    return LOWEST_MOOD_POINTS if lowest.mood == 1 else LOW_MOOD_POINTS


def _low_midway_signal(months: list[MonthCell]) -> Signal | None:
    lowest = _lowest_midway(months)
    if lowest is None:
        return None
    side_names = {Side.SPONSOR: _("the sponsor"), Side.REFUGEE: _("the refugee")}
    return Signal(
        "low_midway",
        _mood_points(lowest),
        _("Low mid-way answer: %(side)s said it goes %(mood)d out of 5.")
        % {"side": side_names[lowest.side], "mood": lowest.mood},
    )


def _report_points(open_reports: int, urgent: int) -> int:
    return URGENT_REPORT_POINTS * urgent + REPORT_POINTS * (open_reports - urgent)


def _report_signal(open_reports: int, urgent: int) -> Signal | None:
    if not open_reports:
        return None
    plain = open_reports - urgent
    if urgent:
        text = ngettext(
            "%(count)d urgent report is open.", "%(count)d urgent reports are open.", urgent
        ) % {"count": urgent}
        if plain:
            text += " " + ngettext(
                "And %(count)d other report.", "And %(count)d other reports.", plain
            ) % {"count": plain}
    else:
        text = ngettext("%(count)d report is open.", "%(count)d reports are open.", plain) % {
            "count": plain
        }
    return Signal("open_report", _report_points(open_reports, urgent), text)
