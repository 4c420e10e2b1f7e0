"""A brute-force reference, written from the documented rules alone, in plain Python.

It shares no code with the engine: its own distance (haversine), its own reading of
each rule, exact fractions for the rounding, and SciPy's dense `linear_sum_assignment`
on a two-level objective (BIG per pair, plus the score) for the optimum.

The rules (matching/engine/scoring.py, README): a pair is feasible when both live
within the smaller of their two distance limits, share a language at conversational
level or better, each accepts the other's gender, and staff have not excluded it. The
most pairs, then the best total score. Points per criterion, each rounded half up:
distance w x (1 - km / limit); interests w x min(shared, 3) / 3; availability
w x min(shared slots, 2) / 2; language w x levels / 3, a level for sharing a language
at conversational level or better, one more at fluent or better, one more natively;
age w x (30 - min(gap, 30)) / 30, 0 when a year is missing; waiting
w x (each wait capped at 365 days, added) / 730.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching.engine import Person, Weights

RADIUS_KM = 6371.0088
LEVELS = ("basic", "conversational", "fluent", "native")
SLOTS = ("weekday_day", "weekday_evening", "weekend_day", "weekend_evening")
ALTERNATIVES = 5
WAIT_WORTH_MENTIONING = 90


def km_between(a: Person, b: Person) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def half_up(weight: int, units: Fraction | int, steps: int) -> int:
    return math.floor(Fraction(weight) * Fraction(units) / steps + Fraction(1, 2))


def at_least(person: Person, level: str) -> set[str]:
    rank = LEVELS.index(level)
    return {code for code, lv in person.languages.items() if LEVELS.index(lv) >= rank}


def shared_languages(a: Person, b: Person) -> list[str]:
    return sorted(at_least(a, "conversational") & at_least(b, "conversational"))


def accepts(person: Person, gender: str) -> bool:
    return person.partner_gender in ("", "any") or person.partner_gender == gender


def in_reach(s: Person, r: Person) -> bool:
    return km_between(s, r) <= min(s.max_distance_km, r.max_distance_km)


def feasible(s: Person, r: Person, excluded: set) -> bool:
    return (in_reach(s, r) and bool(shared_languages(s, r)) and accepts(s, r.gender)
            and accepts(r, s.gender) and (s.id, r.id) not in excluded)  # fmt: skip


def breakdown(s: Person, r: Person, w: Weights) -> dict[str, int]:
    limit = min(s.max_distance_km, r.max_distance_km)
    closeness = max(0.0, 1.0 - km_between(s, r) / limit) if limit > 0 else 1.0
    levels = sum(bool(at_least(s, lv) & at_least(r, lv)) for lv in LEVELS[1:])
    years = (s.birth_year, r.birth_year)
    gap = 30 if None in years else min(abs(years[0] - years[1]), 30)
    waited = sum(min(max(p.waiting_days, 0), 365) for p in (s, r))
    return {
        "distance": math.floor(w.distance * closeness + 0.5),
        "interests": half_up(w.interests, min(len(s.interests & r.interests), 3), 3),
        "availability": half_up(w.availability, min(len(s.availability & r.availability), 2), 2),
        "language": half_up(w.language, levels, 3),
        "age": half_up(w.age, 30 - gap, 30),
        "waiting": half_up(w.waiting, waited, 730),
    }


def on_a_boundary(s: Person, r: Person, w: Weights) -> bool:
    """Float rounding can tip either way: a distance at a limit or at a half point."""
    km, limit = km_between(s, r), min(s.max_distance_km, r.max_distance_km)
    if abs(km - limit) < 1e-6:
        return True
    if limit <= 0:
        return False
    value = w.distance * max(0.0, 1.0 - km / limit) + 0.5
    return abs(value - round(value)) < 1e-6 and 0 < km < limit


def reasons(s: Person, r: Person) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = [("distance", {"km": km_between(s, r)}),
                                     ("languages", {"codes": shared_languages(s, r)})]  # fmt: skip
    if s.interests & r.interests:
        found.append(("interests", {"codes": sorted(s.interests & r.interests)}))
    slots = [slot for slot in SLOTS if slot in s.availability & r.availability]
    if slots:
        found.append(("slots", {"codes": slots}))
    if max(s.waiting_days, r.waiting_days) >= WAIT_WORTH_MENTIONING:
        found.append(("waited", {"days": max(s.waiting_days, r.waiting_days)}))
    return found


@dataclass
class Optimum:
    pairs: set[tuple[str, str]]
    count: int
    total: int
    unique: bool
    scores: dict[tuple[str, str], int] = field(default_factory=dict)


def optimum(sponsors, refugees, excluded, weights: Weights) -> Optimum:
    """Most pairs, then best total, by a dense assignment on BIG + score."""
    scores = {(s.id, r.id): sum(breakdown(s, r, weights).values())
              for s in sponsors for r in refugees if feasible(s, r, excluded)}  # fmt: skip
    count, total, pairs = _solve(sponsors, refugees, scores)
    unique = all(_solve(sponsors, refugees, {k: v for k, v in scores.items() if k != pair})[:2]
                 != (count, total) for pair in pairs)  # fmt: skip
    return Optimum(pairs, count, total, unique, scores)


def _solve(sponsors, refugees, scores):
    if not sponsors or not refugees:
        return 0, 0, set()
    big = 101 * min(len(sponsors), len(refugees)) + 1
    value = np.zeros((len(sponsors), len(refugees)))
    for i, s in enumerate(sponsors):
        for j, r in enumerate(refugees):
            if (s.id, r.id) in scores:
                value[i, j] = big + scores[s.id, r.id]
    rows, cols = linear_sum_assignment(value, maximize=True)
    pairs = {(sponsors[i].id, refugees[j].id) for i, j in zip(rows, cols, strict=True)
             if value[i, j] > 0}  # fmt: skip
    return len(pairs), sum(scores[p] for p in pairs), pairs


def unmatched_reason(me: Person, others, side: str, excluded) -> tuple[str, dict]:
    def pair(o):
        return (me, o) if side == "sponsor" else (o, me)

    reach = [o for o in others if in_reach(*pair(o))]
    if not reach:
        nearest = min((km_between(me, o) for o in others), default=None)
        return "no_one_in_reach", {"nearest_km": nearest}
    language = [o for o in reach if shared_languages(me, o)]
    if not language:
        return "no_shared_language", {"in_reach": len(reach)}
    gender = [o for o in language if accepts(me, o.gender) and accepts(o, me.gender)]
    if not gender:
        return "gender_preference", {"in_reach": len(reach)}
    left = [o for o in gender if (pair(o)[0].id, pair(o)[1].id) not in excluded]
    if not left:
        return "excluded", {"in_reach": len(reach)}
    return "partners_needed_elsewhere", {"feasible": len(left)}


def alternatives(me: Person, others, side: str, mate: dict, scores) -> list[tuple[str, int]]:
    """Free feasible partners best first, then paired ones (not one's own), ties by id."""
    key = {o.id: ((me.id, o.id) if side == "sponsor" else (o.id, me.id)) for o in others}
    other_side = "refugee" if side == "sponsor" else "sponsor"
    options = [(o.id, scores[key[o.id]]) for o in others
               if key[o.id] in scores and o.id != mate.get((side, me.id))]  # fmt: skip
    free = sorted((o for o in options if (other_side, o[0]) not in mate),
                  key=lambda o: (-o[1], o[0]))  # fmt: skip
    taken = sorted((o for o in options if (other_side, o[0]) in mate), key=lambda o: (-o[1], o[0]))
    return (free + taken)[:ALTERNATIVES]
