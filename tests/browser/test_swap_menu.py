"""The swap menu of a proposal, on the four screens: a partner already proposed with someone
else is offered with what the swap changes, and taking it redoes both pairs."""

import pytest

from matching import engine
from matching.models import MatchRun, Proposal, ProposalState
from matching.services import run_execute, run_start
from tests.browser.conftest import Visitor, log_in_browser
from tests.factories import RefugeeFactory, SponsorFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _everyone_paired(staff) -> MatchRun:
    for i in range(4):
        SponsorFactory(first_name=f"Parrain{i}")
        RefugeeFactory(first_name=f"Filleule{i}")
    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)
    run.refresh_from_db()
    return run


def test_a_swap_with_a_partner_already_proposed_redoes_both_pairs(browser, site, screen):
    staff = StaffFactory(language=screen.language)
    run = _everyone_paired(staff)
    proposal = run.proposals.order_by("pk").first()
    partner, mate, again, _cost = run.swaps[f"sponsor:{proposal.sponsor_id}"][0]
    context = browser.new_context(
        viewport={"width": screen.width, "height": screen.height},
        locale=screen.language,
        base_url=site,
    )
    context.set_default_timeout(30_000)
    visitor = Visitor(context.new_page(), screen, site, "swap")
    log_in_browser(visitor, staff)
    try:
        page = visitor.open(f"/equipe/appariements/{run.pk}/propositions/", "proposals")
        card = page.locator(f"#proposal-{proposal.pk}")
        card.locator(".proposal-details > summary").click()
        card.get_by_text(visitor.text("Swap one of them")).click()
        menu = card.locator(f"#refugee-for-{proposal.pk}")
        group = menu.locator("optgroup").last
        assert group.get_attribute("label") == visitor.text(
            "Proposed with someone else: both pairs are redone"
        )
        assert group.locator(f'option[value="{partner}"]').count() == 1
        visitor.audit("swap-menu-open")

        menu.select_option(str(partner))
        card.get_by_role("button", name=visitor.text("Swap the refugee")).click()
        status = page.get_by_role("status")
        status.first.wait_for()
        visitor.audit("swapped")
    finally:
        context.close()

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUPERSEDED
    standing = set(
        Proposal.objects.filter(run=run, state=ProposalState.PROPOSED).values_list(
            "sponsor_id", "refugee_id"
        )
    )
    assert (proposal.sponsor_id, partner) in standing
    assert again is None or (mate, again) in standing
