"""Each role signs up end to end: the form, the verification email, the confirmation."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import CandidateState, Person, Role, SocialWorker, User

pytestmark = pytest.mark.django_db
PASSWORD = "un-mot-de-passe-solide-42"  # noqa: S105


def sign_up(client, email: str, role: str, **extra):
    data = {"email": email, "password1": PASSWORD, "role": role, **extra}
    return client.post(reverse("account_signup"), data)


def confirmation_link(email_message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", email_message.body)[1]


@pytest.mark.parametrize("role", [Role.SPONSOR, Role.REFUGEE])
def test_signup_creates_a_person_and_verifies_the_email(client, role):
    response = sign_up(client, "nouvelle@example.org", role)

    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="nouvelle@example.org")
    person = Person.objects.get(user=user)
    assert person.role == role and person.state == CandidateState.TO_COMPLETE
    assert len(mail.outbox) == 1
    link = confirmation_link(mail.outbox[0])

    # A mail scanner following the link confirms nothing: it only sees a button.
    assert client.get(link).status_code == HTTPStatus.OK
    assert not EmailAddress.objects.get(user=user).verified

    response = client.post(link)

    assert EmailAddress.objects.get(user=user).verified
    assert response.status_code == HTTPStatus.FOUND
    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.OK


def test_signup_asks_the_password_once(client):
    page = client.get(reverse("account_signup")).content.decode()

    response = sign_up(client, "une-fois@example.org", Role.SPONSOR)

    assert page.count('type="password"') == 1
    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(email="une-fois@example.org").check_password(PASSWORD)


def test_a_new_candidate_starts_the_profile_right_after_confirming(client):
    sign_up(client, "tout-neuf@example.org", Role.REFUGEE)

    response = client.post(confirmation_link(mail.outbox[0]))

    assert response.url == reverse("accounts:profile_step", args=["identity"])


def test_a_candidate_who_saved_a_step_logs_in_to_my_space(client, sponsor):
    response = client.post(
        reverse("account_login"), {"login": sponsor.user.email, "password": "a-test-password-9"}
    )
    assert response.url == reverse("accounts:dashboard")


def test_signup_of_a_social_worker_needs_an_organisation(client):
    response = sign_up(client, "ts@cada.example", "social_worker")

    assert response.status_code == HTTPStatus.OK
    assert "organisation" in response.context["form"].errors
    assert response.context["form"]["email"].value() == "ts@cada.example"
    assert not User.objects.exists()

    sign_up(client, "ts@cada.example", "social_worker", organisation="CADA de Créteil")

    worker = SocialWorker.objects.get(user__email="ts@cada.example")
    assert worker.organisation == "CADA de Créteil"
    assert not Person.objects.exists()


def test_signup_records_the_language_of_the_page(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    sign_up(client, "english@example.org", Role.SPONSOR)

    assert User.objects.get(email="english@example.org").language == "en"
    assert "Confirm" in mail.outbox[0].subject or "confirm" in mail.outbox[0].body


def test_signup_answers_the_same_for_a_known_email(client, sponsor):
    known = sign_up(client, sponsor.user.email, Role.SPONSOR)
    client.logout()
    unknown = sign_up(client, "personne-inconnue@example.org", Role.SPONSOR)

    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known.url == unknown.url
    assert User.objects.filter(email=sponsor.user.email).count() == 1


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_email(client, sponsor):
    known = client.post(reverse("account_reset_password"), {"email": sponsor.user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known.url == unknown.url


def test_login_answers_the_same_for_a_wrong_password_and_an_unknown_email(client, sponsor):
    wrong = client.post(reverse("account_login"), {"login": sponsor.user.email, "password": "x"})
    unknown = client.post(reverse("account_login"), {"login": "no@example.org", "password": "x"})

    assert wrong.status_code == unknown.status_code == HTTPStatus.OK
    assert wrong.context["form"].errors == unknown.context["form"].errors


def test_unverified_user_cannot_log_in(client):
    from tests.factories import UserFactory

    user = UserFactory(verified=False)

    client.post(reverse("account_login"), {"login": user.email, "password": "a-test-password-9"})

    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.FOUND


def test_repeated_failed_logins_lock_the_account_for_a_while(client, sponsor):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": sponsor.user.email, "password": "x"})

    response = client.post(
        reverse("account_login"), {"login": sponsor.user.email, "password": "a-test-password-9"}
    )

    assert response.status_code == HTTPStatus.OK  # the form again, with the lockout message
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["sponsor", "refugee", "social_worker"])
def test_signup_link_from_the_home_page_ticks_the_role(client, role):
    response = client.get(reverse("account_signup"), {"role": role})

    assert response.context["form"]["role"].value() == role
    assert 'href="/static/css/site.css"' in response.content.decode()  # the site's own layout


def test_signup_ignores_an_unknown_role_in_the_link(client):
    response = client.get(reverse("account_signup"), {"role": "admin"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"]["role"].value() is None


def test_signup_without_a_role_says_so_in_the_pages_language(client):
    client.cookies["django_language"] = "fr"

    page = client.get(reverse("account_signup")).content.decode()
    assert not re.search(r'name="role"[^>]* required', page)
    response = sign_up(client, "sans-role@example.org", "")

    assert response.status_code == HTTPStatus.OK
    assert "Indiquez qui vous êtes." in response.content.decode()
    assert not User.objects.filter(email="sans-role@example.org").exists()
