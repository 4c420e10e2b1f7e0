"""French typography: a no-break space before ":" and a narrow one before ";", "?" and "!".

("Parrain ou marraine : Hélène", never "Parrain ou marraine: Hélène", nor a plain space that
would let the sign start a line.) tools/fill_catalog.py spaces every French msgstr it writes;
these tests read the catalogs and the templates, where a colon outside a msgid is never spaced.
"""

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
FRENCH_CATALOGS = [
    ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po",
    ROOT / "matching" / "locale" / "fr" / "LC_MESSAGES" / "django.po",
]
# A sign that ends a word (a space, a tag or the end after it), and what stands before it.
SIGN = re.compile(r"(.)([:;?!])(?=\s|<|$)", re.S)
NO_BREAK = {":": "\u00a0", ";": "\u202f?\u00a0", "?": "\u202f\u00a0", "!": "\u202f\u00a0"}
ENTITY = re.compile(r"&#?\w+$")
MSGID_BLOCK = re.compile(r"(?s)\{% blocktranslate.*?%\}.*?\{% endblocktranslate %\}")


def _fill_catalog():
    spec = importlib.util.spec_from_file_location(
        "fill_catalog", ROOT / "tools" / "fill_catalog.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unspaced(text: str) -> list[str]:
    """Each sign of `text` without its no-break space, with what comes before it."""
    found = []
    for match in SIGN.finditer(text):
        before, sign = match[1], match[2]
        if before in "\u00a0\u202f" or before in ":;?!":
            continue
        if sign == ";" and ENTITY.search(text[: match.start(2)]):
            continue
        found.append(text[max(0, match.start() - 20) : match.end()])
    return found


def french_strings(path: Path):
    with path.open("rb") as file:
        catalog = read_po(file, locale="fr")
    for message in catalog:
        if not message.id:  # the header
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield from (string for string in strings if string)


@pytest.mark.parametrize("path", FRENCH_CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_french_catalog_puts_a_no_break_space_before_colons_and_question_marks(path):
    strings = list(french_strings(path))
    wrong = [found for string in strings for found in unspaced(string)]

    assert len(strings) > 20
    assert wrong == [], f"{len(wrong)} signs without a no-break space before them: {wrong[:10]}"


def test_the_unspaced_sign_detector_finds_what_it_must_and_leaves_the_rest():
    assert unspaced("Parrain ou marraine: Hélène")
    assert unspaced("Parrain ou marraine : Hélène")  # a space that can break
    assert unspaced("Vraiment?") and unspaced("Bienvenue !") and unspaced("%(name)s: %(day)s")
    for fine in [
        "Parrain ou marraine\u00a0: Hélène",
        "Vraiment\u202f?",
        "À 14:30, https://example.org/?page=2",
        "Tom &amp; Jerry",
        "Quoi\u202f?!",
    ]:
        assert unspaced(fine) == [], fine


def test_fill_catalog_spaces_french_strings():
    spacing = _fill_catalog().french_spacing

    assert spacing("Parrain ou marraine: Hélène") == "Parrain ou marraine\u00a0: Hélène"
    assert spacing("Note : lue") == "Note\u00a0: lue"
    assert spacing("Vraiment? Oui !") == "Vraiment\u202f? Oui\u202f!"
    assert spacing("%(label)s: %(value)s;") == "%(label)s\u00a0: %(value)s\u202f;"
    for untouched in ["https://example.org", "14:30", "?page=2", "Tom &amp; Jerry", ""]:
        assert spacing(untouched) == untouched


def test_templates_put_no_sign_after_a_value_outside_a_translation():
    """`{{ title }}: {{ name }}` reads "Parrain ou marraine: Hélène" in French: the colon
    between a label and its value is the translated separator instead."""
    wrong = []
    for template in sorted((ROOT / "templates").rglob("*")):
        if template.suffix not in {".html", ".txt"}:
            continue
        # What blocktranslate holds is a msgid: its French msgstr is spaced.
        text = MSGID_BLOCK.sub(lambda block: "\n" * block[0].count("\n"), template.read_text())
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(r"(\}\}|%\})[:;?!](\s|<|$)", line):
                wrong.append(f"{template.relative_to(ROOT)}:{number}")

    assert wrong == []


def test_a_profile_heading_reads_label_space_colon_name_in_french():
    from types import SimpleNamespace

    person = SimpleNamespace(first_name="Hélène", pk=1, commune="", about="", hopes="")
    profile = SimpleNamespace(
        person=person, languages=[], interests=[], availability=[], age_band="—", waiting_days=3
    )
    with translation.override("fr"):
        html = render_to_string(
            "matching/_profile.html", {"profile": profile, "title": "Marraine", "level": 3}
        )
    with translation.override("en"):
        english = render_to_string(
            "matching/_profile.html", {"profile": profile, "title": "Sponsor", "level": 3}
        )

    assert "<h3>Marraine\u00a0: Hélène</h3>" in html
    assert "<h3>Sponsor: Hélène</h3>" in english
