"""Group activity emails: promotion from the waiting list, cancellation, the list in reminders."""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person
from duos.activities.links import activity_register_url
from duos.activities.services import OPEN_STATES
from duos.lib.emails import absolute_url, send_templated_email
from duos.models import (
    GroupActivity,
    Registration,
    RegistrationState,
)

# The monthly reminder lists this many activities, starting within this many days.
EMAIL_LIMIT = 3


EMAIL_WITHIN = timedelta(days=60)


# The batch whose activities are in `_email_cache`: one query per batch of monthly reminders.
_email_cache: dict = {"batch": None, "activities": []}


def email_activities(person: Person, *, batch=None, now: datetime | None = None) -> list[dict]:
    """The next activities with a registration link for `person`, for a monthly reminder.

    Calls with the same `batch` key (a reminder batch's claim token) share one query.
    """
    if batch is None or _email_cache["batch"] != batch:
        now = now or timezone.now()
        activities = list(
            GroupActivity.objects.filter(
                cancelled_at=None, starts_at__gt=now, starts_at__lte=now + EMAIL_WITHIN
            ).order_by("starts_at", "pk")[:EMAIL_LIMIT]
        )
        if batch is None:
            return _with_links(activities, person)
        _email_cache.update(batch=batch, activities=activities)
    return _with_links(_email_cache["activities"], person)


def _with_links(activities: list[GroupActivity], person: Person) -> list[dict]:
    return [{"activity": a, "register_url": activity_register_url(a, person)} for a in activities]


def _email_context(registration: Registration) -> dict:
    person = registration.person
    return {
        "activity": registration.activity,
        "person": person,
        "for_someone_else": person.user_id is None,
        "page_url": absolute_url(reverse("duos:activity", args=[registration.activity_id])),
    }


# The emails about one registration; each goes only while what it says still holds.
EMAIL_TEMPLATES = ("activity_promoted", "activity_cancelled", "activity_reminder")


def registration_send_email(*, registration_id: int, template: str) -> bool:
    """Send one registration's email if it still applies; True if sent."""
    if template not in EMAIL_TEMPLATES:
        raise ValueError(template)
    registration = (
        Registration.objects.select_related("activity", "person__user", "person__referrer")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return False
    activity, person = registration.activity, registration.person
    if template == "activity_promoted":
        moot = (
            registration.state != RegistrationState.REGISTERED
            or activity.cancelled_at is not None
            or activity.starts_at <= timezone.now()
        )
    else:
        moot = activity.cancelled_at is None or registration.state not in OPEN_STATES
    if moot or person.anonymised_at is not None or person.contact_user is None:
        return False
    send_templated_email(
        to=person.contact_user,
        template=template,
        context=_email_context(registration),
        headers={"Reply-To": settings.PROGRAMME_EMAIL},
    )
    return True
