"""One turn's working state and the few moves every kind of event is built from.

A :class:`TurnSession` holds the transaction, the user, their translator, the open flow
and the replies so far. Commands, presses, typed text and safety messages
(:mod:`bot.conversation.switching`, :mod:`bot.conversation.safety`,
:mod:`bot.conversation.engine`) all act through its moves: load the saved step, build a
flow's context, apply an outcome (facts to their recorders, the new step saved with a
fresh nonce), ask the open question again, and say something. Keeping these in one
place is what makes a step saved, recorded and shown the same way whatever started it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.consent import has_current_consent
from bot.conversation.messages import FLOW_PREFIX, Incoming, TurnResult, to_outgoing
from bot.conversation.registry import AfterTurn
from data.turn import Turn
from data.values import SavedState
from flows.runtime import Context, Flow, FlowState, Outcome, Reply

if TYPE_CHECKING:
    from bot.conversation.engine import Conversations
    from bot.understanding import Understood

FLOW_TTL = timedelta(days=1)
"""A flow untouched this long is cleared at the next turn, with a short note."""


class LazyHistory(Mapping[str, Any]):
    """A flow's history, loaded on first read rather than on every turn.

    Most steps never look at history (the check-in reads it when it starts and when it
    ends), and loading it was the largest cost of a button press (bench.throughput).
    It is read inside the turn, so it sees the turn's own transaction.
    """

    def __init__(
        self,
        base: dict[str, Any],
        load: Callable[[], Mapping[str, Any]] | None,
        extra: Mapping[str, Any],
    ) -> None:
        self._base, self._load, self._extra = base, load, extra
        self._data: dict[str, Any] | None = None

    def _loaded(self) -> dict[str, Any]:
        if self._data is None:
            data = dict(self._base)
            if self._load is not None:
                data.update(self._load())
            data.update(self._extra)
            self._data = data
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


class TurnSession:
    """The work of one turn, with the transaction, user and translator at hand."""

    def __init__(
        self,
        engine: Conversations,
        tx: Turn,
        incoming: Incoming,
        understood: Understood | None = None,
    ) -> None:
        self.engine = engine
        self.understood = understood
        self.wiring = engine.wiring
        self.tx = tx
        self.incoming = incoming
        self.user = tx.user
        self.t = engine.translator_for(self.user)
        self.result = TurnResult()
        self.after_turn: list[tuple[int, AfterTurn]] = []
        """Replies to render after the commit, by their place in ``result.replies``."""
        self.saved = self._load_state()

    # -- state -----------------------------------------------------------------------

    def _load_state(self) -> SavedState | None:
        saved = self.tx.state
        if saved is None:
            return None
        flow = self.wiring.flows.get(saved.flow)
        if flow is None or self.tx.now - saved.updated_at > FLOW_TTL:
            self.tx.clear_state()
            if flow is not None:
                self.say(Reply(self.t("common.flow_expired")))
            return None
        return saved

    def context(self, flow: Flow, extra: Mapping[str, Any] | None = None) -> Context:
        loader = self.wiring.history.get(flow.name)
        tx = self.tx
        history = LazyHistory(
            {"first_name": self.incoming.first_name or ""},
            (lambda: loader(tx)) if loader is not None else None,
            extra or {},
        )
        return Context(self.t, self.tx.now, self.user.timezone, history)

    def record(self, facts: tuple[object, ...]) -> None:
        """Each fact to its one recorder, in this transaction."""
        for fact in facts:
            recorder = self.wiring.recorders.get(type(fact))
            if recorder is None:
                raise LookupError(f"no recorder for fact {type(fact).__name__}")
            recorder(self.tx, fact)
        # A fact may have changed the user's language; later replies follow it.
        self.user = self.tx.user
        self.t = self.engine.translator_for(self.user)

    def apply(self, flow: Flow, outcome: Outcome) -> None:
        self.record(outcome.facts)
        nonce = ""
        if outcome.state is None:
            self.tx.clear_state()
            self.saved = None
        else:
            nonce = secrets.token_hex(4)
            answers = dict(outcome.state.answers)
            self.tx.save_state(outcome.state.flow, outcome.state.step, answers, nonce)
            self.saved = SavedState(
                outcome.state.flow, outcome.state.step, answers, nonce, self.tx.now
            )
        for reply in outcome.replies:
            self.say(reply, nonce)

    def clear_flow(self) -> None:
        self.tx.clear_state()
        self.saved = None

    def current_flow(self) -> tuple[Flow, FlowState] | None:
        if self.saved is None:
            return None
        flow = self.wiring.flows.get(self.saved.flow)
        if flow is None:
            return None
        return flow, FlowState(self.saved.flow, self.saved.step, self.saved.answers)

    def repeat_current(self, intro_key: str | None = None) -> None:
        current = self.current_flow()
        if current is None or self.saved is None:
            return
        flow, state = current
        if intro_key:
            self.say(Reply(self.t(intro_key)))
        for reply in flow.current(state, self.context(flow)):
            self.say(reply, self.saved.nonce)

    def may_keep_health_data(self) -> bool:
        """Consent to the current text: the one test before health data."""
        return has_current_consent(self.user)

    # -- output ----------------------------------------------------------------------

    def stale(self) -> None:
        """A button that no longer means anything: say so, and show the open question."""
        self.result.stale = True
        if self.saved is None:
            self.say(Reply(self.t("common.stale_button_no_flow")))
        else:
            self.repeat_current("common.stale_button")

    def say(self, reply: Reply, nonce: str = "", *, prefix: str = FLOW_PREFIX) -> None:
        self.result.replies.append(to_outgoing(reply, nonce=nonce, prefix=prefix))

    def say_later(self, later: AfterTurn) -> None:
        """Keep the reply's place; it is written after the commit."""
        self.after_turn.append((len(self.result.replies), later))
        self.say(Reply(""))
