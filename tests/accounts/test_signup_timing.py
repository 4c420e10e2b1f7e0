"""Sign-up does not tell by its timing whether an email already has an account (issue 14, #2)."""

import statistics
import time
from http import HTTPStatus

import pytest
from django.conf import global_settings
from django.test import Client
from django.urls import reverse

import duos.settings as production
from accounts.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
PASSWORD = "un-mot-de-passe-solide-42"  # noqa: S105
ROUNDS = 10


def timed_sign_up(email: str) -> float:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "role": Role.SPONSOR}
    client = Client()  # a fresh visitor each time: no session carried over
    start = time.perf_counter()
    response = client.post(reverse("account_signup"), data)
    elapsed = time.perf_counter() - start
    assert response.status_code == HTTPStatus.FOUND
    return elapsed


def test_known_and_new_emails_take_the_same_time(settings):
    known = [UserFactory().email for _ in range(ROUNDS)]
    # The production hasher (the suite uses a fast one): its cost is what told the two apart.
    settings.PASSWORD_HASHERS = getattr(
        production, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS
    )
    settings.ACCOUNT_RATE_LIMITS = False  # 20 sign-ups from one address in a few seconds
    timed_sign_up("warm-up@example.org")  # imports, templates, the hasher's first call

    known_times, new_times = [], []
    # Interleaved, so that a slower moment of the machine weighs on both kinds alike.
    for n, email in enumerate(known):
        known_times.append(timed_sign_up(email))
        new_times.append(timed_sign_up(f"nouvelle-{n}@example.org"))

    known_median, new_median = statistics.median(known_times), statistics.median(new_times)
    assert abs(known_median - new_median) < 0.2 * max(known_median, new_median), (
        f"median {known_median * 1000:.0f} ms for a known email, "
        f"{new_median * 1000:.0f} ms for a new one"
    )
