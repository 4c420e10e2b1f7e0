"""The signed links of the introduction email: accept or decline a duo."""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.urls import reverse

from duos.lib.emails import absolute_url
from duos.models import ANSWER_DAYS, SIDES, Answer, Duo

_TOKEN_SALTS = {Answer.ACCEPTED: "duos.answer.accept", Answer.DECLINED: "duos.answer.decline"}


@dataclass(frozen=True)
class AnswerLink:
    duo: Duo
    side: str
    answer: str


class InvalidAnswerLink(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def answer_token(duo: Duo, side: str, answer: str) -> str:
    return signing.dumps({"duo": duo.pk, "side": side}, salt=_TOKEN_SALTS[answer])


def answer_url(duo: Duo, side: str, answer: str) -> str:
    return absolute_url(reverse("duos:answer", args=[answer_token(duo, side, answer)]))


def read_answer_token(token: str) -> AnswerLink:
    """The duo, side and answer a link carries; InvalidAnswerLink if tampered or expired."""
    max_age = timedelta(days=ANSWER_DAYS)
    for answer, salt in _TOKEN_SALTS.items():
        try:
            data = signing.loads(token, salt=salt, max_age=max_age)
        except signing.SignatureExpired as error:
            raise InvalidAnswerLink(expired=True) from error
        except signing.BadSignature:
            continue
        if not isinstance(data, dict) or data.get("side") not in SIDES:
            break
        duo = Duo.objects.select_related("sponsor", "refugee").filter(pk=data.get("duo")).first()
        if duo is None:
            break
        return AnswerLink(duo=duo, side=data["side"], answer=answer)
    raise InvalidAnswerLink
