"""Confidential reports by the people of a duo, and what staff do about them.

Either person of a duo (or the social worker of a referred refugee, acting for them) can tell
the team about a problem: from a logged-in page, or from the signed link of every reminder
email (no login; as for every emailed link, a GET changes nothing). A report goes to the
programme team only: no page, no email of the other person ever shows it. An urgent one alerts
the team at once by an email that holds only a link: what was written stays in the app.

Staff follow reports in a list (open first, urgent first), change their status and add notes
that form a log, and can suspend the duo while they act: no reminder then, and the duo's
pages hide the contact details (they read `Duo.suspended_at`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from accounts.models import User
from accounts.roles import PROGRAMME_TEAM
from duos.emails import absolute_url, send_templated_email
from duos.forms import CleanTextMixin
from duos.models import (
    OPEN_DUO_STATES,
    Duo,
    DuoState,
    Report,
    ReportCategory,
    ReportLogEntry,
    ReportStatus,
    Side,
)

# The link of a reminder email works this long: past the month it was sent for, since a
# problem is often told late.
REPORT_LINK_DAYS = 60
# A duo that ended (early or completed) this recently can still be reported on from its page.
RECENTLY_ENDED_DAYS = 60
STAFF_PAGE_SIZE = 50
TEXT_MAX_LENGTH = 5000
ALL = "all"

_TOKEN_SALT = "duos.report"  # noqa: S105  (a namespace, not a secret)


# Who may report on which duo -----------------------------------------------------------------


def reportable_duos(*, now: datetime | None = None) -> QuerySet[Duo]:
    """Duos waiting for answers, active, or ended less than RECENTLY_ENDED_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=RECENTLY_ENDED_DAYS)
    return Duo.objects.filter(
        Q(state__in=OPEN_DUO_STATES)
        | Q(state__in=[DuoState.ENDED, DuoState.COMPLETED], ended_at__gte=cutoff)
    )


def get_duo_for_reporter(user, pk: int) -> tuple[Duo, str]:
    """The duo and the side the logged-in user reports for: their own side, or the side of a
    refugee they refer (a social worker acting for them). Anyone else gets a 404."""
    duo = reportable_duos().select_related("sponsor", "refugee").filter(pk=pk).first()
    if duo is None or not user.is_authenticated:
        raise Http404
    for side in Side.values:
        person = getattr(duo, side)
        if person.anonymised_at is not None:
            continue
        if person.user_id == user.pk or (person.user_id is None and person.referrer_id == user.pk):
            return duo, side
    raise Http404


# The emailed link ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLink:
    duo: Duo
    side: str


class InvalidReportLink(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def report_token(duo: Duo, side: str) -> str:
    return signing.dumps({"duo": duo.pk, "side": side}, salt=_TOKEN_SALT)


def report_link_url(duo: Duo, side: str) -> str:
    """The link of a reminder email: no query, it is built for every reminder of a batch."""
    return absolute_url(reverse("duos:report_link", args=[report_token(duo, side)]))


def read_report_token(token: str) -> ReportLink:
    """The duo and side a link carries; InvalidReportLink if tampered or too old."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=timedelta(days=REPORT_LINK_DAYS))
    except signing.SignatureExpired as error:
        raise InvalidReportLink(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidReportLink from error
    if not isinstance(data, dict) or data.get("side") not in Side.values:
        raise InvalidReportLink
    duo = Duo.objects.select_related("sponsor", "refugee").filter(pk=data.get("duo")).first()
    if duo is None:
        raise InvalidReportLink
    if getattr(duo, data["side"]).anonymised_at is not None:
        # The person's data was deleted: nobody is left to report for.
        raise InvalidReportLink(expired=True)
    return ReportLink(duo=duo, side=data["side"])


# Services ------------------------------------------------------------------------------------


def report_create(
    *, duo: Duo, side: str, sent_by: User | None, category: str, text: str, urgent: bool
) -> Report:
    """Record a report; an urgent one alerts the team once the transaction commits."""
    if side not in Side.values or category not in ReportCategory.values:
        raise ValueError(f"{side=} {category=}")
    with transaction.atomic():
        report = Report(
            duo=duo,
            side=side,
            reporter=getattr(duo, side),
            sent_by=sent_by,
            category=category,
            text=text,
            urgent=urgent,
        )
        report.full_clean()
        report.save()
        if urgent:
            from duos.tasks import send_urgent_report_alert

            send_urgent_report_alert.delay_on_commit(report.pk)
    return report


def report_update(*, report: Report, by: User, status: str, text: str = "") -> ReportLogEntry:
    """Change a report's status and/or add a note: both go to its log."""
    if status not in ReportStatus.values:
        raise ValueError(f"{status=}")
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).exclude(status=status).update(status=status)
        entry = ReportLogEntry.objects.create(report=report, author=by, status=status, text=text)
    report.status = status
    return entry


def duo_suspend(
    duo: Duo, *, by: User, now: datetime | None = None, report: Report | None = None
) -> bool:
    """Suspend a waiting or active duo while staff act on a report; False if nothing changed.

    Conditional: a second click (or a colleague's) finds it suspended and changes nothing.
    The log of `report`, or else of every report of the duo not closed, records it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        changed = Duo.objects.filter(
            pk=duo.pk, suspended_at=None, state__in=OPEN_DUO_STATES
        ).update(suspended_at=now)
        if changed:
            _log_on_reports(
                duo,
                report,
                by,
                gettext("Duo suspended: no more reminders, contact details hidden."),
            )
    if changed:
        duo.suspended_at = now
    return bool(changed)


def duo_unsuspend(duo: Duo, *, by: User, report: Report | None = None) -> bool:
    """Lift a suspension; False if the duo was not suspended."""
    with transaction.atomic():
        changed = Duo.objects.filter(pk=duo.pk, suspended_at__isnull=False).update(
            suspended_at=None
        )
        if changed:
            _log_on_reports(duo, report, by, gettext("Suspension lifted."))
    if changed:
        duo.suspended_at = None
    return bool(changed)


def _log_on_reports(duo: Duo, report: Report | None, by: User, text: str) -> None:
    if report is not None:
        targets = list(Report.objects.filter(pk=report.pk).values_list("pk", "status"))
    else:
        targets = list(
            Report.objects.filter(duo=duo)
            .exclude(status=ReportStatus.CLOSED)
            .values_list("pk", "status")
        )
    ReportLogEntry.objects.bulk_create(
        ReportLogEntry(report_id=pk, author=by, status=status, text=text) for pk, status in targets
    )


def report_staff_recipients() -> QuerySet[User]:
    """Who an urgent report alerts: every active member of the programme team."""
    return (
        User.objects.filter(groups__name=PROGRAMME_TEAM, is_active=True).distinct().order_by("pk")
    )


def report_send_urgent_alert(*, report_id: int, user_id: int) -> bool:
    """Tell one team member that an urgent report came in; False when moot.

    The email holds a link and no word of the report: what was written stays in the app,
    behind the team's two-factor login.
    """
    report = Report.objects.filter(pk=report_id, urgent=True).first()
    user = report_staff_recipients().filter(pk=user_id).first()
    if report is None or user is None or report.status == ReportStatus.CLOSED:
        return False
    send_templated_email(
        to=user,
        template="report_urgent",
        context={
            "report_number": report.pk,
            "report_url": absolute_url(reverse("duos:report", args=[report.pk])),
        },
        headers={"Message-ID": f"<report-{report.pk}-urgent-{user.pk}@duos-de-demain>"},
    )
    return True


def reports_for_staff(*, status: str = "") -> QuerySet[Report]:
    """Open first, then in progress, then closed; urgent first within each; newest first."""
    rank = Case(
        When(status=ReportStatus.OPEN, then=Value(0)),
        When(status=ReportStatus.IN_PROGRESS, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    reports = Report.objects.select_related("duo__sponsor", "duo__refugee")
    if status:
        reports = reports.filter(status=status)
    return reports.annotate(status_rank=rank).order_by(
        "status_rank", "-urgent", "-created_at", "-pk"
    )


# Forms ---------------------------------------------------------------------------------------


class ReportForm(CleanTextMixin, forms.Form):
    """The person's report: what it is about, a few words, and whether help is needed fast."""

    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=ReportCategory.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what it is about."),
            "invalid_choice": _("Choose one of the answers in the list."),
        },
    )
    text = forms.CharField(
        label=_("In a few words, what happened?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write a few words: what happened?")},
    )
    urgent = forms.BooleanField(
        label=_("I need help quickly"),
        help_text=_("Tick this box and the team is alerted at once."),
        required=False,
    )


class ReportUpdateForm(CleanTextMixin, forms.Form):
    """Staff: a new status, a note, or both."""

    status = forms.ChoiceField(label=_("Status"), choices=ReportStatus.choices)
    text = forms.CharField(
        label=_("Note (seen by the team only)"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, report: Report, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["status"].initial = report.status

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == self.report.status and not cleaned.get("text"):
            raise forms.ValidationError(
                _("Change the status or write a note, otherwise nothing is recorded."),
                code="nothing_to_record",
            )
        return cleaned


class ReportFilterForm(CleanTextMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ALL, _("All reports")), *ReportStatus.choices],
        required=False,
    )


# The person's pages --------------------------------------------------------------------------


def _report_page(
    request: HttpRequest, *, duo: Duo, side: str, sent_by: User | None
) -> HttpResponse:
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            report = report_create(duo=duo, side=side, sent_by=sent_by, **form.cleaned_data)
            sent_url = reverse("duos:report_sent")
            return redirect(f"{sent_url}?urgent=1" if report.urgent else sent_url)
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
    }
    return render(request, "duos/report.html", context, status=status)


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    duo, side = get_duo_for_reporter(request.user, pk)
    return _report_page(request, duo=duo, side=side, sent_by=request.user)


@never_cache
@require_http_methods(["GET", "POST"])
def report_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = read_report_token(token)
    except InvalidReportLink as error:
        status = HTTPStatus.GONE if error.expired else HTTPStatus.BAD_REQUEST
        return render(
            request, "duos/report_invalid.html", {"expired": error.expired}, status=status
        )
    # The link went to this side's contact: the person, or their social worker.
    person = getattr(link.duo, link.side)
    return _report_page(request, duo=link.duo, side=link.side, sent_by=person.contact_user)


@never_cache
@require_GET
def report_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "duos/report_sent.html", {"urgent": request.GET.get("urgent") == "1"})


# The team's pages ----------------------------------------------------------------------------


def _require_perms(user, *perms: str) -> None:
    if not (user.is_active and all(user.has_perm(perm) for perm in perms)):
        raise Http404


def get_report_for_staff(user, pk: int, *perms: str) -> Report:
    _require_perms(user, "duos.view_report", *perms)
    return get_object_or_404(
        Report.objects.select_related(
            "duo__sponsor__user",
            "duo__refugee__user",
            "duo__refugee__referrer",
            "duo__sponsor__referrer",
            "reporter",
            "sent_by",
        ),
        pk=pk,
    )


@login_required
@require_GET
def staff_reports(request: HttpRequest) -> HttpResponse:
    _require_perms(request.user, "duos.view_report")
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
    context = {
        "report": report,
        "duo": report.duo,
        # The duo's person (loaded with their login and social worker), to call them back.
        "reporter": getattr(report.duo, report.side),
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


urlpatterns: list = [
    path("duo/<int:pk>/signaler/", report_new, name="report_new"),
    path("duo/signaler/<str:token>/", report_link, name="report_link"),
    path("duo/signalement-envoye/", report_sent, name="report_sent"),
    path("equipe/signalements/", staff_reports, name="reports"),
    path("equipe/signalements/<int:pk>/", staff_report, name="report"),
    path("equipe/signalements/<int:pk>/suivi/", staff_report_update, name="report_update"),
    path("equipe/signalements/<int:pk>/suspendre/", staff_report_suspend, name="report_suspend"),
    path(
        "equipe/signalements/<int:pk>/reprendre/",
        staff_report_unsuspend,
        name="report_unsuspend",
    ),
]
