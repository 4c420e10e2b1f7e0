"""The closing survey of a duo: the page behind the link of the closing email.

Each side's closing email carries a signed link naming the duo and the side (for a referred
refugee it goes to their social worker, who answers for them). No login: the link is the proof,
as for the check-ins. One page: a GET shows the form (with the answer on record, if any) and
changes nothing; a POST records the answer, which can be changed as long as the link is valid:
`SURVEY_DAYS` after the duo was completed. Tampered link: 400; expired: 410.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from duos.lib.links import SURVEY, LinkExpired, LinkInvalid, LinkKind
from duos.models import Duo, DuoState, KeepInTouch, Side, SurveyAnswer

# The survey link works this long after the duo was completed.
SURVEY_DAYS = 60


@dataclass(frozen=True)
class SurveyLink:
    duo: Duo
    side: str

    @property
    def person(self):
        return getattr(self.duo, self.side)

    @property
    def other(self):
        return getattr(self.duo, Side.REFUGEE if self.side == Side.SPONSOR else Side.SPONSOR)


def survey_expires_at(duo: Duo) -> datetime:
    """When the survey links of a completed duo stop working."""
    return duo.ended_at + timedelta(days=SURVEY_DAYS)


def survey_token(duo: Duo, side: str) -> str:
    return SURVEY.token(duo.pk, side)


def survey_url(duo: Duo, side: str) -> str:
    return SURVEY.url(duo.pk, side)


def survey_link(kind: LinkKind, payload: dict, *, now: datetime | None = None) -> SurveyLink:
    """The duo and side a link names; LinkExpired when the duo is not completed, its survey
    closed, or the person's data was erased: the expiry is read from the duo, one place.
    """
    if payload["s"] not in Side.values:
        raise LinkInvalid
    duo = (
        Duo.objects.select_related("sponsor__user", "refugee__user").filter(pk=payload["d"]).first()
    )
    if duo is None:
        raise LinkInvalid
    link = SurveyLink(duo=duo, side=payload["s"])
    if duo.state != DuoState.COMPLETED or duo.ended_at is None:
        raise LinkExpired
    if (now or timezone.now()) >= survey_expires_at(duo):
        raise LinkExpired
    if link.person.anonymised_at is not None:
        raise LinkExpired
    return link


def survey_record(
    *,
    duo: Duo,
    side: str,
    rating: int,
    keep_in_touch: str,
    suggestion: str = "",
    now: datetime | None = None,
) -> SurveyAnswer:
    """Record (or replace) one side's answer to the closing survey."""
    if side not in Side.values or not 1 <= rating <= 5 or keep_in_touch not in KeepInTouch.values:
        raise ValueError(f"{side=} {rating=} {keep_in_touch=}")
    values = {
        "person_id": getattr(duo, f"{side}_id"),
        "rating": rating,
        "keep_in_touch": keep_in_touch,
        "suggestion": suggestion,
        "answered_at": now or timezone.now(),
    }
    try:
        with transaction.atomic():
            answer, _created = SurveyAnswer.objects.update_or_create(
                duo=duo, side=side, defaults=values
            )
    except IntegrityError:
        # The same form sent twice at the same moment: the second one updates the first.
        with transaction.atomic():
            answer, _created = SurveyAnswer.objects.update_or_create(
                duo=duo, side=side, defaults=values
            )
    return answer
