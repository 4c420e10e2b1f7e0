"""A user's permissions in one query (accounts/backends.py), the same as Django's answer."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from accounts.backends import PermissionsBackend
from accounts.models import User
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _django_answer(user) -> set[str]:
    return ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))


def _grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename))


def test_permissions_are_the_users_own_and_their_groups_in_one_query(django_assert_num_queries):
    user = UserFactory()
    _grant(user, "view_report")
    group = Group.objects.create(name="Readers")
    group.permissions.add(Permission.objects.get(codename="view_duo"))
    user.groups.add(group)
    fresh = User.objects.get(pk=user.pk)

    with django_assert_num_queries(1):
        found = fresh.get_all_permissions()
        assert fresh.has_perm("duos.view_duo") and fresh.has_perms(["duos.view_report"])

    assert found == {"duos.view_report", "duos.view_duo"} == _django_answer(user)


def test_permissions_of_the_team_a_superuser_an_inactive_user_and_a_participant():
    staff = StaffFactory()
    superuser = UserFactory(is_superuser=True)
    inactive = StaffFactory(is_active=False)
    participant = UserFactory()

    for user in (staff, superuser, participant):
        assert PermissionsBackend().get_all_permissions(user) == _django_answer(user)
    assert len(PermissionsBackend().get_all_permissions(superuser)) == Permission.objects.count()
    assert PermissionsBackend().get_all_permissions(inactive) == set()
    assert PermissionsBackend().get_all_permissions(participant) == set()
    assert PermissionsBackend().get_all_permissions(staff, obj=participant) == set()


def test_permissions_backend_logs_nobody_in():
    user = UserFactory()
    user.set_password("a long enough password")
    user.save()

    assert (
        PermissionsBackend().authenticate(None, email=user.email, password="a long enough password")
        is None
    )
    # Logins are Django's and allauth's backends', as before.
    assert authenticate(None, username=user.email, password="a long enough password") == user
