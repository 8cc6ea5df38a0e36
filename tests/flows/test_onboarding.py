"""Onboarding as a pure flow: every path, consent facts, time-zone input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from flows import onboarding
from flows.i18n import default_catalogue
from flows.runtime import Context, FlowState, Outcome, Press, Text, mermaid

FLOW = onboarding.OnboardingFlow()


HELD = {"checkins": 12, "notes": 2, "test_results": 1, "exercise_logs": 3, "reminders": 4}


def ctx(timezone: str = "Europe/Brussels", held: dict[str, int] | None = None) -> Context:
    t = default_catalogue().translator("en")
    history = {"first_name": "Ann", "held": held or {}}
    return Context(t, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), timezone, history)


def press(state: FlowState | None, value: str, held: dict[str, int] | None = None) -> Outcome:
    assert state is not None
    return FLOW.handle(state, Press(value), ctx(held=held))


def to_consent() -> FlowState:
    state = FLOW.start(ctx()).state
    assert state is not None and state.step == "language"
    out = press(press(state, "en").state, "next")
    assert out.state is not None and out.state.step == "consent"
    return out.state


def test_the_language_comes_first_then_the_welcome_in_it() -> None:
    opened = FLOW.start(ctx())
    assert opened.state is not None and opened.state.step == "language"
    assert next(c.value for c in opened.replies[-1].buttons()) == "en"  # the guess first
    out = press(opened.state, "nl")
    assert out.facts == (onboarding.LanguageChosen("nl"),)
    nl = default_catalogue().translator("nl")
    assert [r.text for r in out.replies] == [
        nl("onboarding.welcome", name="Ann"),
        nl("onboarding.what_i_do"),
    ]


def test_welcome_greets_by_name_and_says_it_is_not_medical_care() -> None:
    out = press(FLOW.start(ctx()).state, "en")
    text = " ".join(r.text for r in out.replies)
    assert "Ann" in text
    assert "not a doctor" in text
    assert out.facts == (onboarding.LanguageChosen("en"),)


def test_consent_yes_then_keep_timezone_records_consent_and_zone() -> None:
    out = press(to_consent(), "yes")
    assert out.facts == (onboarding.ConsentGiven(onboarding.CONSENT_VERSION),)
    assert out.state is not None and out.state.step == "timezone"
    assert "Europe/Brussels" in out.replies[0].text and "09:00" in out.replies[0].text
    done = press(out.state, "keep")
    assert done.state is None
    assert done.facts == (onboarding.TimezoneChosen("Europe/Brussels"),)
    assert any(c.command == "test" for r in done.replies for c in r.buttons())


def test_refusal_ends_with_only_the_refusal() -> None:
    out = press(to_consent(), "no")
    assert out.state is None
    assert out.facts == (onboarding.ConsentRefused(onboarding.CONSENT_VERSION),)
    assert "won't store" in out.replies[0].text
    assert "All I keep is your Telegram user id, your language and time zone" in out.replies[0].text


def test_withdrawal_with_data_held_asks_first_and_names_what_goes() -> None:
    out = press(to_consent(), "no", HELD)
    assert out.facts == ()  # nothing is refused or erased yet
    assert out.state is not None and out.state.step == "withdraw"
    text = out.replies[0].text
    for line in (
        "daily check-ins: 12",
        "notes with a check-in: 2",
        "self-check results: 1",
        "exercises you did: 3",
        "reminders: 4",
    ):
        assert line in text
    assert "reminders sent to you" not in text  # only what the store holds is named
    buttons = {c.label: c for c in out.replies[0].buttons()}
    assert buttons["Export first"].command == "export"  # the question stays open
    assert {buttons["Erase and withdraw"].value, buttons["Keep my consent"].value} == {
        "erase",
        "keep",
    }


def test_erase_and_withdraw_refuses_and_says_what_was_erased() -> None:
    asked = press(to_consent(), "no", HELD).state
    out = press(asked, "erase", HELD)
    assert out.state is None
    assert out.facts == (onboarding.ConsentRefused(onboarding.CONSENT_VERSION),)
    assert "daily check-ins: 12" in out.replies[0].text and "erased" in out.replies[0].text


def test_keep_my_consent_goes_on_as_a_yes() -> None:
    asked = press(to_consent(), "no", HELD).state
    out = press(asked, "keep", HELD)
    assert out.facts == (onboarding.ConsentGiven(onboarding.CONSENT_VERSION),)
    assert out.state is not None and out.state.step == "timezone"


def test_erase_pressed_when_nothing_is_held_any_more_says_so_truthfully() -> None:
    asked = press(to_consent(), "no", HELD).state
    out = press(asked, "erase", {})
    assert out.facts == (onboarding.ConsentRefused(onboarding.CONSENT_VERSION),)
    assert out.replies[0].text == press(to_consent(), "no").replies[0].text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("  europe/paris ", "Europe/Paris"),
        ("America/New York", "America/New_York"),
        ("utc", "UTC"),
    ],
)
def test_typed_timezone_is_accepted_in_any_case(typed: str, expected: str) -> None:
    state = press(press(to_consent(), "yes").state, "change").state
    assert state is not None and state.step == "timezone_pick"
    out = FLOW.handle(state, Text(typed), ctx())
    assert out.state is None
    assert out.facts == (onboarding.TimezoneChosen(expected),)


@pytest.mark.parametrize("typed", ["Mars/Olympus", "", "🙂", "x" * 4096, "../../etc/passwd"])
def test_unknown_timezone_re_asks_and_stores_nothing(typed: str) -> None:
    state = press(press(to_consent(), "yes").state, "change").state
    assert state is not None
    out = FLOW.handle(state, Text(typed), ctx())
    assert out.state == state
    assert out.facts == ()
    assert len(out.replies[0].text) < 600
    assert out.replies[0].choices


@pytest.mark.parametrize("event", [Text("yes"), Press("bogus"), Text("🙂" * 50)])
def test_anything_else_at_consent_re_asks_without_consenting(event: Text | Press) -> None:
    state = to_consent()
    out = FLOW.handle(state, event, ctx())
    assert out.state == state
    assert out.facts == ()
    assert out.replies[-1].buttons()


def test_state_is_json_and_button_values_fit_callback_data() -> None:
    state: FlowState | None = FLOW.start(ctx()).state
    values = ["next", "en", "yes", "change", "Europe/Paris"]
    while state is not None:
        json.dumps(dict(state.answers))
        for reply in FLOW.current(state, ctx()):
            for choice in reply.buttons():
                assert len(choice.value) <= 20 and "|" not in choice.value
        value = next(
            v
            for v in values
            if any(c.value == v for r in FLOW.current(state, ctx()) for c in r.buttons())
        )
        state = press(state, value).state


def test_mermaid_draws_every_step() -> None:
    diagram = mermaid(FLOW)
    assert diagram.startswith("stateDiagram-v2")
    for step in ("welcome", "consent", "withdraw", "timezone", "timezone_pick"):
        assert step in diagram


@pytest.mark.parametrize(
    ("language", "city"),
    [("nl", "Brussel"), ("fr", "Bruxelles"), ("de", "Brüssel"), ("en", "Brussels")],
)
def test_zone_buttons_name_the_city_in_the_users_language(language: str, city: str) -> None:
    t = default_catalogue().translator(language)
    context = Context(t, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), "Europe/Brussels", {})
    state = FLOW.handle(to_consent(), Press("yes"), context).state
    out = FLOW.handle(state, Press("change"), context) if state else None
    assert out is not None
    buttons = {c.value: c.label for c in out.replies[-1].buttons()}
    assert buttons["Europe/Brussels"] == city  # the value stays the IANA name


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_the_consent_question_does_not_show_its_version_number(language: str) -> None:
    """The version is bookkeeping (it is stored with the consent), not something to read."""
    t = default_catalogue().translator(language)
    context = Context(t, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), "Europe/Brussels", {})
    out = FLOW.handle(FLOW.start(context).state, Press(language), context)  # type: ignore[arg-type]
    out = FLOW.handle(out.state, Press("next"), context)  # type: ignore[arg-type]
    assert out.state is not None and out.state.step == "consent"
    text = " ".join(r.text for r in out.replies).lower()
    assert "version" not in text and "versie" not in text
    assert out.facts == ()
    yes = FLOW.handle(out.state, Press("yes"), context)
    assert yes.facts == (onboarding.ConsentGiven(onboarding.CONSENT_VERSION),)


def test_every_language_is_named_and_every_key_written_out_exists() -> None:
    catalogue = default_catalogue()
    assert set(onboarding.LANGUAGE_NAMES) == set(catalogue.languages)
    for table in (onboarding.LANGUAGE_NAMES, onboarding.HELD):
        assert all(key.endswith(f".{code}") for code, key in table.items())
    for language in catalogue.languages:
        keys = set(catalogue.keys(language))
        for key in [*onboarding.LANGUAGE_NAMES.values(), *onboarding.HELD.values()]:
            assert key in keys, (language, key)
        assert {key.rsplit(".", 1)[1] for key in onboarding.HELD.values()} == set(
            catalogue.section(language, "onboarding.held")
        )
