"""TODO docstring

Task names stay "duos.tasks.<name>": the beat schedule and queued messages name them so.
"""

from celery import shared_task

from duos.lib.emails import _EMAIL_RETRIES


@shared_task(
    name="duos.tasks.send_introduction", ignore_result=True, soft_time_limit=20, time_limit=30
)
def send_introduction(duo_id: int) -> None:
    """One email per person, each its own task: a retry never sends the other one twice."""
    from duos.models import SIDES

    for side in SIDES:
        send_duo_email.delay(duo_id, side, "introduction")


@shared_task(
    name="duos.tasks.send_duo_email",
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
    **_EMAIL_RETRIES,
)
def send_duo_email(duo_id: int, side: str, template: str) -> None:
    """Moot (nothing sent) when the duo has left the state the email is about."""
    from duos.lifecycle.emails import duo_send_email

    duo_send_email(duo_id=duo_id, side=side, template=template)


@shared_task(
    name="duos.tasks.expire_unanswered_duos",
    ignore_result=True,
    soft_time_limit=240,
    time_limit=300,
)
def expire_unanswered_duos() -> None:
    from duos.lifecycle.services import duos_expire_unanswered

    duos_expire_unanswered()
