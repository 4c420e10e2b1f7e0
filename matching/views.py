"""The programme team's match runs: start a run, follow it, review and act on its proposals.

Every view answers 404 to anyone without the "run_matching" permission (the programme team)
and sends anonymous visitors to the login page. Actions re-check the state under a lock in
the services: a double click does nothing twice.
"""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import audit_profile_views
from matching import proposals, selectors, services
from matching.access import get_proposal_for_staff, get_run_for_staff, require_matching_staff
from matching.forms import ApproveManyForm, ManualPairForm, RejectForm, RunForm, SwapForm
from matching.models import MatchRun, Proposal, ProposalState, RunState
from matching.tasks import run_match

RUNS_PAGE_SIZE = 20
REVIEW_PAGE_SIZE = 50
ALL = "all"
REVIEW_FILTERS = [*ProposalState.choices, (ALL, _("All proposals"))]


def _review_url(proposal: Proposal) -> str:
    return reverse("matching:review", kwargs={"pk": proposal.run_id}) + f"#proposal-{proposal.pk}"


# Runs


def _render_runs(request: HttpRequest, form: RunForm, *, status: int = HTTPStatus.OK, **extra):
    page_obj = Paginator(MatchRun.objects.select_related("created_by"), RUNS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for run in page_obj:
        run.weight_rows = selectors.breakdown_rows(run.weights, run.weights)
    context = {"form": form, "page_obj": page_obj, **extra}
    return render(request, "matching/runs.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    require_matching_staff(request.user)
    if request.method == "GET":
        return _render_runs(request, RunForm())
    form = RunForm(request.POST)
    if not form.is_valid():
        return _render_runs(request, form, status=HTTPStatus.BAD_REQUEST)
    try:
        run = services.run_start(
            by=request.user,
            departement=form.cleaned_data["departement"],
            weights=form.weights(),
        )
    except services.RunInProgress as busy:
        return _render_runs(request, form, status=HTTPStatus.CONFLICT, refusal=busy.message)
    run_match.delay_on_commit(run.pk)
    messages.success(request, _("The run has started."))
    return redirect("matching:run", pk=run.pk)


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_staff(request.user, pk)
    counts = dict(
        run.proposals.values_list("state").annotate(n=Count("pk")).order_by()
    )  # {state: count}
    context = {
        "run": run,
        "in_progress": run.state in (RunState.PENDING, RunState.RUNNING),
        "stage": selectors.stage_label(run.stage),
        "percent": round(run.progress * 100),
        "counts": [(label, counts.get(state, 0)) for state, label in ProposalState.choices],
        "to_review": counts.get(ProposalState.PROPOSED, 0),
        "unmatched": selectors.unmatched_rows(run) if run.state == RunState.DONE else [],
        "weights": selectors.breakdown_rows(run.weights, run.weights),
    }
    return render(request, "matching/run.html", context)


@login_required
@require_GET
@never_cache
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = get_run_for_staff(request.user, pk, "state", "progress", "stage", "pairs")
    return JsonResponse(
        {
            "state": run.state,
            "progress": run.progress,
            "stage": run.stage,
            "stage_label": selectors.stage_label(run.stage),
            "pairs": run.pairs,
            "finished": run.state in (RunState.DONE, RunState.FAILED),
        }
    )


# Review


def _render_review(
    request: HttpRequest, run: MatchRun, *, status: int = HTTPStatus.OK, **extra
) -> HttpResponse:
    shown = request.GET.get("state", ProposalState.PROPOSED)
    if shown not in {value for value, _label in REVIEW_FILTERS}:
        shown = ProposalState.PROPOSED
    proposals = run.proposals.select_related("sponsor", "refugee")
    if shown != ALL:
        proposals = proposals.filter(state=shown)
    page_obj = Paginator(proposals, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    shown_proposals = list(page_obj)
    audit_profile_views(
        viewer=request.user, people=[p.refugee for p in shown_proposals], what="match review"
    )
    context = {
        "run": run,
        "page_obj": page_obj,
        "rows": selectors.review_rows(run, shown_proposals),
        "filters": REVIEW_FILTERS,
        "shown": shown,
        "bulk": shown in (ProposalState.PROPOSED, ALL),
        "reject_form": RejectForm(),
        **extra,
    }
    return render(request, "matching/review.html", context, status=status)


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_staff(request.user, pk)
    if run.state != RunState.DONE:
        return redirect("matching:run", pk=run.pk)
    return _render_review(request, run)


def _render_proposal(
    request: HttpRequest, proposal: Proposal, *, status: int, refusal: str = "", **forms
) -> HttpResponse:
    """One proposal on its own page: an action on it that could not be done, and why."""
    audit_profile_views(viewer=request.user, people=[proposal.refugee], what="match review")
    context = {
        "run": proposal.run,
        "row": selectors.review_rows(proposal.run, [proposal])[0],
        "refusal": refusal,
        "reject_form": forms.get("reject_form") or RejectForm(),
        "swap_form": forms.get("swap_form"),
    }
    return render(request, "matching/proposal.html", context, status=status)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    from duos.models import DuoConflict

    proposal = get_proposal_for_staff(request.user, pk)
    try:
        duo = proposals.proposal_approve(proposal_id=proposal.pk, by=request.user)
    except DuoConflict as conflict:
        return _render_proposal(
            request, proposal, status=HTTPStatus.CONFLICT, refusal=conflict.message
        )
    if duo is None:
        proposal.refresh_from_db(fields=["state"])
        messages.warning(
            request,
            _("Nothing was changed: this proposal was already decided (%(state)s).")
            % {"state": proposal.get_state_display()},
        )
    else:
        messages.success(
            request,
            _("%(sponsor)s and %(refugee)s are asked whether they want to form a duo.")
            % {"sponsor": proposal.sponsor.first_name, "refugee": proposal.refugee.first_name},
        )
    return redirect(_review_url(proposal))


@login_required
@require_POST
def approve_many(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_staff(request.user, pk)
    form = ApproveManyForm(request.POST, run=run)
    if not form.is_valid():
        return _render_review(request, run, status=HTTPStatus.BAD_REQUEST, approve_form=form)
    outcomes = proposals.proposals_approve(
        proposal_ids=[p.pk for p in form.cleaned_data["proposals"]], by=request.user
    )
    approved = sum(1 for _p, outcome, _m in outcomes if outcome == "approved")
    if approved:
        messages.success(
            request,
            ngettext(
                "%(count)d proposal approved: both people are asked.",
                "%(count)d proposals approved: both people of each are asked.",
                approved,
            )
            % {"count": approved},
        )
    for proposal, outcome, message in outcomes:
        names = {"sponsor": proposal.sponsor.first_name, "refugee": proposal.refugee.first_name}
        if outcome == "conflict":
            messages.error(
                request,
                _("%(sponsor)s and %(refugee)s: not approved. %(why)s") % {**names, "why": message},
            )
        elif outcome == "unchanged":
            messages.warning(
                request,
                _("%(sponsor)s and %(refugee)s: nothing was changed, already decided.") % names,
            )
    return redirect("matching:review", pk=run.pk)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_staff(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_proposal(request, proposal, status=HTTPStatus.BAD_REQUEST, reject_form=form)
    if proposals.proposal_reject(
        proposal_id=proposal.pk, by=request.user, reason=form.cleaned_data["reason"]
    ):
        messages.success(
            request,
            _(
                "The proposal of %(sponsor)s and %(refugee)s is rejected; they will not be "
                "proposed together again."
            )  # fmt: skip
            % {"sponsor": proposal.sponsor.first_name, "refugee": proposal.refugee.first_name},
        )
    else:
        messages.warning(request, _("Nothing was changed: this proposal was already decided."))
    return redirect(_review_url(proposal))


@login_required
@require_POST
def swap(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_staff(request.user, pk)
    form = SwapForm(request.POST, proposal=proposal)
    if not form.is_valid():
        return _render_proposal(request, proposal, status=HTTPStatus.BAD_REQUEST, swap_form=form)
    try:
        made = proposals.proposal_swap(
            proposal_id=proposal.pk,
            side=form.cleaned_data["side"],
            partner_id=form.cleaned_data["partner"],
            by=request.user,
        )
    except proposals.ProposalRefused as refused:
        return _render_proposal(
            request, proposal, status=HTTPStatus.CONFLICT, refusal=refused.message
        )
    for new in made:
        messages.success(
            request,
            _("New proposal: %(sponsor)s and %(refugee)s (score %(score)d).")
            % {
                "sponsor": new.sponsor.first_name,
                "refugee": new.refugee.first_name,
                "score": new.score,
            },
        )
    return redirect(_review_url(made[0]))


@login_required
@require_http_methods(["GET", "POST"])
def manual_pair(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick two people; see every rule the pair breaks; confirm; it is proposed as a duo."""
    from duos.models import DuoConflict

    run = get_run_for_staff(request.user, pk)
    if run.state != RunState.DONE:
        return redirect("matching:run", pk=run.pk)
    sponsors, refugees = selectors.manual_choices(run)
    if request.method == "GET":
        form = ManualPairForm(sponsors=sponsors, refugees=refugees)
        return render(request, "matching/manual.html", {"run": run, "form": form})
    form = ManualPairForm(request.POST, sponsors=sponsors, refugees=refugees)
    if not form.is_valid():
        return render(
            request,
            "matching/manual.html",
            {"run": run, "form": form},
            status=HTTPStatus.BAD_REQUEST,
        )
    sponsor, refugee = form.cleaned_data["sponsor"], form.cleaned_data["refugee"]
    if not form.cleaned_data["confirm"]:
        audit_profile_views(viewer=request.user, people=[refugee], what="match review")
        now = timezone.now()
        context = {
            "run": run,
            "form": form,
            "confirming": True,
            "sponsor": selectors.profile(sponsor, now),
            "refugee": selectors.profile(refugee, now),
            "warnings": proposals.manual_pair_warnings(sponsor=sponsor, refugee=refugee),
        }
        return render(request, "matching/manual.html", context)
    try:
        proposal = proposals.manual_pair(
            run_id=run.pk, sponsor_id=sponsor.pk, refugee_id=refugee.pk, by=request.user
        )
    except (proposals.ProposalRefused, DuoConflict) as refused:
        return render(
            request,
            "matching/manual.html",
            {"run": run, "form": form, "refusal": refused.message},
            status=HTTPStatus.CONFLICT,
        )
    messages.success(
        request,
        _(
            "%(sponsor)s and %(refugee)s are paired by hand and asked whether they want to form "
            "a duo."
        )  # fmt: skip
        % {"sponsor": sponsor.first_name, "refugee": refugee.first_name},
    )
    url = reverse("matching:review", kwargs={"pk": run.pk})
    return redirect(f"{url}?state={ProposalState.APPROVED}#proposal-{proposal.pk}")
