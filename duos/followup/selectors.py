"""The follow-up page's reads: the duos the team follows, their check-ins and open reports in a
fixed number of queries whatever their number, and the ranking of every active duo for the call
queue (duos/followup/timeline.py works out the months, the signals and their points).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from duos.followup import timeline
from duos.followup.timeline import DuoFollowup
from duos.models import CheckIn, Duo, DuoState, Report, ReportStatus

# What the timelines and the call queue read of a duo: its clock, no person.
CLOCK_FIELDS = (
    "state",
    "started_at",
    "shift_days",
    "extra_months",
    "paused_at",
    "ended_at",
)
# What the follow-up page reads of a duo shown (its flags too), its people and whoever receives
# their emails. Loading every column of five rows per duo (both profiles and accounts) cost it
# ten times more.
FOLLOWUP_FIELDS = (
    *CLOCK_FIELDS,
    "suspended_at",
    *(
        f"{side}__{field}"
        for side in ("sponsor", "refugee")
        for field in (
            "first_name",
            "last_name",
            "user__email_bounced_at",
            "referrer__email_bounced_at",
        )
    ),
)


def _with_people(duos: QuerySet[Duo]) -> QuerySet[Duo]:
    return duos.select_related(
        "sponsor__user", "sponsor__referrer", "refugee__user", "refugee__referrer"
    ).only(*FOLLOWUP_FIELDS)


def followed_duos() -> QuerySet[Duo]:
    """The duos the team follows: every active one, paused and suspended ones included, with
    FOLLOWUP_FIELDS only."""
    return _with_people(_active_duos())


def _active_duos() -> QuerySet[Duo]:
    return Duo.objects.filter(state=DuoState.ACTIVE).order_by("started_at", "pk")


class Followup:
    """The check-ins and open reports of some duos (`ids`: a subquery or a list), read in two
    queries whatever their number, and what each duo's timeline and signals make of them on
    `today`."""

    def __init__(self, ids: QuerySet | list[int], *, today: date) -> None:
        self.today = today
        # Each duo's by month (`by_month`).
        self.checkins: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        self.reports: dict[int, dict] = {}
        # The months of each start date: the follow-up page reads some 350 duos' months, of
        # far fewer start dates.
        self.windows: dict = {}
        self.zone = timezone.get_current_timezone()
        if isinstance(ids, list) and not ids:
            return
        # Named tuples, not CheckIn instances: a model instance per check-in (over a thousand
        # for the follow-up page) cost more than the timelines that read them.
        for checkin in CheckIn.objects.filter(duo_id__in=ids).values_list(
            "duo_id", "month", "side", "met", "mood", named=True
        ):
            self.checkins[checkin.duo_id][checkin.month].append(checkin)
        self.reports = {
            row["duo_id"]: row
            for row in Report.objects.filter(duo_id__in=ids)
            .exclude(status=ReportStatus.CLOSED)
            .values("duo_id")
            .annotate(open=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))
            .order_by()
        }

    def _counts(self, duo) -> tuple[int, int]:
        counts = self.reports.get(duo.pk)
        return (counts["open"], counts["urgent"]) if counts else (0, 0)

    def row(self, duo, *, shown: Duo | None = None) -> DuoFollowup:
        """The duo's timeline and signals; `shown`, the duo the row shows if not `duo` (which
        may be a row of CLOCK_FIELDS)."""
        checkins = {
            month: sorted(answers, key=timeline.sponsor_first)
            for month, answers in self.checkins.get(duo.pk, {}).items()
        }
        months = timeline.cells(duo, checkins, today=self.today, windows=self.windows)
        open_reports, urgent = self._counts(duo)
        return DuoFollowup(
            duo=shown or duo,
            months=months,
            signals=timeline.signals(months, open_reports=open_reports, urgent_reports=urgent),
            open_reports=open_reports,
            urgent_reports=urgent,
        )

    def score(self, duo) -> int:
        """The score of the duo's row (`row(duo).score`), without building its timeline."""
        months = timeline.month_statuses(
            duo,
            self.checkins.get(duo.pk, {}),
            today=self.today,
            windows=self.windows,
            zone=self.zone,
        )
        open_reports, urgent = self._counts(duo)
        return timeline.score(months, open_reports=open_reports, urgent_reports=urgent)


def followup_rows(
    duos: QuerySet[Duo] | list[Duo], *, today: date | None = None
) -> list[DuoFollowup]:
    """A timeline and the signals of each duo, in the duos' order: three queries in all."""
    today = today or timezone.localdate()
    if isinstance(duos, QuerySet) and not duos.query.is_sliced:
        # A subquery rather than thousands of ids in one statement.
        ids = duos.order_by().values("pk")
        duos = list(duos)
        ids = ids if duos else []
    else:
        duos = list(duos)
        ids = [duo.pk for duo in duos]
    followup = Followup(ids, today=today)
    return [followup.row(duo) for duo in duos]


@dataclass
class Ranking:
    """Every active duo ranked for the call queue, on their clocks, check-ins and open reports
    (three queries); `rows` then builds the rows shown."""

    # Each active duo's pk and CLOCK_FIELDS (named tuples), the first started first.
    duos: list
    # Those with a signal (every signal gives points): highest score first, then the first
    # started, as `call_queue` orders their rows.
    queue: list
    followup: Followup

    def rows(self, duos: list) -> dict[int, DuoFollowup]:
        """The rows of `duos` (of this ranking) by pk: each one's timeline and signals from
        the ranking's reads, and its people and whoever receives their emails (FOLLOWUP_FIELDS)
        in one query for all. A duo deleted since the ranking has no row."""
        loaded = _with_people(Duo.objects.all()).in_bulk({duo.pk for duo in duos})
        return {
            duo.pk: self.followup.row(duo, shown=loaded[duo.pk]) for duo in duos if duo.pk in loaded
        }


def rank_duos(*, today: date) -> Ranking:
    """The follow-up page's ranking of every active duo (some 350 in the load test). Building a
    timeline, its signals' words and a model instance for each cost the page six times its
    50 rows; the ranking reads each duo's clock as a tuple and counts the points only."""
    clocks = list(_active_duos().values_list("pk", *CLOCK_FIELDS, named=True))
    followup = Followup(_active_duos().order_by().values("pk") if clocks else [], today=today)
    scores = {clock.pk: followup.score(clock) for clock in clocks}
    queue = sorted(
        (clock for clock in clocks if scores[clock.pk]),
        key=lambda clock: (-scores[clock.pk], clock.started_at, clock.pk),
    )
    return Ranking(duos=clocks, queue=queue, followup=followup)


def call_queue(rows: list[DuoFollowup]) -> list[DuoFollowup]:
    """The duos with at least one signal, highest score first, then those that started first."""
    ranked = [row for row in rows if row.signals]
    return sorted(ranked, key=lambda row: (-row.score, row.duo.started_at, row.duo.pk))
