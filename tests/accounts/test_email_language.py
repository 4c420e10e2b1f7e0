"""Each person's language for emails: chosen at sign-up, changed in My space, used by all."""

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.services import send_decision_email
from tests.factories import PASSWORD, ReferredRefugeeFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "un-mot-de-passe-solide-42"  # noqa: S105


def sign_up(client, email: str, **extra):
    data = {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "role": "refugee"}
    return client.post(reverse("account_signup"), {**data, **extra})


def test_signup_offers_every_language_in_its_own_script_and_preselects_the_browsers():
    page = Client(HTTP_ACCEPT_LANGUAGE="ar").get(reverse("account_signup")).content.decode()

    select = re.search(r'<select name="language".*?</select>', page, re.S)[0]
    assert re.findall(r'<option value="(\w+)"(?: selected)? lang="\1"', select) == [
        "fr",
        "en",
        "ar",
        "fa",
        "ps",
        "uk",
        "ru",
    ]
    assert re.search(r'<option value="ar" selected lang="ar">العربيّة</option>', select)
    assert ">پښتو<" in select
    assert ">Українська<" in select
    assert ">Français<" in select


def test_the_chosen_language_is_kept_and_the_confirmation_email_speaks_it():
    response = sign_up(Client(HTTP_ACCEPT_LANGUAGE="fr"), "olena@example.org", language="uk")

    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(email="olena@example.org").language == "uk"
    with translation.override("uk"):
        subject = translation.gettext("Confirm your email address")
    assert subject != "Confirm your email address"
    assert subject in mail.outbox[0].subject


def test_without_a_choice_the_pages_language_is_kept():
    sign_up(Client(HTTP_ACCEPT_LANGUAGE="ps"), "gul@example.org")

    assert User.objects.get(email="gul@example.org").language == "ps"


def test_the_password_reset_email_speaks_the_persons_language_whatever_the_page():
    user = UserFactory(language="ps")

    Client(HTTP_ACCEPT_LANGUAGE="fr").post(reverse("account_reset_password"), {"email": user.email})

    assert mail.outbox[0].subject == "[Duos de demain] نوی پټنوم وټاکئ"


def test_the_language_of_emails_is_changed_in_my_space(client):
    user = UserFactory(language="fr")
    client.force_login(user)

    response = client.post(reverse("accounts:email_language"), {"language": "fa"})

    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert user.language == "fa"
    assert client.post(reverse("accounts:email_language"), {"language": "xx"}).status_code == 400
    user.refresh_from_db()
    assert user.language == "fa"


def test_the_email_language_page_says_it_is_not_the_languages_for_matching():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.login(email=UserFactory().email, password=PASSWORD)

    page = client.get(reverse("accounts:email_language")).content.decode()

    assert "The languages spoken, for finding a duo, are asked apart, in the profile." in page


def test_the_languages_step_says_the_email_language_is_chosen_apart(refugee):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(refugee.user)

    page = client.get(reverse("accounts:profile_step", args=["languages"])).content.decode()

    assert "The language of our emails is chosen apart, in My space." in page


def test_a_social_worker_gets_the_emails_of_the_people_they_refer_in_their_own_language():
    person = ReferredRefugeeFactory(referrer=UserFactory(language="ps"))

    assert send_decision_email(person_id=person.pk, decision="validated")

    with translation.override("ps"):
        subject = translation.gettext("Your application to Duos de demain is validated")
    assert mail.outbox[0].to == [person.referrer.email]
    assert mail.outbox[0].subject == subject != "Your application to Duos de demain is validated"
