"""Duos: proposed to both people by the team, answered by emailed links, then started.

A duo is proposed by `duos.models.duo_propose` (its first transition, which the matching
pages call too); this module holds what follows: the answers, the expiry, the way back to the pool.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import CandidateState, Person
from duos.models import SIDES, Answer, Duo, DuoState, LifecycleError
from matching.models import Exclusion, ExclusionReason

# The one who did not decline goes back to the pool as if they had waited this much longer,
# so that the engine's waiting criterion puts them first in the next run.
DECLINE_WAITING_BONUS = timedelta(days=60)


# The team's list shows waiting duos older than this with an answer still missing.
NO_ANSWER_AFTER_DAYS = 7


EXPIRY_BATCH_SIZE = 200


class AnswerOutcome:
    RECORDED = "recorded"  # the answer is saved; the duo may have started or been declined
    UNCHANGED = "unchanged"  # the same answer again: nothing to do
    CLOSED = "closed"  # the duo is active, declined, expired or ended: answers are final


def duo_answer(*, duo: Duo, side: str, answer: str, now: datetime | None = None) -> str:
    """Record one person's answer; both accepted starts the duo, one decline closes it."""
    if side not in SIDES or answer not in Answer.values:
        raise ValueError(f"{side=} {answer=}")
    now = now or timezone.now()
    with transaction.atomic():
        # Locked: the two answers arriving at once must not both miss "both accepted".
        locked = Duo.objects.select_for_update().get(pk=duo.pk)
        if getattr(locked, f"{side}_answer") == answer:
            outcome = AnswerOutcome.UNCHANGED
        else:
            try:
                locked.answer(side, answer, now=now)
            except LifecycleError:
                outcome = AnswerOutcome.CLOSED
            else:
                outcome = AnswerOutcome.RECORDED
                _answered(locked, side, answer, now)
    duo.refresh_from_db()
    return outcome


def _answered(duo: Duo, side: str, answer: str, now: datetime) -> None:
    """What a decline or a start brings: the people's states, the exclusion, the emails."""
    from duos.lifecycle.tasks import send_duo_email

    if duo.state == DuoState.DECLINED:
        _back_to_pool(duo, now, bonus_for=_other(side))
        Exclusion.objects.get_or_create(
            sponsor_id=duo.sponsor_id,
            refugee_id=duo.refugee_id,
            defaults={"reason": ExclusionReason.DECLINED},
        )
        template = "duo_declined"
    elif duo.state == DuoState.ACTIVE:
        template = "duo_started"
    else:
        return
    for each in SIDES:
        send_duo_email.delay_on_commit(duo.pk, each, template)


def _other(side: str) -> str:
    return "refugee" if side == "sponsor" else "sponsor"


def _back_to_pool(duo: Duo, now: datetime, *, bonus_for: str | None = None) -> None:
    """Both people wait for a duo again; `bonus_for` is moved up the waiting list."""
    bonus = [getattr(duo, f"{bonus_for}_id")] if bonus_for else []
    people_back_to_pool(person_ids=[duo.sponsor_id, duo.refugee_id], bonus_ids=bonus, now=now)


def people_back_to_pool(
    *, person_ids: list[int], now: datetime, bonus_ids: list[int] | tuple = ()
) -> None:
    """People whose duo closed wait for a duo again: the one place the pool takes them back.

    Only people still IN_DUO move (someone who withdrew meanwhile stays withdrawn). Those in
    `bonus_ids` count as having waited DECLINE_WAITING_BONUS longer, so that the engine's
    waiting criterion puts them first in the next run: the one a decline left alone, or a
    refugee whose duo ended early (duos/lifecycle/team_actions.py).
    """
    Person.objects.filter(pk__in=person_ids).back_to_pool(now=now)
    if bonus_ids:
        waited_from = Coalesce(
            F("waiting_since"), F("validated_at"), Value(now), output_field=DateTimeField()
        )
        Person.objects.filter(pk__in=bonus_ids, state=CandidateState.VALIDATED).update(
            waiting_since=waited_from - DECLINE_WAITING_BONUS
        )


def duos_expire_unanswered(*, now: datetime | None = None) -> int:
    """Waiting duos past their deadline expire; both people go back to the pool, unexcluded."""
    from duos.lifecycle.tasks import send_duo_email

    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            due = Duo.objects.unanswered(now=now).select_for_update(skip_locked=True).order_by("pk")
            rows = list(due.values_list("pk", "sponsor_id", "refugee_id")[:EXPIRY_BATCH_SIZE])
            if not rows:
                return expired
            ids = [pk for pk, _s, _r in rows]
            # Conditional: a duo answered since the select keeps its new state.
            Duo.objects.filter(pk__in=ids).expire(now=now)
            still_expired = set(
                Duo.objects.filter(pk__in=ids, state=DuoState.EXPIRED).values_list("pk", flat=True)
            )
            people = [p for pk, s, r in rows if pk in still_expired for p in (s, r)]
            people_back_to_pool(person_ids=people, now=now)
            for pk in sorted(still_expired):
                for side in SIDES:
                    send_duo_email.delay_on_commit(pk, side, "duo_expired")
            expired += len(still_expired)


def duos_waiting_without_answer(*, days: int = NO_ANSWER_AFTER_DAYS) -> QuerySet[Duo]:
    """Waiting duos proposed more than `days` ago that someone has not answered: to call."""
    cutoff = timezone.now() - timedelta(days=days)
    return (
        Duo.objects.filter(state=DuoState.WAITING, created_at__lte=cutoff)
        .filter(Q(sponsor_answer="") | Q(refugee_answer=""))
        .select_related("sponsor", "refugee", "sponsor__user", "refugee__user", "refugee__referrer")
        .order_by("created_at")
    )
