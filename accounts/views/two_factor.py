"""Staff prove their mailbox, then set up two-factor authentication (accounts/two_factor.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import two_factor
from accounts.adapter import lacks_two_factor
from duos.lib.links import TWO_FACTOR_ENROLMENT, TWO_FACTOR_INVITATION, opens_link


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_start(request: HttpRequest) -> HttpResponse:
    """The page staff are sent to before the setup: a button sends them the link."""
    if not lacks_two_factor(request.user) or two_factor.has_proof(request):
        return redirect("mfa_activate_totp")
    address = two_factor.verified_address(request.user)
    if request.method == "POST" and address:
        two_factor.send_enrolment_link(request.user)
        messages.success(
            request,
            _("A link was sent to %(email)s. Open it in this browser.") % {"email": address},
        )
        return redirect("accounts:two_factor_start")
    return render(request, "accounts/two_factor_start.html", {"address": address})


@never_cache
@login_required
@require_GET
@opens_link(TWO_FACTOR_ENROLMENT, TWO_FACTOR_INVITATION, resolve=two_factor.enrolment_user)
def two_factor_link(request: HttpRequest, user) -> HttpResponse:
    """Opened by its own user, logged in: the setup page opens to this session for a while.

    Opening it changes nothing in the account (a mail scanner, not logged in, is sent to log
    in); a link of another account is a 404.
    """
    if user.pk != request.user.pk:
        raise Http404
    two_factor.grant_proof(request)
    return redirect("mfa_activate_totp")


urlpatterns = [
    path("double-authentification/", two_factor_start, name="two_factor_start"),
    path("double-authentification/<str:token>/", two_factor_link, name="two_factor_link"),
]
