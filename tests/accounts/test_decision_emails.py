import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse

from accounts.models import CandidateState
from accounts.services import send_decision_email
from accounts.tasks import send_decision_email as send_decision_email_task
from tests.factories import ReferredRefugeeFactory, RefugeeFactory, UserFactory
from tests.mail import FAILING_BACKEND

pytestmark = pytest.mark.django_db


def test_validation_email_tells_the_person_in_their_language(
    client, staff, django_capture_on_commit_callbacks
):
    person = RefugeeFactory(
        state=CandidateState.AWAITING_VALIDATION, user=UserFactory(language="en")
    )
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:staff_validate", args=[person.pk]))

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.user.email]
    assert mail.outbox[0].subject == "Your application to Duos de demain is validated"
    assert "/mon-espace/" in mail.outbox[0].body


def test_validation_email_of_a_referred_refugee_goes_to_the_social_worker():
    person = ReferredRefugeeFactory()

    assert send_decision_email(person_id=person.pk, decision="validated")

    assert mail.outbox[0].to == [person.referrer.email]
    assert f"/referent/personnes/{person.pk}/" in mail.outbox[0].body
    assert "validée" in mail.outbox[0].subject


def test_decision_email_is_not_sent_once_moot(refugee):
    refugee.pause()

    assert send_decision_email(person_id=refugee.pk, decision="validated") is False
    assert mail.outbox == []


def test_decision_email_task_retries_while_the_mail_server_is_down(refugee, settings):
    settings.EMAIL_BACKEND = FAILING_BACKEND

    with pytest.raises(Retry):
        send_decision_email_task.delay(refugee.pk, "validated")
