"""Group activities: staff create them, participants register, cancel, add them to a calendar.

Participants (a sponsor or refugee, and a social worker for the refugees they refer) see the
coming activities and register whoever they act for; only people in an active duo may take a
place. An emailed link registers without a login: it opens a page with one button, since mail
scanners follow links. The team's pages live under /equipe/activites/ and answer 404 without
the matching permission.
"""

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from accounts.models import Person
from accounts.roles import is_social_worker
from duos import activities
from duos.forms import CleanTextMixin
from duos.models import GroupActivity, Registration, RegistrationState

PAST_PAGE_SIZE = 20
MAX_CAPACITY = 1000

# Participants ---------------------------------------------------------------------------------


class PersonForm(forms.Form):
    """Whom a register or cancel button acts for: one of the people the user acts for."""

    person = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": _("Choose whom to register."),
            "invalid_choice": _("You cannot register this person."),
        },
    )

    def __init__(self, *args, people: list[Person], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["person"].choices = [(pk, str(pk)) for pk in self.people]

    def chosen(self) -> Person:
        return self.people[self.cleaned_data["person"]]


def _people_for(user) -> list[Person]:
    """Whom the user acts for; 404 for anyone who is neither a participant nor a social worker."""
    people = activities.acting_people(user)
    if not people and not is_social_worker(user):
        raise Http404
    return people


def _render_activity(
    request: HttpRequest,
    activity_pk: int,
    people: list[Person],
    *,
    status: int = HTTPStatus.OK,
    refusal: str = "",
    form: PersonForm | None = None,
) -> HttpResponse:
    activity = get_object_or_404(
        activities.with_counts(GroupActivity.objects.all()), pk=activity_pk
    )
    eligible = activities.active_duos_by_person(people)
    mine = {
        r.person_id: r for r in Registration.objects.filter(activity=activity, person__in=people)
    }
    positions = (
        activities.waiting_positions(activity)
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
                "can_register": person.pk in eligible and state not in activities.OPEN_STATES,
                "can_cancel": state in activities.OPEN_STATES,
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
    people = _people_for(request.user)
    context = {
        "activities": activities.upcoming_for_people(people),
        "eligible": bool(activities.active_duos_by_person(people)),
        "acting_for_others": any(person.user_id != request.user.pk for person in people),
    }
    return render(request, "duos/activities/list.html", context)


@member_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_activity(request, pk, _people_for(request.user))


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    people = _people_for(request.user)
    activity = get_object_or_404(GroupActivity, pk=pk)
    form = PersonForm(request.POST, people=people)
    if not form.is_valid():
        return _render_activity(request, pk, people, status=HTTPStatus.BAD_REQUEST, form=form)
    try:
        message = action(activity, form.chosen())
    except activities.RegistrationRefused as refused:
        return _render_activity(
            request, pk, people, status=HTTPStatus.CONFLICT, refusal=refused.message
        )
    messages.success(request, message)
    return redirect("duos:activity", pk=pk)


def _register(activity: GroupActivity, person: Person) -> str:
    registration = activities.registration_register(activity=activity, person=person)
    if registration.state == RegistrationState.WAITING:
        return _(
            "The activity is full: %(name)s is on the waiting list. We will write if a place "
            "frees up."
        ) % {"name": person.first_name}
    return _("%(name)s has a place. See you there!") % {"name": person.first_name}


def _cancel(activity: GroupActivity, person: Person) -> str:
    activities.registration_cancel(activity=activity, person=person)
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
    _people_for(request.user)
    activity = get_object_or_404(GroupActivity, pk=pk)
    response = HttpResponse(
        activities.activity_calendar(activity), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="activite-{activity.pk}.ics"'
    return response


# The emailed link -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def activity_register_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = activities.read_register_token(token)
    except activities.InvalidRegisterLink as error:
        status = HTTPStatus.GONE if error.expired else HTTPStatus.BAD_REQUEST
        return render(
            request,
            "duos/activities/link_invalid.html",
            {"expired": error.expired},
            status=status,
        )
    activity, person = link.activity, link.person
    registration = Registration.objects.filter(
        activity=activity, person=person, state__in=activities.OPEN_STATES
    ).first()
    refusal, status, done = "", HTTPStatus.OK, False
    if request.method == "POST" and registration is None:
        try:
            registration = activities.registration_register(activity=activity, person=person)
            done = True
        except activities.RegistrationRefused as refused:
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


# The team -------------------------------------------------------------------------------------


def _require(user, permission: str) -> None:
    if not (user.is_active and user.has_perm(permission)):
        raise Http404


class ActivityForm(CleanTextMixin, forms.ModelForm):
    error_messages = {
        "ends_before_start": _("The activity must end after it starts."),
        "in_the_past": _("A new activity must start in the future."),
        "below_registered": ngettext_lazy(
            "%(count)s person already has a place: there cannot be fewer places.",
            "%(count)s people already have a place: there cannot be fewer places.",
            "count",
        ),
    }

    class Meta:
        model = GroupActivity
        fields = ["title", "starts_at", "ends_at", "place", "capacity", "description"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        capacity = self.fields["capacity"]
        capacity.validators += [MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
        capacity.widget.attrs.update(min=1, max=MAX_CAPACITY)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if self.instance.pk is None and starts_at <= timezone.now():
            raise forms.ValidationError(self.error_messages["in_the_past"], code="in_the_past")
        return starts_at

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk is not None:
            taken = self.instance.registrations.filter(state=RegistrationState.REGISTERED).count()
            if capacity < taken:
                raise forms.ValidationError(
                    self.error_messages["below_registered"],
                    code="below_registered",
                    params={"count": taken},
                )
        return capacity

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error(
                "ends_at",
                forms.ValidationError(
                    self.error_messages["ends_before_start"], code="ends_before_start"
                ),
            )
        return cleaned


ATTENDANCE_CHOICES = [("", _("Not recorded")), ("yes", _("Came")), ("no", _("Did not come"))]
_ATTENDED = {"": None, "yes": True, "no": False}


class AttendanceForm(forms.Form):
    """One choice per registration (a place or the waiting list): came, did not come, unknown."""

    def __init__(self, *args, registrations: list[Registration], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            initial = {None: "", True: "yes", False: "no"}[registration.attended]
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                choices=ATTENDANCE_CHOICES,
                required=False,
                initial=initial,
                widget=forms.RadioSelect,
                label=registration.person.first_name,
            )

    def rows(self):
        for registration in self.registrations:
            yield registration, self[f"r{registration.pk}"]

    def attended(self) -> dict[int, bool | None]:
        return {r.pk: _ATTENDED[self.cleaned_data[f"r{r.pk}"]] for r in self.registrations}


def _staff_activity(user, pk: int, permission: str) -> GroupActivity:
    _require(user, permission)
    return get_object_or_404(
        activities.with_counts(GroupActivity.objects.select_related("created_by")), pk=pk
    )


@login_required
@require_GET
def staff_activities(request: HttpRequest) -> HttpResponse:
    _require(request.user, "duos.view_groupactivity")
    now = timezone.now()
    listed = activities.with_counts(GroupActivity.objects.all())
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
    _require(request.user, "duos.add_groupactivity")
    form = ActivityForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            activity = form.save(commit=False)
            activities.activity_save(activity=activity, by=request.user)
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
    activity = _staff_activity(request.user, pk, "duos.view_groupactivity")
    _require(request.user, "duos.view_registration")
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
            promoted = activities.activity_save(activity=form.save(commit=False), by=request.user)
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
    if activities.activity_cancel(activity=activity, by=request.user):
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
        activity.registrations.filter(state__in=activities.OPEN_STATES)
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
                written = activities.attendance_record(
                    activity=activity, attended=form.attended(), by=request.user
                )
            except activities.RegistrationRefused as refused:
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


urlpatterns: list = [
    path("activites/", activity_list, name="activities"),
    path("activites/<int:pk>/", activity_detail, name="activity"),
    path("activites/<int:pk>/inscription/", activity_register, name="activity_register"),
    path(
        "activites/<int:pk>/annulation/",
        activity_cancel_registration,
        name="activity_cancel_registration",
    ),
    path("activites/<int:pk>/calendrier.ics", activity_ics, name="activity_ics"),
    path(
        "activites/inscription/<str:token>/",
        activity_register_link,
        name="activity_register_link",
    ),
    path("equipe/activites/", staff_activities, name="staff_activities"),
    path("equipe/activites/nouvelle/", staff_activity_create, name="staff_activity_create"),
    path("equipe/activites/<int:pk>/", staff_activity, name="staff_activity"),
    path("equipe/activites/<int:pk>/modifier/", staff_activity_edit, name="staff_activity_edit"),
    path("equipe/activites/<int:pk>/annuler/", staff_activity_cancel, name="staff_activity_cancel"),
    path(
        "equipe/activites/<int:pk>/presence/",
        staff_activity_attendance,
        name="staff_activity_attendance",
    ),
]
