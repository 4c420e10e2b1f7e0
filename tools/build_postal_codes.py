"""Build the project's compact copy of the French postal codes: accounts/data/postal_codes.tsv.

Source: the GeoNames postal code export for FR (https://www.geonames.org, CC BY 4.0, credit
"GeoNames"), a TSV with columns postal_code, place_name, region, latitude, longitude, accuracy.
The app reads only the compact copy, so nothing is fetched or read from outside the repo at run
time. Re-running on the same source gives a byte-identical file.

Usage, from the repo root:
    .venv/bin/python tools/build_postal_codes.py [SOURCE_TSV] [--output PATH]

What is kept, and why (see accounts/data/README.md):
- only plain five-digit codes: CEDEX, "SP" (military postal sectors), "AIR" (air bases) and
  "CITYSSIMO" (parcel lockers) codes deliver to organisations or boxes, never to a home;
- only metropolitan France: the export has no overseas départements (97xxx) and its one 98xxx
  row is Clipperton Island, which nobody lives on; Monaco (980xx) is absent and would be dropped
  by the same rule, being another country;
- Paris, Lyon and Marseille codes list the bare city (at the city-centre point) beside the
  arrondissement: only the arrondissement is kept, so that two Parisians are not 0 km apart;
  the pseudo-codes 75000, 69000 and 13000 (bare city only) disappear with them;
- one row per (postal code, commune): the export repeats a few with slightly different points,
  the first one in source order is kept.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT / ".." / "shared" / "data" / "geonames-fr-postal-codes.tsv"
DEFAULT_OUTPUT = REPO_ROOT / "accounts" / "data" / "postal_codes.tsv"
OUTPUT_HEADER = ("postal_code", "commune", "departement", "lat", "lon")

PLAIN_CODE = re.compile(r"[0-9]{5}")
SPECIAL_SUFFIXES = ("SP", "AIR", "CITYSSIMO")
# Département (two-digit prefix) of the three cities split into arrondissements.
CITIES_WITH_ARRONDISSEMENTS = {"Paris": "75", "Lyon": "69", "Marseille": "13"}
ARRONDISSEMENT_NAME = re.compile(r"(Paris|Lyon|Marseille) ([0-9]{2})")

DROP_REASONS = {
    "cedex": "CEDEX code (organisations, not homes)",
    "special": "SP / AIR / CITYSSIMO code (military sector, air base, parcel locker)",
    "outside_metropole": "97xxx/98xxx code (outside metropolitan France)",
    "city_centre": "bare Paris/Lyon/Marseille row beside the arrondissements",
    "no_departement": "no département can be derived from the code",
    "duplicate": "same postal code and commune as an earlier row",
}


@dataclass(frozen=True)
class Row:
    postal_code: str
    commune: str
    departement: str
    lat: float
    lon: float


def departement_for(postal_code: str) -> str | None:
    """Département of a plain metropolitan code, or None when the code fits no département.

    Corsica shares the prefix 20: 200xx-201xx are Corse-du-Sud (2A), 202xx-206xx Haute-Corse
    (2B). Higher 20xxx codes exist only as Ajaccio CEDEX codes, so they get None.
    """
    prefix, number = postal_code[:2], int(postal_code)
    if prefix == "20":
        if 20000 <= number <= 20199:
            return "2A"
        if 20200 <= number <= 20699:
            return "2B"
        return None
    if "01" <= prefix <= "95":
        return prefix
    return None


def clean_commune_name(name: str) -> str:
    """Tidy a GeoNames place name; spell arrondissements the way INSEE does."""
    name = unicodedata.normalize("NFC", name)
    # The export spells one place both "Castillon (Canton de X)" and "Castillon(Canton de X)".
    name = re.sub(r"\s*\(\s*", " (", name)
    name = re.sub(r"\s*\)", ")", name)
    name = " ".join(name.split())
    match = ARRONDISSEMENT_NAME.fullmatch(name)
    if match:
        city, number = match.group(1), int(match.group(2))
        ordinal = "1er" if number == 1 else f"{number}e"
        name = f"{city} {ordinal} Arrondissement"
    return name


def drop_reason(raw_code: str, place_name: str) -> str | None:
    """Why a source row is left out, as a key of DROP_REASONS; None keeps it."""
    code, _, suffix = raw_code.partition(" ")
    if suffix.startswith("CEDEX"):
        return "cedex"
    if suffix.split(" ")[0] in SPECIAL_SUFFIXES or not PLAIN_CODE.fullmatch(raw_code):
        return "special"
    if code.startswith(("97", "98")):
        return "outside_metropole"
    if CITIES_WITH_ARRONDISSEMENTS.get(place_name.strip()) == code[:2]:
        return "city_centre"
    if departement_for(code) is None:
        return "no_departement"
    return None


def read_source(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        yield from csv.DictReader(source, delimiter="\t", quoting=csv.QUOTE_NONE)


def select_rows(source_rows: Iterable[dict[str, str]], dropped: Counter[str]) -> list[Row]:
    """Keep the rows fit for a home address, counting the others in `dropped` by reason."""
    kept: dict[tuple[str, str], Row] = {}
    for source_row in source_rows:
        raw_code, place_name = source_row["postal_code"].strip(), source_row["place_name"]
        reason = drop_reason(raw_code, place_name)
        if reason is None:
            row = Row(
                postal_code=raw_code,
                commune=clean_commune_name(place_name),
                departement=departement_for(raw_code) or "",
                lat=float(source_row["latitude"]),
                lon=float(source_row["longitude"]),
            )
            if (row.postal_code, row.commune) in kept:
                reason = "duplicate"
            else:
                kept[row.postal_code, row.commune] = row
        if reason is not None:
            dropped[reason] += 1
    return sorted(kept.values(), key=lambda row: (row.postal_code, row.commune))


def format_coordinate(value: float) -> str:
    # "+ 0.0" turns -0.0 into 0.0; trailing zeros are stripped to keep the file small.
    text = f"{round(value, 4) + 0.0:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def format_row(row: Row) -> str:
    fields = (
        row.postal_code,
        row.commune,
        row.departement,
        format_coordinate(row.lat),
        format_coordinate(row.lon),
    )
    return "\t".join(fields)


def write_rows(rows: list[Row], output: Path) -> None:
    lines = ["\t".join(OUTPUT_HEADER), *(format_row(row) for row in rows)]
    output.parent.mkdir(parents=True, exist_ok=True)
    # Explicit "\n" and UTF-8 so the bytes do not depend on the platform.
    output.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def build(source: Path, output: Path) -> tuple[int, int, Counter[str]]:
    """Write the compact file; return (rows in, rows out, rows dropped by reason)."""
    dropped: Counter[str] = Counter()
    rows_in = 0

    def counted(rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
        nonlocal rows_in
        for row in rows:
            rows_in += 1
            yield row

    rows = select_rows(counted(read_source(source)), dropped)
    write_rows(rows, output)
    return rows_in, len(rows), dropped


def summary(rows_in: int, rows_out: int, dropped: Counter[str]) -> str:
    lines = [f"rows in: {rows_in}", f"rows out: {rows_out}", "dropped:"]
    lines += [f"  {dropped[key]:6d}  {label}" for key, label in DROP_REASONS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"source file not found: {args.source}")
    rows_in, rows_out, dropped = build(args.source, args.output)
    print(summary(rows_in, rows_out, dropped))
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
