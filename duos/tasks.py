from celery import shared_task
from django.utils import timezone


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def heartbeat(source: str) -> None:
    """Record that a worker ran a task sent by `source` (idempotent: a plain overwrite).

    The web process stamps `sent_at` itself when it sends; beat cannot, so its task does.
    """
    from duos.models import Heartbeat

    now = timezone.now()
    defaults = {"executed_at": now} if source == "web" else {"executed_at": now, "sent_at": now}
    Heartbeat.objects.update_or_create(
        source=source, defaults=defaults, create_defaults={"sent_at": now, "executed_at": now}
    )


# Retried with a short backoff while the mail server is unreachable, like the decision emails.
_EMAIL_RETRIES = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def send_introduction(duo_id: int) -> None:
    """One email per person, each its own task: a retry never sends the other one twice."""
    from duos.services import SIDES

    for side in SIDES:
        send_duo_email.delay(duo_id, side, "introduction")


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60, **_EMAIL_RETRIES)
def send_duo_email(duo_id: int, side: str, template: str) -> None:
    """Moot (nothing sent) when the duo has left the state the email is about."""
    from duos.services import duo_send_email

    duo_send_email(duo_id=duo_id, side=side, template=template)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def expire_unanswered_duos() -> None:
    from duos.services import duos_expire_unanswered

    duos_expire_unanswered()


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def send_due_reminders() -> None:
    """Beat runs it every 15 minutes; rows and claims make overlapping runs harmless."""
    from duos.reminders import duos_send_reminders

    duos_send_reminders()


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def send_urgent_report_alert(report_id: int) -> None:
    """One email per team member, each its own task: a retry never alerts the others twice."""
    from duos.reports import report_staff_recipients

    for user_id in report_staff_recipients().values_list("pk", flat=True):
        send_urgent_report_alert_to.delay(report_id, user_id)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60, **_EMAIL_RETRIES)
def send_urgent_report_alert_to(report_id: int, user_id: int) -> None:
    from duos.reports import report_send_urgent_alert

    report_send_urgent_alert(report_id=report_id, user_id=user_id)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60, **_EMAIL_RETRIES)
def send_activity_email(registration_id: int, template: str) -> None:
    """A place freed for someone waiting, or a cancelled activity: moot once no longer true."""
    from duos.activities import registration_send_email

    registration_send_email(registration_id=registration_id, template=template)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def send_activity_reminders() -> None:
    """Beat runs it every 15 minutes; claims make overlapping runs harmless."""
    from duos.activities import activities_send_reminders

    activities_send_reminders()
