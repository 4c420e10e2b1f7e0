"""A staff member's day from a phone (360 x 780): the candidates, a run's proposals, the dashboard.

Each page is audited as every journey's (tests/browser/conftest.py: axe-core, no sideways
scrolling, targets) and kept as var/screenshots/staff-<lang>-360-NN-<page>.png.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import CandidateState
from duos.models import Side
from tests.browser.conftest import PHONE, Screen, Visitor, log_in_browser
from tests.factories import (
    CheckInFactory,
    DuoFactory,
    MatchRunFactory,
    ProposalFactory,
    RefugeeFactory,
    SponsorFactory,
    StaffFactory,
    SurveyAnswerFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _team_at_work():
    """Enough of everything for each page to be long: candidates, proposals, duos, answers."""
    for i in range(30):
        factory = SponsorFactory if i % 2 else RefugeeFactory
        factory(
            state=CandidateState.AWAITING_VALIDATION,
            first_name=f"Marie-Christine{i}",
            last_name="Delacroix-Vandenberghe",
            commune="Saint-Rémy-lès-Chevreuse",
            departement="78",
        )
    run = MatchRunFactory()
    for i in range(60):
        ProposalFactory(run=run, score=90 - i % 40)
    for months_ago in range(8):
        duo = DuoFactory(started_at=timezone.now() - timedelta(days=30 * months_ago + 35))
        CheckInFactory(duo=duo, month=1, side=Side.SPONSOR, met=months_ago % 3 != 0)
    SurveyAnswerFactory()
    return run


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_staff_pages_fit_a_phone(browser, site, language):
    run = _team_at_work()
    staff = StaffFactory(language=language)
    screen = Screen(language, *PHONE)
    context = browser.new_context(
        viewport={"width": screen.width, "height": screen.height}, locale=language, base_url=site
    )
    context.set_default_timeout(30_000)
    visitor = Visitor(context.new_page(), screen, site, "staff")
    log_in_browser(visitor, staff)
    try:
        page = visitor.open("/equipe/candidats/", "queue")
        page.locator(".menu > summary").click()
        visitor.audit("queue-menu-open")
        assert page.locator(f'.menu a[href="/equipe/appariements/{run.pk}/"]').count() == 0
        assert page.locator('.menu a[href="/equipe/appariements/"]').is_visible()

        page = visitor.open(f"/equipe/appariements/{run.pk}/propositions/", "proposals")
        page.locator(".proposal-details > summary").first.click()
        visitor.audit("proposal-open")

        visitor.open("/equipe/tableau-de-bord/", "dashboard")
        visitor.open("/equipe/duos/suivi/", "followup")
    finally:
        context.close()


def test_staff_menu_is_one_open_line_on_a_wide_screen(browser, site):
    staff = StaffFactory(language="fr")
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="fr", base_url=site
    )
    visitor = Visitor(context.new_page(), Screen("fr", 1280, 800), site, "staff")
    log_in_browser(visitor, staff)
    try:
        page = visitor.open("/equipe/tableau-de-bord/", "dashboard-wide")
        assert not page.locator(".menu > summary").is_visible()
        links = page.locator(".menu .nav a")
        assert links.count() == 7
        tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(7))}
        assert len(tops) == 1  # one line, no button to press
        assert page.locator('.menu a[href="/equipe/appariements/"]').is_visible()
    finally:
        context.close()
