"""A duo's first transition: proposed by the team to both people, waiting for their answers.

A person is in at most one open duo (waiting or active): two partial unique constraints hold it,
and `duo_propose` turns their IntegrityError into a DuoConflict the team can read. It lives with
the models, not in duos/lifecycle/, because the matching pages propose duos and build on the
models only (import-linter's contracts in pyproject.toml).
"""

from datetime import timedelta

from celery import signature
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import CandidateState, Person, User
from duos.models.duo import ANSWER_DAYS, Duo
from matching.models import Proposal, ProposalState


class DuoConflict(Exception):
    """The duo cannot be proposed: someone is in another open duo, or no longer available."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @classmethod
    def in_open_duo(cls, person: Person) -> "DuoConflict":
        return cls(
            gettext("%(name)s is already in a duo waiting for answers or active.")
            % {"name": person.first_name or f"#{person.pk}"}
        )

    @classmethod
    def not_available(cls, person: Person) -> "DuoConflict":
        return cls(
            gettext("%(name)s is not waiting for a duo any more (paused, withdrawn or in a duo).")
            % {"name": person.first_name or f"#{person.pk}"}
        )


def duo_propose(
    *, sponsor: Person, refugee: Person, by: User, proposal: Proposal | None = None
) -> Duo:
    """Propose the duo to both people: the introductions go out after commit."""
    if proposal is not None and (proposal.sponsor_id, proposal.refugee_id) != (
        sponsor.pk,
        refugee.pk,
    ):
        raise ValueError("The proposal is about another pair.")
    now = timezone.now()
    with transaction.atomic():
        # Only people still eligible: paused, withdrawn or paired since the run, they stay out.
        moving = transaction.savepoint()
        if Person.objects.filter(pk__in=[sponsor.pk, refugee.pk]).enter_duo(now=now) != 2:
            transaction.savepoint_rollback(moving)  # who moved is not who is unavailable
            raise _unavailable(sponsor, refugee)
        try:
            # A savepoint: when a concurrent approval wins, the outer transaction stays usable.
            with transaction.atomic():
                duo = Duo.objects.create(
                    sponsor=sponsor,
                    refugee=refugee,
                    proposal=proposal,
                    created_by=by,
                    expires_at=now + timedelta(days=ANSWER_DAYS),
                )
        except IntegrityError as error:
            raise _conflict_for(sponsor, refugee, proposal) from error
        if proposal is not None:
            reviewed = Proposal.objects.filter(pk=proposal.pk, state=ProposalState.PROPOSED).update(
                state=ProposalState.APPROVED, reviewed_by=by, reviewed_at=now
            )
            if reviewed != 1:
                raise DuoConflict(gettext("This proposal was already reviewed."))
            proposal.state, proposal.reviewed_by, proposal.reviewed_at = (
                ProposalState.APPROVED,
                by,
                now,
            )
        # By the task's name: the models (and matching, which calls this) build on no domain.
        introduction = signature("duos.tasks.send_introduction", args=(duo.pk,))
        transaction.on_commit(introduction.delay)
    for person in (sponsor, refugee):
        person.state, person.state_changed_at = CandidateState.IN_DUO, now
    return duo


def _conflict_for(sponsor: Person, refugee: Person, proposal: Proposal | None) -> DuoConflict:
    """Which rule the database enforced: someone's open duo, or the proposal's own duo."""
    for person, field in ((sponsor, "sponsor"), (refugee, "refugee")):
        if Duo.objects.open().filter(**{field: person}).exists():
            return DuoConflict.in_open_duo(person)
    if proposal is not None and Duo.objects.filter(proposal=proposal).exists():
        return DuoConflict(gettext("This proposal was already reviewed."))
    return DuoConflict.in_open_duo(refugee)


def _unavailable(sponsor: Person, refugee: Person) -> DuoConflict:
    """Who of the two is not eligible any more (Person.objects.eligible), and why."""
    eligible = set(
        Person.objects.filter(pk__in=[sponsor.pk, refugee.pk])
        .eligible()
        .values_list("pk", flat=True)
    )
    states = dict(Person.objects.filter(pk__in=[sponsor.pk, refugee.pk]).values_list("pk", "state"))
    for person in (sponsor, refugee):
        if person.pk in eligible:
            continue
        if states.get(person.pk) == CandidateState.IN_DUO or _in_open_duo(person):
            return DuoConflict.in_open_duo(person)
        return DuoConflict.not_available(person)
    return DuoConflict.not_available(refugee)


def _in_open_duo(person: Person) -> bool:
    return Duo.objects.open().filter(Q(sponsor=person) | Q(refugee=person)).exists()
