"""Shared fixtures: real services when they are there; under CI=true a missing one fails."""

import os
import socket
import subprocess
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.mail import MEMORY_BACKEND

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, why: str) -> None:
    """Skip, saying why, when a service is missing; under CI=true fail instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {why}", pytrace=False)
    pytest.skip(why)


def tcp_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    """A real Redis broker URL: the configured one, or the machine's Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    parsed = urlparse(url)
    require_service(
        tcp_open(parsed.hostname or "127.0.0.1", parsed.port or 6379),
        f"no Redis server answers at {parsed.hostname}:{parsed.port}",
    )
    return url


@pytest.fixture
def postgres_only() -> None:
    """For behaviour only PostgreSQL shows: skipped, saying why, on SQLite."""
    if IN_CI:
        assert connection.vendor == "postgresql", "CI=true runs the suite on PostgreSQL"
    if connection.vendor != "postgresql":
        pytest.skip(f"PostgreSQL-only behaviour; this run uses {connection.vendor}")


@pytest.fixture(autouse=True)
def _fast_hasher_and_memory_email(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = MEMORY_BACKEND


@pytest.fixture(autouse=True)
def _processes_only_in_slow_tests(request, monkeypatch):
    """A test that starts a process is marked `slow` (pyproject.toml): this makes sure of it."""
    if request.node.get_closest_marker("slow"):
        return

    def refuse(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a process: mark it @pytest.mark.slow")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request through the test client
    leaves its own language active in the thread, which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _eager_tasks(monkeypatch):
    """Tasks run in the test's thread to test the wiring; delivery tests run a real worker."""
    from duos.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits count in the real cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sponsor(db):
    from tests.factories import SponsorFactory

    return SponsorFactory()


@pytest.fixture
def refugee(db):
    from tests.factories import RefugeeFactory

    return RefugeeFactory()


@pytest.fixture
def social_worker(db):
    from tests.factories import SocialWorkerFactory

    return SocialWorkerFactory()


@pytest.fixture
def referred_refugee(social_worker):
    from tests.factories import ReferredRefugeeFactory

    return ReferredRefugeeFactory(referrer=social_worker.user)


@pytest.fixture
def staff(db):
    """A member of the programme team with two-factor authentication; emails in English."""
    from tests.factories import StaffFactory

    return StaffFactory(language="en")


@pytest.fixture
def outsider(db):
    """A verified user with no profile at all."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def superuser(db):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import User
    from tests.factories import PASSWORD

    user = User.objects.create_superuser("admin@example.org", PASSWORD)
    TOTP.activate(user, generate_totp_secret())  # staff URLs require two-factor
    return user


# The cast's clients: each its own, logged in, its pages in English (the msgids the assertions
# read, whatever the catalogs hold). A test reading French sets the cookie to "fr".


def client_for(user=None, *, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff) -> Client:
    return client_for(staff)


@pytest.fixture
def sponsor_client(sponsor) -> Client:
    return client_for(sponsor.user)


@pytest.fixture
def refugee_client(refugee) -> Client:
    return client_for(refugee.user)


@pytest.fixture
def social_worker_client(social_worker) -> Client:
    return client_for(social_worker.user)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return client_for(outsider)


@pytest.fixture
def admin_client(superuser) -> Client:
    return client_for(superuser)
