"""What the match run pages show: a fixed number of queries whatever the size of a run."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Person, Role
from matching import engine
from matching.engine import explain, vocabulary
from matching.models import MatchRun, Proposal, ProposalState
from matching.proposals import OPEN_PROPOSAL_STATES
from matching.services import pool_queryset

# Stage codes the engine reports, in words.
STAGES = {
    "": _("Waiting for a worker"),
    "preparing": _("Preparing the pool"),
    "candidates": _("Finding possible pairs"),
    "solving": _("Choosing the best pairs"),
    "verifying": _("Checking that no pair was missed"),
    "explaining": _("Writing the reasons"),
    "done": _("Done"),
}


def stage_label(stage: str) -> str:
    return str(STAGES[stage]) if stage in STAGES else stage


@dataclass
class Profile:
    """What matching needs to know of a person, and nothing more (no contact, no status)."""

    person: Person
    languages: list[tuple[str, str]]
    interests: list[str]
    availability: list[str]
    age_band: str
    waiting_days: int


@dataclass
class ProposalRow:
    proposal: Proposal
    sponsor: Profile
    refugee: Profile
    sentence: str
    breakdown: list[tuple[str, int, int]]  # criterion in words, points, weight
    # Swap menus: (person id, first name and commune, score) of alternatives still free.
    other_sponsors: list[tuple[int, str, int]] = field(default_factory=list)
    other_refugees: list[tuple[int, str, int]] = field(default_factory=list)


def profile(person: Person, now: datetime) -> Profile:
    languages = [
        (
            gettext(vocabulary.label(vocabulary.LANGUAGES, item.get("code", ""))),
            gettext(vocabulary.label(vocabulary.LEVELS, item.get("level", ""))),
        )
        for item in person.languages
        if isinstance(item, dict)
    ]
    waited = now - (person.waiting_since or person.validated_at or person.created_at)
    return Profile(
        person=person,
        languages=languages,
        interests=[gettext(vocabulary.label(vocabulary.INTERESTS, c)) for c in person.interests],
        availability=[gettext(vocabulary.label(vocabulary.SLOTS, c)) for c in person.availability],
        age_band=age_band(person.birth_year, now.year),
        waiting_days=max(waited.days, 0),
    )


def age_band(birth_year: int | None, year: int) -> str:
    if not birth_year:
        return "—"
    decade = (year - birth_year) // 10 * 10
    return gettext("%(low)d–%(high)d years old") % {"low": decade, "high": decade + 9}


def breakdown_rows(breakdown: dict, weights: dict) -> list[tuple[str, int, int]]:
    return [
        (gettext(explain.CRITERION_LABELS.get(name, name)), points, weights.get(name, 0))
        for name, points in breakdown.items()
    ]


def review_rows(run: MatchRun, proposals: list[Proposal]) -> list[ProposalRow]:
    """The page's proposals with everything they show; reads only (the view logs the
    refugees' profiles it shows, accounts.access.audit_profile_views).

    Queries: one for the people of the swap menus, one for who is taken.
    """
    now = timezone.now()
    taken = _taken_people(run)
    menus, names = _swap_menus(run, proposals, taken)
    rows = []
    for proposal in proposals:
        rows.append(
            ProposalRow(
                proposal=proposal,
                sponsor=profile(proposal.sponsor, now),
                refugee=profile(proposal.refugee, now),
                sentence=explain.pair_sentence(proposal.reasons, translation),
                breakdown=breakdown_rows(proposal.breakdown, run.weights),
                other_sponsors=menus.get(f"refugee:{proposal.refugee_id}", []),
                other_refugees=menus.get(f"sponsor:{proposal.sponsor_id}", []),
            )
        )
    return rows


def _taken_people(run: MatchRun) -> tuple[set[int], set[int]]:
    """Sponsors and refugees already in a proposal of the run that still stands."""
    pairs = Proposal.objects.filter(run=run, state__in=OPEN_PROPOSAL_STATES).values_list(
        "sponsor_id", "refugee_id"
    )
    sponsors, refugees = set(), set()
    for sponsor_id, refugee_id in pairs:
        sponsors.add(sponsor_id)
        refugees.add(refugee_id)
    return sponsors, refugees


def _swap_menus(run: MatchRun, proposals: list[Proposal], taken) -> tuple[dict, dict]:
    keys = [f"refugee:{p.refugee_id}" for p in proposals if p.state == ProposalState.PROPOSED]
    keys += [f"sponsor:{p.sponsor_id}" for p in proposals if p.state == ProposalState.PROPOSED]
    wanted = {int(other) for key in keys for other, _score in run.alternatives.get(key, [])}
    people = Person.objects.only("first_name", "commune", "role").in_bulk(wanted) if wanted else {}
    menus = {}
    for key in keys:
        # The menu offers the other side: alternatives of a refugee are sponsors.
        role = Role.SPONSOR if key.startswith("refugee:") else Role.REFUGEE
        busy = taken[0] if role == Role.SPONSOR else taken[1]
        menu = []
        for other, score in run.alternatives.get(key, []):
            person = people.get(int(other))
            if person is None or person.role != role or person.pk in busy:
                continue
            menu.append((person.pk, f"{person.first_name} · {person.commune}", int(score)))
        menus[key] = menu
    return menus, people


def unmatched_rows(run: MatchRun) -> list[dict]:
    """People of the run left without a partner, with the engine's reason in words."""
    ids = [int(item["person_id"]) for item in run.unmatched]
    people = Person.objects.only("first_name", "commune", "departement", "role").in_bulk(ids)
    rows = []
    for item in run.unmatched:
        unmatched = engine.Unmatched(
            person_id=item["person_id"],
            side=item["side"],
            reason=item["reason"],
            values=item.get("values", {}),
        )
        rows.append(
            {
                "person": people.get(int(item["person_id"])),
                "side": item["side"],
                "label": gettext(explain.REASON_LABELS.get(unmatched.reason, unmatched.reason)),
                "sentence": explain.unmatched_sentence(unmatched, translation),
            }
        )
    return rows


def manual_choices(run: MatchRun) -> tuple[QuerySet[Person], QuerySet[Person]]:
    """Sponsors and refugees of the pool who are in no proposal of the run still standing."""
    open_proposals = Proposal.objects.filter(run=run, state__in=OPEN_PROPOSAL_STATES)
    pool = pool_queryset(run.departement).order_by("first_name", "pk")
    sponsors = pool.filter(role=Role.SPONSOR).exclude(pk__in=open_proposals.values("sponsor_id"))
    refugees = pool.filter(role=Role.REFUGEE).exclude(pk__in=open_proposals.values("refugee_id"))
    return sponsors, refugees
