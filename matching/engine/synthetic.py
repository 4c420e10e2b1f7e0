"""Synthetic pools clustered around French cities, for the benchmark and the tests."""

from __future__ import annotations

import numpy as np

from .model import Person
from .vocabulary import INTEREST_CODES, SLOT_CODES

# (latitude, longitude, share of the pool): eight cities, as dense as real city pools
# (about 28.7 million feasible pairs at 20,000 per side, `make bench` prints the count).
CITIES = (
    (48.8566, 2.3522, 0.37),  # Paris
    (45.7640, 4.8357, 0.12),  # Lyon
    (43.2965, 5.3698, 0.11),  # Marseille
    (43.6047, 1.4442, 0.09),  # Toulouse
    (50.6292, 3.0573, 0.09),  # Lille
    (44.8378, -0.5792, 0.08),  # Bordeaux
    (47.2184, -1.5536, 0.07),  # Nantes
    (48.5734, 7.7521, 0.07),  # Strasbourg
)
CITY_SPREAD_KM = 4.5
SPONSOR_LANGUAGES = (("en", 0.55), ("es", 0.15), ("de", 0.08), ("ar", 0.06), ("it", 0.06))
REFUGEE_LANGUAGES = (
    ("fr", 0.65), ("en", 0.55), ("ar", 0.30), ("fa", 0.10), ("prs", 0.08), ("ps", 0.08),
    ("uk", 0.10), ("ru", 0.12), ("ti", 0.06), ("so", 0.05), ("es", 0.04), ("tr", 0.05),
)  # fmt: skip
LEVELS = ("basic", "conversational", "fluent", "native")


def synthetic_people(n: int, side: str, seed: int) -> list[Person]:
    """`side` is "sponsor" or "refugee"; the same seed gives the same pool."""
    rng = np.random.default_rng([seed, 0 if side == "sponsor" else 1])
    shares = np.array([c[2] for c in CITIES])
    city = rng.choice(len(CITIES), size=n, p=shares / shares.sum())
    lat0 = np.array([c[0] for c in CITIES])[city]
    lon0 = np.array([c[1] for c in CITIES])[city]
    north = rng.normal(0.0, CITY_SPREAD_KM, n)
    east = rng.normal(0.0, CITY_SPREAD_KM, n)
    lat = lat0 + north / 111.2
    lon = lon0 + east / (111.2 * np.cos(np.radians(lat0)))
    reach = rng.integers(5, 31, n)
    genders = rng.choice(["woman", "man", "other"], size=n, p=[0.5, 0.47, 0.03])
    prefs = rng.choice(["any", "", "woman", "man"], size=n, p=[0.6, 0.2, 0.15, 0.05])
    years = rng.integers(1950, 2006, n)
    waits = rng.integers(0, 500, n)
    people = []
    for i in range(n):
        people.append(
            Person(
                id=f"{side[0]}{i}",
                lat=round(float(lat[i]), 5),
                lon=round(float(lon[i]), 5),
                max_distance_km=float(reach[i]),
                languages=_languages(rng, side),
                interests=_some(rng, INTEREST_CODES, 0, 5),
                availability=_some(rng, SLOT_CODES, 1, 3),
                gender=str(genders[i]),
                partner_gender=str(prefs[i]),
                birth_year=int(years[i]),
                waiting_days=int(waits[i]),
            )
        )
    return people


def _languages(rng: np.random.Generator, side: str) -> dict[str, str]:
    spoken = {"fr": "native"} if side == "sponsor" else {}
    table = SPONSOR_LANGUAGES if side == "sponsor" else REFUGEE_LANGUAGES
    for code, share in table:
        if rng.random() < share:
            spoken[code] = LEVELS[rng.choice(4, p=(0.15, 0.4, 0.3, 0.15))]
    if not spoken:
        spoken["ar"] = "native"
    return spoken


def _some(rng: np.random.Generator, codes: tuple[str, ...], low: int, high: int) -> frozenset:
    count = int(rng.integers(low, high + 1))
    return frozenset(str(code) for code in rng.choice(codes, count, replace=False))
