"""/learn: short lessons, with the cards the latest self-check picked first and the ones
already read marked (those are remembered only with consent)."""

from __future__ import annotations

from typing import Any

from bot.conversation import Wiring
from bot.features.common import has_current_consent
from data.turn import Turn
from flows import learn


def history(tx: Turn) -> dict[str, Any]:
    if not has_current_consent(tx):
        # Lessons are open to everyone, but what someone reads is kept only with
        # consent: without ``read_cards`` the flow keeps no list of reads either.
        return {"recommended_cards": []}
    latest = tx.latest_test()
    cards = latest[1].get("recommended_cards", []) if latest else []
    return {"recommended_cards": list(cards), "read_cards": tx.lessons_read()}


def record_read(tx: Turn, fact: learn.CardRead) -> None:
    if has_current_consent(tx):
        tx.mark_lesson_read(fact.card_id)


def register(wiring: Wiring) -> None:
    flow = learn.LearnFlow()
    wiring.flows.add(flow)
    wiring.command_flows["learn"] = flow.name
    wiring.history[flow.name] = history
    wiring.record(learn.CardRead, record_read)
