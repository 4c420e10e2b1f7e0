"""The programme dashboard (/equipe/tableau-de-bord/) and its CSV exports."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import CandidateState
from duos.dashboard.exports import CHECKIN_COLUMNS, DUO_COLUMNS
from duos.dashboard.selectors import CACHE_SECONDS, COUNTING_SECONDS, STALE_SECONDS, counting_key
from duos.lib.charts import Series, bar_chart
from duos.lib.csv import csv_cell
from duos.models import (
    Activity,
    CheckIn,
    DuoNote,
    DuoState,
    KeepInTouch,
    Reminder,
    Side,
    SurveyAnswer,
)
from tests.factories import (
    DuoFactory,
    RefugeeFactory,
    SponsorFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("duos:dashboard")
DUOS_CSV = reverse("duos:dashboard_duos_csv")
CHECKINS_CSV = reverse("duos:dashboard_checkins_csv")
TODAY = datetime(2026, 6, 15, 10, 0)


def aware(value: datetime) -> datetime:
    return timezone.make_aware(value)


def checkin(duo, month, side, met, **fields) -> CheckIn:
    return CheckIn.objects.create(
        duo=duo, month=month, side=side, met=met, answered_at=aware(TODAY), **fields
    )


def survey(duo, side, rating, keep, suggestion="") -> SurveyAnswer:
    return SurveyAnswer.objects.create(
        duo=duo,
        side=side,
        person=getattr(duo, side),
        rating=rating,
        keep_in_touch=keep,
        suggestion=suggestion,
        answered_at=aware(TODAY),
    )


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# Who sees it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, DUOS_CSV, CHECKINS_CSV])
def test_dashboard_anonymous_is_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("url", [DASHBOARD, DUOS_CSV, CHECKINS_CSV])
def test_dashboard_is_hidden_from_participants_and_outsiders(client, sponsor, social_worker, url):
    # Two-factor authentication without the team's permissions is not enough either.
    lone_staff = UserFactory(is_staff=True)
    TOTP.activate(lone_staff, generate_totp_secret())
    for user in (sponsor.user, social_worker.user, UserFactory(), lone_staff):
        client.force_login(user)
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("url", [DASHBOARD, DUOS_CSV, CHECKINS_CSV])
def test_dashboard_refuses_post(staff_client, url):
    assert staff_client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_dashboard_needs_two_factor_for_staff(client):
    staff = StaffFactory(totp=False)
    client.force_login(staff)

    response = client.get(DASHBOARD)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("mfa_activate_totp")


def test_dashboard_of_an_empty_programme(staff_client):
    response = staff_client.get(DASHBOARD)

    assert response.status_code == HTTPStatus.OK
    assert response.context["waiting"] == []
    assert response.context["meetings"] == []
    assert response.context["survey"]["count"] == 0
    assert response.context["survey"]["average"] is None
    assert len(response.context["formed"]) == 12


# Figures on a small known data set -----------------------------------------------------------


def test_dashboard_counts_candidates_waiting_by_role_and_departement(staff_client):
    SponsorFactory.create_batch(2, departement="75")
    RefugeeFactory(departement="75")
    RefugeeFactory(departement="93")
    # Not waiting: paused, anonymised, not validated yet, or in an open duo.
    SponsorFactory(departement="75", state=CandidateState.PAUSED)
    SponsorFactory(departement="75", anonymised_at=timezone.now())
    RefugeeFactory(departement="93", state=CandidateState.AWAITING_VALIDATION)
    # In an open duo, as duo_propose leaves them (Person.objects.eligible reads the state).
    DuoFactory(
        waiting=True,
        sponsor=SponsorFactory(departement="93", state=CandidateState.IN_DUO),
        refugee=RefugeeFactory(departement="93", state=CandidateState.IN_DUO),
    )

    response = staff_client.get(DASHBOARD)

    assert response.context["waiting"] == [
        {"departement": "75", "sponsors": 2, "refugees": 1},
        {"departement": "93", "sponsors": 0, "refugees": 1},
    ]
    assert response.context["waiting_totals"] == {"sponsors": 2, "refugees": 2}


def test_dashboard_counts_duos_formed_in_each_of_the_last_twelve_months(staff_client):
    for started in (
        datetime(2026, 6, 2, 9, 0),
        datetime(2026, 6, 10, 9, 0),
        datetime(2026, 4, 20, 9, 0),
        # Local time decides the month: 1 July 00:30 in Paris is 30 June in UTC.
        datetime(2025, 7, 1, 0, 30),
        # Thirteen months ago: out of the chart.
        datetime(2025, 6, 30, 23, 30),
    ):
        DuoFactory(started_at=aware(started))
    DuoFactory(waiting=True)  # proposed, not formed

    with time_machine.travel(aware(TODAY), tick=False):
        response = staff_client.get(DASHBOARD)

    formed = {row["month"]: row["count"] for row in response.context["formed"]}
    assert list(formed) == [date(2025, 7, 1), *[date(2025, m, 1) for m in range(8, 13)]] + [
        date(2026, m, 1) for m in range(1, 7)
    ]
    assert formed[date(2026, 6, 1)] == 2
    assert formed[date(2026, 4, 1)] == 1
    assert formed[date(2025, 7, 1)] == 1
    assert sum(formed.values()) == 4
    assert response.context["formed_total"] == 4


def test_dashboard_share_of_duos_meeting_each_month(staff_client):
    started = aware(datetime(2026, 3, 1, 9, 0))
    talkative, silent, ended = (
        DuoFactory(started_at=started),
        DuoFactory(started_at=started),
        DuoFactory(started_at=started),
    )
    ended.state = DuoState.ENDED
    ended.save(update_fields=["state"])
    # Month 1: one side of the talkative duo met, the other not yet: the duo met.
    checkin(talkative, 1, Side.SPONSOR, met=True, activity=Activity.COFFEE)
    checkin(talkative, 1, Side.REFUGEE, met=False)
    # Month 2: both said not yet.
    checkin(talkative, 2, Side.SPONSOR, met=False)
    checkin(talkative, 2, Side.REFUGEE, met=False)
    # The silent duo was reminded in month 1 and never answered.
    Reminder.objects.create(duo=silent, month=1, side=Side.SPONSOR, sent_at=started)
    Reminder.objects.create(duo=silent, month=1, side=Side.REFUGEE, sent_at=started)
    # A duo that ended early still counts for the months it reached.
    checkin(ended, 1, Side.REFUGEE, met=True)
    # A declined proposal never reached a month.
    DuoFactory(waiting=True, state=DuoState.DECLINED)

    response = staff_client.get(DASHBOARD)

    assert response.context["meetings"] == [
        {"month": 1, "reached": 3, "met": 2, "not_yet": 0, "no_answer": 1, "percent": 67},
        {"month": 2, "reached": 1, "met": 0, "not_yet": 1, "no_answer": 0, "percent": 0},
    ]


def test_dashboard_survey_results(staff_client):
    first, second = (
        DuoFactory(started_at=None, state=DuoState.COMPLETED),
        DuoFactory(started_at=None, state=DuoState.COMPLETED),
    )
    survey(first, Side.SPONSOR, 5, KeepInTouch.YES)
    survey(first, Side.REFUGEE, 4, KeepInTouch.YES)
    survey(second, Side.SPONSOR, 2, KeepInTouch.NO)

    response = staff_client.get(DASHBOARD)
    results = response.context["survey"]

    assert results["count"] == 3
    assert results["average"] == 3.7
    assert [row["count"] for row in results["ratings"]] == [0, 1, 0, 1, 1]
    assert {row["value"]: row["count"] for row in results["keep_in_touch"]} == {
        "yes": 2,
        "maybe": 0,
        "no": 1,
    }
    assert "3 answers; average rating 3.7 out of 5." in response.content.decode()


# Charts --------------------------------------------------------------------------------------


def test_dashboard_draws_its_charts_as_inline_svg_with_tables(staff_client):
    SponsorFactory(departement="75")
    survey(
        DuoFactory(started_at=None, state=DuoState.COMPLETED), Side.SPONSOR, 4, KeepInTouch.MAYBE
    )
    checkin(DuoFactory(started_at=aware(datetime(2026, 3, 1, 9, 0))), 1, Side.SPONSOR, met=True)

    body = staff_client.get(DASHBOARD).content.decode()

    for chart_id in ("chart-waiting", "chart-formed", "chart-meetings", "chart-ratings"):
        assert f'aria-labelledby="{chart_id}"' in body
    assert body.count("<svg") == 2 * 5  # a wide and a narrow layout each
    assert body.count("<table") == 5
    assert "<script" not in body
    assert "http://www.w3.org/2000/svg" in body  # the namespace, not a request
    assert "https://" not in body


def test_dashboard_escapes_what_goes_into_a_chart(staff_client):
    SponsorFactory(departement="<s>")

    body = staff_client.get(DASHBOARD).content.decode()

    assert "<s>" not in body
    assert "&lt;s&gt;" in body


def test_bar_chart_escapes_titles_labels_and_names():
    svg = bar_chart(
        chart_id='c"><script>',
        title="<script>alert(1)</script>",
        labels=['"><img src=x onerror=alert(1)>', "&"],
        series=[Series("<b>", [3, 1.5], "#000")],
        unit="<i>",
    )

    assert "<script" not in svg
    assert "<img" not in svg
    assert "<b>" not in svg
    assert "<i>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&amp;" in svg
    assert svg.startswith("<svg")


def test_bar_chart_scales_bars_to_the_largest_value():
    svg = bar_chart(
        chart_id="c", title="t", labels=["a", "b"], series=[Series("s", [4, 2], "#000")]
    )

    assert 'width="370.0"' in svg  # the plot's full width
    assert 'width="185.0"' in svg


# CSV exports ---------------------------------------------------------------------------------


@pytest.fixture
def exported_duo():
    sponsor = SponsorFactory(first_name="Bérénice", phone="0611223344", departement="75")
    refugee = RefugeeFactory(first_name="Zerihun", phone="0755667788", departement="93")
    duo = DuoFactory(
        started_at=aware(datetime(2026, 1, 5, 12, 0)), sponsor=sponsor, refugee=refugee
    )
    duo.end_reason = "A private reason nobody should export"
    duo.save(update_fields=["end_reason"])
    checkin(duo, 1, Side.SPONSOR, met=True, activity=Activity.WALK)
    checkin(duo, 3, Side.REFUGEE, met=False, mood=4)
    survey(duo, Side.SPONSOR, 5, KeepInTouch.YES, suggestion="More picnics please")
    DuoNote.objects.create(duo=duo, text="Called Bérénice on Monday")
    return duo


def test_dashboard_duos_csv_columns_and_rows(staff_client, exported_duo):
    response = staff_client.get(DUOS_CSV)
    rows = read_csv(response)

    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="duos.csv"' in response["Content-Disposition"]
    assert rows[0] == [name for name, _field in DUO_COLUMNS]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["duo_id"] == str(exported_duo.pk)
    assert row["state"] == "active"
    assert row["sponsor_departement"] == "75"
    assert row["refugee_departement"] == "93"
    assert row["refugee_referred"] == "0"
    assert row["started_on"] == "2026-01-05"
    assert row["ended_on"] == ""
    assert len(rows) == 2


def test_dashboard_checkins_csv_columns_and_rows(staff_client, exported_duo):
    rows = read_csv(staff_client.get(CHECKINS_CSV))

    assert rows[0] == [name for name, _field in CHECKIN_COLUMNS]
    by_month = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_month["1"]["met"] == "1"
    assert by_month["1"]["activity"] == "walk"
    assert by_month["1"]["side"] == "sponsor"
    assert by_month["3"]["met"] == "0"
    assert by_month["3"]["mood"] == "4"
    assert by_month["3"]["duo_id"] == str(exported_duo.pk)
    assert by_month["3"]["recorded_by_team"] == "0"


@pytest.mark.parametrize("url", [DUOS_CSV, CHECKINS_CSV])
def test_dashboard_csv_holds_no_personal_details(staff_client, exported_duo, url):
    body = b"".join(staff_client.get(url).streaming_content).decode()

    for secret in (
        exported_duo.sponsor.first_name,
        exported_duo.sponsor.last_name,
        exported_duo.refugee.first_name,
        exported_duo.sponsor.user.email,
        exported_duo.refugee.user.email,
        "0611223344",
        "0755667788",
        "A private reason",
        "picnics",
        "Called",
    ):
        assert secret not in body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("75", "75"),
        ("2A", "2A"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "1"),
        (False, "0"),
        (7, "7"),
        (date(2026, 1, 5), "2026-01-05"),
    ],
)
def test_csv_cell_neutralises_formulas(value, expected):
    assert csv_cell(value) == expected


def test_csv_cell_writes_datetimes_as_local_dates():
    # 23:30 UTC on 4 January is already 5 January in Paris.
    assert csv_cell(datetime(2026, 1, 4, 23, 30, tzinfo=UTC)) == "2026-01-05"


def test_dashboard_duos_csv_neutralises_injected_cells(staff_client):
    DuoFactory(
        started_at=aware(datetime(2026, 1, 5, 12, 0)),
        sponsor=SponsorFactory(departement="=1"),
        refugee=RefugeeFactory(departement="@A"),
    )

    rows = read_csv(staff_client.get(DUOS_CSV))
    row = dict(zip(rows[0], rows[1], strict=True))

    assert row["sponsor_departement"] == "'=1"
    assert row["refugee_departement"] == "'@A"


# Queries -------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    cache.clear()  # the dashboard's figures, built anew
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == HTTPStatus.OK
    return len(captured)


def _programme(size: int) -> None:
    for n in range(size):
        duo = DuoFactory(started_at=aware(datetime(2026, 1 + n % 5, 5, 12, 0)))
        checkin(duo, 1, Side.SPONSOR, met=n % 2 == 0)
        checkin(duo, 2, Side.REFUGEE, met=True)
        Reminder.objects.create(duo=duo, month=3, side=Side.SPONSOR)
        survey(duo, Side.SPONSOR, 1 + n % 5, KeepInTouch.MAYBE)
        SponsorFactory(departement=f"{10 + n}")


@pytest.mark.parametrize("url", [DASHBOARD, DUOS_CSV, CHECKINS_CSV])
def test_dashboard_queries_do_not_grow_with_the_programme(staff_client, url):
    _programme(2)
    small = _queries(staff_client, url)
    _programme(8)
    large = _queries(staff_client, url)

    assert large == small
    # Session, user, permissions, and one query per figure.
    assert small <= 10


def test_dashboard_figures_are_kept_a_minute_then_counted_again(staff_client):
    SponsorFactory(departement="75")
    with time_machine.travel(aware(TODAY), tick=False):
        first = staff_client.get(DASHBOARD).context["waiting_totals"]
    SponsorFactory(departement="75")

    with (
        time_machine.travel(aware(TODAY + timedelta(seconds=50)), tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        kept = staff_client.get(DASHBOARD).context["waiting_totals"]
    kept_queries = len(captured)  # read before the next request empties Django's log
    with time_machine.travel(aware(TODAY + timedelta(seconds=61)), tick=False):
        later = staff_client.get(DASHBOARD).context["waiting_totals"]

    assert first["sponsors"] == kept["sponsors"] == 1
    assert kept_queries == 4  # session, user, two-factor, permissions: no figure counted
    assert later["sponsors"] == 2


def _sponsors_waiting(client, at: datetime) -> tuple[int, int]:
    """The page's count of sponsors waiting, and the queries it took (no figure: 4)."""
    with (
        time_machine.travel(aware(at), tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        sponsors = client.get(DASHBOARD).context["waiting_totals"]["sponsors"]
    return sponsors, len(captured)


def _counting(client) -> str:
    """The mark of a request counting the figures again, in the client's language."""
    with translation.override(client.cookies[settings.LANGUAGE_COOKIE_NAME].value):
        return counting_key(TODAY.date())


def test_dashboard_figures_a_minute_old_are_shown_while_one_request_counts_them_again(
    staff_client,
):
    SponsorFactory(departement="75")
    _sponsors_waiting(staff_client, TODAY)
    SponsorFactory(departement="75")
    # Another request started counting them again.
    assert cache.add(_counting(staff_client), 1, COUNTING_SECONDS)

    meanwhile = _sponsors_waiting(staff_client, TODAY + timedelta(seconds=61))
    cache.delete(_counting(staff_client))  # it is done, or its time is up
    later = _sponsors_waiting(staff_client, TODAY + timedelta(seconds=62))
    kept_again = _sponsors_waiting(staff_client, TODAY + timedelta(seconds=63))

    assert meanwhile == (1, 4)
    assert later[0] == 2 and later[1] > 4
    assert cache.get(_counting(staff_client)) is None  # done: the next minute may count again
    assert kept_again == (2, 4)


def test_dashboard_figures_too_old_are_counted_again_whoever_is_counting(staff_client):
    SponsorFactory(departement="75")
    _sponsors_waiting(staff_client, TODAY)
    SponsorFactory(departement="75")
    cache.add(_counting(staff_client), 1, None)  # never done

    too_old = CACHE_SECONDS + STALE_SECONDS + 1

    assert _sponsors_waiting(staff_client, TODAY + timedelta(seconds=too_old - 2))[0] == 1
    assert _sponsors_waiting(staff_client, TODAY + timedelta(seconds=too_old))[0] == 2


def test_dashboard_figures_are_kept_per_language(staff_client):
    SponsorFactory(departement="75")
    pages = {}
    for language in ("fr", "en", "ar"):
        staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pages[language] = staff_client.get(DASHBOARD).content.decode()
    french, english, arabic = pages["fr"], pages["en"], pages["ar"]

    assert "par département" in french and "by département" not in french
    assert "by département" in english
    assert "by département" not in arabic
    assert 'direction="rtl"' in arabic and 'direction="rtl"' not in english


def test_dashboard_is_in_the_teams_menu_only(staff_client, sponsor):
    participant = Client()
    participant.force_login(sponsor.user)

    assert DASHBOARD in staff_client.get(reverse("duos:followup")).content.decode()
    assert DASHBOARD not in participant.get(reverse("accounts:dashboard")).content.decode()
