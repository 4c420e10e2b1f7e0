"""Match runs: querysets in, engine arrays through, proposals out."""

import time
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, Role
from matching import engine
from matching.claims import RunTakenOver, run_claim, run_heartbeat
from matching.models import (
    Exclusion,
    MatchRun,
    Proposal,
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
            swaps=_swaps_json(result.swaps),
        )
        if not stored:
            raise RunTakenOver  # and the proposals are rolled back with the transaction


def _alternatives_json(alternatives) -> dict[str, list]:
    """{"sponsor:12": [[refugee id, score], ...]} for the swap menu."""
    return {
        f"{side}:{pid}": [[int(other), score] for other, score in items]
        for (side, pid), items in alternatives.items()
    }


def _swaps_json(swaps) -> dict[str, list]:
    """{"sponsor:12": [[refugee id, her sponsor now, his new partner or None, cost], ...]}:
    what taking each paired alternative changes (engine.Swap.chain)."""
    found: dict[str, list] = {}
    for (side, pid, partner), swap in swaps.worked_out().items():
        mate, again = swap.chain(side)
        found.setdefault(f"{side}:{pid}", []).append(
            [int(partner), int(mate), None if again is None else int(again), swap.cost]
        )
    return found


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
