"""Graded walking: the one exercise with memory, and its rules.

It starts from a baseline the user can manage on a bad day and goes up by plan
(:func:`next_walking_level`), per day and never by the pain of the day. The planned
minutes are the whole walk, half out and half back, and at the end the user says how
long the walk really was: a walk is only counted at the minutes walked, never at the
plan because "Next" was tapped. The bot passes the walking level back to the flow in
``ctx.history``; these rules never look anything up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

WALK_ID = "graded_walk"
WALK_BASELINES: tuple[int, ...] = (3, 5, 10, 15, 20)
WALK_MIN_MINUTES = 1
WALK_MAX_MINUTES = 60
"""A walk longer than an hour is no longer a small planned step; the plan stops there."""
BASELINE_VALUES: tuple[str, ...] = tuple(str(minutes) for minutes in WALK_BASELINES)
DAYS_BEFORE_RAISE = 3
"""Days with a finished walk at one level before the plan proposes the next step ("every
few days", docs/CLINICAL.md). Days, not walks: three walks in a row are one day's effort."""

_TYPED_TEXT_LIMIT = 40
_MINUTES_RE = re.compile(r"(\d{1,3})\s*(?:m|min|mins|minutes?)?\.?", re.ASCII | re.IGNORECASE)


def next_walking_level(current: int, days_at_level: int) -> int:
    """Today's planned walk in minutes, given the current level and the earlier days
    (before today) with a finished walk at it.

    By plan, not by pain: after :data:`DAYS_BEFORE_RAISE` such days, add about 10%
    (rounded half up, at least 1 minute); before that, stay. Today's own walks never
    count, so a second walk the same day never steps up. The plan stops growing at
    :data:`WALK_MAX_MINUTES`. Levels outside 1-60 or negative counts are bugs in the
    caller and raise ValueError.
    """
    if walk_minutes(current) is None:
        raise ValueError(f"current must be an int {WALK_MIN_MINUTES}-{WALK_MAX_MINUTES}")
    if isinstance(days_at_level, bool) or not isinstance(days_at_level, int) or days_at_level < 0:
        raise ValueError("days_at_level must be an int >= 0")
    if days_at_level < DAYS_BEFORE_RAISE:
        return current
    step = max(1, (current + 5) // 10)
    return min(WALK_MAX_MINUTES, current + step)


def days_before(walk_days: Iterable[date], today: date) -> int:
    """How many distinct local days before ``today`` had a finished walk: the count the
    plan steps up by (several walks on one day are one day; today is still going on)."""
    return len({day for day in walk_days if day < today})


def walk_durations(planned: int) -> tuple[int, ...]:
    """The answers to "how long did you walk?": the plan, then about three quarters, half
    and a quarter of it (rounded, at least 1 minute), longest first, each minute once."""
    parts = {max(1, (planned * quarters + 2) // 4) for quarters in (3, 2, 1)}
    return tuple(sorted({planned, *parts}, reverse=True))


def half_walk(minutes: int) -> str:
    """Half of the planned minutes, the way out: "6", or "2½" for an odd plan."""
    whole, odd = divmod(minutes, 2)
    return f"{whole or ''}½" if odd else str(whole)


def a_bit_less(current: int) -> int:
    """The "a bit less today" option: about 10% less, at least 1 minute less, never 0."""
    return max(WALK_MIN_MINUTES, current - max(1, (current + 5) // 10))


def walk_minutes(value: object) -> int | None:
    """``value`` if it is a real int from 1 to 60 (bools excluded), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if WALK_MIN_MINUTES <= value <= WALK_MAX_MINUTES else None


def history_level(value: object) -> int | None:
    """A walking level from history; a stored level above the plan's cap is capped."""
    if isinstance(value, int) and not isinstance(value, bool) and value > WALK_MAX_MINUTES:
        return WALK_MAX_MINUTES
    return walk_minutes(value)


def history_days(value: object) -> int:
    """A count of walking days from history or a saved state; junk counts as none."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return min(value, 10_000)


def parse_minutes(text: str) -> int | None:
    """Minutes typed for the walking baseline ("7", " 7 min", "１０"), 1-60, or None."""
    if len(text) > _TYPED_TEXT_LIMIT:
        return None
    normalised = unicodedata.normalize("NFKC", text).strip()
    match = _MINUTES_RE.fullmatch(normalised)
    if match is None:
        return None
    return walk_minutes(int(match.group(1)))
