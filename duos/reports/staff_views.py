"""The team's pages for confidential reports: list, read, update, suspend."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import audit_profile_views
from duos.lib.access import VIEW_REPORT, get_report_for_staff, require_staff
from duos.models import (
    OPEN_DUO_STATES,
    Report,
)
from duos.reports.forms import ReportFilterForm, ReportUpdateForm
from duos.reports.services import ALL, duo_suspend, duo_unsuspend, report_update, reports_for_staff

STAFF_PAGE_SIZE = 50


@login_required
@require_GET
def staff_reports(request: HttpRequest) -> HttpResponse:
    require_staff(request.user, VIEW_REPORT)
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "page_obj": None}
        return render(request, "duos/staff_reports.html", context, status=HTTPStatus.BAD_REQUEST)
    status = form.cleaned_data["status"]
    reports = reports_for_staff(status="" if status in ("", ALL) else status)
    page_obj = Paginator(reports, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "duos/staff_reports.html", {"form": form, "page_obj": page_obj})


def _render_report(
    request: HttpRequest,
    report: Report,
    *,
    form: ReportUpdateForm | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    """The report, with its reporter's contact details: a refugee's reading is logged."""
    # The duo's person (loaded with their login and social worker), to call them back.
    reporter = getattr(report.duo, report.side)
    audit_profile_views(viewer=request.user, people=[reporter], what="report")
    context = {
        "report": report,
        "duo": report.duo,
        "reporter": reporter,
        "log": report.log.select_related("author"),
        "form": form or ReportUpdateForm(report=report),
        "can_change": request.user.has_perm("duos.change_report"),
        "can_suspend": request.user.has_perm("duos.change_report")
        and request.user.has_perm("duos.change_duo"),
        "duo_open": report.duo.state in OPEN_DUO_STATES,
    }
    return render(request, "duos/staff_report.html", context, status=status)


@login_required
@require_GET
def staff_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, get_report_for_staff(request.user, pk))


@login_required
@require_POST
def staff_report_update(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_staff(request.user, pk, "duos.change_report")
    form = ReportUpdateForm(request.POST, report=report)
    if not form.is_valid():
        return _render_report(request, report, form=form, status=HTTPStatus.BAD_REQUEST)
    report_update(report=report, by=request.user, **form.cleaned_data)
    messages.success(request, _("Recorded in the report's log."))
    return redirect(reverse("duos:report", args=[report.pk]) + "#log")


@login_required
@require_POST
def staff_report_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_staff(request.user, pk, "duos.change_report", "duos.change_duo")
    if duo_suspend(report.duo, by=request.user, report=report):
        messages.success(
            request,
            _("The duo is suspended: no more reminders, and their pages hide contact details."),
        )
    else:
        messages.warning(
            request, _("Nothing was changed: the duo is already suspended, or no longer open.")
        )
    return redirect("duos:report", pk=report.pk)


@login_required
@require_POST
def staff_report_unsuspend(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_staff(request.user, pk, "duos.change_report", "duos.change_duo")
    if duo_unsuspend(report.duo, by=request.user, report=report):
        messages.success(request, _("The suspension is lifted."))
    else:
        messages.warning(request, _("Nothing was changed: the duo was not suspended."))
    return redirect("duos:report", pk=report.pk)
