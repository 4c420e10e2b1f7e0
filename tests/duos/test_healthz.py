import json
import time
from http import HTTPStatus
from unittest.mock import ANY

import pytest
from django.urls import reverse

from duos.models import Heartbeat
from tests.sockets import black_hole, database_at, free_port, redis_cache

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))

    body = json.loads(response.content)
    assert response.status_code == HTTPStatus.OK, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_sends_one_web_heartbeat_a_minute(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        client.get(reverse("healthz"))
        client.get(reverse("healthz"))

    assert len(callbacks) == 1
    assert Heartbeat.objects.filter(source="web").count() == 1


def test_healthz_answers_503_quickly_when_the_broker_refuses(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    started = time.monotonic()
    response = client.get(reverse("healthz"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert json.loads(response.content)["broker"]["ok"] is False
    assert time.monotonic() - started < 2


def test_healthz_answers_503_within_2s_when_the_broker_hangs(client, settings):
    # A server that accepts connections and never answers, like a stuck broker.
    with black_hole() as port:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert elapsed < 2


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_healthz_says_the_database_is_down_when_it_refuses(client):
    with database_at(free_port()):
        response = client.get(reverse("healthz"))

    body = json.loads(response.content)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": False, "error": "OperationalError", "ms": ANY}
    assert body["broker"]["ok"] and body["cache"]["ok"]


@pytest.mark.timeout(60)
def test_healthz_does_not_hang_when_the_database_accepts_and_never_answers(client):
    # The connection /healthz opens carries its own connect timeout (psycopg's default: 130 s).
    with black_hole() as port, database_at(port):
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert json.loads(response.content)["database"]["ok"] is False
    assert elapsed < 10


def test_healthz_says_the_cache_is_down_and_stays_up_without_it(client, settings):
    settings.CACHES = {"default": redis_cache(free_port())}

    response = client.get(reverse("healthz"))

    body = json.loads(response.content)
    # Pages keep working without the cache (see README): a degraded site, not a dead one.
    assert response.status_code == HTTPStatus.OK
    assert body["status"] == "degraded"
    assert body["cache"]["ok"] is False and body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_answers_quickly_when_the_cache_hangs(client, settings):
    with black_hole() as port:
        settings.CACHES = {"default": redis_cache(port)}
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started

    assert json.loads(response.content)["cache"]["ok"] is False
    assert elapsed < 10
