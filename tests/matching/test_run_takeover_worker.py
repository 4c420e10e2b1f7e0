"""A real worker killed in the middle of a run (issue 14, #8): Redis delivers the task again to
a second worker, which takes the run over once the heartbeat is stale and finishes it."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from matching.claims import CLAIM_STALE_AFTER

ROOT = Path(__file__).resolve().parents[2]
SETUP = """
from matching import engine
from matching.services import run_start
from tests.factories import RefugeeFactory, SponsorFactory, StaffFactory
staff = StaffFactory()
[SponsorFactory() for _ in range(3)]
[RefugeeFactory() for _ in range(3)]
print(run_start(by=staff, weights=engine.Weights()).pk)
"""


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def worker(env: dict, queue: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "duos", "worker", "-Q", queue]
    command += ["-I", "tests.matching.run_takeover_worker", "--pool=solo"]
    command += ["--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


@pytest.mark.slow
def test_a_killed_workers_run_is_taken_over_and_finished(redis_url, tmp_path):
    database = tmp_path / "duos.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "DEBUG": "true",
    }
    manage(env, "migrate", "--no-input", "-v", "0")
    run_id = int(manage(env, "shell", "-c", SETUP).split()[-1])

    def run_row() -> tuple[str, int]:
        with sqlite3.connect(database) as db:
            return db.execute(
                "SELECT state, attempt FROM matching_matchrun WHERE id = ?", [run_id]
            ).fetchone()

    queue = f"test-takeover-{uuid.uuid4().hex}"
    started = tmp_path / "started"
    sender = Celery(broker=redis_url)
    first = worker({**env, "HANG_FIRST_RUN": str(started)}, queue)
    second = None
    try:
        sender.send_task("matching.tasks.run_match", args=[run_id], queue=queue)
        assert wait_for(started.exists, timeout=60), first.stderr.read1().decode()
        assert run_row() == ("running", 1)

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        second = worker(env, queue)

        # Delivered again within seconds, the task waits for the heartbeat to go stale.
        timeout = CLAIM_STALE_AFTER.total_seconds() + 90
        assert wait_for(lambda: run_row()[0] == "done", timeout=timeout), run_row()
        assert run_row() == ("done", 2)
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        sender.close()
