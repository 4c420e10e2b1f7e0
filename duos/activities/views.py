"""Group activities: staff create them, participants register, cancel, add them to a calendar.

Participants (a sponsor or refugee, and a social worker for the refugees they refer) see the
coming activities and register whoever they act for; only people in an active duo may take a
place. An emailed link registers without a login: it opens a page with one button, since mail
scanners follow links. The team's pages live under /equipe/activites/ and answer 404 without
the matching permission.
"""

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from accounts.models import Person
from duos.activities import ics, links, services
from duos.activities.forms import PersonForm
from duos.lib.access import get_people_for_member
from duos.lib.links import ACTIVITY_REGISTER, opens_link
from duos.models import GroupActivity, Registration, RegistrationState

PAST_PAGE_SIZE = 20


def _render_activity(
    request: HttpRequest,
    activity_pk: int,
    people: list[Person],
    *,
    status: int = HTTPStatus.OK,
    refusal: str = "",
    form: PersonForm | None = None,
) -> HttpResponse:
    activity = get_object_or_404(services.with_counts(GroupActivity.objects.all()), pk=activity_pk)
    eligible = services.active_duos_by_person(people)
    mine = {
        r.person_id: r for r in Registration.objects.filter(activity=activity, person__in=people)
    }
    positions = (
        services.waiting_positions(activity)
        if any(r.state == RegistrationState.WAITING for r in mine.values())
        else {}
    )
    rows = []
    for person in people:
        registration = mine.get(person.pk)
        state = registration.state if registration else None
        rows.append(
            {
                "person": person,
                "own": person.user_id == request.user.pk,
                "state": state,
                "position": positions.get(registration.pk) if registration else None,
                "can_register": person.pk in eligible and state not in services.OPEN_STATES,
                "can_cancel": state in services.OPEN_STATES,
            }
        )
    now = timezone.now()
    context = {
        "activity": activity,
        "places_left": max(activity.capacity - activity.places_taken, 0),
        "rows": rows,
        "open": activity.cancelled_at is None and activity.starts_at > now,
        "refusal": refusal,
        "form": form,
    }
    return render(request, "duos/activities/detail.html", context, status=status)


@member_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    people = get_people_for_member(request.user)
    context = {
        "activities": services.upcoming_for_people(people),
        "eligible": bool(services.active_duos_by_person(people)),
        "acting_for_others": any(person.user_id != request.user.pk for person in people),
    }
    return render(request, "duos/activities/list.html", context)


@member_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_activity(request, pk, get_people_for_member(request.user))


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    people = get_people_for_member(request.user)
    activity = get_object_or_404(GroupActivity, pk=pk)
    form = PersonForm(request.POST, people=people)
    if not form.is_valid():
        return _render_activity(request, pk, people, status=HTTPStatus.BAD_REQUEST, form=form)
    try:
        message = action(activity, form.chosen())
    except services.RegistrationRefused as refused:
        return _render_activity(
            request, pk, people, status=HTTPStatus.CONFLICT, refusal=refused.message
        )
    messages.success(request, message)
    return redirect("duos:activity", pk=pk)


def _register(activity: GroupActivity, person: Person) -> str:
    registration = services.registration_register(activity=activity, person=person)
    if registration.state == RegistrationState.WAITING:
        return _(
            "The activity is full: %(name)s is on the waiting list. We will write if a place "
            "frees up."
        ) % {"name": person.first_name}
    return _("%(name)s has a place. See you there!") % {"name": person.first_name}


def _cancel(activity: GroupActivity, person: Person) -> str:
    services.registration_cancel(activity=activity, person=person)
    return _("The registration of %(name)s is cancelled.") % {"name": person.first_name}


@member_required
@require_POST
def activity_register(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _register)


@member_required
@require_POST
def activity_cancel_registration(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _cancel)


@member_required
@require_GET
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    get_people_for_member(request.user)
    activity = get_object_or_404(GroupActivity, pk=pk)
    response = HttpResponse(
        ics.activity_calendar(activity), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="activite-{activity.pk}.ics"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@opens_link(ACTIVITY_REGISTER, resolve=links.register_link)
def activity_register_link(request: HttpRequest, link: links.RegisterLink) -> HttpResponse:
    activity, person = link.activity, link.person
    registration = Registration.objects.filter(
        activity=activity, person=person, state__in=services.OPEN_STATES
    ).first()
    refusal, status, done = "", HTTPStatus.OK, False
    if request.method == "POST" and registration is None:
        try:
            registration = services.registration_register(activity=activity, person=person)
            done = True
        except services.RegistrationRefused as refused:
            refusal, status = refused.message, HTTPStatus.CONFLICT
    taken = Registration.objects.filter(
        activity=activity, state=RegistrationState.REGISTERED
    ).count()
    context = {
        "activity": activity,
        "person": person,
        "registration": registration,
        "done": done,
        "refusal": refusal,
        "places_left": max(activity.capacity - taken, 0),
    }
    return render(request, "duos/activities/register_link.html", context, status=status)
