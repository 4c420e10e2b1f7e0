"""The rate limits count per visitor, also behind the reverse proxy production puts in front.

Behind TRUSTED_PROXY_COUNT proxies, the visitor is the address our outermost proxy appended to
X-Forwarded-For; the entries a client writes itself are never read. Without a proxy the header is
ignored altogether (REMOTE_ADDR counts).
"""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"
# allauth refuses the 11th failed login of a minute from one address ("login_failed": 10/m/ip).
FAILED_LOGINS_A_MINUTE = 10


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    # The counts in this test's own memory: nothing else clears or culls them meanwhile.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def fail_logins(client: Client, forwarded_for: str | None = None, **headers) -> None:
    for attempt in range(FAILED_LOGINS_A_MINUTE):
        if forwarded_for is not None:
            # Whatever a client writes, the proxy appends the address it saw.
            headers["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{attempt}, {forwarded_for}"
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.org", "password": "wrong"},
            **headers,
        )
        assert response.status_code == HTTPStatus.OK


def log_in(client: Client, user, **headers) -> bool:
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, **headers)
    return client.session.get(SESSION_KEY) == str(user.pk)


def test_without_a_proxy_a_forged_forwarded_for_is_ignored(settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0  # the default: gunicorn faces the visitors
    attacker = Client(REMOTE_ADDR="203.0.113.7")

    for attempt in range(FAILED_LOGINS_A_MINUTE):
        # A new forged address each time would escape the limit if the header were read.
        attacker.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.org", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        )

    assert not log_in(attacker, UserFactory(), HTTP_X_FORWARDED_FOR="198.51.100.99")
    # Someone else, at another address, is not concerned.
    assert log_in(Client(REMOTE_ADDR="198.51.100.99"), UserFactory())


def test_behind_one_proxy_one_visitors_failures_do_not_block_another(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker, sponsor = Client(REMOTE_ADDR=PROXY), Client(REMOTE_ADDR=PROXY)

    fail_logins(attacker, forwarded_for="203.0.113.7")

    assert log_in(sponsor, UserFactory(), HTTP_X_FORWARDED_FOR="198.51.100.20")
    # The attacker is the one blocked, whatever it writes at the left of the header.
    assert not log_in(attacker, UserFactory(), HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")


@pytest.mark.slow
@pytest.mark.parametrize(("value", "count"), [("1", "1"), ("", "0")])
def test_trusted_proxy_count_comes_from_the_environment(value, count):
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    env = {**os.environ, "DEBUG": "true", "TRUSTED_PROXY_COUNT": value}

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == count
