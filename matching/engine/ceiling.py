"""Upper bounds of the points other than distance, for whole blocks of pairs at once.

The bound's pass (bound.py) must look at every feasible pair, hundreds of millions
on a national pool, yet only the few whose score could beat their potentials need
an exact score. Each criterion but language is bounded by a product of one feature
of each person, so that a block's bounds are one matrix product (BLAS, a few
nanoseconds a pair) instead of a gather and a lookup per pair:

- interests and slots: the shared bits times the table's steepest slope (the points
  of k shared items are at most k times the best points per item);
- waiting: each person's own days, at the table's slope, plus the rounding half;
- age: the best age points between two birth years, from a table over year bins
  (exact with one-year bins, a fraction of a point higher with wider ones).
Language is bounded by the lower of the two people's best levels. The sum is never
below the exact points (tests/engine/test_bound.py checks it on every pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import scoring
from .model import MISSING_BIRTH_YEAR, Pool, Weights

MAX_BITS = 128  # codes per criterion beyond which a person's best points are used instead
AGE_BINS = 8  # year bins of the age table: the wider the bins, the looser the bound
# The float32 product sums up to a few hundred terms below 100: its rounding error
# is far below this, which the bound adds.
MARGIN = np.float32(0.01)


@dataclass
class Ceiling:
    """rows @ cols (plus the language term) bounds the points other than distance."""

    rows: np.ndarray  # (len(A), K) float32
    cols: np.ndarray  # (K, len(B)) float32: a block's columns are gathered contiguous
    language_rows: np.ndarray  # each person's best language points, float32
    language_cols: np.ndarray

    def points(self, rows: np.ndarray, cols: np.ndarray, language_cols: np.ndarray):
        """(len(rows), len(cols)) float32 bounds; `cols` and `language_cols` already
        gathered for a block ((K, m) and (1, m)): a block reuses them for its slices."""
        found = self.rows[rows] @ cols
        found += np.minimum(self.language_rows[rows][:, None], language_cols)
        found += MARGIN
        return found


def build_ceiling(a: Pool, b: Pool, weights: Weights) -> Ceiling:
    """The features of both sides (A as rows, B as columns)."""
    parts = [
        _shared(a.interests, b.interests, weights.interests, scoring.INTERESTS_FOR_FULL_POINTS),
        _shared(a.slots[None, :].astype(np.uint64), b.slots[None, :].astype(np.uint64),
                weights.availability, scoring.SLOTS_FOR_FULL_POINTS),
        _waiting(a, b, weights.waiting),
        _age(a, b, weights.age),
    ]  # fmt: skip
    rows = np.hstack([p[0] for p in parts]).astype(np.float32)
    cols = np.ascontiguousarray(np.hstack([p[1] for p in parts]).T, np.float32)
    return Ceiling(rows, cols, _best_language(a, weights), _best_language(b, weights))


def slope(weight: int, steps: int) -> float:
    """The least s with table[k] <= s x k for every k (table[0] is 0): the points of
    k shared items are then at most s x (shared items), with no cap."""
    table = scoring.points_table(weight, steps).astype(np.float64)
    return float(max(table[k] / k for k in range(1, steps + 1)))


def _shared(masks_a: np.ndarray, masks_b: np.ndarray, weight: int, steps: int):
    """Features of a criterion on shared bits: slope x bits of A, bits of B."""
    used = np.flatnonzero(_bits(np.bitwise_or.reduce(np.concatenate((masks_a, masks_b), axis=1),
                                                     axis=1, keepdims=True))[:, 0])  # fmt: skip
    if len(used) > MAX_BITS:  # one's best points with anyone, times one
        table = scoring.points_table(weight, steps)
        best = table[np.minimum(np.bitwise_count(masks_a).sum(axis=0), steps)]
        return best[:, None].astype(np.float64), np.ones((masks_b.shape[1], 1))
    return slope(weight, steps) * _bits(masks_a)[used].T, _bits(masks_b)[used].T


def _bits(masks: np.ndarray) -> np.ndarray:
    """(64 x words, n) 0/1 uint8 of (words, n) uint64 masks, bit 0 of word 0 first."""
    little = masks.astype("<u8", copy=False).T.copy().view(np.uint8)
    return np.unpackbits(little, axis=1, bitorder="little").T


def _waiting(a: Pool, b: Pool, weight: int):
    """table[min(w_a + w_b, full)] <= weight x (w_a + w_b) / full + 1/2, split in two."""
    share = weight / scoring.WAIT_FOR_FULL_POINTS
    rows = np.column_stack((share * a.wait_days + 0.5, np.ones(len(a))))
    cols = np.column_stack((np.ones(len(b)), share * b.wait_days))
    return rows, cols


def _age(a: Pool, b: Pool, weight: int):
    """One-hot year bins for B; for A, the row of the table of the best age points
    between its bin and each bin (0 for a missing year, as in scoring)."""
    known_a, known_b = a.birth_year != MISSING_BIRTH_YEAR, b.birth_year != MISSING_BIRTH_YEAR
    years = np.concatenate((a.birth_year[known_a], b.birth_year[known_b]))
    if not len(years):
        return np.zeros((len(a), 0)), np.zeros((len(b), 0))
    first, span = int(years.min()), int(years.max() - years.min()) + 1
    width = -(-span // AGE_BINS)
    bins = -(-span // width)
    apart = np.abs(np.arange(bins)[:, None] - np.arange(bins)[None, :])
    closest = np.maximum(apart * width - (width - 1), 0)  # the least gap between two bins
    full = scoring.AGE_GAP_FOR_ZERO_POINTS
    table = scoring.points_table(weight, full)[full - np.minimum(closest, full)]
    rows = np.zeros((len(a), bins))
    rows[known_a] = table[(a.birth_year[known_a] - first) // width]
    cols = np.zeros((len(b), bins))
    cols[np.flatnonzero(known_b), (b.birth_year[known_b] - first) // width] = 1.0
    return rows, cols


def _best_language(pool: Pool, weights: Weights) -> np.ndarray:
    level = (np.bitwise_count(pool.lang_conv).sum(axis=0) > 0).astype(np.int64)
    level += np.bitwise_count(pool.lang_fluent).sum(axis=0) > 0
    level += np.bitwise_count(pool.lang_native).sum(axis=0) > 0
    return scoring.points_table(weights.language, 3)[level].astype(np.float32)
