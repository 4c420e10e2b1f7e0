"""Match runs: querysets in, engine arrays through, proposals out."""

import time
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, Role
from duos.models import Duo
from matching import engine
from matching.claims import RunTakenOver, run_claim, run_heartbeat
from matching.models import (
    Exclusion,
    ExclusionReason,
    MatchRun,
    Proposal,
    ProposalState,
    RunState,
)

# A run whose task has not reported for this long is dead (broker down, worker killed).
STALE_AFTER = timedelta(minutes=5)
# Progress is written when it moved by this much or the stage changed: a moving bar, and a
# number of writes that does not grow with the pool.
PROGRESS_STEP = 0.04


class RunInProgress(Exception):
    """Another run holds the pool."""

    message = _("A match run is already in progress. Wait for it to finish, then start again.")


def pool_queryset(departement: str = ""):
    """Who a run may pair (`Person.objects.eligible`), in one département or all."""
    people = Person.objects.eligible()
    return people.filter(departement=departement) if departement else people


def engine_person(person: Person, now: datetime) -> engine.Person:
    waited = now - (person.waiting_since or person.validated_at or person.created_at)
    return engine.Person(
        id=str(person.pk),
        lat=person.latitude,
        lon=person.longitude,
        max_distance_km=person.max_distance_km,
        languages={item["code"]: item["level"] for item in person.languages},
        interests=frozenset(person.interests),
        availability=frozenset(person.availability),
        gender=person.gender or "other",
        partner_gender=person.partner_gender or "any",
        birth_year=person.birth_year,
        waiting_days=max(waited.days, 0),
    )


def excluded_pairs(sponsor_ids: Iterable[int], refugee_ids: Iterable[int]) -> set[tuple[str, str]]:
    """Pairs never to propose: the Exclusion rows, the one source of who may be paired again.

    Each state change that must exclude writes its row: staff's refusal of a proposal, a
    decline, an early end, a completed duo. A proposal that expired unanswered writes none:
    both people go back to the pool, and the pair may be proposed again.
    """
    pairs = Exclusion.objects.filter(sponsor__in=list(sponsor_ids), refugee__in=list(refugee_ids))
    return {(str(s), str(r)) for s, r in pairs.values_list("sponsor_id", "refugee_id")}


def run_start(*, by, departement: str = "", weights: engine.Weights) -> MatchRun:
    """Create the run that holds the pool; the caller sends the task after commit."""
    try:
        with transaction.atomic():
            return MatchRun.objects.create(
                created_by=by, departement=departement, weights=asdict(weights)
            )
    except IntegrityError as error:  # the unique `active` flag: a run already holds the pool
        raise RunInProgress from error


def run_execute(run_id: int) -> None:
    """The task's body: idempotent, a run claimed by a live task or finished is left alone.

    RunBusy while another task holds the run with a fresh heartbeat (the task asks again
    later); a stale one is taken over (`run_claim`).
    """
    if run_claim(run_id) is None:
        return
    run = MatchRun.objects.get(pk=run_id)
    started = time.monotonic()
    try:
        with run_heartbeat(run_id, run.attempt):
            result = _match_pool(run)
            _store_result(run, result, started)
    except RunTakenOver:
        return  # another task restarted it meanwhile: its result is the run's
    except Exception as error:
        _fail(run_id, f"{type(error).__name__}: {error}", attempt=run.attempt)
        raise


def _match_pool(run: MatchRun) -> engine.Result:
    now = timezone.now()
    people = list(pool_queryset(run.departement))
    sponsors = [engine_person(p, now) for p in people if p.role == Role.SPONSOR]
    refugees = [engine_person(p, now) for p in people if p.role == Role.REFUGEE]
    MatchRun.objects.filter(pk=run.pk).update(
        pool_sponsors=len(sponsors), pool_refugees=len(refugees)
    )
    exclusions = excluded_pairs([s.id for s in sponsors], [r.id for r in refugees])
    return engine.match(
        sponsors,
        refugees,
        weights=engine.Weights(**run.weights),
        exclusions=exclusions,
        progress=_progress_writer(run.pk, run.attempt),
    )


def _progress_writer(run_id: int, attempt: int):
    last = {"fraction": -1.0, "stage": ""}

    def write(fraction: float, stage: str) -> None:
        if fraction - last["fraction"] < PROGRESS_STEP and stage == last["stage"]:
            return
        last.update(fraction=fraction, stage=stage)
        MatchRun.objects.filter(pk=run_id, state=RunState.RUNNING, attempt=attempt).update(
            progress=round(fraction * 0.95, 3), stage=stage[:40], heartbeat_at=timezone.now()
        )

    return write


def _store_result(run: MatchRun, result: engine.Result, started: float) -> None:
    alternatives = result.alternatives
    with transaction.atomic():
        Proposal.objects.bulk_create(
            [
                Proposal(
                    run=run,
                    sponsor_id=int(pair.sponsor_id),
                    refugee_id=int(pair.refugee_id),
                    score=pair.score,
                    distance_km=round(pair.distance_km, 1),
                    breakdown=pair.breakdown,
                    reasons=[[code, values] for code, values in pair.reasons],
                )
                for pair in result.pairs
            ],
        )
        stored = MatchRun.objects.filter(
            pk=run.pk, state=RunState.RUNNING, attempt=run.attempt
        ).update(
            state=RunState.DONE,
            active=None,
            progress=1.0,
            stage="done",
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            pairs=len(result.pairs),
            total_score=result.total_score,
            duration_ms=round((time.monotonic() - started) * 1000),
            certificate={
                **asdict(result.certificate),
                "mode": result.mode,
                "feasible_edges": result.feasible_edges,
            },
            unmatched=[asdict(item) for item in result.unmatched],
            alternatives=_alternatives_json(alternatives),
        )
        if not stored:
            raise RunTakenOver  # and the proposals are rolled back with the transaction


def _alternatives_json(alternatives) -> dict[str, list]:
    """{"sponsor:12": [[refugee id, score], ...]} for the swap menu."""
    return {
        f"{side}:{pid}": [[int(other), score] for other, score in items]
        for (side, pid), items in alternatives.items()
    }


def _fail(run_id: int, error: str, *, attempt: int) -> None:
    MatchRun.objects.filter(pk=run_id, attempt=attempt).update(
        state=RunState.FAILED, active=None, error=error[:2000], finished_at=timezone.now()
    )


def runs_sweep_stale(*, now: datetime | None = None) -> int:
    """Mark failed a run whose task never started or went silent, and free its pool."""
    now = now or timezone.now()
    limit = now - STALE_AFTER
    stale = MatchRun.objects.filter(
        Q(state=RunState.PENDING, created_at__lt=limit)
        | Q(state=RunState.RUNNING, heartbeat_at__lt=limit)
    )
    return stale.update(
        state=RunState.FAILED,
        active=None,
        finished_at=now,
        error="The run did not finish: its worker never started it or stopped (broker down, "
        "worker killed). Start a new run.",
    )


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


def proposal_swap(*, proposal_id: int, side: str, partner_id: int, by) -> Proposal:
    """Replace the sponsor or the refugee of a proposal with one of the run's alternatives.

    The old proposal is superseded and a new one, scored afresh, takes its place. Raises
    ProposalRefused when the proposal was decided, the partner is taken, gone from the pool
    or excluded, or their profiles no longer allow the pair.
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
        if partner_id not in {int(other) for other, _score in run.alternatives.get(stays, [])}:
            raise ProposalRefused(
                _("This person is not one of the alternatives the engine found for this proposal.")
            )
        if side == "sponsor":
            sponsor_id, refugee_id = partner_id, proposal.refugee_id
        else:
            sponsor_id, refugee_id = proposal.sponsor_id, partner_id
        _check_free_in_run(
            run,
            [partner_id] if side == "sponsor" else [],
            [partner_id] if side == "refugee" else [],
        )
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
        _mark_reviewed(proposal, ProposalState.SUPERSEDED, by)
        return Proposal.objects.create(
            run=run, sponsor=sponsor, refugee=refugee, **_proposal_values(pair)
        )


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
