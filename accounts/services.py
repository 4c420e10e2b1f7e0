"""Work on candidates that spans several rows or sends email."""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts import steps
from accounts.models import CandidateState, Person
from duos.lib.emails import absolute_url, send_templated_email

# A kind reminder 3 days, then 10 days, after sign-up, at most once each.
COMPLETION_REMINDERS = (timedelta(days=3), timedelta(days=10))
BATCH_SIZE = 200


def record_activity(sender, request, user, **kwargs) -> None:
    """Signal receiver: the person of a user who logs in is active (referred ones too)."""
    Person.objects.filter(Q(user=user) | Q(referrer=user, user=None)).update(
        last_activity_at=timezone.now()
    )


def send_completion_reminders(*, now: datetime | None = None) -> int:
    """Remind people who verified their email but left the profile unfinished."""
    now = now or timezone.now()
    sent = 0
    # Latest reminder first: someone found late gets the 10-day one, not both back to back.
    for number in range(len(COMPLETION_REMINDERS), 0, -1):
        signed_up_before = now - COMPLETION_REMINDERS[number - 1]
        while people := _claim_reminders(number, signed_up_before):
            for person in people:
                _send_completion_reminder(person)
            sent += len(people)
    return sent


def _claim_reminders(number: int, signed_up_before: datetime) -> list[Person]:
    """Mark a batch as reminded before sending: a crash loses a reminder, never doubles one."""
    verified_email = EmailAddress.objects.filter(user=OuterRef("user"), verified=True)
    due = Person.objects.filter(
        state=CandidateState.TO_COMPLETE,
        completion_reminders_sent__lt=number,
        created_at__lte=signed_up_before,
        anonymised_at=None,
    ).filter(
        Q(Exists(verified_email), user__is_active=True) | Q(user=None, referrer__is_active=True)
    )
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        Person.objects.filter(pk__in=ids).update(completion_reminders_sent=number)
    return list(Person.objects.filter(pk__in=ids).select_related("user", "referrer"))


def _send_completion_reminder(person: Person) -> None:
    step = steps.resume_step(person)
    send_templated_email(
        to=person.contact_user,
        template="complete_profile",
        context={
            "person": person,
            "referred": person.user_id is None,
            "link": absolute_url(steps.step_url(person, step.slug)),
        },
    )


def candidate_validate(*, person: Person) -> None:
    """The team validates the candidate, who is told by email after commit.

    CandidateStateError (nothing changed) when they no longer wait for validation: a
    colleague, or a double click, decided first.
    """
    from accounts.tasks import send_decision_email

    with transaction.atomic():
        person.validate()
        send_decision_email.delay_on_commit(person.pk, "validated")


def candidate_refuse(*, person: Person, reason: str) -> None:
    """The team refuses the candidate; whoever receives their emails is told after commit.

    CandidateStateError (nothing changed) as for `candidate_validate`.
    """
    from accounts.tasks import send_decision_email

    with transaction.atomic():
        person.refuse(reason)
        if person.contact_user is not None:
            send_decision_email.delay_on_commit(person.pk, "refusal")


# Emails about a team decision, by the state the person must still be in for it to go.
DECISION_EMAILS = {
    "validated": CandidateState.VALIDATED,
    "refusal": CandidateState.WITHDRAWN,
}


def send_decision_email(*, person_id: int, decision: str) -> bool:
    """Tell the person (or their social worker) of the team's decision; False if moot now."""
    person = (
        Person.objects.select_related("user", "referrer")
        .filter(pk=person_id, state=DECISION_EMAILS[decision], anonymised_at=None)
        .first()
    )
    if person is None or person.contact_user is None:
        return False
    link_name = "accounts:dashboard" if person.user_id else "accounts:referral_detail"
    link_args = [] if person.user_id else [person.pk]
    send_templated_email(
        to=person.contact_user,
        template=decision,
        context={
            "person": person,
            "for_someone_else": person.user_id is None,
            "reason": person.refusal_reason,
            "link": absolute_url(reverse(link_name, args=link_args)),
        },
        headers={"Reply-To": settings.PROGRAMME_EMAIL},
    )
    return True
