"""/learn: short lessons, with the cards the latest self-check picked first."""

from __future__ import annotations

from typing import Any

from bot.conversation import Wiring
from data.store import Turn
from flows import learn


def history(tx: Turn) -> dict[str, Any]:
    latest = tx.latest_test() if tx.user.has_consent else None
    cards = latest[1].get("recommended_cards", []) if latest else []
    return {"recommended_cards": list(cards)}


def register(wiring: Wiring) -> None:
    flow = learn.LearnFlow()
    wiring.flows.add(flow)
    wiring.command_flows["learn"] = flow.name
    wiring.history[flow.name] = history
    # Reading a card is not health data: nothing is stored.
    wiring.record(learn.CardRead, lambda tx, fact: None)
