"""The team's follow-up: timelines, the queue of duos to call first, notes and actions."""

from datetime import date, datetime, time, timedelta
from http import HTTPStatus
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from duos.followup import selectors, timeline
from duos.models import (
    Activity,
    CheckIn,
    Duo,
    DuoNote,
    DuoState,
    Report,
    ReportCategory,
    ReportStatus,
    Side,
)
from tests.factories import (
    DuoFactory,
    SponsorFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The reasons are worded in the active language: these tests read the English ones."""
    with translation.override("en"):
        yield


START = date(2026, 1, 1)
# Month 1 closed on Feb 15, month 2 on Mar 15, month 3 on Apr 15; month 4's reminder went out
# on Apr 21 and it closes on May 15; months 5 and 6 are to come.
TODAY = date(2026, 4, 25)


def aware(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def answer(duo: Duo, month: int, side: str = Side.SPONSOR, *, met: bool, **fields) -> CheckIn:
    return CheckIn.objects.create(
        duo=duo, month=month, side=side, met=met, answered_at=aware(START), **fields
    )


def report(duo: Duo, *, urgent: bool = False, status: str = ReportStatus.OPEN) -> Report:
    return Report.objects.create(
        duo=duo,
        side=Side.REFUGEE,
        reporter=duo.refugee,
        category=ReportCategory.NO_NEWS,
        text="Plus de nouvelles.",
        urgent=urgent,
        status=status,
    )


def row_of(duo: Duo, today: date = TODAY) -> timeline.DuoFollowup:
    (row,) = selectors.followup_rows(Duo.objects.filter(pk=duo.pk), today=today)
    return row


def statuses(row: timeline.DuoFollowup) -> list[str]:
    return [cell.status for cell in row.months]


def codes(row: timeline.DuoFollowup) -> dict[str, int]:
    return {signal.code: signal.points for signal in row.signals}


# Timelines


def test_followup_timeline_says_met_not_yet_no_answer_or_to_come():
    duo = DuoFactory(started_at=aware(START))
    answer(duo, 1, Side.SPONSOR, met=True, activity=Activity.WALK)
    answer(duo, 1, Side.REFUGEE, met=False)  # either side's meeting counts
    answer(duo, 2, Side.REFUGEE, met=False)

    row = row_of(duo)

    assert statuses(row) == [
        timeline.MET,
        timeline.NOT_YET,
        timeline.NO_ANSWER,
        timeline.NO_ANSWER,
        timeline.FUTURE,
        timeline.FUTURE,
    ]
    assert [cell.closed for cell in row.months] == [True, True, True, False, False, False]
    assert [cell.open for cell in row.months] == [False, False, False, True, False, False]
    assert row.current_month == 4


def test_followup_timeline_before_the_reminder_is_to_come():
    duo = DuoFactory(started_at=aware(START))

    row = row_of(duo, today=date(2026, 1, 20))  # the first reminder goes on Jan 21

    assert statuses(row) == [timeline.FUTURE] * 6
    assert row.current_month == 1
    assert row_of(duo, today=date(2026, 1, 21)).months[0].status == timeline.NO_ANSWER


def test_followup_timeline_of_a_paused_duo_stops_on_the_day_of_the_pause():
    duo = DuoFactory(started_at=aware(START), paused_at=aware(date(2026, 2, 10)))

    row = row_of(duo)

    # On Feb 10, month 1's reminder had gone out and it was still open; month 2 was to come.
    assert statuses(row)[:2] == [timeline.NO_ANSWER, timeline.FUTURE]
    assert row.months[0].open
    assert row.current_month == 2


def test_followup_timeline_of_an_extended_duo_has_its_added_months():
    duo = DuoFactory(started_at=aware(START), extra_months=2)

    row = row_of(duo)

    assert [cell.month for cell in row.months] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert statuses(row)[-1] == timeline.FUTURE


def test_followup_timeline_of_a_duo_ended_early_marks_the_rest_not_held():
    duo = DuoFactory(
        started_at=aware(START), state=DuoState.ENDED, ended_at=aware(date(2026, 2, 10))
    )
    answer(duo, 1, met=True)

    row = row_of(duo)

    assert statuses(row) == [timeline.MET] + [timeline.NOT_HELD] * 5
    assert row.current_month is None


def test_followup_lists_active_duos_only_paused_and_suspended_included():
    running = DuoFactory(started_at=aware(START))
    paused = DuoFactory(started_at=aware(START), paused_at=aware(date(2026, 3, 1)))
    suspended = DuoFactory(started_at=aware(START), suspended_at=aware(date(2026, 3, 1)))
    DuoFactory(started_at=aware(START), state=DuoState.ENDED, ended_at=aware(date(2026, 2, 1)))
    DuoFactory(started_at=aware(START), state=DuoState.COMPLETED, ended_at=aware(date(2026, 2, 1)))
    DuoFactory(waiting=True, expires_at=aware(START))  # waiting for answers

    assert set(selectors.followed_duos()) == {running, paused, suspended}


# The queue: each signal


def test_followup_queue_two_months_in_a_row_without_a_meeting():
    duo = DuoFactory(started_at=aware(START))
    answer(duo, 1, met=True)
    answer(duo, 2, met=False)
    answer(duo, 3, Side.REFUGEE, met=False)

    row = row_of(duo)

    assert codes(row) == {"no_meeting": 2 * timeline.STREAK_POINTS}
    assert row.signals[0].text == "No meeting reported for 2 months in a row (months 2 to 3)."


def test_followup_queue_a_meeting_ends_the_streak_and_an_open_month_waits():
    broken = DuoFactory(started_at=aware(START))
    answer(broken, 1, met=False)
    answer(broken, 2, met=False)
    answer(broken, 3, met=True)
    # Month 4 is open without an answer yet: it neither adds to nor breaks the streak.
    waiting = DuoFactory(started_at=aware(START))
    answer(waiting, 1, met=True)
    answer(waiting, 2, met=True)
    answer(waiting, 3, met=False)

    assert row_of(broken).signals == []
    assert row_of(waiting).signals == []
    # Once month 4 closed without an answer, waiting has two months without a meeting.
    later = row_of(waiting, today=date(2026, 5, 15))
    assert codes(later) == {
        "no_meeting": 2 * timeline.STREAK_POINTS,
        "unanswered": timeline.UNANSWERED_POINTS,
    }


def test_followup_queue_closed_months_with_no_answer_from_either_side():
    duo = DuoFactory(started_at=aware(START))
    answer(duo, 2, met=True)

    row = row_of(duo)

    # Months 1 and 3 closed unanswered; month 4 is still open.
    assert codes(row) == {"unanswered": 2 * timeline.UNANSWERED_POINTS}
    assert row.signals[0].text == "2 months closed with no answer from either side (months 1, 3)."


def test_followup_queue_a_low_midway_answer():
    low = DuoFactory(started_at=aware(START))
    answer(low, 3, Side.REFUGEE, met=True, mood=2)
    answer(low, 3, Side.SPONSOR, met=True, mood=4)
    lowest = DuoFactory(started_at=aware(START))
    answer(lowest, 3, Side.SPONSOR, met=True, mood=1)
    fine = DuoFactory(started_at=aware(START))
    answer(fine, 3, Side.SPONSOR, met=True, mood=3)
    for duo in (low, lowest, fine):
        answer(duo, 1, met=True)
        answer(duo, 2, met=True)

    assert codes(row_of(low)) == {"low_midway": timeline.LOW_MOOD_POINTS}
    assert row_of(low).signals[0].text == "Low mid-way answer: the refugee said it goes 2 out of 5."
    assert codes(row_of(lowest)) == {"low_midway": timeline.LOWEST_MOOD_POINTS}
    assert "the sponsor said it goes 1 out of 5" in row_of(lowest).signals[0].text
    assert row_of(fine).signals == []


def test_followup_queue_open_reports_urgent_weighs_more():
    plain = DuoFactory(started_at=aware(date(2026, 4, 1)))  # month 1, nothing asked yet
    report(plain)
    report(plain, status=ReportStatus.CLOSED)
    urgent = DuoFactory(started_at=aware(date(2026, 4, 1)))
    report(urgent, urgent=True)
    report(urgent, status=ReportStatus.IN_PROGRESS)
    closed = DuoFactory(started_at=aware(date(2026, 4, 1)))
    report(closed, urgent=True, status=ReportStatus.CLOSED)

    assert codes(row_of(plain)) == {"open_report": timeline.REPORT_POINTS}
    assert row_of(plain).signals[0].text == "1 report is open."
    assert codes(row_of(urgent)) == {
        "open_report": timeline.URGENT_REPORT_POINTS + timeline.REPORT_POINTS
    }
    assert row_of(urgent).signals[0].text == "1 urgent report is open. And 1 other report."
    assert row_of(closed).signals == []


def test_followup_queue_ranks_by_combined_score_then_by_start():
    # Each duo is in month 4 (open); months 1 to 3 say what we want.
    # 3 closed months unanswered: streak 3 (9) + unanswered 3 (6) = 15
    silent = DuoFactory(started_at=aware(START))
    urgent = DuoFactory(started_at=aware(START))  # met every month, an urgent report: 10
    for month in (1, 2, 3):
        answer(urgent, month, met=True)
    report(urgent, urgent=True)
    # two "not yet" (6) and a low mid-way answer (4) = 10, earlier
    two_signals = DuoFactory(started_at=aware(START))
    answer(two_signals, 1, met=True)
    answer(two_signals, 2, met=False)
    answer(two_signals, 3, met=False, mood=2)
    two_signals.started_at -= timedelta(hours=1)
    two_signals.save(update_fields=["started_at"])
    calm = DuoFactory(started_at=aware(START))
    for month in (1, 2, 3):
        answer(calm, month, met=True)

    queue = selectors.call_queue(selectors.followup_rows(selectors.followed_duos(), today=TODAY))

    assert [row.duo for row in queue] == [silent, two_signals, urgent]
    assert [row.score for row in queue] == [15, 10, 10]
    assert [signal.code for signal in queue[1].signals] == ["no_meeting", "low_midway"]


def test_followup_ranking_gives_the_rows_scores_and_order():
    """The follow-up page ranks every active duo on its months' statuses, without building
    their rows (`rank_duos`): the same scores and order as the rows' (`call_queue`)."""
    silent = DuoFactory(started_at=aware(START))
    DuoFactory(started_at=aware(date(2026, 1, 31)))  # months clamped: Feb 28, Mar 31
    DuoFactory(started_at=aware(START), shift_days=12)
    paused = DuoFactory(started_at=aware(START), paused_at=aware(date(2026, 3, 20)))
    answer(paused, 1, met=False)
    answer(paused, 2, met=False)
    extended = DuoFactory(started_at=aware(date(2025, 11, 3)), extra_months=2)
    answer(extended, 1, met=True)
    answer(extended, 3, Side.REFUGEE, met=False, mood=2)
    answer(extended, 3, met=False, mood=1)
    reported = DuoFactory(started_at=aware(START))
    for month in (1, 2, 3):
        answer(reported, month, met=True)
    answer(reported, 3, Side.REFUGEE, met=False, mood=2)
    report(reported, urgent=True)
    report(reported)
    report(reported, status=ReportStatus.CLOSED)
    calm = DuoFactory(started_at=aware(START))
    for month in (1, 2, 3):
        answer(calm, month, met=True)

    ranking = selectors.rank_duos(today=TODAY)
    queue = selectors.call_queue(selectors.followup_rows(selectors.followed_duos(), today=TODAY))

    assert [duo.pk for duo in ranking.duos] == [duo.pk for duo in selectors.followed_duos()]
    assert [duo.pk for duo in ranking.queue] == [row.duo.pk for row in queue]
    assert [ranking.followup.score(duo) for duo in ranking.queue] == [row.score for row in queue]
    assert len({row.score for row in queue}) >= 4
    assert silent.pk in {duo.pk for duo in ranking.queue}
    assert calm.pk not in {duo.pk for duo in ranking.queue}
    rows = ranking.rows(ranking.queue)
    for row in queue:
        shown = rows[row.duo.pk]
        assert shown.duo == row.duo
        assert shown.months == row.months
        assert shown.signals == row.signals


def test_followup_ranking_shows_no_row_of_a_duo_deleted_since():
    kept, deleted = DuoFactory(started_at=aware(START)), DuoFactory(started_at=aware(START))
    ranking = selectors.rank_duos(today=TODAY)
    Duo.objects.filter(pk=deleted.pk).delete()

    assert list(ranking.rows(ranking.duos)) == [kept.pk]


# Bounded queries


@pytest.mark.parametrize("count", [3, 30])
def test_followup_rows_read_a_fixed_number_of_queries(count, django_assert_num_queries):
    for _ in range(count):
        duo = DuoFactory(started_at=aware(START))
        answer(duo, 1, met=True)
        answer(duo, 3, met=False, mood=2)
        report(duo)

    with django_assert_num_queries(3):  # the duos, their check-ins, their open reports
        rows = selectors.followup_rows(selectors.followed_duos(), today=TODAY)
        queue = selectors.call_queue(rows)
        [row.unreachable for row in rows]

    assert len(queue) == count


# Session, user, MFA, the user's permissions (own and group's in one), then the duos' clocks,
# their check-ins and their open reports, then the people of the duos shown: the same for 3
# and 30.
FOLLOWUP_PAGE_QUERIES = 8


@pytest.mark.parametrize("count", [3, 30])
def test_followup_page_queries_do_not_grow_with_the_duos(
    count, staff_client, django_assert_num_queries
):
    for _ in range(count):
        duo = DuoFactory(started_at=aware(START))
        answer(duo, 1, met=True)
        report(duo, urgent=True)

    with django_assert_num_queries(FOLLOWUP_PAGE_QUERIES):
        response = staff_client.get(reverse("duos:followup"))

    assert response.status_code == HTTPStatus.OK
    assert len(response.context["queue"]) == min(count, 20)


def test_followup_page_reads_no_profile_it_does_not_show(staff_client):
    """It ranks every active duo (500 in the load test): it loads names and email bounces of
    both people, not their whole profiles and accounts (README, "Load test")."""
    DuoFactory(started_at=aware(START))

    response = staff_client.get(reverse("duos:followup"))

    (row,) = response.context["page_obj"]
    for person in (row.duo.sponsor, row.duo.refugee):
        assert {"about", "hopes", "languages", "phone"} <= person.get_deferred_fields()
        assert {"password", "email"} <= person.user.get_deferred_fields()


# Pages


def _cell(month, status, *, current=False, open=False) -> timeline.MonthCell:
    start = date(2026, month, 1)
    return timeline.MonthCell(month, status, start, start, open=open, closed=False, current=current)


def _draw(months) -> str:
    return Template("{% load followup_tags %}{% timeline months %}").render(
        Context({"months": months})
    )


def test_timeline_tag_draws_each_month_its_status_the_current_one_and_those_still_open():
    html = _draw(
        [
            _cell(1, timeline.MET),
            _cell(2, timeline.NO_ANSWER, current=True, open=True),
            _cell(3, timeline.FUTURE),
        ]
    )

    assert html.startswith('<ol class="timeline" aria-label="Months of the duo">')
    assert '<li class="met">Month 1: <strong>met</strong></li>' in html
    assert (
        '<li class="no_answer current">Month 2: <strong>no answer</strong>'
        ' <span class="visually-hidden">(current month)</span> · open</li>'
    ) in html
    assert '<li class="future">Month 3: <strong>to come</strong></li>' in html


def test_timeline_tag_of_a_duo_not_started_and_in_french():
    assert "<li>Not started</li>" in _draw([])
    with translation.override("fr"):
        assert "Mois 1\u00a0: <strong>" in _draw([_cell(1, timeline.MET)])


def _flags(duo, unreachable=()) -> str:
    return Template("{% load followup_tags %}{% flags row %}").render(
        Context({"row": SimpleNamespace(duo=duo, unreachable=list(unreachable))})
    )


def test_flags_tag_says_paused_suspended_extended_and_unreachable():
    duo = Duo(
        paused_at=aware(date(2026, 3, 4)), suspended_at=aware(date(2026, 3, 5)), extra_months=2
    )

    html = _flags(duo, [Side.SPONSOR, Side.REFUGEE])

    assert html == (
        '<span class="flag">Paused since 04/03/2026</span>\n'
        '<span class="flag alert">Suspended since 05/03/2026</span>\n'
        '<span class="flag">Extended by 2 months</span>\n'
        '<span class="flag alert">Sponsor unreachable by email</span>'
        '<span class="flag alert">Refugee unreachable by email</span>\n'
    )
    assert _flags(Duo()) == "\n\n\n\n"


def test_flags_tag_in_french():
    with translation.override("fr"):
        html = _flags(Duo(extra_months=1), [Side.REFUGEE])

    assert html == (
        '\n\n<span class="flag">Prolongé de 1 mois</span>\n'
        '<span class="flag alert">Personne réfugiée injoignable par e-mail</span>\n'
    )


def test_followup_page_shows_the_queue_with_reasons_and_every_timeline(staff_client):
    quiet = DuoFactory(started_at=aware(START))
    answer(quiet, 1, met=False)
    answer(quiet, 2, met=False)
    fine = DuoFactory(started_at=aware(START), paused_at=aware(date(2026, 4, 20)))
    answer(fine, 1, met=True, activity=Activity.COFFEE)

    with time_machine.travel(aware(TODAY), tick=False):
        response = staff_client.get(reverse("duos:followup"))

    assert response.status_code == HTTPStatus.OK
    assert [row.duo for row in response.context["queue"]] == [quiet, fine]
    body = response.content.decode()
    queue_part = body.split('id="list-title"')[0]
    assert "No meeting reported for 3 months in a row (months 1 to 3)." in queue_part
    assert f"{quiet.sponsor} + {quiet.refugee}" in queue_part
    assert "Paused since" in body
    assert reverse("duos:duo_detail", args=[fine.pk]) in body
    assert body.count('class="timeline"') == 2  # one per duo of the list


def test_followup_page_is_linked_from_the_navigation_for_the_team_only(staff_client, client):
    home = staff_client.get(reverse("duos:waiting"))
    assert reverse("duos:followup") in home.content.decode()

    client.force_login(SponsorFactory().user)
    assert reverse("duos:followup") not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "name",
    ["followup", "duo_detail", "duo_note", "duo_pause", "duo_resume", "duo_extend", "duo_end"],
)
def test_followup_views_send_anonymous_visitors_to_log_in_and_hide_from_others(client, name):
    duo = DuoFactory(started_at=aware(START))
    url = reverse(f"duos:{name}") if name == "followup" else reverse(f"duos:{name}", args=[duo.pk])
    send = client.get if name in ("followup", "duo_detail") else client.post

    anonymous = send(url)
    assert anonymous.status_code == HTTPStatus.FOUND
    assert anonymous.url.startswith(reverse("account_login"))
    for outsider in (SponsorFactory().user, duo.refugee.user, UserFactory()):
        client.force_login(outsider)
        assert send(url).status_code == HTTPStatus.NOT_FOUND
    assert not DuoNote.objects.exists()


@pytest.mark.parametrize("name", ["duo_note", "duo_pause", "duo_resume", "duo_extend", "duo_end"])
def test_followup_actions_take_post_only(staff_client, name):
    duo = DuoFactory(started_at=aware(START))

    assert staff_client.get(reverse(f"duos:{name}", args=[duo.pk])).status_code == 405


def test_followup_actions_need_their_permission(client):
    viewer = StaffFactory(language="en")
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_duo"))
    client.force_login(viewer)
    duo = DuoFactory(started_at=aware(START))

    assert client.get(reverse("duos:duo_detail", args=[duo.pk])).status_code == HTTPStatus.OK
    for name in ["duo_note", "duo_pause", "duo_resume", "duo_extend", "duo_end"]:
        response = client.post(reverse(f"duos:{name}", args=[duo.pk]), {"text": "x"})
        assert response.status_code == HTTPStatus.FORBIDDEN, name
    duo.refresh_from_db()
    assert duo.paused_at is None
    assert not DuoNote.objects.exists()


def test_duo_page_shows_people_timeline_checkins_reports_and_bounces(staff_client):
    duo = DuoFactory(started_at=aware(START))
    answer(duo, 1, Side.SPONSOR, met=True, activity=Activity.CULTURE)
    answer(duo, 3, Side.REFUGEE, met=False, mood=2)
    report(duo, urgent=True)
    duo.sponsor.user.email_bounced_at = timezone.now()
    duo.sponsor.user.email_bounce_reason = "550 mailbox unavailable"
    duo.sponsor.user.save()
    DuoNote.objects.create(duo=duo, author=None, text="Appel du 3 mars : tout va bien.")

    with time_machine.travel(aware(TODAY), tick=False):
        response = staff_client.get(reverse("duos:duo_detail", args=[duo.pk]))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert str(duo.sponsor) in body
    assert str(duo.refugee) in body
    assert "A cultural outing" in body
    assert "Unreachable by email" in body
    assert "550 mailbox unavailable" in body
    assert "Appel du 3 mars : tout va bien." in body
    assert "My partner no longer answers" in body
    assert "Low mid-way answer: the refugee said it goes 2 out of 5." in body
    people = {each["person"]: each["unreachable"] for each in response.context["people"]}
    assert people == {duo.sponsor: True, duo.refugee: False}


def test_duo_page_of_a_referred_refugee_says_their_social_worker_is_reached(staff_client):
    from tests.factories import ReferredRefugeeFactory

    refugee = ReferredRefugeeFactory()
    refugee.referrer.email_bounced_at = timezone.now()
    refugee.referrer.save()
    duo = DuoFactory(refugee=refugee, started_at=aware(START))

    response = staff_client.get(reverse("duos:duo_detail", args=[duo.pk]))

    body = response.content.decode()
    assert f"reached through their social worker ({refugee.referrer.email})" in body
    assert response.context["people"][1]["unreachable"]


def test_duo_page_of_an_unknown_duo_is_404(staff_client):
    assert staff_client.get(reverse("duos:duo_detail", args=[999999])).status_code == 404


# Notes


def test_duo_note_is_saved_with_its_author(staff_client, staff):
    duo = DuoFactory(started_at=aware(START))

    response = staff_client.post(
        reverse("duos:duo_note", args=[duo.pk]), {"text": "  Appelé Amina, RDV pris.  "}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("duos:duo_detail", args=[duo.pk])
    note = DuoNote.objects.get()
    assert (note.duo, note.author, note.text) == (duo, staff, "Appelé Amina, RDV pris.")


def test_duo_note_empty_or_too_long_is_refused_and_keeps_what_was_typed(staff_client):
    duo = DuoFactory(started_at=aware(START))

    empty = staff_client.post(reverse("duos:duo_note", args=[duo.pk]), {"text": "   "})
    too_long = "Très long. " * 600
    long = staff_client.post(reverse("duos:duo_note", args=[duo.pk]), {"text": too_long})

    assert empty.status_code == HTTPStatus.BAD_REQUEST
    assert "Write the note before saving it." in empty.content.decode()
    assert long.status_code == HTTPStatus.BAD_REQUEST
    assert long.context["note_form"]["text"].value() == too_long
    assert too_long.strip() in long.content.decode()
    assert not DuoNote.objects.exists()


# Actions (through the lifecycle services)


def post(client, name: str, duo: Duo, data: dict | None = None):
    return client.post(reverse(f"duos:{name}", args=[duo.pk]), data or {})


def test_duo_pause_then_resume_shifts_the_calendar(staff_client):
    duo = DuoFactory(started_at=aware(date(2026, 6, 1)))

    with time_machine.travel(aware(date(2026, 7, 10)), tick=False):
        paused = post(staff_client, "duo_pause", duo)
    with time_machine.travel(aware(date(2026, 8, 20)), tick=False):
        page = staff_client.get(reverse("duos:duo_detail", args=[duo.pk]))
        resumed = post(staff_client, "duo_resume", duo)

    assert paused.status_code == resumed.status_code == HTTPStatus.FOUND
    assert paused.url == resumed.url == reverse("duos:duo_detail", args=[duo.pk])
    assert "Paused since" in page.content.decode()
    assert "Resume the duo" in page.content.decode()
    duo.refresh_from_db()
    assert duo.paused_at is None
    assert duo.shift_days == 41


def test_duo_pause_twice_or_resume_unpaused_shows_why_with_409(staff_client):
    running = DuoFactory(started_at=aware(START))
    paused = DuoFactory(started_at=aware(START), paused_at=aware(date(2026, 3, 1)))

    again = post(staff_client, "duo_pause", paused)
    not_paused = post(staff_client, "duo_resume", running)

    assert again.status_code == not_paused.status_code == HTTPStatus.CONFLICT
    assert "This duo is already paused." in again.content.decode()
    assert "This duo is not paused." in not_paused.content.decode()
    running.refresh_from_db()
    paused.refresh_from_db()
    assert running.paused_at is None
    assert paused.paused_at == aware(date(2026, 3, 1))


def test_duo_actions_on_a_duo_that_ended_are_refused(staff_client):
    duo = DuoFactory(
        started_at=aware(START), state=DuoState.ENDED, ended_at=aware(date(2026, 2, 10))
    )

    response = post(staff_client, "duo_pause", duo)

    assert response.status_code == HTTPStatus.CONFLICT
    assert "This duo has already ended: nothing was changed." in response.content.decode()


def test_duo_extend_adds_months_to_the_timeline(staff_client):
    duo = DuoFactory(started_at=aware(START))

    response = post(staff_client, "duo_extend", duo, {"months": "2"})

    assert response.status_code == HTTPStatus.FOUND
    duo.refresh_from_db()
    assert duo.extra_months == 2
    assert len(row_of(duo).months) == 8


def test_duo_extend_beyond_three_months_is_refused_and_keeps_the_choice(staff_client):
    duo = DuoFactory(started_at=aware(START), extra_months=2)

    response = post(staff_client, "duo_extend", duo, {"months": "3"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "This duo can be extended by 1 more month only." in response.content.decode()
    assert response.context["extend_form"]["months"].value() == "3"
    assert '<option value="3" selected>' in response.content.decode()
    duo.refresh_from_db()
    assert duo.extra_months == 2


@pytest.mark.parametrize(
    ("months", "message"),
    [("", "Choose how many months to add (1 to 3)."), ("7", "extended by 1 to 3 months")],
)
def test_duo_extend_bad_input_is_a_400_with_a_message(staff_client, months, message):
    duo = DuoFactory(started_at=aware(START))

    response = post(staff_client, "duo_extend", duo, {"months": months})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    duo.refresh_from_db()
    assert duo.extra_months == 0


def test_duo_end_with_a_reason_ends_it_and_tells_the_other_person(
    staff_client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    duo = DuoFactory(started_at=aware(START))

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff_client,
            "duo_end",
            duo,
            {
                "reason": "Le parrain déménage à Lyon.",
                "ended_by_side": "sponsor",
                "refugee_back_to_pool": "on",
            },
        )

    assert response.status_code == HTTPStatus.FOUND
    duo.refresh_from_db()
    assert duo.state == DuoState.ENDED
    assert duo.end_reason == "Le parrain déménage à Lyon."
    assert duo.ended_by == staff
    assert duo not in selectors.followed_duos()
    # The sponsor asked: the refugee is told, and the reason stays with the team.
    assert [message.to for message in mailoutbox] == [[duo.refugee.user.email]]
    assert "Lyon" not in mailoutbox[0].body
    page = staff_client.get(reverse("duos:duo_detail", args=[duo.pk])).content.decode()
    assert "Le parrain déménage à Lyon." in page
    assert "End the duo" not in page  # no action on a duo that ended


def test_duo_end_without_a_reason_is_a_400_that_keeps_what_was_typed(staff_client):
    duo = DuoFactory(started_at=aware(START))

    response = post(
        staff_client,
        "duo_end",
        duo,
        {"reason": "  ", "ended_by_side": "refugee", "refugee_back_to_pool": "on"},
    )
    unknown = post(staff_client, "duo_end", duo, {"reason": "Fin.", "ended_by_side": "alien"})

    assert response.status_code == unknown.status_code == HTTPStatus.BAD_REQUEST
    assert "Say why the duo ends." in response.content.decode()
    form = response.context["end_form"]
    assert form["ended_by_side"].value() == "refugee"
    assert form["refugee_back_to_pool"].value() is True
    assert "Choose the sponsor, the refugee or the team." in unknown.content.decode()
    assert unknown.context["end_form"]["reason"].value() == "Fin."
    duo.refresh_from_db()
    assert duo.state == DuoState.ACTIVE


def test_duo_end_of_a_duo_already_ended_is_refused_and_keeps_the_reason(staff_client):
    duo = DuoFactory(
        started_at=aware(START), state=DuoState.COMPLETED, ended_at=aware(date(2026, 7, 1))
    )

    response = post(staff_client, "duo_end", duo, {"reason": "Plus de nouvelles depuis mai."})

    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "This duo is completed: nothing was changed." in body
    assert "Plus de nouvelles depuis mai." in body
    duo.refresh_from_db()
    assert (duo.state, duo.end_reason) == (DuoState.COMPLETED, "")


def test_duo_page_with_an_absurd_id_or_page_is_not_a_500(staff_client):
    DuoFactory(started_at=aware(START))

    assert staff_client.get("/equipe/duos/99999999999999999999999/").status_code == 404
    assert staff_client.get(reverse("duos:followup"), {"page": "x'"}).status_code == 200
