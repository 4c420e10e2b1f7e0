"""Through an outage: without Redis the site works on (its rate limits held in each process's
memory); without PostgreSQL every page answers a plain 503 in the visitor's language."""

import logging
import time
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory
from tests.sockets import black_hole, database_at, free_port, redis_cache

pytestmark = pytest.mark.django_db

# "Does not hang": the bounds are generous on purpose (the suite also runs on a busy machine).
BOUND = 10


@pytest.fixture
def redis_down(settings):
    """The cache and the broker both on a port where nothing listens."""
    settings.CACHES = {"default": redis_cache(free_port())}
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_login_works_while_redis_is_down(client, redis_down):
    user = UserFactory()

    response, elapsed = timed(
        lambda: client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    )

    assert response.status_code == HTTPStatus.FOUND, response.content[:300]
    assert client.session[SESSION_KEY] == str(user.pk)
    assert elapsed < BOUND


def test_sign_up_works_while_redis_is_down(client, redis_down):
    data = {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}

    response, elapsed = timed(
        lambda: client.post(reverse("account_signup"), {**data, "role": "sponsor"})
    )

    assert response.status_code == HTTPStatus.FOUND, response.content[:300]
    assert elapsed < BOUND


def test_pages_answer_while_redis_is_down(client, redis_down):
    for name in ("home", "account_login", "account_signup"):
        response, elapsed = timed(lambda name=name: client.get(reverse(name)))

        assert response.status_code == HTTPStatus.OK, name
        assert elapsed < BOUND


def test_dashboard_answers_while_redis_is_down(staff_client, redis_down):
    """Its figures kept in this process's memory instead, counted again after a minute."""
    now = timezone.now()
    for seconds in (0, 10, 61, 62):
        with time_machine.travel(now + timedelta(seconds=seconds), tick=False):
            response, elapsed = timed(lambda: staff_client.get(reverse("duos:dashboard")))

        assert response.status_code == HTTPStatus.OK, seconds
        assert elapsed < BOUND


def test_rate_limits_hold_in_memory_and_the_outage_is_logged_once(client, redis_down, caplog):
    user = UserFactory()
    caplog.set_level(logging.ERROR, logger="duos.ops.cache")
    wrong = {"login": user.email, "password": "not-the-password"}

    for _ in range(5):
        client.post(reverse("account_login"), wrong)
    response = client.post(reverse("account_login"), {**wrong, "password": PASSWORD})

    # allauth allows 5 failed logins per email in 5 minutes: the sixth is refused, right or not.
    assert response.status_code == HTTPStatus.OK
    assert SESSION_KEY not in client.session
    assert len([r for r in caplog.records if r.name == "duos.ops.cache"]) == 1


@pytest.mark.timeout(60)
def test_login_does_not_hang_when_redis_accepts_and_never_answers(client, settings):
    user = UserFactory()
    with black_hole() as cache_port, black_hole() as broker_port:
        settings.CACHES = {"default": redis_cache(cache_port)}
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{broker_port}/0"

        response, elapsed = timed(
            lambda: client.post(
                reverse("account_login"), {"login": user.email, "password": PASSWORD}
            )
        )

    assert response.status_code == HTTPStatus.FOUND, response.content[:300]
    assert elapsed < BOUND


@pytest.fixture
def visitor():
    # A real browser gets the page, not the exception the test client would re-raise.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "momentanément indisponible"), ("en", "temporarily unavailable")],
)
def test_without_the_database_a_page_answers_a_plain_503_in_the_visitors_language(
    visitor, language, words
):
    user = UserFactory()
    visitor.force_login(user)

    with database_at(free_port()):
        response = visitor.get(reverse("accounts:dashboard"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert words in response.content.decode()
    assert f'lang="{language}"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["Retry-After"]


def test_without_the_database_login_answers_503(visitor):
    with database_at(free_port()):
        response = visitor.post(
            reverse("account_login"), {"login": "a@example.org", "password": PASSWORD}
        )

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE


@pytest.mark.timeout(60)
def test_a_page_does_not_hang_when_the_database_accepts_and_never_answers(visitor, settings):
    user = UserFactory()
    visitor.force_login(user)

    # Every connection carries the connect timeout settings.py gives PostgreSQL.
    with black_hole() as port, database_at(port, settings.POSTGRES_OPTIONS):
        response, elapsed = timed(lambda: visitor.get(reverse("accounts:dashboard")))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert elapsed < BOUND
