"""One pair of people, by the solver's own code: distance, shared languages, hard
constraints broken, score and reasons.

The web app calls these instead of writing the rules again (a manual pair, a swap,
an introduction email). Each function builds the same one-person arrays the solver
builds for a whole pool and runs the same vectorised functions of `scoring` on them,
so a pair gets here exactly the distance, feasibility and points it gets in `match`,
to the last bit. Nothing is rounded: round only for display, once.

    from matching.engine import distance_km, pair_breaches, score_pair, shared_languages
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from . import scoring
from .model import Pair, Person, Pool, Weights, build_pools, chord2_to_km, unit_vectors
from .vocabulary import SHARED_LEVELS

WAIT_WORTH_MENTIONING = 90  # days


class Located(Protocol):
    """Anything with a latitude and a longitude in degrees: an engine `Person`, a
    `accounts.geodata.Commune`..."""

    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...


def distance_km(a: Located, b: Located) -> float:
    """Great-circle distance in km between two homes, unrounded, as the engine
    measures it (the chord between unit vectors on a 6,371.0088 km sphere, turned into
    the arc): the distance a pair's reach is checked against, its distance points are
    computed from, `Pair.distance_km` and the "about N km" of the reasons show.

    `a` and `b` need only `lat` and `lon` (degrees): two engine `Person`s, or two
    communes. Symmetric; 0.0 for the same point.
    """
    points = unit_vectors(np.array([a.lat, b.lat], np.float64), np.array([a.lon, b.lon]))
    d = points[0] - points[1]
    # Same operations, in the same order, as scoring.squared_chord on a pool.
    chord2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
    return float(chord2_to_km(chord2))


def shared_languages(sponsor: Person, refugee: Person) -> list[str]:
    """Codes of the languages both speak at conversational level or better, sorted.

    This is the language rule of feasibility (a pair needs at least one) and the list
    the reasons name ("you both speak French and Arabic"). Levels are those of
    `vocabulary.LEVELS`; "basic" does not count. Symmetric.
    """
    return sorted(
        code
        for code, level in sponsor.languages.items()
        if level in SHARED_LEVELS and refugee.languages.get(code) in SHARED_LEVELS
    )


def pair_breaches(sponsor: Person, refugee: Person) -> list[tuple[str, dict]]:
    """The hard constraints the pair breaks, as (code, values); [] if `match` may pair them.

    Exclusions (refused by staff, declined, former duos) are not known here: the
    caller checks its own. In this order, each at most once except the gender rule:

    - ("too_far", {"km": float, "limit": float}): they live farther apart than the
      smaller of their two `max_distance_km` (`limit`); `km` is `distance_km`,
      unrounded. Decided exactly as the solver decides it, so a pair 10.04 km apart
      with a 10 km limit is too far.
    - ("no_shared_language", {}): no language in common at conversational level or
      better (`shared_languages` is empty).
    - ("gender_preference", {"side": "sponsor" | "refugee", "wants": "woman" | "man"}):
      the person on `side` would rather be paired with `wants`, and the other person
      is not; once per side that objects. An empty or "any" preference accepts everyone.
    """
    pool_s, pool_r = build_pools([sponsor], [refugee])
    chord2 = scoring.squared_chord(pool_s, pool_r)
    limit2 = scoring.reach_limit(pool_s, pool_r)
    breaches: list[tuple[str, dict]] = []
    if not scoring.within_reach(chord2, limit2)[0]:
        km = float(chord2_to_km(chord2)[0])
        limit = float(min(sponsor.max_distance_km, refugee.max_distance_km))
        breaches.append(("too_far", {"km": km, "limit": limit}))
    if not scoring.share_language(pool_s, pool_r)[0]:
        breaches.append(("no_shared_language", {}))
    for side, own, other, person in (("sponsor", pool_s, pool_r, sponsor),
                                     ("refugee", pool_r, pool_s, refugee)):  # fmt: skip
        if not (own.accepts & other.gender)[0]:
            breaches.append(("gender_preference", {"side": side, "wants": person.partner_gender}))
    return breaches


def score_pair(
    sponsor: Person,
    refugee: Person,
    weights: Weights = Weights(),  # noqa: B008 - frozen dataclass, safe as a default
    *,
    even_if_infeasible: bool = False,
) -> Pair | None:
    """The pair as `match` would give it: score, breakdown, distance and reasons.

    Returns None when the pair breaks a hard constraint (see `pair_breaches`;
    exclusions are not checked), unless `even_if_infeasible`: then the points are
    those the rules give anyway (a pair formed by hand, out of reach, gets 0 distance
    points). `Pair.score` is the sum of `Pair.breakdown` (criterion name -> points,
    each at most its weight); `Pair.distance_km` is rounded to 0.01 km like the
    engine's output, `Pair.reasons` are reason codes for
    `explain.pair_sentence`, with the exact distance.
    """
    pool_s, pool_r = build_pools([sponsor], [refugee])
    chord2 = scoring.squared_chord(pool_s, pool_r)
    limit2 = scoring.reach_limit(pool_s, pool_r)
    if not even_if_infeasible and not scoring.feasible(pool_s, pool_r, chord2, limit2)[0]:
        return None
    return _pair(sponsor, refugee, pool_s, pool_r, chord2, limit2, weights)


def _pair(sponsor, refugee, pool_s: Pool, pool_r: Pool, chord2, limit2, weights) -> Pair:
    points = scoring.criterion_points(pool_s, pool_r, chord2, limit2, weights)
    breakdown = {name: int(values[0]) for name, values in points.items()}
    km = float(chord2_to_km(chord2)[0])
    return Pair(sponsor.id, refugee.id, sum(breakdown.values()), round(km, 2), breakdown,
                pair_reasons(sponsor, refugee, km))  # fmt: skip


def pair_reasons(sponsor: Person, refugee: Person, km: float) -> list[tuple[str, dict]]:
    """Reason codes with values, in the order a sentence reads them; `km` exact (the
    sentence rounds it, once)."""
    reasons: list[tuple[str, dict]] = [("distance", {"km": km})]
    reasons.append(("languages", {"codes": shared_languages(sponsor, refugee)}))
    interests = sorted(sponsor.interests & refugee.interests)
    if interests:
        reasons.append(("interests", {"codes": interests}))
    both_free = sponsor.availability & refugee.availability
    slots = [s for s in scoring.SLOT_ORDER if s in both_free]
    if slots:
        reasons.append(("slots", {"codes": slots}))
    waited = max(sponsor.waiting_days, refugee.waiting_days)
    if waited >= WAIT_WORTH_MENTIONING:
        reasons.append(("waited", {"days": waited}))
    return reasons
