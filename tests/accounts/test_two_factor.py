"""Staff must use two-factor authentication; the admin's login is allauth's."""

from http import HTTPStatus

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/equipe/candidats/", "/admin/"])
def test_staff_without_an_authenticator_is_sent_to_set_one_up(client, url):
    staff = StaffFactory(totp=False)
    client.force_login(staff)

    response = client.get(url)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("mfa_activate_totp")


def test_staff_with_an_authenticator_reaches_staff_pages(client, staff):
    client.force_login(staff)

    assert client.get("/equipe/candidats/").status_code == HTTPStatus.OK


def test_setup_page_asks_staff_to_prove_their_mailbox_first(client):
    # Issue 14, #4: the password alone no longer opens the setup (the whole flow, and the
    # setup itself once the mailbox is proven, in test_two_factor_enrolment.py).
    client.force_login(StaffFactory(totp=False))

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain[-1][0] == reverse("accounts:two_factor_start")


def test_staff_cannot_remove_their_last_authenticator(staff):
    totp = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)

    assert get_adapter().can_delete_authenticator(totp) is False


def test_volunteer_can_remove_their_authenticator(sponsor):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    totp = TOTP.activate(sponsor.user, generate_totp_secret()).instance

    assert get_adapter().can_delete_authenticator(totp) is True


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("account_login"))


def test_staff_login_asks_for_the_second_factor(client, staff):
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": "a-test-password-9"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/equipe/candidats/").status_code == HTTPStatus.FOUND
