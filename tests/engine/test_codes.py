"""Any number of distinct language and interest codes, with the same results."""

from __future__ import annotations

import itertools
import string

import pytest

from matching.engine import Person, match, score_pair
from matching.engine.cli import main
from matching.engine.csvio import write_people

# Three-letter codes outside the vocabulary: "baa", "bab", ...
UNKNOWN = ["".join(t) for t in itertools.product("bcdghjk", string.ascii_lowercase, "ae")]


def person(pid: str, lon: float, languages: dict, interests=()) -> Person:
    return Person(pid, 48.85, lon, 10.0, languages, frozenset(interests), gender="woman")


def pools(n_languages: int):
    """Pair k shares only language k (plus French, basic, which counts for nothing),
    so the one maximum matching needs every code told apart from every other."""
    codes = UNKNOWN[:n_languages]
    sponsors = [person(f"s{k}", 2.30 + k * 1e-4, {c: "fluent", "fr": "basic"})
                for k, c in enumerate(codes)]  # fmt: skip
    refugees = [person(f"r{k}", 2.30 + k * 1e-4, {c: "native", "fr": "native"})
                for k, c in enumerate(codes)]  # fmt: skip
    return sponsors, refugees


@pytest.mark.parametrize("mode", ["exact", "large"])
def test_match_tells_apart_300_distinct_languages(mode):
    sponsors, refugees = pools(300)
    result = match(sponsors, refugees, mode=mode)
    assert len(result.pairs) == 300
    assert all(p.sponsor_id[1:] == p.refugee_id[1:] for p in result.pairs)
    assert all(dict(p.reasons)["languages"]["codes"] == [UNKNOWN[int(p.sponsor_id[1:])]]
               for p in result.pairs)  # fmt: skip


def test_cli_accepts_25_unknown_language_codes(tmp_path):
    sponsors, refugees = pools(25)
    write_people(tmp_path / "S.csv", sponsors)
    write_people(tmp_path / "R.csv", refugees)
    code = main(["--sponsors", str(tmp_path / "S.csv"), "--refugees", str(tmp_path / "R.csv"),
                 "--out", str(tmp_path / "out.csv"), "--quiet"])  # fmt: skip
    assert code == 0
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 26


def test_interests_count_past_40_unknown_interest_words():
    words = [f"hobby{i}" for i in range(70)]
    sponsor = person("s", 2.35, {"fr": "native"}, ["art", "cinema", "music", *words[:40]])
    refugee = person("r", 2.35, {"fr": "native"}, ["art", "cinema", "music", *words[40:]])
    others = [person(f"x{i}", 2.35, {"fr": "native"}, words[i : i + 2]) for i in range(0, 70, 7)]
    alone = score_pair(sponsor, refugee).breakdown["interests"]
    assert alone == 20
    result = match([sponsor, *others], [refugee])
    in_pool = [p for p in result.pairs if p.sponsor_id == "s"]
    assert in_pool and in_pool[0].breakdown["interests"] == 20
