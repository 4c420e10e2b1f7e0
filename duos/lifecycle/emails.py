"""The emails of a duo's introduction: what they say and when they are moot."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import CandidateState
from duos.lib.emails import send_templated_email
from duos.lifecycle.links import answer_url
from duos.lifecycle.services import _other
from duos.models import ANSWER_DAYS, Answer, Duo, DuoState

# Emails about a duo, by the state the duo must still be in for them to go.
EMAIL_STATES = {
    "introduction": DuoState.WAITING,
    "duo_started": DuoState.ACTIVE,
    "duo_declined": DuoState.DECLINED,
    "duo_expired": DuoState.EXPIRED,
    "duo_ended": DuoState.ENDED,
}


def duo_send_email(*, duo_id: int, side: str, template: str) -> bool:
    """Send one email about a duo to one side; False when it is moot now (state moved on)."""
    duo = (
        Duo.objects.select_related(
            "sponsor__user", "sponsor__referrer", "refugee__user", "refugee__referrer", "proposal"
        )
        .filter(pk=duo_id, state=EMAIL_STATES[template])
        .first()
    )
    if duo is None:
        return False
    person, other = getattr(duo, side), getattr(duo, _other(side))
    recipient = person.contact_user
    if recipient is None or person.anonymised_at is not None:
        return False
    context = {
        "duo": duo,
        "person": person,
        "other": other,
        "for_someone_else": person.user_id is None,
        "other_is_referred": other.user_id is None,
    }
    if template == "introduction":
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context |= introduction_context(duo, side)
    elif template == "duo_started":
        context |= {
            "other_email": other.contact_user.email if other.contact_user else "",
            "other_phone": other.phone,
        }
    elif template == "duo_declined":
        context["declined_by_recipient"] = getattr(duo, f"{side}_answer") == Answer.DECLINED
    elif template == "duo_ended":
        # Who asked and why stay with the team: the email only says what happens next.
        context["back_in_pool"] = person.state == CandidateState.VALIDATED
    send_templated_email(
        to=recipient,
        template=template,
        context=context,
        headers={"Reply-To": settings.PROGRAMME_EMAIL},
    )
    return True


def introduction_context(duo: Duo, side: str) -> dict:
    """What the introduction says of the other: never a last name, an address or a contact.

    The distance, the languages and interests in common and the reasons are those the engine
    gave the pair, as its Proposal stores them (nothing is measured again here); a duo
    without a proposal says none of them. Call it with the recipient's language active: the
    reasons become sentences in it.
    """
    from matching.engine import explain
    from matching.engine.vocabulary import INTERESTS, LANGUAGES, label

    proposal = duo.proposal
    reasons = [(code, values) for code, values in proposal.reasons] if proposal else []
    codes = {code: values.get("codes", []) for code, values in reasons}
    km = proposal.distance_km if proposal else None
    return {
        "km": max(1, round(km)) if km is not None else None,
        "languages": [gettext(label(LANGUAGES, code)) for code in codes.get("languages", [])],
        "interests": [gettext(label(INTERESTS, code)) for code in codes.get("interests", [])],
        "reasons": explain.pair_sentence(reasons, translation),
        "accept_url": answer_url(duo, side, Answer.ACCEPTED),
        "decline_url": answer_url(duo, side, Answer.DECLINED),
        "days": ANSWER_DAYS,
    }
