"""Who is who: the programme team is a Django group with permissions, not a flag in views."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

PROGRAMME_TEAM = "Programme team"
# "app_label.codename" of every permission the team holds; later apps add theirs here.
PROGRAMME_TEAM_PERMISSIONS = [
    "accounts.view_person",
    "accounts.change_person",
    "accounts.validate_person",
    "accounts.view_profile_details",
    "accounts.view_staffnote",
    "accounts.add_staffnote",
    "accounts.view_socialworker",
    "matching.run_matching",
    "matching.view_matchrun",
    "matching.view_proposal",
    "duos.view_duo",
    "duos.change_duo",
    "duos.view_checkin",
    "duos.view_duonote",
    "duos.add_duonote",
    "duos.view_report",
    "duos.change_report",
    "duos.view_surveyanswer",
    "duos.view_groupactivity",
    "duos.add_groupactivity",
    "duos.change_groupactivity",
    "duos.view_registration",
    "duos.change_registration",
]
STAFF_PERMISSIONS = frozenset(PROGRAMME_TEAM_PERMISSIONS)


def ensure_programme_team_group(**kwargs) -> Group:
    wanted = [perm.split(".") for perm in PROGRAMME_TEAM_PERMISSIONS]
    # post_migrate may reach us before auth has created these apps' permissions.
    for app_label in {app for app, _ in wanted}:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    group, _ = Group.objects.get_or_create(name=PROGRAMME_TEAM)
    permissions = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in wanted},
        codename__in={codename for _, codename in wanted},
    )
    group.permissions.add(*permissions)
    return group


def is_programme_staff(user) -> bool:
    """On the programme team: holds any of the team's permissions, by the group or one by one.

    Not one permission standing for all: whoever may read reports, duos or activities is
    staff too (they need two-factor authentication, they are not a candidate). What a staff
    member may open is each page's own permission (the access modules).
    """
    if not (user.is_authenticated and user.is_active):
        return False
    return not STAFF_PERMISSIONS.isdisjoint(user.get_all_permissions())


def is_social_worker(user) -> bool:
    return user.is_authenticated and hasattr(user, "social_worker")
