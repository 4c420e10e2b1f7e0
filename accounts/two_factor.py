"""Staff prove their mailbox before they set up two-factor authentication.

Staff must use an authenticator app (accounts/middleware.py). Were the password alone enough
to set one up, whoever learnt it would enrol their own phone and be staff for good. So the
setup page (allauth's) opens only to a session that opened, within PROOF_VALID, a link sent
to the staff member's verified address: one they asked for from the two-factor page
(TWO_FACTOR_ENROLMENT), or one a colleague sent them from the admin (TWO_FACTOR_INVITATION).
A link names its user and the state of the account (password and authenticators), so a new
password or an enrolment voids it; it opens only for its own user, logged in.
"""

import time
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from duos.lib.emails import send_templated_email
from duos.lib.links import (
    TWO_FACTOR_ENROLMENT,
    TWO_FACTOR_INVITATION,
    LinkExpired,
    LinkInvalid,
    LinkKind,
)

PROOF_SESSION_KEY = "two_factor_mailbox_proof"
# From opening the link to the end of the setup (allauth asks for the password again too).
PROOF_VALID = timedelta(minutes=15)


def account_state(user: User) -> str:
    authenticators = sorted(Authenticator.objects.filter(user=user).values_list("pk", flat=True))
    value = f"{user.pk}:{user.password}:{authenticators}"
    return salted_hmac("accounts.two_factor.state", value).hexdigest()[:24]


def verified_address(user: User) -> str | None:
    """The user's verified address, the primary one first; None without any."""
    return (
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )


def send_enrolment_link(user: User, *, by: User | None = None) -> bool:
    """Email the link to the user's verified address; False when they have none.

    `by`: the colleague who sends it (a longer-lived link, and the email names them).
    """
    address = verified_address(user)
    if address is None:
        return False
    kind = TWO_FACTOR_INVITATION if by is not None else TWO_FACTOR_ENROLMENT
    recipient = User(email=address, language=user.language, first_name=user.first_name)
    send_templated_email(
        to=recipient,
        template="two_factor_enrolment",
        context={
            "link": kind.url(user.pk, account_state(user)),
            "by": by,
            "minutes": int(kind.max_age.total_seconds() // 60),
            "hours": int(kind.max_age.total_seconds() // 3600),
        },
    )
    return True


def enrolment_user(kind: LinkKind, payload: dict) -> User:
    """The user a link names; LinkExpired once its password or authenticators changed."""
    user = User.objects.filter(pk=payload["user"], is_active=True).first()
    if user is None:
        raise LinkInvalid
    if not constant_time_compare(str(payload["state"]), account_state(user)):
        raise LinkExpired
    return user


def grant_proof(request: HttpRequest) -> None:
    request.session[PROOF_SESSION_KEY] = {"user": request.user.pk, "at": time.time()}


def has_proof(request: HttpRequest) -> bool:
    proof = request.session.get(PROOF_SESSION_KEY)
    if not isinstance(proof, dict) or proof.get("user") != request.user.pk:
        return False
    return time.time() - float(proof.get("at", 0)) < PROOF_VALID.total_seconds()


# A password typed this long ago still counts as allauth's reauthentication before the setup.
FRESH_LOGIN_SECONDS = 60


def count_fresh_login(request: HttpRequest) -> None:
    """Within FRESH_LOGIN_SECONDS of a password login, record it as the reauthentication
    allauth asks for before the two-factor setup, so the password is typed once."""
    from allauth.account.internal.flows.login import (
        get_authentication_records,
        record_authentication,
    )

    records = get_authentication_records(request, request.user)
    last = records[-1] if records else {}
    fresh = time.time() - float(last.get("at", 0)) < FRESH_LOGIN_SECONDS
    if last.get("method") == "password" and not last.get("reauthenticated") and fresh:
        record_authentication(request, request.user, method="password", reauthenticated=True)
