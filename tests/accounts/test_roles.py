"""Who is staff: whoever holds any of the programme team's permissions, not one of them."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import is_programme_staff
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def holding(codename: str, **fields):
    user = UserFactory(**fields)
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_is_programme_staff_for_any_permission_of_the_team(staff):
    assert is_programme_staff(staff)
    for codename in ("view_report", "view_groupactivity", "run_matching", "validate_person"):
        assert is_programme_staff(holding(codename)), codename


def test_is_programme_staff_not_without_a_permission_of_the_team():
    assert not is_programme_staff(UserFactory())
    assert not is_programme_staff(UserFactory(is_staff=True))  # the admin flag alone
    assert not is_programme_staff(holding("view_report", is_active=False))


def test_is_programme_staff_for_a_superuser():
    assert is_programme_staff(UserFactory(is_superuser=True))


def test_staff_with_one_permission_must_set_up_two_factor(client):
    # Reading confidential reports is a staff page: two-factor first, as for the whole team.
    client.force_login(holding("view_report"))

    response = client.get(reverse("duos:reports"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_the_validation_permission_cannot_open_the_candidates(client):
    reader = StaffFactory()  # with two-factor
    reader.groups.clear()
    reader.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(reader)

    assert client.get(reverse("duos:reports")).status_code == HTTPStatus.OK
    assert client.get(reverse("accounts:staff_queue")).status_code == HTTPStatus.NOT_FOUND
