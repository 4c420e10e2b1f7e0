from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.adapter import needs_two_factor

STAFF_PATH_PREFIXES = ("/equipe/", "/admin/")


class StaffTwoFactorMiddleware:
    """Staff without an authenticator app are sent to set one up from every staff URL.

    allauth offers two-factor authentication but cannot require it for a group, so we do.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith(STAFF_PATH_PREFIXES)
            and needs_two_factor(request.user)
            and not is_mfa_enabled(request.user, [Authenticator.Type.TOTP])
        ):
            messages.warning(
                request,
                _("Staff accounts need two-factor authentication: please set up an app first."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
