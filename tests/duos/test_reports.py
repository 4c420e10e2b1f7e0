"""Confidential reports: sent by either side (or a social worker, or an emailed link), seen by
the team only, an urgent one alerting the team, followed with a status and a log, and the duo
suspended while the team acts."""

import re
from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import hypothesis
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import strategies as st

from accounts.models import CandidateState
from duos.followup.reminders import duos_send_reminders
from duos.lib.links import REPORT
from duos.models import (
    Duo,
    DuoState,
    Report,
    ReportCategory,
    ReportLogEntry,
    ReportStatus,
    Side,
)
from duos.reports.forms import ReportFilterForm, ReportForm, ReportUpdateForm
from duos.reports.links import report_link_url, report_token
from duos.reports.services import duo_suspend, duo_unsuspend, report_create
from tests.conftest import client_for
from tests.factories import (
    DuoFactory,
    ReferredRefugeeFactory,
    RefugeeFactory,
    SocialWorkerFactory,
    SponsorFactory,
    StaffFactory,
    UserFactory,
)
from tests.test_forms_fuzz import HOSTILE

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2025, 3, 10, 18, 0, tzinfo=PARIS)
REMINDER_DAY = datetime(2025, 3, 30, 9, 0, tzinfo=PARIS)
SECRET = "He shouted at me in the metro 7f3a9"
VALID = {"category": ReportCategory.BEHAVIOUR, "text": SECRET}


def new_url(duo: Duo) -> str:
    return reverse("duos:report_new", args=[duo.pk])


def link_url(duo: Duo, side: str) -> str:
    return reverse("duos:report_link", args=[report_token(duo, side)])


@pytest.fixture
def duo() -> Duo:
    return DuoFactory(language="en")


# Sending a report --------------------------------------------------------------------------


@pytest.mark.parametrize("side", [Side.SPONSOR, Side.REFUGEE])
def test_report_each_side_reports_from_their_duo_page(duo, side):
    person, other = getattr(duo, side), duo.refugee if side == Side.SPONSOR else duo.sponsor
    client = client_for(person.user)

    page = client.get(new_url(duo))
    assert page.status_code == HTTPStatus.OK
    assert "goes to the programme team only" in page.text
    assert f"It is never shown to {other.first_name}" in page.text
    assert "I need help quickly" in page.text
    assert not Report.objects.exists()  # a GET records nothing

    response = client.post(new_url(duo), VALID)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("duos:report_sent")
    report = Report.objects.get()
    assert (report.duo, report.side, report.reporter, report.sent_by) == (
        duo,
        side,
        person,
        person.user,
    )
    assert (report.category, report.text, report.urgent, report.status) == (
        ReportCategory.BEHAVIOUR,
        SECRET,
        False,
        ReportStatus.OPEN,
    )
    thanks = client.get(response.url)
    assert "What happens next" in thanks.text
    assert "nobody else in the duo will see it" in thanks.text


def test_report_a_social_worker_reports_for_their_referred_refugee():
    worker = SocialWorkerFactory(user__language="en")
    refugee = ReferredRefugeeFactory(referrer=worker.user, state=CandidateState.IN_DUO)
    duo = DuoFactory(language="en", refugee=refugee)
    client = client_for(worker.user)

    page = client.get(new_url(duo))
    assert f"You are writing for {refugee.first_name}" in page.text

    client.post(new_url(duo), VALID)

    report = Report.objects.get()
    assert (report.side, report.reporter, report.sent_by) == (Side.REFUGEE, refugee, worker.user)


def test_report_page_is_404_for_everyone_outside_the_duo(duo, staff):
    other_worker = SocialWorkerFactory()
    outsiders = [
        UserFactory(),
        SponsorFactory().user,
        RefugeeFactory().user,
        other_worker.user,
        DuoFactory(language="en").sponsor.user,  # in another duo
        staff,  # the team reads reports on its own pages
    ]
    for user in outsiders:
        client = client_for(user)
        assert client.get(new_url(duo)).status_code == HTTPStatus.NOT_FOUND
        assert client.post(new_url(duo), VALID).status_code == HTTPStatus.NOT_FOUND
    assert not Report.objects.exists()


def test_report_page_sends_anonymous_visitors_to_log_in(duo):
    response = Client().get(new_url(duo))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("account_login"))


def test_report_page_of_a_worker_is_404_for_a_refugee_who_now_has_a_login():
    """Once the refugee took over their profile, the social worker no longer acts for them."""
    worker = SocialWorkerFactory()
    duo = DuoFactory(language="en", refugee=RefugeeFactory(referrer=worker.user))
    assert client_for(worker.user).get(new_url(duo)).status_code == HTTPStatus.NOT_FOUND


def test_report_page_open_for_a_waiting_or_recently_ended_duo_not_a_long_ended_one():
    now = timezone.now()
    waiting = DuoFactory(language="en", state=DuoState.WAITING)
    recent = DuoFactory(language="en", state=DuoState.ENDED, ended_at=now - timedelta(days=10))
    completed = DuoFactory(
        language="en", state=DuoState.COMPLETED, ended_at=now - timedelta(days=30)
    )
    old = DuoFactory(language="en", state=DuoState.COMPLETED, ended_at=now - timedelta(days=200))
    declined = DuoFactory(language="en", state=DuoState.DECLINED)

    for duo, status in [
        (waiting, HTTPStatus.OK),
        (recent, HTTPStatus.OK),
        (completed, HTTPStatus.OK),
        (old, HTTPStatus.NOT_FOUND),
        (declined, HTTPStatus.NOT_FOUND),
    ]:
        assert client_for(duo.sponsor.user).get(new_url(duo)).status_code == status, duo.state


def test_report_bad_input_is_400_in_the_persons_language_and_keeps_what_was_typed(duo):
    client = client_for(duo.sponsor.user)
    typed = "Something I typed with <care> & attention"

    no_category = client.post(new_url(duo), {"text": typed, "urgent": "on"})
    unknown = client.post(new_url(duo), {"category": "nonsense", "text": typed})
    blank = client.post(new_url(duo), {"category": ReportCategory.OTHER, "text": "   "})
    too_long = client.post(new_url(duo), {"category": ReportCategory.OTHER, "text": "x" * 5001})

    for response in (no_category, unknown, blank, too_long):
        assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose what it is about." in no_category.text
    assert "Something I typed with &lt;care&gt; &amp; attention" in no_category.text
    assert re.search(r'<input[^>]*name="urgent"[^>]*checked', no_category.text)
    assert "Choose one of the answers in the list." in unknown.text
    assert "Something I typed with" in unknown.text
    assert "Write a few words: what happened?" in blank.text
    assert re.search(r'<input[^>]*value="other"[^>]*checked', blank.text)
    assert not Report.objects.exists()


def test_report_page_is_in_french_by_default(duo):
    client = Client()
    client.force_login(duo.sponsor.user)
    response = client.post(new_url(duo), {"text": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.headers["Content-Language"] == "fr"


# The emailed link ----------------------------------------------------------------------------


def test_report_link_get_changes_nothing_and_post_records_without_login(duo):
    client = client_for()

    page = client.get(link_url(duo, Side.REFUGEE))
    assert page.status_code == HTTPStatus.OK
    assert f"It is never shown to {duo.sponsor.first_name}" in page.text
    assert not Report.objects.exists()

    response = client.post(link_url(duo, Side.REFUGEE), {**VALID, "urgent": "on"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("duos:report_sent") + "?urgent=1"
    report = Report.objects.get()
    assert (report.side, report.reporter, report.sent_by, report.urgent) == (
        Side.REFUGEE,
        duo.refugee,
        duo.refugee.user,
        True,
    )
    assert "the team has been alerted right now" in client.get(response.url).text


def test_report_link_of_a_referred_refugee_is_sent_by_their_social_worker():
    refugee = ReferredRefugeeFactory()
    duo = DuoFactory(language="en", refugee=refugee)

    client_for().post(link_url(duo, Side.REFUGEE), VALID)

    assert Report.objects.get().sent_by == refugee.referrer


def test_report_link_tampered_is_400_and_records_nothing(duo):
    token = report_token(duo, Side.SPONSOR)
    client = client_for()
    for bad in (token[:-3] + "xyz", "nonsense", token.replace(":", "", 1)):
        url = reverse("duos:report_link", args=[bad])
        get, post = client.get(url), client.post(url, VALID)
        assert get.status_code == post.status_code == HTTPStatus.BAD_REQUEST
        assert "The link is incomplete or was changed" in get.text
    assert not Report.objects.exists()


def test_report_link_works_for_its_days_then_is_410(duo):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        url = link_url(duo, Side.SPONSOR)
        traveller.shift(REPORT.max_age - timedelta(days=1))
        assert client_for().get(url).status_code == HTTPStatus.OK

        traveller.shift(timedelta(days=2))
        get = client_for().get(url)
        post = client_for().post(url, VALID)

    assert get.status_code == post.status_code == HTTPStatus.GONE
    assert "This link is too old. Nothing was sent." in get.text
    assert not Report.objects.exists()


def test_report_link_of_a_person_whose_data_was_deleted_is_410(duo):
    url = link_url(duo, Side.SPONSOR)
    duo.sponsor.anonymised_at = timezone.now()
    duo.sponsor.save(update_fields=["anonymised_at"])

    assert client_for().post(url, VALID).status_code == HTTPStatus.GONE
    assert not Report.objects.exists()


def test_reminder_email_holds_a_report_link_for_its_side():
    with time_machine.travel(REMINDER_DAY, tick=False):
        duo = DuoFactory(language="en", started_at=START)
        duos_send_reminders()

        message = next(m for m in mail.outbox if m.to == [duo.refugee.user.email])
        html = message.alternatives[0][0]
        assert "Tell the team in confidence" in message.body
        urls = re.findall(r"https?://\S+/duo/signaler/[^/\s\"]+/", message.body)
        assert len(urls) == 1
        assert urls[0] in html
        path = urls[0].split("://", 1)[1].split("/", 1)[1]
        client_for().post("/" + path, VALID)

    assert Report.objects.get().side == Side.REFUGEE


def test_report_link_url_runs_no_query(duo, django_assert_num_queries):
    with django_assert_num_queries(0):
        report_link_url(duo, Side.SPONSOR)


# The urgent alert ------------------------------------------------------------------------------


def test_report_urgent_alerts_every_active_team_member_with_a_link_only(
    duo, staff, django_capture_on_commit_callbacks
):
    other_staff = StaffFactory(language="en")
    StaffFactory(is_active=False)  # left the team
    UserFactory(is_staff=True)  # not in the team's group

    with django_capture_on_commit_callbacks(execute=True):
        client_for(duo.sponsor.user).post(new_url(duo), {**VALID, "urgent": "on"})

    report = Report.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, other_staff.email])
    link = reverse("duos:report", args=[report.pk])
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert f"urgent report #{report.pk}" in message.subject
        assert link in message.body and link in html
        for sensitive in (SECRET, "uncomfortable", duo.sponsor.first_name, duo.refugee.first_name):
            assert sensitive not in message.subject + message.body + html
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 2


def test_report_not_urgent_sends_no_email(duo, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(duo.sponsor.user).post(new_url(duo), VALID)

    assert Report.objects.get().urgent is False
    assert callbacks == []
    assert mail.outbox == []


def test_report_urgent_alert_is_sent_after_commit_only(duo, staff):
    """No alert for a report whose transaction never committed (the test's never does)."""
    report_create(duo=duo, side=Side.SPONSOR, sent_by=None, category="other", text="x", urgent=True)
    assert mail.outbox == []


# Confidentiality -------------------------------------------------------------------------------


def test_report_is_never_shown_to_the_other_person(duo, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(duo.sponsor.user).post(new_url(duo), {**VALID, "urgent": "on"})
    other = client_for(duo.refugee.user)

    pages = [
        new_url(duo),
        link_url(duo, Side.REFUGEE),
        reverse("accounts:dashboard"),
        reverse("duos:my_duo"),
        reverse("accounts:privacy_export"),  # their data: the report is the reporter's only
    ]
    for page in pages:
        response = other.get(page)
        assert response.status_code == HTTPStatus.OK, page
        assert SECRET not in response.text, page
        assert "uncomfortable" not in response.text.split("What is it about?")[0], page

    assert SECRET in client_for(duo.sponsor.user).get(reverse("accounts:privacy_export")).text

    # Whatever the other person is emailed (the team's alert went to the team only).
    with time_machine.travel(timezone.now() + timedelta(days=25)):
        duos_send_reminders()
    to_other = [m for m in mail.outbox if duo.refugee.user.email in m.to]
    assert all(SECRET not in m.body + m.alternatives[0][0] for m in mail.outbox)
    assert all("report" not in m.subject.lower() for m in to_other)


# The team's pages ----------------------------------------------------------------------------


def make_report(duo=None, *, status=ReportStatus.OPEN, urgent=False, text="x") -> Report:
    duo = duo or DuoFactory(language="en")
    return Report.objects.create(
        duo=duo,
        side=Side.SPONSOR,
        reporter=duo.sponsor,
        sent_by=duo.sponsor.user,
        category=ReportCategory.PRACTICAL,
        text=text,
        urgent=urgent,
        status=status,
    )


def test_staff_reports_list_open_first_urgent_first(staff_client):
    closed_urgent = make_report(status=ReportStatus.CLOSED, urgent=True)
    open_plain = make_report()
    in_progress = make_report(status=ReportStatus.IN_PROGRESS)
    open_urgent = make_report(urgent=True)

    response = staff_client.get(reverse("duos:reports"))

    assert response.status_code == HTTPStatus.OK
    assert [r.pk for r in response.context["page_obj"]] == [
        open_urgent.pk,
        open_plain.pk,
        in_progress.pk,
        closed_urgent.pk,
    ]
    filtered = staff_client.get(reverse("duos:reports"), {"status": "in_progress"})
    assert [r.pk for r in filtered.context["page_obj"]] == [in_progress.pk]


def test_staff_reports_list_bad_filter_is_400(staff_client):
    response = staff_client.get(reverse("duos:reports"), {"status": "nope"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This filter is not valid" in response.text


def test_staff_reports_list_queries_do_not_grow_with_the_reports(staff_client):
    make_report()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("duos:reports")).status_code == HTTPStatus.OK
        return len(queries)

    few = count()
    for _ in range(15):
        make_report(urgent=True)
    assert count() == few


def test_staff_report_pages_are_404_outside_the_team(duo):
    report = make_report(duo)
    viewer = StaffFactory()  # one permission of the team, and two-factor as staff must have
    viewer.groups.clear()
    viewer.user_permissions.add(Permission.objects.get(codename="view_report"))
    for user, name, method in [
        (duo.sponsor.user, "duos:reports", "get"),
        (duo.sponsor.user, "duos:report", "get"),
        (duo.refugee.user, "duos:report", "get"),
        (viewer, "duos:report_update", "post"),  # may read, not change
        (viewer, "duos:report_suspend", "post"),
    ]:
        args = [] if name == "duos:reports" else [report.pk]
        client = client_for(user)
        response = getattr(client, method)(reverse(name, args=args), {"status": "closed"})
        assert response.status_code == HTTPStatus.NOT_FOUND, (user, name)
    report.refresh_from_db()
    duo.refresh_from_db()
    assert report.status == ReportStatus.OPEN and duo.suspended_at is None


def test_staff_report_actions_take_post_only(staff_client, duo):
    report = make_report(duo)
    for name in ("duos:report_update", "duos:report_suspend", "duos:report_unsuspend"):
        url = reverse(name, args=[report.pk])
        assert staff_client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert staff_client.post(reverse("duos:report", args=[report.pk])).status_code == 405


def test_staff_report_detail_shows_the_report_and_its_log(staff_client, staff, duo):
    report = make_report(duo, text=SECRET)
    ReportLogEntry.objects.create(report=report, author=staff, status="open", text="Called")

    response = staff_client.get(reverse("duos:report", args=[report.pk]))

    assert response.status_code == HTTPStatus.OK
    assert SECRET in response.text
    assert "Called" in response.text
    assert "Suspend the duo" in response.text
    assert duo.sponsor.user.email in response.text  # to call them back


def test_staff_report_status_and_notes_form_a_log(staff_client, staff, duo):
    report = make_report(duo)
    url = reverse("duos:report_update", args=[report.pk])

    first = staff_client.post(url, {"status": "in_progress", "text": "Called the sponsor."})
    note = staff_client.post(url, {"status": "in_progress", "text": "Meeting on Monday."})
    closed = staff_client.post(url, {"status": "closed", "text": ""})

    assert first.status_code == note.status_code == closed.status_code == HTTPStatus.FOUND
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    log = list(report.log.values_list("status", "text", "author"))
    assert log == [
        ("in_progress", "Called the sponsor.", staff.pk),
        ("in_progress", "Meeting on Monday.", staff.pk),
        ("closed", "", staff.pk),
    ]
    page = staff_client.get(reverse("duos:report", args=[report.pk]))
    assert page.text.index("Called the sponsor.") < page.text.index("Meeting on Monday.")


def test_staff_report_update_bad_input_is_400_and_keeps_the_note(staff_client, duo):
    report = make_report(duo)
    url = reverse("duos:report_update", args=[report.pk])

    nothing = staff_client.post(url, {"status": "open", "text": ""})
    bad_status = staff_client.post(url, {"status": "lost", "text": "My careful note"})

    assert nothing.status_code == bad_status.status_code == HTTPStatus.BAD_REQUEST
    assert "Change the status or write a note" in nothing.text
    assert "My careful note" in bad_status.text
    assert not report.log.exists()


def test_staff_suspend_and_lift_from_the_report_page(staff_client, staff, duo):
    report = make_report(duo)
    suspend = reverse("duos:report_suspend", args=[report.pk])
    lift = reverse("duos:report_unsuspend", args=[report.pk])

    with time_machine.travel(timezone.now(), tick=False):
        response = staff_client.post(suspend)
        duo.refresh_from_db()
        assert response.status_code == HTTPStatus.FOUND
        assert duo.suspended_at == timezone.now()
    first_suspension = duo.suspended_at
    again = staff_client.post(suspend, follow=True)
    duo.refresh_from_db()
    assert duo.suspended_at == first_suspension  # a second click changes nothing
    assert "already suspended" in again.text
    assert "Lift the suspension" in again.text

    staff_client.post(lift)
    duo.refresh_from_db()
    assert duo.suspended_at is None
    assert list(report.log.values_list("author", flat=True)) == [staff.pk, staff.pk]
    assert report.log.first().text.startswith("Duo suspended")


def test_duo_suspend_only_open_duos_and_logs_on_open_reports(staff):
    duo = DuoFactory(language="en")
    open_report, closed_report = make_report(duo), make_report(duo, status=ReportStatus.CLOSED)
    ended = DuoFactory(language="en", state=DuoState.ENDED, ended_at=timezone.now())

    assert duo_suspend(ended, by=staff) is False
    assert duo_suspend(duo, by=staff) is True
    assert duo_suspend(duo, by=staff) is False
    assert duo.suspended_at is not None
    assert open_report.log.count() == 1 and not closed_report.log.exists()

    assert duo_unsuspend(duo, by=staff) is True
    assert duo_unsuspend(duo, by=staff) is False
    assert Duo.objects.get(pk=duo.pk).suspended_at is None
    assert open_report.log.count() == 2


def test_suspended_duo_gets_no_reminder_until_lifted(staff):
    with time_machine.travel(REMINDER_DAY, tick=False):
        suspended, running = (
            DuoFactory(language="en", started_at=START),
            DuoFactory(language="en", started_at=START),
        )
        duo_suspend(suspended, by=staff)

        duos_send_reminders()

        recipients = {m.to[0] for m in mail.outbox}
        assert recipients == {running.sponsor.user.email, running.refugee.user.email}

        duo_unsuspend(suspended, by=staff)
        duos_send_reminders()

        assert {m.to[0] for m in mail.outbox} - recipients == {
            suspended.sponsor.user.email,
            suspended.refugee.user.email,
        }


def test_staff_suspend_hides_contact_details_from_the_duos_pages(staff_client, duo):
    report = make_report(duo)
    duo.refugee.phone = "06 12 34 56 78"
    duo.refugee.save(update_fields=["phone"])
    sponsor_page = client_for(duo.sponsor.user)

    def shows_contact() -> bool:
        text = sponsor_page.get(reverse("duos:my_duo")).text
        return duo.refugee.user.email in text or duo.refugee.phone in text

    assert shows_contact()
    staff_client.post(reverse("duos:report_suspend", args=[report.pk]))
    assert not shows_contact()
    staff_client.post(reverse("duos:report_unsuspend", args=[report.pk]))
    assert shows_contact()


@pytest.mark.parametrize("form_name", ["report", "update", "filter"])
@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@hypothesis.given(values=st.lists(HOSTILE, min_size=3, max_size=3))
def test_report_forms_survive_hostile_input(form_name, values):
    build = {
        "report": ReportForm,
        "update": lambda data: ReportUpdateForm(data, report=Report(status=ReportStatus.OPEN)),
        "filter": ReportFilterForm,
    }[form_name]
    data = QueryDict(mutable=True)
    for name, value in zip(build(None).fields, values, strict=False):
        data[name] = value

    form = build(data)

    assert form.is_valid() or form.errors


def test_staff_report_detail_queries_do_not_grow_with_the_log(staff_client, staff, duo):
    report = make_report(duo)
    url = reverse("duos:report", args=[report.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == HTTPStatus.OK
        return len(queries)

    ReportLogEntry.objects.create(report=report, author=staff, status="open", text="a")
    few = count()
    for n in range(10):
        author = staff if n % 2 else StaffFactory()
        ReportLogEntry.objects.create(report=report, author=author, status="open", text=str(n))
    assert count() == few
