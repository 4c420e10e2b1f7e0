"""Sensitive values planted in a refugee's profile appear in no log line and no email."""

import logging
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import CandidateState, Person

pytestmark = pytest.mark.django_db

CANARIES = {
    "last_name": "Quetzalcanary",
    "phone": "+33698765432",
    "about": "Canari-about-7f3a",
    "hopes": "Canari-hopes-91bd",
}


def test_planted_values_reach_no_log_and_no_email(
    client, caplog, staff, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    caplog.set_level(logging.DEBUG)
    client.post(
        reverse("account_signup"),
        {
            "email": "canary@example.org",
            "password1": "un-mot-de-passe-solide-42",
            "password2": "un-mot-de-passe-solide-42",
            "role": "refugee",
        },
    )
    confirm = mail.outbox[0].body.split("/accounts/confirm-email/")[1].split()[0]
    client.post(f"/accounts/confirm-email/{confirm}")
    steps = {
        "identity": {
            "first_name": "Amina",
            "last_name": CANARIES["last_name"],
            "birth_year": "1990",
            "gender": "woman",
            "partner_gender": "any",
            "protection_status": "refugee",
            "arrival_year": "2021",
            "phone": "06 98 76 54 32",
        },
        "home": {"postal_code": "75011", "max_distance_km": "10"},
        "languages": {"language_0": "ar", "level_0": "native"},
        "interests": {"interests": ["cinema"], "availability": ["weekend_day"]},
        "about": {"about": CANARIES["about"], "hopes": CANARIES["hopes"]},
        "consents": {"charter": "on", "privacy": "on"},
    }
    for slug, data in steps.items():
        client.post(reverse("accounts:profile_step", args=[slug]), data)
        # A bad answer on the way is logged as a 400: its log line must not carry the data.
        client.post(
            reverse("accounts:profile_step", args=[slug]),
            {**data, "birth_year": "1800", "arrival_year": "1800"},
        )
    person = Person.objects.get(user__email="canary@example.org")
    assert person.state == CandidateState.AWAITING_VALIDATION
    assert person.about == CANARIES["about"] and person.phone == CANARIES["phone"]

    client.force_login(staff)
    assert client.get(reverse("accounts:staff_person", args=[person.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:staff_refuse", args=[person.pk]),
            {"reason": "Le programme est complet à Paris."},
        )
    assert response.status_code == HTTPStatus.FOUND

    logged = "\n".join(record.getMessage() + str(record.args) for record in caplog.records)
    emails = "\n".join(
        m.subject + m.body + "".join(str(a[0]) for a in m.alternatives) for m in mail.outbox
    )
    assert len(mail.outbox) >= 2  # the confirmation and the refusal
    assert caplog.records
    for name, value in CANARIES.items():
        assert value not in logged, f"{name} in a log line"
        assert value not in emails, f"{name} in an email"
