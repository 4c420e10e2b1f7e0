"""Report tasks: the urgent alert to the team, one email per member.

Task names stay "duos.tasks.<name>": the beat schedule and queued messages name them so.
"""

from celery import shared_task

from duos.lib.emails import _EMAIL_RETRIES


@shared_task(
    name="duos.tasks.send_urgent_report_alert",
    ignore_result=True,
    soft_time_limit=20,
    time_limit=30,
)
def send_urgent_report_alert(report_id: int) -> None:
    """One email per team member, each its own task: a retry never alerts the others twice."""
    from duos.reports.services import report_staff_recipients

    for user_id in report_staff_recipients().values_list("pk", flat=True):
        send_urgent_report_alert_to.delay(report_id, user_id)


@shared_task(
    name="duos.tasks.send_urgent_report_alert_to",
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
    **_EMAIL_RETRIES,
)
def send_urgent_report_alert_to(report_id: int, user_id: int) -> None:
    from duos.reports.services import report_send_urgent_alert

    report_send_urgent_alert(report_id=report_id, user_id=user_id)
