"""The programme dashboard for staff: figures, charts drawn on the server, CSV exports.

Every figure is one aggregate query, so the page costs the same number of queries whatever the
number of people and duos. Charts are inline SVG built here from escaped text (no script, no
other host), each followed by a table with the same figures for screen readers.

The CSV exports hold no names, emails, phones nor free text: ids, départements, dates, states,
months and the check-in answers. They are streamed, and every cell goes through `csv_cell`,
which defuses what a spreadsheet would run as a formula.
"""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import CandidateState, Person, Role
from duos import calendar
from duos.models import (
    OPEN_DUO_STATES,
    CheckIn,
    Duo,
    DuoState,
    KeepInTouch,
    Reminder,
    ReminderKind,
    SurveyAnswer,
)

PERMISSIONS = ("duos.view_duo", "accounts.view_person")
FORMED_MONTHS = 12
# Duo months shown in the meeting figures: six, plus up to three added by staff.
DUO_MONTHS = calendar.MONTHS + calendar.MAX_EXTRA_MONTHS
STARTED_STATES = [DuoState.ACTIVE, DuoState.ENDED, DuoState.COMPLETED]
CSV_CHUNK = 2000


def _require_team(user) -> None:
    if not (user.is_active and all(user.has_perm(perm) for perm in PERMISSIONS)):
        raise Http404


# Figures -------------------------------------------------------------------------------------


def waiting_candidates() -> list[dict]:
    """Validated candidates in no open duo, by département and role; one query."""
    in_open_duo = Duo.objects.filter(
        Q(sponsor=OuterRef("pk")) | Q(refugee=OuterRef("pk")), state__in=OPEN_DUO_STATES
    )
    counts = (
        Person.objects.filter(state=CandidateState.VALIDATED, anonymised_at=None)
        .exclude(Exists(in_open_duo))
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


def _month_start(day: date, back: int) -> date:
    return calendar.add_months(day.replace(day=1), -back)


def duos_formed(today: date, months: int = FORMED_MONTHS) -> list[dict]:
    """Duos started (both said yes) in each of the last `months` calendar months; one query."""
    first = _month_start(today, months - 1)
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
        month = _month_start(today, back)
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


# Charts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    colour: str


# Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by the legend too.
BLUE, ORANGE = "#1459a0", "#b33c07"
LABEL_WIDTH, BAR_HEIGHT, GAP, CHART_WIDTH, VALUE_ROOM = 130, 16, 10, 560, 60


def bar_chart(
    *, title: str, labels: list[str], series: list[Series], unit: str = "", chart_id: str
) -> SafeString:
    """A horizontal bar chart as inline SVG: one row per label, one bar per series.

    Every text goes through format_html (escaped). The table after the chart carries the same
    figures; the SVG is labelled by its title for those who can see it.
    """
    largest = max((v for s in series for v in s.values), default=0) or 1
    plot = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    row_height = BAR_HEIGHT * len(series) + GAP
    legend_height = 22 if len(series) > 1 else 0
    height = legend_height + row_height * len(labels) + GAP
    parts = []
    if len(series) > 1:
        for i, each in enumerate(series):
            x = LABEL_WIDTH + i * 150
            parts.append(
                format_html(
                    '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                    '<text x="{}" y="15" font-size="12">{}</text>',
                    x,
                    each.colour,
                    x + 16,
                    each.name,
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#4a5565"/>',
            LABEL_WIDTH,
            legend_height + GAP / 2,
            LABEL_WIDTH,
            height,
        )
    )
    for row, label in enumerate(labels):
        top = legend_height + row * row_height + GAP
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                top + BAR_HEIGHT * len(series) / 2 + 4,
                label,
            )
        )
        for i, each in enumerate(series):
            value = each.values[row]
            width = round(plot * value / largest, 1)
            y = top + i * BAR_HEIGHT
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="11">{}{}</text>',
                    LABEL_WIDTH,
                    y + 1,
                    width,
                    BAR_HEIGHT - 2,
                    each.colour,
                    LABEL_WIDTH + width + 4,
                    y + BAR_HEIGHT - 4,
                    _number(value),
                    unit,
                )
            )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">'
        '<title id="{}">{}</title>{}</svg>',
        chart_id,
        CHART_WIDTH,
        height,
        chart_id,
        title,
        mark_safe("".join(parts)),  # noqa: S308 (each part is built by format_html)
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


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
        "charts": {
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
                series=[
                    Series(_("Answers"), [r["count"] for r in survey["keep_in_touch"]], ORANGE)
                ],
            )
            if survey["count"]
            else None,
        },
    }


@never_cache
@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_team(request.user)
    return render(request, "duos/dashboard.html", dashboard_context(timezone.localdate()))


# CSV exports ---------------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value) -> str:
    """One cell of an export: text, with a leading apostrophe if a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write hands the line back, for csv.writer to stream through."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def _csv_response(filename: str, header: list[str], rows: Iterable[Iterable]):
    response = StreamingHttpResponse(
        _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


DUO_COLUMNS = [
    ("duo_id", "pk"),
    ("state", "state"),
    ("sponsor_departement", "sponsor__departement"),
    ("refugee_departement", "refugee__departement"),
    ("refugee_referred", "refugee__user_id"),
    ("proposed_on", "created_at"),
    ("sponsor_answer", "sponsor_answer"),
    ("refugee_answer", "refugee_answer"),
    ("started_on", "started_at"),
    ("ended_on", "ended_at"),
    ("extra_months", "extra_months"),
    ("shift_days", "shift_days"),
    ("paused_since", "paused_at"),
    ("suspended_since", "suspended_at"),
]
CHECKIN_COLUMNS = [
    ("checkin_id", "pk"),
    ("duo_id", "duo_id"),
    ("month", "month"),
    ("side", "side"),
    ("met", "met"),
    ("activity", "activity"),
    ("mood", "mood"),
    ("recorded_by_team", "recorded_by_id"),
    ("answered_on", "answered_at"),
    ("changed_on", "changed_at"),
]


def duo_rows() -> Iterator[list]:
    fields = [field for _name, field in DUO_COLUMNS]
    referred = fields.index("refugee__user_id")
    for values in Duo.objects.order_by("pk").values_list(*fields).iterator(chunk_size=CSV_CHUNK):
        row = list(values)
        # Whether the refugee was referred by a social worker, not who they are.
        row[referred] = row[referred] is None
        yield row


def checkin_rows() -> Iterator[list]:
    fields = [field for _name, field in CHECKIN_COLUMNS]
    recorded = fields.index("recorded_by_id")
    for values in (
        CheckIn.objects.order_by("pk").values_list(*fields).iterator(chunk_size=CSV_CHUNK)
    ):
        row = list(values)
        # Whether the team recorded it (attendance at an activity), not which member.
        row[recorded] = row[recorded] is not None
        yield row


@never_cache
@login_required
@require_GET
def duos_csv(request: HttpRequest) -> StreamingHttpResponse:
    _require_team(request.user)
    return _csv_response("duos.csv", [name for name, _f in DUO_COLUMNS], duo_rows())


@never_cache
@login_required
@require_GET
def checkins_csv(request: HttpRequest) -> StreamingHttpResponse:
    _require_team(request.user)
    return _csv_response("checkins.csv", [name for name, _f in CHECKIN_COLUMNS], checkin_rows())


urlpatterns: list = [
    path("equipe/tableau-de-bord/", dashboard, name="dashboard"),
    path("equipe/tableau-de-bord/duos.csv", duos_csv, name="dashboard_duos_csv"),
    path("equipe/tableau-de-bord/checkins.csv", checkins_csv, name="dashboard_checkins_csv"),
]
