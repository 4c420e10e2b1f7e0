"""Group activities: registration with a waiting list, cancellation, attendance, reminders.

Places are given first come, first served. Two registrations arriving at once for the last
place must not both get it: each registration locks the activity's row (select_for_update)
before counting the places taken, and a unique constraint keeps one row per person and
activity. A place freed by a cancellation goes to the first person of the waiting list, who
is told by email.

Attendance, recorded by staff after the activity, counts as the month's meeting: it writes
that person's check-in for the month of their duo that contains the activity's date.

The reminder the day before is claimed and sent once, like the monthly ones
(duos/followup/reminders.py): a conditional update on `reminder_claimed_at` claims a batch,
`reminder_sent_at` marks what was sent, and a claim left by a dead worker goes stale and is
taken over by a later sweep.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, User
from duos.lifecycle import schedule
from duos.models import (
    Activity,
    CheckIn,
    Duo,
    DuoState,
    GroupActivity,
    Registration,
    RegistrationState,
    Side,
)

logger = logging.getLogger(__name__)


OPEN_STATES = (RegistrationState.REGISTERED, RegistrationState.WAITING)


class RegistrationRefused(Exception):
    """A registration or cancellation that cannot be done; `message` says why, translated."""

    MESSAGES = {
        "not_in_duo": _("Group activities are open to the people of an active duo."),
        "cancelled": _("This activity has been cancelled."),
        "started": _("This activity has already started: registrations are closed."),
        "not_registered": _("There is no registration to cancel."),
        "not_started": _("Attendance is recorded once the activity has started."),
    }

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = self.MESSAGES[code]


def active_duos_by_person(people: list[Person]) -> dict[int, Duo]:
    """The active duo of each of these people who is in one, in one query."""
    ids = [person.pk for person in people]
    if not ids:
        return {}
    found = {}
    for duo in Duo.objects.filter(
        Q(sponsor_id__in=ids) | Q(refugee_id__in=ids), state=DuoState.ACTIVE
    ):
        for person_id in (duo.sponsor_id, duo.refugee_id):
            if person_id in ids:
                found[person_id] = duo
    return found


def _places_taken() -> Coalesce:
    taken = (
        Registration.objects.filter(activity=OuterRef("pk"), state=RegistrationState.REGISTERED)
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(taken), Value(0))


def with_counts(activities: QuerySet[GroupActivity]) -> QuerySet[GroupActivity]:
    """Annotate `places_taken` and `waiting_count`, without a query per activity."""
    return activities.annotate(
        places_taken=_places_taken(),
        waiting_count=Count(
            "registrations", filter=Q(registrations__state=RegistrationState.WAITING)
        ),
    )


def _check_open(activity: GroupActivity, now: datetime) -> None:
    if activity.cancelled_at is not None:
        raise RegistrationRefused("cancelled")
    if activity.starts_at <= now:
        raise RegistrationRefused("started")


def registration_register(
    *, activity: GroupActivity, person: Person, now: datetime | None = None
) -> Registration:
    """A place if one is left, else the end of the waiting list; the same again changes nothing.

    Raises RegistrationRefused when the person is not in an active duo or the activity is
    cancelled or started.
    """
    now = now or timezone.now()
    if person.anonymised_at is not None or person.pk not in active_duos_by_person([person]):
        raise RegistrationRefused("not_in_duo")
    with transaction.atomic():
        # The lock orders concurrent registrations: each counts the places after the last one.
        locked = GroupActivity.objects.select_for_update().get(pk=activity.pk)
        _check_open(locked, now)
        existing = Registration.objects.filter(activity=locked, person=person).first()
        if existing is not None and existing.state in OPEN_STATES:
            return existing
        taken = Registration.objects.filter(
            activity=locked, state=RegistrationState.REGISTERED
        ).count()
        state = (
            RegistrationState.REGISTERED if taken < locked.capacity else RegistrationState.WAITING
        )
        if existing is None:
            try:
                with transaction.atomic():
                    return Registration.objects.create(activity=locked, person=person, state=state)
            except IntegrityError:
                # Only reachable without the lock (SQLite serialises writes anyway).
                return Registration.objects.get(activity=locked, person=person)
        # Registering again after a cancellation: at the back of the queue, like anyone new.
        Registration.objects.filter(pk=existing.pk).update(
            state=state, created_at=now, changed_at=now, attended=None
        )
        existing.refresh_from_db()
        return existing


def registration_cancel(
    *, activity: GroupActivity, person: Person, now: datetime | None = None
) -> Registration | None:
    """Cancel a place or a place in the queue; a freed place goes to the first one waiting.

    Returns the promoted registration, if any (they are emailed after commit).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = GroupActivity.objects.select_for_update().get(pk=activity.pk)
        _check_open(locked, now)
        registration = (
            Registration.objects.select_for_update()
            .filter(activity=locked, person=person, state__in=OPEN_STATES)
            .first()
        )
        if registration is None:
            raise RegistrationRefused("not_registered")
        was = registration.state
        registration.state = RegistrationState.CANCELLED
        registration.save(update_fields=["state", "changed_at"])
        if was != RegistrationState.REGISTERED:
            return None
        promoted = _fill_places(locked)
    return promoted[0] if promoted else None


def _fill_places(activity: GroupActivity) -> list[Registration]:
    """Give the free places to the first ones waiting; the activity's row must be locked."""
    taken = Registration.objects.filter(
        activity=activity, state=RegistrationState.REGISTERED
    ).count()
    free = activity.capacity - taken
    if free <= 0:
        return []
    first = list(
        Registration.objects.filter(activity=activity, state=RegistrationState.WAITING).order_by(
            "created_at", "pk"
        )[:free]
    )
    if not first:
        return []
    Registration.objects.filter(pk__in=[r.pk for r in first]).update(
        state=RegistrationState.REGISTERED, changed_at=timezone.now()
    )
    from duos.activities.tasks import send_activity_email

    for registration in first:
        registration.state = RegistrationState.REGISTERED
        send_activity_email.delay_on_commit(registration.pk, "activity_promoted")
    return first


def activity_save(*, activity: GroupActivity, by: User) -> list[Registration]:
    """Create or update an activity; more places go to those waiting (who are told).

    A new start time means a new reminder the day before.
    """
    with transaction.atomic():
        if activity.pk is None:
            activity.created_by = by
            activity.save()
            return []
        locked = GroupActivity.objects.select_for_update().get(pk=activity.pk)
        moved = any(
            getattr(locked, name) != getattr(activity, name)
            for name in GroupActivity.CALENDAR_FIELDS
        )
        # Counted from the locked row: two edits at once make two revisions.
        activity.sequence = locked.sequence + 1 if moved else locked.sequence
        activity.save()
        if locked.starts_at != activity.starts_at:
            activity.registrations.update(reminder_claimed_at=None, reminder_sent_at=None)
        if activity.cancelled_at is not None:
            return []
        return _fill_places(activity)


def activity_cancel(*, activity: GroupActivity, by: User, now: datetime | None = None) -> bool:
    """Cancel an activity and tell everyone registered or waiting; False if it already was."""
    now = now or timezone.now()
    with transaction.atomic():
        # A new revision of the calendar event, which now says CANCELLED.
        cancelled = GroupActivity.objects.filter(pk=activity.pk, cancelled_at=None).update(
            cancelled_at=now, sequence=F("sequence") + 1, changed_at=now
        )
        if cancelled != 1:
            return False
        from duos.activities.tasks import send_activity_email

        for pk in activity.registrations.filter(state__in=OPEN_STATES).values_list("pk", flat=True):
            send_activity_email.delay_on_commit(pk, "activity_cancelled")
    activity.refresh_from_db(fields=["cancelled_at", "sequence", "changed_at"])
    logger.info("Activity %s cancelled by user %s", activity.pk, by.pk)
    return True


def attendance_record(
    *,
    activity: GroupActivity,
    attended: dict[int, bool | None],
    by: User,
    now: datetime | None = None,
) -> int:
    """Record who came (registration pk: True, False or None for unknown), in a few queries.

    Each person who came gets the check-in of their duo's month containing the activity's
    date: met, a group activity, recorded by `by`. A meeting already reported that month is
    marked the same way. An activity outside the duo's months adds no check-in. Marking
    someone absent later does not remove a check-in: the duo may have met anyway.
    Returns how many check-ins were written.
    """
    now = now or timezone.now()
    if activity.cancelled_at is not None:
        raise RegistrationRefused("cancelled")
    if activity.starts_at > now:
        raise RegistrationRefused("not_started")
    registrations = list(
        activity.registrations.filter(pk__in=attended.keys()).select_related("person")
    )
    with transaction.atomic():
        for value in (True, False, None):
            ids = [r.pk for r in registrations if attended[r.pk] is value]
            if ids:
                Registration.objects.filter(pk__in=ids).update(attended=value, changed_at=now)
        came = [r.person for r in registrations if attended[r.pk] is True]
        return _record_group_checkins(activity, came, by=by, now=now)


def _record_group_checkins(
    activity: GroupActivity, people: list[Person], *, by: User, now: datetime
) -> int:
    if not people:
        return 0
    day = timezone.localdate(activity.starts_at)
    ids = [person.pk for person in people]
    keys = []
    for duo in Duo.objects.filter(
        Q(sponsor_id__in=ids) | Q(refugee_id__in=ids),
        started_at__isnull=False,
        state__in=[DuoState.ACTIVE, DuoState.COMPLETED, DuoState.ENDED],
    ):
        month = schedule.month_containing(duo, day)
        if month is None:
            continue
        for person_id, side in ((duo.sponsor_id, Side.SPONSOR), (duo.refugee_id, Side.REFUGEE)):
            if person_id in ids:
                keys.append((duo.pk, month, side))
    if not keys:
        return 0
    keyed = Q()
    for duo_id, month, side in keys:
        keyed |= Q(duo_id=duo_id, month=month, side=side)
    existing = {(c.duo_id, c.month, c.side): c for c in CheckIn.objects.filter(keyed)}
    changed = []
    for checkin in existing.values():
        if (checkin.met, checkin.activity, checkin.recorded_by_id) != (True, Activity.GROUP, by.pk):
            checkin.met, checkin.activity, checkin.recorded_by = True, Activity.GROUP, by
            checkin.changed_at = now
            changed.append(checkin)
    if changed:
        CheckIn.objects.bulk_update(changed, ["met", "activity", "recorded_by", "changed_at"])
    new = [
        CheckIn(
            duo_id=duo_id,
            month=month,
            side=side,
            met=True,
            activity=Activity.GROUP,
            recorded_by=by,
            answered_at=now,
        )
        for duo_id, month, side in keys
        if (duo_id, month, side) not in existing
    ]
    if new:
        # A person answering their link at this very moment: theirs becomes the group meeting.
        CheckIn.objects.bulk_create(
            new,
            update_conflicts=True,
            unique_fields=["duo", "month", "side"],
            update_fields=["met", "activity", "recorded_by"],
        )
    return len(keys)


def upcoming_activities(person: Person, *, now: datetime | None = None, limit: int = 3) -> list:
    """The next activities for a person, in one query.

    Each carries `registration_state` (registered, waiting, cancelled or None), `places_taken`
    and `places_left`. Cancelled activities appear only to those who were registered or
    waiting, so that they see it.
    """
    now = now or timezone.now()
    mine = Registration.objects.filter(activity=OuterRef("pk"), person=person)
    activities = (
        GroupActivity.objects.filter(ends_at__gt=now)
        .annotate(
            registration_state=Subquery(mine.values("state")[:1]),
            places_taken=_places_taken(),
        )
        .filter(Q(cancelled_at=None) | Q(registration_state__in=OPEN_STATES))
        .order_by("starts_at", "pk")
    )
    if limit is not None:
        activities = activities[:limit]
    found = list(activities)
    for activity in found:
        activity.places_left = max(activity.capacity - activity.places_taken, 0)
    return found


def upcoming_for_people(people: list[Person], *, now: datetime | None = None) -> list:
    """The coming activities with the registrations of these people, in two queries.

    Each activity carries `places_taken`, `places_left` and `mine` (those registrations).
    """
    now = now or timezone.now()
    activities = list(
        GroupActivity.objects.filter(ends_at__gt=now)
        .annotate(places_taken=_places_taken())
        .order_by("starts_at", "pk")
    )
    registrations = Registration.objects.filter(
        activity__in=[a.pk for a in activities], person__in=people, state__in=OPEN_STATES
    ).select_related("person")
    by_activity: dict[int, list[Registration]] = {}
    for registration in registrations:
        by_activity.setdefault(registration.activity_id, []).append(registration)
    shown = []
    for activity in activities:
        activity.mine = by_activity.get(activity.pk, [])
        activity.places_left = max(activity.capacity - activity.places_taken, 0)
        if activity.cancelled_at is None or activity.mine:
            shown.append(activity)
    return shown


def waiting_positions(activity: GroupActivity) -> dict[int, int]:
    """Registration pk: place in the waiting list (1 is next), in one query."""
    ids = activity.registrations.filter(state=RegistrationState.WAITING).order_by(
        "created_at", "pk"
    )
    return {pk: n for n, pk in enumerate(ids.values_list("pk", flat=True), start=1)}
