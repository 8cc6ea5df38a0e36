"""The weekly goal: three suggestions to choose from, one chosen.

A goal the person picks is one they own, and three is enough choice without a long
list to read (docs/CLINICAL.md, "The coaching programme": users want a clear idea of
what is expected, and fewer things at the start). The goals are content; this module
gets their ids and rotates through them week by week, never offering last week's goal
again straight away.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from flows.programme.library import rotated
from flows.programme.records import WeeklyGoal
from flows.programme.state import ProgrammeState, evolve

SUGGESTIONS: Final = 3


def suggest_goals(goal_ids: Sequence[str], state: ProgrammeState, week: int) -> tuple[str, ...]:
    """Three goal ids for ``week``, rotating through ``goal_ids`` so each week offers
    different ones; the goal of the week before is left out."""
    last = state.goal.goal if state.goal is not None and state.goal.week != week else None
    pool = [goal for goal in dict.fromkeys(goal_ids) if goal != last]
    return tuple(rotated(pool, (week - 1) * SUGGESTIONS)[:SUGGESTIONS])


def choose_goal(
    state: ProgrammeState, week: int, goal_id: str, offered: Sequence[str]
) -> ProgrammeState:
    """The state with ``goal_id`` as the goal of ``week``; it must be one offered."""
    if goal_id not in offered:
        raise ValueError(f"goal {goal_id!r} was not one of the suggestions")
    return evolve(state, goal=WeeklyGoal(week, goal_id))


def goal_of_week(state: ProgrammeState, week: int) -> str | None:
    """This week's goal, or None when none was chosen for it yet."""
    return state.goal.goal if state.goal is not None and state.goal.week == week else None
