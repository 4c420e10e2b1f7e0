"""The participants' page: their duo, its months, the next reminder, activities, the team.

A sponsor or a refugee sees their own duo at /mon-duo/; a social worker sees the duo of a
refugee they refer at /referent/duo/<person pk>/. Anybody else gets a 404. The other person's
contact details are shown only while the duo is active and not suspended by the team.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Person
from duos.activities.services import upcoming_activities
from duos.lifecycle import schedule
from duos.models import (
    OPEN_DUO_STATES,
    Answer,
    CheckIn,
    Duo,
    DuoState,
    Reminder,
    ReminderKind,
)
from duos.reports.services import RECENTLY_ENDED_DAYS

# Duos a person's page shows: the open one, else the last that started. A declined or expired
# proposal sent them back to the pool: there is nothing to follow.
SHOWN_STATES = [*OPEN_DUO_STATES, DuoState.ENDED, DuoState.COMPLETED]


ACTIVITY_LIMIT = 3


@dataclass(frozen=True)
class MonthRow:
    month: int
    starts_on: date
    last_day: date
    current: bool
    # "met", "not_yet" or "no_answer": this side's check-in for the month.
    status: str
    activity: str


def person_duo(person: Person) -> Duo | None:
    """The person's open duo, else their last duo that started; one query."""
    return (
        Duo.objects.filter(Q(sponsor=person) | Q(refugee=person), state__in=SHOWN_STATES)
        .select_related("sponsor__user", "sponsor__referrer", "refugee__user", "refugee__referrer")
        .annotate(
            open_first=Case(
                When(state__in=OPEN_DUO_STATES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-created_at")
        .first()
    )


def shared_with(duo: Duo) -> dict[str, list[str]]:
    """Languages both speak well enough (the engine's rule), and interests in common, as
    translated labels."""
    from matching import engine
    from matching.engine.vocabulary import INTERESTS, LANGUAGES, label
    from matching.services import engine_person

    now = timezone.now()
    sponsor, refugee = engine_person(duo.sponsor, now), engine_person(duo.refugee, now)
    languages = engine.shared_languages(sponsor, refugee)
    interests = sorted(sponsor.interests & refugee.interests)
    return {
        "languages": [gettext(label(LANGUAGES, code)) for code in languages],
        "interests": [gettext(label(INTERESTS, code)) for code in interests],
    }


def _windows(duo: Duo) -> list[schedule.MonthWindow]:
    """Every month of a started duo, the months added included."""
    return [schedule.month_window(duo, month) for month in range(1, schedule.duo_months(duo) + 1)]


def _status(checkin: CheckIn | None) -> str:
    if checkin is None:
        return "no_answer"
    return "met" if checkin.met else "not_yet"


def month_rows(
    duo: Duo, checkins: dict[int, CheckIn], windows: list[schedule.MonthWindow], today: date
) -> list[MonthRow]:
    """The months so far, with this side's answer for each.

    So far on the duo's clock: it stops while the duo is paused (the months after the pause
    move by its length) and when the duo ends early.
    """
    current = schedule.current_month(duo, today)
    reached = schedule.clock_day(duo, today)
    rows = []
    for each in windows:
        if each.starts_on > reached:
            break
        checkin = checkins.get(each.month)
        rows.append(
            MonthRow(
                month=each.month,
                starts_on=each.starts_on,
                last_day=each.ends_on - timedelta(days=1),
                current=each.month == current,
                status=_status(checkin),
                activity=checkin.get_activity_display() if checkin and checkin.activity else "",
            )
        )
    return rows


def open_checkin_reminder(
    duo: Duo, side: str, today: date, windows: list[schedule.MonthWindow] | None = None
) -> Reminder | None:
    """The sent reminder of the month one side may still answer from the page, if any.

    A running duo's latest month whose reminder is out and that has not closed: what the page
    offers to answer, and all that its form accepts (`checkin_from_page`).
    """
    if not duo.is_running:
        return None
    windows = windows if windows is not None else _windows(duo)
    open_months = [w.month for w in windows if w.reminder_on <= today < w.closes_on]
    if not open_months:
        return None
    return (
        Reminder.objects.filter(
            duo=duo,
            side=side,
            month=open_months[-1],
            kind=ReminderKind.MONTHLY,
            sent_at__isnull=False,
        )
        .select_related("duo")
        .first()
    )


# Why an answer from the page is refused, by code: the status and what the page says.
CHECKIN_REFUSALS = {
    "invalid": (400, _("This choice is not available. Nothing was changed.")),
    "no_duo": (404, _("There is no duo whose month can be answered. Nothing was changed.")),
    "not_yours": (404, _("This month is not yours to answer. Nothing was changed.")),
    "not_running": (
        409,
        _("The duo is not running now: there is no month to answer. Nothing was changed."),
    ),
    "closed": (409, _("This month is closed: its answer can no longer change.")),
}


class CheckInRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status, self.message = CHECKIN_REFUSALS[code]


def checkin_from_page(*, person: Person, reminder_pk: int, met: bool) -> CheckIn:
    """Record a logged-in person's answer for their open month: the email links' record.

    `reminder_pk` is the month the page showed; CheckInRefused when it is not this person's
    side of their duo, or not the month still open (it closed, or the duo stopped running).
    """
    from duos.followup.checkins import checkin_record

    duo = person_duo(person)
    if duo is None:
        raise CheckInRefused("no_duo")
    side = _side(duo, person)
    today = timezone.localdate()
    reminder = open_checkin_reminder(duo, side, today)
    if reminder is not None and reminder.pk == reminder_pk:
        return checkin_record(reminder=reminder, met=met)
    if not Reminder.objects.filter(pk=reminder_pk, duo=duo, side=side).exists():
        raise CheckInRefused("not_yours")
    raise CheckInRefused("closed" if duo.is_running else "not_running")


def _side(duo: Duo, person: Person) -> str:
    return "sponsor" if duo.sponsor_id == person.pk else "refugee"


def _open_month(
    duo: Duo, side: str, windows, today: date, checkins: dict[int, CheckIn]
) -> dict | None:
    """The open month's form: which reminder it answers, the answer on record, until when."""
    reminder = open_checkin_reminder(duo, side, today, windows)
    if reminder is None:
        return None
    checkin = checkins.get(reminder.month)
    window = windows[reminder.month - 1]
    return {
        "month": reminder.month,
        "reminder_pk": reminder.pk,
        "answer": _status(checkin),
        "last_day": window.closes_on - timedelta(days=1),
    }


def _answer_links(duo: Duo, side: str) -> dict:
    from duos.lifecycle.links import KINDS

    return {
        "accept_url": KINDS[Answer.ACCEPTED].path(duo.pk, side),
        "decline_url": KINDS[Answer.DECLINED].path(duo.pk, side),
    }


def _answer_context(duo: Duo, side: str, now) -> dict:
    """A proposed duo: the person's answer, and the links while it is still awaited."""
    context = {"own_answer": getattr(duo, f"{side}_answer"), "answer_open": duo.expires_at > now}
    if not context["own_answer"] and context["answer_open"]:
        context |= _answer_links(duo, side)
    return context


def _months_context(duo: Duo, side: str, today: date) -> dict:
    """A started duo: its months, the next reminder and the open month's check-in form."""
    windows = _windows(duo)
    next_on = schedule.next_reminder_on(duo, today)
    checkins = {c.month: c for c in CheckIn.objects.filter(duo=duo, side=side)}
    return {
        "months": month_rows(duo, checkins, windows, today),
        "month_count": len(windows),
        "last_day": windows[-1].ends_on - timedelta(days=1),
        # None while paused or suspended: nothing is sent, and a pause moves the dates.
        "next_reminder_on": next_on,
        # After the last month's reminder, the next email is the closing one (the survey).
        "next_is_closing": next_on is not None and next_on >= windows[-1].ends_on,
        "open_month": _open_month(duo, side, windows, today, checkins),
    }


def participant_context(person: Person) -> dict:
    """Everything the page shows; a constant number of queries whatever the duo's history."""
    now = timezone.now()
    today = timezone.localdate(now)
    context = {
        "person": person,
        "for_someone_else": person.user_id is None,
        "duo": None,
        "activities": [],
    }
    duo = person_duo(person)
    if duo is None:
        return context
    side = _side(duo, person)
    other = duo.refugee if side == "sponsor" else duo.sponsor
    context |= {
        "duo": duo,
        "side": side,
        "other": other,
        "other_is_referred": other.user_id is None,
        "shared": shared_with(duo),
        "waiting": duo.state == DuoState.WAITING,
        "active": duo.state == DuoState.ACTIVE,
        "suspended": duo.suspended_at is not None,
        "paused": duo.paused_at is not None,
        # Exchanged once both said yes, hidden again while the team acts on a report.
        "show_contact": duo.state == DuoState.ACTIVE and duo.suspended_at is None,
        # The report page takes open duos and those that ended recently (duos/reports/services.py).
        "can_report": duo.state in OPEN_DUO_STATES
        or (duo.ended_at is not None and duo.ended_at >= now - timedelta(days=RECENTLY_ENDED_DAYS)),
        # Group activities are open to the people of active duos.
        "activities": (
            upcoming_activities(person, now=now, limit=ACTIVITY_LIMIT)
            if duo.state == DuoState.ACTIVE
            else []
        ),
    }
    if context["show_contact"]:
        contact = other.contact_user
        context |= {"other_email": contact.email if contact else "", "other_phone": other.phone}
    if duo.state == DuoState.WAITING:
        context |= _answer_context(duo, side, now)
    elif duo.started_at is not None:
        context |= _months_context(duo, side, today)
    return context
