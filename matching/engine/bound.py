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

from . import scoring
from .blocks import Block, spatial_blocks
from .candidates import Exclusions, _run_blocks
from .model import EARTH_RADIUS_KM, Pool, Weights

SLICE_ENTRIES = 1 << 17
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
    # For each refugee, keys score << RANK_BITS | (top - sponsor id rank) of the best
    # free sponsors, best first, -1 padded (the swap menu needs them: same pass).
    free_keys: np.ndarray


RANK_BITS = 24
TOP_FREE = 5


def violations(refugees: Pool, sponsors: Pool, u, v, big: int, weights: Weights,
               excluded_rs: Exclusions, free_s: np.ndarray, rank_s: np.ndarray,
               workers: int = 2) -> Violations:  # fmt: skip
    """One pass over every feasible (refugee, sponsor) edge: the largest excess of
    score + big over u_r + v_s per refugee and per sponsor; and, since the pass sees
    them all, each refugee's best free sponsors (`free_s` a mask, ties by `rank_s`)."""
    over_r = np.zeros(len(refugees), np.int64)
    over_s = np.zeros(len(sponsors), np.int64)
    free_keys = np.full((len(refugees), TOP_FREE), -1, np.int64)
    rank_key = (1 << RANK_BITS) - 1 - rank_s
    edges = 0

    caps = (scoring.best_points(refugees, weights), scoring.best_points(sponsors, weights))

    def evaluate(block: Block):
        return _block_violations(refugees, sponsors, block, u, v, big, weights, excluded_rs,
                                 caps, free_s, rank_key, coords)  # fmt: skip

    coords = (_float32(refugees), _float32(sponsors))

    blocks = spatial_blocks(refugees, sponsors, 256, compatible=True)
    for block, (row_over, col_over, count, keys) in _run_blocks(blocks, evaluate, workers):
        over_r[block.rows] = np.maximum(over_r[block.rows], row_over)
        over_s[block.cols] = np.maximum(over_s[block.cols], col_over)
        edges += count
        both = np.concatenate((free_keys[block.rows], keys), axis=1)
        free_keys[block.rows] = -np.sort(-both, axis=1)[:, :TOP_FREE]
    return Violations(int(over_r.sum()), int(over_s.sum()), edges, free_keys)


# float32 coordinates put a chord within about 4e-7 (unit sphere, 2.5 m) of its exact
# value: the dense test widens each person's reach by far more, so that it keeps every
# feasible pair, and a pair it finds well inside the narrowed reach is surely within it.
ABSOLUTE = 1e-6  # on the chord, unit sphere (6 m)
SLACK = 1e-3  # relative, on the squared chord


def _block_violations(a: Pool, b: Pool, block: Block, u, v, big, weights, excluded, caps,
                      free_b, rank_key, coords):  # fmt: skip
    """Per row and per column of the block, the largest excess, and each row's best
    free columns.

    The dense part runs in float32, made to keep a superset of the feasible pairs (the
    reach test with a slack); only the pairs it keeps are tested exactly, in float64,
    as in `scoring`. Most edges cannot have any excess: an upper bound of their score
    (distance points from the chord, which is shorter than the arc, plus the smaller of
    the two people's best other points, plus one) is compared first, and only the
    edges it does not clear are scored exactly."""
    a32, b32 = coords
    cols = _block_columns(b, block.cols, b32, v, caps[1], free_b, rank_key)
    row_over = np.zeros(len(block.rows), np.int64)
    col_over = np.zeros(len(block.cols), np.int64)
    keys = np.full((len(block.rows), TOP_FREE), -1, np.int64)
    count = 0
    # Row slices of about SLICE_ENTRIES pairs: the dense arrays stay small at any block size.
    step = max(1, SLICE_ENTRIES // max(len(block.cols), 1))
    for start in range(0, len(block.rows), step):
        rows = block.rows[start : start + step]
        maybe, feasible = _dense_slice(a, b, rows, a32, cols, u, big, weights, excluded,
                                       caps[0])  # fmt: skip
        count += feasible
        i, j = np.nonzero(maybe)
        real = _exact_reach(a, b, rows[i], cols.ids[j])
        i, j = i[real], j[real]
        if len(i):
            _score_slice(a, b, rows, start, i, j, maybe.shape, cols, u, big, weights,
                         row_over, col_over, keys)  # fmt: skip
    return row_over, col_over, count, keys


@dataclass
class _Columns:
    """One block's columns, gathered once for all its row slices; most shaped (1, n)
    to broadcast against the slice's rows."""

    ids: np.ndarray  # the columns' indices in their pool
    pool: Pool  # their people, as columns
    xyz: tuple  # float32 coordinates
    loose: np.ndarray  # widened squared reach, float32
    tight: np.ndarray  # narrowed squared reach, float32
    reach: np.ndarray  # reach in km, float32
    v: np.ndarray  # potentials, flat
    cap: np.ndarray  # best other points
    free: np.ndarray  # free (for the swap menu)
    key: np.ndarray  # rank keys (the ties of free columns), flat


def _block_columns(b: Pool, cols, b32, v, caps_b, free_b, rank_key) -> _Columns:
    return _Columns(
        ids=cols,
        pool=b.take(cols).as_columns(),
        xyz=tuple(c[cols][None, :] for c in b32[:3]),
        loose=b32[3][cols][None, :],
        tight=b32[4][cols][None, :],
        reach=b32[5][cols][None, :],
        v=v[cols],
        cap=caps_b[cols][None, :],
        free=free_b[cols][None, :],
        key=rank_key[cols],
    )


def _dense_slice(a: Pool, b: Pool, rows, a32, cols: _Columns, u, big, weights, excluded,
                 caps_a):  # fmt: skip
    """For a slice of rows against the block's columns: the float32 mask of the pairs
    that may be feasible and may have an excess (or go to a free column), and the exact
    count of the feasible pairs, from the same dense test: the pairs well inside the
    narrowed reach surely are, only the doubtful ones are tested in float64."""
    ra = a.take(rows).as_rows()
    cx, cy, cz = cols.xyz
    dx = a32[0][rows][:, None] - cx
    chord2 = dx * dx
    dx = a32[1][rows][:, None] - cy
    chord2 += dx * dx
    dx = a32[2][rows][:, None] - cz
    chord2 += dx * dx
    maybe = chord2 <= np.minimum(a32[3][rows][:, None], cols.loose)
    maybe &= scoring.share_language(ra, cols.pool)
    maybe &= scoring.genders_accepted(ra, cols.pool)
    excluded.clear_in_block(maybe, rows, cols.ids)
    sure = maybe & (chord2 < np.minimum(a32[4][rows][:, None], cols.tight))
    count = int(np.count_nonzero(sure))
    doubt_i, doubt_j = np.nonzero(maybe & ~sure)
    count += int(_exact_reach(a, b, rows[doubt_i], cols.ids[doubt_j]).sum())
    # The upper bound of the score: the docstring of `_block_violations` says which.
    limit = np.minimum(a32[5][rows][:, None], cols.reach)
    near = np.sqrt(chord2)
    near *= np.float32(EARTH_RADIUS_KM)
    near /= np.maximum(limit, np.float32(1e-30))
    ceiling = np.float32(weights.distance) * (np.float32(1) - near)
    ceiling += np.minimum(caps_a[rows][:, None], cols.cap).astype(np.float32) + 1
    threshold = ((u[rows] - big).astype(np.float32)[:, None]
                 + cols.v.astype(np.float32)[None, :])  # fmt: skip
    maybe &= (ceiling > threshold) | cols.free
    return maybe, count


def _score_slice(a: Pool, b: Pool, rows, start, i, j, shape, cols: _Columns, u, big, weights,
                 row_over, col_over, keys) -> None:  # fmt: skip
    """Score exactly the feasible pairs (rows[i], column j) of a slice, whose first row
    is row `start` of the block, and raise in place the block's largest excess per row
    and per column and its rows' best free columns."""
    edge_a = a.take(rows[i], only=_EXACT)
    edge_b = b.take(cols.ids[j], only=_EXACT)
    got = scoring.criterion_points(edge_a, edge_b, scoring.squared_chord(edge_a, edge_b),
                                   None, weights)  # fmt: skip
    points = scoring.total_score(got).astype(np.int64)
    to_free = np.flatnonzero(cols.free[0, j])
    if len(to_free):
        _keep_best(keys, start + i[to_free], points[to_free] << RANK_BITS
                   | cols.key[j[to_free]])  # fmt: skip
    excess = points + big - u[rows[i]] - cols.v[j]
    excess = np.maximum(excess, 0).astype(np.int32)  # below 2^31: a score's range
    first = np.flatnonzero(np.diff(i, prepend=-1))  # nonzero gives rows in order
    row_over[start + i[first]] = np.maximum.reduceat(excess, first)
    # Each slice's rows are new, but its columns are the block's: merged by maximum.
    dense = np.zeros(shape, np.int32)
    dense[i, j] = excess
    np.maximum(col_over, dense.max(axis=0), out=col_over)


_EXACT = scoring.SCORE_FIELDS | {"x", "y", "z", "reach_chord2"}


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
