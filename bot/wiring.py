"""Which flows, commands and fact recorders the engine knows: every feature adds its
own pieces, so the conversation engine stays generic."""

from __future__ import annotations

from bot.conversation import Wiring
from bot.features import checkin, exercise, learn, onboarding, pain_test, reminders, summary
from data.store import Turn
from flows.i18n import Translator
from flows.runtime import FlowRegistry, Reply


def _help(tx: Turn, t: Translator) -> list[Reply]:
    return [Reply(t("common.help.text"))]


def build_wiring() -> Wiring:
    wiring = Wiring(flows=FlowRegistry([]), command_flows={}, commands={"help": _help})
    for feature in (onboarding, pain_test, checkin, learn, exercise, summary, reminders):
        feature.register(wiring)
    return wiring
