"""The proposals page on a phone: one line per proposal, the details on demand, pages."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from matching import views
from matching.models import ProposalState
from tests.html_outline import heading_jumps, heading_levels
from tests.matching.test_review import best, done_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(staff):
    return done_run(staff, 3, 3)


def review(client, run, **params) -> str:
    response = client.get(reverse("matching:review", args=[run.pk]), params)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def proposal_items(body: str) -> list[str]:
    return re.findall(r'(?s)<li id="proposal-\d+">(.*?)</details>\s*</div>\s*</li>', body)


def test_review_shows_each_proposal_as_one_line_that_opens_on_its_details(staff_client, run):
    body = review(staff_client, run)

    items = proposal_items(body)
    assert len(items) == 3
    for proposal, item in zip(run.proposals.order_by("-score", "pk"), items, strict=True):
        line = re.search(
            r"(?s)<details class=\"proposal-details\">\s*<summary>(.*?)</summary>", item
        )
        assert line, "collapsed: no open attribute"
        words = " ".join(re.sub(r"<[^>]+>", " ", line[1]).split())
        name = f"{proposal.sponsor.first_name} and {proposal.refugee.first_name}"
        assert words == f"{name}: {proposal.score} points · To review"
        details = item[line.end() :]
        # The reasons, the score's breakdown, both profiles and the actions: inside the details.
        assert "closeness:" in details and "Waiting for a duo" in details
        assert f'action="{reverse("matching:approve", args=[proposal.pk])}"' in details
        assert f'action="{reverse("matching:reject", args=[proposal.pk])}"' in details
        # The tick for approving several at once stays on the line, named after the pair.
        tick = item[: item.index("<details")]
        assert f'value="{proposal.pk}" form="approve-many"' in tick
        assert f'aria-labelledby="tick-{proposal.pk} pair-{proposal.pk}"' in tick


def test_review_is_paginated_past_the_page_size(staff_client, run, monkeypatch):
    monkeypatch.setattr(views, "REVIEW_PAGE_SIZE", 2)

    first, second = review(staff_client, run), review(staff_client, run, page=2)

    assert len(proposal_items(first)) == 2 and len(proposal_items(second)) == 1
    assert "3 proposals" in first and "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    shown = re.findall(r'<li id="proposal-(\d+)">', first + second)
    assert sorted(map(int, shown)) == sorted(run.proposals.values_list("pk", flat=True))


def test_review_ticked_proposals_are_approved_from_their_lines(staff_client, run):
    ids = list(run.proposals.values_list("pk", flat=True)[:2])

    response = staff_client.post(
        reverse("matching:approve_many", args=[run.pk]), {"proposals": ids}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert run.proposals.filter(state=ProposalState.APPROVED).count() == 2


def test_review_headings_go_down_one_level_at_a_time(staff_client, run):
    body = review(staff_client, run, state="all")

    assert heading_levels(body)[:2] == [1, 2]
    assert heading_jumps(body) == []


def test_proposal_page_shows_the_proposal_opened_with_headings_in_order(staff_client, run):
    proposal = best(run)

    response = staff_client.post(reverse("matching:reject", args=[proposal.pk]), {"reason": " "})

    body = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert '<details class="proposal-details" open>' in body
    assert heading_jumps(body) == []
    assert 'form="approve-many"' not in body
