"""The one place that decides who may see which person. Anything else gets a 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Person
from accounts.roles import is_programme_staff


def get_own_person(user) -> Person:
    """The profile of the logged-in sponsor or refugee."""
    person = Person.objects.filter(user=user, anonymised_at=None).first()
    if person is None:
        raise Http404
    return person


def get_referred_person(user, pk: int) -> Person:
    """A refugee the logged-in social worker referred."""
    return get_object_or_404(Person, pk=pk, referrer=user, user=None, anonymised_at=None)


def get_person_for_staff(user, pk: int) -> Person:
    if not is_programme_staff(user):
        raise Http404
    return get_object_or_404(Person, pk=pk)
