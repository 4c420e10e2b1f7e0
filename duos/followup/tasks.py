"""Follow-up tasks: beat's sweep of the monthly reminders.

Task names stay "duos.tasks.<name>": the beat schedule and queued messages name them so.
"""

from celery import shared_task


@shared_task(
    name="duos.tasks.send_due_reminders", ignore_result=True, soft_time_limit=240, time_limit=300
)
def send_due_reminders() -> None:
    """Beat runs it every 15 minutes; rows and claims make overlapping runs harmless."""
    from duos.followup.reminders import duos_send_reminders

    duos_send_reminders()
