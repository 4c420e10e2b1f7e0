from celery import shared_task


@shared_task(ignore_result=True, soft_time_limit=600, time_limit=660)
def run_match(run_id: int) -> None:
    """Idempotent: the run is claimed by a conditional update, so a redelivery does nothing."""
    from matching.services import run_execute

    run_execute(run_id)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_stale_runs() -> None:
    from matching.services import runs_sweep_stale

    runs_sweep_stale()
