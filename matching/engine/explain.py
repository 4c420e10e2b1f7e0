"""Reason codes -> plain sentences, through one set of gettext catalogs.

A `translator` is anything with `gettext`, `ngettext` and `pgettext`: a stdlib
`gettext.GNUTranslations` in the CLI, the `django.utils.translation` module in the
app. Msgids are English; French needs articles inside a sentence ("le cinéma"), so
names used inside sentences carry their own message context.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .model import Unmatched
from .vocabulary import INTERESTS, LANGUAGES, label

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGE_CONTEXT = "language in a sentence"
INTEREST_CONTEXT = "interest in a sentence"
SLOT_CONTEXT = "availability in a sentence"


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
    def pgettext(self, context: str, message: str) -> str: ...


def pgettext(context: str, message: str) -> str:
    """Mark a message with its context for extraction; translated at render time."""
    return message


def _(message: str) -> str:
    return message


# In-sentence forms, listed literally so that xgettext and makemessages find them.
LANGUAGES_IN_SENTENCE = {
    "fr": pgettext("language in a sentence", "French"),
    "en": pgettext("language in a sentence", "English"),
    "ar": pgettext("language in a sentence", "Arabic"),
    "fa": pgettext("language in a sentence", "Persian"),
    "prs": pgettext("language in a sentence", "Dari"),
    "ps": pgettext("language in a sentence", "Pashto"),
    "uk": pgettext("language in a sentence", "Ukrainian"),
    "ru": pgettext("language in a sentence", "Russian"),
    "ti": pgettext("language in a sentence", "Tigrinya"),
    "am": pgettext("language in a sentence", "Amharic"),
    "so": pgettext("language in a sentence", "Somali"),
    "om": pgettext("language in a sentence", "Oromo"),
    "es": pgettext("language in a sentence", "Spanish"),
    "pt": pgettext("language in a sentence", "Portuguese"),
    "it": pgettext("language in a sentence", "Italian"),
    "de": pgettext("language in a sentence", "German"),
    "tr": pgettext("language in a sentence", "Turkish"),
    "ku": pgettext("language in a sentence", "Kurdish"),
    "ur": pgettext("language in a sentence", "Urdu"),
    "bn": pgettext("language in a sentence", "Bengali"),
    "ta": pgettext("language in a sentence", "Tamil"),
    "sw": pgettext("language in a sentence", "Swahili"),
    "ln": pgettext("language in a sentence", "Lingala"),
    "wo": pgettext("language in a sentence", "Wolof"),
    "ff": pgettext("language in a sentence", "Fula"),
    "bm": pgettext("language in a sentence", "Bambara"),
    "ha": pgettext("language in a sentence", "Hausa"),
    "rw": pgettext("language in a sentence", "Kinyarwanda"),
    "sq": pgettext("language in a sentence", "Albanian"),
    "hy": pgettext("language in a sentence", "Armenian"),
    "ka": pgettext("language in a sentence", "Georgian"),
    "ne": pgettext("language in a sentence", "Nepali"),
    "zh": pgettext("language in a sentence", "Chinese"),
    "vi": pgettext("language in a sentence", "Vietnamese"),
    "my": pgettext("language in a sentence", "Burmese"),
    "ro": pgettext("language in a sentence", "Romanian"),
    "pl": pgettext("language in a sentence", "Polish"),
    "sr": pgettext("language in a sentence", "Serbian"),
    "mn": pgettext("language in a sentence", "Mongolian"),
    "hi": pgettext("language in a sentence", "Hindi"),
}
INTERESTS_IN_SENTENCE = {
    "cinema": pgettext("interest in a sentence", "cinema"),
    "museums": pgettext("interest in a sentence", "museums"),
    "music": pgettext("interest in a sentence", "music"),
    "concerts": pgettext("interest in a sentence", "concerts"),
    "sport": pgettext("interest in a sentence", "sport"),
    "football": pgettext("interest in a sentence", "football"),
    "swimming": pgettext("interest in a sentence", "swimming"),
    "cycling": pgettext("interest in a sentence", "cycling"),
    "walking": pgettext("interest in a sentence", "walking"),
    "nature": pgettext("interest in a sentence", "nature"),
    "gardening": pgettext("interest in a sentence", "gardening"),
    "cooking": pgettext("interest in a sentence", "cooking"),
    "reading": pgettext("interest in a sentence", "reading"),
    "theatre": pgettext("interest in a sentence", "theatre"),
    "art": pgettext("interest in a sentence", "art"),
    "crafts": pgettext("interest in a sentence", "crafts"),
    "photography": pgettext("interest in a sentence", "photography"),
    "dance": pgettext("interest in a sentence", "dance"),
    "games": pgettext("interest in a sentence", "games"),
    "history": pgettext("interest in a sentence", "history"),
    "technology": pgettext("interest in a sentence", "technology"),
    "career": pgettext("interest in a sentence", "career"),
    "languages": pgettext("interest in a sentence", "languages"),
    "volunteering": pgettext("interest in a sentence", "volunteering"),
    "travel": pgettext("interest in a sentence", "travel"),
}
# Both slots of a part of the week read better merged ("at weekends").
SLOT_PHRASES = (
    (("weekday_day", "weekday_evening"), pgettext("availability in a sentence", "on weekdays")),
    (("weekend_day", "weekend_evening"), pgettext("availability in a sentence", "at weekends")),
    (("weekday_day",), pgettext("availability in a sentence", "on weekdays during the day")),
    (("weekday_evening",), pgettext("availability in a sentence", "on weekday evenings")),
    (("weekend_day",), pgettext("availability in a sentence", "at weekends during the day")),
    (("weekend_evening",), pgettext("availability in a sentence", "on weekend evenings")),
)


def translator_for(language: str, localedir: Path = LOCALE_DIR) -> Translator:
    """Stdlib translations from the compiled catalog; if `make messages` has not
    compiled it yet, the .po is compiled in memory (same catalog, no second system)."""
    mo = localedir / language / "LC_MESSAGES" / "django.mo"
    po = mo.with_suffix(".po")
    if not mo.exists() and po.exists():
        return compile_po(po)
    return stdlib_gettext.translation(
        "django", localedir=str(localedir), languages=[language], fallback=True
    )


def compile_po(po: Path) -> stdlib_gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return stdlib_gettext.GNUTranslations(buffer)


def rounded_km(km: float) -> int:
    """The whole km a sentence says: the exact distance rounded half up, once (a
    distance rounded first to 0.1 km would read 7.49 km as "about 8 km")."""
    return math.floor(km + 0.5)


def join_words(words: Sequence[str], t: Translator) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return t.gettext("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]),
                                                  "last": words[-1]}  # fmt: skip


def pair_sentence(reasons: Sequence[tuple[str, dict]], t: Translator) -> str:
    """One sentence saying why two people were paired."""
    clauses = [c for c in (_clause(code, values, t) for code, values in reasons) if c]
    if not clauses:
        return ""
    if len(clauses) == 1:
        text = clauses[0]
    elif len(clauses) == 2:
        text = t.gettext("%(first)s and %(last)s") % {"first": clauses[0], "last": clauses[1]}
    else:
        text = t.gettext("%(clauses)s, and %(last)s") % {
            "clauses": ", ".join(clauses[:-1]),
            "last": clauses[-1],
        }
    return text[0].upper() + text[1:] + "."


def _clause(code: str, values: dict, t: Translator) -> str:
    if code == "distance":
        km = rounded_km(values["km"])
        if km < 1:
            return t.gettext("you live less than 1 km from each other")
        return t.ngettext(
            "you live about %(km)d km from each other",
            "you live about %(km)d km from each other",
            km,
        ) % {"km": km}
    if code == "languages" and values["codes"]:
        names = [_in_sentence(LANGUAGES_IN_SENTENCE, LANGUAGES, LANGUAGE_CONTEXT, c, t)
                 for c in values["codes"]]  # fmt: skip
        return t.gettext("you both speak %(languages)s") % {"languages": join_words(names, t)}
    if code == "interests" and values["codes"]:
        names = [_in_sentence(INTERESTS_IN_SENTENCE, INTERESTS, INTEREST_CONTEXT, c, t)
                 for c in values["codes"]]  # fmt: skip
        return t.gettext("you both enjoy %(interests)s") % {"interests": join_words(names, t)}
    if code == "slots" and values["codes"]:
        phrases = [t.pgettext(SLOT_CONTEXT, p) for p in _slot_phrases(values["codes"])]
        return t.gettext("you are both free %(slots)s") % {"slots": join_words(phrases, t)}
    if code == "waited":
        months = max(1, round(values["days"] / 30.4))
        return t.ngettext(
            "one of you has been waiting for %(months)d month",
            "one of you has been waiting for %(months)d months",
            months,
        ) % {"months": months}
    return ""


def _in_sentence(table: dict, choices, context: str, code: str, t: Translator) -> str:
    if code in table:
        return t.pgettext(context, table[code])
    return label(choices, code)  # a code outside the vocabulary is shown as is


def _slot_phrases(codes: Sequence[str]) -> list[str]:
    left, phrases = set(codes), []
    for slots, phrase in SLOT_PHRASES:
        if left.issuperset(slots):
            phrases.append(phrase)
            left -= set(slots)
    return phrases


def unmatched_sentence(unmatched: Unmatched, t: Translator) -> str:
    """Why this person has no partner this time."""
    values = unmatched.values
    if unmatched.reason == "no_one_in_reach":
        km = values.get("nearest_km")
        if km is None:
            return t.gettext("Nobody on the other side lives within reach.")
        km = max(1, rounded_km(km))
        return t.ngettext(
            "Nobody on the other side lives within reach: the nearest lives about %(km)d km away.",
            "Nobody on the other side lives within reach: the nearest lives about %(km)d km away.",
            km,
        ) % {"km": km}
    if unmatched.reason == "no_shared_language":
        return t.gettext(
            "Nobody within reach speaks one of your languages at conversational level or better."
        )
    if unmatched.reason == "gender_preference":
        return t.gettext(
            "Everyone within reach who shares a language with you is ruled out by a "
            "partner-gender preference, yours or theirs."
        )
    if unmatched.reason == "excluded":
        return t.gettext(
            "Every possible partner was ruled out: refused by staff, declined, or a former duo."
        )
    count = int(values.get("feasible", 0))
    return t.ngettext(
        "Your only possible partner was needed for someone else.",
        "All %(count)d of your possible partners were needed for other people.",
        count,
    ) % {"count": count}


def score_sentence(certificate: dict, total: int, t: Translator) -> str:
    """What a run proved about its total score (a `Certificate` as a dict); "" if
    nothing (a run stored before bounds were proved)."""
    if certificate.get("score_exact"):
        return t.gettext("The total score, %(total)d, is the best possible (proved).") % {
            "total": total
        }
    bound = certificate.get("score_bound")
    if not bound:
        return ""
    gap = max(0.0, 100.0 * (1 - total / bound))
    return t.gettext(
        "The total score, %(total)d, is at most %(gap).2f%% below the best possible "
        "(proved bound: %(bound)d)."
    ) % {"total": total, "gap": gap, "bound": bound}


REASON_LABELS = {
    "no_one_in_reach": _("nobody within reach"),
    "no_shared_language": _("no shared language"),
    "gender_preference": _("gender preference"),
    "excluded": _("every partner excluded"),
    "partners_needed_elsewhere": _("partners needed elsewhere"),
}
CRITERION_LABELS = {
    "distance": _("closeness"),
    "interests": _("shared interests"),
    "availability": _("shared availability"),
    "language": _("shared language level"),
    "age": _("age closeness"),
    "waiting": _("waiting time"),
}
