"""The programme team's pages: the candidates queue, a candidate's file and the decisions.

Every view answers 404 to anyone outside the team (no hint that the page or the person
exists) and sends anonymous visitors to the login page.
"""

import datetime
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    CANDIDATES_PERMISSION,
    audit_profile_views,
    get_person_for_staff,
    require_staff,
)
from accounts.models import CandidateState, CandidateStateError, Person
from accounts.services import candidate_refuse, candidate_validate
from accounts.staff_forms import (
    ALL_STATES,
    InterviewForm,
    QueueFilterForm,
    RefusalForm,
    StaffNoteForm,
)
from matching.engine import vocabulary

QUEUE_PAGE_SIZE = 25


def _queue(filters: dict) -> QuerySet[Person]:
    """Candidates matching the cleaned filters, the longest in their state first."""
    people = Person.objects.select_related("user", "referrer__social_worker")
    for word in filters["q"]:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(referrer__email__icontains=word)
        )
    if filters["state"] != ALL_STATES:
        people = people.filter(state=filters["state"])
    if filters["role"]:
        people = people.filter(role=filters["role"])
    if filters["departement"]:
        people = people.filter(departement=filters["departement"])
    if filters["waiting_days"] is not None:
        cutoff = timezone.now() - datetime.timedelta(days=filters["waiting_days"])
        people = people.filter(state_changed_at__lte=cutoff)
    return people.order_by("state_changed_at", "pk")


QUEUE_FILTERS = ("state", "role", "departement", "waiting_days")


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require_staff(request.user, CANDIDATES_PERMISSION)
    data = request.GET.copy()
    # Shown selected in the filters, so the page says which state it lists. A search on its
    # own looks in every state: the person on the phone may be validated, paused or refused.
    data.setdefault("state", ALL_STATES if data.get("q") else CandidateState.AWAITING_VALIDATION)
    form = QueueFilterForm(data)
    # Folded on a phone's first screen unless the person set one (or must correct one).
    filters_open = not form.is_valid() or any(request.GET.get(name) for name in QUEUE_FILTERS)
    if not form.is_valid():
        return render(
            request,
            "accounts/staff/queue.html",
            {"form": form, "page_obj": None, "filters_open": filters_open},
            status=HTTPStatus.BAD_REQUEST,
        )
    # get_page() turns a page that is not a number into the first and one past the end into
    # the last: a stale or edited link still shows candidates.
    page_obj = Paginator(_queue(form.cleaned_data), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/staff/queue.html",
        {"form": form, "page_obj": page_obj, "filters_open": filters_open},
    )


def _labels(choices: tuple[tuple[str, str], ...], codes: list) -> list[str]:
    return [gettext(vocabulary.label(choices, code)) for code in codes if isinstance(code, str)]


def _render_person(
    request: HttpRequest,
    person: Person,
    *,
    forms: dict | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    """A candidate's file; viewing a refugee's is logged, whoever on the team does it."""
    audit_profile_views(viewer=request.user, people=[person], what="staff detail")
    languages = [
        (
            gettext(vocabulary.label(vocabulary.LANGUAGES, item.get("code", ""))),
            gettext(vocabulary.label(vocabulary.LEVELS, item.get("level", ""))),
        )
        for item in person.languages
        if isinstance(item, dict)
    ]
    context = {
        "person": person,
        "awaiting": person.state == CandidateState.AWAITING_VALIDATION,
        "spoken_languages": languages,
        "interests": _labels(vocabulary.INTERESTS, person.interests),
        "availability": _labels(vocabulary.SLOTS, person.availability),
        "consents": person.consents.all(),
        "notes": person.staff_notes.select_related("author"),
        "interview_form": InterviewForm(),
        "refusal_form": RefusalForm(),
        "note_form": StaffNoteForm(),
        **(forms or {}),
    }
    return render(request, "accounts/staff/person.html", context, status=status)


def _get_person(request: HttpRequest, pk: int) -> Person:
    person = get_person_for_staff(request.user, pk)
    # One query for what the page shows next to the person.
    return Person.objects.select_related("user", "referrer__social_worker").get(pk=person.pk)


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_person(request, _get_person(request, pk))


@login_required
@require_POST
def record_interview(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_staff(request.user, pk)
    form = InterviewForm(request.POST)
    if not form.is_valid():
        person = _get_person(request, pk)
        return _render_person(
            request, person, forms={"interview_form": form}, status=HTTPStatus.BAD_REQUEST
        )
    person.interview_at = timezone.make_aware(
        datetime.datetime.combine(form.cleaned_data["date"], datetime.time.min)
    )
    person.save(update_fields=["interview_at", "updated_at"])
    messages.success(request, _("The interview date is recorded."))
    return redirect("accounts:staff_person", pk=person.pk)


@login_required
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_staff(request.user, pk)
    try:
        candidate_validate(person=person)
    except CandidateStateError as error:  # a colleague, or a double click, decided first
        messages.warning(request, error.message)
    else:
        messages.success(request, _("%(person)s is validated.") % {"person": person})
    return redirect("accounts:staff_person", pk=pk)


@login_required
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_staff(request.user, pk)
    form = RefusalForm(request.POST)
    if not form.is_valid():
        return _render_person(
            request,
            _get_person(request, pk),
            forms={"refusal_form": form},
            status=HTTPStatus.BAD_REQUEST,
        )
    try:
        candidate_refuse(person=person, reason=form.cleaned_data["reason"])
    except CandidateStateError as error:
        messages.warning(request, error.message)
        return redirect("accounts:staff_person", pk=pk)
    if person.contact_user is None:
        messages.warning(request, _("The refusal is recorded, but nobody can be emailed about it."))
    else:
        messages.success(
            request,
            _("The refusal is recorded and %(email)s is told by email.")
            % {"email": person.contact_user.email},
        )
    return redirect("accounts:staff_person", pk=pk)


@login_required
@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_staff(request.user, pk)
    form = StaffNoteForm(request.POST)
    if not form.is_valid():
        return _render_person(
            request,
            _get_person(request, pk),
            forms={"note_form": form},
            status=HTTPStatus.BAD_REQUEST,
        )
    person.staff_notes.create(author=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("The note is added."))
    return redirect(reverse("accounts:staff_person", kwargs={"pk": pk}) + "#notes")


urlpatterns = [
    path("equipe/candidats/", queue, name="staff_queue"),
    path("equipe/candidats/<int:pk>/", person_detail, name="staff_person"),
    path("equipe/candidats/<int:pk>/entretien/", record_interview, name="staff_interview"),
    path("equipe/candidats/<int:pk>/valider/", validate, name="staff_validate"),
    path("equipe/candidats/<int:pk>/refuser/", refuse, name="staff_refuse"),
    path("equipe/candidats/<int:pk>/notes/", add_note, name="staff_note"),
]
