"""A proved upper bound on the best total score, for the large mode.

The large mode solves the score exactly on its candidate edges only. Linear
programming duality bounds what every feasible edge could add. With BIG larger than
any total score, a maximum-cardinality matching of best total is a maximum-weight
matching for the weights score + BIG, whose dual is: potentials u (refugees) and v
(sponsors), both >= 0, with u_r + v_s >= score(r, s) + BIG on every feasible edge.
Any such potentials bound every matching of M pairs (M the proved maximum) by
sum(u) + sum(v) - BIG x M.

1. `candidate_duals`: the optimal potentials of the candidate graph, from the
   optimal matching there, by Bellman-Ford over the alternating arcs (a few dozen
   vectorised passes): they bound the candidate optimum with no gap.
2. `violations`: one streaming pass over every feasible edge of the pool, by spatial
   blocks (no edge list kept), finds by how much each person's potential must rise
   so that every edge, not only the candidates, satisfies its constraint.
The bound is then the candidate optimum plus the smaller of the two sides' rises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import blas, scoring
from .blocks import Block, spatial_blocks
from .candidates import WORKERS, Exclusions, _run_blocks
from .ceiling import Ceiling, build_ceiling
from .model import EARTH_RADIUS_KM, Pool, Weights

SLICE_ENTRIES = 1 << 19
MAX_ROUNDS = 100_000


def candidate_duals(indptr, indices, data, sponsor_of: np.ndarray, n_s: int, big: int):
    """(u, v) optimal for the refugee-major candidate graph (data = score + 1), given a
    matching `sponsor_of` that is optimal on it (most pairs, then best total)."""
    n_r = len(indptr) - 1
    rows = np.repeat(np.arange(n_r), np.diff(indptr))
    cols = indices.astype(np.int64)
    w = data.astype(np.int64) - 1 + big
    refugee_of = np.full(n_s, -1, np.int64)
    on = np.flatnonzero(sponsor_of >= 0)
    refugee_of[sponsor_of[on]] = on
    mate_w = np.zeros(n_r, np.int64)
    mine = np.flatnonzero(cols == sponsor_of[rows])
    mate_w[rows[mine]] = w[mine]
    to_free = refugee_of[cols] < 0
    lower = np.zeros(n_r, np.int64)  # u_r >= w(r, s) for a free sponsor s (v_s = 0)
    np.maximum.at(lower, rows[to_free], w[to_free])
    # u_r' <= u_r + w(r', s) - w(r, s) for each edge (r, s), s paired with r' != r.
    arc = ~to_free & (sponsor_of[rows] != cols)
    source = n_r
    src = np.concatenate((rows[arc], np.arange(n_r)))
    dst = np.concatenate((refugee_of[cols[arc]], np.full(n_r, source)))
    length = np.concatenate((mate_w[dst[: arc.sum()]] - w[arc], -lower))
    del rows, cols, w, arc, to_free
    order = np.argsort(dst, kind="stable")
    src, dst, length = src[order], dst[order], length[order]
    targets, first = np.unique(dst, return_index=True)
    # u_r <= w(r, mate) (v >= 0) and u_r = 0 for a free refugee: arcs from the source.
    dist = np.append(np.where(sponsor_of >= 0, mate_w, 0), 0)
    for _ in range(MAX_ROUNDS):
        if not len(src):
            break
        best = np.minimum.reduceat(dist[src] + length, first)
        changed = best < dist[targets]
        if not changed.any():
            break
        dist[targets[changed]] = best[changed]
    if dist[source] < 0:
        raise RuntimeError("negative cycle: the candidate matching is not optimal")
    u = dist[:n_r] - dist[source]
    v = np.zeros(n_s, np.int64)
    v[sponsor_of[on]] = mate_w[on] - u[on]
    return u, v


@dataclass
class Violations:
    rise_r: int  # what raising refugees' potentials would add
    rise_s: int
    edges: int  # feasible edges of the pool, all counted
    # Feasible partners of each free refugee and each free sponsor (0 for the others): why
    # they are unmatched is told from them (api._unmatched), no second pass.
    free_degree_r: np.ndarray
    free_degree_s: np.ndarray
    # For each refugee, keys score << RANK_BITS | (top - sponsor id rank) of the best
    # free sponsors, best first, -1 padded (the swap menu needs them: same pass).
    free_keys: np.ndarray


RANK_BITS = 24
TOP_FREE = 5


def violations(refugees: Pool, sponsors: Pool, u, v, big: int, weights: Weights,
               excluded_rs: Exclusions, free_s: np.ndarray, rank_s: np.ndarray,
               free_r: np.ndarray, workers: int = WORKERS) -> Violations:  # fmt: skip
    """One pass over every feasible (refugee, sponsor) edge: the largest excess of
    score + big over u_r + v_s per refugee and per sponsor; and, since the pass sees
    them all, each refugee's best free sponsors (`free_s` a mask, ties by `rank_s`) and
    the feasible partners of the free people (`free_r` a mask too)."""
    over_r = np.zeros(len(refugees), np.int64)
    over_s = np.zeros(len(sponsors), np.int64)
    degree_r = np.zeros(len(refugees), np.int64)
    degree_s = np.zeros(len(sponsors), np.int64)
    free_keys = np.full((len(refugees), TOP_FREE), -1, np.int64)
    edges = 0
    # An excess needs score > (u_r - big) + v_s: both terms exact in int32 below 2^30.
    wide = np.int32 if big < 2**30 else np.int64
    walk = _Pass(refugees, sponsors, weights, excluded_rs, u, big, (u - big).astype(wide),
                  v.astype(wide), free_s, (1 << RANK_BITS) - 1 - rank_s,
                  build_ceiling(refugees, sponsors, weights), _float32(refugees),
                  _float32(sponsors), free_r)  # fmt: skip
    blocks = spatial_blocks(refugees, sponsors, 256, compatible=True)
    for block, (row_over, col_over, count, keys, row_degree, col_degree) in _run_blocks(
            blocks, walk.block, workers):  # fmt: skip
        over_r[block.rows] = np.maximum(over_r[block.rows], row_over)
        over_s[block.cols] = np.maximum(over_s[block.cols], col_over)
        degree_r[block.rows] += row_degree
        degree_s[block.cols] += col_degree
        edges += count
        both = np.concatenate((free_keys[block.rows], keys), axis=1)
        free_keys[block.rows] = -np.sort(-both, axis=1)[:, :TOP_FREE]
    return Violations(int(over_r.sum()), int(over_s.sum()), edges, degree_r, degree_s,
                      free_keys)  # fmt: skip


# float32 coordinates put a chord within about 1e-7 (unit sphere, 0.6 m) of its exact
# value: the dense test widens each person's reach by far more, so that it keeps every
# feasible pair, and a pair it finds well inside the narrowed reach is surely within it.
ABSOLUTE = 1e-6  # on the chord, unit sphere (6 m)
SLACK = 1e-3  # relative, on the squared chord


@dataclass
class _Columns:
    """One block's columns (its free sponsors, or the others), gathered once for all
    its row slices; most shaped (1, m) to broadcast against the slice's rows."""

    ids: np.ndarray  # the columns' indices in their pool, sorted
    pool: Pool  # their people, as columns
    xyz: tuple  # float32 coordinates
    loose: np.ndarray  # widened squared reach, float32
    tight: np.ndarray  # narrowed squared reach, float32
    reach: np.ndarray  # reach in km, float32
    v: np.ndarray  # potentials
    features: np.ndarray  # (K, m) of the ceiling
    language: np.ndarray  # best language points
    key: np.ndarray  # rank keys (the ties of free columns), flat
    free: bool


@dataclass
class _Pass:
    """What every block of the pass reads: refugees are rows (A), sponsors columns (B)."""

    a: Pool
    b: Pool
    weights: Weights
    excluded: Exclusions
    u: np.ndarray
    big: int
    t: np.ndarray  # u - big, the rows' part of the threshold
    v: np.ndarray
    free_b: np.ndarray
    rank_key: np.ndarray
    ceiling: Ceiling
    a32: tuple
    b32: tuple
    free_a: np.ndarray

    def block(self, block: Block):
        """Per row and per column of the block, the largest excess; each row's best
        free columns; the block's feasible pairs counted. The free columns and the
        others are two parts: only the first feed the swap menu."""
        with blas.one_thread():  # the blocks are already spread over the cores
            return self._block(block)

    def _block(self, block: Block):
        row_over = np.zeros(len(block.rows), np.int64)
        col_over = np.zeros(len(block.cols), np.int64)
        keys = np.full((len(block.rows), TOP_FREE), -1, np.int64)
        row_degree = np.zeros(len(block.rows), np.int64)
        col_degree = np.zeros(len(block.cols), np.int64)
        count = 0
        free = self.free_b[block.cols]
        for at in (np.flatnonzero(~free), np.flatnonzero(free)):
            if not len(at):
                continue
            cols = self._columns(block.cols[at], bool(free[at[0]]))
            over = np.zeros(len(at), np.int64)
            degree = np.zeros(len(at), np.int64)
            # Row slices of about SLICE_ENTRIES pairs: the dense arrays stay small.
            step = max(1, SLICE_ENTRIES // len(at))
            for start in range(0, len(block.rows), step):
                end = start + step
                count += self._slice(block.rows[start:end], cols, row_over[start:end], over,
                                     keys[start:end], (row_degree[start:end], degree))  # fmt: skip
            col_over[at] = over
            col_degree[at] = degree
        return row_over, col_over, count, keys, row_degree, col_degree

    def _columns(self, ids: np.ndarray, free: bool) -> _Columns:
        b32 = self.b32
        return _Columns(ids=ids, pool=self.b.take(ids).as_columns(),
                        xyz=tuple(c[ids][None, :] for c in b32[:3]), loose=b32[3][ids][None, :],
                        tight=b32[4][ids][None, :], reach=b32[5][ids][None, :],
                        v=self.v[ids], features=self.ceiling.cols[:, ids],
                        language=self.ceiling.language_cols[ids][None, :],
                        key=self.rank_key[ids], free=free)  # fmt: skip

    def _slice(self, rows, cols: _Columns, row_over, col_over, keys, degrees) -> int:
        """One slice of rows against one part's columns: the feasible pairs counted,
        and exact scores only where the ceiling allows an excess or, for free columns,
        a place among the row's best. Returns the count; raises the rest in place, the
        free people's `degrees` (rows, columns) included."""
        maybe, count, ceiling = self._dense(rows, cols, degrees)
        chosen = maybe & (ceiling.astype(self.t.dtype) > self.t[rows][:, None] + cols.v)
        if not cols.free:
            self._score(rows, _where(chosen), cols, row_over, col_over, keys)
            return count
        chosen |= _best_ceilings(maybe, ceiling, TOP_FREE)
        self._score(rows, _where(chosen), cols, row_over, col_over, keys)
        # The fifth best exact score found: a pair whose ceiling is below cannot enter.
        fifth = keys[:, TOP_FREE - 1] >> RANK_BITS
        rest = maybe & ~chosen & (ceiling >= fifth[:, None])
        self._score(rows, _where(rest), cols, row_over, col_over, keys)
        return count

    def _dense(self, rows, cols: _Columns, degrees):
        """For a slice of rows: the float32 mask of the pairs that may be feasible (a
        superset), the exact count of the feasible ones, from the same dense test (the
        pairs well inside the narrowed reach surely are, only the doubtful ones are
        tested in float64), and each pair's ceiling: no exact score is above it. The
        feasible partners of free rows, and of the columns if free, are added to
        `degrees`."""
        a, a32 = self.a, self.a32
        ra = a.take(rows, only=_FEASIBLE).as_rows()
        cx, cy, cz = cols.xyz
        chord2 = a32[0][rows][:, None] - cx
        chord2 *= chord2
        dx = a32[1][rows][:, None] - cy
        dx *= dx
        chord2 += dx
        np.subtract(a32[2][rows][:, None], cz, out=dx)
        dx *= dx
        chord2 += dx
        maybe = chord2 <= a32[3][rows][:, None]
        maybe &= chord2 <= cols.loose
        maybe &= scoring.share_language(ra, cols.pool)
        maybe &= scoring.genders_accepted(ra, cols.pool)
        self.excluded.clear_in_block(maybe, rows, cols.ids)
        sure = chord2 < a32[4][rows][:, None]
        sure &= chord2 < cols.tight
        sure &= maybe
        count = int(np.count_nonzero(sure))
        doubt_i, doubt_j = _where(maybe & ~sure)
        real = _exact_reach(a, self.b, rows[doubt_i], cols.ids[doubt_j])
        count += int(real.sum())
        _add_degrees(sure, doubt_i[real], doubt_j[real], self.free_a[rows], cols.free, degrees)
        return maybe, count, self._ceiling(rows, cols, chord2)

    def _ceiling(self, rows, cols: _Columns, chord2):
        """distance x (1 - a lower bound of the km / limit) + 1/2, plus the ceiling of
        the other points (ceiling.py); `chord2` is consumed. The km from the chord,
        shorter than the arc, less the chord's float32 error."""
        near = np.sqrt(chord2, out=chord2)
        near -= np.float32(ABSOLUTE)
        np.maximum(near, 0, out=near)
        near *= np.float32(EARTH_RADIUS_KM)
        limit = np.minimum(self.a32[5][rows][:, None], cols.reach)
        np.maximum(limit, np.float32(1e-30), out=limit)
        near /= limit
        np.minimum(near, 2, out=near)  # beyond the limit: not feasible, kept finite
        near *= np.float32(self.weights.distance)
        found = self.ceiling.points(rows, cols.features, cols.language)
        found += np.float32(self.weights.distance + 0.5)
        found -= near
        return found

    def _score(self, rows, pairs, cols: _Columns, row_over, col_over, keys) -> None:
        """Score exactly the pairs (rows[i], column j) that are within reach (float64,
        as in `scoring`), and raise in place each row's and column's largest excess and,
        for free columns, each row's best keys."""
        i, j = pairs
        real = _exact_reach(self.a, self.b, rows[i], cols.ids[j])
        i, j = i[real], j[real]
        if not len(i):
            return
        edge_a = self.a.take(rows[i], only=_EXACT)
        edge_b = self.b.take(cols.ids[j], only=_EXACT)
        got = scoring.criterion_points(edge_a, edge_b, scoring.squared_chord(edge_a, edge_b),
                                       None, self.weights)  # fmt: skip
        points = scoring.total_score(got).astype(np.int64)
        if cols.free:
            _keep_best(keys, i, points << RANK_BITS | cols.key[j])
        excess = np.maximum(points + self.big - self.u[rows[i]] - cols.v[j], 0)
        first = np.flatnonzero(np.diff(i, prepend=-1))  # _where gives rows in order
        at = i[first]
        row_over[at] = np.maximum(row_over[at], np.maximum.reduceat(excess, first))
        np.maximum.at(col_over, j, excess)


def _add_degrees(sure, extra_i, extra_j, free_rows, free_cols: bool, degrees) -> None:
    """Add the feasible pairs (`sure`, plus the pairs extra_i, extra_j) of the free rows
    and, if `free_cols`, of every column to `degrees` (rows, columns) in place."""
    row_degree, col_degree = degrees
    at = np.flatnonzero(free_rows)
    if len(at):
        row_degree[at] += np.count_nonzero(sure[at], axis=1)
        row_degree += np.bincount(extra_i, minlength=len(row_degree)) * free_rows
    if free_cols:
        col_degree += np.count_nonzero(sure, axis=0)
        col_degree += np.bincount(extra_j, minlength=len(col_degree))


def _where(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.nonzero of a 2-D mask, ten times faster through the flat positions."""
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def _best_ceilings(maybe: np.ndarray, ceiling: np.ndarray, k: int) -> np.ndarray:
    """For each row, its pairs of `maybe` with the highest ceilings: at least `k` (or all),
    ties included. On long rows a threshold from the maxima of GROUPS column groups
    (their k-th largest is at most the row's k-th): np.partition of a long row full of
    ties is ten times slower than the maxima."""
    m = maybe.shape[1]
    if m <= k:
        return maybe
    values = np.where(maybe, ceiling, -np.inf)
    tops = values if m <= 4 * GROUPS else np.maximum.reduceat(
        values, np.arange(GROUPS) * m // GROUPS, axis=1)  # fmt: skip
    kth = np.partition(tops, tops.shape[1] - k, axis=1)[:, tops.shape[1] - k]
    return maybe & (values >= kth[:, None])


GROUPS = 64


_EXACT = scoring.SCORE_FIELDS | {"x", "y", "z", "reach_chord2"}
_FEASIBLE = frozenset({"lang_conv", "gender", "accepts"})  # what the dense test reads


def _exact_reach(a: Pool, b: Pool, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The reach test of `scoring`, in float64, on aligned pairs."""
    edge_a = a.take(rows, only=frozenset({"x", "y", "z", "reach_chord2"}))
    edge_b = b.take(cols, only=frozenset({"x", "y", "z", "reach_chord2"}))
    return scoring.within_reach(scoring.squared_chord(edge_a, edge_b),
                                scoring.reach_limit(edge_a, edge_b))  # fmt: skip


def _float32(pool: Pool):
    """x, y, z, the widened and the narrowed squared reach, the reach in km: float32."""
    chord = np.sqrt(pool.reach_chord2)
    loose = (chord + ABSOLUTE) ** 2 * (1 + SLACK)
    tight = np.maximum(chord - ABSOLUTE, 0.0) ** 2 * (1 - SLACK)
    return tuple(np.asarray(c, np.float32) for c in
                 (pool.x, pool.y, pool.z, loose, tight, pool.reach_km))  # fmt: skip


def _keep_best(keys: np.ndarray, owner: np.ndarray, new: np.ndarray) -> None:
    """Merge the (owner, key) pairs, owners in increasing order, into each owner's row
    of best keys: a few segmented maxima."""
    counts = np.bincount(owner, minlength=len(keys))
    present = np.flatnonzero(counts)
    first = (np.cumsum(counts) - counts)[present]
    picked = [keys[present]]
    for _ in range(TOP_FREE):
        best = np.maximum.reduceat(new, first)
        picked.append(best[:, None])
        new = np.where(new == np.repeat(best, counts[present]), -1, new)
    both = np.concatenate(picked, axis=1)
    keys[present] = -np.sort(-both, axis=1)[:, :TOP_FREE]
