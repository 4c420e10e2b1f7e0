"""A referred refugee takes over their profile (see accounts/handover.py)."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import handover
from accounts.access import get_referred_person
from accounts.decorators import member_required
from accounts.forms import InviteForm
from accounts.models import Person, User
from accounts.views.profile import render_referral_detail
from duos.lib.links import HANDOVER, LinkExpired, invalid_link_response, opens_link

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
HAS_PROFILE = _(
    "Your account already has a profile of its own. Please contact the programme team so that "
    "we can sort it out together."
)


@member_required
@require_POST
def referral_invite(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return render_referral_detail(request, person, invite_form=form, status=400)
    handover.send_invitation(
        person=person, email=form.cleaned_data["email"], language=form.cleaned_data["language"]
    )
    messages.success(request, _("The invitation is sent. It is valid for 14 days."))
    return redirect("accounts:referral_detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
@opens_link(HANDOVER, resolve=handover.invitation)
def take_over(request: HttpRequest, invitation: handover.Invitation) -> HttpResponse:
    """The link opens a page with a button: following it alone changes nothing."""
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        return _take_over_as_existing_user(request, invitation, existing)
    form = SetPasswordForm(User(email=invitation.email), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = handover.take_over(invitation, password=form.cleaned_data["new_password1"])
        except LinkExpired as used:  # taken over meanwhile, from another tab or device
            return invalid_link_response(request, HANDOVER, used)
        login(request, user, backend=AUTH_BACKEND)
        messages.success(request, _("Welcome! This profile is now yours."))
        return redirect("accounts:dashboard")
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(
        request, "accounts/handover.html", {"invitation": invitation, "form": form}, status=status
    )


def _take_over_as_existing_user(request, invitation, existing: User) -> HttpResponse:
    if request.user != existing:
        # The address already has an account: its owner logs in, then opens the link again.
        return render(
            request, "accounts/handover.html", {"invitation": invitation, "login_first": True}
        )
    if Person.objects.filter(user=existing).exists():
        return render(
            request, "link_invalid.html", {"message": HAS_PROFILE}, status=HTTPStatus.CONFLICT
        )
    if request.method == "POST":
        try:
            handover.take_over(invitation, user=existing)
        except LinkExpired as used:
            return invalid_link_response(request, HANDOVER, used)
        messages.success(request, _("Welcome! This profile is now yours."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/handover.html", {"invitation": invitation})


urlpatterns = [
    path("referent/personnes/<int:pk>/invitation/", referral_invite, name="referral_invite"),
    path("invitation/<str:token>/", take_over, name="handover"),
]
