"""French postal codes: commune, département and coordinates, for distance-based matching.

Pure Python (no Django), reading the compact copy `accounts/data/postal_codes.tsv` built by
`tools/build_postal_codes.py` from GeoNames data (CC BY 4.0, credit "GeoNames",
https://www.geonames.org; see `accounts/data/README.md`). The file is loaded once, on first use.

Coverage is metropolitan France (including Corsica) only: overseas codes (97xxx, 98xxx) are not
in the data. CEDEX codes are not homes and are refused.

Errors carry a stable `code` attribute for the form layer, which writes the translated messages:

- ``"format"``: not five digits once spaces are removed;
- ``"overseas"``: 97xxx or 98xxx, outside the data (the programme is in metropolitan France for
  now; Monaco's 980xx codes fall here too, being outside France);
- ``"cedex"``: the input contains CEDEX, a code for organisations rather than homes;
- ``"unknown"``: five digits but no such code in the data (e.g. "00000", or the pseudo-code
  "75000"), or, for `commune`, no such commune under the code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "postal_codes.tsv"
OVERSEAS_PREFIXES = ("97", "98")
FIVE_DIGITS = re.compile(r"[0-9]{5}")
# Characters people paste along with a code that str.isspace() does not catch.
ZERO_WIDTH_CHARACTERS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class PostalCodeError(ValueError):
    """A postal code that cannot be used; `code` says why (see the module docstring)."""

    code = "invalid"

    def __init__(self, postal_code: str, detail: str = "") -> None:
        self.postal_code = postal_code
        super().__init__(f"{self.code}: {postal_code!r}{f' ({detail})' if detail else ''}")


class PostalCodeFormatError(PostalCodeError):
    """Not five digits once spaces are removed."""

    code = "format"


class OverseasPostalCodeError(PostalCodeError):
    """97xxx/98xxx: not covered by the data, the programme is in metropolitan France for now."""

    code = "overseas"


class CedexPostalCodeError(PostalCodeError):
    """A CEDEX code: it delivers to an organisation, not to a home."""

    code = "cedex"


class UnknownPostalCodeError(PostalCodeError):
    """Five digits, but no such postal code (or no such commune under it) in the data."""

    code = "unknown"


@dataclass(frozen=True)
class Commune:
    postal_code: str
    name: str
    departement: str  # "01".."95", "2A" or "2B"
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """What to show people, e.g. "Lyon 3e Arrondissement (69003)"."""
        return f"{self.name} ({self.postal_code})"


def normalize_postal_code(raw: str) -> str:
    """Return the five-digit code in `raw`, or raise a PostalCodeError.

    Accepts "75 011", non-breaking or zero-width spaces and full-width digits.
    """
    text = unicodedata.normalize("NFKC", raw).translate(ZERO_WIDTH_CHARACTERS)
    if "CEDEX" in text.upper():
        raise CedexPostalCodeError(raw)
    compact = "".join(text.split())
    if not FIVE_DIGITS.fullmatch(compact):
        raise PostalCodeFormatError(raw, "expected five digits")
    if compact.startswith(OVERSEAS_PREFIXES):
        raise OverseasPostalCodeError(compact, "only metropolitan France is covered")
    return compact


def communes_for(postal_code: str) -> list[Commune]:
    """Communes served by `postal_code`, sorted by name; several means people pick theirs.

    Raises a PostalCodeError subclass: code "format", "overseas", "cedex" or "unknown".
    """
    code = normalize_postal_code(postal_code)
    communes = _communes_by_postal_code().get(code)
    if not communes:
        raise UnknownPostalCodeError(code)
    return list(communes)


def commune(postal_code: str, name: str) -> Commune:
    """The commune called `name` under `postal_code`, as offered by `communes_for`.

    Raises code "unknown" when no commune of that name has that code, and the errors of
    `communes_for` for a bad code. The name comparison ignores case and surrounding spaces.
    """
    wanted = _name_key(name)
    for candidate in communes_for(postal_code):
        if _name_key(candidate.name) == wanted:
            return candidate
    raise UnknownPostalCodeError(postal_code, f"no commune named {name!r}")


def distance_km(a: Commune, b: Commune) -> float:
    """Great-circle distance between two communes in km, unrounded: the engine's own measure
    (`matching.engine.distance_km`), so a distance shown or filtered on is the one a match
    run checks. Loads NumPy on first use."""
    from matching.engine import distance_km as engine_distance_km

    return engine_distance_km(a, b)


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@cache
def _communes_by_postal_code() -> dict[str, tuple[Commune, ...]]:
    """Load the data file once; rows are already sorted by code then name."""
    grouped: dict[str, list[Commune]] = {}
    with DATA_FILE.open(encoding="utf-8") as data:
        next(data)  # header line
        for line in data:
            postal_code, name, departement, lat, lon = line.rstrip("\n").split("\t")
            entry = Commune(postal_code, name, departement, float(lat), float(lon))
            grouped.setdefault(postal_code, []).append(entry)
    return {code: tuple(communes) for code, communes in grouped.items()}
