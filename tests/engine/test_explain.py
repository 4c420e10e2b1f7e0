"""Reasons become sentences through the gettext catalogs of matching/locale."""

from __future__ import annotations

import gettext
import math
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from matching.engine import Person, Unmatched, match, score_pair
from matching.engine.explain import (
    INTERESTS_IN_SENTENCE,
    LANGUAGES_IN_SENTENCE,
    pair_sentence,
    translator_for,
    unmatched_sentence,
)
from matching.engine.vocabulary import INTEREST_CODES, LANGUAGE_CODES

KM_PER_DEGREE_LAT = math.pi * 6371.0088 / 180
LOCALE = Path(__file__).resolve().parents[2] / "matching" / "locale"
REASONS = [
    ("distance", {"km": 3.2}),
    ("languages", {"codes": ["en"]}),
    ("interests", {"codes": ["cinema", "cooking"]}),
    ("slots", {"codes": ["weekend_day", "weekend_evening"]}),
]


def compiled(tmp_path: Path, language: str) -> gettext.GNUTranslations:
    """Compile the committed .po with Babel, so the test needs no `make messages`."""
    target = tmp_path / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    with (target / "django.mo").open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    return gettext.translation("django", localedir=str(tmp_path), languages=[language])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogs_are_complete(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    assert not catalog.fuzzy
    assert len(catalog) > 150
    for message in catalog:
        if message.id:
            assert not message.fuzzy, message.id
            strings = message.string if isinstance(message.string, tuple) else [message.string]
            assert all(strings), message.id
    assert not list(catalog.check())


def test_french_sentence(tmp_path):
    sentence = pair_sentence(REASONS, compiled(tmp_path, "fr"))
    assert sentence == (
        "Vous habitez à environ 3 km l'un de l'autre, vous parlez tous les deux anglais, "
        "vous aimez tous les deux le cinéma et la cuisine, et vous êtes libres le week-end."
    )


def test_english_sentence(tmp_path):
    sentence = pair_sentence(REASONS, compiled(tmp_path, "en"))
    assert sentence == (
        "You live about 3 km from each other, you both speak English, you both enjoy "
        "cinema and cooking, and you are both free at weekends."
    )


def test_plural_forms(tmp_path):
    fr, en = compiled(tmp_path, "fr"), compiled(tmp_path, "en")
    one = Unmatched("x", "sponsor", "partners_needed_elsewhere", {"feasible": 1})
    three = Unmatched("x", "sponsor", "partners_needed_elsewhere", {"feasible": 3})
    assert unmatched_sentence(one, fr) == (
        "Votre seul partenaire possible a été proposé à quelqu'un d'autre."
    )
    assert unmatched_sentence(three, fr).startswith("Vos 3 partenaires possibles")
    assert unmatched_sentence(three, en).startswith("All 3 of your possible partners")
    near = pair_sentence([("distance", {"km": 0.4})], fr)
    assert near == "Vous habitez à moins d'un kilomètre l'un de l'autre."


def test_every_vocabulary_code_has_an_in_sentence_form():
    assert set(LANGUAGES_IN_SENTENCE) == set(LANGUAGE_CODES)
    assert set(INTERESTS_IN_SENTENCE) == set(INTEREST_CODES)


def test_every_unmatched_reason_has_a_sentence(tmp_path):
    fr = compiled(tmp_path, "fr")
    for reason in ("no_one_in_reach", "no_shared_language", "gender_preference", "excluded"):
        text = unmatched_sentence(Unmatched("x", "refugee", reason, {"nearest_km": 40.0}), fr)
        assert text and text[0].isupper() and not text.startswith(("Nobody", "Every"))


def test_translator_for_works_without_compiled_catalogs(tmp_path):
    # Only the .po: it is compiled in memory.
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.po").write_bytes((LOCALE / "fr/LC_MESSAGES/django.po").read_bytes())
    assert pair_sentence(REASONS, translator_for("fr", tmp_path)).startswith("Vous habitez")


def test_reasons_of_a_pair():
    sponsor = Person("s", 48.8566, 2.3522, 10, {"fr": "native", "en": "fluent"},
                     frozenset({"cinema", "art"}), frozenset({"weekend_day"}), "woman", "any",
                     1980, 200)  # fmt: skip
    refugee = Person("r", 48.8666, 2.3522, 10, {"en": "conversational"},
                     frozenset({"cinema"}), frozenset({"weekend_day", "weekday_day"}),
                     "woman", "woman", 1990, 10)  # fmt: skip
    pair = score_pair(sponsor, refugee)
    codes = dict(pair.reasons)
    assert codes["languages"] == {"codes": ["en"]}
    assert codes["interests"] == {"codes": ["cinema"]}
    assert codes["slots"] == {"codes": ["weekend_day"]}
    assert codes["waited"] == {"days": 200}
    assert abs(codes["distance"]["km"] - 1.1) < 0.05
    assert pair.score == sum(pair.breakdown.values())
    assert score_pair(sponsor, Person("x", 48.0, 2.0, 10, {"en": "native"})) is None


@pytest.mark.parametrize(
    ("km", "said"),
    [(7.49, "about 7 km"), (2.54, "about 3 km"), (2.46, "about 2 km"), (0.7, "about 1 km"),
     (0.3, "less than 1 km")],
)  # fmt: skip
def test_pair_sentence_rounds_the_exact_distance_once(tmp_path, km, said):
    sponsor = Person("s", 48.85, 2.35, 20, {"en": "native"})
    refugee = Person("r", 48.85 + km / KM_PER_DEGREE_LAT, 2.35, 20, {"en": "native"})
    [pair] = match([sponsor], [refugee]).pairs
    assert pair.distance_km == km
    assert said in pair_sentence(pair.reasons, compiled(tmp_path, "en"))


def test_unmatched_sentence_rounds_the_nearest_distance_once(tmp_path):
    sponsor = Person("s", 48.85, 2.35, 5, {"en": "native"})
    refugee = Person("r", 48.85 + 7.49 / KM_PER_DEGREE_LAT, 2.35, 5, {"en": "native"})
    result = match([sponsor], [refugee])
    t = compiled(tmp_path, "en")
    said = [unmatched_sentence(u, t) for u in result.unmatched]
    assert len(said) == 2 and all("about 7 km away" in s for s in said)
