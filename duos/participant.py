"""The participants' page: their duo, its months, the next reminder, activities, the team.

A sponsor or a refugee sees their own duo at /mon-duo/; a social worker sees the duo of a
refugee they refer at /referent/duo/<person pk>/. Anybody else gets a 404. The other person's
contact details are shown only while the duo is active and not suspended by the team.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import get_own_person, get_referred_person
from accounts.decorators import member_required
from accounts.models import Person
from duos import calendar
from duos.models import (
    OPEN_DUO_STATES,
    Answer,
    CheckIn,
    Duo,
    DuoState,
    Reminder,
    ReminderKind,
)

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
    """Languages both speak well enough, and interests in common, as translated labels."""
    from matching.engine.vocabulary import INTERESTS, LANGUAGES, SHARED_LEVELS, label

    def spoken(person: Person) -> set[str]:
        return {
            item.get("code")
            for item in person.languages or []
            if isinstance(item, dict) and item.get("level") in SHARED_LEVELS
        }

    languages = sorted(spoken(duo.sponsor) & spoken(duo.refugee))
    interests = sorted(set(duo.sponsor.interests or []) & set(duo.refugee.interests or []))
    return {
        "languages": [gettext(label(LANGUAGES, code)) for code in languages],
        "interests": [gettext(label(INTERESTS, code)) for code in interests],
    }


# The calendar of a started duo ---------------------------------------------------------------


def _duo_months(duo: Duo) -> int:
    return getattr(calendar, "duo_months", _fallback_duo_months)(duo)


def _fallback_duo_months(duo: Duo) -> int:
    return calendar.MONTHS + duo.extra_months


def _windows(duo: Duo) -> list[calendar.MonthWindow]:
    """Every month of a started duo, extensions included."""
    start = calendar.start_date(duo.started_at, duo.shift_days)
    windows = []
    for month in range(1, _duo_months(duo) + 1):
        starts_on = calendar.add_months(start, month - 1)
        ends_on = calendar.add_months(start, month)
        windows.append(
            calendar.MonthWindow(
                month=month,
                starts_on=starts_on,
                ends_on=ends_on,
                reminder_on=starts_on + timedelta(days=calendar.REMINDER_AFTER_DAYS),
                closes_on=ends_on + timedelta(days=calendar.CLOSE_AFTER_DAYS),
            )
        )
    return windows


def _current_month(duo: Duo, windows: list[calendar.MonthWindow], today: date) -> int | None:
    if hasattr(calendar, "current_month"):
        return calendar.current_month(duo, today)
    for each in windows:
        if each.starts_on <= today < each.ends_on:
            return each.month
    return None


def _next_reminder_on(duo: Duo, windows: list[calendar.MonthWindow], today: date) -> date | None:
    """The day of the next monthly reminder; none while paused or suspended (none is sent)."""
    if duo.state != DuoState.ACTIVE or duo.paused_at or duo.suspended_at:
        return None
    if hasattr(calendar, "next_reminder_on"):
        return calendar.next_reminder_on(duo, today)
    for each in windows:
        if each.reminder_on >= today:
            return each.reminder_on
    return None


def month_rows(
    duo: Duo, side: str, checkins: dict[int, CheckIn], windows, today: date
) -> list[MonthRow]:
    """The months so far (started on or before today), with this side's answer for each."""
    current = _current_month(duo, windows, today)
    rows = []
    for each in windows:
        if each.starts_on > today:
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
    from duos.reminders import MET, NOT_YET, checkin_token

    if duo.state != DuoState.ACTIVE or duo.paused_at or duo.suspended_at:
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


def _upcoming_activities(person: Person, now) -> list:
    try:
        from duos.activities import upcoming_activities
    except ImportError:  # the group activities are not part of this build yet
        return []
    return list(upcoming_activities(person, now=now, limit=ACTIVITY_LIMIT))


def _answer_links(duo: Duo, side: str) -> dict:
    from duos.services import answer_token

    return {
        "accept_url": reverse("duos:answer", args=[answer_token(duo, side, Answer.ACCEPTED)]),
        "decline_url": reverse("duos:answer", args=[answer_token(duo, side, Answer.DECLINED)]),
    }


def participant_context(person: Person) -> dict:
    """Everything the page shows; a constant number of queries whatever the duo's history."""
    now = timezone.now()
    today = timezone.localdate(now)
    context = {
        "person": person,
        "for_someone_else": person.user_id is None,
        "duo": None,
        "activities": _upcoming_activities(person, now),
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
    }
    if context["show_contact"]:
        contact = other.contact_user
        context |= {"other_email": contact.email if contact else "", "other_phone": other.phone}
    if duo.state == DuoState.WAITING:
        context |= {
            "own_answer": getattr(duo, f"{side}_answer"),
            "answer_open": duo.expires_at > now,
        }
        if not context["own_answer"] and context["answer_open"]:
            context |= _answer_links(duo, side)
    elif duo.started_at is not None:
        windows = _windows(duo)
        checkins = {c.month: c for c in CheckIn.objects.filter(duo=duo, side=side)}
        context |= {
            "months": month_rows(duo, side, checkins, windows, today),
            "month_count": len(windows),
            "last_day": windows[-1].ends_on - timedelta(days=1),
            "next_reminder_on": _next_reminder_on(duo, windows, today),
            "checkin_links": _open_checkin_links(duo, side, windows, today),
        }
    return context


@never_cache
@member_required
@require_GET
def my_duo(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request.user)
    return render(request, "duos/participant.html", participant_context(person))


@never_cache
@member_required
@require_GET
def referred_duo(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    return render(request, "duos/participant.html", participant_context(person))


urlpatterns: list = [
    path("mon-duo/", my_duo, name="my_duo"),
    # Not under referent/personnes/<pk>/: that prefix's <slug:action> would catch "duo/".
    path("referent/duo/<int:pk>/", referred_duo, name="referred_duo"),
]
