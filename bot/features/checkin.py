"""/checkin: the daily check-in, one per local day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.conversation.registry import Wiring
from bot.features.common import require_consent, today, yesterday
from data.turn import Turn
from flows import checkin
from flows.checkin_feedback import RECENT_WINDOW_DAYS


def history(tx: Turn) -> dict[str, Any]:
    """Today, yesterday and the 30 days before today, from one query."""
    day = today(tx)
    rows = tx.checkins_between(day - timedelta(days=RECENT_WINDOW_DAYS), day)
    by_day = {row["local_day"]: row for row in rows}
    return {
        "today_checkin": by_day.get(day.isoformat()),
        "yesterday_checkin": by_day.get(yesterday(tx).isoformat()),
        "recent": [row for row in rows if row["local_day"] != day.isoformat()],
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
    wiring.add_flow(checkin.CheckinFlow(), title="common.flows.checkin", history=history)
    wiring.add_command_flow("checkin", checkin.NAME)
    wiring.add_recorder(checkin.CheckinRecorded, record)
