"""Small pools, solved on dense matrices with NumPy and one SciPy routine only.

For a pool of a few hundred people per side, loading scipy.sparse and its graph
routines takes longer than the whole solve: here every pair is evaluated at once,
`linear_sum_assignment` (loaded on its own) maximises BIG x pairs + score, which gives
the most pairs and then the best total, and an alternating search on the dense
matrix proves the number of pairs maximum by a König cover, independently.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

import numpy as np

from . import scoring
from .candidates import Exclusions
from .model import UNMATCHED, Certificate, Matching, Pool, Weights

DENSE_MAX_PAIRS = 600 * 600  # |S| x |R| up to which the dense path is used


def linear_sum_assignment():
    """scipy.optimize.linear_sum_assignment without importing scipy.optimize, which
    loads most of SciPy (half a second); the normal import if that fails."""
    name = "scipy.optimize._lsap"
    module = sys.modules.get(name)
    if module is None:
        try:
            import scipy

            folder = Path(scipy.__file__).parent / "optimize"
            files = (folder / f"_lsap{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES)
            path = next(f for f in files if f.exists())
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module  # scipy.optimize, if loaded later, reuses it
        except Exception:  # noqa: BLE001 - any trouble: the ordinary, slower import
            from scipy.optimize import linear_sum_assignment as found

            return found
    return module.linear_sum_assignment


def solve_dense(pool_s: Pool, pool_r: Pool, weights: Weights, excluded: Exclusions, report):
    """(matching, certificate, both compressed forms of the graph, number of edges)."""
    report(0.05, "candidates")
    a, b = pool_r.as_rows(), pool_s.as_columns()  # refugees x sponsors
    chord2, limit2 = scoring.squared_chord(a, b), scoring.reach_limit(a, b)
    ok = scoring.feasible(a, b, chord2, limit2)
    if ok.size:
        excluded.swapped(len(pool_s)).clear_in_block(ok, np.arange(len(pool_r)),
                                                     np.arange(len(pool_s)))  # fmt: skip
    score = scoring.total_score(scoring.criterion_points(a, b, chord2, limit2, weights))
    sponsor_of = np.full(len(pool_r), UNMATCHED, np.int64)
    report(0.3, "solving")
    if ok.any():
        big = float((weights.total() + 1) * min(ok.shape) + 1)
        value = np.where(ok, big + score, 0.0)
        rows, cols = linear_sum_assignment()(value, maximize=True)
        real = ok[rows, cols]
        sponsor_of[rows[real]] = cols[real]
    matching = Matching(sponsor_of)
    report(0.8, "verifying")
    certificate = Certificate(
        pairs=matching.size,
        max_pairs=dense_cover(ok, sponsor_of),
        method="König vertex cover of the full feasible graph (no augmenting path)",
        score_exact=True,
    )
    data = (score + 1).astype(np.uint8)
    return matching, certificate, (_compressed(ok, data), _compressed(ok.T, data.T)), int(ok.sum())


def _compressed(ok: np.ndarray, data: np.ndarray):
    """(indptr, indices, data) of a dense boolean matrix, row-major."""
    indptr = np.zeros(len(ok) + 1, np.int64)
    np.cumsum(ok.sum(axis=1), out=indptr[1:])
    return indptr, np.nonzero(ok)[1].astype(np.int32), data[ok]


def dense_cover(ok: np.ndarray, sponsor_of: np.ndarray) -> int:
    """König's cover from the unmatched refugees (rows), as in solve.konig_cover."""
    n_r, n_s = ok.shape
    if not n_r or not n_s:
        return 0
    refugee_of = np.full(n_s, UNMATCHED, np.int64)
    on = np.flatnonzero(sponsor_of >= 0)
    refugee_of[sponsor_of[on]] = on
    rows, cols = np.zeros(n_r, bool), np.zeros(n_s, bool)
    frontier = np.flatnonzero(sponsor_of < 0)
    rows[frontier] = True
    while len(frontier):
        reached = np.flatnonzero(ok[frontier].any(axis=0) & ~cols)
        cols[reached] = True
        if (refugee_of[reached] < 0).any():
            raise RuntimeError("an augmenting path remains: the matching is not maximum")
        frontier = refugee_of[reached]
        frontier = frontier[~rows[frontier]]
        rows[frontier] = True
    return int((~rows).sum() + cols.sum())
