"""Graded walking through the real engine and store: the plan steps up per day, never
per walk, a walk is kept at the minutes the user says they walked, and the activity
people tell the coach about never moves the plan."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.conversation import TurnResult
from bot.services import Services
from flows.exercises.walking import WALK_ID
from tests.support import peek
from tests.support.engine import USER, command, onboard, press_data


def buttons(result: TurnResult) -> dict[str, str]:
    """The last reply's buttons: value (the end of the callback data) -> callback data."""
    return {b.data.rsplit("|", 1)[-1]: b.data for row in result.replies[-1].buttons for b in row}


def press(services: Services, result: TurnResult, value: str) -> TurnResult:
    found = buttons(result)
    assert value in found, f"no button {value!r} in {sorted(found)}"
    return press_data(services, found[value])


def open_walk(services: Services) -> TurnResult:
    """/exercise -> pacing -> graded walking: the baseline or today's proposal."""
    result = press(services, command(services, "exercise"), "pacing")
    return press(services, result, WALK_ID)


def walk(services: Services, level: str, walked: str | None = None) -> TurnResult:
    """One graded walk: ``level`` is the baseline minutes or same/up/less, then every
    step tapped through, then how long it was (``walked``, else the plan), no rating."""
    result = press(services, open_walk(services), level)
    while "next" in buttons(result):
        result = press(services, result, "next")
    minutes = buttons(result)
    if "none" in minutes:  # "how long did you walk?" (the plan is the first button)
        result = press(services, result, walked or next(iter(minutes)))
    result = press(services, result, "skip")
    assert peek.saved_state(services.store, USER) is None
    return result


def proposal(services: Services) -> tuple[str, list[str]]:
    """Today's proposal text and its buttons, then leave it."""
    result = open_walk(services)
    text, values = result.replies[-1].text, list(buttons(result))
    command(services, "cancel")
    return text, values


def progress(services: Services) -> tuple[int | None, int]:
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        level, starts = tx.walking_progress(WALK_ID)
    return level, len(starts)


def test_three_walks_in_a_minute_are_one_day_not_a_step_up(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    walk(services, "10")
    walk(services, "same")
    walk(services, "same")
    text, values = proposal(services)
    assert "up" not in values, text
    assert "Days walked at this level so far: 0 of 3" in text
    for _ in range(2):  # two more days at 10 minutes
        clock.advance(timedelta(days=1))
        assert "up" not in proposal(services)[1]
        walk(services, "same")
    walk(services, "same")  # a second walk on the third day is still the third day
    assert "up" not in proposal(services)[1]
    clock.advance(timedelta(days=1))
    text, values = proposal(services)
    assert "up" in values
    assert "small step up is 11 minutes" in text


def test_a_shorter_walk_is_kept_at_its_real_minutes(services: Services, clock: ManualClock) -> None:
    onboard(services)
    walk(services, "10", walked="5")
    assert progress(services) == (5, 1)
    clock.advance(timedelta(days=1))
    text, values = proposal(services)
    assert "Your plan for today: 5 minutes in all, out and back" in text
    assert "up" not in values


def test_a_walk_tapped_through_without_walking_is_not_counted(services: Services) -> None:
    onboard(services)
    walk(services, "10")
    result = press(services, open_walk(services), "same")
    while "next" in buttons(result):
        result = press(services, result, "next")
    press(services, result, "none")
    assert peek.saved_state(services.store, USER) is None
    assert progress(services) == (10, 1)


def test_activity_told_to_the_coach_never_moves_the_walking_plan(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    walk(services, "10")
    for _ in range(3):
        clock.advance(timedelta(days=1))
        press_data(services, "co|moved|30")  # "I walked 30 minutes" -> 30 minutes kept
    assert progress(services) == (10, 1)
    text, values = proposal(services)
    assert "up" not in values
    assert "Days walked at this level so far: 1 of 3" in text
