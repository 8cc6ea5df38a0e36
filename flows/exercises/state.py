"""The exercise flow's vocabulary: its steps, its button values, the commands that open
it and how its saved state is read, shared by the step handlers
(:mod:`flows.exercises.flow`), the screens (:mod:`flows.exercises.screens`) and the
features that offer an exercise, which must all agree on them.

A saved state may come from an older version or older content, so every reader here
turns junk into a safe default instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows import caution as cn
from flows.exercises.library import CALM_CATEGORIES, CATEGORIES, Exercise
from flows.exercises.walking import (
    WALK_BASELINES,
    a_bit_less,
    history_days,
    next_walking_level,
    walk_minutes,
)
from flows.runtime import FlowState
from flows.streaks import SCORE_MAX, SCORE_MIN

NAME = "exercise"

BREATHE_COMMAND = "breathe"
GENTLE_MOVE_COMMAND = "move_gently"
QUICK_STARTS: Mapping[str, str] = {
    BREATHE_COMMAND: "slow_breath",
    GENTLE_MOVE_COMMAND: "move_break",
}
"""Commands that open one exercise straight away: the buttons other features offer (the
check-in's answer to high stress or pain) stay valid after their own flow has ended."""


# Steps of the flow.
MENU = "menu"
CATEGORY = "category"
WALK_BASE = "walk_base"
WALK_LEVEL = "walk_level"
GUIDE = "guide"
WALK_DONE = "walk_done"
RATE = "rate"
CAUTION = cn.STEP
STEPS: tuple[str, ...] = (MENU, CATEGORY, WALK_BASE, WALK_LEVEL, GUIDE, WALK_DONE, RATE, CAUTION)

# Button values (short ASCII: they travel in Telegram callback_data).
NEXT = "next"
STOP = "stop"
BACK = "back"
CLOSE = "close"
SKIP = "skip"
UP = "up"
SAME = "same"
LESS = "less"
LONGER = "longer"
NOT_WALKED = "none"
SCORE_VALUES: tuple[str, ...] = tuple(str(n) for n in range(SCORE_MIN, SCORE_MAX + 1))


def categories(library: Mapping[str, Exercise], state: FlowState) -> list[str]:
    """Categories that have at least one exercise, in menu order; only the calm ones
    while a caution is open."""
    present = {ex.category for ex in library.values()}
    if caution(state) is not None:
        present &= set(CALM_CATEGORIES)
    return [category for category in CATEGORIES if category in present]


def step_index(state: FlowState, exercise: Exercise) -> int:
    """The saved step index, clamped into range (a state from older content)."""
    index = state.answers.get("index")
    if isinstance(index, bool) or not isinstance(index, int):
        return 0
    return max(0, min(index, len(exercise.steps) - 1))


def kept_from_start(state: FlowState) -> dict[str, Any]:
    """What start copied from history (the walk so far, an open caution, whether
    anything is kept)."""
    return {
        "walk_prev": walk_minutes(state.answers.get("walk_prev")),
        "walk_days": history_days(state.answers.get("walk_days")),
        "caution": state.answers.get("caution"),
        "keep": keeps(state),
    }


def walk_plan(state: FlowState) -> tuple[int, int, int]:
    """(previous level, earlier days walked at it, today's planned level)."""
    prev = walk_minutes(state.answers.get("walk_prev")) or WALK_BASELINES[0]
    days = history_days(state.answers.get("walk_days"))
    return prev, days, next_walking_level(prev, days)


def walk_options(state: FlowState) -> dict[str, int]:
    """Today's choices (button value: minutes): up by plan when due, the same, a bit less."""
    prev, _, planned = walk_plan(state)
    options = {UP: planned} if planned > prev else {}
    options[SAME] = prev
    if a_bit_less(prev) < prev:
        options[LESS] = a_bit_less(prev)
    return options


def keeps(state: FlowState) -> bool:
    """Whether this exercise is logged (the user agreed to storing data); a state saved
    before the flag existed belonged to a consenting user."""
    return state.answers.get("keep") is not False


def caution(state: FlowState) -> cn.Caution | None:
    """The advice to see a doctor that still stands, if any (only calm exercises then)."""
    return cn.Caution.of(state.answers.get("caution"))
