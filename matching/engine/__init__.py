"""Duos de demain matching engine: pure NumPy/SciPy, no Django.

from matching.engine import Person, Weights, match
result = match(sponsors, refugees, weights=Weights(), exclusions=[("s1", "r7")])
"""

from .api import match, pair_reasons, score_pair
from .model import Certificate, Pair, Person, Result, Unmatched, Weights

__all__ = [
    "Certificate",
    "Pair",
    "Person",
    "Result",
    "Unmatched",
    "Weights",
    "match",
    "pair_reasons",
    "score_pair",
]
