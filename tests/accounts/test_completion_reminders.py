from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import Person, Role
from accounts.services import send_completion_reminders
from tests.factories import SocialWorkerFactory, UserFactory

pytestmark = pytest.mark.django_db


def unfinished(days_ago: int, **fields) -> Person:
    with time_machine.travel(timezone.now() - timedelta(days=days_ago)):
        fields.setdefault("user", UserFactory())
        return Person.objects.create(role=Role.SPONSOR, profile_step="home", **fields)


def test_reminders_go_after_3_and_10_days_at_most_once_each():
    fresh, three, ten = unfinished(1), unfinished(4), unfinished(11)

    assert send_completion_reminders() == 2
    assert send_completion_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([three.user.email, ten.user.email])
    fresh.refresh_from_db()
    assert fresh.completion_reminders_sent == 0

    with time_machine.travel(timezone.now() + timedelta(days=7)):
        assert send_completion_reminders() == 2  # fresh's first, three's second
        assert send_completion_reminders() == 0

    three.refresh_from_db()
    assert three.completion_reminders_sent == 2
    assert [m.to[0] for m in mail.outbox].count(ten.user.email) == 1


def test_reminder_links_back_to_the_step_after_the_last_saved():
    unfinished(4)

    send_completion_reminders()

    assert "/profil/languages/" in mail.outbox[0].body
    assert "/profil/languages/" in mail.outbox[0].alternatives[0][0]


def test_reminder_is_in_the_persons_language():
    unfinished(4, user=UserFactory(language="en"))

    send_completion_reminders()

    assert "Your Duos de demain profile is waiting for you" in mail.outbox[0].subject


def test_no_reminder_without_a_verified_email_or_once_complete(sponsor):
    unfinished(4, user=UserFactory(verified=False))
    with time_machine.travel(timezone.now() - timedelta(days=5)):
        sponsor.save()

    assert send_completion_reminders() == 0
    assert mail.outbox == []


def test_reminder_for_a_referred_refugee_goes_to_the_social_worker():
    worker = SocialWorkerFactory()
    unfinished(4, user=None, referrer=worker.user)

    send_completion_reminders()

    assert mail.outbox[0].to == [worker.user.email]
    assert "/referent/personnes/" in mail.outbox[0].body
