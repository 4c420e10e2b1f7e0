"""Journey 3 (issue 10): a team member from the login form to an approved proposal.

They log in with their password and their authenticator's code, validate a sponsor and a refugee
waiting in the queue, start a match run and follow its progress bar to the end, read the
proposal's reasons in the page's language and approve it; then they look at the dashboard and
the follow-up queue. Every page is audited on the four screens: at 360 px this is issue 13's
item 2 (staff pages without sideways scrolling).
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import CandidateState, ConsentKind
from duos.models import Duo, DuoState
from matching.engine import explain
from matching.models import MatchRun, Proposal, ProposalState, RunState
from matching.tasks import run_match
from tests.browser.conftest import PHONE, totp_code
from tests.factories import (
    PASSWORD,
    ConsentFactory,
    RefugeeFactory,
    SponsorFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


class HeldRun:
    """Stands for the task in the view that starts a run: the run waits, as it does while a
    worker is busy, until the test lets the eager task compute it."""

    def __init__(self):
        self.run_ids = []

    def delay_on_commit(self, run_id: int) -> None:
        self.run_ids.append(run_id)

    def compute(self) -> None:
        while self.run_ids:
            run_match.delay(self.run_ids.pop())


@pytest.fixture
def held_run(monkeypatch) -> HeldRun:
    held = HeldRun()
    monkeypatch.setattr("matching.views.run_match", held)
    return held


def candidates_awaiting_validation(language: str):
    """A sponsor and a refugee who completed their profile (consents given) in the same
    arrondissement, with languages in common: the queue lists them, the engine pairs them."""
    waiting = {
        "state": CandidateState.AWAITING_VALIDATION,
        "validated_at": None,
        "waiting_since": None,
        "user__language": language,
    }
    sponsor = SponsorFactory(first_name="Hélène", last_name="Martin", **waiting)
    refugee = RefugeeFactory(first_name="Amina", last_name="Haddad", **waiting)
    for person in (sponsor, refugee):
        for kind in (ConsentKind.CHARTER, ConsentKind.PRIVACY):
            ConsentFactory(person=person, kind=kind)
    return sponsor, refugee


def log_in_with_password_and_code(tab, staff) -> None:
    page = tab.open("/accounts/login/", "login")
    page.get_by_label(tab.text("Email")).fill(staff.email)
    page.get_by_label(tab.text("Password")).fill(PASSWORD)
    page.get_by_role("button", name=tab.text("Sign In")).click()
    tab.audit("two-factor")
    page.get_by_label(tab.text("Code")).fill(totp_code(staff))
    page.get_by_role("button", name=tab.text("Sign In")).click()
    # My space takes a team member to their first area: the candidates.
    expect(page).to_have_url(re.compile(r"/equipe/candidats/$"))
    tab.audit("queue")


def go_through_the_menu(tab, area: str) -> None:
    """Open a staff area from the team's menu, a disclosure to open first on a phone (its
    <summary> has no ARIA role in playwright's eyes: found by its words)."""
    page = tab.page
    menu = page.get_by_role("navigation", name=tab.text("Main menu"))
    link = menu.get_by_role("link", name=tab.text(area), exact=True)
    if not link.is_visible():
        menu.get_by_text(tab.text("Menu"), exact=True).click()
    link.click()


def validate(tab, person, *, audit: bool) -> None:
    page = tab.page
    page.get_by_role("link", name=str(person)).click()
    if audit:
        tab.audit(f"candidate-{person.role}")
    page.get_by_role("button", name=tab.text("Validate: they can be matched")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tab.text("%(person)s is validated.", person=str(person))
    )
    if audit:
        tab.audit("candidate-validated")
    person.refresh_from_db()
    assert person.state == CandidateState.VALIDATED


def start_a_run_and_follow_it(tab, held_run: HeldRun) -> MatchRun:
    page = tab.page
    go_through_the_menu(tab, "Matching")
    tab.audit("match-runs")
    page.get_by_role("button", name=tab.text("Start the run")).click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    tab.audit("run-in-progress")

    def compute_then_answer(route) -> None:
        # The poll waits while the engine computes: the page and the test never use the
        # database at the same time (tests/browser/conftest.py).
        held_run.compute()
        route.continue_()

    page.route("**/progress.json", compute_then_answer)
    # The page's script polls, sees the end and reloads on the result.
    expect(page.get_by_role("heading", name=tab.text("Result"))).to_be_visible()
    page.unroute("**/progress.json")
    tab.audit("run-done")
    run = MatchRun.objects.get()
    assert run.state == RunState.DONE
    assert run.pairs == 1
    return run


def read_the_reasons_and_approve(tab, run: MatchRun, sponsor, refugee) -> None:
    page = tab.page
    review = tab.text(
        "Review the %(counter)s proposal", "Review the %(counter)s proposals", 1, counter=1
    )
    page.get_by_role("link", name=review).click()
    tab.audit("proposals")
    proposal = Proposal.objects.get(run=run)
    assert (proposal.sponsor, proposal.refugee) == (sponsor, refugee)
    page.get_by_text(
        tab.text(
            "%(sponsor)s and %(refugee)s: %(score)s points",
            sponsor=sponsor.first_name,
            refugee=refugee.first_name,
            score=proposal.score,
        )
    ).click()
    reasons = _reasons_in(tab.screen.language, proposal)
    assert reasons != _reasons_in("en", proposal), "the reasons must read in the page's language"
    expect(page.get_by_text(reasons)).to_be_visible()
    tab.audit("proposal-open")
    if tab.screen.width == PHONE[0]:
        tab.check_text_zoom("proposal-open")

    page.get_by_role("button", name=tab.text("Approve: ask both of them")).click()
    expect(page.get_by_role("status")).to_contain_text(
        tab.text(
            "%(sponsor)s and %(refugee)s are asked whether they want to form a duo.",
            sponsor=sponsor.first_name,
            refugee=refugee.first_name,
        )
    )
    tab.audit("proposal-approved")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    assert Duo.objects.get(proposal=proposal).state == DuoState.WAITING


def _reasons_in(language: str, proposal: Proposal) -> str:
    with translation.override(language):
        return explain.pair_sentence(proposal.reasons, translation)


def look_at_the_dashboard_and_the_follow_up(tab) -> None:
    go_through_the_menu(tab, "Dashboard")
    tab.audit("dashboard")
    go_through_the_menu(tab, "Duo follow-up")
    tab.audit("follow-up")


def test_staff_validate_match_and_approve_from_the_login_form(visitors, settings, held_run):
    # An authenticator app a period behind or ahead still logs in, as allauth allows when
    # told to: the code computed here may be submitted in the next 30-second period.
    settings.MFA_TOTP_TOLERANCE = 1
    tab = visitors("staff")
    staff = StaffFactory(language=tab.screen.language)
    sponsor, refugee = candidates_awaiting_validation(tab.screen.language)

    log_in_with_password_and_code(tab, staff)
    validate(tab, sponsor, audit=True)
    go_through_the_menu(tab, "Candidates")
    validate(tab, refugee, audit=False)
    run = start_a_run_and_follow_it(tab, held_run)
    read_the_reasons_and_approve(tab, run, sponsor, refugee)
    look_at_the_dashboard_and_the_follow_up(tab)
