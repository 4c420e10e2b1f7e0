"""A referred refugee takes over their own profile: their social worker sends an invitation to
the refugee's email, and the signed link lets them set a password.

The token signs the person and the email, and is void once the profile has a user of its own,
so it works once; it expires after INVITATION_DAYS.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core import signing
from django.db import transaction
from django.urls import reverse

from accounts.models import Person, User
from duos.lib.emails import absolute_url, send_templated_email

INVITATION_DAYS = 14
SALT = "accounts.handover"


@dataclass(frozen=True)
class Invitation:
    person: Person
    email: str


class InvalidInvitation(Exception):
    pass


def invitation_token(person: Person, email: str) -> str:
    return signing.dumps({"person": person.pk, "email": email.lower()}, salt=SALT, compress=True)


def read_invitation(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt=SALT, max_age=INVITATION_DAYS * 24 * 3600)
    except signing.BadSignature as error:  # expired links raise a subclass of it
        raise InvalidInvitation from error
    person = Person.objects.filter(
        pk=data["person"], user=None, anonymised_at=None, referrer__isnull=False
    ).first()
    if person is None:
        raise InvalidInvitation
    return Invitation(person=person, email=data["email"])


def send_invitation(*, person: Person, email: str, language: str) -> None:
    """Emailed to the refugee, in the language their social worker chose for them."""
    recipient = User(email=email, language=language, first_name=person.first_name)
    link = absolute_url(reverse("accounts:handover", args=[invitation_token(person, email)]))
    send_templated_email(
        to=recipient,
        template="handover",
        context={
            "person": person,
            "link": link,
            "days": INVITATION_DAYS,
            "organisation": getattr(person.referrer, "social_worker", None),
        },
    )


def take_over(invitation: Invitation, *, user: User | None = None, password: str = "") -> User:
    """Give the profile its own user: an existing one with that email, or a new one."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=invitation.person.pk)
        if person.user_id is not None:
            raise InvalidInvitation
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
