"""Registration: the bot's wiring builds, every name is registered once, and a second
registration of any kind is refused instead of silently replacing the first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.conversation.registry import Wiring
from bot.wiring import build_wiring
from data.turn import Turn
from flows.erasure import EraseFlow
from flows.i18n import Translator, default_catalogue
from flows.language import LanguageFlow
from flows.runtime import Reply
from flows.safety import Signal


def no_reply(tx: Turn, t: Translator) -> list[Reply]:
    return []


def no_press(tx: Turn, parts: list[str], t: Translator) -> list[Reply]:
    return []


def on_start(tx: Turn) -> None:
    pass


def on_safety(tx: Turn, signal: Signal) -> None:
    pass


def test_the_bots_wiring_builds_and_names_every_flow_in_every_language() -> None:
    wiring = build_wiring()
    names = list(wiring.flows)
    assert {"onboarding", "checkin", "pain_test", "exercise", "reminders"} <= set(names)
    assert {"start", "checkin", "plan", "today"} <= set(wiring.command_flows)
    assert {"help", "summary", "export"} <= set(wiring.commands)
    assert set(wiring.command_flows.values()) <= set(names)
    catalogue = default_catalogue()
    for language in catalogue.languages:
        t = catalogue.translator(language)
        for name in names:
            assert wiring.title_of(name) in set(catalogue.keys(language)), (language, name)
            assert t(wiring.title_of(name)), (language, name)


def registered() -> Wiring:
    wiring = Wiring()
    wiring.add_flow(EraseFlow(), title="common.flows.delete")
    wiring.add_command_flow("delete", "delete")
    wiring.add_command("help", no_reply)
    wiring.add_press("x", no_press)
    wiring.add_recorder(int, lambda tx, fact: None)
    wiring.add_start_hook(on_start)
    wiring.add_safety_hook(on_safety)
    return wiring


SECOND: dict[str, Callable[[Wiring], Any]] = {
    "flow of the same name": lambda w: w.add_flow(EraseFlow(), title="common.flows.delete"),
    "command flow for a command flow": lambda w: w.add_command_flow("delete", "delete"),
    "command for a command flow": lambda w: w.add_command("delete", no_reply),
    "command for a command": lambda w: w.add_command("help", no_reply),
    "command flow for a command": lambda w: w.add_command_flow("help", "delete"),
    "the engine's /cancel": lambda w: w.add_command("cancel", no_reply),
    "the engine's /resume": lambda w: w.add_command_flow("resume", "delete"),
    "button prefix": lambda w: w.add_press("x", no_press),
    "the engine's flow buttons": lambda w: w.add_press("f", no_press),
    "the engine's command buttons": lambda w: w.add_press("c", no_press),
    "the engine's safety buttons": lambda w: w.add_press("s", no_press),
    "recorder": lambda w: w.add_recorder(int, lambda tx, fact: None),
    "start hook": lambda w: w.add_start_hook(on_start),
    "safety hook": lambda w: w.add_safety_hook(on_safety),
}


@pytest.mark.parametrize("what", SECOND)
def test_a_second_registration_is_refused_and_the_first_stays(what: str) -> None:
    wiring = registered()
    with pytest.raises(ValueError):
        SECOND[what](wiring)
    assert wiring.commands["help"] is no_reply
    assert wiring.presses["x"] is no_press
    assert wiring.command_flows == {"delete": "delete"}
    assert wiring.on_start == (on_start,) and wiring.on_safety == (on_safety,)


def test_flows_are_added_only_through_add_flow() -> None:
    wiring = registered()
    flows = wiring.flows
    with pytest.raises(TypeError):  # no way past the duplicate check and title
        flows["language"] = LanguageFlow()  # type: ignore[index]
    assert list(flows) == ["delete"]
    wiring.add_flow(LanguageFlow(), title="common.flows.language")
    assert list(wiring.flows) == ["delete", LanguageFlow.name]
    assert [flow.name for flow in wiring.flows.values()] == list(wiring.flows)


def test_a_command_cannot_start_a_flow_that_is_not_registered() -> None:
    with pytest.raises(LookupError):
        Wiring().add_command_flow("language", LanguageFlow.name)


def test_registering_twice_through_build_wiring_fails_at_once() -> None:
    from bot.features import summary

    wiring = build_wiring()
    with pytest.raises(ValueError):
        summary.register(wiring)


def test_what_the_engine_reads_cannot_be_written_from_outside() -> None:
    wiring = registered()
    with pytest.raises(TypeError):
        wiring.commands["help"] = no_reply  # type: ignore[index]
    with pytest.raises(TypeError):
        wiring.presses["y"] = no_press  # type: ignore[index]
    with pytest.raises(TypeError):
        wiring.command_flows["other"] = "delete"  # type: ignore[index]
    with pytest.raises(TypeError):
        wiring.recorders[str] = lambda tx, fact: None  # type: ignore[index]
    with pytest.raises(AttributeError):
        wiring.commands = {}  # type: ignore[misc]
