"""What the team does to a running duo: pause, resume (the calendar shifts), extend, end early
(the other person told kindly, the refugee back to the pool with a bonus), and the refusals."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone, translation
from kombu import pools

from accounts.models import CandidateState
from duos.celery import app
from duos.followup.reminders import duos_send_reminders
from duos.lifecycle import schedule
from duos.lifecycle.services import DECLINE_WAITING_BONUS
from duos.lifecycle.team_actions import (
    LifecycleError,
    duo_end_early,
    duo_extend,
    duo_pause,
    duo_resume,
)
from duos.models import DuoState, Reminder
from matching.models import Exclusion, ExclusionReason
from tests.duos.test_reminders import REMINDER_DAY, START
from tests.factories import DuoFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def end(django_capture_on_commit_callbacks):
    """duo_end_early, then what it sends after commit (the tests' transaction never commits)."""

    def end(duo, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return duo_end_early(duo, **kwargs)

    return end


@pytest.fixture
def at_reminder_day():
    with time_machine.travel(REMINDER_DAY, tick=False) as traveller:
        yield traveller


# Pause and resume ----------------------------------------------------------------------------


def test_lifecycle_pause_then_resume_shifts_the_calendar_by_the_days_paused(staff, at_reminder_day):
    duo = DuoFactory(started_at=START)

    duo_pause(duo, by=staff)
    assert duo.paused_at == timezone.now()
    at_reminder_day.shift(timedelta(days=30, hours=2))  # 30 days and 2 hours: 31 days
    duo_resume(duo, by=staff)

    duo.refresh_from_db()
    assert duo.paused_at is None
    assert duo.shift_days == 31
    # Day 1 moves 31 days later; the months follow it, whole calendar months each.
    shifted_start = schedule.start_date(duo.started_at) + timedelta(days=31)
    assert schedule.month_window(duo, 1).starts_on == shifted_start
    assert schedule.month_window(duo, 2) == schedule.window(shifted_start, 2)
    assert duo.state == DuoState.ACTIVE


def test_lifecycle_pauses_add_up(staff, at_reminder_day):
    duo = DuoFactory(started_at=START)

    for days in (3, 5):
        duo_pause(duo, by=staff)
        at_reminder_day.shift(timedelta(days=days))
        duo_resume(duo, by=staff)

    assert duo.shift_days == 8


def test_lifecycle_no_reminder_while_paused_then_the_shifted_calendar(staff):
    duo = DuoFactory(started_at=START)
    month_2 = schedule.month_window(duo, 2)
    with time_machine.travel(REMINDER_DAY, tick=False) as traveller:
        assert duos_send_reminders() == 2  # month 1's
        traveller.move_to(month_2.reminder_at() - timedelta(days=5))
        duo_pause(duo, by=staff)
        traveller.shift(timedelta(days=40))  # past month 2's unshifted day 21
        assert duos_send_reminders() == 0
        assert not Reminder.objects.filter(month=2).exists()

        duo_resume(duo, by=staff)
        assert duo.shift_days == 40
        # Month 2's day 21 moved with the start, 40 days later: 5 days ahead again.
        shifted = schedule.month_window(duo, 2)
        start = schedule.start_date(duo.started_at)
        assert shifted == schedule.window(start + timedelta(days=40), 2)
        assert (shifted.reminder_on - timezone.localdate()).days in (4, 5, 6)
        assert duos_send_reminders() == 0
        traveller.move_to(shifted.reminder_at())
        assert duos_send_reminders() == 2
    assert Reminder.objects.filter(month=2, sent_at__isnull=False).count() == 2


def test_lifecycle_pause_refusals_say_why(staff, english):
    duo = DuoFactory(started_at=START)
    duo_pause(duo, by=staff)

    with pytest.raises(LifecycleError, match="already paused"):
        duo_pause(duo, by=staff)

    active = DuoFactory(started_at=START)
    with pytest.raises(LifecycleError, match="not paused"):
        duo_resume(active, by=staff)

    ended = DuoFactory(started_at=START, state=DuoState.ENDED)
    with pytest.raises(LifecycleError, match="already ended"):
        duo_pause(ended, by=staff)
    completed = DuoFactory(started_at=START, state=DuoState.COMPLETED)
    with pytest.raises(LifecycleError, match="completed"):
        duo_resume(completed, by=staff)


def test_lifecycle_a_stale_copy_cannot_pause_twice(staff, english):
    # Two staff members on the same page: the second click finds the duo paused.
    duo = DuoFactory(started_at=START)
    first, second = type(duo).objects.get(pk=duo.pk), type(duo).objects.get(pk=duo.pk)

    duo_pause(first, by=staff)
    with pytest.raises(LifecycleError, match="already paused"):
        duo_pause(second, by=StaffFactory())

    assert type(duo).objects.get(pk=duo.pk).paused_at == first.paused_at


# Extensions ----------------------------------------------------------------------------------


def test_lifecycle_extend_adds_months_up_to_three(staff, english):
    duo = DuoFactory(started_at=START)

    duo_extend(duo, months=2, by=staff)
    assert duo.extra_months == 2
    assert schedule.duo_months(duo) == 8

    with pytest.raises(LifecycleError, match="1 more month only"):
        duo_extend(duo, months=2, by=staff)
    duo_extend(duo, months=1, by=staff)
    with pytest.raises(LifecycleError, match="already extended by three months"):
        duo_extend(duo, months=1, by=staff)
    duo.refresh_from_db()
    assert duo.extra_months == 3


@pytest.mark.parametrize("months", [0, 4, -1, True, "2", 1.5])
def test_lifecycle_extend_refuses_other_amounts(staff, english, months):
    duo = DuoFactory(started_at=START)

    with pytest.raises(LifecycleError, match="one, two or three months"):
        duo_extend(duo, months=months, by=staff)

    duo.refresh_from_db()
    assert duo.extra_months == 0


def test_lifecycle_extend_refuses_an_ended_duo(staff, english):
    with pytest.raises(LifecycleError, match="already ended"):
        duo_extend(DuoFactory(started_at=START, state=DuoState.ENDED), months=1, by=staff)


def test_lifecycle_an_extended_duo_gets_months_7_to_9_then_closes(staff):
    duo = DuoFactory(started_at=START)
    duo_extend(duo, months=3, by=staff)
    start = schedule.start_date(duo.started_at)
    with time_machine.travel(START, tick=False) as traveller:
        for _day in range(330):
            traveller.shift(timedelta(days=1))
            duos_send_reminders()

    rows = sorted(Reminder.objects.filter(side="sponsor").values_list("month", "kind"))
    assert rows == [(m, "monthly") for m in range(1, 10)] + [(10, "closing")]
    closing = Reminder.objects.get(side="sponsor", kind="closing")
    assert timezone.localdate(closing.sent_at) == schedule.closing_on(start, 9)


# Ending early --------------------------------------------------------------------------------


def test_lifecycle_end_early_by_one_side_tells_the_other_kindly(end, staff, at_reminder_day):
    duo = DuoFactory(started_at=START)
    duo.sponsor.user.language = "en"
    duo.sponsor.user.save()
    mail.outbox.clear()

    end(
        duo,
        by=staff,
        reason="Moved to Lyon.",
        ended_by_side="refugee",
        refugee_back_to_pool=False,
    )

    duo.refresh_from_db()
    assert duo.state == DuoState.ENDED
    assert duo.ended_at == timezone.now()
    assert duo.end_reason == "Moved to Lyon."
    assert duo.ended_by == staff
    assert [m.to for m in mail.outbox] == [[duo.sponsor.user.email]]
    message = mail.outbox[0]
    assert f"your duo with {duo.refugee.first_name} ends here" in message.body
    assert "says nothing about you" in message.body
    # The reason and who asked stay with the team.
    assert "Lyon" not in message.body and "Lyon" not in message.alternatives[0][0]
    # The refugee asked: the sponsor is still willing and goes back to the pool.
    assert "You stay on our list" in message.body
    duo.sponsor.refresh_from_db()
    duo.refugee.refresh_from_db()
    assert duo.sponsor.state == CandidateState.VALIDATED
    assert duo.refugee.state == CandidateState.DUO_ENDED
    assert Exclusion.objects.filter(
        sponsor=duo.sponsor, refugee=duo.refugee, reason=ExclusionReason.FORMER_DUO
    ).exists()


def test_lifecycle_end_early_by_the_team_tells_both(end, staff, at_reminder_day):
    duo = DuoFactory(started_at=START)

    end(duo, by=staff, reason="Report.", ended_by_side=None, refugee_back_to_pool=False)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [duo.sponsor.user.email, duo.refugee.user.email]
    )
    duo.sponsor.refresh_from_db()
    assert duo.sponsor.state == CandidateState.DUO_ENDED


def test_lifecycle_end_early_refugee_back_to_the_pool_with_a_bonus(end, staff, at_reminder_day):
    duo = DuoFactory(started_at=START)
    waited = duo.refugee.waiting_since
    duo.refugee.user.language = "en"
    duo.refugee.user.save()

    end(
        duo,
        by=staff,
        reason="The sponsor is too busy.",
        ended_by_side="sponsor",
        refugee_back_to_pool=True,
    )

    duo.refugee.refresh_from_db()
    duo.sponsor.refresh_from_db()
    assert duo.refugee.state == CandidateState.VALIDATED
    assert duo.refugee.waiting_since == waited - DECLINE_WAITING_BONUS
    # The sponsor asked to stop: out of the pool until the team decides.
    assert duo.sponsor.state == CandidateState.DUO_ENDED
    assert [m.to for m in mail.outbox] == [[duo.refugee.user.email]]
    assert "You stay on our list" in mail.outbox[0].body


def test_lifecycle_end_early_of_a_referred_refugee_tells_their_social_worker(
    end, staff, at_reminder_day, referred_refugee
):
    worker = referred_refugee.referrer
    worker.language = "en"
    worker.save()
    duo = DuoFactory(started_at=START, refugee=referred_refugee)

    end(duo, by=staff, reason="x", ended_by_side="sponsor", refugee_back_to_pool=True)

    assert [m.to for m in mail.outbox] == [[worker.email]]
    name = referred_refugee.first_name
    assert f"the duo of {name} with {duo.sponsor.first_name} ends here" in mail.outbox[0].body
    assert f"{name} stays on our list" in mail.outbox[0].body


def test_lifecycle_end_early_stops_the_reminders(staff, at_reminder_day, settings):
    duo = DuoFactory(started_at=START)
    duo_end_early(duo, by=staff, reason="x", ended_by_side=None, refugee_back_to_pool=False)
    mail.outbox.clear()

    assert duos_send_reminders() == 0
    assert not Reminder.objects.exists()


def test_lifecycle_end_early_twice_is_refused_and_sends_nothing_more(
    end, staff, english, at_reminder_day
):
    duo = DuoFactory(started_at=START)
    stale = type(duo).objects.get(pk=duo.pk)
    end(duo, by=staff, reason="x", ended_by_side=None, refugee_back_to_pool=True)
    mail.outbox.clear()
    waited = type(duo.refugee).objects.get(pk=duo.refugee_id).waiting_since

    with pytest.raises(LifecycleError, match="already ended"):
        end(stale, by=StaffFactory(), reason="y", ended_by_side=None, refugee_back_to_pool=True)

    assert not mail.outbox
    duo.refresh_from_db()
    assert duo.end_reason == "x"
    # The bonus is given once.
    assert type(duo.refugee).objects.get(pk=duo.refugee_id).waiting_since == waited


@pytest.mark.parametrize(
    ("reason", "side", "message"),
    [("  ", None, "say why the duo ends"), ("x", "staff", "who asked to end the duo")],
)
def test_lifecycle_end_early_refuses_bad_input(end, staff, english, reason, side, message):
    duo = DuoFactory(started_at=START)

    with pytest.raises(LifecycleError, match=message):
        end(duo, by=staff, reason=reason, ended_by_side=side, refugee_back_to_pool=False)

    duo.refresh_from_db()
    assert duo.state == DuoState.ACTIVE
    assert not mail.outbox


def test_lifecycle_end_early_refuses_a_completed_duo(staff, english):
    with pytest.raises(LifecycleError, match="completed"):
        duo_end_early(
            DuoFactory(started_at=START, state=DuoState.COMPLETED),
            by=staff,
            reason="x",
            ended_by_side=None,
            refugee_back_to_pool=False,
        )


# Two staff members at once (PostgreSQL: each thread its own connection and transaction) -------


def _at_once(*actions) -> list:
    """Run the actions in threads released together; their results or exceptions, in order."""
    barrier = threading.Barrier(len(actions), timeout=10)
    outcomes: list = [None] * len(actions)

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = actions[i]()
        except Exception as error:  # noqa: BLE001 - the assertions read it
            outcomes[i] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def fresh_celery_pools(monkeypatch):
    # Emails go through eager tasks, which still take a producer from the app's pool: a
    # real-worker test may have closed it, so start afresh (as tests/duos/test_concurrent_*).
    pools.reset()
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


@pytest.mark.django_db(transaction=True)
def test_lifecycle_two_staff_ending_a_duo_at_once_end_it_once(postgres_only, fresh_celery_pools):
    duo = DuoFactory(started_at=START)
    waited = duo.refugee.waiting_since
    staff = [StaffFactory(), StaffFactory()]

    def end(i: int):
        return lambda: duo_end_early(
            type(duo).objects.get(pk=duo.pk),
            by=staff[i],
            reason=f"reason {i}",
            ended_by_side=None,
            refugee_back_to_pool=True,
        )

    outcomes = _at_once(end(0), end(1))

    assert sorted(type(o).__name__ for o in outcomes) == ["Duo", "LifecycleError"]
    duo.refresh_from_db()
    assert duo.state == DuoState.ENDED
    winner = next(i for i, o in enumerate(outcomes) if not isinstance(o, Exception))
    assert (duo.ended_by, duo.end_reason) == (staff[winner], f"reason {winner}")
    duo.refugee.refresh_from_db()
    assert duo.refugee.waiting_since == waited - DECLINE_WAITING_BONUS
    # One email per person, not two.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [duo.sponsor.user.email, duo.refugee.user.email]
    )


@pytest.mark.django_db(transaction=True)
def test_lifecycle_two_staff_resuming_at_once_shift_the_calendar_once(postgres_only):
    duo = DuoFactory(started_at=START)
    staff = [StaffFactory(), StaffFactory()]

    def resume(i: int):
        return lambda: duo_resume(type(duo).objects.get(pk=duo.pk), by=staff[i])

    with time_machine.travel(REMINDER_DAY, tick=False):
        type(duo).objects.filter(pk=duo.pk).update(paused_at=REMINDER_DAY - timedelta(days=10))
        outcomes = _at_once(resume(0), resume(1))

    assert sorted(type(o).__name__ for o in outcomes) == ["Duo", "LifecycleError"]
    duo.refresh_from_db()
    assert (duo.shift_days, duo.paused_at) == (10, None)


@pytest.mark.django_db(transaction=True)
def test_lifecycle_two_staff_extending_at_once_never_pass_three_months(postgres_only):
    duo = DuoFactory(started_at=START)
    staff = [StaffFactory(), StaffFactory()]

    def extend(i: int):
        return lambda: duo_extend(type(duo).objects.get(pk=duo.pk), months=2, by=staff[i])

    outcomes = _at_once(extend(0), extend(1))

    assert sorted(type(o).__name__ for o in outcomes) == ["Duo", "LifecycleError"]
    duo.refresh_from_db()
    assert duo.extra_months == 2
