"""The single list of codes used by the engine, the CLI and the app's forms.

Labels are English msgids marked with a no-op `_` so that xgettext and Django's
makemessages collect them; they are translated at render time by whatever
translator object is passed in (stdlib gettext in the CLI, Django in the app).
"""

from __future__ import annotations


def _(message: str) -> str:
    """Mark a string for translation without translating it (gettext_noop)."""
    return message


# Ordered from weakest to strongest; only the last three count for feasibility.
LEVELS: tuple[tuple[str, str], ...] = (
    ("basic", _("basic")),
    ("conversational", _("conversational")),
    ("fluent", _("fluent")),
    ("native", _("native")),
)
LEVEL_CODES: tuple[str, ...] = tuple(code for code, _label in LEVELS)
SHARED_LEVELS: tuple[str, ...] = ("conversational", "fluent", "native")

SLOTS: tuple[tuple[str, str], ...] = (
    ("weekday_day", _("weekdays, daytime")),
    ("weekday_evening", _("weekday evenings")),
    ("weekend_day", _("weekends, daytime")),
    ("weekend_evening", _("weekend evenings")),
)
SLOT_CODES: tuple[str, ...] = tuple(code for code, _label in SLOTS)

INTERESTS: tuple[tuple[str, str], ...] = (
    ("cinema", _("cinema")),
    ("museums", _("museums")),
    ("music", _("music")),
    ("concerts", _("concerts")),
    ("sport", _("sport")),
    ("football", _("football")),
    ("swimming", _("swimming")),
    ("cycling", _("cycling")),
    ("walking", _("walking")),
    ("nature", _("nature")),
    ("gardening", _("gardening")),
    ("cooking", _("cooking")),
    ("reading", _("reading")),
    ("theatre", _("theatre")),
    ("art", _("art")),
    ("crafts", _("crafts")),
    ("photography", _("photography")),
    ("dance", _("dance")),
    ("games", _("games")),
    ("history", _("history")),
    ("technology", _("technology")),
    ("career", _("career")),
    ("languages", _("languages")),
    ("volunteering", _("volunteering")),
    ("travel", _("travel")),
)
INTEREST_CODES: tuple[str, ...] = tuple(code for code, _label in INTERESTS)

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("fr", _("French")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("fa", _("Persian")),
    ("prs", _("Dari")),
    ("ps", _("Pashto")),
    ("uk", _("Ukrainian")),
    ("ru", _("Russian")),
    ("ti", _("Tigrinya")),
    ("am", _("Amharic")),
    ("so", _("Somali")),
    ("om", _("Oromo")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("it", _("Italian")),
    ("de", _("German")),
    ("tr", _("Turkish")),
    ("ku", _("Kurdish")),
    ("ur", _("Urdu")),
    ("bn", _("Bengali")),
    ("ta", _("Tamil")),
    ("sw", _("Swahili")),
    ("ln", _("Lingala")),
    ("wo", _("Wolof")),
    ("ff", _("Fula")),
    ("bm", _("Bambara")),
    ("ha", _("Hausa")),
    ("rw", _("Kinyarwanda")),
    ("sq", _("Albanian")),
    ("hy", _("Armenian")),
    ("ka", _("Georgian")),
    ("ne", _("Nepali")),
    ("zh", _("Chinese")),
    ("vi", _("Vietnamese")),
    ("my", _("Burmese")),
    ("ro", _("Romanian")),
    ("pl", _("Polish")),
    ("sr", _("Serbian")),
    ("mn", _("Mongolian")),
    ("hi", _("Hindi")),
)
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _label in LANGUAGES)

GENDERS: tuple[tuple[str, str], ...] = (
    ("woman", _("woman")),
    ("man", _("man")),
    ("other", _("other")),
)
GENDER_CODES: tuple[str, ...] = tuple(code for code, _label in GENDERS)

# "" and "any" both accept everyone.
PARTNER_GENDERS: tuple[tuple[str, str], ...] = (
    ("any", _("any")),
    ("woman", _("a woman")),
    ("man", _("a man")),
)
PARTNER_GENDER_CODES: tuple[str, ...] = tuple(code for code, _label in PARTNER_GENDERS)


def label(choices: tuple[tuple[str, str], ...], code: str) -> str:
    """The untranslated English label of `code`, or the code itself if unknown."""
    return dict(choices).get(code, code)
