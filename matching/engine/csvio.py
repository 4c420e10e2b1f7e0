"""CSV in and out, with errors that name the file, the line and the column."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from .model import Person
from .vocabulary import GENDER_CODES, LEVEL_CODES, PARTNER_GENDER_CODES, SLOT_CODES

REQUIRED_COLUMNS = (
    "id", "lat", "lon", "max_distance_km", "languages", "interests", "availability",
    "gender", "partner_gender", "birth_year",
)  # fmt: skip
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class InputError(Exception):
    """Bad input, with a message meant for the person who wrote the file."""


class _Row:
    def __init__(self, path: Path, line: int, fields: list[str], index: dict[str, int]) -> None:
        self.path, self.line, self.fields, self.index = path, line, fields, index

    def fail(self, column: str, problem: str) -> InputError:
        return InputError(f'{self.path.name}, line {self.line}, column "{column}": {problem}')

    def text(self, column: str) -> str:
        at = self.index.get(column, len(self.fields))
        return self.fields[at].strip() if at < len(self.fields) else ""

    def number(self, column: str, low: float, high: float) -> float:
        raw = self.text(column)
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(column, f'"{raw}" is not a number') from None
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(column, f"{raw} is out of range ({low:g} to {high:g})")
        return value

    def integer(self, column: str, low: int, high: int, default: int | None) -> int | None:
        raw = self.text(column)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self.fail(column, f'"{raw}" is not a whole number') from None
        if not low <= value <= high:
            raise self.fail(column, f"{raw} is out of range ({low} to {high})")
        return value

    def words(self, column: str) -> list[str]:
        return [w.strip() for w in self.text(column).split(";") if w.strip()]

    def choice(self, column: str, allowed: Sequence[str]) -> str:
        value = self.text(column)
        if value not in allowed:
            shown = ", ".join(a or '""' for a in allowed)
            raise self.fail(column, f'"{value}" is not one of {shown}')
        return value


def read_people(path: Path | str) -> list[Person]:
    """One person per row; raises InputError on the first problem found."""
    path = Path(path)
    people: list[Person] = []
    first_line: dict[str, int] = {}
    parsed = _Memo()
    for row in _rows(path, REQUIRED_COLUMNS):
        person = _person(row, parsed)
        if person.id in first_line:
            raise row.fail("id", f'duplicate id "{person.id}" (first on line '
                                 f"{first_line[person.id]})")  # fmt: skip
        first_line[person.id] = row.line
        people.append(person)
    return people


def read_exclusions(path: Path | str) -> list[tuple[str, str]]:
    path = Path(path)
    pairs = []
    for row in _rows(path, ("sponsor_id", "refugee_id")):
        sponsor, refugee = row.text("sponsor_id"), row.text("refugee_id")
        if not sponsor or not refugee:
            raise row.fail("sponsor_id" if not sponsor else "refugee_id", "missing value")
        pairs.append((sponsor, refugee))
    return pairs


def _rows(path: Path, required: Sequence[str]) -> Iterator[_Row]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    with handle:
        try:
            text = handle.read()
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: not UTF-8 text") from None
    nul = text.find("\0")
    if nul >= 0:  # csv would take it as a character of the field, invisible in messages
        line = text.count("\n", 0, nul) + 1
        raise InputError(f"{path.name}, line {line}: the line holds a NUL byte (a binary "
                         "file, or a damaged export?)")  # fmt: skip
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError(f"{path.name}: the file is empty (a header line is needed)")
        index = _header_index(path, header, required)
        for fields in reader:
            if not any(f.strip() for f in fields):
                continue  # blank lines are harmless
            yield _Row(path, reader.line_num, fields, index)
    except csv.Error as error:
        raise InputError(f"{path.name}, line {reader.line_num}: {error}") from None


def _header_index(path: Path, header: list[str], required: Sequence[str]) -> dict[str, int]:
    columns = [name.strip().lower() for name in header]
    missing = [name for name in required if name not in columns]
    if missing and len(columns) == 1 and any(sep in columns[0] for sep in ";\t|"):
        raise InputError(f"{path.name}, line 1: the separator must be a comma (this file "
                         "seems to use another one)")  # fmt: skip
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        raise InputError(f"{path.name}, line 1: missing column {names}")
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        if name in index and name:
            raise InputError(f'{path.name}, line 1: column "{name}" appears twice')
        index[name] = i
    return index


class _Memo:
    """Parsed list columns by raw text: a national pool repeats the same few hundred
    combinations, so each is parsed (and its errors found) once. People share them."""

    def __init__(self) -> None:
        self.languages: dict[str, dict[str, str]] = {}
        self.interests: dict[str, frozenset[str]] = {}
        self.slots: dict[str, frozenset[str]] = {}

    def get(self, row: _Row, column: str, cache: dict, parse):
        raw = row.text(column)
        found = cache.get(raw)
        if found is None:
            found = cache[raw] = parse(row)
        return found


def _person(row: _Row, memo: _Memo | None = None) -> Person:
    memo = memo or _Memo()
    person_id = row.text("id")
    if not person_id:
        raise row.fail("id", "missing value")
    return Person(
        id=person_id,
        lat=row.number("lat", -90.0, 90.0),
        lon=row.number("lon", -180.0, 180.0),
        max_distance_km=row.number("max_distance_km", 0.0, 20_037.0),
        languages=memo.get(row, "languages", memo.languages, _languages),
        interests=memo.get(row, "interests", memo.interests, _interests),
        availability=memo.get(row, "availability", memo.slots, _slots),
        gender=row.choice("gender", GENDER_CODES),
        partner_gender=row.choice("partner_gender", ("", *PARTNER_GENDER_CODES)),
        birth_year=row.integer("birth_year", 1900, 2100, None),
        waiting_days=row.integer("waiting_days", 0, 100_000, 0) or 0,
    )


def _languages(row: _Row) -> dict[str, str]:
    languages: dict[str, str] = {}
    for item in row.words("languages"):
        code, sep, level = (part.strip().lower() for part in item.partition(":"))
        if not sep or not LANGUAGE_CODE.match(code):
            raise row.fail("languages", f'"{item}" is not of the form code:level, e.g. fr:native')
        if level not in LEVEL_CODES:
            raise row.fail("languages", f'"{level}" is not a level ({", ".join(LEVEL_CODES)})')
        if LEVEL_CODES.index(level) > LEVEL_CODES.index(languages.get(code, "basic")):
            languages[code] = level
        languages.setdefault(code, level)
    return languages


def _interests(row: _Row) -> frozenset[str]:
    return frozenset(w.lower() for w in row.words("interests"))


def _slots(row: _Row) -> frozenset[str]:
    slots = row.words("availability")
    for slot in slots:
        if slot not in SLOT_CODES:
            raise row.fail("availability", f'"{slot}" is not one of {", ".join(SLOT_CODES)}')
    return frozenset(slots)


def write_rows(path: Path | str, header: Sequence[str], rows) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_people(path: Path | str, people: Sequence[Person]) -> None:
    """The input format, for the benchmark's pools and the tests."""
    rows = (
        (
            p.id,
            p.lat,
            p.lon,
            p.max_distance_km,
            ";".join(f"{code}:{level}" for code, level in p.languages.items()),
            ";".join(sorted(p.interests)),
            ";".join(sorted(p.availability)),
            p.gender,
            p.partner_gender,
            "" if p.birth_year is None else p.birth_year,
            p.waiting_days,
        )  # fmt: skip
        for p in people
    )
    write_rows(path, (*REQUIRED_COLUMNS, "waiting_days"), rows)
