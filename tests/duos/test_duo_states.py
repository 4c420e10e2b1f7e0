"""A duo's states on the model: each transition a conditional update, each refusal a coded
LifecycleError that changed nothing; `Duo.objects.running()` and `held()`; the Exclusion rows
as the one source of who may be paired again (an expired proposal may be proposed again)."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone, translation

from accounts.models import CandidateState
from duos.followup.reminders import reminders_create_due
from duos.lifecycle import schedule
from duos.lifecycle.services import duos_expire_unanswered
from duos.models import Answer, Duo, DuoState, LifecycleError, duo_propose
from duos.models.duo import REFUSALS
from matching import engine
from matching.models import Exclusion, ExclusionReason, Proposal
from matching.services import excluded_pairs, run_execute, run_start
from tests.factories import DuoFactory, RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def refused(action) -> LifecycleError:
    with pytest.raises(LifecycleError) as raised:
        action()
    return raised.value


def in_db(duo: Duo) -> dict:
    return Duo.objects.filter(pk=duo.pk).values().get()


# Answers ------------------------------------------------------------------------------------


def test_duo_states_second_yes_starts_the_duo_and_a_no_declines_it():
    started, declined = DuoFactory(waiting=True), DuoFactory(waiting=True)

    started.answer("sponsor", Answer.ACCEPTED, now=NOW)
    assert Duo.objects.get(pk=started.pk).state == DuoState.WAITING
    started.answer("refugee", Answer.ACCEPTED, now=NOW)
    declined.answer("refugee", Answer.DECLINED, now=NOW)

    assert (in_db(started)["state"], in_db(started)["started_at"]) == (DuoState.ACTIVE, NOW)
    assert in_db(declined)["state"] == DuoState.DECLINED


@pytest.mark.parametrize("state", [DuoState.ACTIVE, DuoState.DECLINED, DuoState.EXPIRED])
def test_duo_states_answer_refused_once_the_duo_no_longer_waits(state):
    duo = DuoFactory(waiting=True, state=state)
    before = in_db(duo)

    error = refused(lambda: duo.answer("sponsor", Answer.ACCEPTED, now=NOW))

    assert error.code == "answers_closed"
    assert in_db(duo) == before


def test_duo_states_answer_refused_past_the_deadline():
    duo = DuoFactory(waiting=True, expires_at=NOW - timedelta(minutes=1))

    assert refused(lambda: duo.answer("sponsor", Answer.DECLINED, now=NOW)).code == "answers_closed"
    assert in_db(duo)["state"] == DuoState.WAITING


# Pause, resume, extend, end early -------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (DuoState.WAITING, "not_started"),
        (DuoState.DECLINED, "not_started"),
        (DuoState.ENDED, "ended"),
        (DuoState.COMPLETED, "completed"),
    ],
)
def test_duo_states_team_actions_need_an_active_duo(state, code):
    duo = DuoFactory(state=state)
    before = in_db(duo)

    for action in (
        lambda: duo.pause(now=NOW),
        lambda: duo.extend(1, most=schedule.MAX_EXTRA_MONTHS),
        lambda: duo.end_early(by=None, reason="x", now=NOW),
    ):
        assert refused(action).code == code
    assert in_db(duo) == before


def test_duo_states_pause_of_a_stale_copy_is_refused_and_keeps_the_first_pause():
    duo = DuoFactory()
    first, stale = Duo.objects.get(pk=duo.pk), Duo.objects.get(pk=duo.pk)
    first.pause(now=NOW)

    error = refused(lambda: stale.pause(now=NOW + timedelta(hours=1)))

    assert error.code == "already_paused"
    assert in_db(duo)["paused_at"] == NOW


def test_duo_states_resume_counts_one_pause_once():
    duo = DuoFactory(paused_at=NOW - timedelta(days=3))
    first, stale = Duo.objects.get(pk=duo.pk), Duo.objects.get(pk=duo.pk)
    first.resume(days=3)

    assert refused(lambda: stale.resume(days=3)).code == "not_paused"
    assert refused(lambda: first.resume(days=3)).code == "not_paused"
    assert (in_db(duo)["shift_days"], in_db(duo)["paused_at"]) == (3, None)


def test_duo_states_extension_refusals_have_their_codes():
    duo = DuoFactory()

    assert refused(lambda: duo.extend(4, most=3)).code == "extension_months"
    duo.extend(2, most=3)
    with translation.override("en"):
        error = refused(lambda: duo.extend(2, most=3))
    assert (error.code, error.message) == (
        "extension_room",
        "This duo can be extended by 1 more month only.",
    )
    duo.extend(1, most=3)
    assert refused(lambda: duo.extend(1, most=3)).code == "extension_used"
    assert in_db(duo)["extra_months"] == 3


def test_duo_states_end_early_twice_is_refused():
    duo = DuoFactory()
    stale = Duo.objects.get(pk=duo.pk)
    duo.end_early(by=None, reason="first", now=NOW)

    assert refused(lambda: stale.end_early(by=None, reason="second", now=NOW)).code == "ended"
    assert in_db(duo)["end_reason"] == "first"


def test_duo_states_suspension_and_its_lifting_are_refused_when_moot():
    duo, ended = DuoFactory(), DuoFactory(state=DuoState.ENDED)

    assert refused(lambda: duo.unsuspend()).code == "not_suspended"
    assert refused(lambda: ended.suspend(now=NOW)).code == "not_suspendable"
    duo.suspend(now=NOW)
    assert refused(lambda: Duo.objects.get(pk=duo.pk).suspend(now=NOW)).code == "not_suspendable"
    duo.unsuspend()
    assert in_db(duo)["suspended_at"] is None


def test_duo_states_refusal_messages_follow_the_language():
    for code in REFUSALS:
        with translation.override("en"):
            english = LifecycleError(code).message
        with translation.override("fr"):
            french = LifecycleError(code).message
        assert english and french and english != french, code
    with translation.override("en"):
        assert LifecycleError("ended").message == "This duo has already ended: nothing was changed."


# Running and held ------------------------------------------------------------------------------


def test_duo_states_running_and_held_agree_with_the_instances():
    running = DuoFactory()
    paused = DuoFactory(paused_at=NOW)
    suspended = DuoFactory(suspended_at=NOW)
    DuoFactory(state=DuoState.ENDED)
    DuoFactory(waiting=True)

    assert list(Duo.objects.running()) == [running]
    assert set(Duo.objects.held()) == {paused, suspended}
    for duo in Duo.objects.all():
        assert duo.is_running == (duo == running)
        assert duo.is_held == (duo in (paused, suspended))


def test_duo_states_expire_and_complete_take_only_their_starting_state():
    late = DuoFactory(waiting=True, expires_at=NOW - timedelta(days=1))
    on_time = DuoFactory(waiting=True, expires_at=NOW + timedelta(days=1))
    running, paused = DuoFactory(), DuoFactory(paused_at=NOW)

    assert Duo.objects.filter(pk__in=[late.pk, on_time.pk]).expire(now=NOW) == 1
    assert Duo.objects.filter(pk__in=[running.pk, paused.pk]).complete(now=NOW) == 1

    states = dict(Duo.objects.values_list("pk", "state"))
    assert states == {
        late.pk: DuoState.EXPIRED,
        on_time.pk: DuoState.WAITING,
        running.pk: DuoState.COMPLETED,
        paused.pk: DuoState.ACTIVE,
    }


# Who may be paired again: the Exclusion rows only -------------------------------------------


def test_duo_states_an_expired_pair_is_proposed_again(staff):
    sponsor, refugee = SponsorFactory(), RefugeeFactory()
    duo_propose(sponsor=sponsor, refugee=refugee, by=staff)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert duos_expire_unanswered() == 1
        run = run_start(by=staff, weights=engine.Weights())
        run_execute(run.pk)

    assert not Exclusion.objects.exists()
    assert list(Proposal.objects.filter(run=run).values_list("sponsor", "refugee")) == [
        (sponsor.pk, refugee.pk)
    ]


def test_duo_states_a_completed_duo_excludes_its_pair():
    duo = DuoFactory(started_at=NOW - timedelta(days=200))

    reminders_create_due(now=NOW)

    assert Duo.objects.get(pk=duo.pk).state == DuoState.COMPLETED
    assert Exclusion.objects.filter(
        sponsor=duo.sponsor, refugee=duo.refugee, reason=ExclusionReason.FORMER_DUO
    ).exists()
    assert excluded_pairs([duo.sponsor_id], [duo.refugee_id]) == {
        (str(duo.sponsor_id), str(duo.refugee_id))
    }
    people = duo.sponsor, duo.refugee
    assert {type(p).objects.get(pk=p.pk).state for p in people} == {CandidateState.DUO_ENDED}


def test_duo_states_the_migration_excludes_every_former_duo_but_an_expired_one():
    migration = importlib.import_module("matching.migrations.0003_exclusions_of_former_duos")
    former = {
        state: DuoFactory(state=state)
        for state in (DuoState.DECLINED, DuoState.ENDED, DuoState.COMPLETED)
    }
    expired = DuoFactory(waiting=True, state=DuoState.EXPIRED)
    Exclusion.objects.create(
        sponsor=former[DuoState.ENDED].sponsor,
        refugee=former[DuoState.ENDED].refugee,
        reason=ExclusionReason.FORMER_DUO,
    )

    migration.exclude_former_duos(apps, None)
    migration.exclude_former_duos(apps, None)  # twice: nothing more

    reasons = dict(Exclusion.objects.values_list("sponsor", "reason"))
    assert reasons == {
        former[DuoState.DECLINED].sponsor_id: ExclusionReason.DECLINED,
        former[DuoState.ENDED].sponsor_id: ExclusionReason.FORMER_DUO,
        former[DuoState.COMPLETED].sponsor_id: ExclusionReason.FORMER_DUO,
    }
    assert expired.sponsor_id not in reasons
