"""Typed inputs and outputs of the engine, and the array form of a pool of people."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from .vocabulary import GENDER_CODES, INTEREST_CODES, LANGUAGE_CODES, LEVEL_CODES, SLOT_CODES

EARTH_RADIUS_KM = 6371.0088
SIDES = ("sponsor", "refugee")
MISSING_BIRTH_YEAR = -10_000  # scoring gives a pair with a missing year 0 age points


@dataclass(frozen=True)
class Person:
    """One sponsor or refugee. `languages` maps an ISO 639 code to a level code."""

    id: str
    lat: float
    lon: float
    max_distance_km: float
    languages: Mapping[str, str]
    interests: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    gender: str = "other"
    partner_gender: str = "any"
    birth_year: int | None = None
    waiting_days: int = 0


MAX_SCORE = 100  # the weights add up to at most this: a pair's score fits in a byte


@dataclass(frozen=True)
class Weights:
    """Maximum points of each criterion; a pair's score is the sum, 0 to 100."""

    distance: int = 30
    interests: int = 20
    availability: int = 15
    language: int = 10
    age: int = 10
    waiting: int = 15

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"weight {f.name!r} must be a non-negative integer")
        if self.total() > MAX_SCORE:
            raise ValueError(f"weights add up to {self.total()}, more than {MAX_SCORE}")

    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


Reason = tuple[str, dict]


@dataclass(frozen=True)
class Pair:
    sponsor_id: str
    refugee_id: str
    score: int
    distance_km: float
    breakdown: dict[str, int]
    reasons: list[Reason]


@dataclass(frozen=True)
class Unmatched:
    person_id: str
    side: str  # "sponsor" or "refugee"
    reason: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Certificate:
    """How we know the matching is maximum (and, in exact mode, optimal)."""

    pairs: int
    max_pairs: int  # independent count, or a vertex cover size of the full feasible graph
    method: str
    score_exact: bool  # True when the score is provably optimal
    # A proved upper bound on the best total score (the total itself when exact).
    score_bound: int | None = None

    @property
    def cardinality_proved(self) -> bool:
        return self.pairs == self.max_pairs

    def score_gap(self, total: int) -> float | None:
        """How far `total` may be below the optimum, as a share of the bound."""
        if self.score_bound is None:
            return None
        return 0.0 if self.score_bound <= 0 else max(0.0, 1 - total / self.score_bound)


@dataclass
class Result:
    pairs: list[Pair]
    unmatched: list[Unmatched]
    # Keyed by (side, person id): ids of the two sides may collide.
    alternatives: dict[tuple[str, str], list[tuple[str, int]]]
    certificate: Certificate
    feasible_edges: int
    mode: str
    # Keyed by (side, person id, partner id), for each alternative partner who is already
    # paired: an `alternatives.Swap` (pairs undone and formed, cost in score), worked out
    # when read (an `alternatives.Swaps` mapping).
    swaps: Mapping = field(default_factory=dict)
    # Stage name -> (wall, CPU) seconds inside `match`.
    stage_seconds: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def total_score(self) -> int:
        return sum(p.score for p in self.pairs)


UNMATCHED = -1


@dataclass
class Matching:
    """sponsor_of[r] for every refugee r, UNMATCHED if none."""

    sponsor_of: np.ndarray

    @property
    def size(self) -> int:
        return int((self.sponsor_of >= 0).sum())

    def refugee_of(self, n_sponsors: int) -> np.ndarray:
        mates = np.full(n_sponsors, UNMATCHED, np.int64)
        matched = np.flatnonzero(self.sponsor_of >= 0)
        mates[self.sponsor_of[matched]] = matched
        return mates


@dataclass
class Codebook:
    """Bit positions shared by both sides for languages and interests: every code seen,
    however many (masks take as many 64-bit words as they need)."""

    languages: dict[str, int]
    interests: dict[str, int]

    @classmethod
    def from_people(cls, people: Sequence[Person]) -> Codebook:
        languages = {c for p in people for c, level in p.languages.items() if level != "basic"}
        interests = {c for p in people for c in p.interests}
        return cls(_bit_positions(LANGUAGE_CODES, languages),
                   _bit_positions(INTEREST_CODES, interests))  # fmt: skip

    @property
    def language_words(self) -> int:
        return max(1, -(-len(self.languages) // 64))

    @property
    def interest_words(self) -> int:
        return max(1, -(-len(self.interests) // 64))


def _bit_positions(known: Sequence[str], seen: set[str]) -> dict[str, int]:
    """Codes seen, the vocabulary's first in its order (the common ones share word 0)."""
    codes = [code for code in known if code in seen] + sorted(seen.difference(known))
    return {code: i for i, code in enumerate(codes)}


def words(values: Sequence[int], n_words: int) -> np.ndarray:
    """Python int masks as a (n_words, len(values)) uint64 array, low word first."""
    if n_words == 1:
        return np.array(values, dtype=np.uint64).reshape(1, -1)
    low = (1 << 64) - 1
    return np.array([[(v >> (64 * w)) & low for v in values] for w in range(n_words)],
                    dtype=np.uint64).reshape(n_words, -1)  # fmt: skip


def common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether two multi-word masks (word axis first, the rest broadcasting) share a bit."""
    found = (a[0] & b[0]) != 0
    for w in range(1, len(a)):
        found |= (a[w] & b[w]) != 0
    return found


def common_count(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many bits two multi-word masks share (uint8)."""
    found = np.bitwise_count(a[0] & b[0])
    for w in range(1, len(a)):
        found += np.bitwise_count(a[w] & b[w])
    return found


@dataclass
class Pool:
    """One side as NumPy arrays, index i is people[i]."""

    ids: list[str]
    x: np.ndarray  # unit vectors, float64
    y: np.ndarray
    z: np.ndarray
    reach_km: np.ndarray  # max_distance_km, float64
    reach_chord2: np.ndarray  # squared chord (unit sphere) of max_distance_km
    # Masks of (words, n) uint64: languages spoken at least at each level, interests.
    lang_conv: np.ndarray
    lang_fluent: np.ndarray
    lang_native: np.ndarray
    interests: np.ndarray
    slots: np.ndarray  # uint8
    gender: np.ndarray  # uint8 bit: 1 woman, 2 man, 4 other
    accepts: np.ndarray  # uint8 mask of accepted partner genders
    birth_year: np.ndarray  # int32
    wait_days: np.ndarray  # int32, capped at one year

    def __len__(self) -> int:
        return len(self.x)

    def points(self) -> np.ndarray:
        """(n, 3) unit vectors, for KD-trees."""
        return np.column_stack((self.x, self.y, self.z))

    def take(self, index: np.ndarray, only: frozenset[str] | None = None) -> Pool:
        """The people at `index`; with `only`, just those arrays (the others are None)."""
        arrays = {}
        for f in fields(self):
            if f.name == "ids":
                continue
            value = getattr(self, f.name)
            if only is not None and f.name not in only:
                arrays[f.name] = None
            else:
                arrays[f.name] = value[:, index] if f.name in MASKS else value[index]
        return Pool(ids=[], **arrays)

    def as_rows(self) -> Pool:
        """Arrays shaped (n, 1) so that they broadcast against columns."""
        return self._reshaped((-1, 1))

    def as_columns(self) -> Pool:
        return self._reshaped((1, -1))

    def _reshaped(self, shape: tuple[int, int]) -> Pool:
        arrays = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "ids" or value is None:
                arrays[f.name] = value
            elif f.name in MASKS:
                arrays[f.name] = value.reshape((len(value), *shape))
            else:
                arrays[f.name] = value.reshape(shape)
        return Pool(**arrays)


MASKS = frozenset({"lang_conv", "lang_fluent", "lang_native", "interests"})
GENDER_BITS = {code: 1 << i for i, code in enumerate(GENDER_CODES)}
ALL_GENDERS = sum(GENDER_BITS.values())
LEVEL_RANK = {code: i for i, code in enumerate(LEVEL_CODES)}


def km_to_chord2(km: np.ndarray | float) -> np.ndarray:
    """Squared chord length on the unit sphere for a great-circle distance."""
    angle = np.minimum(np.asarray(km, dtype=np.float64) / EARTH_RADIUS_KM, math.pi)
    return (2.0 * np.sin(angle / 2.0)) ** 2


def chord2_to_km(chord2: np.ndarray | float) -> np.ndarray:
    half = np.clip(np.sqrt(np.asarray(chord2, dtype=np.float64)) / 2.0, 0.0, 1.0)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(half)


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def build_pool(people: Sequence[Person], codebook: Codebook) -> Pool:
    n = len(people)
    lat = np.fromiter((p.lat for p in people), np.float64, n)
    lon = np.fromiter((p.lon for p in people), np.float64, n)
    reach = np.fromiter((p.max_distance_km for p in people), np.float64, n)
    # People read from a CSV share their list columns' objects: compute each once.
    by_languages: dict[int, tuple[int, int, int]] = {}
    by_interests: dict[frozenset[str], int] = {}
    languages = [_cached(by_languages, id(p.languages), _language_masks, p, codebook)
                 for p in people]  # fmt: skip
    masks = [words([m[k] for m in languages], codebook.language_words) for k in range(3)]
    interests = words([_cached(by_interests, p.interests, _mask, codebook.interests,
                               p.interests) for p in people], codebook.interest_words)  # fmt: skip
    slot_bits = {code: i for i, code in enumerate(SLOT_CODES)}
    slots = np.fromiter((_mask(slot_bits, p.availability) for p in people), np.uint8, n)
    gender = np.fromiter((GENDER_BITS[p.gender] for p in people), np.uint8, n)
    accepts = np.fromiter(
        (GENDER_BITS.get(p.partner_gender or "any", ALL_GENDERS) for p in people), np.uint8, n
    )
    birth = np.fromiter(
        (MISSING_BIRTH_YEAR if p.birth_year is None else p.birth_year for p in people),
        np.int32,
        n,
    )
    waits = np.fromiter((min(max(p.waiting_days, 0), 365) for p in people), np.int32, n)
    return Pool(
        ids=[p.id for p in people],
        **dict(zip("xyz", unit_vectors(lat, lon).T.copy(), strict=True)),
        reach_km=reach,
        reach_chord2=km_to_chord2(reach),
        lang_conv=masks[0],
        lang_fluent=masks[1],
        lang_native=masks[2],
        interests=interests,
        slots=slots,
        gender=gender,
        accepts=accepts,
        birth_year=birth,
        wait_days=waits,
    )


def _cached(cache: dict, key, function, *args):
    found = cache.get(key)
    if found is None:
        found = cache[key] = function(*args)
    return found


def _language_masks(person: Person, codebook: Codebook) -> tuple[int, int, int]:
    """Masks of languages spoken at least conversationally, fluently, natively."""
    masks = [0, 0, 0]
    for code, level in person.languages.items():
        if level == "basic":
            continue
        bit = 1 << codebook.languages[code]
        for k in range(LEVEL_RANK[level]):  # basic sets nothing, native sets all three
            masks[k] |= bit
    return masks[0], masks[1], masks[2]


def _mask(positions: Mapping[str, int], codes) -> int:
    value = 0
    for code in codes:
        if code in positions:
            value |= 1 << positions[code]
    return value


def build_pools(sponsors: Sequence[Person], refugees: Sequence[Person]) -> tuple[Pool, Pool]:
    codebook = Codebook.from_people([*sponsors, *refugees])
    return build_pool(sponsors, codebook), build_pool(refugees, codebook)
