"""Who may open which duo, report and group activity: the one access module of `duos`.

The team's pages answer 404 to anyone without the permission a page reads with (no hint
that it exists); a team member who may read but not do an action on a duo gets 403 for
it (duo pages only; reports and activities hide their actions with a 404 too).
Participants reach their own duo, or that of a refugee they refer, and nothing else (404).
The views' login decorators send anonymous visitors to log in first.
Persons themselves are accounts' objects: accounts/access.py.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import acts_for, get_people_for_member, require_staff
from duos.models import Duo, GroupActivity, Report, Side

__all__ = [
    "get_activity_for_staff",
    "get_duo_for_member",
    "get_duo_for_staff",
    "get_people_for_member",
    "get_report_for_staff",
    "require_staff",
]

VIEW_DUO = "duos.view_duo"
VIEW_REPORT = "duos.view_report"
VIEW_ACTIVITY = "duos.view_groupactivity"
# The dashboard shows figures about duos and about candidates.
DASHBOARD_PERMISSIONS = (VIEW_DUO, "accounts.view_person")


def get_duo_for_staff(user, pk: int, permission: str | None = None) -> Duo:
    """The duo with both people and their contacts; 403 without the action's `permission`."""
    require_staff(user, VIEW_DUO)
    if permission and not user.has_perm(permission):
        raise PermissionDenied
    return get_object_or_404(
        Duo.objects.select_related(
            "sponsor__user",
            "sponsor__referrer",
            "refugee__user",
            "refugee__referrer",
            "ended_by",
        ),
        pk=pk,
    )


def get_report_for_staff(user, pk: int, *permissions: str) -> Report:
    """The report; 404 without "view_report" and every one of `permissions`."""
    require_staff(user, VIEW_REPORT, *permissions)
    return get_object_or_404(
        Report.objects.select_related(
            "duo__sponsor__user",
            "duo__refugee__user",
            "duo__refugee__referrer",
            "duo__sponsor__referrer",
            "reporter",
            "sent_by",
        ),
        pk=pk,
    )


def get_activity_for_staff(
    user, pk: int, permission: str, activities: QuerySet[GroupActivity] | None = None
) -> GroupActivity:
    """The activity, from `activities` when given (annotated with its counts, say)."""
    require_staff(user, permission)
    if activities is None:
        activities = GroupActivity.objects.all()
    return get_object_or_404(activities, pk=pk)


def get_duo_for_member(user, pk: int, duos: QuerySet[Duo] | None = None) -> tuple[Duo, str]:
    """The duo, among `duos` when given, and the side the user acts for: their own, or that
    of a refugee they refer (accounts.access.acts_for). Anyone else gets a 404."""
    duos = Duo.objects.all() if duos is None else duos
    duo = duos.select_related("sponsor", "refugee").filter(pk=pk).first()
    if duo is None or not user.is_authenticated:
        raise Http404
    for side in Side.values:
        if acts_for(user, getattr(duo, side)):
            return duo, side
    raise Http404
