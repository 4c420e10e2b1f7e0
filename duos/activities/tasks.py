"""Group activity tasks: waiting-list and cancellation emails, the day-before reminders.

Task names stay "duos.tasks.<name>": the beat schedule and queued messages name them so.
"""

from celery import shared_task

from duos.lib.emails import _EMAIL_RETRIES


@shared_task(
    name="duos.tasks.send_activity_email",
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
    **_EMAIL_RETRIES,
)
def send_activity_email(registration_id: int, template: str) -> None:
    """A place freed for someone waiting, or a cancelled activity: moot once no longer true."""
    from duos.activities.emails import registration_send_email

    registration_send_email(registration_id=registration_id, template=template)


@shared_task(
    name="duos.tasks.send_activity_reminders",
    ignore_result=True,
    soft_time_limit=240,
    time_limit=300,
)
def send_activity_reminders() -> None:
    """Beat runs it every 15 minutes; claims make overlapping runs harmless."""
    from duos.activities.reminders import activities_send_reminders

    activities_send_reminders()
