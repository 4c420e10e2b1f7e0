"""Checks behind /healthz: each answers quickly, even when the service it checks is down."""

import time
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from kombu import Connection

from duos.models import Heartbeat

BROKER_TIMEOUT = 1.5  # seconds: /healthz must answer within 2 s with the broker down


WEB_PING_EVERY = timedelta(minutes=1)


STALE_AFTER = timedelta(minutes=3)


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure means "unhealthy", reported by name
        result = {"ok": False, "error": type(exc).__name__}
    else:
        result = {"ok": True}
    result["ms"] = round((time.monotonic() - started) * 1000)
    return result


def _query_fresh_connection() -> None:
    # A new connection, not the request's: a pooled one could hide a database that went away.
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()


def _connect_broker() -> None:
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        options.update(socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT, transport_options=options
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
        # Redis accepts the TCP connection before it can answer: ask it something.
        connection.default_channel  # noqa: B018 - opening the channel talks to the broker


def check_database() -> dict:
    return _timed(_query_fresh_connection)


def check_broker() -> dict:
    return _timed(_connect_broker)


def heartbeats() -> dict:
    """When a worker last ran a task from beat and from the web process."""
    now = timezone.now()
    report = {}
    for beat in Heartbeat.objects.all():
        report[beat.source] = {
            "sent_at": beat.sent_at.isoformat(),
            "executed_at": beat.executed_at.isoformat() if beat.executed_at else None,
            "fresh": bool(beat.executed_at and now - beat.executed_at < STALE_AFTER),
        }
    return report


def ping_worker_from_web() -> bool:
    """Send the web heartbeat task at most once a minute; True when one was sent."""
    from duos.ops.tasks import heartbeat

    now = timezone.now()
    claimed = Heartbeat.objects.filter(source="web", sent_at__lt=now - WEB_PING_EVERY).update(
        sent_at=now
    )
    if not claimed:
        _, created = Heartbeat.objects.get_or_create(source="web", defaults={"sent_at": now})
        if not created:
            return False
    heartbeat.delay_on_commit("web")
    return True
