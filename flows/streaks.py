"""Pure helpers for daily check-ins: local days, streaks, averages and typed scores.

A "day" for a user is always their *local* calendar day (their IANA zone at the instant
of the check-in), never the UTC date: someone checking in at 00:30 in Brussels in summer
is at 22:30 UTC the day before, and must not break their streak for it. Everything here
is a plain function over plain values so the check-in flow, the weekly summary and the
tests can share one definition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

SCORE_MIN = 0
SCORE_MAX = 10
AVERAGE_WINDOW_DAYS = 7
MIN_AVERAGE_DAYS: Final = 3
"""Days with a check-in needed before the feedback compares with the average."""

# Long inputs are rejected before any normalising work: a score is at most "10 / 10".
_MAX_SCORE_TEXT = 20
_SCORE_RE = re.compile(r"(\d{1,2})(?:\s*/\s*10)?", re.ASCII)


def local_day(now_utc: datetime, tz: str | tzinfo) -> date:
    """The user's local calendar day at the aware instant ``now_utc``.

    A naive datetime is refused: guessing its zone is exactly the bug this avoids.
    """
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ValueError("local_day needs an aware datetime")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return now_utc.astimezone(zone).date()


def current_streak(days: Iterable[date], today: date) -> int:
    """Consecutive local days with a check-in, counting back from ``today``.

    If today has no check-in yet the streak is not broken: it counts back from
    yesterday, so the morning before checking in still shows yesterday's streak.
    Duplicates and days after ``today`` are ignored.
    """
    done = set(days)
    anchor = today if today in done else today - timedelta(days=1)
    streak = 0
    while anchor in done:
        streak += 1
        anchor -= timedelta(days=1)
    return streak


def parse_day(value: object) -> date | None:
    """An ISO ``YYYY-MM-DD`` string (or a date) as a date; None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def valid_score(value: object) -> int | None:
    """``value`` if it is a real int in 0..10 (bools excluded), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if SCORE_MIN <= value <= SCORE_MAX else None


def pains_by_day(recent: Iterable[Mapping[str, Any]]) -> dict[date, int]:
    """Pain per local day from history rows, skipping malformed rows; the last row wins.

    History comes from the database through the bot, but a flow must never crash on
    it, so a row without a valid day or pain score is simply left out.
    """
    pains: dict[date, int] = {}
    for row in recent:
        if not isinstance(row, Mapping):
            continue
        day = parse_day(row.get("local_day"))
        pain = valid_score(row.get("pain"))
        if day is not None and pain is not None:
            pains[day] = pain
    return pains


def seven_day_average(recent: Iterable[Mapping[str, Any]], today: date) -> float | None:
    """Mean pain over the 7 local days before ``today`` (today itself excluded).

    ``recent`` rows look like ``{"local_day": "YYYY-MM-DD", "pain": int, ...}``. Days
    without a check-in are not counted as zero; they are just absent. None when fewer
    than :data:`MIN_AVERAGE_DAYS` days in the window have one: "your 7-day average"
    of a single day would be a misleading thing to say.
    """
    start = today - timedelta(days=AVERAGE_WINDOW_DAYS)
    window = [pain for day, pain in pains_by_day(recent).items() if start <= day < today]
    if len(window) < MIN_AVERAGE_DAYS:
        return None
    return sum(window) / len(window)


def parse_score(text: str) -> int | None:
    """A 0-10 score typed by a user, or None.

    Accepts "6", " 6 ", "06", "6/10", "6 / 10" and full-width or other Unicode decimal
    digits ("６"), because people type on phones in many keyboards. Refuses everything
    else, including "11", "-1", "6.5" and "six": a wrong score is worse than asking again.
    """
    if len(text) > _MAX_SCORE_TEXT * 4:
        return None
    normalised = unicodedata.normalize("NFKC", text).strip()
    if len(normalised) > _MAX_SCORE_TEXT:
        return None
    ascii_digits = "".join(_ascii_digit(char) for char in normalised)
    match = _SCORE_RE.fullmatch(ascii_digits)
    if match is None:
        return None
    score = int(match.group(1))
    return score if SCORE_MIN <= score <= SCORE_MAX else None


def _ascii_digit(char: str) -> str:
    """Map any Unicode decimal digit (Arabic-Indic, Devanagari...) to its ASCII digit."""
    if char.isascii():
        return char
    digit = unicodedata.decimal(char, None)
    return str(digit) if digit is not None else char
