"""/start: onboarding, consent, language and time zone."""

from __future__ import annotations

from bot.conversation.registry import Wiring
from bot.features.reminders import move_to_timezone
from flows import onboarding


def register(wiring: Wiring) -> None:
    wiring.flows.add(onboarding.OnboardingFlow())
    wiring.command_flows["start"] = onboarding.NAME
    # A "no" erases what is held, so the flow names it first (read in the same turn).
    wiring.history[onboarding.NAME] = lambda tx: {"held": tx.health_data_held()}
    wiring.record(onboarding.ConsentGiven, lambda tx, fact: tx.give_consent(fact.version))
    # The refusal erases every health row in the same transaction (Turn.refuse_consent).
    wiring.record(onboarding.ConsentRefused, lambda tx, fact: tx.refuse_consent(fact.version))
    wiring.record(onboarding.LanguageChosen, lambda tx, fact: tx.set_language(fact.language))
    # A new zone also moves every reminder with it, so 12:30 stays 12:30 where they are.
    wiring.record(onboarding.TimezoneChosen, move_to_timezone)
