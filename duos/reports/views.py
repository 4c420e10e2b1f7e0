"""Pages where a participant files a confidential report."""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import member_required
from accounts.models import User
from duos.lib.access import get_duo_for_member
from duos.lib.links import REPORT, opens_link
from duos.models import (
    Duo,
    Side,
)
from duos.reports import links
from duos.reports.forms import ReportForm
from duos.reports.limits import TooManyReports
from duos.reports.services import report_create, reportable_duos


def _report_page(
    request: HttpRequest, *, duo: Duo, side: str, sent_by: User | None
) -> HttpResponse:
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = report_create(duo=duo, side=side, sent_by=sent_by, **form.cleaned_data)
            except TooManyReports:
                # The form again, with what they typed, and how to reach the team meanwhile.
                status = HTTPStatus.TOO_MANY_REQUESTS
            else:
                sent_url = reverse("duos:report_sent")
                return redirect(f"{sent_url}?urgent=1" if report.urgent else sent_url)
        else:
            status = HTTPStatus.BAD_REQUEST
    else:
        form = ReportForm()
    person = getattr(duo, side)
    context = {
        "form": form,
        "duo": duo,
        "person": person,
        "other": getattr(duo, Side.REFUGEE if side == Side.SPONSOR else Side.SPONSOR),
        "for_someone_else": person.user_id is None,
        "too_many": status == HTTPStatus.TOO_MANY_REQUESTS,
    }
    return render(request, "duos/report.html", context, status=status)


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    # Their own side, or the side of a refugee they refer (a social worker acting for them).
    duo, side = get_duo_for_member(request.user, pk, reportable_duos())
    return _report_page(request, duo=duo, side=side, sent_by=request.user)


@never_cache
@require_http_methods(["GET", "POST"])
@opens_link(REPORT, resolve=links.report_link)
def report_link(request: HttpRequest, link: links.ReportLink) -> HttpResponse:
    # The link went to this side's contact: the person, or their social worker.
    person = getattr(link.duo, link.side)
    return _report_page(request, duo=link.duo, side=link.side, sent_by=person.contact_user)


@never_cache
@require_GET
def report_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "duos/report_sent.html", {"urgent": request.GET.get("urgent") == "1"})
