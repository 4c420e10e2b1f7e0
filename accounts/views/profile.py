"""A candidate's own pages, and a social worker's pages for the refugees they refer."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import steps, texts
from accounts.access import get_own_person, get_referred_person
from accounts.decorators import member_required
from accounts.forms import InviteForm
from accounts.models import (
    CANDIDATE_ACTIONS,
    CONFIRMED_ACTIONS,
    UNDO_WITHDRAWAL_DAYS,
    CandidateState,
    CandidateStateError,
    Consent,
    Person,
    Role,
    SocialWorker,
)
from accounts.roles import is_programme_staff, is_social_worker
from accounts.signup_forms import SignupForm
from duos.lib.staff_areas import staff_home

STATE_MESSAGES = {
    "pause": _("Your application is paused. Come back whenever you are ready."),
    "resume": _("Welcome back: your application is active again."),
    "withdraw": _("Your application is withdrawn. Your account stays open."),
    "restore": _("Your withdrawal is undone: your application is back."),
}
# What a social worker reads about the person they refer.
REFERRAL_STATE_MESSAGES = {
    "pause": _("The application of %(name)s is paused."),
    "resume": _("The application of %(name)s is active again."),
    "withdraw": _("The application of %(name)s is withdrawn."),
    "restore": _("The withdrawal of %(name)s is undone: the application is back."),
}


@member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Everyone's home page once logged in: where things stand and what happens next."""
    user = request.user
    if is_programme_staff(user):
        # The first area of their menu: the queue would be a 404 to whoever may not validate.
        return redirect(staff_home(user) or "accounts:staff_queue")
    if is_social_worker(user):
        return redirect("accounts:referrals")
    person = Person.objects.filter(user=user, anonymised_at=None).first()
    if person is None:
        return render(request, "accounts/choose_role.html", {"roles": SignupForm.ROLE_CHOICES})
    return render(request, "accounts/dashboard.html", _candidate_context(person))


@member_required
@require_POST
def choose_role(request: HttpRequest) -> HttpResponse:
    """For a user with no profile yet (e.g. created by the team)."""
    role = request.POST.get("role", "")
    if Person.objects.filter(user=request.user).exists() or is_social_worker(request.user):
        return redirect("accounts:dashboard")
    if role in (Role.SPONSOR, Role.REFUGEE):
        Person.objects.create(user=request.user, role=role)
    elif role == SignupForm.SOCIAL_WORKER and request.POST.get("organisation", "").strip():
        SocialWorker.objects.create(
            user=request.user, organisation=request.POST["organisation"].strip()[:200]
        )
    else:
        messages.error(request, _("Please choose who you are."))
        return render(
            request, "accounts/choose_role.html", {"roles": SignupForm.ROLE_CHOICES}, status=400
        )
    return redirect("accounts:dashboard")


@member_required
@require_http_methods(["GET", "POST"])
def profile_step(request: HttpRequest, step: str) -> HttpResponse:
    return _edit_step(request, get_own_person(request.user), step)


@member_required
@require_http_methods(["GET", "POST"])
def referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    return _edit_step(request, get_referred_person(request.user, pk), step)


@member_required
@require_POST
def own_state_action(request: HttpRequest, action: str) -> HttpResponse:
    return _change_state(request, get_own_person(request.user), action, "accounts:dashboard")


@member_required
@require_POST
def referral_state_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    person = get_referred_person(request.user, pk)
    _change_state(request, person, action, "accounts:referrals")
    return redirect("accounts:referral_detail", pk=person.pk)


@member_required
@require_GET
def referrals(request: HttpRequest) -> HttpResponse:
    if not is_social_worker(request.user):
        raise Http404
    people = Person.objects.filter(referrer=request.user, user=None, anonymised_at=None)
    return render(request, "accounts/referrals.html", {"people": people.order_by("-created_at")})


@member_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    if not is_social_worker(request.user):
        raise Http404
    if request.method == "GET":
        return render(request, "accounts/referral_new.html")
    # A second press (or a double tap) goes on with the empty record the first one made.
    person = Person.objects.filter(
        referrer=request.user, user=None, first_name="", state=CandidateState.TO_COMPLETE
    ).first() or Person.objects.create(referrer=request.user, role=Role.REFUGEE)
    return redirect(steps.step_url(person, steps.STEPS[0].slug))


@member_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_referral_detail(request, get_referred_person(request.user, pk))


def render_referral_detail(request, person: Person, invite_form=None, status=200) -> HttpResponse:
    context = _candidate_context(person)
    context["invite_form"] = invite_form or InviteForm(initial={"language": "fr"})
    return render(request, "accounts/referral_detail.html", context, status=status)


def _candidate_context(person: Person) -> dict:
    missing = steps.missing_steps(person)
    resume = missing[0] if missing else steps.resume_step(person)
    saved = steps.saved_slugs(person)
    return {
        "person": person,
        "steps": [
            (s, s.slug in saved, steps.step_url(person, s.slug)) for s in steps.steps_for(person)
        ],
        "resume_url": steps.step_url(person, resume.slug),
        "actions": person.allowed_actions(),
        "undo_days": UNDO_WITHDRAWAL_DAYS,
        # A newer charter or privacy notice than the one accepted: asked again, nothing lost.
        "accept_again": texts.pending_texts(person),
        "consent_url": steps.step_url(person, "consents"),
    }


def _edit_step(request: HttpRequest, person: Person, slug: str) -> HttpResponse:
    step = steps.find_step(person, slug)
    if step is None:
        raise Http404
    if request.method == "POST":
        form = step.form_class(request.POST, instance=person)
        if form.is_valid():
            return _save_step(request, person, step, form)
        # Nothing typed is lost: the form comes back with what was sent and its errors.
        return _render_step(request, person, step, form, status=400)
    return _render_step(request, person, step, step.form_class(instance=person))


def _save_step(request: HttpRequest, person: Person, step: steps.Step, form) -> HttpResponse:
    if step.slug == "consents":
        return _finish_profile(request, person, form)
    form.save()
    saved_slugs = [s.slug for s in steps.steps_for(person)]
    if person.profile_step not in saved_slugs or (
        saved_slugs.index(step.slug) > saved_slugs.index(person.profile_step)
    ):
        person.profile_step = step.slug
        person.save(update_fields=["profile_step", "updated_at"])
    following = steps.next_step(person, step)
    return redirect(steps.step_url(person, following.slug))


def _finish_profile(request: HttpRequest, person: Person, form) -> HttpResponse:
    missing = steps.missing_steps(person)
    if missing:
        messages.error(request, _("A few answers are still missing: please complete this step."))
        return redirect(steps.step_url(person, missing[0].slug))
    accepting_again = bool(texts.texts_to_accept_again(person))
    for kind in form.kinds():
        Consent.objects.get_or_create(
            person=person,
            kind=kind,
            version=texts.CONSENT_VERSIONS[kind],
            defaults={"recorded_by": request.user},
        )
    person.profile_step = "consents"
    person.save(update_fields=["profile_step", "updated_at"])
    try:
        person.submit()
    except CandidateStateError:  # submitted before: this was an edit
        if accepting_again:
            messages.success(request, _("Thank you: the new version is accepted."))
        else:
            messages.success(request, _("Your changes are saved."))
    else:
        messages.success(
            request,
            _(
                "Thank you! Your profile is complete. The team will contact "
                "you for a short interview."
            ),
        )
    if person.user_id:
        return redirect("accounts:dashboard")
    return redirect("accounts:referral_detail", pk=person.pk)


def _render_step(request, person, step, form, status=200) -> HttpResponse:
    context = _candidate_context(person)
    context.update(step=step, form=form, next_step=steps.next_step(person, step), consent_url="")
    return render(request, "accounts/profile_step.html", context, status=status)


def _change_state(request: HttpRequest, person: Person, action: str, home: str) -> HttpResponse:
    if action not in CANDIDATE_ACTIONS:
        raise Http404
    if action in CONFIRMED_ACTIONS and request.POST.get("confirm") != "yes":
        messages.error(request, _("Nothing changed: tick the box to confirm first."))
        return redirect(home)
    try:
        getattr(person, action)()
    except CandidateStateError as error:
        messages.error(request, error.message)
        return redirect(home)
    if person.user_id:
        messages.success(request, STATE_MESSAGES[action])
    else:
        messages.success(request, REFERRAL_STATE_MESSAGES[action] % {"name": person.first_name})
    return redirect(home)


urlpatterns = [
    path("mon-espace/", dashboard, name="dashboard"),
    path("mon-espace/role/", choose_role, name="choose_role"),
    path("mon-espace/<slug:action>/", own_state_action, name="state_action"),
    path("profil/<slug:step>/", profile_step, name="profile_step"),
    path("referent/", referrals, name="referrals"),
    path("referent/personnes/nouvelle/", referral_new, name="referral_new"),
    path("referent/personnes/<int:pk>/", referral_detail, name="referral_detail"),
    path("referent/personnes/<int:pk>/profil/<slug:step>/", referral_step, name="referral_step"),
    path(
        "referent/personnes/<int:pk>/<slug:action>/",
        referral_state_action,
        name="referral_state_action",
    ),
]
