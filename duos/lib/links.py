"""Every signed link the app emails, declared once: its salt, its payload and its lifetime.

In the manner of contrib.auth's token generator: a link carries a small signed payload (ids, a
side), never a secret, and its salt names its kind, so that one kind's link never opens another
kind's page. A kind with a `max_age` expires by its signature; the others expire by a rule of
their domain (a month that closed, a survey past its date), which the domain's resolver checks,
raising `LinkExpired`. Salts and payload keys are those of the links already in mailboxes:
changing one voids them.

One view decorator, `opens_link`, reads the token of a URL, hands the view what the domain's
resolver made of it, and answers 400 (tampered) or 410 (expired) with one page,
templates/link_invalid.html, in the words of the kind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache, wraps
from http import HTTPStatus

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from duos.lib.emails import absolute_url
from duos.models import ANSWER_DAYS

_PLACEHOLDER = "--token--"  # matches the path converter of every link


@lru_cache(maxsize=64)
def _token_path(url_name: str, prefix: str, urlconf) -> str:
    return reverse(url_name, args=[_PLACEHOLDER], urlconf=urlconf)


TAMPERED_MESSAGE = _(
    "The link is incomplete or was changed. Please copy the whole link from the email, or open "
    "it again from there."
)


class LinkInvalid(Exception):
    """The link cannot be read: changed, cut short, or naming nothing that exists."""

    status = HTTPStatus.BAD_REQUEST


class LinkExpired(LinkInvalid):
    """The link was genuine but no longer opens its page."""

    status = HTTPStatus.GONE


@dataclass(frozen=True)
class LinkKind:
    url_name: str
    salt: str
    # The payload's keys, in the order `token()` takes their values.
    keys: tuple[str, ...]
    # What the person reads when the link has expired (or, if `tampered_message` is empty,
    # whatever is wrong with it).
    expired_message: Promise
    max_age: timedelta | None = None
    tampered_message: Promise = field(default=TAMPERED_MESSAGE)
    compress: bool = False

    def token(self, *values) -> str:
        return signing.dumps(
            dict(zip(self.keys, values, strict=True)), salt=self.salt, compress=self.compress
        )

    def path(self, *values) -> str:
        """The link's path, for a page of the site.

        A sweep builds thousands of links, and a reverse() costs about as much as rendering a
        line of the email: reverse once per kind (and script prefix, URLconf), then substitute.
        """
        pattern = _token_path(self.url_name, get_script_prefix(), get_urlconf())
        return pattern.replace(_PLACEHOLDER, self.token(*values))

    def url(self, *values) -> str:
        """The link's absolute URL, for an email."""
        return absolute_url(self.path(*values))

    def read(self, token: str) -> dict:
        """The payload; LinkExpired past `max_age`, LinkInvalid if tampered or malformed."""
        try:
            data = signing.loads(token, salt=self.salt, max_age=self.max_age)
        except signing.SignatureExpired as error:
            raise LinkExpired from error
        except signing.BadSignature as error:
            raise LinkInvalid from error
        if not isinstance(data, dict) or set(data) != set(self.keys):
            raise LinkInvalid
        return data


ANSWER_ACCEPT = LinkKind(
    url_name="duos:answer",
    salt="duos.answer.accept",
    keys=("duo", "side"),
    max_age=timedelta(days=ANSWER_DAYS),
    expired_message=_(
        "This link has expired: answers are expected within 14 days of the proposal."
    ),
)
# The same page: which of the two salts signed the link is the answer it gives.
ANSWER_DECLINE = LinkKind(
    url_name="duos:answer",
    salt="duos.answer.decline",
    keys=("duo", "side"),
    max_age=timedelta(days=ANSWER_DAYS),
    expired_message=ANSWER_ACCEPT.expired_message,
)
# Valid until its month closes, which the duo's calendar says.
CHECKIN = LinkKind(
    url_name="duos:checkin",
    salt="duos.checkin",
    keys=("r", "a"),
    expired_message=_(
        "This month is closed: answers are expected within 14 days of the end of the month. "
        "Nothing was recorded."
    ),
)
# Valid until the survey closes, read from the duo.
SURVEY = LinkKind(
    url_name="duos:survey",
    salt="duos.survey",
    keys=("d", "s"),
    expired_message=_(
        "This survey is closed: answers were expected within two months of the end of the "
        "duo. Nothing was recorded. Thank you all the same!"
    ),
)
# Past the month it was sent for, since a problem is often told late.
REPORT = LinkKind(
    url_name="duos:report_link",
    salt="duos.report",
    keys=("duo", "side"),
    max_age=timedelta(days=60),
    expired_message=_(
        "This link is too old. Nothing was sent. You can still tell the team: write to the "
        "address below, or log in and use the page of your duo."
    ),
)
# Never valid after the activity starts, which the resolver checks.
ACTIVITY_REGISTER = LinkKind(
    url_name="duos:activity_register_link",
    salt="duos.activity.register",
    keys=("a", "p"),
    max_age=timedelta(days=90),
    expired_message=_(
        "This link has expired: the activity has started, was cancelled, or the link is too "
        "old. The next activities are in your space."
    ),
)
_HANDOVER_MESSAGE = _(
    "The link is incomplete, has expired (it is valid for 14 days) or was already used. Ask "
    "your social worker to send a new invitation."
)
# Void once used: the resolver finds the profile taken.
HANDOVER = LinkKind(
    url_name="accounts:handover",
    salt="accounts.handover",
    keys=("person", "email"),
    max_age=timedelta(days=14),
    compress=True,
    expired_message=_HANDOVER_MESSAGE,
    tampered_message=_HANDOVER_MESSAGE,
)

_ENROLMENT_MESSAGE = _(
    "This link has expired or was already used. Log in and ask for a new one from the "
    "two-factor authentication page."
)
# Staff proving the mailbox is theirs before they set up two-factor authentication. The state
# is a hash of the password and of the authenticators: a new password or an enrolment voids
# it (accounts/two_factor.py). Sent by themselves: short-lived.
TWO_FACTOR_ENROLMENT = LinkKind(
    url_name="accounts:two_factor_link",
    salt="accounts.two_factor.enrolment",
    keys=("user", "state"),
    max_age=timedelta(minutes=30),
    expired_message=_ENROLMENT_MESSAGE,
)
# The same, sent by a colleague from the admin: it may wait a day for its reader.
TWO_FACTOR_INVITATION = LinkKind(
    url_name="accounts:two_factor_link",
    salt="accounts.two_factor.invitation",
    keys=("user", "state"),
    max_age=timedelta(hours=24),
    expired_message=_ENROLMENT_MESSAGE,
)


def read_any(kinds: tuple[LinkKind, ...], token: str) -> tuple[LinkKind, dict]:
    """The kind whose salt signed the token, and its payload (kinds sharing one URL)."""
    for kind in kinds[:-1]:
        try:
            return kind, kind.read(token)
        except LinkExpired:
            raise
        except LinkInvalid:
            continue
    return kinds[-1], kinds[-1].read(token)


def invalid_link_response(request: HttpRequest, kind: LinkKind, error: LinkInvalid) -> HttpResponse:
    expired = isinstance(error, LinkExpired)
    message = kind.expired_message if expired else kind.tampered_message
    return render(request, "link_invalid.html", {"message": message}, status=error.status)


def opens_link(*kinds: LinkKind, resolve: Callable[[LinkKind, dict], object]):
    """Decorate a view taking `token`: it is called with `link`, what `resolve` returns.

    `resolve(kind, payload)` finds the objects the payload names and applies the domain's own
    expiry, raising LinkInvalid or LinkExpired; the page then says so, with 400 or 410.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
            kind = kinds[0]
            try:
                kind, payload = read_any(kinds, token)
                link = resolve(kind, payload)
            except LinkInvalid as error:
                return invalid_link_response(request, kind, error)
            return view(request, link, *args, **kwargs)

        return wrapper

    return decorator
