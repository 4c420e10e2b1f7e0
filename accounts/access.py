"""Who may see which person, and the log of staff reading a refugee's profile.

Every refusal is a 404: no hint that the page or the person exists. Anonymous visitors never
get here (the views' login decorators send them to log in first). The other apps' access
modules (matching/access.py, duos/lib/access.py) build on `require_staff` and `acts_for`.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Person, ProfileView, Role
from accounts.roles import is_social_worker

# The candidates' queue and files are the validation desk: whoever may validate opens them.
CANDIDATES_PERMISSION = "accounts.validate_person"


def may_open(user, *permissions: str) -> bool:
    """The user is active and holds every one of `permissions`: what a staff page asks, and
    what the team's menu reads to list only the pages that would open."""
    return user.is_active and user.has_perms(permissions)


def require_staff(user, *permissions: str) -> None:
    """404 unless the user may open the page (`may_open`)."""
    if not may_open(user, *permissions):
        raise Http404


def acts_for(user, person: Person) -> bool:
    """The person is the user, or a refugee without an account the user (a social worker)
    referred; never an anonymised person."""
    if person.anonymised_at is not None or not user.is_authenticated:
        return False
    return person.user_id == user.pk or (person.user_id is None and person.referrer_id == user.pk)


def get_own_person(user) -> Person:
    """The profile of the logged-in sponsor or refugee."""
    person = Person.objects.filter(user=user, anonymised_at=None).first()
    if person is None:
        raise Http404
    return person


def get_referred_person(user, pk: int) -> Person:
    """A refugee the logged-in social worker referred."""
    return get_object_or_404(Person, pk=pk, referrer=user, user=None, anonymised_at=None)


def get_people_for_member(user) -> list[Person]:
    """Whom the user acts for: themselves, and the refugees they refer (see `acts_for`).

    404 for a user who acts for nobody and is not a social worker (the team, say); a social
    worker who refers nobody yet gets an empty list.
    """
    people = list(
        Person.objects.filter(
            Q(user=user) | Q(referrer=user, user=None), anonymised_at=None
        ).order_by("pk")
    )
    if not people and not is_social_worker(user):
        raise Http404
    return people


def get_person_for_staff(user, pk: int) -> Person:
    require_staff(user, CANDIDATES_PERMISSION)
    return get_object_or_404(Person, pk=pk)


def audit_profile_views(*, viewer, people: Iterable[Person], what: str) -> None:
    """Log that `viewer` read the profile of each refugee among `people`, on page `what`.

    The one writer of the log (accounts.ProfileView): a view calls it for what it shows,
    selectors only read. Sponsors' profiles are not logged. One query, whatever the number.
    """
    refugees = [person for person in people if person.role == Role.REFUGEE]
    if refugees:
        ProfileView.objects.bulk_create(
            [ProfileView(viewer=viewer, person=person, what=what) for person in refugees]
        )
