"""A staff password alone does not enrol two-factor (issue 14, #4): the setup page opens only
after a link sent to the staff member's verified address, asked for by themselves or sent by a
colleague from the admin."""

import re
import time
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.two_factor import FRESH_LOGIN_SECONDS
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
ACTIVATE = reverse("mfa_activate_totp")
START = reverse("accounts:two_factor_start")


def logged_in_with_password(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    return client


def emailed_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/double-authentification/[^\s/]+/)", message.body)[1]


def enrol(client) -> HTTPStatus:
    """Give the password again (allauth asks it before the setup, unless it was typed to log
    in within the minute), scan the code the setup page shows and type what the app shows."""
    with time_machine.travel(timedelta(seconds=FRESH_LOGIN_SECONDS + 1)):
        asked = client.get(ACTIVATE)
        assert asked["Location"].startswith(reverse("account_reauthenticate"))
        client.post(asked["Location"], {"password": PASSWORD})
    page = client.get(ACTIVATE)
    assert page.status_code == HTTPStatus.OK
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    return client.post(ACTIVATE, {"code": code}).status_code


@pytest.fixture
def newcomer():
    return StaffFactory(totp=False, language="en")


def test_the_password_alone_cannot_reach_the_setup(client, newcomer):
    logged_in_with_password(client, newcomer)

    # From a staff page, from the setup page itself, and posting a code to it straight away.
    assert client.get("/equipe/candidats/", follow=True).redirect_chain[-1][0] == START
    assert client.get(ACTIVATE)["Location"] == START
    assert client.post(ACTIVATE, {"code": "123456"})["Location"] == START
    assert not Authenticator.objects.filter(user=newcomer).exists()
    assert mail.outbox == []  # nothing is sent unless asked for


def test_a_link_sent_to_the_verified_address_opens_the_setup(client, newcomer):
    logged_in_with_password(client, newcomer)

    page = client.get(START)
    assert newcomer.email in page.content.decode()
    client.post(START)

    (message,) = mail.outbox
    assert message.to == [newcomer.email]
    assert "30 minutes" in message.body
    assert client.get(emailed_link(message))["Location"] == ACTIVATE
    assert enrol(client) == HTTPStatus.FOUND
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()
    assert client.get("/equipe/candidats/").status_code == HTTPStatus.OK
    # Used: the account's state changed, the link is void.
    assert client.get(emailed_link(message)).status_code == HTTPStatus.GONE


def test_the_link_opens_only_for_its_own_user_logged_in_and_in_time(client, newcomer):
    logged_in_with_password(client, newcomer)
    client.post(START)
    link = emailed_link(mail.outbox[0])

    other = logged_in_with_password(type(client)(), StaffFactory(totp=False))
    assert other.get(link).status_code == HTTPStatus.NOT_FOUND
    assert other.get(ACTIVATE)["Location"] == START

    anonymous = type(client)()
    assert anonymous.get(link)["Location"].startswith(reverse("account_login"))

    with time_machine.travel(timedelta(minutes=31)):
        assert client.get(link).status_code == HTTPStatus.GONE
    assert client.get(ACTIVATE)["Location"] == START


def test_a_new_password_voids_the_link(client, newcomer):
    logged_in_with_password(client, newcomer)
    client.post(START)
    newcomer.set_password("another-password-77")
    newcomer.save()
    client.force_login(newcomer)

    assert client.get(emailed_link(mail.outbox[0])).status_code == HTTPStatus.GONE


def test_a_colleague_sends_the_enrolment_link_from_the_admin(client, newcomer):
    colleague = StaffFactory(is_superuser=True, first_name="Inès", last_name="Martin")
    client.force_login(colleague)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_two_factor_enrolment_link", "_selected_action": [newcomer.pk]},
    )

    assert response.status_code == HTTPStatus.FOUND
    (message,) = mail.outbox
    assert message.to == [newcomer.email]
    assert "Inès Martin, of the team, sent you this link." in message.body
    assert "24 hours" in message.body
    mine = logged_in_with_password(type(client)(), newcomer)
    with time_machine.travel(timedelta(hours=23)):
        assert mine.get(emailed_link(message))["Location"] == ACTIVATE
        mine.force_login(newcomer)  # logged in again a day later
        mine.get(emailed_link(message))
        assert (
            mine.get(ACTIVATE, follow=True)
            .redirect_chain[-1][0]
            .startswith(reverse("account_reauthenticate"))
        )


def test_the_password_typed_to_log_in_a_minute_ago_is_not_asked_again(client, newcomer):
    logged_in_with_password(client, newcomer)
    client.post(START)
    (message,) = mail.outbox

    with time_machine.travel(timedelta(seconds=FRESH_LOGIN_SECONDS - 5)):
        assert client.get(emailed_link(message))["Location"] == ACTIVATE
        assert client.get(ACTIVATE).status_code == HTTPStatus.OK
    late = logged_in_with_password(type(client)(), newcomer)
    late.post(START)
    with time_machine.travel(timedelta(seconds=FRESH_LOGIN_SECONDS + 5)):
        late.get(emailed_link(mail.outbox[-1]))
        assert late.get(ACTIVATE)["Location"].startswith(reverse("account_reauthenticate"))


def test_without_a_verified_address_nothing_is_sent(client):
    staff = StaffFactory(totp=False)
    EmailAddress.objects.filter(user=staff).update(verified=False)
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert "Ask a colleague" in client.get(START).content.decode()
    client.post(START)
    assert mail.outbox == []


def test_volunteers_set_up_two_factor_as_before(client):
    user = UserFactory()
    logged_in_with_password(client, user)

    assert client.get(START)["Location"] == ACTIVATE
    assert client.get(ACTIVATE)["Location"].startswith(reverse("account_reauthenticate"))
