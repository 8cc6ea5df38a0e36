"""The conversation engine: one user event in, replies out, state and facts stored.

Telegram handlers and the terminal chat both call :meth:`Conversations.handle`, so the
two front ends can never drift apart. A whole turn is one synchronous function over one
database transaction; the async bot runs it in a worker thread. This module reads the
event (a command, a button's callback data, typed text) and sends it on: commands and
flow starts to :mod:`bot.conversation.switching`, alarms to
:mod:`bot.conversation.safety`, a flow's answer to the flow, and free text outside a
question to the coach.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.conversation.messages import (
    COMMAND_PREFIX,
    FLOW_PREFIX,
    MAX_TEXT,
    SAFETY_PREFIX,
    SEP,
    Incoming,
    TurnResult,
    to_outgoing,
)
from bot.conversation.registry import StartFlow, Wiring
from bot.conversation.safety import safety_press, show_safety
from bot.conversation.session import TurnSession
from bot.conversation.switching import consent_ok, run_command, start_named_flow
from bot.logsafe import user_ref
from data.store import Store
from data.values import UserInfo
from flows import coach, typed_answer
from flows.exercises.library import load_library
from flows.exercises.walking import WALK_ID
from flows.i18n import Catalogue, Translator
from flows.runtime import Event, Press, Reply, Text
from flows.safety import build_screen
from flows.understanding.evaluation import intent_of
from flows.understanding.labels import Label
from flows.understanding.safety_call import decide_typed

if TYPE_CHECKING:
    from bot.understanding import Understanding

log = logging.getLogger(__name__)


class Conversations:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        catalogue: Catalogue,
        wiring: Wiring,
        *,
        default_language: str = "en",
        default_timezone: str = "Europe/Brussels",
        understanding: Understanding | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.catalogue = catalogue
        self.wiring = wiring
        self.default_language = default_language
        self.default_timezone = default_timezone
        self.screen = build_screen(catalogue)
        self.understanding = understanding

    def handle(self, incoming: Incoming) -> TurnResult:
        now = self.clock.now()
        language = self.catalogue.pick_language(incoming.language_code, self.default_language)
        # Read the message before the transaction: encoding takes milliseconds, and on
        # SQLite a turn holds the one write lock while it runs.
        understood = None
        if incoming.kind == "text" and self.understanding is not None:
            understood = self.understanding.read(incoming.text[:MAX_TEXT])
        with self.store.turn(
            incoming.user_id, now, language=language, timezone=self.default_timezone
        ) as tx:
            session = TurnSession(self, tx, incoming, understood)
            if incoming.kind == "command":
                run_command(session, incoming.command.lower())
            elif incoming.kind == "press":
                _press(session, incoming.callback)
            else:
                _text(session, incoming.text)
            result = session.result
        for index, later in session.after_turn:
            result.replies[index] = to_outgoing(later.render())
        log.debug(
            "turn user=%s kind=%s replies=%d",
            user_ref(incoming.user_id),
            incoming.kind,
            len(result.replies),
        )
        return result

    def translator_for(self, user: UserInfo) -> Translator:
        return self.catalogue.translator(user.language)


def _press(s: TurnSession, data: str) -> None:
    parts = data.split(SEP)
    prefix = parts[0]
    if prefix == COMMAND_PREFIX and len(parts) == 2 and parts[1]:
        run_command(s, parts[1])
        return
    if prefix == FLOW_PREFIX and len(parts) == 3:
        _, nonce, value = parts
        current = s.current_flow()
        if current is None or s.saved is None or nonce != s.saved.nonce:
            s.stale()
            return
        flow, state = current
        if flow.needs_consent and not consent_ok(s):
            return
        s.apply(flow, flow.handle(state, Press(value), s.context(flow)))
        return
    if prefix == SAFETY_PREFIX:
        safety_press(s, parts[1:])
        return
    handler = s.wiring.presses.get(prefix)
    if handler is not None:
        for item in handler(s.tx, parts[1:], s.t):
            if isinstance(item, StartFlow):
                start_named_flow(s, item.flow, dict(item.history))
            else:
                s.say(item)
        return
    s.stale()


def _text(s: TurnSession, text: str) -> None:
    reading = s.understood.reading if s.understood is not None else None
    call = decide_typed(text, s.engine.screen.check(text), reading)
    if call is not None:
        show_safety(s, call)
        return
    current = s.current_flow()
    if current is None:
        _coach(s, text)
        return
    flow, state = current
    if flow.needs_consent and not consent_ok(s):
        return
    ctx = s.context(flow)
    # One reading of typed answers for every question with buttons: a label, a
    # yes/no word, a number word; what fits no button is the flow's to read.
    answer = typed_answer.read(text, flow.current(state, ctx), s.t)
    event: Event = Text(text[:MAX_TEXT])
    if isinstance(answer, typed_answer.Unclear):
        rows = tuple((choice,) for choice in answer.choices)
        s.say(Reply(s.t("common.which_one"), rows), s.saved.nonce if s.saved else "")
        return
    if isinstance(answer, typed_answer.Picked):
        if answer.choice.command:
            run_command(s, answer.choice.command)
            return
        event = Press(answer.choice.value)
    s.apply(flow, flow.handle(state, event, ctx))


def _coach(s: TurnSession, text: str) -> None:
    """Free text outside a question: answered as a coach would, by its meaning."""
    intent = intent_of(s.understood.reading) if s.understood is not None else None
    log.info("coach intent: %s", intent.value if intent else "none")
    understanding = s.engine.understanding
    nearby = coach.Nearby()
    if understanding is not None and s.understood is not None:
        vector, language = s.understood.vector, s.user.language
        exercises = understanding.closest(vector, language, "exercise", 6)
        library = load_library(s.t)
        nearby = coach.Nearby(
            exercises=[e for e in exercises if e != WALK_ID][:3],
            lessons=understanding.closest(vector, language, "lesson", 1),
            exercise_titles={ex_id: ex.title for ex_id, ex in library.items()},
            calm_exercises=[e for e in exercises if library[e].category in coach.CALM_CATEGORIES],
        )
    answer = coach.answer(
        intent or Label.OTHER,
        text,
        s.t,
        nearby,
        can_keep=s.may_keep_health_data(),
        first_name=s.incoming.first_name or "",
    )
    s.record(answer.facts)
    for reply in answer.replies:
        s.say(reply, prefix=coach.PREFIX)
    if answer.command is not None:
        run_command(s, answer.command)
    elif answer.flow is not None:
        start_named_flow(s, answer.flow, dict(answer.flow_history))
