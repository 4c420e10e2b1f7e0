"""Duos de demain matching engine: pure NumPy/SciPy, no Django.

    from matching.engine import Person, Weights, match
    result = match(sponsors, refugees, weights=Weights(), exclusions=[("s1", "r7")])

One pair, by the same code the solver uses (see `matching.engine.pair`):

    from matching.engine import distance_km, pair_breaches, score_pair, shared_languages
    distance_km(sponsor, refugee)        # float km, unrounded; any two objects with .lat/.lon
    shared_languages(sponsor, refugee)   # ["ar", "fr"]: both at conversational level or better
    pair_breaches(sponsor, refugee)      # [] or [("too_far", {"km": 10.04, "limit": 10.0}), ...]
    score_pair(sponsor, refugee, weights)                          # Pair, or None if infeasible
    score_pair(sponsor, refugee, weights, even_if_infeasible=True)  # Pair, points anyway

Names are loaded on first use: `import matching.engine` alone imports neither NumPy
nor SciPy, so the CLI starts fast and rejects bad input before loading them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOMES = {
    "match": "api",
    "distance_km": "pair",
    "pair_breaches": "pair",
    "pair_reasons": "pair",
    "score_pair": "pair",
    "shared_languages": "pair",
    "Certificate": "model",
    "Pair": "model",
    "Person": "model",
    "Result": "model",
    "Unmatched": "model",
    "Weights": "model",
}
__all__ = [
    "Certificate",
    "Pair",
    "Person",
    "Result",
    "Unmatched",
    "Weights",
    "distance_km",
    "match",
    "pair_breaches",
    "pair_reasons",
    "score_pair",
    "shared_languages",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .api import match
    from .model import Certificate, Pair, Person, Result, Unmatched, Weights
    from .pair import distance_km, pair_breaches, pair_reasons, score_pair, shared_languages


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # found once; later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
