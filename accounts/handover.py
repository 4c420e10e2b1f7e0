"""A referred refugee takes over their own profile: their social worker sends an invitation to
the refugee's email, and the signed link lets them set a password.

The token signs the person and the email, and is void once the profile has a user of its own,
so it works once; it expires after the kind's `max_age` (duos/lib/links.py).
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Person, User
from duos.lib.emails import send_templated_email
from duos.lib.links import HANDOVER, LinkExpired, LinkInvalid, LinkKind


@dataclass(frozen=True)
class Invitation:
    person: Person
    email: str


def invitation_token(person: Person, email: str) -> str:
    return HANDOVER.token(person.pk, email.lower())


def invitation(kind: LinkKind, payload: dict) -> Invitation:
    """The referred profile a link names; LinkExpired once it has a user of its own."""
    person = Person.objects.filter(
        pk=payload["person"], anonymised_at=None, referrer__isnull=False
    ).first()
    if person is None:
        raise LinkInvalid
    if person.user_id is not None:
        raise LinkExpired
    return Invitation(person=person, email=payload["email"])


def send_invitation(*, person: Person, email: str, language: str) -> None:
    """Emailed to the refugee, in the language their social worker chose for them."""
    recipient = User(email=email, language=language, first_name=person.first_name)
    link = HANDOVER.url(person.pk, email.lower())
    send_templated_email(
        to=recipient,
        template="handover",
        context={
            "person": person,
            "link": link,
            "days": HANDOVER.max_age.days,
            "organisation": getattr(person.referrer, "social_worker", None),
        },
    )


def take_over(invitation: Invitation, *, user: User | None = None, password: str = "") -> User:
    """Give the profile its own user: an existing one with that email, or a new one."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=invitation.person.pk)
        if person.user_id is not None:
            raise LinkExpired
        if user is None:
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                first_name=person.first_name,
                last_name=person.last_name,
            )
        # Following the emailed link proves the address.
        EmailAddress.objects.update_or_create(
            user=user, email=invitation.email, defaults={"verified": True, "primary": True}
        )
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    return user
