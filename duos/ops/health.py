"""Checks behind /healthz: each answers quickly, even when the service it checks is down."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.utils import timezone
from kombu import Connection

from duos.models import Heartbeat

BROKER_TIMEOUT = 1.5  # seconds: /healthz must answer within 2 s with the broker down
# Its own database connection: libpq waits at least 2 s to connect, a statement gets 1.5 s.
DATABASE_CONNECT_TIMEOUT = 2
DATABASE_STATEMENT_TIMEOUT_MS = 1500


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


def _fresh_connection():
    """A new connection, not the request's (a pooled one could hide a database that went away),
    with short timeouts: a database that accepts and never answers must not hold /healthz."""
    settings_dict = dict(connections.settings[DEFAULT_DB_ALIAS])
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        settings_dict["OPTIONS"] = {
            **settings_dict.get("OPTIONS", {}),
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
        }
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)


def _query_fresh_connection() -> None:
    connection = _fresh_connection()
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


def _use_cache() -> None:
    redis = getattr(cache, "_cache", None)
    if hasattr(redis, "ping"):
        # Redis itself, not the memory that stands in for it while it is down.
        redis.ping()
    else:
        cache.set("healthz", "ok", 10)
        if cache.get("healthz") != "ok":
            raise LookupError("the cache lost what it was given")


def check_cache() -> dict:
    return _timed(_use_cache)


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
