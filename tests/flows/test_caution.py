"""The caution after advice to see a doctor, at flow level: /exercise, a reminder's
Start and /plan ask first whether a doctor has seen the user; "yes" clears it and goes
on, "not yet" repeats the advice and keeps to calm exercises, each with the caution."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from flows import caution as cn
from flows import helplines
from flows.exercises.flow import ExerciseFlow
from flows.exercises.library import CALM_CATEGORIES
from flows.i18n import default_catalogue
from flows.plan import plan_dicts
from flows.reminders.settings_flow import ReminderSettingsFlow
from flows.runtime import Context, FlowState, Outcome, Press, Reply, Text
from tests.support.typed import as_the_engine_reads

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
RAISED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wed 25 Nov in Brussels
BXL = "Europe/Brussels"
EMERGENCY = {"kind": "emergency", "raised_at": RAISED.isoformat()}
SEE_DOCTOR = {"kind": "see_doctor", "raised_at": RAISED.isoformat()}
EXERCISE = ExerciseFlow()
PLAN = ReminderSettingsFlow()


def ctx(history: Mapping[str, Any], language: str = "en") -> Context:
    return Context(default_catalogue().translator(language), NOW, BXL, dict(history))


def texts(outcome: Outcome) -> str:
    return "\n".join(reply.text for reply in outcome.replies)


def values(reply: Reply) -> list[str]:
    return [choice.value for choice in reply.buttons()]


def labels(reply: Reply) -> list[str]:
    return [choice.label for choice in reply.buttons()]


def advance(outcome: Outcome, event: Press | Text, history: Mapping[str, Any]) -> Outcome:
    assert outcome.state is not None
    flow = EXERCISE if outcome.state.flow == "exercise" else PLAN
    c = ctx(history)
    return flow.handle(outcome.state, as_the_engine_reads(flow, outcome.state, event, c), c)


# -- /exercise ---------------------------------------------------------------------------


@pytest.mark.parametrize("caution", [EMERGENCY, SEE_DOCTOR])
def test_exercise_asks_about_the_doctor_first(caution: dict[str, str]) -> None:
    opened = EXERCISE.start(ctx({"caution": caution}))
    assert opened.state is not None and opened.state.step == cn.STEP
    (question,) = opened.replies
    assert "Because of what you told me on Wed 25 Nov" in question.text
    assert "Has a doctor seen you, and said it's fine to go on?" in question.text
    assert labels(question) == ["Yes, I've been seen and it's fine", "Not yet"]
    assert opened.facts == ()


def test_without_a_caution_the_menu_comes_at_once_with_every_category() -> None:
    opened = EXERCISE.start(ctx({"caution": None}))
    assert opened.state is not None and opened.state.step == "menu"
    assert "strength" in values(opened.replies[-1])


def test_yes_clears_the_caution_and_opens_the_whole_menu() -> None:
    history = {"caution": SEE_DOCTOR}
    outcome = advance(EXERCISE.start(ctx(history)), Press(cn.SEEN), history)
    assert outcome.facts == (cn.CautionCleared(),)
    assert "glad you had it checked" in outcome.replies[0].text
    assert outcome.state is not None and outcome.state.step == "menu"
    assert {"strength", "mobility", "movement"} <= set(values(outcome.replies[-1]))
    assert outcome.state.answers["caution"] is None


def test_yes_on_a_reminders_start_goes_into_its_exercise_without_the_caution() -> None:
    history = {"caution": EMERGENCY, "exercise_id": "bridge"}
    outcome = advance(EXERCISE.start(ctx(history)), Text("yes, I've been seen and it's FINE"), {})
    assert outcome.facts == (cn.CautionCleared(),)
    assert outcome.state is not None and outcome.state.step == "guide"
    assert "Bridges" in texts(outcome) and "Because of what you told me" not in texts(outcome)


@pytest.mark.parametrize("wanted", [None, "bridge", "graded_walk"])
def test_not_yet_repeats_the_advice_and_offers_only_calm_exercises(wanted: str | None) -> None:
    history = {"caution": EMERGENCY, "exercise_id": wanted}
    outcome = advance(EXERCISE.start(ctx(history)), Press(cn.NOT_YET), history)
    assert outcome.facts == ()
    assert "112" in outcome.replies[0].text
    assert outcome.state is not None and outcome.state.step == "menu"
    menu = outcome.replies[-1]
    assert "calm breathing and relaxation" in menu.text
    assert [v for v in values(menu) if v != "close"] == list(CALM_CATEGORIES)
    # A category that is not on offer stays closed, even typed or pressed from old buttons.
    for event in (Press("strength"), Text("💪 Gentle strength"), Press("pacing")):
        again = advance(outcome, event, history)
        assert again.state is not None and again.state.step == "menu" and not again.facts


def test_a_calm_exercise_carries_the_caution_while_it_is_open() -> None:
    history = {"caution": SEE_DOCTOR}
    menu = advance(EXERCISE.start(ctx(history)), Press(cn.NOT_YET), history)
    category = advance(menu, Press("breathing"), history)
    exercise = values(category.replies[-1])[0]
    started = advance(category, Press(exercise), history)
    assert started.facts == ()
    assert started.state is not None and started.state.step == "guide"
    assert "⚠️ Because of what you told me on Wed 25 Nov, please still get checked" in texts(started)


def test_not_yet_on_a_calm_reminder_opens_that_exercise_with_the_caution() -> None:
    history = {"caution": SEE_DOCTOR, "exercise_id": "slow_breath"}
    outcome = advance(EXERCISE.start(ctx(history)), Press(cn.NOT_YET), history)
    assert outcome.facts == ()
    assert outcome.state is not None and outcome.state.step == "guide"
    assert "GP" in outcome.replies[0].text
    assert "please still get checked by a doctor" in texts(outcome)


def test_anything_else_asks_again_and_changes_nothing() -> None:
    history = {"caution": SEE_DOCTOR}
    opened = EXERCISE.start(ctx(history))
    for event in (Text("maybe"), Press("strength"), Press("next")):
        outcome = advance(opened, event, history)
        assert outcome.state == opened.state and outcome.facts == ()
        assert values(outcome.replies[-1]) == [cn.SEEN, cn.NOT_YET]
    assert EXERCISE.current(opened.state, ctx(history)) == opened.replies  # type: ignore[arg-type]


def test_after_not_yet_on_the_plan_the_calm_exercises_come_without_asking_again() -> None:
    opened = EXERCISE.start(ctx({"caution": EMERGENCY, "caution_answered": True}))
    assert opened.state is not None and opened.state.step == "menu"
    assert [v for v in values(opened.replies[-1]) if v != "close"] == list(CALM_CATEGORIES)


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_the_question_is_asked_and_answered_in_the_users_language(language: str) -> None:
    t = default_catalogue().translator(language)
    history = {"caution": SEE_DOCTOR}
    opened = EXERCISE.start(ctx(history, language))
    assert opened.replies[0].text.startswith(t("caution.ask", date="x")[:8])
    assert opened.state is not None
    c = ctx(history, language)
    event = as_the_engine_reads(EXERCISE, opened.state, Text(t("caution.not_yet").upper()), c)
    typed = EXERCISE.handle(opened.state, event, c)
    assert typed.replies[0].text == t("caution.advice.see_doctor", **helplines.fills(t, BXL))


# -- /plan -------------------------------------------------------------------------------


def plan_history(caution: dict[str, str] | None) -> dict[str, Any]:
    return {
        "reminders": [],
        "proposed_plan": plan_dicts(None, BXL),
        "mode": "propose",
        "caution": caution,
    }


def test_plan_asks_about_the_doctor_before_offering_movement() -> None:
    opened = PLAN.start(ctx(plan_history(EMERGENCY)))
    assert opened.state is not None and opened.state.step == cn.STEP
    (question,) = opened.replies
    assert "Because of what you told me on Wed 25 Nov" in question.text
    assert "Movement" not in question.text and values(question) == [cn.SEEN, cn.NOT_YET]
    assert PLAN.current(opened.state, ctx(plan_history(EMERGENCY))) == opened.replies


def test_plan_yes_clears_the_caution_and_shows_the_plan() -> None:
    history = plan_history(SEE_DOCTOR)
    outcome = advance(PLAN.start(ctx(history)), Press(cn.SEEN), history)
    assert outcome.facts == (cn.CautionCleared(),)
    assert outcome.state is not None and outcome.state.step == "propose"
    assert "accept" in values(outcome.replies[-1])
    # What follows is the plan as before: accepting records it.
    accepted = advance(outcome, Press("accept"), history)
    assert accepted.state is None and accepted.facts


def test_plan_not_yet_repeats_the_advice_and_offers_only_a_calm_exercise() -> None:
    history = plan_history(EMERGENCY)
    outcome = advance(PLAN.start(ctx(history)), Press(cn.NOT_YET), history)
    assert outcome.state is None and outcome.facts == ()
    (reply,) = outcome.replies
    assert "112" in reply.text and "leave the plan for now" in reply.text
    assert [(c.label, c.command) for c in reply.buttons()] == [
        ("A calming exercise", cn.CALM_COMMAND)
    ]


def test_reminder_settings_are_not_held_back_by_a_caution() -> None:
    history = {**plan_history(EMERGENCY), "mode": None}
    opened = PLAN.start(ctx(history))
    assert opened.state is not None and opened.state.step == "menu"


def test_an_unreadable_caution_in_a_saved_state_asks_nothing_more() -> None:
    state = FlowState("exercise", cn.STEP, {"caution": {"kind": "fine"}, "wanted": None})
    outcome = EXERCISE.handle(state, Press(cn.SEEN), ctx({}))
    assert outcome.state is not None and outcome.state.step == "menu" and not outcome.facts


# -- the pure pieces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        "emergency",
        {"kind": "fine", "raised_at": RAISED.isoformat()},
        {"kind": "emergency", "raised_at": "yesterday"},
        {"kind": "emergency", "raised_at": "2026-11-25T15:00:00"},  # no zone
        {"kind": "emergency", "raised_at": 5},
    ],
)
def test_junk_is_no_caution(value: object) -> None:
    assert cn.Caution.of(value) is None


def test_the_more_urgent_kind_stands() -> None:
    assert cn.more_urgent("see_doctor", "emergency") == "emergency"
    assert cn.more_urgent("emergency", "see_doctor") == "emergency"
    assert cn.more_urgent("see_doctor", "see_doctor") == "see_doctor"
