"""The conversation engine over a real store: consent, stale buttons, restarts,
commands mid-flow, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.conversation import Incoming, TurnResult
from bot.services import Services, build_services
from tests.conftest import make_settings
from tests.support import peek

USER = 4242


def command(services: Services, name: str, user: int = USER) -> TurnResult:
    return services.conversations.handle(
        Incoming(user, "command", command=name, language_code="en", first_name="Ann")
    )


def press(services: Services, label: str, result: TurnResult, user: int = USER) -> TurnResult:
    data = next(
        b.data for r in result.replies for row in r.buttons for b in row if b.label == label
    )
    return services.conversations.handle(Incoming(user, "press", callback=data))


def text(services: Services, typed: str, user: int = USER) -> TurnResult:
    return services.conversations.handle(Incoming(user, "text", text=typed))


def to_consent(services: Services) -> TurnResult:
    result = press(services, "English", command(services, "start"))
    return press(services, "Continue", result)


def onboard(services: Services) -> TurnResult:
    result = press(services, "Yes, I agree", to_consent(services))
    return press(services, "Yes, that's right", result)


def test_start_consent_stores_user_with_versioned_consent(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    user = services.store.get_user(USER)
    assert user is not None and user.has_consent
    assert user.consent_version == 1 and user.consent_at == clock.now()
    assert user.timezone == "Europe/Brussels" and user.language == "en"
    assert peek.saved_state(services.store, USER) is None


def test_stale_button_says_moved_on_and_repeats_current_question(services: Services) -> None:
    first = command(services, "start")
    second = press(services, "English", first)
    again = press(services, "English", first)  # the old message's button
    assert again.stale
    assert "moved on" in again.replies[0].text
    assert again.replies[-1].text == second.replies[-1].text
    assert peek.saved_state(services.store, USER) is not None
    assert peek.saved_state(services.store, USER).step == "welcome"  # type: ignore[union-attr]


def test_forged_callback_data_is_stale_not_an_error(services: Services) -> None:
    command(services, "start")
    for forged in ["", "f|", "f|deadbeef|yes", "x|1|2|3", "c|", "f|a|b|c|d", "💥" * 30]:
        result = services.conversations.handle(Incoming(USER, "press", callback=forged))
        assert result.stale, forged
    user = services.store.get_user(USER)
    assert user is not None and not user.has_consent


def test_restart_mid_flow_continues_at_the_same_question(
    sqlite_url: str, clock: ManualClock
) -> None:
    first = build_services(make_settings(sqlite_url), clock)
    result = to_consent(first)
    first.store.dispose()

    second = build_services(make_settings(sqlite_url), clock)
    resumed = press(second, "Yes, I agree", result)  # the button sent before the restart
    assert not resumed.stale
    assert "time zone" in resumed.replies[0].text
    second.store.dispose()


def test_flow_left_for_a_day_expires_quietly(services: Services, clock: ManualClock) -> None:
    command(services, "start")
    clock.advance(timedelta(days=1, minutes=1))
    result = text(services, "hello")
    assert "didn't finish" in result.replies[0].text
    assert peek.saved_state(services.store, USER) is None


def test_help_mid_flow_answers_then_offers_to_resume(services: Services) -> None:
    to_consent(services)
    result = command(services, "help")
    assert "112" in result.replies[0].text and "1813" in result.replies[0].text
    assert "left off" in result.replies[1].text
    assert result.replies[-1].buttons  # the consent question again


def test_cancel_clears_the_flow(services: Services) -> None:
    command(services, "start")
    assert "stopped" in command(services, "cancel").replies[0].text
    assert peek.saved_state(services.store, USER) is None
    assert "nothing running" in command(services, "cancel").replies[0].text


def test_start_again_after_consent_welcomes_back(services: Services) -> None:
    onboard(services)
    result = command(services, "start")
    assert "Welcome back, Ann" in result.replies[0].text


def test_consent_can_be_withdrawn_the_way_privacy_says(services: Services) -> None:
    """/privacy: "type /start and tap Review consent, ...", then No, thanks."""
    onboard(services)
    assert "/start" in command(services, "privacy").replies[0].text
    review = press(services, "Review consent, language and time zone", command(services, "start"))
    result = press(
        services, "No, thanks", press(services, "Continue", press(services, "English", review))
    )
    user = services.store.get_user(USER)
    assert user is not None and not user.has_consent and user.consent_refused_at is not None
    assert result.replies


@pytest.mark.parametrize("typed", ["", "🙂🙂🙂", "x" * 4096, "\x00\x1b[2J", "/notacommand"])
def test_odd_text_outside_a_flow_gets_a_kind_answer(services: Services, typed: str) -> None:
    result = text(services, typed)
    assert "/help" in result.replies[0].text


def test_unknown_command_gets_a_kind_answer(services: Services) -> None:
    result = command(services, "frobnicate")
    assert "/help" in result.replies[0].text


def test_callback_data_always_fits_telegram_limit(services: Services) -> None:
    result = command(services, "start")
    for step_label in ["English", "Continue", "Yes, I agree", "Change it"]:
        for reply in result.replies:
            for row in reply.buttons:
                for button in row:
                    assert len(button.data.encode()) <= 64
        result = press(services, step_label, result)


def test_the_welcome_comes_in_the_language_picked(services: Services) -> None:
    """Picking Nederlands must not leave the welcome in English above it."""
    nl, en = services.catalogue.translator("nl"), services.catalogue.translator("en")
    result = command(services, "start")
    seen = [r.text for r in result.replies]
    for _ in range(4):
        state = peek.saved_state(services.store, USER)
        assert state is not None
        if state.step == "consent":
            break
        labels = [b.label for r in result.replies for row in r.buttons for b in row]
        wanted = "Nederlands" if "Nederlands" in labels else labels[0]  # "Continue"
        data = next(
            b.data for r in result.replies for row in r.buttons for b in row if b.label == wanted
        )
        # Telegram sends the first name with every press, as with every message.
        result = services.conversations.handle(
            Incoming(USER, "press", callback=data, language_code="en", first_name="Ann")
        )
        seen += [r.text for r in result.replies]
    assert nl("onboarding.welcome", name="Ann") in seen
    assert nl("onboarding.what_i_do") in seen
    assert en("onboarding.welcome", name="Ann") not in seen
    assert en("onboarding.what_i_do") not in seen
