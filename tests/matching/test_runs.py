from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import CandidateState
from matching import engine
from matching.models import Exclusion, ExclusionReason, MatchRun, Proposal, RunState
from matching.services import RunInProgress, run_execute, run_start, runs_sweep_stale
from tests.factories import RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool():
    sponsors = [SponsorFactory(first_name=f"S{i}") for i in range(4)]
    refugees = [
        RefugeeFactory(first_name=f"R{i}", languages=[{"code": "fr", "level": "conversational"}])
        for i in range(3)
    ]
    return sponsors, refugees


def test_run_proposes_the_most_pairs_and_stores_reasons(pool, staff):
    sponsors, refugees = pool
    run = run_start(by=staff, weights=engine.Weights())

    run_execute(run.pk)

    run.refresh_from_db()
    assert run.state == RunState.DONE and run.active is None and run.progress == 1.0
    assert (run.pool_sponsors, run.pool_refugees, run.pairs) == (4, 3, 3)
    assert run.certificate["pairs"] == run.certificate["max_pairs"] == 3
    assert Proposal.objects.filter(run=run).count() == 3
    proposal = Proposal.objects.filter(run=run).first()
    assert {code for code, _values in proposal.reasons} >= {"distance", "languages"}
    assert sum(proposal.breakdown.values()) == proposal.score
    assert [u["reason"] for u in run.unmatched] == ["partners_needed_elsewhere"]


def test_run_leaves_out_paused_and_unvalidated_people_and_exclusions(pool, staff):
    sponsors, refugees = pool
    sponsors[0].pause()
    refugees[0].state = CandidateState.AWAITING_VALIDATION
    refugees[0].save()
    for sponsor in sponsors[1:]:
        Exclusion.objects.create(
            sponsor=sponsor, refugee=refugees[1], reason=ExclusionReason.REJECTED
        )
    run = run_start(by=staff, weights=engine.Weights())

    run_execute(run.pk)

    run.refresh_from_db()
    assert (run.pool_sponsors, run.pool_refugees) == (3, 2)
    pairs = set(Proposal.objects.filter(run=run).values_list("sponsor", "refugee"))
    assert all(refugee != refugees[1].pk for _sponsor, refugee in pairs)
    assert len(pairs) == 1


def test_second_run_is_refused_while_one_holds_the_pool(staff):
    run_start(by=staff, weights=engine.Weights())

    with pytest.raises(RunInProgress):
        run_start(by=staff, weights=engine.Weights())


def test_run_executed_twice_does_the_work_once(pool, staff):
    run = run_start(by=staff, weights=engine.Weights())

    run_execute(run.pk)
    run_execute(run.pk)

    assert Proposal.objects.filter(run=run).count() == 3


def test_stale_run_is_marked_failed_and_frees_the_pool(staff):
    run = run_start(by=staff, weights=engine.Weights())

    assert runs_sweep_stale() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert runs_sweep_stale() == 1

    run.refresh_from_db()
    assert run.state == RunState.FAILED and run.active is None and run.error
    run_start(by=staff, weights=engine.Weights())
    assert MatchRun.objects.count() == 2
