"""Which task runs a match run: the claim on the run's row, and the heartbeat that keeps it.

A task claims its run by a conditional update that adds one to `MatchRun.attempt`, and then
writes to the run only while the row still holds that number. While the engine works, a
thread beats `heartbeat_at` every HEARTBEAT_EVERY, whatever the engine reports. When the
worker is killed, the beat stops; the broker delivers the task again (acks late), and that
task, finding the heartbeat older than CLAIM_STALE_AFTER, takes the run over with the next
number: the killed task, were it somehow still alive, can no longer write. Found fresher, the
run is held by a live task: RunBusy says when to look again.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.utils import timezone

from matching.models import MatchRun, RunState

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=10)
# Three missed beats: the worker is gone (a live one beats every HEARTBEAT_EVERY).
CLAIM_STALE_AFTER = timedelta(seconds=30)


class RunBusy(Exception):
    """A live task holds the run: ask again in `retry_in` seconds."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(retry_in)
        self.retry_in = retry_in


class RunTakenOver(Exception):
    """Another task took the run over: this one's writes are void."""


def run_claim(run_id: int, *, now: datetime | None = None) -> int | None:
    """Claim the run for this task: its attempt number, or None when it is not ours to run.

    A pending run is claimed; a running one whose heartbeat is older than CLAIM_STALE_AFTER
    is taken over, its progress started again; a finished or failed one is left alone (as is
    one another task claimed a moment before). RunBusy while a live task holds it.
    """
    now = now or timezone.now()
    run = MatchRun.objects.filter(pk=run_id).values("state", "attempt", "heartbeat_at").first()
    if run is None or run["state"] not in (RunState.PENDING, RunState.RUNNING):
        return None
    beat = run["heartbeat_at"]
    if run["state"] == RunState.RUNNING and beat is not None and beat > now - CLAIM_STALE_AFTER:
        raise RunBusy(retry_in=(beat + CLAIM_STALE_AFTER - now).total_seconds() + 1)
    attempt = run["attempt"] + 1
    fields = {"state": RunState.RUNNING, "attempt": attempt, "heartbeat_at": now}
    if run["state"] == RunState.PENDING:
        fields["started_at"] = now
    else:
        fields.update(progress=0.0, stage="")
    held = MatchRun.objects.filter(pk=run_id, state=run["state"], attempt=run["attempt"])
    return attempt if held.update(**fields) else None


def _beat(run_id: int, attempt: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(HEARTBEAT_EVERY.total_seconds()):
            try:
                beating = MatchRun.objects.filter(
                    pk=run_id, state=RunState.RUNNING, attempt=attempt
                ).update(heartbeat_at=timezone.now())
            except DatabaseError:
                # A missed beat at worst lets another task take over: never fail the run.
                logger.warning("run %s: a heartbeat could not be written", run_id, exc_info=True)
                continue
            if not beating:  # finished, failed, or taken over
                return
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def run_heartbeat(run_id: int, attempt: int) -> Iterator[None]:
    """Beat the run's heartbeat from a thread while the block runs (the engine's work)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(run_id, attempt, stop), name=f"run-{run_id}-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=HEARTBEAT_EVERY.total_seconds())
