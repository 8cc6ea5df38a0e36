"""Numbers, dates and times in the user's language (Babel): "5.2" in English, "5,2" in
Dutch, French and German; "Tue 24 Nov" / "di 24 nov" / "Di., 24. Nov."; "3 November 2026";
"09:30".

The one way the bot writes a date or a time for a person: CLDR's pattern for each
language, never a month list in the content or ``strftime`` (which speaks the server's
locale, not the user's).
"""

from __future__ import annotations

from datetime import date, time

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, get_timezone_location
from babel.numbers import format_decimal as babel_format_decimal
from babel.numbers import get_decimal_symbol

FALLBACK_LOCALE = "en_GB"


REGIONAL_LOCALES = {"en": FALLBACK_LOCALE}
"""English as written in Europe, where the users are ("Wed 23 Dec", not "Wed, Dec 23")."""


def locale_for(language: str) -> Locale:
    language = REGIONAL_LOCALES.get(language, language)
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def format_decimal(value: float, language: str) -> str:
    """A score with one decimal in the user's language."""
    return str(babel_format_decimal(value, format="0.0", locale=locale_for(language)))


def format_day(day: date, language: str) -> str:
    """A short local date as each language writes it: "Tue 24 Nov", "di 24 nov",
    "mar. 24 nov.", "Di., 24. Nov." (CLDR's pattern, not one pattern for all)."""
    return str(format_skeleton("MMMEd", day, locale=locale_for(language)))


def format_long_date(day: date, language: str) -> str:
    """A date with its year, the month written out: "3 November 2026", "3 november 2026",
    "3 novembre 2026", "3. November 2026"."""
    return str(format_skeleton("yMMMMd", day, locale=locale_for(language)))


def format_time(at: time | str, language: str) -> str:
    """A time of day (a ``time`` or ``"HH:MM"``) on the 24-hour clock, as the language
    writes it: "09:30" in all four languages today (CLDR's ``HH:mm``)."""
    value = time.fromisoformat(at) if isinstance(at, str) else at
    return str(format_skeleton("Hm", value.replace(tzinfo=None), locale=locale_for(language)))


def zone_name(zone: str, language: str) -> str:
    """A time zone as its city in the user's language ("Brussel", "Bruxelles", "Brüssel")
    for buttons: people recognise their city, not the tz database's English spelling."""
    try:
        return str(get_timezone_location(zone, locale=locale_for(language), return_city=True))
    except LookupError:
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def list_separator(language: str) -> str:
    """The CSV column separator spreadsheets expect in this language: ';' where ',' is
    the decimal mark (Belgium, France, Germany), ',' otherwise."""
    return ";" if get_decimal_symbol(locale_for(language)) == "," else ","
