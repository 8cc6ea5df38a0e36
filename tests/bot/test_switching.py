"""Leaving one flow for another: "your answers won't be kept" is asked only when it is
true, when the open flow holds something the user gave that is not stored yet."""

from __future__ import annotations

import pytest

from bot.conversation import Incoming, TurnResult
from bot.services import Services
from flows.runtime import Context
from tests.support import peek

USER = 88
SWITCH = "Do you want to leave it"


def command(services: Services, name: str) -> TurnResult:
    return services.conversations.handle(
        Incoming(USER, "command", command=name, language_code="en", first_name="Ann")
    )


def press(services: Services, result: TurnResult, label: str) -> TurnResult:
    data = next(
        b.data
        for r in result.replies
        for row in r.buttons
        for b in row
        if b.label == label or b.label.endswith(f" {label}")
    )
    return services.conversations.handle(Incoming(USER, "press", callback=data))


def onboard(services: Services) -> None:
    result = command(services, "start")
    for label in ("English", "Continue", "Yes, I agree", "Yes, that's right"):
        if peek.saved_state(services.store, USER) is not None:
            result = press(services, result, label)
    user = services.store.get_user(USER)
    assert user is not None and user.has_consent


def flow(services: Services) -> str | None:
    state = peek.saved_state(services.store, USER)
    return state.flow if state is not None else None


def asked_to_switch(result: TurnResult) -> bool:
    return any(SWITCH in reply.text for reply in result.replies)


def test_a_lesson_being_read_is_left_without_asking(services: Services) -> None:
    onboard(services)
    menu = command(services, "learn")
    press(services, menu, "Why moving helps")
    assert flow(services) == "learn"
    result = command(services, "checkin")
    assert not asked_to_switch(result)
    assert flow(services) == "checkin"
    assert "right now" in result.replies[-1].text  # the check-in's first question


def test_after_a_pause_in_reminders_nothing_is_lost(services: Services) -> None:
    onboard(services)
    menu = command(services, "reminders")
    pause = press(services, menu, "Pause all")
    paused = press(services, pause, "3 days")
    assert "keep quiet" in paused.replies[0].text  # the pause is saved already
    result = command(services, "checkin")
    assert not asked_to_switch(result)
    assert flow(services) == "checkin"


def test_a_question_not_yet_answered_is_left_without_asking(services: Services) -> None:
    onboard(services)
    command(services, "checkin")
    result = command(services, "test")
    assert not asked_to_switch(result)
    assert flow(services) == "pain_test"


def test_a_check_in_half_done_asks_first(services: Services) -> None:
    onboard(services)
    press(services, command(services, "checkin"), "7")
    result = command(services, "learn")
    assert asked_to_switch(result)
    assert "the daily check-in" in result.replies[0].text
    assert flow(services) == "checkin"


def test_a_self_check_half_done_asks_first(services: Services) -> None:
    onboard(services)
    press(services, command(services, "test"), "None of these")
    result = command(services, "exercise")
    assert asked_to_switch(result)
    assert flow(services) == "pain_test"


def test_a_plan_being_changed_and_not_saved_asks_first(services: Services) -> None:
    onboard(services)
    plan = command(services, "plan")
    press(services, plan, "Change it first")
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.answers.get("draft") is True
    result = command(services, "checkin")
    assert asked_to_switch(result)
    assert flow(services) == "reminders"


@pytest.mark.parametrize("target", ["checkin", "learn", "delete"])
def test_the_first_question_of_a_flow_is_left_for_any_other(
    services: Services, target: str
) -> None:
    onboard(services)
    command(services, "exercise")
    result = command(services, target)
    assert not asked_to_switch(result)
    assert flow(services) == target


def test_no_flow_holds_anything_unsaved_at_its_first_question(services: Services) -> None:
    t = services.catalogue.translator("en")
    ctx = Context(t, services.clock.now(), "Europe/Brussels", {})
    for each in services.conversations.wiring.flows.values():
        state = each.start(ctx).state
        # /today ends at once for someone not in the programme: nothing to hold either.
        assert state is None or not each.holds_unsaved(state), each.name
        assert state is not None or each.name == "today", each.name
