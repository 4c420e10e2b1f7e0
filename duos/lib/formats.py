"""Dates, times and numbers written the way the active language writes them (Babel's CLDR data).

Django's own formats miss Pashto (no locale data) and its fixed patterns ("l j F") put French
word order everywhere; these follow the active language: call them inside the recipient's
translation.override for an email. Digits stay Latin (0-9), as the catalogs write them.
"""

from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.utils import timezone, translation

# A Django language code -> the CLDR locale that reads right to its readers: English as written
# in Europe (14/03/2026), Dari and Pashto as written in Afghanistan (months مارچ, not مارس).
BABEL_LOCALES = {"en": "en_GB", "fa": "fa_AF", "ps": "ps_AF"}
DATE_STYLES = ("short", "medium", "long", "full")


def babel_locale(language: str | None = None) -> Locale:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    try:
        return Locale.parse(BABEL_LOCALES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(settings.LANGUAGE_CODE)


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_day(value: date | datetime | None, style: str = "long") -> str:
    """A date: "short" 14/03/2026, "medium" 14 mars 2026, "long", "full" samedi 14 mars 2026."""
    if not value:
        return ""
    day = _local(value)
    if isinstance(day, datetime):
        day = day.date()
    return babel_dates.format_date(day, format=style, locale=babel_locale())


def format_clock(value: datetime | None) -> str:
    """The time of day, hours and minutes (18:30, or 6:30 م in Arabic)."""
    if not value:
        return ""
    return babel_dates.format_time(_local(value), format="short", locale=babel_locale())


def format_moment(value: datetime | None, style: str = "short") -> str:
    """A date (in `style`) and its time, joined as the language joins them."""
    if not value:
        return ""
    locale = babel_locale()
    pattern = str(locale.datetime_formats.get(style, "{1} {0}")).replace("'", "")
    return pattern.format(format_clock(value), format_day(value, style))


def format_number(value, decimals: int | None = None) -> str:
    """1 234,5 in French, 1,234.5 in English; `decimals` fixes the digits after the point."""
    if value is None or value == "":
        return ""
    pattern = None if decimals is None else f"#,##0{'.' + '0' * decimals if decimals else ''}"
    return babel_numbers.format_decimal(value, format=pattern, locale=babel_locale())
