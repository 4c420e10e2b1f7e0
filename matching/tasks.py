from celery import shared_task

# A live run lasts at most its time limit: asked again every CLAIM_STALE_AFTER or so, the
# redelivered task sees it end (or go silent) well within these retries.
BUSY_RETRIES = 40


@shared_task(
    bind=True, ignore_result=True, soft_time_limit=600, time_limit=660, max_retries=BUSY_RETRIES
)
def run_match(self, run_id: int) -> None:
    """Idempotent: the run is claimed by a conditional update (matching/claims.py).

    Delivered again after its worker was killed, the task finds the run's heartbeat still
    fresh for a few seconds (RunBusy): it asks again later, and takes the run over once the
    heartbeat is stale; a run that finished meanwhile is left alone.
    """
    from matching.claims import RunBusy
    from matching.services import run_execute

    try:
        run_execute(run_id)
    except RunBusy as busy:
        raise self.retry(countdown=busy.retry_in) from busy


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep_stale_runs() -> None:
    from matching.services import runs_sweep_stale

    runs_sweep_stale()
