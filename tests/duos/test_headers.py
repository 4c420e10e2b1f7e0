"""Headers: no cache keeps personal data; the browser features the site never uses are denied."""

from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "accounts:staff_queue",
    "duos:followup",
    "duos:reports",
    "duos:dashboard",
    "duos:staff_activities",
    "matching:runs",
]
# What the site never uses (it also denies more: see PERMISSIONS_POLICY in settings.py).
DENIED = ["camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"]
CSP = {
    "default-src 'self'",
    "img-src 'self' data:",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
}


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_are_kept_by_no_cache(staff_client, name):
    response = staff_client.get(reverse(name))

    assert response.status_code == HTTPStatus.OK
    assert no_store(response), response.get("Cache-Control")


def test_a_staff_page_about_one_person_is_kept_by_no_cache(staff_client, sponsor):
    response = staff_client.get(reverse("accounts:staff_person", args=[sponsor.pk]))

    assert response.status_code == HTTPStatus.OK
    assert no_store(response), response.get("Cache-Control")


def test_a_participants_own_page_is_kept_by_no_cache(sponsor_client):
    response = sponsor_client.get(reverse("accounts:dashboard"))

    assert response.status_code == HTTPStatus.OK
    assert no_store(response), response.get("Cache-Control")


def test_a_staff_export_is_kept_by_no_cache(staff_client):
    response = staff_client.get(reverse("duos:dashboard_duos_csv"))

    assert response.status_code == HTTPStatus.OK
    assert no_store(response), response.get("Cache-Control")


def test_a_page_that_says_how_it_is_cached_keeps_its_say(sponsor_client):
    # never_cache's own header (it says no-store and private too) is left as it is.
    response = sponsor_client.get(reverse("healthz"))

    assert response["Cache-Control"].startswith("max-age=0")


def test_the_public_home_page_is_not_marked_private(client):
    assert "private" not in client.get(reverse("home")).get("Cache-Control", "")


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_every_page_denies_the_browser_features_the_site_never_uses(client, staff, who):
    if who == "staff":
        client.force_login(staff)
    for url in (reverse("home"), reverse("account_login"), reverse("duos:followup")):
        policy = client.get(url)["Permissions-Policy"]

        assert all(feature in policy.split(", ") for feature in DENIED), policy


def test_the_content_security_policy_is_unchanged(client):
    policy = client.get(reverse("home"))["Content-Security-Policy"]

    assert {directive.strip() for directive in policy.split(";")} == CSP
