"""Confidential reports by the people of a duo, and what staff do about them.

Either person of a duo (or the social worker of a referred refugee, acting for them) can tell
the team about a problem: from a logged-in page, or from the signed link of every reminder
email (no login; as for every emailed link, a GET changes nothing). A report goes to the
programme team only: no page, no email of the other person ever shows it. An urgent one alerts
the team at once by an email that holds only a link: what was written stays in the app.

Staff follow reports in a list (open first, urgent first), change their status and add notes
that form a log, and can suspend the duo while they act: no reminder then, and the duo's
pages hide the contact details (they read `Duo.suspended_at`).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.roles import PROGRAMME_TEAM
from duos.lib.emails import absolute_url, send_templated_email
from duos.models import (
    OPEN_DUO_STATES,
    Duo,
    DuoState,
    LifecycleError,
    Report,
    ReportCategory,
    ReportLogEntry,
    ReportStatus,
    Side,
)

# A duo that ended (early or completed) this recently can still be reported on from its page.
RECENTLY_ENDED_DAYS = 60


TEXT_MAX_LENGTH = 5000


ALL = "all"


def reportable_duos(*, now: datetime | None = None) -> QuerySet[Duo]:
    """Duos waiting for answers, active, or ended less than RECENTLY_ENDED_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=RECENTLY_ENDED_DAYS)
    return Duo.objects.filter(
        Q(state__in=OPEN_DUO_STATES)
        | Q(state__in=[DuoState.ENDED, DuoState.COMPLETED], ended_at__gte=cutoff)
    )


def report_create(
    *, duo: Duo, side: str, sent_by: User | None, category: str, text: str, urgent: bool
) -> Report:
    """Record a report; an urgent one alerts the team once the transaction commits."""
    if side not in Side.values or category not in ReportCategory.values:
        raise ValueError(f"{side=} {category=}")
    with transaction.atomic():
        report = Report(
            duo=duo,
            side=side,
            reporter=getattr(duo, side),
            sent_by=sent_by,
            category=category,
            text=text,
            urgent=urgent,
        )
        from duos.reports.limits import check_reporter_limit

        check_reporter_limit(report.reporter_id)  # TooManyReports: a few a day per person
        report.full_clean()
        report.save()
        if urgent:
            from duos.reports.tasks import send_urgent_report_alert

            send_urgent_report_alert.delay_on_commit(report.pk)
    return report


def report_update(*, report: Report, by: User, status: str, text: str = "") -> ReportLogEntry:
    """Change a report's status and/or add a note: both go to its log."""
    if status not in ReportStatus.values:
        raise ValueError(f"{status=}")
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).exclude(status=status).update(status=status)
        entry = ReportLogEntry.objects.create(report=report, author=by, status=status, text=text)
    report.status = status
    return entry


def duo_suspend(
    duo: Duo, *, by: User, now: datetime | None = None, report: Report | None = None
) -> bool:
    """Suspend a waiting or active duo while staff act on a report; False if nothing changed.

    Conditional: a second click (or a colleague's) finds it suspended and changes nothing.
    The log of `report`, or else of every report of the duo not closed, records it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            duo.suspend(now=now)
        except LifecycleError:
            return False
        _log_on_reports(
            duo, report, by, gettext("Duo suspended: no more reminders, contact details hidden.")
        )
    return True


def duo_unsuspend(duo: Duo, *, by: User, report: Report | None = None) -> bool:
    """Lift a suspension; False if the duo was not suspended."""
    with transaction.atomic():
        try:
            duo.unsuspend()
        except LifecycleError:
            return False
        _log_on_reports(duo, report, by, gettext("Suspension lifted."))
    return True


def _log_on_reports(duo: Duo, report: Report | None, by: User, text: str) -> None:
    if report is not None:
        targets = list(Report.objects.filter(pk=report.pk).values_list("pk", "status"))
    else:
        targets = list(
            Report.objects.filter(duo=duo)
            .exclude(status=ReportStatus.CLOSED)
            .values_list("pk", "status")
        )
    ReportLogEntry.objects.bulk_create(
        ReportLogEntry(report_id=pk, author=by, status=status, text=text) for pk, status in targets
    )


def report_staff_recipients() -> QuerySet[User]:
    """Who an urgent report alerts: every active member of the programme team."""
    return (
        User.objects.filter(groups__name=PROGRAMME_TEAM, is_active=True).distinct().order_by("pk")
    )


def report_send_urgent_alert(*, report_id: int, user_id: int, count: int = 1) -> bool:
    """Tell one team member that urgent reports came in (`count` of them for the duo since
    the last alert, the newest `report_id`); False when moot.

    The email holds a link and no word of the report: what was written stays in the app,
    behind the team's two-factor login.
    """
    report = Report.objects.filter(pk=report_id, urgent=True).first()
    user = report_staff_recipients().filter(pk=user_id).first()
    if report is None or user is None or report.status == ReportStatus.CLOSED:
        return False
    send_templated_email(
        to=user,
        template="report_urgent",
        context={
            "report_number": report.pk,
            "report_url": absolute_url(reverse("duos:report", args=[report.pk])),
            "count": count,
        },
        headers={"Message-ID": f"<report-{report.pk}-urgent-{user.pk}@duos-de-demain>"},
    )
    return True


def reports_for_staff(*, status: str = "") -> QuerySet[Report]:
    """Open first, then in progress, then closed; urgent first within each; newest first."""
    rank = Case(
        When(status=ReportStatus.OPEN, then=Value(0)),
        When(status=ReportStatus.IN_PROGRESS, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    reports = Report.objects.select_related("duo__sponsor", "duo__refugee")
    if status:
        reports = reports.filter(status=status)
    return reports.annotate(status_rank=rank).order_by(
        "status_rank", "-urgent", "-created_at", "-pk"
    )
