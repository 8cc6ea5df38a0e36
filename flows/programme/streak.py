"""The weekly streak: "3 of 7 days" this week and weeks in a row that reached 3.

An all-or-nothing daily streak punishes one missed day and is a reason to give up;
a weekly count rewards coming back, and 3 sessions a week is what the best programmes
count as keeping up (docs/CLINICAL.md, "The coaching programme"). Pauses freeze the
streak because paused days are not in any programme week (see
:mod:`flows.programme.calendar`); a flare-up freezes it because a week with flare-up
days that fell short neither counts nor breaks the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from flows.programme.calendar import WEEK_DAYS, position, week_dates
from flows.programme.flare import flare_days
from flows.programme.records import SessionRecord
from flows.programme.state import ProgrammeState

WEEKLY_TARGET: Final = 3


@dataclass(frozen=True)
class WeekStreak:
    """``done`` of ``days`` this week ("3 of 7 days"), ``frozen`` flare-up days in it,
    and ``weeks`` in a row (this one included once it reached the target)."""

    done: int
    days: int
    frozen: int
    weeks: int


def session_days(sessions: Iterable[SessionRecord]) -> frozenset[date]:
    """Days whose exercise block (or flare-up routine) was done: what the streak counts."""
    return frozenset(s.day for s in sessions if "exercises" in s.parts)


def weekly_streak(
    state: ProgrammeState, sessions: Iterable[SessionRecord], today: date
) -> WeekStreak:
    done_days = session_days(sessions)
    flared = flare_days(state, today)
    week = position(state, today).week
    current = week_dates(state, week, today)
    done = sum(day in done_days for day in current)
    frozen = sum(day in flared for day in current)
    weeks = 1 if done >= WEEKLY_TARGET else 0
    for earlier in range(week - 1, 0, -1):
        dates = week_dates(state, earlier, today)
        if sum(day in done_days for day in dates) >= WEEKLY_TARGET:
            weeks += 1
        elif not any(day in flared for day in dates):
            break
    return WeekStreak(done, WEEK_DAYS, frozen, weeks)
