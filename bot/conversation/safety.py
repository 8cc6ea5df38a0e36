"""Showing the safety screen's message and remembering it, in the turn that shows it.

Typed words that call for the crisis lines, emergency advice or a direct question come
here before any flow or the coach sees them, and so do the answers to that question
(``s|...`` buttons). What is shown is handed to the features' safety hooks in the same
transaction (a caution, a follow-up the next day), so a message shown is never a
message forgotten.
"""

from __future__ import annotations

import logging

from bot.conversation.messages import SAFETY_PREFIX, command_choice
from bot.conversation.registry import RESUME
from bot.conversation.session import TurnSession
from flows.runtime import Reply
from flows.safety import Signal
from flows.understanding.safety_call import Call, answer_safety_press, safety_replies, signal_of

log = logging.getLogger(__name__)


def show_safety(s: TurnSession, call: Call) -> None:
    """The one place a safety message is shown for typed words: before anything
    else, with the flow waiting (its question stays answerable), and remembered by
    the features (a caution, a follow-up the next day) in the same turn. A question
    (the classifier unsure) is remembered only once it is answered."""
    log.info("safety call: %s", call.value)
    for reply in safety_replies(call, s.t, s.user.timezone):
        s.say(reply, prefix=SAFETY_PREFIX)
    _remember(s, signal_of(call))
    if s.saved is not None:
        # One tap brings the question back; the flow never moves on by itself.
        carry_on = command_choice(s.t("common.continue"), RESUME)
        s.say(Reply(s.t("safety.paused"), ((carry_on,),)))


def safety_press(s: TurnSession, parts: list[str]) -> None:
    """An answer to the direct question: the lines or the advice when it says so.
    These buttons never go stale: "yes" a day later still deserves the lines."""
    answered = answer_safety_press(parts, s.t, s.user.timezone)
    if answered is None:
        s.stale()
        return
    replies, signal = answered
    for reply in replies:
        s.say(reply)
    _remember(s, signal)


def _remember(s: TurnSession, signal: Signal | None) -> None:
    if signal is not None:
        for hook in s.wiring.on_safety:
            hook(s.tx, signal)
