"""Feasible edges, generated block by block: never a dense S x R matrix.

People of side A are visited in KD-tree leaf order, so each block of A is small in
space; a KD-tree on side B returns the people of B within reach of the block, and
the block against them is evaluated densely (a few MB). Blocks run on a small
thread pool: NumPy releases the GIL in its loops.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import scoring
from .blocks import Block, spatial_blocks
from .model import MAX_SCORE, Pool, Weights

Progress = Callable[[float, str], None]


NO_PARTNER = -1
# Threads for the blocks: one per core the process may run on (NumPy releases the GIL in
# its loops), at most eight: each holds a block's temporaries, tens of MB.
WORKERS = min(len(os.sched_getaffinity(0)), 8)


CACHE_COLUMNS = 1024  # columns per slice of a block, so that its temporaries fit in cache


@dataclass
class Exclusions:
    """Excluded (a, b) index pairs, as sorted int64 keys a * len(B) + b."""

    keys: np.ndarray
    n_b: int

    @classmethod
    def from_index_pairs(cls, pairs: Iterable[tuple[int, int]], n_b: int) -> Exclusions:
        keys = np.array(sorted({a * n_b + b for a, b in pairs}), dtype=np.int64)
        return cls(keys, n_b)

    def swapped(self, n_a: int) -> Exclusions:
        a, b = np.divmod(self.keys, self.n_b)
        return Exclusions(np.sort(b * n_a + a), n_a)

    def restricted(self, rows_a: np.ndarray, rows_b: np.ndarray) -> Exclusions:
        """The exclusions between two sorted subsets, in their own indices."""
        a, b = np.divmod(self.keys, self.n_b)
        i, j = np.searchsorted(rows_a, a), np.searchsorted(rows_b, b)
        i, j = np.minimum(i, max(len(rows_a) - 1, 0)), np.minimum(j, max(len(rows_b) - 1, 0))
        hit = (rows_a[i] == a) & (rows_b[j] == b) if len(rows_a) and len(rows_b) else i < 0
        return Exclusions(np.sort(i[hit] * len(rows_b) + j[hit]), len(rows_b))

    def contains(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each aligned (a, b) pair is excluded."""
        if not len(self.keys):
            return np.zeros(len(a), bool)
        keys = np.asarray(a, np.int64) * self.n_b + np.asarray(b, np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[at] == keys

    def clear_in_block(self, ok: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> None:
        """Set ok[i, j] = False where (rows[i], cols[j]) is excluded."""
        if not len(self.keys):
            return
        lo = np.searchsorted(self.keys, rows[0] * self.n_b)
        hi = np.searchsorted(self.keys, (rows[-1] + 1) * self.n_b)
        a, b = np.divmod(self.keys[lo:hi], self.n_b)
        i, j = np.searchsorted(rows, a), np.searchsorted(cols, b)
        i, j = np.minimum(i, len(rows) - 1), np.minimum(j, len(cols) - 1)
        hit = (rows[i] == a) & (cols[j] == b)
        ok[i[hit], j[hit]] = False


@dataclass
class BlockEdges:
    rows: np.ndarray  # global A indices, int32
    cols: np.ndarray  # global B indices, int32
    scores: np.ndarray  # uint8
    row_top: np.ndarray  # (len(block.rows), k) partner B index or NO_PARTNER
    row_top_scores: np.ndarray  # int16, -1 where no partner
    col_top: np.ndarray  # (k, len(block.cols)) partner A index or NO_PARTNER
    col_top_scores: np.ndarray
    row_degree: np.ndarray
    col_degree: np.ndarray


def evaluate_block(
    a: Pool, b: Pool, block: Block, weights: Weights, excluded: Exclusions, k: int
) -> BlockEdges:
    """Feasible edges and scores of one block, and its best k partners per person.

    The hard constraints on every pair first, then the points of the feasible pairs
    only (most of the cost, and most pairs of a block are not feasible)."""
    ra = a.take(block.rows).as_rows()
    masked = np.full((len(block.rows), len(block.cols)), -1, np.int16)
    ok_rows = np.zeros(len(block.rows), np.int64)
    for start in range(0, len(block.cols), CACHE_COLUMNS):
        part = slice(start, start + CACHE_COLUMNS)
        cols = block.cols[part]
        cb = b.take(cols).as_columns()
        chord2 = scoring.squared_chord(ra, cb)
        ok = scoring.feasible(ra, cb, chord2, scoring.reach_limit(ra, cb))
        excluded.clear_in_block(ok, block.rows, cols)
        i, j = np.nonzero(ok)
        edge_a = a.take(block.rows[i], only=scoring.SCORE_FIELDS)
        edge_b = b.take(cols[j], only=scoring.SCORE_FIELDS)
        points = scoring.criterion_points(edge_a, edge_b, chord2[ok], None, weights)
        masked[i, j + start] = scoring.total_score(points)
        ok_rows += np.count_nonzero(ok, axis=1)
    row_top, row_scores = _top_k(masked, k, axis=1, partners=block.cols)
    col_top, col_scores = _top_k(masked, k, axis=0, partners=block.rows)
    empty = np.empty(0, np.int32)
    ok_cols = np.count_nonzero(masked >= 0, axis=0)
    return BlockEdges(empty, empty, np.empty(0, np.uint8), row_top, row_scores, col_top,
                      col_scores, ok_rows, ok_cols)  # fmt: skip


SLICE_ENTRIES = 1 << 17  # rows x columns per slice of a block: temporaries stay in cache


@dataclass
class Graph:
    """Every feasible edge, A-major: edges of A[i] are indices[indptr[i]:indptr[i + 1]]
    (B indices, sorted), with their scores."""

    indptr: np.ndarray  # int64, len(A) + 1
    indices: np.ndarray  # int32
    scores: np.ndarray  # uint8


def all_edges(a: Pool, b: Pool, weights: Weights, excluded: Exclusions, *, workers: int = WORKERS,
              progress: Progress | None = None) -> Graph:  # fmt: skip
    """Every feasible edge with its score, touching each once: the hard constraints on
    every pair within a block's reach, then the points of the feasible pairs only."""
    blocks = spatial_blocks(a, b, 256, in_order=True)
    degree = np.zeros(len(a), np.int64)
    indices, scores = [], []
    for done, (block, (counts, cols, points)) in enumerate(
        _run_blocks(blocks, lambda blk: _block_edges(a, b, blk, weights, excluded), workers),
        start=1,
    ):  # fmt: skip
        degree[block.rows] = counts
        indices.append(cols)
        scores.append(points)
        if progress and (done % 8 == 0 or done == len(blocks)):
            progress(done / len(blocks), "candidates")
    indptr = np.zeros(len(a) + 1, np.int64)
    np.cumsum(degree, out=indptr[1:])
    return Graph(indptr, _concat(indices, np.int32), _concat(scores, np.uint8))


def _block_edges(a: Pool, b: Pool, block: Block, weights: Weights, excluded: Exclusions):
    """(edges per row, B index of each edge, score of each edge), rows in order."""
    cb = b.take(block.cols).as_columns()
    cb_flat = b.take(block.cols, only=scoring.SCORE_FIELDS)
    step = max(1, SLICE_ENTRIES // max(len(block.cols), 1))
    counts, cols, points = [], [], []
    for start in range(0, len(block.rows), step):
        rows = block.rows[start : start + step]
        ra = a.take(rows).as_rows()
        chord2 = scoring.squared_chord(ra, cb)
        ok = scoring.feasible(ra, cb, chord2, scoring.reach_limit(ra, cb))
        excluded.clear_in_block(ok, rows, block.cols)
        i, j = np.nonzero(ok)
        counts.append(np.count_nonzero(ok, axis=1))
        cols.append(block.cols[j].astype(np.int32))
        edge_a = a.take(rows[i], only=scoring.SCORE_FIELDS)
        edge_b = cb_flat.take(j, only=scoring.SCORE_FIELDS)
        c2 = chord2[ok]
        got = scoring.criterion_points(edge_a, edge_b, c2, None, weights)
        points.append(scoring.total_score(got))
    return _concat(counts, np.int64), _concat(cols, np.int32), _concat(points, np.uint8)


def feasible_block(a: Pool, b: Pool, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Constraints 1-3 on rows x cols, by column slices that keep temporaries in cache:
    a block row against a whole city is bound by memory bandwidth, not arithmetic."""
    ra = a.take(rows).as_rows()
    ok = np.empty((len(rows), len(cols)), bool)
    for start in range(0, len(cols), CACHE_COLUMNS):
        part = slice(start, start + CACHE_COLUMNS)
        cb = b.take(cols[part]).as_columns()
        ok[:, part] = scoring.feasible(ra, cb, scoring.squared_chord(ra, cb),
                                       scoring.reach_limit(ra, cb))  # fmt: skip
    return ok


def _top_k(masked: np.ndarray, k: int, axis: int, partners: np.ndarray):
    """The k best partners along `axis`, best first, as global indices and scores."""
    size = masked.shape[axis]
    if k <= 0:
        shape = (masked.shape[0], 0) if axis == 1 else (0, masked.shape[1])
        return np.empty(shape, np.int64), np.empty(shape, np.int16)
    if size > k:
        index = _best_first(masked, k, axis)
    else:
        index = np.broadcast_to(
            np.arange(size).reshape((1, -1) if axis == 1 else (-1, 1)), masked.shape
        )
    scores = np.take_along_axis(masked, index, axis=axis)
    ids = np.where(scores >= 0, partners[index], NO_PARTNER)
    return _pad(ids, scores, k, axis)


def _best_first(scores: np.ndarray, k: int, axis: int) -> np.ndarray:
    """Positions of the k best scores along `axis`, best first, ties by lower position: a
    stable radix sort of one byte (MAX_SCORE - score, -1 for no pair included), two to
    three times faster than np.argpartition here."""
    key = (MAX_SCORE - scores).astype(np.uint8)
    if axis == 1:
        return np.argsort(key, axis=1, kind="stable")[:, :k]
    return np.argsort(np.ascontiguousarray(key.T), axis=1, kind="stable")[:, :k].T


def _pad(ids: np.ndarray, scores: np.ndarray, k: int, axis: int):
    missing = k - ids.shape[axis]
    if missing <= 0:
        return ids, scores
    widths = ((0, 0), (0, missing)) if axis == 1 else ((0, missing), (0, 0))
    return (
        np.pad(ids, widths, constant_values=NO_PARTNER),
        np.pad(scores, widths, constant_values=-1),
    )


@dataclass
class EdgeSet:
    """All feasible edges (if kept), sorted by A, and each person's best k partners."""

    b: np.ndarray | None  # int32, B end of each edge; edges of A[i] follow those of A[i-1]
    scores: np.ndarray | None  # uint8
    top_a: np.ndarray  # (len(A), k) best B partners of each A, sorted best first
    top_a_scores: np.ndarray
    top_b: np.ndarray  # (len(B), k)
    top_b_scores: np.ndarray
    degree_a: np.ndarray
    degree_b: np.ndarray


def collect_edges(
    a: Pool,
    b: Pool,
    weights: Weights,
    excluded: Exclusions,
    *,
    k: int,
    block_size: int = 256,
    max_cols: int | None = None,
    workers: int = WORKERS,
    compatible: bool = False,
    progress: Progress | None = None,
) -> EdgeSet:
    """Each person's best k partners (of those examined), and how many were feasible."""
    blocks = spatial_blocks(a, b, block_size, max_cols=max_cols, compatible=compatible)
    top_a = np.full((len(a), k), NO_PARTNER, np.int64)
    top_a_s = np.full((len(a), k), -1, np.int16)
    top_b = np.full((k, len(b)), NO_PARTNER, np.int64)
    top_b_s = np.full((k, len(b)), -1, np.int16)
    degree_a = np.zeros(len(a), np.int64)
    degree_b = np.zeros(len(b), np.int64)
    for done, (block, part) in enumerate(
        _run_blocks(blocks, lambda blk: evaluate_block(a, b, blk, weights, excluded, k),
                    workers),
        start=1,
    ):  # fmt: skip
        top_a[block.rows], top_a_s[block.rows] = part.row_top, part.row_top_scores
        _merge_columns(top_b, top_b_s, block.cols, part.col_top, part.col_top_scores, k)
        degree_a[block.rows] += part.row_degree
        degree_b[block.cols] += part.col_degree
        if progress and (done % 8 == 0 or done == len(blocks)):
            progress(done / len(blocks), "candidates")
    ta, tas = _sorted_top(top_a, top_a_s)
    tb, tbs = _sorted_top(top_b.T, top_b_s.T)
    return EdgeSet(None, None, ta, tas, tb, tbs, degree_a, degree_b)


def _run_blocks(blocks, evaluate, workers: int) -> Iterator[tuple[Block, BlockEdges]]:
    """Evaluate blocks on a thread pool, in order, with a bounded look-ahead."""
    if workers <= 1 or len(blocks) < 2:
        for block in blocks:
            yield block, evaluate(block)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for block in blocks:
            pending.append((block, pool.submit(evaluate, block)))
            if len(pending) > 2 * workers:
                done_block, future = pending.popleft()
                yield done_block, future.result()
        while pending:
            done_block, future = pending.popleft()
            yield done_block, future.result()


def _merge_columns(top, top_s, cols, new, new_s, k: int) -> None:
    if k == 0:
        return
    ids = np.concatenate((top[:, cols], new))
    scores = np.concatenate((top_s[:, cols], new_s))
    keep = _best_first(scores, k, axis=0)
    top[:, cols] = np.take_along_axis(ids, keep, axis=0)
    top_s[:, cols] = np.take_along_axis(scores, keep, axis=0)


def _sorted_top(ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best first; ties by lower partner index, so that the order is deterministic."""
    if ids.shape[1] == 0:
        return ids, scores
    key = (200 - scores.astype(np.int64)) * (1 << 40) + np.where(ids < 0, (1 << 40) - 1, ids)
    order = np.argsort(key, axis=1, kind="stable")
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


def _concat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.empty(0, dtype)


def feasible_pairs(
    a: Pool,
    b: Pool,
    rows: np.ndarray,
    excluded: Exclusions,
    *,
    cap: int | None = None,
    block_size: int = 256,
    workers: int = WORKERS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The feasible (a, b) with a in `rows` (sorted), and whether each of `rows` has any.

    With `cap`, at most about `cap` edges per row of A, spread evenly over its partners.
    """
    has_any = np.zeros(len(a), bool)
    if not len(rows) or not len(b):
        return np.empty(0, np.int64), np.empty(0, np.int64), has_any[rows]

    def evaluate(block: Block):
        ok = feasible_block(a, b, block.rows, block.cols)
        excluded.clear_in_block(ok, block.rows, block.cols)
        i, j = np.nonzero(ok)
        if cap is not None and len(i):
            degree = ok.sum(axis=1)
            first = np.cumsum(degree) - degree
            step = np.maximum(1, -(-degree // cap))
            keep = ((np.arange(len(i)) - first[i]) % step[i]) == 0
            i, j = i[keep], j[keep]
        return block.rows[i], block.cols[j]

    blocks = spatial_blocks(a, b, block_size, rows=rows, compatible=True)
    found_a, found_b = [], []
    for _, (edge_a, edge_b) in _run_blocks(blocks, evaluate, workers):
        found_a.append(edge_a)
        found_b.append(edge_b)
        has_any[edge_a] = True
    return _concat(found_a, np.int64), _concat(found_b, np.int64), has_any[rows]
