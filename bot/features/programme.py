"""/programme and /today: the 12-week coaching programme's state, sessions and the one
daily message that replaces the check-in, exercise and walking reminders.

The rules are pure (``flows.programme``) and the flows only decide; this module loads
what they read and records what they decide, in the turn's transaction: the state, the
day's session, and the reminders switched off at enrolment and back on when leaving.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.consent import has_current_consent
from bot.conversation.registry import StartFlow, Wiring
from bot.features import caution, checkin, exercise
from bot.features.common import DELIVERY_ID, require_consent, today
from bot.features.reminders import save_reminder
from data.programme import ProgrammeRow
from data.turn import Turn
from flows import programme_day as pd
from flows import programme_menu, today_flow
from flows import programme_message as pm
from flows.i18n import Translator
from flows.runtime import Context, Reply
from flows.schedule import PROGRAMME, Rule
from flows.streaks import local_day

PRESS_PREFIX = "p"
"""The daily message's own buttons: ``p|<delivery id>|later``."""

SESSIONS_WITHOUT_STATE = timedelta(days=120)
"""How far back sessions are read when the stored state gives no enrolment date."""


def _enrolled_on(state: dict[str, Any] | None, fallback: date) -> date:
    value = state.get("enrolled_on") if state else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else fallback
    except ValueError:
        return fallback


def day_history(tx: Turn, row: ProgrammeRow | None) -> dict[str, Any]:
    """What the plan of a day reads: the stored programme ``row`` (read by the caller,
    so it is read once), its sessions since enrolment, the open caution (new symptoms
    bring the red-flag review) and the check-in rows. The daily
    message needs no more, and it runs once per enrolled user per tick."""
    state = row.state if row is not None else None
    since = _enrolled_on(state, today(tx) - SESSIONS_WITHOUT_STATE)
    return {
        pd.PROGRAMME: state,
        pd.LEFT: row is not None and not row.enrolled,
        pd.SESSIONS: tx.programme_sessions(since),
        **caution.history(tx),
        **checkin.history(tx),
    }


def programme_history(tx: Turn) -> dict[str, Any]:
    """The day's history, and what enrolling reads: the latest self-check's risk and
    the reminder kinds switched on."""
    latest = tx.latest_test()
    return {
        **day_history(tx, tx.programme()),
        pd.RISK: latest.risk if latest else None,
        pd.REMINDER_KINDS: [r.kind for r in tx.reminders() if r.enabled and not r.one_off],
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


def on_press(tx: Turn, parts: list[str], t: Translator) -> list[Reply | StartFlow]:
    """ "Later" on the day's message: once, on today's message of the pressing user's
    own programme. The message comes back in an hour as a one-off slot of the same
    dispatcher (in place of the day's follow-up); after repeated snoozes the menu
    offers a later daily time, which changes only when the person says yes."""
    gone: list[Reply | StartFlow] = [Reply(t("reminders.ack.gone"))]
    if len(parts) != 2 or not DELIVERY_ID.fullmatch(parts[0]) or parts[1] != pm.LATER:
        return gone
    found = tx.delivery_of(int(parts[0]))
    row = tx.programme()
    if found is None or found[1].kind != PROGRAMME or row is None or not row.enrolled:
        return gone
    if not has_current_consent(tx.user) or local_day(found[0].slot, tx.user.timezone) != today(tx):
        return gone  # yesterday's message: today's will come at its time
    ctx = Context(t, tx.now, tx.user.timezone, day_history(tx, row))
    put = pm.put_off(ctx)
    if put is None or not tx.act_on_delivery(int(parts[0]), "snooze"):
        return [Reply(t("reminders.ack.already"))]
    tx.save_programme(put.state.to_dict())
    if put.due is not None:
        tx.drop_pending_one_offs(PROGRAMME)
        tx.add_one_off(PROGRAMME, {"kind": PROGRAMME, pm.SNOOZED: True}, put.due)
    if put.offer is None:
        return [put.reply]
    offer = {
        programme_menu.MODE: programme_menu.SUGGEST,
        programme_menu.SUGGESTED: programme_menu.hhmm(put.offer),
    }
    return [put.reply, StartFlow(programme_menu.NAME, offer)]


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
    wiring.add_press(PRESS_PREFIX, on_press)
