"""The registration link of a group activity, sent in the monthly reminder (the kind is in
duos/lib/links.py)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import Person
from duos.lib.links import ACTIVITY_REGISTER, LinkExpired, LinkInvalid, LinkKind
from duos.models import GroupActivity


@dataclass(frozen=True)
class RegisterLink:
    activity: GroupActivity
    person: Person


def activity_register_token(activity: GroupActivity, person: Person) -> str:
    return ACTIVITY_REGISTER.token(activity.pk, person.pk)


def activity_register_url(activity: GroupActivity, person: Person) -> str:
    """A link that registers `person` without a login: it opens a page with one button."""
    return ACTIVITY_REGISTER.url(activity.pk, person.pk)


def register_link(kind: LinkKind, payload: dict, *, now: datetime | None = None) -> RegisterLink:
    """The activity and person a link names; LinkExpired once the activity started or was
    cancelled (and past the kind's age, which the signature checks)."""
    activity = GroupActivity.objects.filter(pk=payload["a"]).first()
    person = Person.objects.filter(pk=payload["p"], anonymised_at=None).first()
    if activity is None or person is None:
        raise LinkInvalid
    if activity.cancelled_at is not None or activity.starts_at <= (now or timezone.now()):
        raise LinkExpired
    return RegisterLink(activity=activity, person=person)
