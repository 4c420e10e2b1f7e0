"""The team's pages for group activities: create, edit, cancel, attendance."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duos.activities import services
from duos.activities.forms import ActivityForm, AttendanceForm
from duos.activities.views import PAST_PAGE_SIZE
from duos.lib.access import VIEW_ACTIVITY, get_activity_for_staff, require_staff
from duos.models import GroupActivity, RegistrationState


def _staff_activity(user, pk: int, permission: str) -> GroupActivity:
    counted = services.with_counts(GroupActivity.objects.select_related("created_by"))
    return get_activity_for_staff(user, pk, permission, counted)


@login_required
@require_GET
def staff_activities(request: HttpRequest) -> HttpResponse:
    require_staff(request.user, VIEW_ACTIVITY)
    now = timezone.now()
    listed = services.with_counts(GroupActivity.objects.all())
    past = Paginator(listed.filter(ends_at__lte=now).order_by("-starts_at", "-pk"), PAST_PAGE_SIZE)
    context = {
        "upcoming": listed.filter(ends_at__gt=now).order_by("starts_at", "pk"),
        "page_obj": past.get_page(request.GET.get("page")),
        "can_add": request.user.has_perm("duos.add_groupactivity"),
    }
    return render(request, "duos/activities/staff_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_activity_create(request: HttpRequest) -> HttpResponse:
    require_staff(request.user, "duos.add_groupactivity")
    form = ActivityForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            activity = form.save(commit=False)
            services.activity_save(activity=activity, by=request.user)
            messages.success(request, _("The activity is created."))
            return redirect("duos:staff_activity", pk=activity.pk)
        status = HTTPStatus.BAD_REQUEST
    else:
        status = HTTPStatus.OK
    return render(
        request, "duos/activities/staff_form.html", {"form": form, "activity": None}, status=status
    )


@login_required
@require_GET
def staff_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _staff_activity(request.user, pk, VIEW_ACTIVITY)
    require_staff(request.user, "duos.view_registration")
    registrations = list(
        activity.registrations.select_related("person__user", "person__referrer").order_by(
            "created_at", "pk"
        )
    )
    by_state = {state: [] for state in RegistrationState.values}
    for registration in registrations:
        by_state[registration.state].append(registration)
    context = {
        "activity": activity,
        "registered": by_state[RegistrationState.REGISTERED],
        "waiting": by_state[RegistrationState.WAITING],
        "cancelled": by_state[RegistrationState.CANCELLED],
        "started": activity.starts_at <= timezone.now(),
        "can_change": request.user.has_perm("duos.change_groupactivity"),
        "can_record": request.user.has_perm("duos.change_registration"),
    }
    return render(request, "duos/activities/staff_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _staff_activity(request.user, pk, "duos.change_groupactivity")
    if activity.cancelled_at is not None:
        messages.error(request, _("A cancelled activity cannot be changed."))
        return render(
            request,
            "duos/activities/staff_form.html",
            {"form": None, "activity": activity},
            status=HTTPStatus.CONFLICT,
        )
    form = ActivityForm(request.POST or None, instance=activity)
    status = HTTPStatus.OK
    if request.method == "POST":
        if form.is_valid():
            promoted = services.activity_save(activity=form.save(commit=False), by=request.user)
            messages.success(request, _("The activity is saved."))
            if promoted:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s person of the waiting list got a place and is told by email.",
                        "%(count)s people of the waiting list got a place and are told by email.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                )
            return redirect("duos:staff_activity", pk=activity.pk)
        status = HTTPStatus.BAD_REQUEST
    return render(
        request,
        "duos/activities/staff_form.html",
        {"form": form, "activity": activity},
        status=status,
    )


@login_required
@require_POST
def staff_activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _staff_activity(request.user, pk, "duos.change_groupactivity")
    if services.activity_cancel(activity=activity, by=request.user):
        messages.success(
            request, _("The activity is cancelled: everyone registered or waiting is told.")
        )
    else:
        messages.info(request, _("This activity was already cancelled."))
    return redirect("duos:staff_activity", pk=activity.pk)


@login_required
@require_http_methods(["GET", "POST"])
def staff_activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _staff_activity(request.user, pk, "duos.change_registration")
    registrations = list(
        activity.registrations.filter(state__in=services.OPEN_STATES)
        .select_related("person")
        .order_by("state", "created_at", "pk")
    )
    form = AttendanceForm(
        request.POST if request.method == "POST" else None, registrations=registrations
    )
    status, refusal = HTTPStatus.OK, ""
    if request.method == "POST":
        if not form.is_valid():
            status = HTTPStatus.BAD_REQUEST
        else:
            try:
                written = services.attendance_record(
                    activity=activity, attended=form.attended(), by=request.user
                )
            except services.RegistrationRefused as refused:
                status, refusal = HTTPStatus.CONFLICT, refused.message
            else:
                messages.success(
                    request,
                    ngettext(
                        "Attendance is saved: %(count)s meeting counted for its month.",
                        "Attendance is saved: %(count)s meetings counted for their month.",
                        written,
                    )
                    % {"count": written},
                )
                return redirect("duos:staff_activity", pk=activity.pk)
    context = {
        "activity": activity,
        "form": form,
        "refusal": refusal,
        "started": activity.starts_at <= timezone.now(),
    }
    return render(request, "duos/activities/staff_attendance.html", context, status=status)
