"""The programme team's areas: which of them a user may open, for the menu and the way home.

The one place that decides it, with the permissions each area's first page asks for, read
from the access modules its views use: an area is listed only if its page would open.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import CANDIDATES_PERMISSION, may_open
from duos.lib.access import DASHBOARD_PERMISSIONS, VIEW_ACTIVITY, VIEW_DUO, VIEW_REPORT
from matching.access import RUN_MATCHING


@dataclass(frozen=True)
class StaffArea:
    url_name: str
    label: Promise
    permissions: tuple[str, ...]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# In the menu's order; the first one a user may open is their home page.
STAFF_AREAS = (
    StaffArea("accounts:staff_queue", _("Candidates"), (CANDIDATES_PERMISSION,)),
    StaffArea("matching:runs", _("Matching"), (RUN_MATCHING,)),
    StaffArea("duos:followup", _("Duo follow-up"), (VIEW_DUO,)),
    StaffArea("duos:dashboard", _("Dashboard"), DASHBOARD_PERMISSIONS),
    StaffArea("duos:reports", _("Reports"), (VIEW_REPORT,)),
    StaffArea("duos:staff_activities", _("Group activities"), (VIEW_ACTIVITY,)),
)


def staff_areas(user) -> list[StaffArea]:
    """The areas whose page would open for the user (none for a visitor or a participant)."""
    if user is None or not user.is_authenticated:
        return []
    return [area for area in STAFF_AREAS if may_open(user, *area.permissions)]


def staff_home(user) -> str | None:
    """The first area the user may open, or None."""
    areas = staff_areas(user)
    return areas[0].url if areas else None
