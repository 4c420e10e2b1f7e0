"""What keeps reports from flooding the team: a few a day per person, one urgent alert per hour.

One participant once filed 150 reports in four minutes, 144 of them urgent, each emailing every
team member. So a person may send REPORTS_PER_DAY reports in any 24 hours (the page then says
how to reach the team otherwise, and keeps what they typed), and the urgent reports of a duo
alert the team once per ALERT_INTERVAL: the first at once, then one more at the end of the
hour saying how many came meanwhile.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Person
from duos.models import Report, ReportAlert

REPORTS_PER_DAY = 5
REPORTS_WINDOW = timedelta(hours=24)
ALERT_INTERVAL = timedelta(hours=1)


class TooManyReports(Exception):
    """The person sent REPORTS_PER_DAY reports in the last 24 hours: nothing was recorded."""


def check_reporter_limit(reporter_id: int, *, now: datetime | None = None) -> None:
    """Raise TooManyReports when the person may send no more reports for now.

    Called in the transaction that records the report: the person's row is locked first, so
    that reports sent at the same moment are counted one after the other (PostgreSQL; SQLite
    writes one at a time anyway).
    """
    now = now or timezone.now()
    list(Person.objects.select_for_update().filter(pk=reporter_id).values_list("pk"))
    recent = Report.objects.filter(reporter_id=reporter_id, created_at__gt=now - REPORTS_WINDOW)
    if recent.count() >= REPORTS_PER_DAY:
        raise TooManyReports


@dataclass(frozen=True)
class Alert:
    """What one alert says: how many urgent reports, and the newest one (its link)."""

    report_id: int
    count: int


@dataclass(frozen=True)
class Deferred:
    """An alert went out less than an hour ago: one more is due at `eta`, counting these."""

    eta: datetime


def _alert_row(duo_id: int) -> ReportAlert:
    try:
        with transaction.atomic():
            return ReportAlert.objects.get_or_create(duo_id=duo_id)[0]
    except IntegrityError:  # a concurrent report created it first
        return ReportAlert.objects.get(duo_id=duo_id)


def claim_urgent_alert(duo_id: int, *, now: datetime | None = None) -> Alert | Deferred | None:
    """Claim the duo's next alert: an Alert to send, a Deferred one to schedule, or None.

    The claim is a conditional update of the duo's ReportAlert row from the `sent_at` read: of
    two reports at the same moment only one moves it, and only that one alerts. Within the
    hour, the first report to set `pending` gets a Deferred (the others, None). The alert
    counts the duo's urgent reports since the previous one.
    """
    now = now or timezone.now()
    row = _alert_row(duo_id)
    previous = row.sent_at
    if previous is not None and previous > now - ALERT_INTERVAL:
        if ReportAlert.objects.filter(pk=row.pk, pending=False).update(pending=True):
            return Deferred(eta=previous + ALERT_INTERVAL)
        return None
    reports = Report.objects.filter(duo_id=duo_id, urgent=True, created_at__lte=now)
    if previous is not None:
        reports = reports.filter(created_at__gt=previous)
    newest = reports.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    if newest is None or not ReportAlert.objects.filter(pk=row.pk, sent_at=previous).update(
        sent_at=now, pending=False
    ):
        return None
    return Alert(report_id=newest, count=reports.count())
