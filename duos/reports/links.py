"""The report link of the monthly reminder: file a report without logging in (the kind is in
duos/lib/links.py)."""

from dataclasses import dataclass

from duos.lib.links import REPORT, LinkExpired, LinkInvalid, LinkKind
from duos.models import Duo, Side


@dataclass(frozen=True)
class ReportLink:
    duo: Duo
    side: str


def report_token(duo: Duo, side: str) -> str:
    return REPORT.token(duo.pk, side)


def report_link_url(duo: Duo, side: str) -> str:
    """The link of a reminder email: no query, it is built for every reminder of a batch."""
    return REPORT.url(duo.pk, side)


def report_link(kind: LinkKind, payload: dict) -> ReportLink:
    """The duo and side a link carries; LinkExpired once the person's data is erased."""
    if payload["side"] not in Side.values:
        raise LinkInvalid
    duo = Duo.objects.select_related("sponsor", "refugee").filter(pk=payload["duo"]).first()
    if duo is None:
        raise LinkInvalid
    if getattr(duo, payload["side"]).anonymised_at is not None:
        # The person's data was deleted: nobody is left to report for.
        raise LinkExpired
    return ReportLink(duo=duo, side=payload["side"])
