"""allauth's emails in the programme's words and layout, in the person's language: no stock
"Hello from 127.0.0.1:18431!", an HTML body in the emails' layout, the team's signature."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STOCK = ("Hello from", "Thank you for using", "Bonjour, c'est", "Merci d'utiliser", "18431")


def _client(language: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1:18431")
    client.cookies["django_language"] = language
    return client


def _assert_programme_email(message, *, words: str, language: str) -> None:
    html = message.alternatives[0][0]
    for stock in STOCK[:4]:
        assert stock not in message.body and stock not in message.subject
    assert STOCK[4] not in message.subject
    assert words in message.body and words in html.replace("&#x27;", "'")
    assert f'<html lang="{language}">' in html
    assert message.subject.startswith("[Duos de demain] ")


def test_signup_confirmation_in_the_pages_language_and_layout():
    _client("fr").post(
        reverse("account_signup"),
        {
            "email": "n@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.SPONSOR,
        },
    )

    (message,) = mail.outbox
    assert message.subject == "[Duos de demain] Confirmez votre adresse e-mail"
    _assert_programme_email(message, words="Bienvenue chez Duos de demain.", language="fr")
    assert "L'équipe Duos de demain, France terre d'asile" in message.body


def test_password_reset_in_the_persons_language_not_the_pages():
    user = UserFactory(language="en")

    _client("fr").post(reverse("account_reset_password"), {"email": user.email})

    (message,) = mail.outbox
    assert message.subject == "[Duos de demain] Choose a new password"
    _assert_programme_email(message, words="asked to choose a new password", language="en")


def test_signup_with_a_known_address_says_so_in_the_programmes_words():
    user = UserFactory(language="ru")

    _client("fr").post(
        reverse("account_signup"),
        {"email": user.email, "password1": PASSWORD, "password2": PASSWORD, "role": Role.SPONSOR},
    )

    (message,) = mail.outbox
    assert message.subject == "[Duos de demain] У вас уже есть учётная запись"
    _assert_programme_email(message, words="Duos de demain", language="ru")


def test_password_reset_of_an_unknown_address_invites_to_sign_up():
    _client("en").post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    (message,) = mail.outbox
    assert message.subject == "[Duos de demain] No account with this address"
    _assert_programme_email(message, words="To sign up, open this link:", language="en")
