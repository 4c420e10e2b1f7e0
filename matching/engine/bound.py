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
from .candidates import Block, Exclusions, _run_blocks, spatial_blocks
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
                                 caps, free_s, rank_key)  # fmt: skip

    blocks = spatial_blocks(refugees, sponsors, 256, compatible=True)
    for block, (row_over, col_over, count, keys) in _run_blocks(blocks, evaluate, workers):
        over_r[block.rows] = np.maximum(over_r[block.rows], row_over)
        over_s[block.cols] = np.maximum(over_s[block.cols], col_over)
        edges += count
        both = np.concatenate((free_keys[block.rows], keys), axis=1)
        free_keys[block.rows] = -np.sort(-both, axis=1)[:, :TOP_FREE]
    return Violations(int(over_r.sum()), int(over_s.sum()), edges, free_keys)


def _block_violations(a: Pool, b: Pool, block: Block, u, v, big, weights, excluded, caps,
                      free_b, rank_key):  # fmt: skip
    """Per row and per column of the block, the largest excess. Most edges cannot have
    any: an upper bound of their score (distance points from the chord, which is
    shorter than the arc, plus the smaller of the two people's best other points) is
    compared first, and only the edges it does not clear are scored exactly."""
    cb = b.take(block.cols).as_columns()
    cb_flat = b.take(block.cols, only=scoring.SCORE_FIELDS)
    v_cols = v[block.cols]
    cap_cols = caps[1][block.cols][None, :]
    reach_cols = b.reach_km[block.cols][None, :]
    row_over = np.zeros(len(block.rows), np.int64)
    col_over = np.zeros(len(block.cols), np.int64)
    keys = np.full((len(block.rows), TOP_FREE), -1, np.int64)
    free_cols = free_b[block.cols][None, :]
    key_cols = rank_key[block.cols]
    count = 0
    step = max(1, SLICE_ENTRIES // max(len(block.cols), 1))
    for start in range(0, len(block.rows), step):
        rows = block.rows[start : start + step]
        ra = a.take(rows).as_rows()
        chord2 = scoring.squared_chord(ra, cb)
        ok = scoring.feasible(ra, cb, chord2, scoring.reach_limit(ra, cb))
        excluded.clear_in_block(ok, rows, block.cols)
        count += int(np.count_nonzero(ok))
        limit = np.minimum(a.reach_km[rows][:, None], reach_cols)
        near = weights.distance * (
            1.0 - np.sqrt(chord2) * EARTH_RADIUS_KM / np.maximum(limit, 1e-300)
        )
        ceiling = near + 1.0 + np.minimum(caps[0][rows][:, None], cap_cols)
        ok &= (ceiling > (u[rows][:, None] - big) + v_cols[None, :]) | free_cols
        i, j = np.nonzero(ok)
        if not len(i):
            continue
        got = scoring.criterion_points(a.take(rows[i], only=scoring.SCORE_FIELDS),
                                       cb_flat.take(j, only=scoring.SCORE_FIELDS),
                                       chord2[ok], None, weights)  # fmt: skip
        points = scoring.total_score(got).astype(np.int64)
        to_free = np.flatnonzero(free_cols[0, j])
        if len(to_free):
            _keep_best(keys, start + i[to_free], points[to_free] << RANK_BITS
                       | key_cols[j[to_free]])  # fmt: skip
        excess = points + big - u[rows[i]] - v_cols[j]
        excess = np.maximum(excess, 0).astype(np.int32)  # below 2^31: a score's range
        first = np.flatnonzero(np.diff(i, prepend=-1))  # nonzero gives rows in order
        row_over[start + i[first]] = np.maximum.reduceat(excess, first)
        dense = np.zeros(ok.shape, np.int32)
        dense[i, j] = excess
        np.maximum(col_over, dense.max(axis=0), out=col_over)
    return row_over, col_over, count, keys


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
