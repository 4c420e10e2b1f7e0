"""The participants' page: /mon-duo/ for a sponsor or a refugee, /referent/duo/<pk>/ for the
social worker of a referred refugee."""

from datetime import date, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import CandidateState
from duos.models import (
    Activity,
    Answer,
    CheckIn,
    DuoState,
    GroupActivity,
    Registration,
    RegistrationState,
    Reminder,
    Side,
)
from tests.factories import (
    DuoFactory,
    ReferredRefugeeFactory,
    RefugeeFactory,
    SponsorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MY_DUO = reverse("duos:my_duo")
# A duo started on 5 January 2026 at noon, Paris time: month 1 is 5 Jan to 4 Feb, its reminder
# on 25 Jan; month 2 is 5 Feb to 4 Mar, its reminder on 25 Feb; and so on.
STARTED = datetime(2026, 1, 5, 12, 0)


def aware(value: datetime) -> datetime:
    return timezone.make_aware(value)


def english(client, user) -> None:
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def checkin(duo, month, side, met, activity="") -> CheckIn:
    return CheckIn.objects.create(
        duo=duo, month=month, side=side, met=met, activity=activity, answered_at=timezone.now()
    )


@pytest.fixture
def active_duo():
    sponsor = SponsorFactory(
        state=CandidateState.IN_DUO,
        first_name="Claire",
        phone="0601020304",
        interests=["cinema", "walking"],
        languages=[{"code": "fr", "level": "native"}, {"code": "en", "level": "fluent"}],
    )
    refugee = RefugeeFactory(
        state=CandidateState.IN_DUO,
        first_name="Yonas",
        phone="0708091011",
        commune="Montreuil",
        interests=["walking", "football"],
        languages=[{"code": "ti", "level": "native"}, {"code": "en", "level": "fluent"}],
    )
    return DuoFactory(started_at=aware(STARTED), sponsor=sponsor, refugee=refugee)


# Who sees it ---------------------------------------------------------------------------------


def test_participant_page_anonymous_is_sent_to_log_in(client):
    response = client.get(MY_DUO)

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


def test_participant_page_refuses_post(client, active_duo):
    client.force_login(active_duo.sponsor.user)

    assert client.post(MY_DUO).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("side", ["sponsor", "refugee"])
def test_participant_page_shows_each_person_their_own_duo(client, active_duo, side):
    person = getattr(active_duo, side)
    other = active_duo.refugee if side == "sponsor" else active_duo.sponsor
    english(client, person.user)

    response = client.get(MY_DUO)

    assert response.status_code == HTTPStatus.OK
    assert response.context["duo"] == active_duo
    assert response.context["other"] == other
    assert other.first_name in response.content.decode()


def test_participant_page_shows_a_person_without_a_duo_that_there_is_none(client, sponsor):
    # A declined proposal is not followed: the person is back in the pool.
    DuoFactory(sponsor=sponsor, state=DuoState.DECLINED, started_at=None)
    english(client, sponsor.user)

    response = client.get(MY_DUO)

    assert response.status_code == HTTPStatus.OK
    assert response.context["duo"] is None
    assert "No duo yet" in response.content.decode()


def test_participant_page_is_not_for_staff_nor_social_workers(client, staff, social_worker):
    for user in (staff, social_worker.user):
        client.force_login(user)
        assert client.get(MY_DUO).status_code == HTTPStatus.NOT_FOUND


def test_participant_page_social_worker_sees_their_referred_refugee_duo(client, social_worker):
    refugee = ReferredRefugeeFactory(
        referrer=social_worker.user, state=CandidateState.IN_DUO, first_name="Amina"
    )
    duo = DuoFactory(started_at=aware(STARTED), refugee=refugee)
    english(client, social_worker.user)

    response = client.get(reverse("duos:referred_duo", args=[refugee.pk]))

    assert response.status_code == HTTPStatus.OK
    assert response.context["duo"] == duo
    assert response.context["for_someone_else"] is True
    assert "The duo of Amina" in response.content.decode()


def test_participant_page_social_worker_cannot_see_another_workers_refugee(client, social_worker):
    stranger = ReferredRefugeeFactory(state=CandidateState.IN_DUO)
    DuoFactory(started_at=aware(STARTED), refugee=stranger)
    client.force_login(social_worker.user)

    response = client.get(reverse("duos:referred_duo", args=[stranger.pk]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_participant_page_of_a_referred_refugee_is_not_for_the_people_of_the_duo(
    client, social_worker
):
    refugee = ReferredRefugeeFactory(referrer=social_worker.user, state=CandidateState.IN_DUO)
    duo = DuoFactory(started_at=aware(STARTED), refugee=refugee)
    url = reverse("duos:referred_duo", args=[refugee.pk])

    for user in (duo.sponsor.user, UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_participant_page_of_a_referred_refugee_anonymous_and_post(client, social_worker):
    refugee = ReferredRefugeeFactory(referrer=social_worker.user, state=CandidateState.IN_DUO)
    DuoFactory(started_at=aware(STARTED), refugee=refugee)
    url = reverse("duos:referred_duo", args=[refugee.pk])

    assert reverse("account_login") in client.get(url)["Location"]
    client.force_login(social_worker.user)
    assert client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_participant_page_of_an_unknown_or_huge_pk_is_a_404(client, social_worker):
    client.force_login(social_worker.user)

    for pk in (0, 10**6, 2**63 + 1):
        assert client.get(f"/referent/duo/{pk}/").status_code == HTTPStatus.NOT_FOUND


def test_participant_page_is_linked_from_the_persons_space(client, active_duo):
    english(client, active_duo.sponsor.user)

    response = client.get(reverse("accounts:dashboard"))

    assert MY_DUO in response.content.decode()


# Contact details -----------------------------------------------------------------------------


def test_participant_page_shows_contact_details_of_an_active_duo(client, active_duo):
    english(client, active_duo.sponsor.user)

    body = client.get(MY_DUO).content.decode()

    assert active_duo.refugee.user.email in body
    assert "0708091011" in body
    # The person's own details are not the point of the page, nor anyone's last name.
    assert active_duo.refugee.last_name not in body


def test_participant_page_hides_contact_details_while_suspended(client, active_duo):
    active_duo.suspended_at = timezone.now()
    active_duo.save(update_fields=["suspended_at"])
    english(client, active_duo.sponsor.user)

    response = client.get(MY_DUO)
    body = response.content.decode()

    assert response.context["show_contact"] is False
    assert active_duo.refugee.user.email not in body
    assert "0708091011" not in body
    assert "The programme team is in touch about this duo" in body


def test_participant_page_hides_contact_details_while_waiting(client):
    duo = DuoFactory(waiting=True, expires_at=timezone.now() + timedelta(days=10))
    duo.refugee.phone = "0708091011"
    duo.refugee.save(update_fields=["phone"])
    english(client, duo.sponsor.user)

    response = client.get(MY_DUO)
    body = response.content.decode()

    assert response.context["show_contact"] is False
    assert duo.refugee.user.email not in body
    assert "0708091011" not in body
    assert duo.refugee.first_name in body


@pytest.mark.parametrize("state", [DuoState.ENDED, DuoState.COMPLETED])
def test_participant_page_hides_contact_details_once_the_duo_is_over(client, state):
    duo = DuoFactory(
        started_at=aware(STARTED), state=state, ended_at=aware(STARTED) + timedelta(days=60)
    )
    english(client, duo.sponsor.user)

    response = client.get(MY_DUO)

    assert response.context["duo"] == duo
    assert response.context["show_contact"] is False
    assert duo.refugee.user.email not in response.content.decode()


def test_participant_page_contact_of_a_referred_partner_is_their_social_worker(
    client, social_worker
):
    refugee = ReferredRefugeeFactory(referrer=social_worker.user, state=CandidateState.IN_DUO)
    duo = DuoFactory(started_at=aware(STARTED), refugee=refugee)
    english(client, duo.sponsor.user)

    body = client.get(MY_DUO).content.decode()

    assert social_worker.user.email in body
    assert "Through their social worker" in body


def test_participant_page_shows_what_the_duo_shares(client, active_duo):
    english(client, active_duo.sponsor.user)

    response = client.get(MY_DUO)

    assert response.context["shared"] == {"languages": ["English"], "interests": ["walking"]}
    assert "Montreuil" in response.content.decode()


# Waiting for the answers ---------------------------------------------------------------------


def test_participant_page_of_a_waiting_duo_offers_the_answer_links(client):
    duo = DuoFactory(waiting=True, expires_at=timezone.now() + timedelta(days=10))
    english(client, duo.refugee.user)

    response = client.get(MY_DUO)

    assert response.context["waiting"] is True
    accept = client.get(response.context["accept_url"])
    assert accept.status_code == HTTPStatus.OK
    assert accept.context["link"].side == Side.REFUGEE
    assert accept.context["accepting"] is True
    duo.refresh_from_db()
    assert duo.refugee_answer == ""  # opening the page changed nothing


def test_participant_page_of_a_waiting_duo_says_when_the_answer_is_given(client):
    duo = DuoFactory(
        waiting=True, expires_at=timezone.now() + timedelta(days=10), sponsor_answer=Answer.ACCEPTED
    )
    english(client, duo.sponsor.user)

    response = client.get(MY_DUO)

    assert "accept_url" not in response.context
    assert "Yes is recorded" in response.content.decode()


def test_participant_page_of_a_waiting_duo_past_its_deadline_offers_no_link(client):
    duo = DuoFactory(waiting=True, expires_at=timezone.now() - timedelta(hours=1))
    english(client, duo.sponsor.user)

    response = client.get(MY_DUO)

    assert "accept_url" not in response.context
    assert "The time to answer is over" in response.content.decode()


# Months and the next reminder ----------------------------------------------------------------


def statuses(response) -> list[tuple[int, str, bool]]:
    return [(row.month, row.status, row.current) for row in response.context["months"]]


def test_participant_page_lists_the_months_so_far(client, active_duo):
    checkin(active_duo, 1, Side.SPONSOR, met=True, activity=Activity.WALK)
    checkin(active_duo, 2, Side.SPONSOR, met=False)
    # The other side's answers are theirs: the page shows the person's own.
    checkin(active_duo, 3, Side.REFUGEE, met=True)
    english(client, active_duo.sponsor.user)

    with time_machine.travel(aware(datetime(2026, 4, 10, 9, 0)), tick=False):
        response = client.get(MY_DUO)

    assert statuses(response) == [
        (1, "met", False),
        (2, "not_yet", False),
        (3, "no_answer", False),
        (4, "no_answer", True),
    ]
    assert response.context["months"][0].activity == "A walk"
    assert response.context["months"][3].starts_on == date(2026, 4, 5)
    assert response.context["next_reminder_on"] == date(2026, 4, 25)
    assert response.context["month_count"] == 6


def test_participant_page_next_reminder_on_the_day_itself(client, active_duo):
    english(client, active_duo.refugee.user)

    with time_machine.travel(aware(datetime(2026, 1, 25, 8, 0)), tick=False):
        response = client.get(MY_DUO)

    assert statuses(response) == [(1, "no_answer", True)]
    assert response.context["next_reminder_on"] == date(2026, 1, 25)


def test_participant_page_counts_the_months_added_and_the_shift(client, active_duo):
    active_duo.extra_months = 2
    active_duo.shift_days = 10
    active_duo.save(update_fields=["extra_months", "shift_days"])
    english(client, active_duo.sponsor.user)

    # Day 1 is 15 January: month 7 runs from 15 July to 14 August.
    with time_machine.travel(aware(datetime(2026, 7, 20, 9, 0)), tick=False):
        response = client.get(MY_DUO)

    assert response.context["month_count"] == 8
    assert [row.month for row in response.context["months"]] == [1, 2, 3, 4, 5, 6, 7]
    assert response.context["months"][-1].current is True
    assert response.context["next_reminder_on"] == date(2026, 8, 4)


def test_participant_page_no_next_reminder_while_paused(client, active_duo):
    active_duo.paused_at = aware(datetime(2026, 3, 1, 10, 0))
    active_duo.save(update_fields=["paused_at"])
    english(client, active_duo.sponsor.user)

    with time_machine.travel(aware(datetime(2026, 3, 10, 9, 0)), tick=False):
        response = client.get(MY_DUO)

    assert response.context["next_reminder_on"] is None
    assert "The duo is paused" in response.content.decode()


def test_participant_page_offers_the_open_months_checkin_form(client, active_duo):
    reminder = Reminder.objects.create(
        duo=active_duo, month=2, side=Side.SPONSOR, sent_at=aware(datetime(2026, 2, 25, 9, 0))
    )
    english(client, active_duo.sponsor.user)

    with time_machine.travel(aware(datetime(2026, 3, 2, 9, 0)), tick=False):
        response = client.get(MY_DUO)
        form = response.context["open_month"]
        answered = client.post(
            reverse("duos:my_duo_checkin"), {"reminder": form["reminder_pk"], "answer": "met"}
        )

    assert (form["month"], form["reminder_pk"], form["answer"]) == (2, reminder.pk, "no_answer")
    # Month 2 ends on 4 March and closes 14 days later: answers can change until 18 March.
    assert form["last_day"] == date(2026, 3, 18)
    assert answered.status_code == HTTPStatus.FOUND
    assert CheckIn.objects.get(duo=active_duo, month=2, side=Side.SPONSOR).met is True


def test_participant_page_no_checkin_form_for_the_other_side(client, active_duo):
    Reminder.objects.create(
        duo=active_duo, month=2, side=Side.REFUGEE, sent_at=aware(datetime(2026, 2, 25, 9, 0))
    )
    english(client, active_duo.sponsor.user)

    with time_machine.travel(aware(datetime(2026, 3, 2, 9, 0)), tick=False):
        response = client.get(MY_DUO)

    assert response.context["open_month"] is None


# Queries -------------------------------------------------------------------------------------


def test_participant_page_queries_do_not_grow_with_the_duos_history(
    client, active_duo, django_assert_max_num_queries
):
    for month in range(1, 6):
        for side in Side.values:
            checkin(active_duo, month, side, met=True)
            Reminder.objects.create(duo=active_duo, month=month, side=side, sent_at=timezone.now())
    for days in range(1, 6):
        group_activity(f"Activity {days}", days)
    # Earlier duos of the same person are not loaded.
    for _ in range(3):
        DuoFactory(sponsor=active_duo.sponsor, state=DuoState.DECLINED, started_at=None)
    client.force_login(active_duo.sponsor.user)

    # Session, user, verified email, person, duo, activities, check-ins, the open month's
    # reminder, and the menu's permission check (the user's and their groups').
    with (
        time_machine.travel(aware(datetime(2026, 6, 10, 9, 0)), tick=False),
        django_assert_max_num_queries(10),
    ):
        response = client.get(MY_DUO)

    assert len(response.context["months"]) == 6


def test_participant_page_after_the_last_reminder_announces_the_closing_email(client, active_duo):
    english(client, active_duo.sponsor.user)

    # Month 6 runs from 5 June to 4 July; its reminder went on 25 June.
    with time_machine.travel(aware(datetime(2026, 6, 28, 9, 0)), tick=False):
        response = client.get(MY_DUO)

    assert response.context["next_reminder_on"] == date(2026, 7, 5)
    assert response.context["next_is_closing"] is True
    assert "a last email brings a short survey" in response.content.decode()


def test_participant_page_months_stop_while_paused(client, active_duo):
    checkin(active_duo, 2, Side.SPONSOR, met=True)
    active_duo.paused_at = aware(datetime(2026, 3, 1, 10, 0))
    active_duo.save(update_fields=["paused_at"])
    english(client, active_duo.sponsor.user)

    # Month 3 would have started on 5 March: the pause stopped the clock in month 2.
    with time_machine.travel(aware(datetime(2026, 3, 20, 9, 0)), tick=False):
        response = client.get(MY_DUO)

    assert statuses(response) == [(1, "no_answer", False), (2, "met", True)]


# Group activities ----------------------------------------------------------------------------


def group_activity(title, starts_in_days, **fields) -> GroupActivity:
    starts_at = timezone.now() + timedelta(days=starts_in_days)
    return GroupActivity.objects.create(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place="Maison des associations",
        capacity=fields.pop("capacity", 20),
        **fields,
    )


def test_participant_page_lists_the_next_three_group_activities(client, active_duo):
    group_activity("Past picnic", -3)
    group_activity("Dropped concert", 2, cancelled_at=timezone.now())
    later = group_activity("Museum visit", 20)
    group_activity("Cooking workshop", 5)
    group_activity("Football match", 10)
    group_activity("Theatre", 40)
    Registration.objects.create(
        activity=later, person=active_duo.sponsor, state=RegistrationState.REGISTERED
    )
    english(client, active_duo.sponsor.user)

    response = client.get(MY_DUO)
    body = response.content.decode()

    assert [a.title for a in response.context["activities"]] == [
        "Cooking workshop",
        "Football match",
        "Museum visit",
    ]
    assert reverse("duos:activity", args=[later.pk]) in body
    assert "Registered" in body
    assert "Theatre" not in body


def test_participant_page_no_group_activities_before_the_duo_starts(client):
    group_activity("Cooking workshop", 5)
    duo = DuoFactory(waiting=True, expires_at=timezone.now() + timedelta(days=10))
    english(client, duo.sponsor.user)

    response = client.get(MY_DUO)

    assert response.context["activities"] == []


# Reports and the team ------------------------------------------------------------------------


def test_participant_page_links_the_confidential_report(client, active_duo):
    english(client, active_duo.refugee.user)

    body = client.get(MY_DUO).content.decode()

    assert reverse("duos:report_new", args=[active_duo.pk]) in body
    assert settings.PROGRAMME_EMAIL in body


@pytest.mark.parametrize(("ended_days_ago", "linked"), [(5, True), (400, False)])
def test_participant_page_of_a_finished_duo_links_the_report_for_a_while(
    client, ended_days_ago, linked
):
    ended_at = timezone.now() - timedelta(days=ended_days_ago)
    duo = DuoFactory(started_at=aware(STARTED), state=DuoState.COMPLETED, ended_at=ended_at)
    english(client, duo.sponsor.user)

    body = client.get(MY_DUO).content.decode()

    report_url = reverse("duos:report_new", args=[duo.pk])
    assert (report_url in body) is linked
    assert (client.get(report_url).status_code == HTTPStatus.OK) is linked
    assert settings.PROGRAMME_EMAIL in body
