"""/exercise: guided exercises, logged when they end; graded walking keeps its level."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.consent import has_current_consent
from bot.conversation.registry import Wiring
from bot.features import caution
from bot.features.common import require_consent, today
from data.turn import Turn
from flows import caution as cn
from flows.exercises.facts import ExerciseFinished
from flows.exercises.flow import ExerciseFlow
from flows.exercises.state import QUICK_STARTS
from flows.exercises.walking import WALK_ID, days_before


def history(tx: Turn) -> dict[str, Any]:
    # Only graded walks count: the activity people tell the coach about is logged under
    # its own name and never moves the walking plan.
    level, starts = tx.walking_progress(WALK_ID)
    zone = ZoneInfo(tx.user.timezone)
    days = days_before((start.astimezone(zone).date() for start in starts), today(tx))
    return {
        "walking_level": level,
        "walking_days_at_level": days,
        # Exercises are open without consent; then nothing about them is stored.
        "keeps_log": has_current_consent(tx.user),
        **caution.history(tx),
    }


def record_finished(tx: Turn, fact: ExerciseFinished) -> None:
    # One row per exercise, written when it ends: a walk stopped early does not count
    # towards the next graded-walking step.
    require_consent(tx)
    tx.log_exercise(
        fact.exercise_id, finished=fact.completed, rating_after=fact.rating_after, level=fact.level
    )


def register(wiring: Wiring) -> None:
    flow = ExerciseFlow()
    wiring.add_flow(flow, title="common.flows.exercise", history=history)
    wiring.add_command_flow("exercise", flow.name)
    # After "not yet" on the plan: the calm exercises, without asking about the doctor again.
    wiring.add_command_flow(cn.CALM_COMMAND, flow.name, history={"caution_answered": True})
    for command, exercise_id in QUICK_STARTS.items():
        wiring.add_command_flow(command, flow.name, history={"exercise_id": exercise_id})
    wiring.add_recorder(ExerciseFinished, record_finished)
