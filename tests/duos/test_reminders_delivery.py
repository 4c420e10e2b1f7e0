"""The reminder sweep's delivery promises, for real: a Celery worker process on Redis sends
through a real SMTP server (aiosmtpd, run by the test), and the server counts Message-IDs.

- one sweep sends each person of each due duo exactly one reminder; a second sends nothing;
- a worker killed (SIGKILL) in the middle of a batch, then restarted, leaves every reminder
  delivered, with no more duplicates than the documented window: the rows of the in-flight
  batch that the server accepted but the dead worker had not yet marked sent;
- with the mail server down for a while, then up, every reminder arrives exactly once.

The worker is another process, so it reads the test's rows from the test database: these
tests need PostgreSQL (transactional, committed rows) and Redis.
"""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import connection
from django.utils import timezone

from duos.followup.reminders import BATCH_SIZE
from duos.management.commands.bench_reminders import DUE_AGE, create_active_duos
from duos.models import Duo, DuoState, Heartbeat, Reminder
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60  # the longest any step may take before the test gives up

# Workers, beat and an SMTP server in processes and threads of their own.
pytestmark = pytest.mark.slow


# The mail server ------------------------------------------------------------------------------


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every Message-ID and recipient it accepts, in order."""

    delay: float = 0.0
    received: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        headers = BytesParser().parsebytes(envelope.original_content, headersonly=True)
        # Recorded on arrival: from here on the message counts as delivered.
        self.received.append((headers["Message-ID"], tuple(envelope.rcpt_tos)))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    @property
    def message_ids(self) -> list[str]:
        return [message_id for message_id, _ in list(self.received)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """Start (and later stop) a real SMTP server on `smtp_port`; returns its recorder."""
    controllers = []
    # aiosmtpd logs every SMTP command at INFO: thousands of lines.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    def start(recorder: Recorder | None = None) -> Recorder:
        recorder = recorder or Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return recorder

    yield start
    for controller in controllers:
        controller.stop()


# The worker -----------------------------------------------------------------------------------


def worker_database_url() -> str:
    """The test database pytest-django created, as a URL the worker process can open."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@dataclass
class Workers:
    redis_url: str
    smtp_port: int
    log_dir: Path
    queue: str = field(default_factory=lambda: f"test-reminders-{uuid.uuid4().hex}")
    processes: list[subprocess.Popen] = field(default_factory=list)
    markers: int = 0

    def __post_init__(self) -> None:
        self.sender = Celery(broker=self.redis_url)

    def start(self, **settings: str) -> subprocess.Popen:
        """A worker process of the real app, on its own queue; `settings` go in its env."""
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": self.redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "LOG_LEVEL": "WARNING",
            **settings,
        }
        with (self.log_dir / f"worker-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "duos", "worker", "-Q", self.queue,
                 "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "--loglevel=WARNING"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def sweep(self) -> None:
        """What beat does: queue one `send_due_reminders`."""
        self.sender.send_task("duos.tasks.send_due_reminders", queue=self.queue)

    def sweep_and_wait(self) -> None:
        """Queue a sweep, then a heartbeat behind it; the single-threaded worker runs them in
        order, so once the heartbeat is recorded the sweep has finished."""
        self.sweep()
        self.markers += 1
        source = f"sweep-{self.markers}"
        self.sender.send_task("duos.tasks.heartbeat", args=[source], queue=self.queue)
        assert wait_for(lambda: Heartbeat.objects.filter(source=source).exists()), self.logs()

    def sweep_until_all_sent(self) -> None:
        """Sweep as beat would (here every half second) until no reminder is left to send."""
        deadline = time.monotonic() + WAIT_SECONDS
        while Reminder.objects.filter(sent_at=None).exists():
            assert time.monotonic() < deadline, self.logs()
            self.sweep_and_wait()
            time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        self.sender.close()

    def logs(self) -> str:
        return "\n".join(path.read_text()[-3000:] for path in sorted(self.log_dir.glob("*.log")))


def wait_for(condition, timeout: float = WAIT_SECONDS, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def postgres_database() -> None:
    require_service(
        connection.vendor == "postgresql",
        f"the worker is another process and must share the test database; "
        f"this run uses {connection.vendor} in memory (set DATABASE_URL to PostgreSQL)",
    )


@pytest.fixture
def workers(transactional_db, postgres_database, redis_url, smtp_port, tmp_path):
    """Worker processes, all stopped before the test database is flushed."""
    pool = Workers(redis_url=redis_url, smtp_port=smtp_port, log_dir=tmp_path)
    yield pool
    pool.stop()


def expected_ids() -> set[str]:
    return {row.message_id for row in Reminder.objects.all()}


# The tests ------------------------------------------------------------------------------------


def test_reminders_delivery_one_sweep_sends_each_reminder_once_and_a_second_sends_nothing(
    workers, smtp_server
):
    server = smtp_server()
    due = create_active_duos(10, started_at=timezone.now() - DUE_AGE)
    create_active_duos(1, started_at=timezone.now() - timedelta(days=10))  # day 21 not reached
    ended = create_active_duos(1, started_at=timezone.now() - DUE_AGE)[0]
    Duo.objects.filter(pk=ended.pk).update(state=DuoState.ENDED)
    workers.start()

    workers.sweep_and_wait()

    ids = server.message_ids
    assert len(ids) == len(set(ids)) == 2 * len(due), workers.logs()
    assert set(ids) == expected_ids()
    assert Reminder.objects.filter(sent_at=None).count() == 0
    due_emails = {p.user.email for d in due for p in (d.sponsor, d.refugee)}
    assert {to for _, rcpt in server.received for to in rcpt} == due_emails

    workers.sweep_and_wait()

    assert len(server.received) == 2 * len(due), "the second sweep sent nothing"


def test_reminders_delivery_worker_killed_mid_batch_then_restarted_delivers_all(
    workers, smtp_server
):
    # 1,000 reminders in batches of BATCH_SIZE; the server is slow enough to kill the worker
    # in the middle of the second batch.
    server = smtp_server(Recorder(delay=0.01))
    create_active_duos(500, started_at=timezone.now() - DUE_AGE)
    first = workers.start()
    workers.sweep()
    kill_after = BATCH_SIZE + BATCH_SIZE // 2
    assert wait_for(lambda: len(server.received) >= kill_after, every=0.005), workers.logs()

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    # The kernel may still hold the last message's bytes for the server's thread: let it
    # read them, so that "accepted at the kill" is complete.
    time.sleep(0.3)
    accepted_at_kill = len(set(server.message_ids))
    marked_at_kill = Reminder.objects.exclude(sent_at=None).count()
    window = accepted_at_kill - marked_at_kill
    assert Reminder.objects.count() == 1000
    assert marked_at_kill < accepted_at_kill < 1000, "killed in the middle of a batch"

    server.delay = 0
    # A short stale-claim delay: the dead worker's claims are taken over within seconds.
    workers.start(REMINDER_CLAIM_STALE_SECONDS="2")
    workers.sweep_until_all_sent()

    ids = server.message_ids
    duplicates = len(ids) - len(set(ids))
    assert set(ids) == expected_ids() and len(set(ids)) == 1000, "every reminder delivered"
    # Exactly the doubt window, resent once each; never more than one batch.
    assert duplicates == window
    assert 0 < duplicates <= BATCH_SIZE
    print(f"killed at {accepted_at_kill} accepted, {marked_at_kill} marked: {duplicates} resent")


def test_reminders_delivery_mail_server_down_then_up_delivers_each_once(workers, smtp_server):
    create_active_duos(20, started_at=timezone.now() - DUE_AGE)
    # A one-second backoff instead of minutes: the worker retries within the test.
    workers.start(REMINDER_RETRY_BACKOFF_SECONDS="1,2")

    workers.sweep_and_wait()  # nobody listens on the port: connection refused
    workers.sweep_and_wait()

    assert Reminder.objects.count() == 40
    assert Reminder.objects.exclude(sent_at=None).count() == 0
    failed = Reminder.objects.filter(attempts__gt=0)
    assert failed.exists() and not failed.filter(next_attempt_at=None).exists()

    server = smtp_server()
    workers.sweep_until_all_sent()

    ids = server.message_ids
    assert len(ids) == len(set(ids)) == 40, "each reminder exactly once"
    assert set(ids) == expected_ids()
    assert Reminder.objects.filter(attempts__gt=0).exclude(sent_at=None).exists()
