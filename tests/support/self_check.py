"""Answers to the self-check shared by the tests of every layer: a calm profile, a
retake with stress a little raised, the office worker's scores, and the presses that
give an answer (a multiple choice is its picks and "done", or "none")."""

from __future__ import annotations

from typing import Any

from flows.pain_test_questions import Step

OFFICE_WORKER: dict[str, Any] = {
    # The profile of issue 14: sits at work, posture, some stress, pain for months; its
    # default plan is 13 pushes a weekday, more than the daily limit lets through.
    "physical_factors": ["long_sitting", "posture"],
    "worse_with": ["sitting"],
    "pss4": 9,
    "stress_role": "some",
    "duration": "chronic",
    "risk": "medium",
}
"""Self-check scores (as stored), not answers: what the plan and the pacing read."""

CALM: dict[str, Any] = {
    "red_emergency": [],
    "red_sameday": [],
    "where": ["lower_back"],
    "pain_now": 5,
    "pain_avg": 4,
    "since": "lt6w",
    "worse": ["sitting"],
    "physical": ["sitting"],
    "function": [],
    "bother": 1,
    "unsafe": "disagree",
    "terrible": "disagree",
    "pss_control": 1,
    "pss_cope": 3,
    "pss_way": 3,
    "pss_pile": 1,
    "life_events": [],
    "phq_nervous": 0,
    "phq_worry": 0,
    "phq_interest": 0,
    "phq_down": 0,
    "safety": "no",
    "pseq_work": 5,
    "pseq_life": 5,
}


def presses_for(step: Step, value: Any) -> list[str]:
    if step.kind == "multi":
        return [*value, "done"] if value else ["none"]
    return [str(value)]


RETAKE: dict[str, Any] = {
    **CALM,
    # Stress over the past month 8 of 16 ("raised"), worry and mood a little raised:
    # two points, so stress plays "probably some" part. 8 used to be "high" for the plan.
    "pss_control": 2,
    "pss_cope": 2,
    "pss_way": 2,
    "pss_pile": 2,
    "phq_nervous": 1,
    "phq_worry": 1,
    "phq_interest": 1,
    "phq_down": 0,
}
