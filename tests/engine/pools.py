"""Hypothesis strategies and an independent, plain-Python reading of the rules."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from matching.engine import Person

LEVELS = ("basic", "conversational", "fluent", "native")
SHARED = ("conversational", "fluent", "native")


@st.composite
def people(draw, prefix: str, max_size: int) -> list[Person]:
    n = draw(st.integers(0, max_size))
    found = []
    for i in range(n):
        languages = draw(
            st.dictionaries(
                st.sampled_from(["fr", "en", "ar"]), st.sampled_from(LEVELS), max_size=2
            )  # fmt: skip
        )
        found.append(
            Person(
                id=f"{prefix}{i}",
                lat=draw(st.floats(48.80, 48.90)),
                lon=draw(st.floats(2.30, 2.45)),
                max_distance_km=draw(st.floats(0.5, 12.0)),
                languages=languages,
                interests=frozenset(
                    draw(st.sets(st.sampled_from(["cinema", "cooking", "music", "art"])))
                ),
                availability=frozenset(
                    draw(st.sets(st.sampled_from(["weekday_day", "weekend_day"])))
                ),
                gender=draw(st.sampled_from(["woman", "man", "other"])),
                partner_gender=draw(st.sampled_from(["any", "", "woman", "man"])),
                birth_year=draw(st.one_of(st.none(), st.integers(1950, 2005))),
                waiting_days=draw(st.integers(0, 600)),
            )  # fmt: skip
        )
    return found


def haversine_km(a: Person, b: Person) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def accepts(person: Person, gender: str) -> bool:
    return person.partner_gender in ("", "any") or person.partner_gender == gender


def shared_languages(a: Person, b: Person) -> set[str]:
    return {c for c, lv in a.languages.items() if lv in SHARED and b.languages.get(c) in SHARED}


def is_feasible(s: Person, r: Person, excluded: set[tuple[str, str]], slack: float = 0.0):
    return (
        haversine_km(s, r) <= min(s.max_distance_km, r.max_distance_km) + slack
        and bool(shared_languages(s, r))
        and accepts(s, r.gender)
        and accepts(r, s.gender)
        and (s.id, r.id) not in excluded
    )
