"""The two texts a person accepts before joining: the programme's charter and the privacy notice.

Public pages (the sign-up and the consent step link them), each showing the version in force
(accounts/texts.py). The notice's figures come from the code that applies them, not from
the template: the inactivity sweep's months, the login's lifetime, the undo window.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts import texts
from accounts.models import ConsentKind
from accounts.privacy import INACTIVITY_MONTHS
from accounts.states import UNDO_WITHDRAWAL_DAYS

SECONDS_PER_DAY = 24 * 3600


@require_GET
def charter(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/texts/charter.html", {"text": texts.current(ConsentKind.CHARTER)}
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    context = {
        "text": texts.current(ConsentKind.PRIVACY),
        "controller": settings.PRIVACY_CONTROLLER,
        "controller_address": settings.PRIVACY_CONTROLLER_ADDRESS,
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
        "dpo_email": settings.PRIVACY_DPO_EMAIL,
        "dpo_address": settings.PRIVACY_DPO_ADDRESS,
        "inactivity_months": INACTIVITY_MONTHS,
        "session_days": settings.SESSION_COOKIE_AGE // SECONDS_PER_DAY,
        "undo_days": UNDO_WITHDRAWAL_DAYS,
    }
    return render(request, "accounts/texts/privacy_notice.html", context)


urlpatterns = [
    path("charte/", charter, name="charter"),
    path("confidentialite/", privacy_notice, name="privacy_notice"),
]
