"""/checkin: the daily check-in, one per local day."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.conversation import Wiring
from bot.features.common import require_consent, today, yesterday
from data.store import Turn
from flows import checkin


def history(tx: Turn) -> dict[str, Any]:
    day = today(tx)
    return {
        "today_checkin": tx.checkin_on(day),
        "yesterday_checkin": tx.checkin_on(yesterday(tx)),
        "recent": tx.checkins_before(day, days=checkin.RECENT_WINDOW_DAYS),
    }


def record(tx: Turn, fact: checkin.CheckinRecorded) -> None:
    require_consent(tx)
    tx.record_checkin(
        date.fromisoformat(fact.local_day),
        pain=fact.pain,
        stress=fact.stress,
        sleep=fact.sleep,
        moved=fact.moved,
        note=fact.note,
    )


def register(wiring: Wiring) -> None:
    wiring.flows.add(checkin.CheckinFlow())
    wiring.command_flows["checkin"] = checkin.NAME
    wiring.history[checkin.NAME] = history
    wiring.recorders[checkin.CheckinRecorded] = record
