"""Which flows, commands and fact recorders the engine knows.

Each feature adds its pieces here, so the conversation engine stays generic.
"""

from __future__ import annotations

from bot.conversation import Wiring
from data.store import Turn
from flows import onboarding
from flows.i18n import Translator
from flows.runtime import FlowRegistry, Reply


def _help(tx: Turn, t: Translator) -> list[Reply]:
    return [Reply(t("common.help.text"))]


def build_wiring() -> Wiring:
    flows = FlowRegistry([onboarding.OnboardingFlow()])
    return Wiring(
        flows=flows,
        command_flows={"start": onboarding.NAME},
        recorders={
            onboarding.ConsentGiven: lambda tx, fact: tx.give_consent(fact.version),
            onboarding.ConsentRefused: lambda tx, fact: tx.refuse_consent(fact.version),
            onboarding.LanguageChosen: lambda tx, fact: tx.set_language(fact.language),
            onboarding.TimezoneChosen: lambda tx, fact: tx.set_timezone(fact.timezone),
        },
        commands={"help": _help},
    )
