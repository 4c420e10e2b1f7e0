"""The texts a person accepts (the charter, the privacy notice, a referral's attestation): every
version published, with its date, in one place.

Publishing a new version is one more line here, and the page's new wording. Whoever accepted an
older version only is asked to accept again at their next visit of their space
(`texts_to_accept_again`); until then nothing changes for them, and the earlier consent stays on
record beside the new one (a Consent row per kind and version).
"""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from accounts.models import ConsentKind, Person


@dataclass(frozen=True)
class Version:
    version: str
    published_on: date


# Oldest first: the last one is in force.
VERSIONS: dict[str, tuple[Version, ...]] = {
    ConsentKind.CHARTER: (
        # The checkbox's wording alone: no page existed yet.
        Version("2026-01", date(2026, 11, 23)),
        Version("2026-12", date(2026, 12, 3)),
    ),
    ConsentKind.PRIVACY: (
        Version("2026-01", date(2026, 11, 23)),
        Version("2026-12", date(2026, 12, 3)),
    ),
    # A social worker's attestation that the refugee agreed: the checkbox is the whole text.
    ConsentKind.REFERRAL: (Version("2026-01", date(2026, 11, 23)),),
}
CONSENT_VERSIONS = {kind: versions[-1].version for kind, versions in VERSIONS.items()}
# The public page of each text that has one (accounts/views/texts.py).
PAGES = {ConsentKind.CHARTER: "accounts:charter", ConsentKind.PRIVACY: "accounts:privacy_notice"}


@dataclass(frozen=True)
class PendingText:
    """A text to accept again, as the pages name and link it."""

    label: str
    version: Version
    url: str


def current(kind: str) -> Version:
    return VERSIONS[kind][-1]


def published_on(kind: str, version: str) -> date | None:
    """When `version` of the text was published; None for a version this module never had."""
    return next((v.published_on for v in VERSIONS.get(kind, ()) if v.version == version), None)


def texts_to_accept_again(person: Person) -> list[str]:
    """The kinds of text this person accepted in an older version only; one query.

    A person who never accepted a text is not asked here: the profile's last step asks them.
    """
    accepted: dict[str, set[str]] = {}
    for kind, version in person.consents.values_list("kind", "version"):
        accepted.setdefault(kind, set()).add(version)
    return [
        kind
        for kind in VERSIONS
        if kind in accepted and CONSENT_VERSIONS[kind] not in accepted[kind]
    ]


def pending_texts(person: Person) -> list[PendingText]:
    """`texts_to_accept_again`, with what a page needs to name and link each text."""
    return [
        PendingText(
            label=ConsentKind(kind).label,
            version=current(kind),
            url=reverse(PAGES[kind]) if kind in PAGES else "",
        )
        for kind in texts_to_accept_again(person)
    ]
