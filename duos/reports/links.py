"""The signed report link of the monthly reminder: file a report without logging in."""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse

from duos.lib.emails import absolute_url
from duos.models import (
    Duo,
    Side,
)
from duos.reports.services import REPORT_LINK_DAYS

_TOKEN_SALT = "duos.report"  # noqa: S105  (a namespace, not a secret)


@dataclass(frozen=True)
class ReportLink:
    duo: Duo
    side: str


class InvalidReportLink(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def report_token(duo: Duo, side: str) -> str:
    return signing.dumps({"duo": duo.pk, "side": side}, salt=_TOKEN_SALT)


def report_link_url(duo: Duo, side: str) -> str:
    """The link of a reminder email: no query, it is built for every reminder of a batch."""
    return absolute_url(reverse("duos:report_link", args=[report_token(duo, side)]))


def read_report_token(token: str) -> ReportLink:
    """The duo and side a link carries; InvalidReportLink if tampered or too old."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=timedelta(days=REPORT_LINK_DAYS))
    except signing.SignatureExpired as error:
        raise InvalidReportLink(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidReportLink from error
    if not isinstance(data, dict) or data.get("side") not in Side.values:
        raise InvalidReportLink
    duo = Duo.objects.select_related("sponsor", "refugee").filter(pk=data.get("duo")).first()
    if duo is None:
        raise InvalidReportLink
    if getattr(duo, data["side"]).anonymised_at is not None:
        # The person's data was deleted: nobody is left to report for.
        raise InvalidReportLink(expired=True)
    return ReportLink(duo=duo, side=data["side"])
