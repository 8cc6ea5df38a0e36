"""/start: onboarding, consent, language and time zone."""

from __future__ import annotations

from bot.conversation.registry import Wiring
from bot.features.reminders import move_to_timezone
from flows import onboarding


def register(wiring: Wiring) -> None:
    # A "no" erases what is held, so the flow names it first (read in the same turn).
    wiring.add_flow(
        onboarding.OnboardingFlow(),
        title="common.flows.onboarding",
        history=lambda tx: {"held": tx.health_data_held()},
    )
    wiring.add_command_flow("start", onboarding.NAME)
    wiring.add_recorder(onboarding.ConsentGiven, lambda tx, fact: tx.give_consent(fact.version))
    # The refusal erases every health row in the same transaction (Turn.refuse_consent).
    wiring.add_recorder(onboarding.ConsentRefused, lambda tx, fact: tx.refuse_consent(fact.version))
    wiring.add_recorder(onboarding.LanguageChosen, lambda tx, fact: tx.set_language(fact.language))
    # A new zone also moves every reminder with it, so 12:30 stays 12:30 where they are.
    wiring.add_recorder(onboarding.TimezoneChosen, move_to_timezone)
