"""Staff reading a refugee's profile or contact details is logged (accounts.ProfileView), by
one helper the views call; the selectors only read."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProfileView
from duos.models import Report, ReportCategory, Side
from matching import engine, selectors
from matching.services import run_execute, run_start
from tests.factories import DuoFactory, ReferredRefugeeFactory, RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db


def logged(person) -> list[tuple]:
    return list(ProfileView.objects.filter(person=person).values_list("viewer", "what"))


@pytest.mark.parametrize("refugee", [RefugeeFactory, ReferredRefugeeFactory])
def test_duo_page_logs_the_staff_view_of_the_refugee(staff_client, staff, refugee):
    duo = DuoFactory(started_at=timezone.now() - timedelta(days=21), refugee=refugee())

    response = staff_client.get(reverse("duos:duo_detail", args=[duo.pk]))

    assert response.status_code == HTTPStatus.OK
    assert duo.refugee.phone in response.text or duo.refugee.contact_user.email in response.text
    assert logged(duo.refugee) == [(staff.pk, "duo page")]
    assert logged(duo.sponsor) == []


def test_duo_page_logs_nothing_for_a_visitor_turned_away(client, sponsor):
    duo = DuoFactory(started_at=timezone.now() - timedelta(days=21))
    client.force_login(sponsor.user)

    assert client.get(reverse("duos:duo_detail", args=[duo.pk])).status_code == 404
    assert not ProfileView.objects.exists()


def test_report_page_logs_the_staff_view_of_a_refugee_reporter(staff_client, staff):
    duo = DuoFactory(started_at=timezone.now() - timedelta(days=21))
    for side in (Side.REFUGEE, Side.SPONSOR):
        report = Report.objects.create(
            duo=duo, side=side, reporter=getattr(duo, side), category=ReportCategory.OTHER,
            text="A report.",
        )  # fmt: skip
        assert staff_client.get(reverse("duos:report", args=[report.pk])).status_code == 200

    assert logged(duo.refugee) == [(staff.pk, "report")]
    assert logged(duo.sponsor) == []


def test_review_rows_selector_writes_nothing(staff):
    SponsorFactory()
    RefugeeFactory()
    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)
    run.refresh_from_db()

    rows = selectors.review_rows(run, list(run.proposals.select_related("sponsor", "refugee")))

    assert len(rows) == 1
    assert not ProfileView.objects.exists()
