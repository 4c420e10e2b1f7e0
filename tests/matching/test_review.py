"""Reviewing a run's proposals: approve (one or many), reject, swap, pair by hand."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import CandidateState, ProfileView
from duos.models import Duo, DuoState
from matching import engine
from matching.models import Exclusion, ExclusionReason, MatchRun, Proposal, ProposalState
from matching.proposals import manual_pair_warnings
from matching.services import run_execute, run_start
from tests.factories import ProposalFactory, RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db

REVIEW_QUERIES = 11  # the same for 5 and for 50 proposals (session, user, MFA, run, page...)


def done_run(staff, sponsors: int, refugees: int) -> MatchRun:
    for i in range(sponsors):
        SponsorFactory(first_name=f"Sponsor{i}", about=f"About sponsor {i}", phone="0600000000")
    for i in range(refugees):
        RefugeeFactory(first_name=f"Refugee{i}", hopes=f"Hopes of refugee {i}")
    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def run(staff):
    """Four sponsors and three refugees in Paris: three proposals, one sponsor left over."""
    return done_run(staff, 4, 3)


def url(name: str, pk: int) -> str:
    return reverse(f"matching:{name}", kwargs={"pk": pk})


def best(run: MatchRun) -> Proposal:
    return run.proposals.select_related("sponsor", "refugee").first()


def alternative(run: MatchRun, proposal: Proposal, side: str) -> int:
    """An alternative partner for `side` of the proposal who is in no other proposal."""
    key = (
        f"refugee:{proposal.refugee_id}" if side == "sponsor" else f"sponsor:{proposal.sponsor_id}"
    )
    field = f"{side}_id"
    standing = run.proposals.filter(state__in=[ProposalState.PROPOSED, ProposalState.APPROVED])
    taken = set(standing.values_list(field, flat=True))
    return next(int(other) for other, _score in run.alternatives[key] if int(other) not in taken)


# Access


ACTIONS = ["approve", "reject", "swap"]


def test_review_actions_send_anonymous_visitors_to_log_in(client, run):
    proposal = best(run)

    for name in ACTIONS:
        response = client.post(url(name, proposal.pk))
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("account_login"))
    assert client.get(url("review", run.pk)).status_code == HTTPStatus.FOUND
    assert client.post(url("approve_many", run.pk)).status_code == HTTPStatus.FOUND
    assert client.get(url("manual_pair", run.pk)).status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("who", ["outsider", "sponsor", "social_worker"])
def test_review_answers_404_to_anyone_outside_the_team(client, run, who, request):
    visitor = request.getfixturevalue(who)
    client.force_login(getattr(visitor, "user", visitor))
    proposal = best(run)

    assert client.get(url("review", run.pk)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(url("manual_pair", run.pk)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url("approve_many", run.pk)).status_code == HTTPStatus.NOT_FOUND
    for name in ACTIONS:
        assert client.post(url(name, proposal.pk), {"reason": "x"}).status_code == 404
    assert run.proposals.filter(state=ProposalState.PROPOSED).count() == 3
    assert not ProfileView.objects.exists()


def test_review_actions_take_post_only(staff_client, run):
    proposal = best(run)

    for name in ACTIONS:
        assert staff_client.get(url(name, proposal.pk)).status_code == 405
    assert staff_client.get(url("approve_many", run.pk)).status_code == 405
    assert staff_client.post(url("review", run.pk)).status_code == 405


# The review page


def test_review_shows_proposals_best_first_with_reasons_and_profiles(staff_client, run, staff):
    response = staff_client.get(url("review", run.pk), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == HTTPStatus.OK
    rows = response.context["rows"]
    scores = [row.proposal.score for row in rows]
    assert len(rows) == 3 and scores == sorted(scores, reverse=True)
    page = response.content.decode()
    row = rows[0]
    assert row.sentence.startswith("You live less than 1 km from each other")
    assert row.sentence in page
    assert ("closeness", row.proposal.breakdown["distance"], 30) in row.breakdown
    assert "shared interests" in page
    assert "Arabic (native)" in page and "cinema" in page and "weekends, daytime" in page
    assert "About sponsor" in page and "Hopes of refugee" in page
    assert page.count('form="approve-many"') == 3 and 'id="approve-many"' in page
    # Only what matching needs: no contact, no last name, no protection status.
    assert "0600000000" not in page
    assert row.proposal.refugee.last_name not in page
    assert row.proposal.refugee.user.email not in page
    assert "Refugee status" not in page
    viewed = ProfileView.objects.filter(viewer=staff, what="match review")
    assert set(viewed.values_list("person", flat=True)) == {r.proposal.refugee_id for r in rows}


def test_review_is_in_french_by_default(client, staff, run):
    client.force_login(staff)  # no language chosen (the shared staff_client reads English)
    response = client.get(url("review", run.pk))

    assert response.context["rows"][0].sentence.startswith("Vous habitez")


def test_review_of_a_run_not_done_goes_to_the_run_page(staff_client, staff):
    pending = run_start(by=staff, weights=engine.Weights())

    response = staff_client.get(url("review", pending.pk))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == url("run", pending.pk)


@pytest.mark.parametrize("size", [5, 50])
def test_review_queries_do_not_grow_with_the_proposals(
    client, staff, size, django_assert_max_num_queries
):
    run = done_run(staff, size, size)
    assert run.proposals.count() == size
    client.force_login(staff)

    with django_assert_max_num_queries(REVIEW_QUERIES):
        response = client.get(url("review", run.pk))

    assert len(response.context["rows"]) == size
    assert ProfileView.objects.count() == size


# Approve


def test_approve_proposes_the_duo_and_twice_does_it_once(
    staff_client, staff, run, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = best(run)

    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.post(url("approve", proposal.pk))
        second = staff_client.post(url("approve", proposal.pk), follow=True)

    assert first.status_code == HTTPStatus.FOUND
    assert first["Location"] == f"{url('review', run.pk)}#proposal-{proposal.pk}"
    proposal.refresh_from_db()
    assert (proposal.state, proposal.reviewed_by) == (ProposalState.APPROVED, staff)
    duo = Duo.objects.get()
    assert (duo.sponsor_id, duo.refugee_id, duo.proposal) == (
        proposal.sponsor_id,
        proposal.refugee_id,
        proposal,
    )
    assert duo.state == DuoState.WAITING
    assert [m.level_tag for m in second.context["messages"]][-1] == "warning"
    assert len(mailoutbox) == 2  # one introduction each, not four


def test_approve_of_someone_already_in_a_duo_says_so_and_changes_nothing(staff_client, run):
    proposal = best(run)
    other = Proposal.objects.exclude(pk=proposal.pk).first()
    Duo.objects.create(
        sponsor=proposal.sponsor,
        refugee=other.refugee,
        expires_at=proposal.run.created_at,
        state=DuoState.ACTIVE,
    )

    response = staff_client.post(url("approve", proposal.pk), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == HTTPStatus.CONFLICT
    assert "already in a duo" in response.context["refusal"]
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    assert Duo.objects.count() == 1


def test_approve_many_approves_the_others_when_one_conflicts(staff_client, run):
    first, second, third = run.proposals.all()
    Duo.objects.create(sponsor=SponsorFactory(), refugee=second.refugee, expires_at=run.created_at)

    response = staff_client.post(
        url("approve_many", run.pk),
        {"proposals": [first.pk, second.pk, third.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    states = dict(run.proposals.values_list("pk", "state"))
    assert states == {
        first.pk: ProposalState.APPROVED,
        second.pk: ProposalState.PROPOSED,
        third.pk: ProposalState.APPROVED,
    }
    assert Duo.objects.filter(proposal__isnull=False).count() == 2
    texts = [str(m) for m in response.context["messages"]]
    assert texts[0] == "2 proposals approved: both people of each are asked."
    assert any(second.refugee.first_name in t and "not approved" in t for t in texts)


def test_approve_many_without_a_ticked_proposal_is_refused(staff_client, run, staff):
    elsewhere = done_run(staff, 1, 1).proposals.first()

    nothing = staff_client.post(url("approve_many", run.pk))
    foreign = staff_client.post(url("approve_many", run.pk), {"proposals": [elsewhere.pk]})

    assert nothing.status_code == foreign.status_code == HTTPStatus.BAD_REQUEST
    assert nothing.context["approve_form"].has_error("proposals", "required")
    assert foreign.context["approve_form"].has_error("proposals", "invalid_choice")
    assert not Duo.objects.exists()


# Reject


def test_reject_marks_the_proposal_and_excludes_the_pair(staff_client, staff, run):
    proposal = best(run)

    response = staff_client.post(url("reject", proposal.pk), {"reason": "  Met already  "})
    again = staff_client.post(url("reject", proposal.pk), {"reason": "Twice"})

    assert response.status_code == again.status_code == HTTPStatus.FOUND
    proposal.refresh_from_db()
    assert (proposal.state, proposal.rejection_reason, proposal.reviewed_by) == (
        ProposalState.REJECTED,
        "Met already",
        staff,
    )
    exclusion = Exclusion.objects.get()
    assert (exclusion.sponsor_id, exclusion.refugee_id) == (
        proposal.sponsor_id,
        proposal.refugee_id,
    )
    assert (exclusion.reason, exclusion.note, exclusion.created_by) == (
        ExclusionReason.REJECTED,
        "Met already",
        staff,
    )


def test_reject_without_a_reason_is_refused(staff_client, run):
    proposal = best(run)

    response = staff_client.post(url("reject", proposal.pk), {"reason": "   "})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["reject_form"].has_error("reason", "required")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    assert not Exclusion.objects.exists()


def test_rejected_pair_is_never_proposed_again(staff_client, staff, run):
    proposal = best(run)
    staff_client.post(url("reject", proposal.pk), {"reason": "No"})

    later = run_start(by=staff, weights=engine.Weights())
    run_execute(later.pk)

    pairs = set(later.proposals.values_list("sponsor_id", "refugee_id"))
    assert (proposal.sponsor_id, proposal.refugee_id) not in pairs


# Swap


@pytest.mark.parametrize("side", ["sponsor", "refugee"])
def test_swap_supersedes_the_proposal_with_a_new_scored_one(staff_client, staff, side):
    run = done_run(staff, 4, 4) if side == "refugee" else done_run(staff, 4, 3)
    if side == "refugee":
        # Free a refugee: reject one proposal so its refugee may be swapped in elsewhere.
        first, other = run.proposals.all()[:2]
        staff_client.post(url("reject", other.pk), {"reason": "No"})
        proposal = first
    else:
        proposal = best(run)
    partner = alternative(run, proposal, side)

    response = staff_client.post(url("swap", proposal.pk), {"side": side, "partner": partner})

    assert response.status_code == HTTPStatus.FOUND
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUPERSEDED and proposal.reviewed_by == staff
    new = run.proposals.get(state=ProposalState.PROPOSED, **{f"{side}_id": partner})
    kept = "refugee" if side == "sponsor" else "sponsor"
    assert getattr(new, f"{kept}_id") == getattr(proposal, f"{kept}_id")
    assert new.score == sum(new.breakdown.values()) and new.reasons[0][0] == "distance"
    assert not new.manual
    assert response["Location"].endswith(f"#proposal-{new.pk}")


def test_swap_to_someone_in_another_proposal_with_no_swap_worked_out_is_refused(staff_client, run):
    proposal = best(run)
    other = run.proposals.exclude(pk=proposal.pk).first()
    key = f"sponsor:{proposal.sponsor_id}"
    run.alternatives[key] = [[other.refugee_id, 50], *run.alternatives.get(key, [])]
    run.swaps.pop(key, None)  # the run did not say what taking her would change
    run.save(update_fields=["alternatives", "swaps"])

    response = staff_client.post(
        url("swap", proposal.pk),
        {"side": "refugee", "partner": other.refugee_id},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert "already in another proposal" in str(response.context["refusal"])
    assert run.proposals.filter(state=ProposalState.PROPOSED).count() == 3


def chained(run: MatchRun, side: str) -> tuple[Proposal, list]:
    """A proposal and a swap the run worked out for it: [partner, mate, again, cost], the
    partner of `side` taken from another proposal."""
    for proposal in run.proposals.filter(state=ProposalState.PROPOSED):
        stays = (
            f"refugee:{proposal.refugee_id}"
            if side == "sponsor"
            else f"sponsor:{proposal.sponsor_id}"
        )
        for chain in run.swaps.get(stays, []):
            return proposal, chain
    raise AssertionError("the run worked out no swap")


def test_a_run_stores_the_swap_of_each_paired_alternative(staff):
    run = done_run(staff, 4, 4)  # everyone paired: every alternative is someone's partner
    mate = {p.refugee_id: p.sponsor_id for p in run.proposals.all()}
    mate |= {p.sponsor_id: p.refugee_id for p in run.proposals.all()}
    assert run.swaps
    for key, chains in run.swaps.items():
        side, pid = key.split(":")
        proposed = {int(item[0]) for item in run.alternatives[key]}
        for partner, partners_mate, again, cost in chains:
            assert partner in proposed and mate[partner] == partners_mate
            assert again in (None, mate[int(pid)])  # nobody is free: her own former partner
            assert isinstance(cost, int)


def test_review_offers_a_paired_alternative_with_what_the_swap_changes(staff_client, staff):
    run = done_run(staff, 4, 4)
    proposal, (partner, partners_mate, again, cost) = chained(run, "refugee")

    page = staff_client.get(url("review", run.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Proposed with someone else: both pairs are redone" in page
    mate = SponsorFactory._meta.model.objects.get(pk=partners_mate)
    words = f"{mate.first_name} would go with" if again else f"{mate.first_name} would be left"
    assert words in page and f"{-cost:+d} points in all" in page
    assert f'<option value="{partner}">' in page


@pytest.mark.parametrize("side", ["sponsor", "refugee"])
def test_swap_with_a_paired_alternative_redoes_both_pairs(staff_client, staff, side):
    run = done_run(staff, 4, 4)
    proposal, (partner, partners_mate, again, cost) = chained(run, side)
    taken = run.proposals.get(state=ProposalState.PROPOSED, **{f"{side}_id": partner})
    before = {(p.sponsor_id, p.refugee_id): p.score for p in run.proposals.all()}

    response = staff_client.post(url("swap", proposal.pk), {"side": side, "partner": partner})

    assert response.status_code == HTTPStatus.FOUND
    for old in (proposal, taken):
        old.refresh_from_db()
        assert old.state == ProposalState.SUPERSEDED and old.reviewed_by == staff
    kept = "sponsor" if side == "refugee" else "refugee"
    stayer = getattr(proposal, f"{kept}_id")
    new = run.proposals.filter(state=ProposalState.PROPOSED)
    pairs = {(p.sponsor_id, p.refugee_id): p.score for p in new}
    first = (stayer, partner) if side == "refugee" else (partner, stayer)
    assert first in pairs
    if again is not None:
        second = (partners_mate, again) if side == "refugee" else (again, partners_mate)
        assert second in pairs and len(pairs) == len(before)
        lost = (
            before[proposal.sponsor_id, proposal.refugee_id]
            + before[taken.sponsor_id, taken.refugee_id]
        )
        assert lost - pairs[first] - pairs[second] == cost  # what the menu said, scored afresh
    assert all(p.score == sum(p.breakdown.values()) for p in new)


def _stored_chain(run: MatchRun, proposal: Proposal, partner: int, again) -> None:
    """Make the run's worked-out swap for taking `partner` send the mate to `again`."""
    key = f"sponsor:{proposal.sponsor_id}"
    run.swaps[key] = [[c[0], c[1], again, c[3]] if c[0] == partner else c for c in run.swaps[key]]
    run.save(update_fields=["swaps"])


def test_swap_whose_mate_goes_with_nobody_leaves_the_mate_without_a_proposal(staff_client, staff):
    run = done_run(staff, 4, 4)
    proposal, (partner, partners_mate, _again, _cost) = chained(run, "refugee")
    _stored_chain(run, proposal, partner, None)

    response = staff_client.post(url("swap", proposal.pk), {"side": "refugee", "partner": partner})

    assert response.status_code == HTTPStatus.FOUND
    standing = run.proposals.filter(state=ProposalState.PROPOSED)
    assert (proposal.sponsor_id, partner) in set(standing.values_list("sponsor_id", "refugee_id"))
    assert not standing.filter(sponsor_id=partners_mate).exists()
    assert standing.count() == 3  # one pair fewer, as the menu said


def test_swap_whose_mate_goes_with_someone_free_pairs_them_unless_she_was_taken(
    staff_client, staff
):
    run = done_run(staff, 4, 5)  # one refugee left free
    free = next(int(item["person_id"]) for item in run.unmatched if item["side"] == "refugee")
    proposal, (partner, partners_mate, _again, _cost) = chained(run, "refugee")
    _stored_chain(run, proposal, partner, free)
    with_free = ProposalFactory(run=run, refugee_id=free, sponsor=SponsorFactory())
    refused = staff_client.post(url("swap", proposal.pk), {"side": "refugee", "partner": partner})
    with_free.delete()

    done = staff_client.post(url("swap", proposal.pk), {"side": "refugee", "partner": partner})

    assert refused.status_code == HTTPStatus.CONFLICT
    assert done.status_code == HTTPStatus.FOUND
    pairs = set(
        run.proposals.filter(state=ProposalState.PROPOSED).values_list("sponsor_id", "refugee_id")
    )
    assert {(proposal.sponsor_id, partner), (partners_mate, free)} <= pairs
    assert (proposal.sponsor_id, proposal.refugee_id) not in pairs


def test_swap_with_a_paired_alternative_whose_proposal_was_approved_is_refused(staff_client, staff):
    run = done_run(staff, 4, 4)
    proposal, (partner, *_rest) = chained(run, "refugee")
    taken = run.proposals.get(state=ProposalState.PROPOSED, refugee_id=partner)
    staff_client.post(url("approve", taken.pk))
    taken.refresh_from_db()
    assert taken.state == ProposalState.APPROVED

    page = staff_client.get(url("review", run.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = staff_client.post(
        url("swap", proposal.pk),
        {"side": "refugee", "partner": partner},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert (
        f'<option value="{partner}">' not in page.split(f'id="refugee-for-{proposal.pk}"')[1][:3000]
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "already in another proposal" in str(response.context["refusal"])
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED


def test_swap_to_someone_who_left_the_pool_is_refused(staff_client, run):
    proposal = best(run)
    partner = alternative(run, proposal, "sponsor")
    SponsorFactory._meta.model.objects.get(pk=partner).pause()

    response = staff_client.post(
        url("swap", proposal.pk), {"side": "sponsor", "partner": partner}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert "no longer in the pool" in str(response.context["refusal"])
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PROPOSED
    assert run.proposals.count() == 3


def test_swap_to_someone_not_among_the_alternatives_is_refused(staff_client, run):
    proposal = best(run)

    response = staff_client.post(
        url("swap", proposal.pk), {"side": "sponsor", "partner": proposal.refugee_id}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["swap_form"].has_error("__all__", "not_an_alternative")
    assert run.proposals.count() == 3


# Pairing by hand


def test_pair_breaches_names_every_broken_rule():
    paris = {"lat": 48.8574, "lon": 2.3795, "max_distance_km": 10}
    lyon = {"lat": 45.764, "lon": 4.8357, "max_distance_km": 500}
    sponsor = engine.Person(
        "s", **paris, languages={"fr": "native"}, gender="man", partner_gender="woman"
    )
    refugee = engine.Person("r", **lyon, languages={"ar": "native", "fr": "basic"}, gender="man")

    breaches = engine.pair_breaches(sponsor, refugee)

    assert [code for code, _values in breaches] == [
        "too_far",
        "no_shared_language",
        "gender_preference",
    ]
    assert breaches[0][1]["limit"] == 10 and 380 < breaches[0][1]["km"] < 400
    assert breaches[2][1] == {"side": "sponsor", "wants": "woman"}
    assert engine.pair_breaches(sponsor, engine.Person("r2", **paris, languages={"fr": "fluent"},
                                                       gender="woman")) == []  # fmt: skip


def test_manual_pair_warnings_in_words(run, settings):
    from django.utils import translation

    sponsor = SponsorFactory(first_name="Paul", partner_gender="man", gender="man")
    refugee = RefugeeFactory(
        first_name="Lina", latitude=45.764, longitude=4.8357, languages=[{"code": "ar",
                                                                        "level": "native"}]
    )  # fmt: skip
    Exclusion.objects.create(sponsor=sponsor, refugee=refugee, reason=ExclusionReason.DECLINED)

    with translation.override("en"):
        warnings = manual_pair_warnings(sponsor=sponsor, refugee=refugee)

    assert warnings[0].startswith("They live about 39")
    assert "farther than 10 km" in warnings[0]
    assert warnings[1] == "They share no language at conversational level or better."
    assert warnings[2] == "Paul would rather be paired with a man."
    assert warnings[3] == "This pair is excluded: declined by one of them."


def test_manual_pair_shows_warnings_then_pairs_on_confirmation(
    staff_client, staff, run, django_capture_on_commit_callbacks
):
    left_over = run.unmatched[0]["person_id"]
    refugee = RefugeeFactory(first_name="Far", latitude=45.764, longitude=4.8357)
    page = staff_client.get(url("manual_pair", run.pk))
    choices = [value for value, _label in page.context["form"].fields["sponsor"].choices if value]
    assert [int(str(c)) for c in choices] == [int(left_over)]  # the others are in proposals

    check = staff_client.post(
        url("manual_pair", run.pk),
        {"sponsor": left_over, "refugee": refugee.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert check.status_code == HTTPStatus.OK
    assert check.context["confirming"] is True
    assert "They live about" in check.content.decode()
    assert not Proposal.objects.filter(manual=True).exists()
    assert ProfileView.objects.filter(person=refugee, what="match review").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(
            url("manual_pair", run.pk), {"sponsor": left_over, "refugee": refugee.pk, "confirm": 1}
        )

    assert done.status_code == HTTPStatus.FOUND
    manual = Proposal.objects.get(manual=True)
    assert (manual.run, manual.sponsor_id, manual.refugee, manual.state, manual.reviewed_by) == (
        run,
        int(left_over),
        refugee,
        ProposalState.APPROVED,
        staff,
    )
    assert manual.breakdown["distance"] == 0 and manual.score == sum(manual.breakdown.values())
    assert Duo.objects.get().proposal == manual
    refugee.refresh_from_db()
    assert refugee.state == CandidateState.IN_DUO


def test_manual_pair_refuses_someone_in_a_proposal_of_the_run(staff_client, run):
    proposal = best(run)
    refugee = RefugeeFactory()

    response = staff_client.post(
        url("manual_pair", run.pk), {"sponsor": proposal.sponsor_id, "refugee": refugee.pk}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].has_error("sponsor", "invalid_choice")
    assert not Duo.objects.exists()


def test_manual_pair_of_someone_in_a_duo_since_is_refused(staff_client, run):
    left_over = run.unmatched[0]["person_id"]
    refugee = RefugeeFactory()
    form = {"sponsor": left_over, "refugee": refugee.pk, "confirm": 1}
    # Between the check and the confirmation, the refugee got a duo elsewhere.
    Duo.objects.create(sponsor=SponsorFactory(), refugee=refugee, expires_at=run.created_at)

    response = staff_client.post(url("manual_pair", run.pk), form, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == HTTPStatus.CONFLICT
    assert "already in a duo" in str(response.context["refusal"])
    assert not Proposal.objects.filter(manual=True).exists()
