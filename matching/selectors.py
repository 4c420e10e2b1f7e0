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
    # Swap menus: (person id, first name and commune, score) of alternatives still free,
    # then (person id, the option in words) of those proposed with someone else.
    other_sponsors: list[tuple[int, str, int]] = field(default_factory=list)
    other_refugees: list[tuple[int, str, int]] = field(default_factory=list)
    taken_sponsors: list[tuple[int, str]] = field(default_factory=list)
    taken_refugees: list[tuple[int, str]] = field(default_factory=list)


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
    menus = _swap_menus(run, proposals, _Standing.of(run))
    rows = []
    for proposal in proposals:
        for_refugee = menus.get(f"refugee:{proposal.refugee_id}", ([], []))
        for_sponsor = menus.get(f"sponsor:{proposal.sponsor_id}", ([], []))
        rows.append(
            ProposalRow(
                proposal=proposal,
                sponsor=profile(proposal.sponsor, now),
                refugee=profile(proposal.refugee, now),
                sentence=explain.pair_sentence(proposal.reasons, translation),
                breakdown=breakdown_rows(proposal.breakdown, run.weights),
                other_sponsors=for_refugee[0],
                other_refugees=for_sponsor[0],
                taken_sponsors=for_refugee[1],
                taken_refugees=for_sponsor[1],
            )
        )
    return rows


@dataclass
class _Standing:
    """Who is in a proposal of the run that still stands, and who is proposed with whom."""

    sponsors: set[int]
    refugees: set[int]
    mate: dict[tuple[str, int], int]  # ("sponsor", id) -> refugee id, of proposals not decided

    @classmethod
    def of(cls, run: MatchRun) -> "_Standing":
        pairs = Proposal.objects.filter(run=run, state__in=OPEN_PROPOSAL_STATES).values_list(
            "sponsor_id", "refugee_id", "state"
        )
        standing = cls(set(), set(), {})
        for sponsor_id, refugee_id, state in pairs:
            standing.sponsors.add(sponsor_id)
            standing.refugees.add(refugee_id)
            if state == ProposalState.PROPOSED:
                standing.mate["sponsor", sponsor_id] = refugee_id
                standing.mate["refugee", refugee_id] = sponsor_id
        return standing


def _swap_menus(run: MatchRun, proposals: list[Proposal], standing: _Standing) -> dict:
    """Per person who stays ("refugee:7"), the alternatives still free, and those proposed
    with someone else whose swap the run worked out, still as it was (in words)."""
    keys = [f"refugee:{p.refugee_id}" for p in proposals if p.state == ProposalState.PROPOSED]
    keys += [f"sponsor:{p.sponsor_id}" for p in proposals if p.state == ProposalState.PROPOSED]
    own = {f"sponsor:{p.sponsor_id}": p.refugee_id for p in proposals}
    own |= {f"refugee:{p.refugee_id}": p.sponsor_id for p in proposals}
    chains = {key: {int(c[0]): c[1:] for c in run.swaps.get(key, [])} for key in keys}
    wanted = {int(item[0]) for key in keys for item in run.alternatives.get(key, [])}
    wanted |= {int(i) for c in chains.values() for link in c.values() for i in link[:2] if i}
    people = Person.objects.only("first_name", "commune", "role").in_bulk(wanted) if wanted else {}
    menus = {}
    for key in keys:
        # The menu offers the other side: alternatives of a refugee are sponsors.
        role = Role.SPONSOR if key.startswith("refugee:") else Role.REFUGEE
        side = "sponsor" if role == Role.SPONSOR else "refugee"
        busy = standing.sponsors if role == Role.SPONSOR else standing.refugees
        free, taken = [], []
        for other, score in run.alternatives.get(key, []):
            person = people.get(int(other))
            if person is None or person.role != role:
                continue
            if person.pk not in busy:
                free.append((person.pk, _name(person), int(score)))
                continue
            chain = chains[key].get(person.pk)
            if chain and _still_as_worked_out(chain, standing.mate.get((side, person.pk)),
                                              own[key], busy):  # fmt: skip
                taken.append((person.pk, _swap_words(person, int(score), chain, people)))
        menus[key] = (free, taken)
    return menus


def _still_as_worked_out(chain: list, mate_now: int | None, own: int, busy: set[int]) -> bool:
    """The partner is still proposed with the same mate, not yet decided, and whom the
    mate would go with is this proposal's own partner, or still free (or nobody)."""
    mate, again, _cost = chain
    return mate_now == mate and (again is None or again == own or again not in busy)


def _name(person: Person) -> str:
    return f"{person.first_name} · {person.commune}"


def _swap_words(person: Person, score: int, chain: list, people: dict) -> str:
    """An alternative proposed with someone else: who that one would go with instead, and
    the points the swap changes in all."""
    mate_id, again_id, cost = chain
    mate, again = people.get(mate_id), people.get(again_id) if again_id else None
    values = {"label": _name(person), "score": score, "change": f"{-int(cost):+d}",
              "mate": mate.first_name if mate else "?"}  # fmt: skip
    if again is None:
        return gettext(
            "%(label)s (%(score)s points): %(mate)s would be left without a partner, "
            "%(change)s points in all"
        ) % values  # fmt: skip
    return gettext(
        "%(label)s (%(score)s points): %(mate)s would go with %(again)s, %(change)s points in all"
    ) % {**values, "again": again.first_name}  # fmt: skip


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
