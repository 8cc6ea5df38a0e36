"""Every flow through the real engine and store: complete paths, restarts in the
middle (a fresh engine on the same database file), retakes and consent gating."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.conversation import TurnResult
from bot.services import Services, build_services
from tests.conftest import make_settings
from tests.support import peek
from tests.support.engine import (
    USER,
    answer_test,
    command,
    drive,
    onboard,
    options,
    pick,
    press_data,
)
from tests.support.self_check import CALM, RETAKE


@pytest.mark.parametrize("flow_command", ["test", "checkin", "learn", "exercise"])
def test_health_flows_need_consent_first(services: Services, flow_command: str) -> None:
    result = command(services, flow_command)
    if flow_command in ("learn", "exercise"):  # they store nothing without consent
        assert peek.saved_state(services.store, USER) is not None
    else:
        assert "okay to store" in result.replies[0].text
        assert "/exercise" in result.replies[0].text and "/learn" in result.replies[0].text
        assert peek.saved_state(services.store, USER) is None


def refuse(services: Services) -> TurnResult:
    result = command(services, "start")
    for label in ("English", "Continue", "No, thanks"):
        data = next(
            b.data for r in result.replies for row in r.buttons for b in row if b.label == label
        )
        result = press_data(services, data)
    assert peek.saved_state(services.store, USER) is None
    return result


@pytest.mark.parametrize("exercise", ["breathing", "pacing"])  # pacing holds the graded walk
def test_without_consent_a_guided_exercise_runs_and_stores_nothing(
    services: Services, exercise: str
) -> None:
    refuse(services)
    menu = command(services, "exercise")
    category = press_data(
        services,
        next(
            b.data
            for row in menu.replies[-1].buttons
            for b in row
            if b.data.endswith(f"|{exercise}")
        ),
    )
    opened = press_data(services, options(category.replies[-1])[0])
    done = drive(services, opened)
    assert peek.saved_state(services.store, USER) is None
    assert "not kept" in done.replies[-1].text or "don't keep" in done.replies[-1].text
    assert not any("0-10" in r.text or "/10" in r.text for r in done.replies)  # no rating asked
    counts = peek.rows_about(services.store, USER)
    assert counts.pop("users") == 1 and set(counts.values()) == {0}


def test_pain_test_completes_and_is_stored_with_scores(services: Services) -> None:
    onboard(services)
    result = drive(services, command(services, "test"))
    assert any(
        "profile" in r.text.lower() or "next steps" in r.text.lower() for r in result.replies
    )
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        latest = tx.latest_test()
    assert latest is not None
    scores = latest.scores
    assert 0 <= scores["pain_now"] <= 10 and scores["risk"] in ("low", "medium", "high")
    assert scores["recommended_cards"]


def test_pain_test_retake_shows_the_previous_result(services: Services, clock: ManualClock) -> None:
    onboard(services)
    drive(services, command(services, "test"))
    clock.advance(timedelta(days=28))
    result = drive(services, command(services, "test"))
    assert any("→" in r.text for r in result.replies)


@pytest.mark.parametrize("flow_command", ["test", "checkin", "learn", "exercise"])
def test_restart_mid_flow_continues_with_answers_kept(
    sqlite_url: str, clock: ManualClock, flow_command: str
) -> None:
    first = build_services(make_settings(sqlite_url), clock)
    onboard(first)
    result = command(first, flow_command)
    result = press_data(first, pick(result.replies[-1], preferred=False))
    state_before = peek.saved_state(first.store, USER)
    assert state_before is not None
    first.store.dispose()

    second = build_services(make_settings(sqlite_url), clock)
    assert peek.saved_state(second.store, USER) == state_before
    # The button sent before the restart still works and the flow can finish.
    result = press_data(second, pick(result.replies[-1]))
    assert not result.stale
    drive(second, result)
    second.store.dispose()


def test_checkin_then_summary_of_the_day_is_stored_once(services: Services) -> None:
    onboard(services)
    drive(services, command(services, "checkin"))
    drive(services, command(services, "checkin"))  # asks to update; 'No' keeps it
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        assert len(tx.checkin_rows()) == 1


def test_exercise_is_logged_once_when_finished(services: Services) -> None:
    onboard(services)
    drive(services, command(services, "exercise"))
    counts = peek.rows_about(services.store, USER)
    assert counts["exercise_logs"] == 1


def test_command_mid_flow_asks_before_switching(services: Services) -> None:
    onboard(services)
    asked = command(services, "checkin")
    press_data(services, next(b.data for row in asked.replies[0].buttons for b in row))
    result = command(services, "test")  # the pain score given would be lost
    assert "middle of the daily check-in" in result.replies[0].text
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "checkin"
    labels = {b.label: b.data for row in result.replies[0].buttons for b in row}
    switched = press_data(services, labels["Yes, switch"])
    assert peek.saved_state(services.store, USER).flow == "pain_test"  # type: ignore[union-attr]
    assert switched.replies


def test_after_a_retake_the_plan_says_what_the_profile_said(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    answer_test(services, CALM)
    clock.advance(timedelta(days=28))
    profile = "\n".join(r.text for r in answer_test(services, RETAKE).replies)
    assert "The part stress plays: probably some." in profile and "→" in profile
    assert "Try slow breathing" in profile
    plan = "\n".join(r.text for r in command(services, "plan").replies)
    assert "Breathing exercise" in plan
    assert "because stress seems to play a part" in plan
    assert "big part" not in plan


def press_value(services: Services, value: str) -> TurnResult:
    nonce = peek.saved_state(services.store, USER).nonce  # type: ignore[union-attr]
    return press_data(services, f"f|{nonce}|{value}")


def marked(result: TurnResult) -> set[str]:
    """Lessons the menu marks as read, by the value in their button's data."""
    return {
        b.data.rsplit("|", 1)[-1]
        for row in result.replies[-1].buttons
        for b in row
        if b.label.endswith(" ✓")
    }


@pytest.mark.parametrize("consent", [True, False])
def test_read_lessons_are_remembered_and_marked_only_with_consent(
    services: Services, consent: bool
) -> None:
    if consent:
        onboard(services)
    command(services, "learn")
    press_value(services, "posture")
    assert marked(press_value(services, "menu")) == ({"posture"} if consent else set())
    press_value(services, "done")
    again = command(services, "learn")  # a new session: the marks come from the store
    assert marked(again) == ({"posture"} if consent else set())
    assert peek.rows_about(services.store, USER)["lesson_reads"] == (1 if consent else 0)
