"""Hostile requests get a 4xx, never a 500."""

from http import HTTPStatus

import pytest
from django.db import DataError
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_nul_byte_in_query_string_is_refused(client):
    response = client.get(reverse("home"), {"q": "a\x00b"})

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_nul_byte_in_a_form_is_refused(client):
    response = client.post(
        reverse("account_login"), {"login": "a\x00@example.org", "password": "x"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_nul_byte_in_a_form_is_refused_on_postgresql(client, postgres_only):
    # Why the middleware exists: PostgreSQL itself refuses NUL in text.
    with pytest.raises(DataError, match="NUL"):
        User.objects.filter(email="a\x00b").exists()

    response = client.post(
        reverse("account_signup"), {"email": "a\x00@example.org", "password1": "x"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_oversized_body_is_refused(client, settings):
    response = client.post(
        reverse("account_login"), {"login": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_too_many_fields_are_refused(client, settings):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(reverse("account_login"), fields)

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_unknown_page_is_a_404(client):
    assert client.get("/no-such-page").status_code == HTTPStatus.NOT_FOUND
