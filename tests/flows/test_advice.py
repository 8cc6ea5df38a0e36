"""The profile after the self-check and the suggested plan tell one story: the part stress
plays and the exercises recommended come from the same facts, whatever the answers."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flows import scoring as sc
from flows.pain_test_questions import STEPS
from flows.plan import plan_dicts, proposed_plan
from tests.flows.test_pain_test import T, all_text, completed, drive
from tests.support.self_check import RETAKE

BXL = "Europe/Brussels"

PREVIOUS = {"pain_now": 6, "pain_avg": 6, "risk": "medium", "stress_role": "low", "pss4": 4}


def plan_reasons(scores: dict[str, Any]) -> dict[str, str]:
    """What the plan says next to each reminder, by kind."""
    return {
        item["kind"]: T(f"reminders.reason.{item['reason']}") for item in plan_dicts(scores, BXL)
    }


def test_after_a_retake_profile_and_plan_agree_on_the_part_stress_plays() -> None:
    outcomes, _ = drive(RETAKE, {"previous_test": PREVIOUS})
    fact = completed(outcomes)
    assert fact.scores["pss4"] == 8 and fact.scores["stress_role"] == "some"
    profile = all_text(outcomes[-1])
    assert T("pain_test.result.stress.some") in profile
    assert "→" in profile  # a retake: the comparison is shown
    reasons = plan_reasons(fact.scores)
    assert reasons["stress"] == T("reminders.reason.some_stress")
    assert T("reminders.reason.stress") not in reasons.values()  # "a big part"


def test_a_profile_that_recommends_slow_breathing_gets_it_in_the_plan_after_a_crisis() -> None:
    outcomes, _ = drive({**RETAKE, "safety": "yes"}, interlude="cont")
    fact = completed(outcomes)
    assert fact.scores["crisis"] is True
    profile = all_text(outcomes[-1])
    assert T("pain_test.result.steps.breathing") in profile
    kinds = [item["kind"] for item in plan_dicts(fact.scores, BXL)]
    assert "stress" in kinds
    # Still a light touch: no movement breaks or walks the profile did not name.
    assert "movement" not in kinds and "pain" not in kinds
    assert T("pain_test.result.steps.movement_breaks") not in profile


def answer(step_id: str) -> st.SearchStrategy[Any]:
    step = STEPS[[s.id for s in STEPS].index(step_id)]
    if step_id in (sc.RED_EMERGENCY, sc.RED_SAMEDAY):
        return st.just([])
    if step.kind == "multi":
        return st.lists(st.sampled_from(step.options), unique=True)
    if step.kind == "single":
        return st.sampled_from(step.options)
    return st.integers(step.lo, step.hi)


ANSWERS = st.fixed_dictionaries({step.id: answer(step.id) for step in STEPS})
EXERCISE_STEPS = {"breathing": "stress", "walking": "pain"}
STRESS_LEVEL_OF_REASON = {"stress": "strong", "some_stress": "some"}


@settings(database=None, deadline=None, max_examples=300)
@given(ANSWERS)
def test_profile_and_plan_never_contradict_each_other(answers: dict[str, Any]) -> None:
    scores = sc.score_answers(answers)
    steps = sc.next_steps(scores)
    plan = {item.rule.kind: item.reason for item in proposed_plan(scores.to_dict(), BXL)}
    # The part stress plays: the plan claims what the profile says, never more or less.
    said = STRESS_LEVEL_OF_REASON.get(plan.get("stress", ""))
    assert said in (None, scores.stress_role)
    assert (scores.stress_role == "strong") == (plan.get("stress") == "stress")
    # Every exercise the profile recommends is in the plan.
    for step, kind in EXERCISE_STEPS.items():
        if step in steps:
            assert kind in plan, (step, plan)
    if "movement_breaks" in steps:  # "break up sitting every 30 to 60 minutes"
        assert plan.get("movement") in ("sitting", "driving")
    if plan.get("movement") in ("sitting", "driving"):
        assert "movement_breaks" in steps or len(steps) == 5  # named unless the list is full
