from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import two_factor
from accounts.adapter import lacks_two_factor

# Every staff page is under one of these (tests/accounts/test_two_factor_permissions.py).
STAFF_PATH_PREFIXES = ("/equipe/", "/admin/")


class StaffTwoFactorMiddleware:
    """Staff without an authenticator app are sent to set one up from every staff URL.

    allauth offers two-factor authentication but cannot require it for a group, so we do.
    Staff is whoever holds any of the team's permissions (accounts.roles), by the group or
    one by one, or the is_staff flag. Their setup page opens only once they proved their
    mailbox (accounts/two_factor.py): the password alone does not enrol an authenticator.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(STAFF_PATH_PREFIXES) and lacks_two_factor(request.user):
            messages.warning(
                request,
                _("Staff accounts need two-factor authentication: please set up an app first."),
            )
            return redirect("mfa_activate_totp")
        if (
            request.path_info == reverse("mfa_activate_totp")
            and lacks_two_factor(request.user)
            and not two_factor.has_proof(request)
        ):
            return redirect("accounts:two_factor_start")
        if request.path_info == reverse("mfa_activate_totp") and lacks_two_factor(request.user):
            two_factor.count_fresh_login(request)
        return self.get_response(request)
