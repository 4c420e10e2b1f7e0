"""Report tasks: the urgent alert to the team (one per duo per hour), one email per member.

Task names stay "duos.tasks.<name>": the beat schedule and queued messages name them so.
"""

from datetime import timedelta

from celery import shared_task

from duos.lib.emails import _EMAIL_RETRIES


@shared_task(
    name="duos.tasks.send_urgent_report_alert",
    ignore_result=True,
    soft_time_limit=20,
    time_limit=30,
)
def send_urgent_report_alert(report_id: int, deferred: bool = False) -> None:
    """One alert per duo per hour (duos/reports/limits.py), one email per team member, each
    its own task: a retry never alerts the others twice.

    Within the hour the first report schedules this task again, `deferred`, for the hour's
    end: that run alerts with the count of what came meanwhile, and never schedules another.
    """
    from duos.models import Report
    from duos.reports.limits import Deferred, claim_urgent_alert
    from duos.reports.services import report_staff_recipients

    duo_id = Report.objects.filter(pk=report_id).values_list("duo_id", flat=True).first()
    if duo_id is None:
        return
    claim = claim_urgent_alert(duo_id)
    if isinstance(claim, Deferred):
        if not deferred:
            # A few seconds past the hour: a worker's clock a little ahead still finds it over.
            eta = claim.eta + timedelta(seconds=5)
            send_urgent_report_alert.apply_async((report_id, True), eta=eta)
    elif claim is not None:
        for user_id in report_staff_recipients().values_list("pk", flat=True):
            send_urgent_report_alert_to.delay(claim.report_id, user_id, claim.count)


@shared_task(
    name="duos.tasks.send_urgent_report_alert_to",
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
    **_EMAIL_RETRIES,
)
def send_urgent_report_alert_to(report_id: int, user_id: int, count: int = 1) -> None:
    from duos.reports.services import report_send_urgent_alert

    report_send_urgent_alert(report_id=report_id, user_id=user_id, count=count)
