"""/test: the back pain self-check, stored with every answer and its scores."""

from __future__ import annotations

import logging
from typing import Any

from bot.conversation.registry import Wiring
from bot.features import caution
from bot.features.common import require_consent
from data.turn import Turn
from flows import pain_test

log = logging.getLogger(__name__)


def history(tx: Turn) -> dict[str, Any]:
    latest = tx.latest_test()
    if latest is None:
        return {"previous_test": None}
    return {
        "previous_test": dict(latest.scores),
        "previous_test_taken_at": latest.taken_at.isoformat(),
    }


def record(tx: Turn, fact: pain_test.PainTestCompleted) -> None:
    require_consent(tx)
    scores = dict(fact.scores)
    scores["recommended_cards"] = list(fact.recommended_cards)
    tx.record_test(dict(fact.answers), scores, fact.outcome)


def crisis_shown(tx: Turn, fact: pain_test.CrisisShown) -> None:
    # Counted, never tied to a person: the log line carries no user reference.
    log.info("crisis lines shown during the self-check")
    caution.crisis_lines_shown(tx)


def doctor_advised(tx: Turn, fact: pain_test.DoctorAdvised) -> None:
    require_consent(tx)
    caution.raise_caution(tx, fact.kind)


def register(wiring: Wiring) -> None:
    flow = pain_test.PainTestFlow()
    wiring.add_flow(flow, title="common.flows.pain_test", history=history)
    wiring.add_command_flow("test", flow.name)
    wiring.add_recorder(pain_test.PainTestCompleted, record)
    wiring.add_recorder(pain_test.CrisisShown, crisis_shown)
    wiring.add_recorder(pain_test.DoctorAdvised, doctor_advised)
