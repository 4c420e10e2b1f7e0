"""Blocks of the pools that may hold feasible pairs: people near each other in space and
language, found by KD-trees, latitude bands and Z-order, so no dense S x R matrix is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Pool, common

SMALL_POOL = 2_000_000  # |A| x |B| up to which one dense block is cheaper than KD-trees


COMMON_LANGUAGES = 0.3  # share of B: rows speaking languages this common are not grouped


def kd_tree(points: np.ndarray, leafsize: int = 16):
    """scipy.spatial is imported only for pools that need it: it is slow to import."""
    from scipy.spatial import cKDTree

    return cKDTree(points, leafsize=leafsize)


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
    if "degrees_a" not in trees:  # once for all the language groups
        trees["degrees_a"] = degrees(a)
    lat_a, lon_a = trees["degrees_a"]
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


STRIP_DEGREES = 0.1  # latitude strips of the band index


class _Band:
    """B in latitude strips, each sorted by longitude, for the people within an angle of
    a block of rows: a block reads only its box of each strip it spans, not whole
    latitude bands (which hold every city at that latitude)."""

    def __init__(self, b: Pool) -> None:
        lat, lon = degrees(b)
        strip = np.floor(lat / STRIP_DEGREES)
        self.order = np.lexsort((lon, strip))
        self.lat, self.lon = lat[self.order], lon[self.order]
        # (strip, longitude) as one sorted key: a box of a strip is one searchsorted.
        self.key = strip[self.order] * 1000.0 + (self.lon + 180.0)
        self.reach2 = float(b.reach_chord2.max()) if len(b) else 0.0

    def within(self, lat: np.ndarray, lon: np.ndarray, reach2: float) -> np.ndarray:
        """Sorted indices of B that may lie within the chord sqrt(reach2) of some of the
        points (lat, lon): a box in degrees that contains every such person."""
        angle = np.degrees(2.0 * np.arcsin(min(np.sqrt(reach2) / 2.0, 1.0))) * 1.0001 + 1e-9
        lo, hi = lat.min() - angle, lat.max() + angle
        strips = np.arange(np.floor(lo / STRIP_DEGREES), np.floor(hi / STRIP_DEGREES) + 1)
        pole = max(abs(lo), abs(hi))
        west, east = lon.min(), lon.max()
        boxed = pole < 89.0 and east - west < 180.0
        if boxed:
            widen = angle / np.cos(np.radians(pole))
            mid, half = (west + east) / 2.0, (east - west) / 2.0 + widen
            spans = _longitude_spans(mid - half, mid + half)
        else:
            spans = [(-180.0, 180.0)]
        base = strips[:, None] * 1000.0 + 180.0
        west_edges, east_edges = (np.array(edges) for edges in zip(*spans, strict=True))
        at = _ranges(np.searchsorted(self.key, base + west_edges, "left"),
                     np.searchsorted(self.key, base + east_edges, "right"))  # fmt: skip
        keep = (self.lat[at] >= lo) & (self.lat[at] <= hi)  # the strips overhang
        # Sorted through a mask: ten times faster than np.sort of a city's indices.
        chosen = np.zeros(len(self.order), bool)
        chosen[self.order[at[keep]]] = True
        return np.flatnonzero(chosen)


def _longitude_spans(west: float, east: float) -> list[tuple[float, float]]:
    """[west, east] in degrees as one or two spans within [-180, 180]."""
    if east - west >= 360.0:
        return [(-180.0, 180.0)]
    west, east = (west + 180.0) % 360.0 - 180.0, (east + 180.0) % 360.0 - 180.0
    return [(west, east)] if west <= east else [(west, 180.0), (-180.0, east)]


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The positions of every [start, end) range, concatenated."""
    starts, ends = starts.ravel(), ends.ravel()
    lengths = np.maximum(ends - starts, 0)
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())


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
