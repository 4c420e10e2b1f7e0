import json
import socket
import threading
import time
from http import HTTPStatus

import pytest
from django.urls import reverse

from duos.models import Heartbeat

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
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_free_port()}/0"

    started = time.monotonic()
    response = client.get(reverse("healthz"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert json.loads(response.content)["broker"]["ok"] is False
    assert time.monotonic() - started < 2


def test_healthz_answers_503_within_2s_when_the_broker_hangs(client, settings):
    # A server that accepts connections and never answers, like a stuck broker.
    with _black_hole() as port:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert elapsed < 2


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _black_hole:
    def __enter__(self) -> int:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.accepted = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()
        return self.server.getsockname()[1]

    def _accept(self) -> None:
        self.server.settimeout(0.1)
        while not self.stop.is_set():
            try:
                self.accepted.append(self.server.accept()[0])
            except OSError:
                continue

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for conn in self.accepted:
            conn.close()
        self.server.close()
