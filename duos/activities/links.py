"""The signed registration link of a group activity, sent in the monthly reminder."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from duos.lib.emails import absolute_url
from duos.models import (
    GroupActivity,
)

# An emailed registration link is valid this long at most, and never after the start.
LINK_MAX_AGE = timedelta(days=90)


_TOKEN_SALT = "duos.activity.register"  # noqa: S105  (a namespace, not a secret)


class InvalidRegisterLink(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class RegisterLink:
    activity: GroupActivity
    person: Person


def activity_register_token(activity: GroupActivity, person: Person) -> str:
    return signing.dumps({"a": activity.pk, "p": person.pk}, salt=_TOKEN_SALT)


def activity_register_url(activity: GroupActivity, person: Person) -> str:
    """A link that registers `person` without a login: it opens a page with one button."""
    path = reverse("duos:activity_register_link", args=[activity_register_token(activity, person)])
    return absolute_url(path)


def read_register_token(token: str, *, now: datetime | None = None) -> RegisterLink:
    """The activity and person a link names; InvalidRegisterLink if tampered or past."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidRegisterLink(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidRegisterLink from error
    if not isinstance(data, dict):
        raise InvalidRegisterLink
    activity = GroupActivity.objects.filter(pk=data.get("a")).first()
    person = Person.objects.filter(pk=data.get("p"), anonymised_at=None).first()
    if activity is None or person is None:
        raise InvalidRegisterLink
    if activity.cancelled_at is not None or activity.starts_at <= (now or timezone.now()):
        raise InvalidRegisterLink(expired=True)
    return RegisterLink(activity=activity, person=person)
