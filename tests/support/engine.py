"""Talking to the real engine as one user, without Telegram: commands, presses, a
sensible answer to any question, a whole flow, onboarding and a whole self-check.
Shared by the tests of the bot layer."""

from __future__ import annotations

from typing import Any

from bot.conversation import Incoming, Outgoing, TurnResult
from bot.services import Services
from flows.pain_test_questions import CRISIS, INDEX, SEE_DOCTOR, STEPS
from tests.support import peek
from tests.support.self_check import presses_for

USER = 77
SKIP_LABELS = ("◀ Back",)
PREFERRED = (
    "Yes, I agree",
    "Yes, that's right",
    "None of these",
    "Done",
    "Skip",
    "Keep",
    "Continue",
    "Next",
)


def command(services: Services, name: str) -> TurnResult:
    return services.conversations.handle(
        Incoming(USER, "command", command=name, language_code="en", first_name="Ann")
    )


def press_data(services: Services, data: str) -> TurnResult:
    return services.conversations.handle(Incoming(USER, "press", callback=data))


def options(reply: Outgoing) -> list[str]:
    return [
        b.data
        for row in reply.buttons
        for b in row
        if b.label not in SKIP_LABELS and not b.data.startswith("c|")
    ]


def pick(reply: Outgoing, *, preferred: bool = True) -> str:
    """A sensible button: 'none'/'done'/'skip' style first, else the first real option."""
    buttons = [b for row in reply.buttons for b in row if b.data in options(reply)]
    for wanted in PREFERRED if preferred else ():
        for button in buttons:
            if button.label.startswith(wanted):
                return button.data
    return buttons[0].data


def drive(services: Services, result: TurnResult, limit: int = 80) -> TurnResult:
    """Answer until the flow ends; where 'Done' needs a pick first, pick the first option."""
    stuck_at: str | None = None
    for _ in range(limit):
        state = peek.saved_state(services.store, USER)
        if state is None:
            return result
        stuck = stuck_at == f"{state.step}{state.answers}"
        stuck_at = f"{state.step}{state.answers}"
        result = press_data(services, pick(result.replies[-1], preferred=not stuck))
    raise AssertionError("the flow did not end")


def onboard(services: Services) -> None:
    drive(services, command(services, "start"))
    user = services.store.get_user(USER)
    assert user is not None and user.has_consent


def answer_test(services: Services, answers: dict[str, Any]) -> TurnResult:
    """Take /test with exactly these answers, carrying on past any safety screen."""
    result = command(services, "test")
    while (state := peek.saved_state(services.store, USER)) is not None:
        presses = ["cont"] if state.step in (SEE_DOCTOR, CRISIS) else None
        if presses is None:
            presses = presses_for(STEPS[INDEX[state.step]], answers[state.step])
        for value in presses:
            nonce = peek.saved_state(services.store, USER).nonce  # type: ignore[union-attr]
            result = press_data(services, f"f|{nonce}|{value}")
    return result
