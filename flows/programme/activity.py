"""The day's walking goal: graded by plan from the person's own first week.

Graded activity starts from a baseline of what someone manages on an average day (not
a good one) and sets quotas at about 70% of it, then raises them on a fixed schedule,
about 10% a week, whatever the pain of the day (docs/CLINICAL.md, "The coaching
programme"). So week 1 only asks how many minutes were walked; from week 2 the quota
follows the plan. On amber days the quota is about a quarter less, and during a
flare-up short walks replace it: moving gently helps more than rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from flows.exercises.walking import WALK_MAX_MINUTES
from flows.programme.calendar import PROGRAMME_WEEKS, Position, week_dates
from flows.programme.records import SessionRecord
from flows.programme.state import ProgrammeState, evolve

BASELINE_SHARE: Final = 0.70
WEEKLY_RISE: Final = 0.10
AMBER_SHARE: Final = 0.75
"""Amber days: about 25% less walking, and about 25% less exercise (the plan uses it too)."""
SHORT_WALK_MINUTES: Final = 5
"""A flare-up day's walks: a few minutes at a time."""
DEFAULT_BASELINE: Final = 10
"""The baseline when the first week brought no walking minutes at all: a short daily
walk, so the first quota (7 minutes) is one almost anyone manages."""


@dataclass(frozen=True)
class ActivityGoal:
    """Minutes to walk today; None in week 1, when the minutes are only noted
    (``baseline_week``). ``short_walks`` marks a flare-up day."""

    minutes: int | None
    baseline_week: bool = False
    short_walks: bool = False


def first_week_average(state: ProgrammeState, sessions: Iterable[SessionRecord]) -> int | None:
    """The average daily walk noted in programme week 1 (rounded), or None."""
    week_one = set(week_dates(state, 1, date.max))
    noted = [s.walk_minutes for s in sessions if s.day in week_one and s.walk_minutes is not None]
    return half_up(sum(noted) / len(noted)) if noted else None


def settle_baseline(
    state: ProgrammeState, sessions: Iterable[SessionRecord], where: Position
) -> ProgrammeState:
    """From week 2 on, the state with its baseline fixed (once; it never moves again,
    so the plan rises by schedule and not with a good or bad week)."""
    if where.week < 2 or state.walk_baseline is not None:
        return state
    average = first_week_average(state, sessions)
    return evolve(state, walk_baseline=max(1, average or DEFAULT_BASELINE))


def quota(baseline: int, week: int) -> int:
    """The planned minutes in ``week`` (2 or later): 70% of the baseline in week 2,
    then about 10% more each week; maintenance keeps week 12's quota. At least 1
    minute and at most an hour, the ceiling of graded walking."""
    steps = min(max(week, 2), PROGRAMME_WEEKS) - 2
    planned = baseline * BASELINE_SHARE * (1 + WEEKLY_RISE) ** steps
    return max(1, min(WALK_MAX_MINUTES, half_up(planned)))


def activity_goal(state: ProgrammeState, where: Position, zone: str, flare: bool) -> ActivityGoal:
    """Today's goal for a day in ``zone`` (green, amber or red)."""
    planned = None if state.walk_baseline is None else quota(state.walk_baseline, where.week)
    if flare:
        return ActivityGoal(
            min(SHORT_WALK_MINUTES, planned or SHORT_WALK_MINUTES), short_walks=True
        )
    if planned is None:
        return ActivityGoal(None, baseline_week=True)
    if zone == "amber":
        return ActivityGoal(max(1, half_up(planned * AMBER_SHARE)))
    return ActivityGoal(planned)


def half_up(value: float) -> int:
    """Half up, as people round (Python's round() sends 2.5 to 2)."""
    return int(value + 0.5)
