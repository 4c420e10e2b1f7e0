"""A referred refugee takes over their own profile through an invitation."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.handover import invitation_token
from accounts.models import Person, User
from tests.factories import PASSWORD, SocialWorkerFactory, SponsorFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "un-mot-de-passe-tout-neuf-8"  # noqa: S105


def invite(client, person, email="amina@example.org", language="fr"):
    client.force_login(person.referrer)
    return client.post(
        reverse("accounts:referral_invite", args=[person.pk]),
        {"email": email, "language": language},
    )


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/[^\s]+/)", message.body)[1]


def test_refugee_takes_over_their_profile_with_a_password(client, referred_refugee):
    worker = referred_refugee.referrer
    response = invite(client, referred_refugee, language="en")

    assert response.status_code == HTTPStatus.FOUND
    assert mail.outbox[0].to == ["amina@example.org"]
    assert "choose your password" in mail.outbox[0].subject
    link = link_in(mail.outbox[0])
    client.logout()

    assert client.get(link).status_code == HTTPStatus.OK  # a page with a button, no change
    assert Person.objects.get(pk=referred_refugee.pk).user is None

    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.url == reverse("accounts:dashboard")
    referred_refugee.refresh_from_db()
    assert referred_refugee.user.email == "amina@example.org"
    assert referred_refugee.contact_user == referred_refugee.user
    assert EmailAddress.objects.get(user=referred_refugee.user).verified
    assert client.get(reverse("accounts:dashboard")).status_code == HTTPStatus.OK
    # The social worker no longer acts for them, and the link works once.
    client.force_login(worker)
    detail = reverse("accounts:referral_detail", args=[referred_refugee.pk])
    assert client.get(detail).status_code == HTTPStatus.NOT_FOUND
    client.logout()
    assert client.get(link).status_code == HTTPStatus.GONE


def test_takeover_with_a_weak_password_keeps_the_form(client, referred_refugee):
    link = reverse("accounts:handover", args=[invitation_token(referred_refugee, "a@ex.org")])

    response = client.post(link, {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors
    assert not User.objects.filter(email="a@ex.org").exists()


def test_tampered_invitation_gets_a_clear_400_and_an_expired_one_410(client, referred_refugee):
    token = invitation_token(referred_refugee, "a@ex.org")

    tampered = client.get(reverse("accounts:handover", args=[token[:-2] + "xx"]))
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        expired = client.get(reverse("accounts:handover", args=[token]))

    assert tampered.status_code == HTTPStatus.BAD_REQUEST
    assert expired.status_code == HTTPStatus.GONE
    assert "14" in expired.content.decode()
    assert "14" in tampered.content.decode()  # the same advice: ask for a new invitation


def test_existing_account_logs_in_before_taking_over(client, referred_refugee):
    owner = UserFactory(email="deja@example.org")
    link = reverse("accounts:handover", args=[invitation_token(referred_refugee, owner.email)])

    page = client.get(link)
    client.post(link)

    assert reverse("account_login") in page.content.decode()
    assert Person.objects.get(pk=referred_refugee.pk).user is None

    client.force_login(owner)
    response = client.post(link)

    assert response.url == reverse("accounts:dashboard")
    assert Person.objects.get(pk=referred_refugee.pk).user == owner


def test_existing_account_with_its_own_profile_cannot_take_over(client, referred_refugee):
    sponsor = SponsorFactory()
    link = reverse(
        "accounts:handover", args=[invitation_token(referred_refugee, sponsor.user.email)]
    )
    client.login(email=sponsor.user.email, password=PASSWORD)

    response = client.post(link)

    assert response.status_code == HTTPStatus.CONFLICT
    assert Person.objects.get(pk=referred_refugee.pk).user is None


def test_invitation_with_a_bad_email_is_a_400_that_keeps_it(client, referred_refugee):
    response = invite(client, referred_refugee, email="pas-une-adresse")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "pas-une-adresse" in response.content.decode()
    assert mail.outbox == []


def test_only_the_referrer_can_invite(client, referred_refugee):
    client.force_login(SocialWorkerFactory().user)

    response = client.post(
        reverse("accounts:referral_invite", args=[referred_refugee.pk]),
        {"email": "x@example.org", "language": "fr"},
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert mail.outbox == []


def test_invite_refuses_get(client, referred_refugee):
    client.force_login(referred_refugee.referrer)

    response = client.get(reverse("accounts:referral_invite", args=[referred_refugee.pk]))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
