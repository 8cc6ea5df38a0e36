"""/start: onboarding, consent, language and time zone."""

from __future__ import annotations

from bot.conversation import Wiring
from flows import onboarding


def register(wiring: Wiring) -> None:
    wiring.flows.add(onboarding.OnboardingFlow())
    wiring.command_flows["start"] = onboarding.NAME
    wiring.recorders.update(
        {
            onboarding.ConsentGiven: lambda tx, fact: tx.give_consent(fact.version),
            onboarding.ConsentRefused: lambda tx, fact: tx.refuse_consent(fact.version),
            onboarding.LanguageChosen: lambda tx, fact: tx.set_language(fact.language),
            onboarding.TimezoneChosen: lambda tx, fact: tx.set_timezone(fact.timezone),
        }
    )
