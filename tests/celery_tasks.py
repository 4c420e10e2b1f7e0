"""Tasks that only the delivery tests use (a worker loads them with `-I tests.celery_tasks`)."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=110, time_limit=120)
def record_attempt(path: str) -> None:
    """Log each attempt; the first one hangs, as a task would when its worker is killed."""
    log = Path(path)
    attempts_before = len(log.read_text().splitlines()) if log.exists() else 0
    with log.open("a") as file:
        file.write(f"start {attempts_before + 1}\n")
    if attempts_before == 0:
        time.sleep(100)
