from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_explains_the_programme_with_two_calls_to_action(client):
    response = client.get(reverse("home"))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "au moins une fois par mois" in html
    assert "six mois" in html
    signup = reverse("account_signup")
    assert f'href="{signup}?role=sponsor"' in html
    assert f'href="{signup}?role=refugee"' in html


def test_home_has_skip_link_landmarks_and_language_switcher(client):
    html = client.get(reverse("home")).content.decode()

    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert f'action="{reverse("set_language")}"' in html


def test_home_switches_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = client.get(reverse("home")).content.decode()

    assert '<html lang="en" dir="ltr">' in html
    assert "Become a sponsor" in html


def test_home_sends_a_same_origin_content_security_policy(client):
    response = client.get(reverse("home"))

    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_home_refuses_post(client):
    assert client.post(reverse("home")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
