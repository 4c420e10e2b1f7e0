"""The programme team's follow-up of active duos: list, timelines, call queue, actions.

Every view answers 404 to anyone without the "view_duo" permission (the programme team) and
sends anonymous visitors to the login page; a team member without the permission an action
needs gets 403. Actions are POST forms that call the lifecycle services
(duos/lifecycle/team_actions.py), which re-check the duo's state: a refusal shows their
message with 409, a form error 400, and the duo page then keeps what was typed.
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import audit_profile_views
from duos.followup import selectors, timeline
from duos.followup.forms import DuoNoteForm, EndForm, ExtendForm
from duos.lib.access import VIEW_DUO, get_duo_for_staff, require_staff
from duos.lifecycle import schedule, team_actions
from duos.models import CheckIn, Duo, DuoState, Report, Side

LIST_PAGE_SIZE = 50


QUEUE_SIZE = 20


@login_required
@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    """The duos to call first, then every active duo with its timeline."""
    require_staff(request.user, VIEW_DUO)
    ranking = selectors.rank_duos(today=timezone.localdate())
    page_obj = Paginator(ranking.duos, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    # Every duo is ranked; only the rows shown get their timeline, signals' words and people.
    queue = ranking.queue[:QUEUE_SIZE]
    rows = ranking.rows([*queue, *page_obj.object_list])
    page_obj.object_list = [rows[duo.pk] for duo in page_obj.object_list if duo.pk in rows]
    context = {
        "queue": [rows[duo.pk] for duo in queue if duo.pk in rows],
        "queue_total": len(ranking.queue),
        "score_legend": timeline.score_legend(),
        "page_obj": page_obj,
        "labels": timeline.status_labels(),
    }
    return render(request, "duos/staff/followup.html", context)


def _render_duo(
    request: HttpRequest, duo: Duo, *, status: int = HTTPStatus.OK, **forms
) -> HttpResponse:
    """The duo's page, with both people's contact details: each showing of it is logged."""
    audit_profile_views(viewer=request.user, people=[duo.refugee], what="duo page")
    today = timezone.localdate()
    row = selectors.followup_rows([duo], today=today)[0]
    checkins = (
        CheckIn.objects.filter(duo=duo).select_related("recorded_by").order_by("month", "side")
    )
    people = [
        (Side.SPONSOR.label, duo.sponsor, duo.sponsor.contact_user),
        (Side.REFUGEE.label, duo.refugee, duo.refugee.contact_user),
    ]
    context = {
        "duo": duo,
        "row": row,
        "people": [
            {
                "side": side,
                "person": person,
                "via_social_worker": person.user_id is None and contact is not None,
                "unreachable": timeline.bounced(contact),
                "contact": contact,
            }
            for side, person, contact in people
        ],
        "checkins": checkins,
        "notes": duo.notes.select_related("author"),
        "reports": Report.objects.filter(duo=duo).order_by("-created_at"),
        # A refused form stays on the page (with what was typed), even once the duo ended.
        "show_actions": duo.state == DuoState.ACTIVE
        or any(form.is_bound for name, form in forms.items() if name.endswith("_form")),
        "next_reminder_on": schedule.next_reminder_on(duo, today),
        "note_form": forms.get("note_form") or DuoNoteForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "end_form": forms.get("end_form") or EndForm(),
        "refusal": forms.get("refusal"),
        "can_change": request.user.has_perm("duos.change_duo"),
        "can_note": request.user.has_perm("duos.add_duonote"),
    }
    return render(request, "duos/staff/duo.html", context, status=status)


@login_required
@require_GET
def duo_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_duo(request, get_duo_for_staff(request.user, pk))


@login_required
@require_POST
def duo_note(request: HttpRequest, pk: int) -> HttpResponse:
    duo = get_duo_for_staff(request.user, pk, "duos.add_duonote")
    form = DuoNoteForm(request.POST)
    if not form.is_valid():
        return _render_duo(request, duo, status=HTTPStatus.BAD_REQUEST, note_form=form)
    note = form.save(commit=False)
    note.duo = duo
    note.author = request.user
    note.save()
    messages.success(request, _("The note is saved."))
    return redirect("duos:duo_detail", pk=duo.pk)


def _refused(request, duo, error: team_actions.LifecycleError, **forms) -> HttpResponse:
    return _render_duo(request, duo, status=HTTPStatus.CONFLICT, refusal=error.message, **forms)


@login_required
@require_POST
def duo_pause(request: HttpRequest, pk: int) -> HttpResponse:
    duo = get_duo_for_staff(request.user, pk, "duos.change_duo")
    try:
        team_actions.duo_pause(duo, by=request.user)
    except team_actions.LifecycleError as error:
        return _refused(request, duo, error)
    messages.success(request, _("The duo is paused: no reminder until it resumes."))
    return redirect("duos:duo_detail", pk=duo.pk)


@login_required
@require_POST
def duo_resume(request: HttpRequest, pk: int) -> HttpResponse:
    duo = get_duo_for_staff(request.user, pk, "duos.change_duo")
    try:
        team_actions.duo_resume(duo, by=request.user)
    except team_actions.LifecycleError as error:
        return _refused(request, duo, error)
    messages.success(request, _("The duo has resumed: its calendar moved by the pause."))
    return redirect("duos:duo_detail", pk=duo.pk)


@login_required
@require_POST
def duo_extend(request: HttpRequest, pk: int) -> HttpResponse:
    duo = get_duo_for_staff(request.user, pk, "duos.change_duo")
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _render_duo(request, duo, status=HTTPStatus.BAD_REQUEST, extend_form=form)
    try:
        team_actions.duo_extend(duo, months=form.cleaned_data["months"], by=request.user)
    except team_actions.LifecycleError as error:
        return _refused(request, duo, error, extend_form=form)
    messages.success(request, _("The duo is extended."))
    return redirect("duos:duo_detail", pk=duo.pk)


@login_required
@require_POST
def duo_end(request: HttpRequest, pk: int) -> HttpResponse:
    duo = get_duo_for_staff(request.user, pk, "duos.change_duo")
    form = EndForm(request.POST)
    if not form.is_valid():
        return _render_duo(request, duo, status=HTTPStatus.BAD_REQUEST, end_form=form)
    try:
        team_actions.duo_end_early(
            duo,
            by=request.user,
            reason=form.cleaned_data["reason"],
            ended_by_side=form.cleaned_data["ended_by_side"],
            refugee_back_to_pool=form.cleaned_data["refugee_back_to_pool"],
        )
    except team_actions.LifecycleError as error:
        return _refused(request, duo, error, end_form=form)
    messages.success(request, _("The duo has ended."))
    return redirect("duos:duo_detail", pk=duo.pk)
