"""Who can reach whom: each person's nearest feasible partners and, for those with none, how
far each rule of the engine took them (the counts behind the plain-words reasons of the unmatched).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import scoring
from .blocks import Block, spatial_blocks
from .candidates import (
    CACHE_COLUMNS,
    NO_PARTNER,
    WORKERS,
    Exclusions,
    _concat,
    _run_blocks,
    feasible_block,
)
from .model import Pool


@dataclass
class Reached:
    """What one breadth-first layer needs from the edges between `rows` and `cols`."""

    parent: np.ndarray  # for each of `cols`: one row of A feasible with it, or NO_PARTNER
    has_any: np.ndarray  # for each of `rows`: whether it has any feasible b in `cols`
    edge_a: np.ndarray  # a few more feasible edges (global indices), spread over partners
    edge_b: np.ndarray


def reach(
    a: Pool,
    b: Pool,
    rows: np.ndarray,
    cols: np.ndarray,
    excluded: Exclusions,
    block_size: int = 256,
    workers: int = WORKERS,
    *,
    spread: int = 0,
    wanted_b: np.ndarray | None = None,
) -> Reached:
    """For each b in `cols` (sorted), one a in `rows` feasible with it, or NO_PARTNER;
    and for each of `rows`, whether it has any feasible b in `cols`.

    With `spread`, also up to `spread` more edges per b (rows found from different
    starting points of each block) and per a (the first b of `wanted_b`, a boolean mask
    over all of B, then b found from different starting points): enough for a matching
    on them to use many paths at once. The searches need only this, so no edge list is
    ever built.
    """
    parent = np.full(len(cols), NO_PARTNER, np.int64)
    has_any = np.zeros(len(a), bool)
    empty = np.empty(0, np.int64)
    if not len(rows) or not len(cols):
        return Reached(parent, has_any[rows], empty, empty)
    sub_b = b.take(cols)

    def evaluate(block: Block):
        ok = feasible_block(a, sub_b, block.rows, block.cols)
        global_b = cols[block.cols]
        excluded.clear_in_block(ok, block.rows, global_b)
        by_col, by_row = _spread_edges(ok, block.rows, global_b, spread, wanted_b)
        return _first(ok, 0, block.rows), ok.any(axis=1), by_col, by_row

    blocks = spatial_blocks(a, sub_b, block_size, rows=np.sort(rows), compatible=True)
    recorded = np.zeros(len(cols), np.int32)  # extra edges kept per b: at most `spread`
    edges_a, edges_b = [], []
    for block, (found, row_any, by_col, by_row) in _run_blocks(blocks, evaluate, workers):
        new = (parent[block.cols] < 0) & (found >= 0)
        parent[block.cols[new]] = found[new]
        has_any[block.rows] |= row_any
        for found_a, col in by_col:
            at = block.cols[col]
            keep = recorded[at] < spread
            recorded[at[keep]] += 1
            edges_a.append(found_a[keep])
            edges_b.append(cols[at[keep]])
        for found_a, found_b in by_row:
            edges_a.append(found_a)
            edges_b.append(found_b)
    return Reached(parent, has_any[rows], _concat(edges_a, np.int64), _concat(edges_b, np.int64))


def _spread_edges(ok: np.ndarray, rows: np.ndarray, global_b: np.ndarray, spread: int,
                  wanted_b: np.ndarray | None) -> tuple[list, list]:  # fmt: skip
    """The extra edges of one block's feasibility grid `ok` (`rows` of A by `global_b`):
    `spread` per column, then the first wanted b and `spread` more per row, each scan
    from its own starting point so that the edges differ. Kept as (row of A per column,
    column of the block) and (row of A, b) pairs: the caller caps the per-column ones
    across blocks, the per-row ones are taken whole."""
    by_col, by_row = [], []
    for n in range(1, spread + 1):
        more = _first(ok, 0, rows, shift=n / (spread + 1))
        got = np.flatnonzero(more >= 0)
        by_col.append((more[got], got))
    if spread and wanted_b is not None:
        more = _first(ok & wanted_b[global_b], 1, global_b)
        got = np.flatnonzero(more >= 0)
        by_row.append((rows[got], more[got]))
    for n in range(spread):
        more = _first(ok, 1, global_b, shift=n / spread)
        got = np.flatnonzero(more >= 0)
        by_row.append((rows[got], more[got]))
    return by_col, by_row


SPREAD_GROUPS = 16


def _first(ok: np.ndarray, axis: int, labels: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """For each line across `axis`, the label of one True along `axis`, or NO_PARTNER.

    Lines are cut into groups and each group starts its scan at its own point (moved on
    by `shift`, a fraction of a turn), wrapping round: partners found for neighbouring
    lines differ, so that many of them can be used at once.
    """
    grid = ok if axis == 0 else ok.T
    n, m = grid.shape
    found = np.full(m, NO_PARTNER, np.int64)
    groups = max(1, min(SPREAD_GROUPS, m))
    bounds = np.linspace(0, m, groups + 1).astype(np.int64)
    for g in range(groups):
        lo, hi = int(bounds[g]), int(bounds[g + 1])
        if lo == hi:
            continue
        start = int(((g / groups + shift) % 1.0) * n)
        part = grid[:, lo:hi]
        if start:
            part = np.concatenate((part[start:], part[:start]))
        index = part.argmax(axis=0)
        hit = part[index, np.arange(hi - lo)]
        found[lo:hi] = np.where(hit, labels[(index + start) % n], NO_PARTNER)
    return found


@dataclass
class StageCounts:
    """For each person of `rows`: how many of the other side are feasible partners and,
    for those with none (the others pass every rule with someone), how many pass each
    constraint in turn; -1 where not counted."""

    feasible: np.ndarray
    in_reach: np.ndarray
    language: np.ndarray  # in reach and sharing a language
    gender: np.ndarray  # ... and accepting each other's gender


def stage_counts(a: Pool, b: Pool, rows: np.ndarray, excluded: Exclusions,
                 feasible_rows: np.ndarray | None = None) -> StageCounts:  # fmt: skip
    """The feasible partners counted on compatible blocks (the columns no row could
    pair with left out, one mask a slice), unless given (`feasible_rows`, aligned with
    `rows`); each rule's count only where that is 0."""
    rows = np.asarray(rows)
    feasible = np.zeros(len(a), np.int64)

    def count_feasible(block: Block) -> np.ndarray:
        ok = feasible_block(a, b, block.rows, block.cols)
        excluded.clear_in_block(ok, block.rows, block.cols)
        return np.count_nonzero(ok, axis=1)

    if feasible_rows is not None:
        feasible[rows] = feasible_rows
    else:
        blocks = spatial_blocks(a, b, 256, rows=np.sort(rows), compatible=True)
        for block, found in _run_blocks(blocks, count_feasible, workers=WORKERS):
            feasible[block.rows] += found
    stuck = rows[feasible[rows] == 0]
    staged = np.full((3, len(a)), -1, np.int64)
    staged[:, stuck] = _staged_counts(a, b, stuck)
    return StageCounts(feasible[rows], *(c[rows] for c in staged))


def _staged_counts(a: Pool, b: Pool, rows: np.ndarray) -> np.ndarray:
    """(3, len(rows)): in reach, and sharing a language, and accepting each other's
    gender (exclusions left to `feasible`: with all three, someone was excluded)."""
    counts = np.zeros((3, len(a)), np.int64)

    def evaluate(block: Block) -> np.ndarray:
        ra = a.take(block.rows).as_rows()
        found = np.zeros((3, len(block.rows)), np.int64)
        # By column slices, as in feasible_block.
        for start in range(0, len(block.cols), CACHE_COLUMNS):
            cols = block.cols[start : start + CACHE_COLUMNS]
            cb = b.take(cols).as_columns()
            ok = scoring.within_reach(scoring.squared_chord(ra, cb), scoring.reach_limit(ra, cb))
            found[0] += np.count_nonzero(ok, axis=1)
            ok &= scoring.share_language(ra, cb)
            found[1] += np.count_nonzero(ok, axis=1)
            ok &= scoring.genders_accepted(ra, cb)
            found[2] += np.count_nonzero(ok, axis=1)
        return found

    for block, found in _run_blocks(spatial_blocks(a, b, 256, rows=np.sort(rows)), evaluate,
                                    workers=WORKERS):  # fmt: skip
        counts[:, block.rows] = found
    return counts[:, rows]
