"""Feasible edges, generated block by block: never a dense S x R matrix.

People of side A are visited in KD-tree leaf order, so each block of A is small in
space; a KD-tree on side B returns the people of B within reach of the block, and
the block against them is evaluated densely (a few MB). Blocks run on a small
thread pool: NumPy releases the GIL in its loops.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import scoring
from .model import Pool, Weights, common

Progress = Callable[[float, str], None]
NO_PARTNER = -1
SMALL_POOL = 2_000_000  # |A| x |B| up to which one dense block is cheaper than KD-trees
CACHE_COLUMNS = 1024  # columns per slice of a block, so that its temporaries fit in cache
COMMON_LANGUAGES = 0.3  # share of B: rows speaking languages this common are not grouped


def kd_tree(points: np.ndarray, leafsize: int = 16):
    """scipy.spatial is imported only for pools that need it: it is slow to import."""
    from scipy.spatial import cKDTree

    return cKDTree(points, leafsize=leafsize)


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
class Block:
    rows: np.ndarray  # sorted indices into A
    cols: np.ndarray  # sorted indices into B, everyone within reach of some row


def spatial_blocks(
    a: Pool,
    b: Pool,
    block_size: int,
    rows: np.ndarray | None = None,
    max_cols: int | None = None,
    in_order: bool = False,
    compatible: bool = False,
) -> list[Block]:
    """Blocks of A (optionally only `rows`) with the people of B they can reach.

    With `max_cols`, a block keeps only the `max_cols` people of B nearest to its
    centre: closeness weighs most in the score, so the best candidates are there.
    With `in_order`, blocks follow the index order of A (already spatially sorted),
    so that edges come out sorted by A.
    With `compatible`, a block's columns are only the people of B who share a
    language with some row and pass the gender preferences of some row (a necessary
    condition of feasibility, tested on 1-D arrays). Rows whose languages few people
    of B speak are grouped by languages so that this prunes well: someone who speaks
    only a rare language is tested against its few speakers, not a whole city.
    """
    subset = np.arange(len(a)) if rows is None else np.asarray(rows)
    if not len(subset) or not len(b):
        return []
    if not compatible or in_order:
        return _blocks(a, b, subset, block_size, max_cols, in_order, compatible, {})
    masks, kind = np.unique(a.lang_conv[:, subset], axis=1, return_inverse=True)
    kind = kind.reshape(-1)
    share = np.array([np.count_nonzero(common(b.lang_conv, masks[:, [k]]))
                      for k in range(masks.shape[1])]) / len(b)  # fmt: skip
    kind = np.where(share[kind] > COMMON_LANGUAGES, -1, kind)
    order = np.argsort(kind, kind="stable")
    cuts = np.flatnonzero(np.diff(kind[order])) + 1
    trees: dict = {}  # the KD-tree on B, built on first need, shared by the groups
    blocks = []
    for group in np.split(subset[order], cuts):
        blocks += _blocks(a, b, group, block_size, max_cols, False, compatible, trees)
    return blocks


def _blocks(a, b, subset, block_size, max_cols, in_order, compatible, trees) -> list[Block]:
    if len(subset) * len(b) <= SMALL_POOL and max_cols is None:
        block = Block(np.sort(subset), np.arange(len(b)))
        if compatible:
            block.cols = _compatible(a, b, block.rows, block.cols)
        return [block] if len(block.cols) else []
    if max_cols is None:
        return _band_blocks(a, b, subset, block_size, in_order, compatible, trees)
    order = subset[kd_tree(a.points()[subset]).indices]
    if "b" not in trees:
        trees["b"] = kd_tree(b.points(), leafsize=32)
    tree_b = trees["b"]
    reach_b = float(np.sqrt(b.reach_chord2.max()))
    blocks = []
    for start in range(0, len(order), block_size):
        block_rows = np.sort(order[start : start + block_size])
        points = _points(a, block_rows)
        center = points.mean(axis=0)
        spread = float(np.sqrt(((points - center) ** 2).sum(axis=1).max()))
        reach = min(float(np.sqrt(a.reach_chord2[block_rows].max())), reach_b)
        radius = spread + reach + 1e-9
        cols = _nearest(tree_b, center, radius, max_cols)
        if compatible:
            cols = _compatible(a, b, block_rows, cols)
        if len(cols):
            blocks.append(Block(block_rows, np.sort(cols)))
    return blocks


BLOCK_SPAN_DEGREES = 0.5  # a block wider than this (two cities) is split


def _band_blocks(a, b, subset, block_size, in_order, compatible, trees) -> list[Block]:
    """Blocks of A in Z-order with every person of B within reach of some row: B sorted
    by latitude, a block takes the latitude band its rows can reach, then the longitudes.
    NumPy only, so that pools below the large mode never load scipy.spatial."""
    order = subset if in_order else subset[morton_order(a, subset)]
    if "band" not in trees:
        trees["band"] = _Band(b)
    band = trees["band"]
    lat_a, lon_a = degrees(a)
    blocks = []
    pending = [order[start : start + block_size] for start in range(0, len(order), block_size)]
    while pending:
        rows = pending.pop(0)
        lat, lon = lat_a[rows], lon_a[rows]
        span = max(lat.max() - lat.min(), lon.max() - lon.min())
        if span > BLOCK_SPAN_DEGREES and len(rows) > 16:
            half = len(rows) // 2
            pending[:0] = [rows[:half], rows[half:]]
            continue
        block_rows = np.sort(rows)
        reach2 = min(float(a.reach_chord2[block_rows].max()), band.reach2)
        cols = band.within(lat, lon, reach2)
        if compatible:
            cols = _compatible(a, b, block_rows, cols)
        if len(cols):
            blocks.append(Block(block_rows, cols))
    return blocks


def degrees(pool: Pool) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes in degrees, back from the unit vectors."""
    return np.degrees(np.arcsin(np.clip(pool.z, -1.0, 1.0))), np.degrees(np.arctan2(pool.y, pool.x))


def morton_order(pool: Pool, subset: np.ndarray) -> np.ndarray:
    """Positions of `subset` in Z-order of latitude and longitude: neighbours in space
    become neighbours in index, which is what blocks need (no KD-tree)."""
    lat, lon = degrees(pool)
    return morton_order_of(lat[subset], lon[subset])


def morton_order_of(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    q_lat = np.clip((lat + 90.0) / 180.0 * 65535, 0, 65535).astype(np.uint64)
    q_lon = np.clip((lon + 180.0) / 360.0 * 65535, 0, 65535).astype(np.uint64)
    return np.argsort(_spread_bits(q_lat) << np.uint64(1) | _spread_bits(q_lon), kind="stable")


def _spread_bits(v: np.ndarray) -> np.ndarray:
    """Put the 16 low bits of v at the even positions of 32."""
    v = v & np.uint64(0xFFFF)
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


class _Band:
    """B sorted by latitude, for the people within an angle of a block of rows."""

    def __init__(self, b: Pool) -> None:
        lat, lon = degrees(b)
        self.order = np.argsort(lat, kind="stable")
        self.lat, self.lon = lat[self.order], lon[self.order]
        self.reach2 = float(b.reach_chord2.max()) if len(b) else 0.0

    def within(self, lat: np.ndarray, lon: np.ndarray, reach2: float) -> np.ndarray:
        """Sorted indices of B that may lie within the chord sqrt(reach2) of some of the
        points (lat, lon): a box in degrees that contains every such person."""
        angle = np.degrees(2.0 * np.arcsin(min(np.sqrt(reach2) / 2.0, 1.0))) * 1.0001 + 1e-9
        lo, hi = lat.min() - angle, lat.max() + angle
        found = self.order[np.searchsorted(self.lat, lo, "left"):
                           np.searchsorted(self.lat, hi, "right")]  # fmt: skip
        pole = max(abs(lo), abs(hi))
        west, east = lon.min(), lon.max()
        if pole < 89.0 and east - west < 180.0:
            widen = angle / np.cos(np.radians(pole))
            mid, half = (west + east) / 2.0, (east - west) / 2.0 + widen
            lon_b = self.lon[np.searchsorted(self.lat, lo, "left"):
                             np.searchsorted(self.lat, hi, "right")]  # fmt: skip
            off = np.abs((lon_b - mid + 180.0) % 360.0 - 180.0)
            found = found[off <= half]
        return np.sort(found)


def _compatible(a: Pool, b: Pool, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The people of `cols` who share a language with some row, accept the gender of
    some row, and have a gender some row accepts: each tested against the union over
    the rows, a necessary condition of feasibility with at least one of them."""
    languages = np.bitwise_or.reduce(a.lang_conv[:, rows], axis=1, keepdims=True)
    genders = np.bitwise_or.reduce(a.gender[rows])
    accepted = np.bitwise_or.reduce(a.accepts[rows])
    keep = common(b.lang_conv[:, cols], languages)
    keep &= (b.accepts[cols] & genders) != 0
    keep &= (b.gender[cols] & accepted) != 0
    return cols[keep]


def _nearest(tree, center: np.ndarray, radius: float, k: int) -> np.ndarray:
    _, index = tree.query(center, k=min(k, tree.n), distance_upper_bound=radius)
    index = np.atleast_1d(index)
    return index[index < tree.n].astype(np.int64)


def _points(pool: Pool, index: np.ndarray) -> np.ndarray:
    return np.column_stack((pool.x[index], pool.y[index], pool.z[index]))


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


def all_edges(a: Pool, b: Pool, weights: Weights, excluded: Exclusions, *, workers: int = 2,
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
    """The k best partners along `axis` (unsorted), as global indices and scores."""
    size = masked.shape[axis]
    if k <= 0:
        shape = (masked.shape[0], 0) if axis == 1 else (0, masked.shape[1])
        return np.empty(shape, np.int64), np.empty(shape, np.int16)
    if size > k:
        index = np.argpartition(-masked, k - 1, axis=axis)
        index = index[:, :k] if axis == 1 else index[:k, :]
    else:
        index = np.broadcast_to(
            np.arange(size).reshape((1, -1) if axis == 1 else (-1, 1)), masked.shape
        )
    scores = np.take_along_axis(masked, index, axis=axis)
    ids = np.where(scores >= 0, partners[index], NO_PARTNER)
    return _pad(ids, scores, k, axis)


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
    workers: int = 2,
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
    keep = np.argpartition(-scores, k - 1, axis=0)[:k]
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
    workers: int = 2,
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
    workers: int = 2,
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
        by_col, by_row = [], []  # (row of A per column, column) and (row, b per row)
        for n in range(1, spread + 1):
            more = _first(ok, 0, block.rows, shift=n / (spread + 1))
            got = np.flatnonzero(more >= 0)
            by_col.append((more[got], got))
        if spread and wanted_b is not None:
            more = _first(ok & wanted_b[global_b], 1, global_b)
            got = np.flatnonzero(more >= 0)
            by_row.append((block.rows[got], more[got]))
        for n in range(spread):
            more = _first(ok, 1, global_b, shift=n / spread)
            got = np.flatnonzero(more >= 0)
            by_row.append((block.rows[got], more[got]))
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
    """For each person of `rows`: how many of the other side pass each constraint in turn."""

    in_reach: np.ndarray
    language: np.ndarray  # in reach and sharing a language
    gender: np.ndarray  # ... and accepting each other's gender
    feasible: np.ndarray  # ... and not excluded


def stage_counts(a: Pool, b: Pool, rows: np.ndarray, excluded: Exclusions) -> StageCounts:
    counts = np.zeros((4, len(a)), np.int64)

    def evaluate(block: Block) -> np.ndarray:
        ra = a.take(block.rows).as_rows()
        found = np.zeros((4, len(block.rows)), np.int64)
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
            excluded.clear_in_block(ok, block.rows, cols)
            found[3] += np.count_nonzero(ok, axis=1)
        return found

    blocks = spatial_blocks(a, b, 256, rows=np.sort(rows))
    for block, found in _run_blocks(blocks, evaluate, workers=2):
        counts[:, block.rows] = found
    rows = np.asarray(rows)
    return StageCounts(*(c[rows] for c in counts))
