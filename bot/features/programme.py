"""/programme and /today: the 12-week coaching programme's state, sessions and the one
daily message that replaces the check-in, exercise and walking reminders.

The rules are pure (``flows.programme``) and the flows only decide; this module loads
what they read and records what they decide, in the turn's transaction: the state, the
day's session, and the reminders switched off at enrolment and back on when leaving.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.conversation.registry import Wiring
from bot.features import checkin, exercise
from bot.features.common import require_consent, today
from bot.features.reminders import save_reminder
from data.turn import Turn
from flows import programme_day as pd
from flows import programme_menu, today_flow
from flows.schedule import PROGRAMME, Rule

SESSIONS_WITHOUT_STATE = timedelta(days=120)
"""How far back sessions are read when the stored state gives no enrolment date."""


def _enrolled_on(state: dict[str, Any] | None, fallback: date) -> date:
    value = state.get("enrolled_on") if state else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else fallback
    except ValueError:
        return fallback


def programme_history(tx: Turn) -> dict[str, Any]:
    """The stored programme, its sessions since enrolment, the latest self-check's risk,
    the reminder kinds switched on, and the check-in rows the plan reads."""
    row = tx.programme()
    state = row.state if row is not None else None
    latest = tx.latest_test()
    since = _enrolled_on(state, today(tx) - SESSIONS_WITHOUT_STATE)
    return {
        pd.PROGRAMME: state,
        pd.LEFT: row is not None and not row.enrolled,
        pd.SESSIONS: tx.programme_sessions(since),
        pd.RISK: latest.risk if latest else None,
        pd.REMINDER_KINDS: [r.kind for r in tx.reminders() if r.enabled and not r.one_off],
        **checkin.history(tx),
    }


def today_history(tx: Turn) -> dict[str, Any]:
    """The programme's history and what the check-in and the exercises read when they
    run inside ``/today``."""
    return {**exercise.history(tx), **programme_history(tx)}


def _set_daily_time(tx: Turn, at: str, enabled: bool = True) -> None:
    rule = Rule.at(PROGRAMME, [at], timezone=tx.user.timezone).to_dict()
    save_reminder(tx, PROGRAMME, rule, enabled)


def _switch(tx: Turn, kinds: tuple[str, ...] | list[str], enabled: bool) -> list[str]:
    """Switch the regular reminders of ``kinds`` on or off; the kinds that changed."""
    changed = []
    for reminder in tx.reminders():
        if reminder.kind in kinds and not reminder.one_off and reminder.enabled != enabled:
            save_reminder(tx, reminder.kind, reminder.rule, enabled)
            changed.append(reminder.kind)
    return changed


def record_enrolled(tx: Turn, fact: pd.ProgrammeEnrolled) -> None:
    """A new programme (or a new start): the daily message replaces the check-in,
    exercise and walking reminders, which are remembered to switch on again on leaving."""
    require_consent(tx)
    row = tx.programme()
    kept = list(row.replaced) if row is not None and row.enrolled else []
    switched = _switch(tx, pd.REPLACED_KINDS, False)
    tx.enrol_programme(dict(fact.state), [*kept, *(k for k in switched if k not in kept)])


def record_changed(tx: Turn, fact: pd.ProgrammeChanged) -> None:
    require_consent(tx)
    tx.save_programme(dict(fact.state))


def record_time(tx: Turn, fact: programme_menu.DailyTimeChosen) -> None:
    require_consent(tx)
    _set_daily_time(tx, fact.at)


def record_left(tx: Turn, fact: pd.ProgrammeLeft) -> None:
    """Leaving keeps the state and the sessions; the daily message stops and the
    reminders it replaced come back."""
    require_consent(tx)
    _switch(tx, list(tx.leave_programme()), True)
    _switch(tx, [PROGRAMME], False)


def record_session(tx: Turn, fact: pd.SessionRecorded) -> None:
    require_consent(tx)
    record = dict(fact.record)
    tx.save_programme_session(
        date.fromisoformat(str(record["day"])),
        level=int(record["level"]),
        parts=[str(part) for part in record.get("parts", ())],
        feedback=record.get("feedback"),
        walk_minutes=record.get("walk_minutes"),
    )


def register(wiring: Wiring) -> None:
    menu = programme_menu.ProgrammeFlow()
    wiring.add_flow(menu, title="common.flows.programme", history=programme_history)
    wiring.add_command_flow("programme", menu.name)
    wiring.add_command_flow(
        "programme_start", menu.name, history={programme_menu.MODE: programme_menu.START}
    )
    wiring.add_command_flow(
        "programme_time", menu.name, history={programme_menu.MODE: programme_menu.DO_TIME}
    )
    session = today_flow.TodayFlow()
    wiring.add_flow(session, title="common.flows.today", history=today_history)
    wiring.add_command_flow("today", session.name)
    wiring.add_recorder(pd.ProgrammeEnrolled, record_enrolled)
    wiring.add_recorder(pd.ProgrammeChanged, record_changed)
    wiring.add_recorder(pd.ProgrammeLeft, record_left)
    wiring.add_recorder(pd.SessionRecorded, record_session)
    wiring.add_recorder(programme_menu.DailyTimeChosen, record_time)
