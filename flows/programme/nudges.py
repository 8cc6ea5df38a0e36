"""Which wording a message uses, so that no nudge text repeats within 14 days.

The same message loses its effect over time while varied ones keep it
(docs/CLINICAL.md, "The coaching programme"). The texts are content; this module gets
their keys and picks the one used longest ago (never-used keys first, in the order
given), skipping any used in the last 14 days. A pool must therefore hold at least
:data:`MIN_POOL` keys when it feeds a daily message and its follow-up every day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

from flows.programme.records import Shown
from flows.programme.state import ProgrammeState, evolve

NO_REPEAT_DAYS: Final = 14
MIN_POOL: Final = 2 * NO_REPEAT_DAYS
"""Two messages a day (the daily one and its follow-up) for 14 days."""


def window_start(today: date) -> date:
    """The first of the 14 days up to today: a key last used on it or later is recent
    (one used 14 days ago is free again). Comparing dates with it is cheaper than a
    difference for every entry, and every message reads the log twice."""
    return date.fromordinal(max(1, today.toordinal() - NO_REPEAT_DAYS + 1))


def pick_nudge(keys: Sequence[str], state: ProgrammeState, today: date) -> str | None:
    """The least recently used key not used in the last 14 days, or None when every key
    was (a pool that small is a content bug the catalogue test catches).

    One pass over the log and at most one over the pool, since it runs for every
    message of every person: a key is recent exactly when the last day it was used is,
    and the first key the log does not hold is the answer at once."""
    last_used: dict[str, date] = {}
    for shown in state.nudges:
        if shown.day > last_used.get(shown.key, date.min):
            last_used[shown.key] = shown.day
    since = window_start(today)
    best: str | None = None
    best_day = since
    for key in keys:
        day = last_used.get(key)
        if day is None:
            return key  # never used (or not for longer than the log keeps): first
        if day < best_day:  # free (before the window), and used longest ago so far
            best, best_day = key, day
    return best


def nudges_after(state: ProgrammeState, key: str, today: date) -> tuple[Shown, ...]:
    """The nudge log once ``key`` was sent today; keys older than the window are
    dropped, so the list never grows beyond two weeks of messages."""
    since = window_start(today)
    return (*(shown for shown in state.nudges if shown.day >= since), Shown(key, today))


def record_nudge(state: ProgrammeState, key: str, today: date) -> ProgrammeState:
    """The state after ``key`` was sent (:func:`nudges_after`)."""
    return evolve(state, nudges=nudges_after(state, key, today))
