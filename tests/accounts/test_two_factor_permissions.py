"""Two-factor follows the permissions, not the is_staff flag (issue 14, #7)."""

import inspect
import re
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.middleware import STAFF_PATH_PREFIXES
from tests.factories import ReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def granted_directly(*codenames: str, **fields):
    """No group, not is_staff, no authenticator: permissions given one by one."""
    user = UserFactory(**fields)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_directly_granted_permissions_need_two_factor_before_any_staff_page(client):
    report = ReportFactory(text="Un signalement confidentiel.")
    client.force_login(granted_directly("view_duo", "view_report"))

    for url in (
        reverse("duos:reports"),
        reverse("duos:report", args=[report.pk]),
        reverse("duos:duo_detail", args=[report.duo.pk]),
    ):
        response = client.get(url)

        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"] == reverse("mfa_activate_totp"), url
        assert "confidentiel" not in response.content.decode()


# What a view calls to check a staff permission (accounts/access.py and the apps' modules).
STAFF_GATE = re.compile(r"\b(require_staff|require_matching_staff|get_\w+_for_staff)\(")


def routes(resolver: URLResolver, prefix: str = "/"):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_page_that_checks_a_staff_permission_is_under_the_two_factor_prefixes():
    staff_routes = [
        route
        for route, view in routes(get_resolver())
        if STAFF_GATE.search(inspect.getsource(inspect.unwrap(view)))
    ]

    assert len(staff_routes) > 30  # the gate is found: candidates, duos, reports, matching...
    assert [route for route in staff_routes if not route.startswith(STAFF_PATH_PREFIXES)] == []
