"""Remembering what the bot said about safety, and following it up the next day.

Advice to see a doctor (the self-check's emergency or same-day signs, or emergency
words typed anywhere) opens a caution with its date: exercises and plans ask about it
first (:mod:`flows.caution`) until the user says a doctor has seen them. It also
schedules one follow-up the next morning ("Did you manage to see a doctor?"); the
crisis lines schedule a gentle one of their own ("Did you manage to talk to someone?").

A follow-up is a one-off reminder row, so the reminder dispatcher sends it: one tick
for everyone, claimed under its unique (reminder, slot) key, never twice. Nothing is
stored without consent to the current text, like every other health fact.
"""

from __future__ import annotations

from typing import Any

from bot.consent import has_current_consent
from bot.conversation.messages import SEP, Outgoing, to_outgoing
from bot.conversation.registry import StartFlow, Wiring
from bot.features.common import DELIVERY_ID
from data.reminders import Claim
from data.turn import Turn
from flows import caution as cn
from flows import follow_up as fu
from flows.i18n import Catalogue, Translator
from flows.runtime import Choice, Reply
from flows.safety import Signal
from flows.schedule import Rule

PRESS_PREFIX = "u"


def history(tx: Turn) -> dict[str, Any]:
    """The open caution for the flows that ask about it (exercises, the plan)."""
    found = tx.open_caution() if has_current_consent(tx.user) else None
    if found is None:
        return {"caution": None}
    kind, raised_at = found
    return {"caution": cn.Caution(kind, raised_at).to_dict()}


def raise_caution(tx: Turn, kind: str) -> None:
    """Advice to see a doctor was given: remember it with today's date (the more
    urgent kind stands), and ask the next day whether the user managed to go."""
    if not has_current_consent(tx.user):
        return
    found = tx.open_caution()
    tx.set_caution(cn.more_urgent(found[0], kind) if found else kind)
    _follow_up(tx, fu.DOCTOR)


def crisis_lines_shown(tx: Turn) -> None:
    """The crisis lines were shown: ask gently the next day."""
    if has_current_consent(tx.user):
        _follow_up(tx, fu.CRISIS)


def clear(tx: Turn) -> None:
    """A doctor has seen the user and it is fine to go on: no caution, and no question
    about it tomorrow."""
    tx.clear_caution()
    tx.drop_pending_one_offs(fu.DOCTOR)


def _follow_up(tx: Turn, kind: str) -> None:
    """One follow-up per event: while one of ``kind`` is still to come, a second sign
    the same day adds nothing."""
    reminders = tx.reminders()
    if any(r.one_off and r.kind == kind and r.next_due_at is not None for r in reminders):
        return
    quiet = []
    for reminder in reminders:
        if reminder.one_off or not reminder.enabled:
            continue
        rule = Rule.from_dict(reminder.rule)
        if rule.quiet_start is not None and rule.quiet_end is not None:
            quiet.append((rule.quiet_start, rule.quiet_end))
    tx.add_one_off(kind, {"kind": kind}, fu.due_at(tx.now, tx.user.timezone, quiet))


def on_safety(tx: Turn, signal: Signal) -> None:
    """Typed words got the emergency advice or the crisis lines (the engine's screen)."""
    if signal is Signal.EMERGENCY:
        raise_caution(tx, cn.EMERGENCY)
    elif signal is Signal.SAMEDAY:
        raise_caution(tx, cn.SEE_DOCTOR)
    else:
        crisis_lines_shown(tx)


# -- the follow-up message and its buttons --------------------------------------------


def follow_up_message(claim: Claim, catalogue: Catalogue) -> Outgoing:
    """The question of one claimed follow-up, in the user's language, one button a row
    (``u|<delivery id>|<answer>``)."""
    t = catalogue.translator(claim.language)
    question = fu.ask(claim.kind, t)
    rows = tuple(
        (Choice(choice.label, f"{claim.delivery_id}{SEP}{choice.value}"),)
        for choice in question.buttons()
    )
    return to_outgoing(Reply(question.text, rows), prefix=PRESS_PREFIX)


def on_press(tx: Turn, parts: list[str], t: Translator) -> list[Reply | StartFlow]:
    """An answer to a follow-up: only the pressing user's own, and only once."""
    gone = [Reply(t("follow_up.press.gone"))]
    if len(parts) != 2 or not DELIVERY_ID.fullmatch(parts[0]):
        return list(gone)
    found = tx.delivery_of(int(parts[0]))
    if found is None:
        return list(gone)
    kind, answer = found[1].kind, parts[1]
    if kind not in fu.KINDS or answer not in fu.ANSWERS[kind]:
        return list(gone)
    if not tx.act_on_delivery(int(parts[0]), answer):
        return [Reply(t("follow_up.press.already"))]
    open_caution = tx.open_caution()
    if kind == fu.DOCTOR and answer == fu.SEEN:
        clear(tx)
    caution_kind = open_caution[0] if open_caution else None
    return [Reply(fu.answer_text(kind, answer, t, tx.user.timezone, caution_kind))]


def register(wiring: Wiring) -> None:
    wiring.add_recorder(cn.CautionCleared, lambda tx, fact: clear(tx))
    wiring.add_safety_hook(on_safety)
    wiring.add_press(PRESS_PREFIX, on_press)
