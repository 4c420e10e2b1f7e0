"""The participants' page: their duo, its months, the next reminder, activities, the team.

A sponsor or a refugee sees their own duo at /mon-duo/; a social worker sees the duo of a
refugee they refer at /referent/duo/<person pk>/. Anybody else gets a 404. The other person's
contact details are shown only while the duo is active and not suspended by the team.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

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
        if checkin is None:
            status = "no_answer"
        elif checkin.met:
            status = "met"
        else:
            status = "not_yet"
        rows.append(
            MonthRow(
                month=each.month,
                starts_on=each.starts_on,
                last_day=each.ends_on - timedelta(days=1),
                current=each.month == current,
                status=status,
                activity=checkin.get_activity_display() if checkin and checkin.activity else "",
            )
        )
    return rows


def _open_checkin_links(duo: Duo, side: str, windows, today: date) -> dict | None:
    """The "we met" and "not yet" links of the month still open, once its reminder is sent."""
    from duos.followup.checkins import checkin_token
    from duos.followup.timeline import MET, NOT_YET

    if not duo.is_running:
        return None
    open_months = [w.month for w in windows if w.reminder_on <= today < w.closes_on]
    if not open_months:
        return None
    reminder = (
        Reminder.objects.filter(
            duo=duo,
            side=side,
            month=open_months[-1],
            kind=ReminderKind.MONTHLY,
            sent_at__isnull=False,
        )
        .only("pk", "month")
        .first()
    )
    if reminder is None:
        return None
    return {
        "month": reminder.month,
        "met_url": reverse("duos:checkin", args=[checkin_token(reminder, MET)]),
        "not_yet_url": reverse("duos:checkin", args=[checkin_token(reminder, NOT_YET)]),
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
    """A started duo: its months, the next reminder and the open month's check-in links."""
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
        "checkin_links": _open_checkin_links(duo, side, windows, today),
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
    side = "sponsor" if duo.sponsor_id == person.pk else "refugee"
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
