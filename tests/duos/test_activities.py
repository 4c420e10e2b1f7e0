"""Group activities: places and the waiting list, cancelling, the team's pages, attendance as
the month's meeting, the reminder the day before (once), the calendar file and emailed links."""

import re
import threading
from datetime import datetime, timedelta
from http import HTTPStatus
from itertools import takewhile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import CandidateState
from duos.activities import ics, links, reminders, services
from duos.activities.tasks import send_activity_reminders
from duos.followup.reminders import duos_send_reminders
from duos.lib.links import ACTIVITY_REGISTER
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
from tests.conftest import client_for
from tests.factories import (
    DuoFactory,
    ReferredRefugeeFactory,
    SocialWorkerFactory,
    SponsorFactory,
    StaffFactory,
    UserFactory,
)
from tests.mail import FAILING_BACKEND, MEMORY_BACKEND

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# The duo's month 1 runs from March 10 to April 10, month 2 to May 10.
START = datetime(2025, 3, 10, 18, 0, tzinfo=PARIS)
# The duos start then, and their people read their emails in English.
AT_START = {"started_at": START, "language": "en"}
NOW = datetime(2025, 4, 14, 10, 0, tzinfo=PARIS)
# A Saturday of month 2.
ACTIVITY_AT = datetime(2025, 4, 19, 14, 0, tzinfo=PARIS)

REGISTERED, WAITING, CANCELLED = (
    RegistrationState.REGISTERED,
    RegistrationState.WAITING,
    RegistrationState.CANCELLED,
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def person(factory=SponsorFactory, **kwargs):
    if factory is ReferredRefugeeFactory:
        kwargs.setdefault("referrer", UserFactory(language="en"))
        return factory(state=CandidateState.IN_DUO, **kwargs)
    return factory(state=CandidateState.IN_DUO, user__language="en", **kwargs)


def new_activity(**kwargs) -> GroupActivity:
    starts_at = kwargs.pop("starts_at", ACTIVITY_AT)
    fields = {
        "title": "Picnic at the Buttes-Chaumont",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
        "place": "Parc des Buttes-Chaumont, Paris 19e",
        "capacity": 2,
        "description": "Bring something to share.",
        **kwargs,
    }
    return GroupActivity.objects.create(**fields)


@pytest.fixture
def duo():
    return DuoFactory(**AT_START)


def register(activity, who):
    return services.registration_register(activity=activity, person=who)


# Places and the waiting list -------------------------------------------------------------------


def test_activities_register_gives_places_then_the_waiting_list():
    activity = new_activity(capacity=2)
    people = [
        DuoFactory(**AT_START).sponsor,
        DuoFactory(**AT_START).refugee,
        DuoFactory(**AT_START).sponsor,
    ]

    states = [register(activity, p).state for p in people]

    assert states == [REGISTERED, REGISTERED, WAITING]
    assert services.waiting_positions(activity) == {
        Registration.objects.get(person=people[2]).pk: 1
    }


def test_activities_register_again_changes_nothing(duo):
    activity = new_activity(capacity=1)
    first = register(activity, duo.sponsor)

    again = register(activity, duo.sponsor)

    assert again.pk == first.pk
    assert again.state == REGISTERED
    assert Registration.objects.count() == 1


def test_activities_register_refused_outside_an_active_duo_or_when_closed(duo):
    not_in_duo = SponsorFactory()
    ended = DuoFactory(**AT_START, state=DuoState.ENDED)
    activity = new_activity()

    for who in (not_in_duo, ended.sponsor):
        with pytest.raises(services.RegistrationRefused) as refused:
            register(activity, who)
        assert refused.value.code == "not_in_duo"
    cancelled = new_activity(cancelled_at=NOW)
    with pytest.raises(services.RegistrationRefused) as refused:
        register(cancelled, duo.sponsor)
    assert refused.value.code == "cancelled"
    started = new_activity(starts_at=NOW - timedelta(minutes=5))
    with pytest.raises(services.RegistrationRefused) as refused:
        register(started, duo.sponsor)
    assert refused.value.code == "started"
    assert not Registration.objects.exists()


def test_activities_cancel_gives_the_place_to_the_first_waiting_who_is_told(
    django_capture_on_commit_callbacks,
):
    activity = new_activity(capacity=1)
    first, second, third = (DuoFactory(**AT_START).sponsor for _ in range(3))
    for who in (first, second, third):
        register(activity, who)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(activity=activity, person=first)

    assert promoted.person == second
    states = dict(Registration.objects.values_list("person", "state"))
    assert states == {first.pk: CANCELLED, second.pk: REGISTERED, third.pk: WAITING}
    assert [m.to for m in mail.outbox] == [[second.user.email]]
    assert activity.title in mail.outbox[0].subject
    assert reverse("duos:activity", args=[activity.pk]) in mail.outbox[0].body


def test_activities_cancel_from_the_waiting_list_promotes_nobody(
    django_capture_on_commit_callbacks,
):
    activity = new_activity(capacity=1)
    first, second = DuoFactory(**AT_START).sponsor, DuoFactory(**AT_START).sponsor
    register(activity, first)
    register(activity, second)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.registration_cancel(activity=activity, person=second) is None

    assert Registration.objects.get(person=first).state == REGISTERED
    assert Registration.objects.get(person=second).state == CANCELLED
    assert mail.outbox == []
    with pytest.raises(services.RegistrationRefused):
        services.registration_cancel(activity=activity, person=second)


def test_activities_register_after_cancelling_goes_to_the_back_of_the_queue(clock):
    activity = new_activity(capacity=1)
    holder, early, late = (DuoFactory(**AT_START).sponsor for _ in range(3))
    register(activity, holder)
    register(activity, early)
    services.registration_cancel(activity=activity, person=early)
    clock.shift(timedelta(minutes=1))
    register(activity, late)
    clock.shift(timedelta(minutes=1))

    again = register(activity, early)

    assert again.state == WAITING
    positions = services.waiting_positions(activity)
    assert positions == {
        Registration.objects.get(person=late).pk: 1,
        again.pk: 2,
    }


@pytest.mark.django_db(transaction=True)
def test_activities_two_registrations_at_once_for_the_last_place(postgres_only, monkeypatch):
    from kombu import pools

    from duos.celery import app

    pools.reset()
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    activity = new_activity(capacity=1)
    people = [DuoFactory(**AT_START).sponsor, DuoFactory(**AT_START).refugee]
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[int, object] = {}

    def go(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = register(activity, people[i]).state
        except Exception as error:  # noqa: BLE001 - the assertion below reads it
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == [REGISTERED, WAITING]
    assert Registration.objects.filter(state=REGISTERED).count() == 1


# Participants' pages ---------------------------------------------------------------------------


def test_activities_participant_registers_and_cancels_from_the_page(client, duo):
    activity = new_activity(capacity=5)
    client = client_for(duo.sponsor.user)

    listing = client.get(reverse("duos:activities"))
    page = client.get(reverse("duos:activity", args=[activity.pk]))
    registered = client.post(
        reverse("duos:activity_register", args=[activity.pk]), {"person": duo.sponsor.pk}
    )

    assert listing.status_code == page.status_code == HTTPStatus.OK
    assert activity.title in listing.content.decode()
    assert b"Register" in page.content
    assert registered.status_code == HTTPStatus.FOUND
    assert registered.url == reverse("duos:activity", args=[activity.pk])
    assert Registration.objects.get(person=duo.sponsor).state == REGISTERED

    cancelled = client.post(
        reverse("duos:activity_cancel_registration", args=[activity.pk]),
        {"person": duo.sponsor.pk},
    )

    assert cancelled.status_code == HTTPStatus.FOUND
    assert Registration.objects.get(person=duo.sponsor).state == CANCELLED


def test_activities_participant_bad_input_is_400_and_changes_nothing(client, duo):
    activity = new_activity()
    stranger = DuoFactory(**AT_START).refugee
    client = client_for(duo.sponsor.user)
    url = reverse("duos:activity_register", args=[activity.pk])

    for data in ({}, {"person": "x"}, {"person": stranger.pk}):
        response = client.post(url, data)
        assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Registration.objects.exists()


def test_activities_person_outside_a_duo_is_refused_with_409(client):
    activity = new_activity()
    sponsor = SponsorFactory(user__language="en")
    client = client_for(sponsor.user)

    response = client.post(
        reverse("duos:activity_register", args=[activity.pk]), {"person": sponsor.pk}
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert b"open to the people of an active duo" in response.content
    assert not Registration.objects.exists()


def test_activities_social_worker_registers_their_referred_refugee_only(client):
    worker = SocialWorkerFactory(user__language="en").user
    mine = person(ReferredRefugeeFactory, referrer=worker)
    theirs = person(ReferredRefugeeFactory)
    DuoFactory(**AT_START, refugee=mine)
    DuoFactory(**AT_START, refugee=theirs)
    activity = new_activity()
    client = client_for(worker)
    url = reverse("duos:activity_register", args=[activity.pk])

    assert client.post(url, {"person": theirs.pk}).status_code == HTTPStatus.BAD_REQUEST
    assert client.post(url, {"person": mine.pk}).status_code == HTTPStatus.FOUND

    assert list(Registration.objects.values_list("person", flat=True)) == [mine.pk]


def test_activities_pages_for_who_is_neither_participant_nor_social_worker(client, staff):
    activity = new_activity()
    anonymous = client.get(reverse("duos:activity", args=[activity.pk]))
    client.force_login(staff)

    assert anonymous.status_code == HTTPStatus.FOUND
    assert client.get(reverse("duos:activities")).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("duos:activity_ics", args=[activity.pk])).status_code == 404


def test_activities_upcoming_activities_in_one_query_with_the_state(duo, django_assert_num_queries):
    mine, full, other = new_activity(), new_activity(capacity=1), new_activity()
    new_activity(starts_at=NOW - timedelta(days=3))  # over
    new_activity(cancelled_at=NOW)  # cancelled, never registered: not shown
    register(mine, duo.sponsor)
    register(full, DuoFactory(**AT_START).sponsor)
    register(full, duo.sponsor)
    for _ in range(3):
        register(other, DuoFactory(**AT_START).sponsor)

    with django_assert_num_queries(1):
        found = services.upcoming_activities(duo.sponsor, limit=10)

    assert [(a.pk, a.registration_state, a.places_left) for a in found] == [
        (mine.pk, REGISTERED, 1),
        (full.pk, WAITING, 0),
        (other.pk, None, 0),
    ]
    assert len(services.upcoming_activities(duo.sponsor)) == 3
    assert len(services.upcoming_activities(duo.sponsor, limit=1)) == 1


def test_activities_participant_list_queries_do_not_grow(client, django_assert_max_num_queries):
    worker = SocialWorkerFactory().user
    client = client_for(worker)
    for _ in range(2):
        DuoFactory(**AT_START, refugee=person(ReferredRefugeeFactory, referrer=worker))
    for _ in range(2):
        register(new_activity(capacity=20), Duo.objects.first().refugee)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("duos:activities"))

    for _ in range(6):
        refugee = person(ReferredRefugeeFactory, referrer=worker)
        DuoFactory(**AT_START, refugee=refugee)
        activity = new_activity(capacity=20)
        register(activity, refugee)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("duos:activities"))
    assert response.status_code == HTTPStatus.OK


# The calendar file -----------------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_activities_ics_is_a_valid_event_in_utc(client, duo):
    activity = new_activity(
        title="Museum, then tea; all welcome",
        place="Musée de l'Homme, 17 place du Trocadéro, Paris",
        description="Meet at the entrance.\nTickets are free; bring ID, please. " + "é" * 60,
    )
    client = client_for(duo.sponsor.user)

    response = client.get(reverse("duos:activity_ics", args=[activity.pk]))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert not re.search(rb"[^\r]\n", raw)
    lines = unfold(raw.decode())
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2] == "END:VCALENDAR"
    fields = dict(line.split(":", 1) for line in lines if line)
    assert fields["VERSION"] == "2.0"
    assert fields["UID"].startswith(f"activity-{activity.pk}@")
    assert fields["DTSTAMP"] == "20250414T080000Z"
    # 14:00 in Paris in April (summer time) is 12:00 UTC.
    assert fields["DTSTART"] == "20250419T120000Z"
    assert fields["DTEND"] == "20250419T150000Z"
    assert fields["SUMMARY"] == r"Museum\, then tea\; all welcome"
    assert fields["LOCATION"] == r"Musée de l'Homme\, 17 place du Trocadéro\, Paris"
    assert fields["DESCRIPTION"] == (
        r"Meet at the entrance.\nTickets are free\; bring ID\, please. " + "é" * 60
    )
    assert fields["STATUS"] == "CONFIRMED"
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1


def test_activities_ics_fold_never_splits_a_character():
    line = "DESCRIPTION:" + "aé€😀" * 40
    activity = new_activity(title="a\\b;c,d\r\ne", description=line.removeprefix("DESCRIPTION:"))

    raw = ics.activity_calendar(activity)

    rows = raw.split(b"\r\n")
    start = next(i for i, row in enumerate(rows) if row.startswith(b"DESCRIPTION:"))
    parts = [rows[start], *takewhile(lambda row: row.startswith(b" "), rows[start + 1 :])]
    parts = [parts[0].decode(), *(part[1:].decode() for part in parts[1:])]  # whole characters
    assert "".join(parts) == line
    assert all(len(part.encode()) <= 75 for part in parts[:1])
    assert all(len(part.encode()) <= 74 for part in parts[1:])
    assert "SUMMARY:a\\\\b\\;c\\,d\\ne" in unfold(raw.decode())


def ics_fields(activity: GroupActivity) -> dict[str, str]:
    text = ics.activity_calendar(GroupActivity.objects.get(pk=activity.pk)).decode()
    return dict(line.split(":", 1) for line in unfold(text) if line)


def test_activities_ics_of_a_moved_activity_replaces_the_event_in_calendars(clock):
    activity = new_activity()
    staff = StaffFactory()
    seen = [ics_fields(activity)]
    for change in (
        {"capacity": 5},  # not in the calendar: the same revision
        {
            "starts_at": ACTIVITY_AT + timedelta(days=1),
            "ends_at": ACTIVITY_AT + timedelta(days=1, hours=3),
        },
        {"place": "Parc de la Villette, Paris 19e"},
        {"title": "Picnic at La Villette"},
    ):
        clock.shift(timedelta(hours=1))
        for name, value in change.items():
            setattr(activity, name, value)
        services.activity_save(activity=activity, by=staff)
        seen.append(ics_fields(activity))
    clock.shift(timedelta(hours=1))
    services.activity_cancel(activity=activity, by=staff)
    seen.append(ics_fields(activity))

    assert len({fields["UID"] for fields in seen}) == 1
    assert [fields["SEQUENCE"] for fields in seen] == ["0", "0", "1", "2", "3", "4"]
    modified = [fields["LAST-MODIFIED"] for fields in seen]
    assert modified == sorted(modified) and len(set(modified)) == len(seen)
    assert modified[-1] == "20250414T130000Z"  # cancelled five hours after NOW (08:00 UTC)
    assert seen[2]["DTSTART"] == "20250420T120000Z"
    assert seen[3]["LOCATION"] == r"Parc de la Villette\, Paris 19e"
    assert seen[4]["SUMMARY"] == "Picnic at La Villette"
    assert [fields["STATUS"] for fields in seen][-2:] == ["CONFIRMED", "CANCELLED"]


# Emailed registration links --------------------------------------------------------------------


def test_activities_email_link_get_changes_nothing_post_registers(client, duo):
    activity = new_activity()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = links.activity_register_url(activity, duo.refugee)
    path = url.removeprefix(settings.SITE_URL.rstrip("/"))

    shown = client.get(path)
    assert shown.status_code == HTTPStatus.OK
    assert b'method="post"' in shown.content
    assert not Registration.objects.exists()

    done = client.post(path)
    again = client.post(path)

    assert done.status_code == again.status_code == HTTPStatus.OK
    assert b"The place is booked" in done.content
    assert b"already recorded" in again.content
    assert Registration.objects.get().person == duo.refugee


def test_activities_email_link_tampered_is_400(client, duo):
    activity = new_activity()
    token = links.activity_register_token(activity, duo.sponsor)

    for bad in (token[:-3] + "xyz", "nonsense"):
        url = reverse("duos:activity_register_link", args=[bad])
        assert client.get(url).status_code == HTTPStatus.BAD_REQUEST
        assert client.post(url).status_code == HTTPStatus.BAD_REQUEST
    assert not Registration.objects.exists()


def test_activities_email_link_after_the_start_cancelled_or_too_old_is_410(client, clock, duo):
    soon = new_activity()
    cancelled = new_activity(cancelled_at=NOW)
    late = new_activity(starts_at=NOW + ACTIVITY_REGISTER.max_age + timedelta(days=10))
    urls = {
        name: reverse(
            "duos:activity_register_link",
            args=[links.activity_register_token(a, duo.sponsor)],
        )
        for name, a in (("soon", soon), ("cancelled", cancelled), ("late", late))
    }

    assert client.get(urls["cancelled"]).status_code == HTTPStatus.GONE
    clock.move_to(ACTIVITY_AT + timedelta(minutes=1))
    assert client.post(urls["soon"]).status_code == HTTPStatus.GONE
    clock.move_to(NOW + ACTIVITY_REGISTER.max_age + timedelta(days=1))
    assert client.post(urls["late"]).status_code == HTTPStatus.GONE
    assert not Registration.objects.exists()


def test_activities_email_link_for_a_duo_that_ended_is_409(client, duo):
    activity = new_activity()
    url = reverse(
        "duos:activity_register_link",
        args=[links.activity_register_token(activity, duo.sponsor)],
    )
    Duo.objects.filter(pk=duo.pk).update(state=DuoState.ENDED)

    assert client.post(url).status_code == HTTPStatus.CONFLICT
    assert not Registration.objects.exists()


# The team's pages ------------------------------------------------------------------------------


def test_activities_staff_creates_an_activity(staff_client):
    response = staff_client.post(
        reverse("duos:staff_activity_create"),
        {
            "title": "Cooking workshop",
            "starts_at": "2025-05-03T10:00",
            "ends_at": "2025-05-03T13:00",
            "place": "Maison des associations",
            "capacity": "12",
            "description": "",
        },
    )

    activity = GroupActivity.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("duos:staff_activity", args=[activity.pk])
    assert activity.starts_at == datetime(2025, 5, 3, 10, 0, tzinfo=PARIS)
    assert activity.capacity == 12
    assert activity.created_by is not None


def test_activities_staff_bad_input_is_400_and_keeps_what_was_typed(staff_client):
    data = {
        "title": "Cooking workshop",
        "starts_at": "2025-05-03T10:00",
        "ends_at": "2025-05-03T09:00",  # before it starts
        "place": "Maison des associations",
        "capacity": "0",
        "description": "Aprons provided",
    }

    response = staff_client.post(reverse("duos:staff_activity_create"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    form = response.context["form"]
    assert {e.code for e in form.errors.as_data()["ends_at"]} == {"ends_before_start"}
    assert "capacity" in form.errors
    page = response.content.decode()
    assert 'value="Cooking workshop"' in page
    assert "Aprons provided" in page
    assert 'value="2025-05-03T10:00"' in page
    assert not GroupActivity.objects.exists()


def test_activities_staff_edit_with_more_places_gives_them_to_those_waiting(
    staff_client, django_capture_on_commit_callbacks
):
    activity = new_activity(capacity=1)
    people = [DuoFactory(**AT_START).sponsor for _ in range(3)]
    for who in people:
        register(activity, who)
    data = {
        "title": activity.title,
        "starts_at": "2025-04-19T14:00",
        "ends_at": "2025-04-19T17:00",
        "place": activity.place,
        "capacity": "2",
        "description": activity.description,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("duos:staff_activity_edit", args=[activity.pk]), data)

    assert response.status_code == HTTPStatus.FOUND
    states = [Registration.objects.get(person=p).state for p in people]
    assert states == [REGISTERED, REGISTERED, WAITING]
    assert [m.to for m in mail.outbox] == [[people[1].user.email]]
    # Fewer places than people registered: refused, nothing changes.
    fewer = staff_client.post(
        reverse("duos:staff_activity_edit", args=[activity.pk]), {**data, "capacity": "1"}
    )
    assert fewer.status_code == HTTPStatus.BAD_REQUEST
    activity.refresh_from_db()
    assert activity.capacity == 2


def test_activities_staff_cancel_tells_everyone_registered_or_waiting(
    staff_client, django_capture_on_commit_callbacks
):
    activity = new_activity(capacity=1)
    holder, waiting, gone = (DuoFactory(**AT_START).sponsor for _ in range(3))
    referred = person(ReferredRefugeeFactory)
    DuoFactory(**AT_START, refugee=referred)
    for who in (holder, referred, waiting, gone):
        register(activity, who)
    services.registration_cancel(activity=activity, person=gone)
    url = reverse("duos:staff_activity_cancel", args=[activity.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)

    assert response.status_code == HTTPStatus.FOUND
    activity.refresh_from_db()
    assert activity.cancelled_at == NOW
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([holder.user.email, waiting.user.email, referred.referrer.email])
    assert all("cancelled" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url)
    assert mail.outbox == []
    assert (
        staff_client.get(reverse("duos:staff_activity_edit", args=[activity.pk])).status_code
        == HTTPStatus.CONFLICT
    )


def test_activities_staff_pages_need_the_permissions(client, duo):
    activity = new_activity()
    urls = {
        "duos:staff_activities": [],
        "duos:staff_activity_create": [],
        "duos:staff_activity": [activity.pk],
        "duos:staff_activity_edit": [activity.pk],
        "duos:staff_activity_attendance": [activity.pk],
    }
    for name, args in urls.items():
        assert client.get(reverse(name, args=args)).status_code == HTTPStatus.FOUND
    client = client_for(duo.sponsor.user)
    for name, args in urls.items():
        assert client.get(reverse(name, args=args)).status_code == HTTPStatus.NOT_FOUND
    assert (
        client.post(reverse("duos:staff_activity_cancel", args=[activity.pk])).status_code
        == HTTPStatus.NOT_FOUND
    )

    # A team member who may look but not change: the lists, not the forms.
    viewer = StaffFactory(language="en")  # two-factor, as any team member must have
    viewer.groups.clear()
    viewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="duos",
            codename__in=["view_groupactivity", "view_registration"],
        )
    )
    client = client_for(viewer)
    assert client.get(reverse("duos:staff_activities")).status_code == HTTPStatus.OK
    assert client.get(reverse("duos:staff_activity", args=[activity.pk])).status_code == 200
    for name in ("duos:staff_activity_edit", "duos:staff_activity_attendance"):
        assert client.get(reverse(name, args=[activity.pk])).status_code == 404
    assert client.get(reverse("duos:staff_activity_create")).status_code == 404
    assert (
        client.post(reverse("duos:staff_activity_cancel", args=[activity.pk])).status_code
        == HTTPStatus.NOT_FOUND
    )
    activity.refresh_from_db()
    assert activity.cancelled_at is None


def test_activities_staff_pages_queries_do_not_grow(staff_client, django_assert_max_num_queries):
    activity = new_activity(capacity=2)
    for _ in range(3):
        register(activity, DuoFactory(**AT_START).sponsor)
    new_activity()
    new_activity(starts_at=NOW - timedelta(days=30))
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("duos:staff_activities"))
        staff_client.get(reverse("duos:staff_activity", args=[activity.pk]))

    activity.capacity = 20
    activity.save()
    for _ in range(10):
        register(activity, DuoFactory(**AT_START).refugee)
        new_activity(starts_at=NOW - timedelta(days=30))
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(reverse("duos:staff_activities"))
        staff_client.get(reverse("duos:staff_activity", args=[activity.pk]))


# Attendance ------------------------------------------------------------------------------------


def attendance_data(pairs) -> dict:
    return {f"r{registration.pk}": value for registration, value in pairs}


def test_activities_attendance_counts_as_the_months_meeting(staff_client, clock, duo):
    activity = new_activity(capacity=5)
    other = DuoFactory(**AT_START)
    # A duo whose months had not begun by the activity's date: no check-in.
    later = DuoFactory(language="en", started_at=ACTIVITY_AT + timedelta(days=2))
    came, absent, unknown, too_early = (
        register(activity, who) for who in (duo.sponsor, other.refugee, duo.refugee, later.sponsor)
    )
    # The sponsor had answered "not yet" for month 2: the activity changes it.
    CheckIn.objects.create(duo=duo, month=2, side=Side.SPONSOR, met=False, answered_at=NOW)
    clock.move_to(ACTIVITY_AT + timedelta(hours=4))
    data = attendance_data([(came, "yes"), (absent, "no"), (unknown, ""), (too_early, "yes")])

    response = staff_client.post(
        reverse("duos:staff_activity_attendance", args=[activity.pk]), data
    )

    assert response.status_code == HTTPStatus.FOUND
    attended = dict(Registration.objects.values_list("pk", "attended"))
    assert attended == {came.pk: True, absent.pk: False, unknown.pk: None, too_early.pk: True}
    checkin = CheckIn.objects.get()
    assert (checkin.duo, checkin.month, checkin.side) == (duo, 2, Side.SPONSOR)
    assert (checkin.met, checkin.activity) == (True, Activity.GROUP)
    assert checkin.recorded_by == response.wsgi_request.user

    # Recorded again (a correction): still one check-in per month and side.
    staff_client.post(
        reverse("duos:staff_activity_attendance", args=[activity.pk]),
        {**data, f"r{unknown.pk}": "yes"},
    )
    assert sorted(CheckIn.objects.values_list("side", "month", "met")) == [
        (Side.REFUGEE, 2, True),
        (Side.SPONSOR, 2, True),
    ]


def test_activities_attendance_before_the_activity_is_refused(staff_client, duo):
    activity = new_activity()
    registration = register(activity, duo.sponsor)

    response = staff_client.post(
        reverse("duos:staff_activity_attendance", args=[activity.pk]),
        attendance_data([(registration, "yes")]),
    )

    assert response.status_code == HTTPStatus.CONFLICT
    registration.refresh_from_db()
    assert registration.attended is None
    assert not CheckIn.objects.exists()


def test_activities_attendance_bad_input_is_400_and_keeps_what_was_typed(staff_client, clock, duo):
    activity = new_activity()
    good, bad = register(activity, duo.sponsor), register(activity, duo.refugee)
    clock.move_to(ACTIVITY_AT + timedelta(hours=4))

    response = staff_client.post(
        reverse("duos:staff_activity_attendance", args=[activity.pk]),
        attendance_data([(good, "no"), (bad, "maybe")]),
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert re.search(rf'name="r{good.pk}" value="no"[^>]*checked', page)
    assert not Registration.objects.exclude(attended=None).exists()
    assert not CheckIn.objects.exists()


def test_activities_attendance_queries_do_not_grow(staff, clock):
    def record(n: int) -> int:
        activity = new_activity(capacity=50)
        rows = [register(activity, DuoFactory(**AT_START).sponsor) for _ in range(n)]
        clock.move_to(ACTIVITY_AT + timedelta(hours=4))
        with CaptureQueriesContext(connection) as queries:
            written = services.attendance_record(
                activity=activity, attended={r.pk: True for r in rows}, by=staff
            )
        clock.move_to(NOW)
        assert written == n
        return len(queries.captured_queries)

    assert record(2) == record(12)
    assert CheckIn.objects.filter(activity=Activity.GROUP).count() == 14


# The reminder the day before -------------------------------------------------------------------


def test_activities_reminder_is_sent_once_the_day_before(clock, duo):
    activity = new_activity(capacity=1)
    registered = register(activity, duo.sponsor)
    register(activity, duo.refugee)  # on the waiting list: no reminder
    referred = person(ReferredRefugeeFactory)
    DuoFactory(**AT_START, refugee=referred)
    other = new_activity(capacity=5)
    register(other, referred)
    services.registration_cancel(activity=other, person=referred)

    assert reminders.activities_send_reminders() == 0  # five days before
    clock.move_to(ACTIVITY_AT - timedelta(hours=23))
    send_activity_reminders.delay()
    second = reminders.activities_send_reminders()

    assert second == 0
    assert [m.to for m in mail.outbox] == [[duo.sponsor.user.email]]
    assert mail.outbox[0].extra_headers["Message-ID"] == reminders.reminder_message_id(registered)
    assert "tomorrow" in mail.outbox[0].subject
    registered.refresh_from_db()
    assert registered.reminder_sent_at == timezone.now()


def test_activities_reminder_left_claimed_by_a_dead_worker_is_retaken(clock, duo):
    activity = new_activity()
    registration = register(activity, duo.sponsor)
    clock.move_to(ACTIVITY_AT - timedelta(hours=20))
    Registration.objects.filter(pk=registration.pk).update(
        reminder_claimed_at=timezone.now() - timedelta(minutes=1)
    )

    assert reminders.activities_send_reminders() == 0  # a live claim: not ours
    clock.shift(reminders.REMINDER_CLAIM_STALE_AFTER)
    assert reminders.activities_send_reminders() == 1
    assert reminders.activities_send_reminders() == 0
    assert len(mail.outbox) == 1


def test_activities_reminder_waits_for_the_mail_server(clock, settings, duo):
    activity = new_activity()
    register(activity, duo.sponsor)
    register(activity, duo.refugee)
    clock.move_to(ACTIVITY_AT - timedelta(hours=20))
    settings.EMAIL_BACKEND = FAILING_BACKEND

    assert reminders.activities_send_reminders() == 0
    assert not Registration.objects.exclude(reminder_claimed_at=None).exists()

    settings.EMAIL_BACKEND = MEMORY_BACKEND
    clock.shift(timedelta(minutes=15))
    assert reminders.activities_send_reminders() == 2
    assert reminders.activities_send_reminders() == 0


def test_activities_reminder_not_sent_for_a_cancelled_activity(clock, duo):
    activity = new_activity()
    register(activity, duo.sponsor)
    services.activity_cancel(activity=activity, by=StaffFactory())
    mail.outbox.clear()
    clock.move_to(ACTIVITY_AT - timedelta(hours=20))

    assert reminders.activities_send_reminders() == 0


def test_activities_reminder_sweep_queries_grow_with_batches_only(clock):
    activity = new_activity(capacity=30)
    for _ in range(12):
        register(activity, DuoFactory(**AT_START).sponsor)
    clock.move_to(ACTIVITY_AT - timedelta(hours=20))

    with CaptureQueriesContext(connection) as queries:
        assert reminders.activities_send_reminders(batch_size=5) == 12

    # Three batches and a last empty claim, a constant number of queries each (savepoints
    # included), whatever the number of people in a batch.
    assert len(queries.captured_queries) <= 8 * (3 + 1)


# The monthly reminder lists the next activities ------------------------------------------------


def test_activities_monthly_reminder_lists_the_next_activities_with_links(clock):
    clock.move_to(datetime(2025, 3, 30, 9, 0, tzinfo=PARIS))  # month 1's reminder day
    duos = [DuoFactory(**AT_START), DuoFactory(**AT_START)]
    soon = new_activity(title="Boat trip", starts_at=datetime(2025, 4, 5, 10, 0, tzinfo=PARIS))
    new_activity(title="Cancelled one", cancelled_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        assert duos_send_reminders() == 4

    activity_queries = [q for q in queries.captured_queries if "duos_groupactivity" in q["sql"]]
    assert len(activity_queries) == 1  # once for the batch, not per reminder
    body = next(m.body for m in mail.outbox if m.to == [duos[0].sponsor.user.email])
    assert "Boat trip" in body
    assert "Cancelled one" not in body
    link = re.search(r"https?://\S+/activites/inscription/\S+/", body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    read = links.register_link(ACTIVITY_REGISTER, ACTIVITY_REGISTER.read(token))
    assert (read.activity, read.person) == (soon, duos[0].sponsor)
