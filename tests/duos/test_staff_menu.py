"""The team's menu: every staff area the user may open and no other, behind a disclosure button."""

import re
from http import HTTPStatus

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.urls import reverse

from duos.lib.staff_areas import STAFF_AREAS, staff_areas
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MATCHING = "/equipe/appariements/"
CANDIDATES = "/equipe/candidats/"
FOLLOWUP = "/equipe/duos/suivi/"


def holding(*permissions: str):
    """A team member with exactly `permissions` (and the two-factor app staff pages ask for)."""
    user = UserFactory(is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    TOTP.activate(user, generate_totp_secret())
    return user


def menu_links(body: str) -> list[str]:
    menu = re.search(r'(?s)<details class="menu">(.*?)</details>', body)
    return re.findall(r'<a href="([^"]+)"', menu[1]) if menu else []


def test_staff_menu_lists_every_area_for_the_programme_team(staff_client):
    body = staff_client.get(reverse("home")).content.decode()

    assert menu_links(body) == [
        reverse("accounts:dashboard"),
        CANDIDATES,
        MATCHING,
        FOLLOWUP,
        reverse("duos:dashboard"),
        reverse("duos:reports"),
        reverse("duos:staff_activities"),
    ]


def test_staff_menu_is_a_disclosure_button_that_needs_no_script(staff_client):
    body = staff_client.get(reverse("home")).content.decode()

    nav = re.search(r'(?s)<nav class="site-nav"[^>]*>(.*?)</nav>', body)[1]
    assert re.search(r'<details class="menu">\s*<summary>Menu</summary>\s*<ul class="nav">', nav)
    assert "<script" not in body
    assert "Log out" in nav  # every link of the menu, logging out too, is behind the button


def test_staff_menu_lists_matching_only_for_who_may_run_it():
    matcher = client_for(holding("matching.run_matching"))
    follower = client_for(holding("duos.view_duo"))

    assert menu_links(matcher.get(reverse("home")).content.decode()) == [
        reverse("accounts:dashboard"),
        MATCHING,
    ]
    assert menu_links(follower.get(reverse("home")).content.decode()) == [
        reverse("accounts:dashboard"),
        FOLLOWUP,
    ]


def test_staff_menu_shows_the_areas_that_open_and_hides_those_that_do_not():
    """The menu and the pages decide alike: what it lists opens, what it leaves out is a 404."""
    user = holding("accounts.validate_person", "duos.view_report", "duos.view_duo")
    client = client_for(user)
    listed = {reverse(area.url_name) for area in staff_areas(user)}

    assert listed == {CANDIDATES, FOLLOWUP, reverse("duos:reports")}
    for area in STAFF_AREAS:
        url = reverse(area.url_name)
        expected = HTTPStatus.OK if url in listed else HTTPStatus.NOT_FOUND
        assert client.get(url).status_code == expected, url


def test_staff_menu_marks_the_current_area(staff_client):
    body = staff_client.get(MATCHING).content.decode()

    assert f'<a href="{MATCHING}" aria-current="page">' in body


@pytest.mark.parametrize("who", ["sponsor", "social_worker", "outsider"])
def test_staff_menu_is_absent_for_people_outside_the_team(request, who):
    cast = request.getfixturevalue(who)
    body = client_for(getattr(cast, "user", cast)).get(reverse("home")).content.decode()

    assert '<details class="menu">' not in body
    assert MATCHING not in body
    assert f'<a href="{reverse("accounts:dashboard")}">' in body


def test_staff_menu_is_absent_for_anonymous_visitors(client):
    body = client.get(reverse("home")).content.decode()

    assert '<details class="menu">' not in body
    assert reverse("account_login") in body


def test_staff_menu_leaves_out_an_inactive_user():
    user = holding("matching.run_matching")
    user.is_active = False

    assert staff_areas(user) == []


def test_flash_messages_live_region_wraps_the_list(staff_client, sponsor):
    """axe's listitem rule: a role on the ul would take the items' list away."""
    from accounts.models import CandidateState

    sponsor.state = CandidateState.AWAITING_VALIDATION
    sponsor.save()
    staff_client.post(
        reverse("accounts:staff_interview", args=[sponsor.pk]), {"date": "2020-01-01"}
    )
    body = staff_client.get(reverse("accounts:staff_person", args=[sponsor.pk])).content.decode()

    assert re.search(r'<div role="status">\s*<ul class="messages">\s*<li class="message', body)
    assert not re.search(r"<ul[^>]*role=", body)


def test_my_space_takes_a_team_member_to_the_first_area_they_may_open():
    follower = client_for(holding("duos.view_duo"))

    response = follower.get(reverse("accounts:dashboard"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == FOLLOWUP
    assert follower.get(FOLLOWUP).status_code == HTTPStatus.OK


def test_my_space_takes_the_programme_team_to_the_candidates(staff_client):
    assert staff_client.get(reverse("accounts:dashboard"))["Location"] == CANDIDATES
