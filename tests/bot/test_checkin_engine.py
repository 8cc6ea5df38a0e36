"""The check-in's answer through the real engine: its buttons open the exercise they
offer, after the check-in has ended."""

from __future__ import annotations

from bot.services import Services
from tests.bot.test_graded_walk import press
from tests.support import peek
from tests.support.engine import USER, command, onboard, press_data


def test_high_stress_and_pain_offer_breathing_and_a_gentle_plan(services: Services) -> None:
    onboard(services)
    result = command(services, "checkin")
    for value in ("7", "8", "bad", "no", "skip"):
        result = press(services, result, value)
    assert peek.saved_state(services.store, USER) is None  # the check-in is saved and over
    answer = result.replies[-1]
    assert "good start" not in answer.text
    assert "slow breathing" in answer.text and "gentle plan for today" in answer.text
    offered = [b.data for row in answer.buttons for b in row]
    assert offered == ["c|move_gently", "c|breathe"]
    started = press_data(services, "c|breathe")
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "exercise"
    assert state.answers["exercise"] == "slow_breath"
    assert "Slow breathing" in started.replies[0].text
    press_data(services, "c|cancel")
    press_data(services, "c|move_gently")
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.answers["exercise"] == "move_break"
