"""/learn: short lessons, with the cards the latest self-check picked first and the ones
already read marked (those are remembered only with consent)."""

from __future__ import annotations

from typing import Any

from bot.consent import has_current_consent
from bot.conversation.registry import Wiring
from data.turn import Turn
from flows import learn


def history(tx: Turn) -> dict[str, Any]:
    if not has_current_consent(tx.user):
        # Lessons are open to everyone, but what someone reads is kept only with
        # consent: without ``read_cards`` the flow keeps no list of reads either.
        return {"recommended_cards": []}
    latest = tx.latest_test()
    cards = latest.scores.get("recommended_cards", []) if latest else []
    return {"recommended_cards": list(cards), "read_cards": tx.lessons_read()}


def record_read(tx: Turn, fact: learn.CardRead) -> None:
    if has_current_consent(tx.user):
        tx.mark_lesson_read(fact.card_id)


def register(wiring: Wiring) -> None:
    flow = learn.LearnFlow()
    wiring.add_flow(flow, title="common.flows.learn", history=history)
    wiring.add_command_flow("learn", flow.name)
    wiring.add_recorder(learn.CardRead, record_read)
