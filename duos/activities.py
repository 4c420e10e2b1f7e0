"""Group activities: registration with a waiting list, cancellation, attendance, reminders.

Places are given first come, first served. Two registrations arriving at once for the last
place must not both get it: each registration locks the activity's row (select_for_update)
before counting the places taken, and a unique constraint keeps one row per person and
activity. A place freed by a cancellation goes to the first person of the waiting list, who
is told by email.

Attendance, recorded by staff after the activity, counts as the month's meeting: it writes
that person's check-in for the month of their duo that contains the activity's date.

The reminder the day before is claimed and sent once, like the monthly ones (duos/reminders.py):
a conditional update on `reminder_claimed_at` claims a batch, `reminder_sent_at` marks what was
sent, and a claim left by a dead worker goes stale and is taken over by a later sweep.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, User
from duos import calendar
from duos.emails import absolute_url, send_templated_email
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

# The reminder goes this long before the activity starts.
REMINDER_AHEAD = timedelta(hours=24)
REMINDER_BATCH_SIZE = 200
# A claim older than this was left by a worker that died: a later sweep takes the row over.
REMINDER_CLAIM_STALE_AFTER = timedelta(minutes=5)
# After this many failed sends in a row the mail server is taken to be down: the rest waits
# for the next sweep (beat's interval is the backoff; no countdown that Redis could repeat).
_FAILURES_BEFORE_PAUSE = 3
# An emailed registration link is valid this long at most, and never after the start.
LINK_MAX_AGE = timedelta(days=90)
# The monthly reminder lists this many activities, starting within this many days.
EMAIL_LIMIT = 3
EMAIL_WITHIN = timedelta(days=60)

_TOKEN_SALT = "duos.activity.register"  # noqa: S105  (a namespace, not a secret)
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


# Who may take part ---------------------------------------------------------------------------


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


def acting_people(user: User) -> list[Person]:
    """The people this user registers: themselves, and the refugees they refer."""
    return list(
        Person.objects.filter(
            Q(user=user) | Q(referrer=user, user=None), anonymised_at=None
        ).order_by("pk")
    )


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


# Registering and cancelling ------------------------------------------------------------------


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
    from duos.tasks import send_activity_email

    for registration in first:
        registration.state = RegistrationState.REGISTERED
        send_activity_email.delay_on_commit(registration.pk, "activity_promoted")
    return first


# The team's actions --------------------------------------------------------------------------


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
        cancelled = GroupActivity.objects.filter(pk=activity.pk, cancelled_at=None).update(
            cancelled_at=now
        )
        if cancelled != 1:
            return False
        from duos.tasks import send_activity_email

        for pk in activity.registrations.filter(state__in=OPEN_STATES).values_list("pk", flat=True):
            send_activity_email.delay_on_commit(pk, "activity_cancelled")
    activity.cancelled_at = now
    logger.info("Activity %s cancelled by user %s", activity.pk, by.pk)
    return True


def month_containing(duo: Duo, day: date) -> int | None:
    """The month of a started duo that contains `day` (a local date), if any."""
    if duo.started_at is None:
        return None
    for month in range(1, calendar.duo_months(duo) + 1):
        window = calendar.month_window(duo, month)
        if window.starts_on <= day < window.ends_on:
            return month
        if day < window.starts_on:
            return None
    return None


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
        month = month_containing(duo, day)
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


# What participants see -----------------------------------------------------------------------


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


# Emailed registration links ------------------------------------------------------------------


class InvalidRegisterLink(Exception):
    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class RegisterLink:
    activity: GroupActivity
    person: Person


def activity_register_token(activity: GroupActivity, person: Person) -> str:
    return signing.dumps({"a": activity.pk, "p": person.pk}, salt=_TOKEN_SALT)


def activity_register_url(activity: GroupActivity, person: Person) -> str:
    """A link that registers `person` without a login: it opens a page with one button."""
    path = reverse("duos:activity_register_link", args=[activity_register_token(activity, person)])
    return absolute_url(path)


def read_register_token(token: str, *, now: datetime | None = None) -> RegisterLink:
    """The activity and person a link names; InvalidRegisterLink if tampered or past."""
    try:
        data = signing.loads(token, salt=_TOKEN_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidRegisterLink(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidRegisterLink from error
    if not isinstance(data, dict):
        raise InvalidRegisterLink
    activity = GroupActivity.objects.filter(pk=data.get("a")).first()
    person = Person.objects.filter(pk=data.get("p"), anonymised_at=None).first()
    if activity is None or person is None:
        raise InvalidRegisterLink
    if activity.cancelled_at is not None or activity.starts_at <= (now or timezone.now()):
        raise InvalidRegisterLink(expired=True)
    return RegisterLink(activity=activity, person=person)


# Emails --------------------------------------------------------------------------------------

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


# The reminder the day before -----------------------------------------------------------------


def _reminder_due(now: datetime) -> Q:
    return (
        Q(
            state=RegistrationState.REGISTERED,
            reminder_sent_at=None,
            activity__cancelled_at=None,
            activity__starts_at__gt=now,
            activity__starts_at__lte=now + REMINDER_AHEAD,
            person__anonymised_at=None,
        )
        & (Q(person__user__isnull=False) | Q(person__referrer__isnull=False))
        & (
            Q(reminder_claimed_at=None)
            | Q(reminder_claimed_at__lt=now - REMINDER_CLAIM_STALE_AFTER)
        )
    )


def reminder_message_id(registration: Registration) -> str:
    """Fixed per registration: a resent reminder is recognisably the same message."""
    return f"<activity-reminder-{registration.pk}@duos-de-demain>"


def activities_send_reminders(
    *, now: datetime | None = None, batch_size: int = REMINDER_BATCH_SIZE
) -> int:
    """Send the reminders of activities starting within a day, each once; how many were sent.

    A constant number of queries per batch plus the sends.
    """
    fixed_now = now
    sent = 0
    while True:
        now = fixed_now or timezone.now()
        rows = _claim_reminders(now=now, batch_size=batch_size)
        if not rows:
            return sent
        done, server_down = _send_reminders(rows, claimed_at=now)
        sent += done
        if server_down or done == 0:
            return sent


def _claim_reminders(*, now: datetime, batch_size: int) -> list[Registration]:
    with transaction.atomic():
        ids = list(
            Registration.objects.filter(_reminder_due(now))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return []
        # Conditional: a row another sweep claimed since the select stays theirs.
        Registration.objects.filter(_reminder_due(now), pk__in=ids).update(reminder_claimed_at=now)
    return list(
        Registration.objects.filter(pk__in=ids, reminder_claimed_at=now, reminder_sent_at=None)
        .select_related("activity", "person__user", "person__referrer")
        .order_by("pk")
    )


def _send_reminders(rows: list[Registration], *, claimed_at: datetime) -> tuple[int, bool]:
    sent, failures_in_a_row = [], 0
    try:
        for row in rows:
            try:
                send_templated_email(
                    to=row.person.contact_user,
                    template="activity_reminder",
                    context=_email_context(row),
                    headers={
                        "Reply-To": settings.PROGRAMME_EMAIL,
                        "Message-ID": reminder_message_id(row),
                    },
                )
            except (OSError, smtplib.SMTPException) as error:  # noqa: PERF203
                logger.warning("Activity reminder %s not sent: %r", row.pk, error)
                failures_in_a_row += 1
                if failures_in_a_row >= _FAILURES_BEFORE_PAUSE:
                    break
            else:
                sent.append(row.pk)
                failures_in_a_row = 0
    finally:
        mine = Registration.objects.filter(
            pk__in=[row.pk for row in rows], reminder_claimed_at=claimed_at
        )
        if sent:
            mine.filter(pk__in=sent).update(reminder_sent_at=timezone.now())
        # What failed or was not tried is released: the next sweep tries again.
        mine.filter(reminder_sent_at=None).update(reminder_claimed_at=None)
    return len(sent), failures_in_a_row >= _FAILURES_BEFORE_PAUSE


# The calendar file ---------------------------------------------------------------------------

_ICS_MAX_OCTETS = 75


def ics_escape(text: str) -> str:
    """A TEXT value of RFC 5545: backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        text = text.replace(raw, escaped)
    return text


def ics_fold(line: str) -> str:
    """A content line folded at 75 octets (CRLF and a space), never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        limit = _ICS_MAX_OCTETS if not parts else _ICS_MAX_OCTETS - 1  # the leading space
        if size + octets > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def activity_calendar(activity: GroupActivity, *, now: datetime | None = None) -> str:
    """An iCalendar file (RFC 5545) with the activity as one event, times in UTC."""
    host = urlsplit(settings.SITE_URL).hostname or "duos-de-demain"
    page = absolute_url(reverse("duos:activity", args=[activity.pk]))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//France terre d'asile//Duos de demain//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:activity-{activity.pk}@{host}",
        f"DTSTAMP:{_ics_time(now or timezone.now())}",
        f"DTSTART:{_ics_time(activity.starts_at)}",
        f"DTEND:{_ics_time(activity.ends_at)}",
        f"SUMMARY:{ics_escape(activity.title)}",
        f"LOCATION:{ics_escape(activity.place)}",
        f"DESCRIPTION:{ics_escape(activity.description)}",
        f"URL:{page}",
        f"STATUS:{'CANCELLED' if activity.cancelled_at else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + "\r\n" for line in lines)
