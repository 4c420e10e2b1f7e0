"""The links of the introduction email, accept or decline (kinds in duos/lib/links.py)."""

from dataclasses import dataclass

from duos.lib.links import ANSWER_ACCEPT, ANSWER_DECLINE, LinkInvalid, LinkKind
from duos.models import SIDES, Answer, Duo

KINDS = {Answer.ACCEPTED: ANSWER_ACCEPT, Answer.DECLINED: ANSWER_DECLINE}


@dataclass(frozen=True)
class AnswerLink:
    duo: Duo
    side: str
    answer: str


def answer_token(duo: Duo, side: str, answer: str) -> str:
    return KINDS[answer].token(duo.pk, side)


def answer_url(duo: Duo, side: str, answer: str) -> str:
    return KINDS[answer].url(duo.pk, side)


def answer_link(kind: LinkKind, payload: dict) -> AnswerLink:
    """The duo and side a link names, and the answer its kind gives."""
    if payload["side"] not in SIDES:
        raise LinkInvalid
    duo = Duo.objects.select_related("sponsor", "refugee").filter(pk=payload["duo"]).first()
    if duo is None:
        raise LinkInvalid
    answer = Answer.ACCEPTED if kind is ANSWER_ACCEPT else Answer.DECLINED
    return AnswerLink(duo=duo, side=payload["side"], answer=answer)
