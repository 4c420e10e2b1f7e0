"""The programme dashboard for staff: figures, charts drawn on the server, CSV exports.

Every figure is one aggregate query, so the page costs the same number of queries whatever the
number of people and duos. Charts are inline SVG built here from escaped text (no script, no
other host), each followed by a table with the same figures for screen readers.

The figures are the same for every member of the team: each language's page (its labels and
its charts' reading direction) is built at most once a minute and kept in the cache
(`cached_dashboard_context`), so a figure may be a minute old, and a few seconds more for the
requests that arrive while one counts them again.

The CSV exports hold no names, emails, phones nor free text: ids, départements, dates, states,
months and the check-in answers. They are streamed, and every cell goes through `csv_cell`,
which defuses what a spreadsheet would run as a formula.
"""

from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Person, Role
from duos.lib import dates
from duos.lib.charts import BLUE, ORANGE, Series, bar_chart
from duos.lifecycle import schedule
from duos.models import (
    CheckIn,
    Duo,
    DuoState,
    KeepInTouch,
    Reminder,
    ReminderKind,
    SurveyAnswer,
)

FORMED_MONTHS = 12


# Duo months shown in the meeting figures: six, plus up to three added by staff.
DUO_MONTHS = schedule.MONTHS + schedule.MAX_EXTRA_MONTHS


STARTED_STATES = [DuoState.ACTIVE, DuoState.ENDED, DuoState.COMPLETED]


def waiting_candidates() -> list[dict]:
    """Candidates waiting for a duo (`Person.objects.eligible`), by département and role; one
    query."""
    counts = (
        Person.objects.eligible()
        .values("departement")
        .annotate(
            sponsors=Count("pk", filter=Q(role=Role.SPONSOR)),
            refugees=Count("pk", filter=Q(role=Role.REFUGEE)),
        )
        .order_by("departement")
    )
    return [
        {
            "departement": row["departement"] or "?",
            "sponsors": row["sponsors"],
            "refugees": row["refugees"],
        }
        for row in counts
    ]


def duos_formed(today: date, months: int = FORMED_MONTHS) -> list[dict]:
    """Duos started (both said yes) in each of the last `months` calendar months; one query."""
    first = dates.month_start(today, -(months - 1))
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    per_month = (
        Duo.objects.filter(started_at__gte=since)
        .annotate(month=TruncMonth("started_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # TruncMonth gives the first instant of the month in the current time zone.
    counts = {timezone.localdate(row["month"]): row["n"] for row in per_month}
    rows = []
    for back in range(months - 1, -1, -1):
        month = dates.month_start(today, -back)
        rows.append({"month": month, "count": counts.get(month, 0)})
    return rows


def meetings_by_month() -> list[dict]:
    """For each duo month, the started duos that reached it and how many met; one query.

    A duo reached month k once month k's reminder was due (its row exists) or someone answered
    for it; it met if either side's check-in says so, answered "not yet" if someone answered and
    nobody met.
    """
    figures = {}
    for month in range(1, DUO_MONTHS + 1):
        reminded = Exists(
            Reminder.objects.filter(duo=OuterRef("pk"), month=month, kind=ReminderKind.MONTHLY)
        )
        answered = Exists(CheckIn.objects.filter(duo=OuterRef("pk"), month=month))
        met = Exists(CheckIn.objects.filter(duo=OuterRef("pk"), month=month, met=True))
        figures[f"reached_{month}"] = Count("pk", filter=Q(reminded) | Q(answered))
        figures[f"answered_{month}"] = Count("pk", filter=Q(answered))
        figures[f"met_{month}"] = Count("pk", filter=Q(met))
    totals = Duo.objects.filter(state__in=STARTED_STATES).aggregate(**figures)
    rows = []
    for month in range(1, DUO_MONTHS + 1):
        reached = totals[f"reached_{month}"]
        if not reached:
            continue
        met, answered = totals[f"met_{month}"], totals[f"answered_{month}"]
        rows.append(
            {
                "month": month,
                "reached": reached,
                "met": met,
                "not_yet": answered - met,
                "no_answer": reached - answered,
                "percent": round(100 * met / reached),
            }
        )
    return rows


def survey_results() -> dict:
    """Average rating, ratings 1 to 5 and keep-in-touch answers of the closing survey; one
    query."""
    figures = {"count": Count("pk"), "average": Avg("rating")}
    figures |= {f"rating_{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)}
    figures |= {f"keep_{v}": Count("pk", filter=Q(keep_in_touch=v)) for v in KeepInTouch.values}
    totals = SurveyAnswer.objects.aggregate(**figures)
    return {
        "count": totals["count"],
        "average": round(totals["average"], 1) if totals["average"] is not None else None,
        "ratings": [{"rating": n, "count": totals[f"rating_{n}"]} for n in range(1, 6)],
        "keep_in_touch": [
            {"value": value, "label": label, "count": totals[f"keep_{value}"]}
            for value, label in KeepInTouch.choices
        ],
    }


# Seconds the dashboard's figures are kept: staff open the page all day long, and its five
# aggregate queries and ten charts cost more than the rest of a staff page.
CACHE_SECONDS = 60


# Seconds past CACHE_SECONDS that kept figures are still shown to the others while one request
# counts them again: each request that found them a minute old counted them at the same moment
# (the load test's slowest dashboards). Past this, a request counts them itself.
STALE_SECONDS = 300


# Seconds one request has to count them again before another may try (it failed, or its worker
# was stopped): meanwhile the others show the figures kept.
COUNTING_SECONDS = 30


def dashboard_key(today: date) -> str:
    """Where the figures of `today` in the active language are kept."""
    return f"dashboard:{get_language()}:{today.isoformat()}"


def counting_key(today: date) -> str:
    """Set while one request counts those figures again."""
    return f"{dashboard_key(today)}:counting"


def cached_dashboard_context(today: date) -> dict:
    """`dashboard_context` in the active language, from the cache if built in the last
    CACHE_SECONDS (the same for every user the page opens for: no one's own data).

    Once they are older, the first request to ask counts them again (`cache.add` of a counting
    mark: one request, not every one that arrives meanwhile), and until it is done the others
    show the figures kept, a minute and some seconds old (six minutes at most, should the
    counting fail again and again). The age is read on the site's clock
    from the time stored with the figures; the cache's own expiry (Redis counts real seconds)
    only clears what nobody asked for since."""
    key = dashboard_key(today)
    now = timezone.now().timestamp()
    kept = cache.get(key)
    age = now - kept[0] if kept is not None else -1
    if 0 <= age < CACHE_SECONDS:
        return kept[1]
    stale = 0 <= age < CACHE_SECONDS + STALE_SECONDS
    counting = counting_key(today)
    if stale and not cache.add(counting, now, COUNTING_SECONDS):
        return kept[1]
    context = dashboard_context(today)
    cache.set(key, (now, context), CACHE_SECONDS + STALE_SECONDS)
    if stale:
        # Not on failure: the others keep showing the figures kept until COUNTING_SECONDS.
        cache.delete(counting)
    return context


def dashboard_context(today: date) -> dict:
    waiting = waiting_candidates()
    formed = duos_formed(today)
    meetings = meetings_by_month()
    survey = survey_results()
    month_labels = [date_format(row["month"], "YEAR_MONTH_FORMAT") for row in formed]
    for row, label in zip(formed, month_labels, strict=True):
        row["label"] = label
    return {
        "waiting": waiting,
        "waiting_totals": {
            "sponsors": sum(row["sponsors"] for row in waiting),
            "refugees": sum(row["refugees"] for row in waiting),
        },
        "formed": formed,
        "formed_total": sum(row["count"] for row in formed),
        "meetings": meetings,
        "survey": survey,
        "charts": _charts(waiting, formed, month_labels, meetings, survey),
    }


def _charts(waiting, formed, month_labels, meetings, survey) -> dict:
    """The page's charts, each None when it would have no bar."""
    return {
        "waiting": bar_chart(
            chart_id="chart-waiting",
            title=_("Candidates waiting for a duo, by département"),
            labels=[row["departement"] for row in waiting],
            series=[
                Series(_("Sponsors"), [row["sponsors"] for row in waiting], BLUE),
                Series(_("Refugees"), [row["refugees"] for row in waiting], ORANGE),
            ],
        )
        if waiting
        else None,
        "formed": bar_chart(
            chart_id="chart-formed",
            title=_("Duos formed per month"),
            labels=month_labels,
            series=[Series(_("Duos formed"), [row["count"] for row in formed], BLUE)],
        ),
        "meetings": bar_chart(
            chart_id="chart-meetings",
            title=_("Share of duos that met, by month of the duo"),
            labels=[_("Month %(month)s") % {"month": row["month"]} for row in meetings],
            series=[Series(_("Met"), [row["percent"] for row in meetings], BLUE)],
            unit=" %",
        )
        if meetings
        else None,
        "ratings": bar_chart(
            chart_id="chart-ratings",
            title=_("Closing survey: how it went, from 1 to 5"),
            labels=[str(row["rating"]) for row in survey["ratings"]],
            series=[Series(_("Answers"), [r["count"] for r in survey["ratings"]], BLUE)],
        )
        if survey["count"]
        else None,
        "keep_in_touch": bar_chart(
            chart_id="chart-keep",
            title=_("Closing survey: will they keep in touch?"),
            labels=[str(row["label"]) for row in survey["keep_in_touch"]],
            series=[Series(_("Answers"), [r["count"] for r in survey["keep_in_touch"]], ORANGE)],
        )
        if survey["count"]
        else None,
    }
