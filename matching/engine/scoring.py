"""Hard constraints and integer scores, vectorised.

Every function takes two `Pool` views whose arrays broadcast against each other:
rows (n, 1) against columns (1, m) for a dense block, or two aligned 1-D arrays for
a list of pairs. The same code path serves both, so a pair's score in the solver
and in its explanation are bit-for-bit the same.
"""

from __future__ import annotations

import numpy as np

from .model import MISSING_BIRTH_YEAR, Pool, Weights, chord2_to_km, common, common_count

CRITERIA = ("distance", "interests", "availability", "language", "age", "waiting")
INTERESTS_FOR_FULL_POINTS = 3
SLOTS_FOR_FULL_POINTS = 2
AGE_GAP_FOR_ZERO_POINTS = 30  # years
WAIT_FOR_FULL_POINTS = 2 * 365  # days, both people together; each capped at a year


# The arrays `criterion_points` reads: enough to gather for a list of edges.
SCORE_FIELDS = frozenset({"reach_km", "lang_conv", "lang_fluent", "lang_native", "interests",
                          "slots", "birth_year", "wait_days"})  # fmt: skip


def squared_chord(a: Pool, b: Pool) -> np.ndarray:
    """Squared straight-line distance between homes on the unit sphere."""
    dx, dy, dz = a.x - b.x, a.y - b.y, a.z - b.z
    return dx * dx + dy * dy + dz * dz


def reach_limit(a: Pool, b: Pool) -> np.ndarray:
    return np.minimum(a.reach_chord2, b.reach_chord2)


def within_reach(chord2: np.ndarray, limit2: np.ndarray) -> np.ndarray:
    return chord2 <= limit2


def share_language(a: Pool, b: Pool) -> np.ndarray:
    return common(a.lang_conv, b.lang_conv)


def genders_accepted(a: Pool, b: Pool) -> np.ndarray:
    return ((a.accepts & b.gender) != 0) & ((b.accepts & a.gender) != 0)


def feasible(a: Pool, b: Pool, chord2: np.ndarray, limit2: np.ndarray) -> np.ndarray:
    """Constraints 1-3 (exclusions are applied by the caller)."""
    ok = within_reach(chord2, limit2)
    ok &= share_language(a, b)
    ok &= genders_accepted(a, b)
    return ok


def points_table(weight: int, steps: int) -> np.ndarray:
    """Points for 0..steps units, rounded half up with exact integer arithmetic."""
    units = np.arange(steps + 1, dtype=np.int64)
    return ((2 * weight * units + steps) // (2 * steps)).astype(np.uint8)


def distance_points(chord2: np.ndarray, limit_km: np.ndarray, weight: int) -> np.ndarray:
    """weight x (1 - km / limit), rounded half up, on the great-circle distance that
    the pair reads (`chord2_to_km`), not on the chord."""
    km = chord2_to_km(chord2)
    closeness = np.maximum(1.0 - km / np.maximum(limit_km, 1e-300), 0.0)
    return np.floor(weight * closeness + 0.5).astype(np.uint8)


def criterion_points(
    a: Pool, b: Pool, chord2: np.ndarray, limit2: np.ndarray, weights: Weights
) -> dict[str, np.ndarray]:
    """Integer points per criterion; each is at most its weight."""
    distance = distance_points(chord2, np.minimum(a.reach_km, b.reach_km), weights.distance)

    shared = np.minimum(common_count(a.interests, b.interests), INTERESTS_FOR_FULL_POINTS)
    interests = points_table(weights.interests, INTERESTS_FOR_FULL_POINTS)[shared]

    slots = np.minimum(np.bitwise_count(a.slots & b.slots), SLOTS_FOR_FULL_POINTS)
    availability = points_table(weights.availability, SLOTS_FOR_FULL_POINTS)[slots]

    level = share_language(a, b).astype(np.uint8)
    level += common(a.lang_fluent, b.lang_fluent)
    level += common(a.lang_native, b.lang_native)
    language = points_table(weights.language, 3)[level]

    # A missing year is far from every year, so it scores 0 even against another one.
    known = (a.birth_year != MISSING_BIRTH_YEAR) & (b.birth_year != MISSING_BIRTH_YEAR)
    gap = np.where(known, np.abs(a.birth_year - b.birth_year), AGE_GAP_FOR_ZERO_POINTS)
    gap = np.minimum(gap, AGE_GAP_FOR_ZERO_POINTS)
    age = points_table(weights.age, AGE_GAP_FOR_ZERO_POINTS)[AGE_GAP_FOR_ZERO_POINTS - gap]

    waited = a.wait_days + b.wait_days
    waiting = points_table(weights.waiting, WAIT_FOR_FULL_POINTS)[waited]
    return {
        "distance": distance,
        "interests": interests,
        "availability": availability,
        "language": language,
        "age": age,
        "waiting": waiting,
    }


def total_score(points: dict[str, np.ndarray]) -> np.ndarray:
    """Sum of criterion points as uint8 (the weights add up to at most 100)."""
    values = iter(points.values())
    total = next(values).copy()
    for value in values:
        total += value
    return total


SLOT_ORDER = ("weekday_day", "weekday_evening", "weekend_day", "weekend_evening")
