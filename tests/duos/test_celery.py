"""A real worker runs tasks through the configured broker; on Redis, a killed worker's task is
delivered again (acks_late)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from duos.celery import app
from duos.models import Heartbeat
from duos.ops.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker_url(tmp_path) -> str:
    """The configured broker; on a laptop a SQLite broker of the test's own."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("sqla+sqlite"):
        url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    return url


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_executes_a_task_sent_through_the_broker(broker_url, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", broker_url)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    # Earlier eager tasks opened the app's producer pool on the default broker: start afresh.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.delay("test")

        assert wait_for(lambda: Heartbeat.objects.filter(source="test").exists(), timeout=20)

    assert Heartbeat.objects.get(source="test").executed_at is not None


def test_delivery_settings_are_safe():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_publish_retry_policy["max_retries"] <= 3


def _start_worker(redis_url: str, queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "DEBUG": "true",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "duos",
            "worker",
            "-I",
            "tests.celery_tasks",
            "-Q",
            queue,
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_task_of_a_killed_worker_is_delivered_again_on_redis(redis_url, tmp_path):
    queue = f"test-acks-{uuid.uuid4().hex}"
    log = tmp_path / "attempts.log"
    sender = Celery(broker=redis_url)
    first = _start_worker(redis_url, queue)
    second = None
    try:
        sender.send_task("tests.celery_tasks.record_attempt", args=[str(log)], queue=queue)
        assert wait_for(log.exists, timeout=30), first.stderr.read1().decode()

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        second = _start_worker(redis_url, queue)

        # Redis gives the unacknowledged task back after the visibility timeout (2 s here);
        # the second worker looks for such tasks every second.
        assert wait_for(lambda: "start 2" in log.read_text(), timeout=30)
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        sender.close()
