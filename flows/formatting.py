"""Numbers and dates in the user's language (Babel): "5.2" in English, "5,2" in Dutch,
French and German; "Tue 24 Nov" / "di 24 nov"."""

from __future__ import annotations

from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal as babel_format_decimal

FALLBACK_LOCALE = "en"


def locale_for(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


def format_decimal(value: float, language: str) -> str:
    """A score with one decimal in the user's language."""
    return str(babel_format_decimal(value, format="0.0", locale=locale_for(language)))


def format_day(day: date, language: str) -> str:
    """A short local date such as "Tue 24 Nov"."""
    return str(format_date(day, format="EEE d MMM", locale=locale_for(language)))
