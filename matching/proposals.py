"""Staff review of a run's proposals: approve, reject, swap a partner, pair by hand."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, Role
from duos.models import Duo
from matching import engine
from matching.models import (
    Exclusion,
    ExclusionReason,
    MatchRun,
    Proposal,
    ProposalState,
    RunState,
)
from matching.services import engine_person, excluded_pairs, pool_queryset

# Staff review: approve, reject, swap, pair by hand. Each action locks what it changes and
# re-reads its state, so a double click or two staff members at once change things once.
OPEN_PROPOSAL_STATES = [ProposalState.PROPOSED, ProposalState.APPROVED]


class ProposalRefused(Exception):
    """The action cannot be done on the proposal as it now stands; `message` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def proposal_approve(*, proposal_id: int, by) -> Duo | None:
    """Propose the pair to both people as a duo; None if the proposal was already decided.

    Raises duos.services.DuoConflict (nothing changed) when one of them is already in a
    waiting or active duo.
    """
    from duos.models import duo_propose

    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("sponsor", "refugee")
            .get(pk=proposal_id)
        )
        if proposal.state != ProposalState.PROPOSED:
            return None
        # duo_propose marks the proposal approved, or raises and changes nothing.
        return duo_propose(
            sponsor=proposal.sponsor, refugee=proposal.refugee, by=by, proposal=proposal
        )


def proposals_approve(*, proposal_ids: Iterable[int], by) -> list[tuple[Proposal, str, str]]:
    """Approve each proposal on its own: a conflict on one does not hold back the others.

    Returns (proposal, outcome, message) with outcome "approved", "unchanged" or "conflict".
    """
    from duos.models import DuoConflict

    proposals = Proposal.objects.select_related("sponsor", "refugee").in_bulk(list(proposal_ids))
    outcomes = []
    for proposal in sorted(proposals.values(), key=lambda p: (-p.score, p.pk)):
        try:
            duo = proposal_approve(proposal_id=proposal.pk, by=by)
        except DuoConflict as conflict:
            outcomes.append((proposal, "conflict", str(conflict.message)))
            continue
        outcomes.append((proposal, "approved" if duo else "unchanged", ""))
    return outcomes


def proposal_reject(*, proposal_id: int, by, reason: str) -> bool:
    """Mark the proposal rejected and exclude the pair from later runs; False if already decided."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.state != ProposalState.PROPOSED:
            return False
        proposal.rejection_reason = reason
        _mark_reviewed(proposal, ProposalState.REJECTED, by, "rejection_reason")
        Exclusion.objects.get_or_create(
            sponsor_id=proposal.sponsor_id,
            refugee_id=proposal.refugee_id,
            defaults={"reason": ExclusionReason.REJECTED, "note": reason, "created_by": by},
        )
    return True


def proposal_swap(*, proposal_id: int, side: str, partner_id: int, by) -> list[Proposal]:
    """Replace the sponsor or the refugee of a proposal with one of the run's alternatives.

    The old proposal is superseded and a new one, scored afresh, takes its place. When
    the partner is proposed with someone else (a mate), as the run left them, that
    proposal is superseded too and the mate goes with whom the run worked out: this
    proposal's former partner, someone still free, or nobody. Returns the new proposals,
    the chosen pair first. Raises ProposalRefused when a proposal was decided, someone is
    taken, gone from the pool or excluded, or their profiles no longer allow a pair.
    """
    with transaction.atomic():
        run_id = Proposal.objects.values_list("run_id", flat=True).get(pk=proposal_id)
        # The run's row serialises swaps and manual pairs: two of them cannot take one person.
        run = MatchRun.objects.select_for_update().get(pk=run_id)
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        if proposal.state != ProposalState.PROPOSED:
            raise ProposalRefused(_("Nothing was changed: this proposal was already decided."))
        stays = (
            f"refugee:{proposal.refugee_id}"
            if side == "sponsor"
            else (f"sponsor:{proposal.sponsor_id}")
        )
        if partner_id not in {int(item[0]) for item in run.alternatives.get(stays, [])}:
            raise ProposalRefused(
                _("This person is not one of the alternatives the engine found for this proposal.")
            )
        pairs, superseded = _swap_pairs(run, proposal, side, partner_id, stays)
        scored = [_scored_pair(run, sponsor_id, refugee_id) for sponsor_id, refugee_id in pairs]
        for old in superseded:
            _mark_reviewed(old, ProposalState.SUPERSEDED, by)
        return [
            Proposal.objects.create(run=run, sponsor=sponsor, refugee=refugee, **values)
            for sponsor, refugee, values in scored
        ]


def _swap_pairs(run: MatchRun, proposal: Proposal, side: str, partner_id: int, stays: str):
    """([(sponsor id, refugee id), ...] to propose, [proposals to supersede]) of a swap."""
    own = proposal.refugee_id if side == "refugee" else proposal.sponsor_id
    stayer = proposal.sponsor_id if side == "refugee" else proposal.refugee_id

    def as_pair(one_id: int, other_id: int) -> tuple[int, int]:
        """(sponsor, refugee) of a person of the side replaced and one of the other."""
        return (other_id, one_id) if side == "refugee" else (one_id, other_id)

    taken = (
        Proposal.objects.select_for_update()
        .filter(run=run, state__in=OPEN_PROPOSAL_STATES, **{f"{side}_id": partner_id})
        .first()
    )
    if taken is None:
        return [as_pair(partner_id, stayer)], [proposal]
    chain = next((c for c in run.swaps.get(stays, []) if int(c[0]) == partner_id), None)
    mate = taken.sponsor_id if side == "refugee" else taken.refugee_id
    if chain is None or taken.state != ProposalState.PROPOSED or int(chain[1]) != mate:
        _refuse_taken()
    again = chain[2]
    if again is not None and again != own:
        _check_free_in_run(run, *(([], [again]) if side == "refugee" else ([again], [])))
    pairs = [as_pair(partner_id, stayer)]
    if again is not None:
        pairs.append(as_pair(again, mate))
    return pairs, [proposal, taken]


def _scored_pair(run: MatchRun, sponsor_id: int, refugee_id: int):
    """(sponsor, refugee, proposal values) of a pair scored afresh, or ProposalRefused."""
    sponsor, refugee = _pool_pair(run, sponsor_id, refugee_id)
    if excluded_pairs([sponsor.pk], [refugee.pk]):
        raise ProposalRefused(
            _("This pair was excluded (refused by the team, declined, or a former duo).")
        )
    now = timezone.now()
    pair = engine.score_pair(
        engine_person(sponsor, now), engine_person(refugee, now), engine.Weights(**run.weights)
    )
    if pair is None:
        raise ProposalRefused(
            _("Their profiles have changed since the run: this pair is no longer possible.")
        )
    return sponsor, refugee, _proposal_values(pair)


def manual_pair_warnings(*, sponsor: Person, refugee: Person) -> list[str]:
    """In words, in the current language, every hard constraint the pair breaks."""
    now = timezone.now()
    names = {"sponsor": sponsor.first_name, "refugee": refugee.first_name}
    warnings = []
    # The engine's own rules, unrounded: a pair it would refuse always gets its warning.
    breaches = engine.pair_breaches(engine_person(sponsor, now), engine_person(refugee, now))
    for code, values in breaches:
        if code == "too_far":
            warnings.append(
                gettext(
                    "They live about %(km)s km apart, farther than %(limit)s km, the distance "
                    "the one who travels less will go."
                )
                % {"km": round(values["km"]), "limit": f"{values['limit']:g}"}
            )
        elif code == "no_shared_language":
            warnings.append(gettext("They share no language at conversational level or better."))
        elif values["wants"] == "woman":
            warnings.append(
                gettext("%(name)s would rather be paired with a woman.")
                % {"name": names[values["side"]]}
            )
        else:
            warnings.append(
                gettext("%(name)s would rather be paired with a man.")
                % {"name": names[values["side"]]}
            )
    exclusion = Exclusion.objects.filter(sponsor=sponsor, refugee=refugee).first()
    if exclusion is not None:
        warnings.append(
            gettext("This pair is excluded: %(reason)s.")
            % {"reason": exclusion.get_reason_display().lower()}
        )
    return warnings


def manual_pair(*, run_id: int, sponsor_id: int, refugee_id: int, by) -> Proposal:
    """A pair formed by hand, approved at once: proposed to both people as a duo.

    Raises ProposalRefused when one of them is in an open proposal of the run or out of the
    pool, and duos.services.DuoConflict (nothing stored) when one is in an open duo.
    """
    from duos.models import duo_propose

    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run_id)
        if run.state != RunState.DONE:
            raise ProposalRefused(_("Pairs can be formed by hand only once the run is done."))
        _check_free_in_run(run, [sponsor_id], [refugee_id])
        sponsor, refugee = _pool_pair(run, sponsor_id, refugee_id)
        now = timezone.now()
        # Points as the engine gives them, even to a pair that breaks a hard constraint.
        pair = engine.score_pair(
            engine_person(sponsor, now),
            engine_person(refugee, now),
            engine.Weights(**run.weights),
            even_if_infeasible=True,
        )
        proposal = Proposal.objects.create(
            run=run,
            sponsor=sponsor,
            refugee=refugee,
            manual=True,
            **_proposal_values(pair),
        )
        # Approves the proposal, or raises DuoConflict and the proposal is not kept either.
        duo_propose(sponsor=sponsor, refugee=refugee, by=by, proposal=proposal)
    return proposal


def _mark_reviewed(proposal: Proposal, state: str, by, *fields: str) -> None:
    proposal.state = state
    proposal.reviewed_by = by
    proposal.reviewed_at = timezone.now()
    proposal.save(update_fields=["state", "reviewed_by", "reviewed_at", *fields])


def _check_free_in_run(run: MatchRun, sponsor_ids: list[int], refugee_ids: list[int]) -> None:
    taken = Proposal.objects.filter(run=run, state__in=OPEN_PROPOSAL_STATES).filter(
        Q(sponsor_id__in=sponsor_ids) | Q(refugee_id__in=refugee_ids)
    )
    if taken.exists():
        _refuse_taken()


def _refuse_taken() -> None:
    raise ProposalRefused(
        _(
            "Nothing was changed: this person is already in another proposal of this run. "
            "Reject or swap that proposal first."
        )  # fmt: skip
    )


def _pool_pair(run: MatchRun, sponsor_id: int, refugee_id: int) -> tuple[Person, Person]:
    people = pool_queryset(run.departement).in_bulk([sponsor_id, refugee_id])
    sponsor, refugee = people.get(sponsor_id), people.get(refugee_id)
    if (
        sponsor is None
        or refugee is None
        or (sponsor.role, refugee.role)
        != (
            Role.SPONSOR,
            Role.REFUGEE,
        )
    ):
        raise ProposalRefused(
            _(
                "Nothing was changed: this person is no longer in the pool (paused, in a duo, "
                "withdrawn or moved)."
            )  # fmt: skip
        )
    return sponsor, refugee


def _proposal_values(pair: engine.Pair) -> dict:
    return {
        "score": pair.score,
        "distance_km": round(pair.distance_km, 1),
        "breakdown": pair.breakdown,
        "reasons": [[code, values] for code, values in pair.reasons],
    }
