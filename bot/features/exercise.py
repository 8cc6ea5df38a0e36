"""/exercise: guided exercises, logged when they end; graded walking keeps its level."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation import Wiring
from bot.features import caution
from bot.features.common import has_current_consent, require_consent, today
from data.turn import Turn
from flows import caution as cn
from flows import exercises


def history(tx: Turn) -> dict[str, Any]:
    # Only graded walks count: the activity people tell the coach about is logged under
    # its own name and never moves the walking plan.
    level, starts = tx.walking_progress(exercises.WALK_ID)
    zone = ZoneInfo(tx.user.timezone)
    days = exercises.days_before((start.astimezone(zone).date() for start in starts), today(tx))
    return {
        "walking_level": level,
        "walking_days_at_level": days,
        # Exercises are open without consent; then nothing about them is stored.
        "keeps_log": has_current_consent(tx),
        **caution.history(tx),
    }


def record_finished(tx: Turn, fact: exercises.ExerciseFinished) -> None:
    # One row per exercise, written when it ends: a walk stopped early does not count
    # towards the next graded-walking step.
    require_consent(tx)
    tx.log_exercise(
        fact.exercise_id, finished=fact.completed, rating_after=fact.rating_after, level=fact.level
    )


def register(wiring: Wiring) -> None:
    flow = exercises.ExerciseFlow()
    wiring.flows.add(flow)
    wiring.command_flows["exercise"] = flow.name
    # After "not yet" on the plan: the calm exercises, without asking about the doctor again.
    wiring.command_flows[cn.CALM_COMMAND] = flow.name
    wiring.command_history[cn.CALM_COMMAND] = {"caution_answered": True}
    for command, exercise_id in exercises.QUICK_STARTS.items():
        wiring.command_flows[command] = flow.name
        wiring.command_history[command] = {"exercise_id": exercise_id}
    wiring.history[flow.name] = history
    wiring.record(exercises.ExerciseStarted, lambda tx, fact: None)
    wiring.record(exercises.ExerciseFinished, record_finished)
