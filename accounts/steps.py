"""The profile, filled in short steps that each save."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import forms
from accounts.models import Person, Role


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    form_class: type

    def is_done(self, person: Person) -> bool:
        return STEP_DONE[self.slug](person)


# A step asks little but each is a page to load on a phone: the refugee's protection is asked
# with "About you", and the free time with the interests (each was a step of its own).
STEPS = [
    Step("identity", _("About you"), forms.IdentityForm),
    Step("home", _("Where you live"), forms.HomeForm),
    Step("languages", _("Your languages"), forms.LanguagesForm),
    Step("interests", _("What you enjoy, when you are free"), forms.InterestsForm),
    Step("about", _("A few words"), forms.AboutForm),
    Step("consents", _("Charter and privacy"), forms.ConsentsForm),
]
STEP_DONE = {
    "identity": lambda p: (
        bool(p.first_name and p.last_name and p.birth_year and p.gender)
        and (p.role != Role.REFUGEE or bool(p.protection_status and p.arrival_year))
    ),
    "home": lambda p: p.latitude is not None,
    "languages": lambda p: bool(p.languages),
    "interests": lambda p: bool(p.interests and p.availability),
    "about": lambda p: True,  # optional: never blocks the application
    "consents": lambda p: p.consents.exists(),
}


def steps_for(person: Person) -> list[Step]:
    """The same steps for every role; what differs (a refugee's protection) is in the forms."""
    return list(STEPS)


def find_step(person: Person, slug: str) -> Step | None:
    return next((s for s in steps_for(person) if s.slug == slug), None)


def next_step(person: Person, step: Step) -> Step | None:
    steps = steps_for(person)
    index = steps.index(step)
    return steps[index + 1] if index + 1 < len(steps) else None


def resume_step(person: Person) -> Step:
    """Where a person who stopped half-way comes back: the step after the last one saved."""
    steps = steps_for(person)
    saved = [s.slug for s in steps]
    if person.profile_step in saved:
        following = saved.index(person.profile_step) + 1
        return steps[min(following, len(steps) - 1)]
    return steps[0]


def saved_slugs(person: Person) -> set[str]:
    """The steps up to the last one saved, for the progress list."""
    slugs = [s.slug for s in steps_for(person)]
    if person.profile_step not in slugs:
        return set()
    return set(slugs[: slugs.index(person.profile_step) + 1])


def missing_steps(person: Person) -> list[Step]:
    return [s for s in steps_for(person) if s.slug != "consents" and not s.is_done(person)]


def step_url(person: Person, slug: str) -> str:
    """A person with a login edits their own profile; a referred one is edited by their worker."""
    if person.user_id:
        return reverse("accounts:profile_step", args=[slug])
    return reverse("accounts:referral_step", args=[person.pk, slug])
