"""A user's permissions in one query, instead of ModelBackend's two.

Every page reads them: the team's menu lists the areas a user may open (duos/lib/staff_areas.py)
and the two-factor rule asks whether a user holds any of the team's (accounts/roles.py). Django's
ModelBackend reads a user's own permissions and their groups' in two queries; this backend,
first in AUTHENTICATION_BACKENDS, reads both in one and keeps them where ModelBackend (and
allauth's backend, a ModelBackend) look first, so they ask nothing more.

It checks no password: logins stay ModelBackend's and allauth's (a failed login hashes once).
It does read back the user of a session, as ModelBackend does, because the test client's
force_login records the first backend that can.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class PermissionsBackend(ModelBackend):
    def authenticate(self, request, **credentials) -> None:
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """ModelBackend's answer: none for an inactive or anonymous user or for an object,
        every permission for a superuser, else the user's own and their groups'."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # The attribute ModelBackend.get_all_permissions caches its answer in.
            user_obj._perm_cache = _permissions_of(user_obj)
        return user_obj._perm_cache


def _permissions_of(user) -> set[str]:
    permissions = Permission.objects.all()
    if not user.is_superuser:
        permissions = permissions.filter(Q(user=user) | Q(group__user=user))
    rows = permissions.values_list("content_type__app_label", "codename").order_by().distinct()
    return {f"{app_label}.{codename}" for app_label, codename in rows}
