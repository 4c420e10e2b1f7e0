"""Personal-data rights: see what we hold, download it, delete a profile (GDPR art. 15, 17, 20)."""

import json
from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import privacy
from accounts.access import get_own_person, get_referred_person
from accounts.decorators import member_required
from accounts.models import Person
from accounts.roles import is_social_worker
from duos.lib.forms import CleanTextMixin


class DeleteProfileForm(CleanTextMixin, forms.Form):
    """Erasure cannot be undone: a ticked box, and the password of whoever asks, not a stray tap."""

    error_messages = {
        "wrong_password": _("This is not your password."),
    }

    confirm = forms.BooleanField(
        label=_("I understand that this deletion is final."),
        required=True,
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                self.error_messages["wrong_password"], code="wrong_password"
            )
        return password


def _json_download(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Sensitive data: no proxy nor browser cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def _posted(request: HttpRequest):
    # A POST with an empty body must still bind the form, so that it answers 400.
    return request.POST if request.method == "POST" else None


@member_required
@require_GET
def privacy_page(request: HttpRequest) -> HttpResponse:
    person = Person.objects.filter(user=request.user, anonymised_at=None).first()
    referred = []
    if is_social_worker(request.user):
        referred = Person.objects.filter(
            referrer=request.user, user=None, anonymised_at=None
        ).order_by("last_name", "first_name", "pk")
    return render(request, "accounts/privacy/index.html", {"person": person, "referred": referred})


@member_required
@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    # Any logged-in user may download what we hold on their account, profile or not.
    return _json_download(privacy.export_account(request.user), "duos-de-demain-my-data.json")


@member_required
@require_GET
def privacy_export_referred(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    return _json_download(privacy.export_person(person), f"duos-de-demain-person-{person.pk}.json")


@member_required
@require_http_methods(["GET", "POST"])
def privacy_delete(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request.user)
    form = DeleteProfileForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        privacy.erase_person(person)
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for taking part."))
        return redirect("home")
    return _confirmation(request, form, person, referred=False)


@member_required
@require_http_methods(["GET", "POST"])
def privacy_delete_referred(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    # The social worker confirms with their own password: they act for the refugee.
    form = DeleteProfileForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        privacy.erase_person(person)
        messages.success(request, _("The profile is deleted."))
        return redirect("accounts:privacy")
    return _confirmation(request, form, person, referred=True)


def _confirmation(
    request: HttpRequest, form: DeleteProfileForm, person: Person, *, referred: bool
) -> HttpResponse:
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(
        request,
        "accounts/privacy/delete.html",
        {"form": form, "person": person, "referred": referred},
        status=status,
    )


urlpatterns = [
    path("mes-donnees/", privacy_page, name="privacy"),
    path("mes-donnees/export.json", privacy_export, name="privacy_export"),
    path("mes-donnees/supprimer/", privacy_delete, name="privacy_delete"),
    path(
        "referent/personnes/<int:pk>/export.json",
        privacy_export_referred,
        name="privacy_export_referred",
    ),
    # Two segments after the pk: "referent/personnes/<pk>/<slug:action>/" (profile.py) would
    # swallow "referent/personnes/<pk>/supprimer/", as it comes first in accounts/urls.py.
    path(
        "referent/personnes/<int:pk>/donnees/supprimer/",
        privacy_delete_referred,
        name="privacy_delete_referred",
    ),
]
