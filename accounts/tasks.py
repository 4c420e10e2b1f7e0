from celery import shared_task


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def remind_unfinished_profiles() -> None:
    from accounts.services import send_completion_reminders

    send_completion_reminders()


@shared_task(ignore_result=True, soft_time_limit=540, time_limit=600)
def anonymise_inactive_people() -> None:
    from accounts.privacy import anonymise_inactive_people

    anonymise_inactive_people()


@shared_task(
    ignore_result=True,
    soft_time_limit=50,
    time_limit=60,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=300,
    max_retries=8,
)
def send_decision_email(person_id: int, decision: str) -> None:
    """Retried with a short backoff when the mail server is unreachable."""
    from accounts.services import send_decision_email

    send_decision_email(person_id=person_id, decision=decision)
