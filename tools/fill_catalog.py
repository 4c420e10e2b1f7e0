"""Fill a .po catalog: `python tools/fill_catalog.py PO_PATH LANG [TRANSLATIONS.json]`.

The JSON maps a msgid to its translation (a plural entry: the singular msgid to a list of two).
For `en` every msgstr becomes its msgid. An entry makemessages marked fuzzy keeps its flag until the
JSON translates it; entries still empty or fuzzy are printed as MISSING. For `fr`
every msgstr gets French typography's spaces (`french_spacing`), whoever wrote it.
"""

import json
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

# French puts a no-break space before ":" and a narrow no-break space before ";", "?" and "!",
# so that the sign never starts a line. Only before a sign that ends a word (a space, a tag or
# the end after it): "https://", "14:30", "?page=" are left as they are, and so are entities.
FRENCH_SPACES = {":": "\u00a0", ";": "\u202f", "?": "\u202f", "!": "\u202f"}
_FRENCH_SIGN = re.compile(r"(?<=[^\s:;?!])( ?)([:;?!])(?=\s|<|$)")
_ENTITY = re.compile(r"&#?\w+$")


def french_spacing(text: str) -> str:
    def spaced(match: re.Match) -> str:
        sign = match[2]
        if sign == ";" and _ENTITY.search(text[: match.start(2)]):
            return match[0]
        return FRENCH_SPACES[sign] + sign

    return _FRENCH_SIGN.sub(spaced, text)


def _filled(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def fill(path: Path, lang: str, translations: dict) -> list[str]:
    with path.open("rb") as file:
        catalog = read_po(file, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if lang == "en":
            message.string = tuple(message.id) if isinstance(message.id, tuple) else message.id
            message.flags.discard("fuzzy")
        elif key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        elif not _filled(message) or "fuzzy" in message.flags:
            # makemessages' fuzzy guess is another sentence's translation: never taken as done.
            missing.append(key)
        if lang == "fr":
            message.string = (
                tuple(map(french_spacing, message.string))
                if isinstance(message.string, tuple)
                else french_spacing(message.string)
            )
    with path.open("wb") as file:
        write_po(file, catalog, width=100, no_location=True)
    return missing


def main() -> int:
    path, lang = Path(sys.argv[1]), sys.argv[2]
    translations = json.loads(Path(sys.argv[3]).read_text()) if len(sys.argv) > 3 else {}
    for key in fill(path, lang, translations):
        print("MISSING:", repr(key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
