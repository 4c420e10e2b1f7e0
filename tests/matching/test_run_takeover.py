"""A run whose worker was killed is taken over by the task the broker delivers again (issue 14,
#8): the claim is stale once the run's heartbeat stops, and the run page says what happened."""

import time
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matching import claims, engine, services
from matching.claims import CLAIM_STALE_AFTER, RunBusy, run_claim
from matching.models import Proposal, RunState
from matching.services import run_execute, run_start
from matching.tasks import run_match
from tests.factories import RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db
RESTARTED = "Restarted after a worker stopped"


class WorkerKilled(BaseException):
    """What a SIGKILL leaves: the task stops where it is, nothing of it runs after."""


@pytest.fixture
def pool():
    return [SponsorFactory() for _ in range(3)], [RefugeeFactory() for _ in range(3)]


def kill_the_worker_while_matching(monkeypatch):
    def killed(run):
        raise WorkerKilled

    monkeypatch.setattr(services, "_match_pool", killed)


def test_the_task_delivered_again_takes_over_a_run_whose_worker_was_killed(
    pool, staff, client, monkeypatch
):
    run = run_start(by=staff, weights=engine.Weights())
    with monkeypatch.context() as patch:
        kill_the_worker_while_matching(patch)
        with pytest.raises(WorkerKilled):
            run_match(run.pk)
    run.refresh_from_db()
    assert (run.state, run.attempt, run.active) == (RunState.RUNNING, 1, True)  # holds the pool

    # The broker delivers the task again once the worker is gone; its heartbeat stopped then.
    with time_machine.travel(run.heartbeat_at + CLAIM_STALE_AFTER + timedelta(seconds=1)):
        run_match(run.pk)

    run.refresh_from_db()
    assert (run.state, run.attempt, run.active) == (RunState.DONE, 2, None)
    assert Proposal.objects.filter(run=run).count() == 3
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("matching:run", args=[run.pk]))
    assert page.status_code == HTTPStatus.OK
    assert RESTARTED in page.content.decode()


def test_a_run_held_by_a_live_task_is_left_to_it_and_asked_again_later(pool, staff):
    run = run_start(by=staff, weights=engine.Weights())
    assert run_claim(run.pk) == 1  # a live task holds it: its heartbeat is fresh

    with pytest.raises(RunBusy) as busy:
        run_execute(run.pk)

    assert 0 < busy.value.retry_in <= CLAIM_STALE_AFTER.total_seconds() + 1
    run.refresh_from_db()
    assert (run.state, run.attempt) == (RunState.RUNNING, 1)
    assert not Proposal.objects.exists()


def test_a_task_whose_run_was_taken_over_stores_nothing(pool, staff, monkeypatch):
    run = run_start(by=staff, weights=engine.Weights())
    match_pool = services._match_pool

    def slow_then_overtaken(claimed_run):
        result = match_pool(claimed_run)
        # Meanwhile the task was delivered again and, the beat missed, took the run over.
        later = timezone.now() + CLAIM_STALE_AFTER + timedelta(seconds=1)
        assert run_claim(claimed_run.pk, now=later) == 2
        return result

    monkeypatch.setattr(services, "_match_pool", slow_then_overtaken)

    run_execute(run.pk)  # neither raises nor fails the run: the other task's result is the run's

    run.refresh_from_db()
    assert (run.state, run.attempt, run.error) == (RunState.RUNNING, 2, "")
    assert not Proposal.objects.exists()


def test_a_finished_run_is_never_claimed_again(pool, staff):
    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert run_claim(run.pk) is None
    assert Proposal.objects.filter(run=run).count() == 3


def test_the_heartbeat_beats_while_the_engine_works(staff, monkeypatch):
    run = run_start(by=staff, weights=engine.Weights())
    attempt = run_claim(run.pk)
    beats = []
    monkeypatch.setattr(claims, "HEARTBEAT_EVERY", timedelta(seconds=0.01))
    monkeypatch.setattr(claims.MatchRun.objects, "filter", _recording(beats))

    with claims.run_heartbeat(run.pk, attempt):
        deadline = timezone.now() + timedelta(seconds=30)
        while len(beats) < 2 and timezone.now() < deadline:
            time.sleep(0.01)  # polls; the deadline is generous

    assert len(beats) >= 2


def _recording(beats):
    """MatchRun.objects.filter that records the heartbeat's writes and changes nothing (the
    thread has no view of the test's transaction)."""

    class Recorded:
        def update(self, **fields):
            beats.append(fields["heartbeat_at"])
            return 1

    return lambda **lookups: Recorded()
