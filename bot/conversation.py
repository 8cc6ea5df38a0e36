"""The conversation engine: one user event in, replies out, state and facts stored.

Telegram handlers and the terminal chat both call :meth:`Conversations.handle`, so the
two front ends can never drift apart. A whole turn is one synchronous function over one
database transaction; the async bot runs it in a worker thread.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from bot.clock import Clock
from bot.logsafe import user_ref
from data.store import SavedState, Store, Turn, UserInfo
from flows import coach, typed_answer
from flows.exercises import WALK_ID, load_library
from flows.i18n import Catalogue, Translator
from flows.runtime import (
    Attachment,
    Choice,
    Context,
    Event,
    Flow,
    FlowRegistry,
    FlowState,
    Outcome,
    Press,
    Reply,
    Text,
)
from flows.safety import Signal, build_screen
from flows.understanding.evaluation import intent_of
from flows.understanding.labels import Label
from flows.understanding.safety_call import (
    Call,
    answer_safety_press,
    decide,
    safety_replies,
    signal_of,
)

if TYPE_CHECKING:
    from bot.understanding import Understanding, Understood

log = logging.getLogger(__name__)

FLOW_TTL = timedelta(days=1)
MAX_TEXT = 4096
FLOW_PREFIX = "f"
COMMAND_PREFIX = "c"
SAFETY_PREFIX = "s"
SEP = "|"


Kind = Literal["command", "press", "text"]


@dataclass(frozen=True)
class Incoming:
    """One thing a user did, stripped of everything Telegram-specific."""

    user_id: int
    kind: Kind
    command: str = ""
    text: str = ""
    callback: str = ""
    language_code: str | None = None
    first_name: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Outgoing:
    """A reply ready for any front end: text, rows of buttons with callback data, and an
    optional chart or file that the front end sends after the text. ``in_place``: it
    may take the place of the pressed question (:attr:`flows.runtime.Reply.in_place`)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    in_place: bool = field(default=False, compare=False)


@dataclass
class TurnResult:
    replies: list[Outgoing] = field(default_factory=list)
    stale: bool = False


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


@dataclass(frozen=True)
class StartFlow:
    """Returned by a press handler to start a flow (a reminder's "Start" button)."""

    flow: str
    history: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AfterTurn:
    """A command's reply that is written only once the turn has committed.

    For reads across all users (``/stats``): inside the turn they would run while the
    turn holds the write lock, and on SQLite every other writer (other users' turns,
    the reminder dispatcher) would wait for them. The reply keeps its place among the
    turn's replies.
    """

    render: Callable[[], Reply]


FactRecorder = Callable[[Turn, Any], None]
HistoryLoader = Callable[[Turn], Mapping[str, Any]]
PressHandler = Callable[[Turn, list[str], Translator], list[Reply | StartFlow]]
CommandHandler = Callable[[Turn, Translator], Sequence[Reply | AfterTurn]]
SafetyHook = Callable[[Turn, Signal], None]


@dataclass
class Wiring:
    """What the engine dispatches to; each issue's feature registers itself here."""

    flows: FlowRegistry
    command_flows: dict[str, str]
    command_history: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Extra history for a flow started by one command (``/plan`` vs ``/reminders``)."""
    recorders: dict[type, FactRecorder] = field(default_factory=dict)
    history: dict[str, HistoryLoader] = field(default_factory=dict)
    commands: dict[str, CommandHandler] = field(default_factory=dict)
    presses: dict[str, PressHandler] = field(default_factory=dict)
    on_start: list[Callable[[Turn], None]] = field(default_factory=list)
    on_safety: list[SafetyHook] = field(default_factory=list)
    """Run in the turn whenever the safety screen's message was shown (to remember it)."""

    def record(self, fact_type: type, recorder: FactRecorder) -> None:
        """Register the one recorder of a fact; a second one would silently win."""
        if fact_type in self.recorders:
            raise ValueError(f"{fact_type.__name__} already has a recorder")
        self.recorders[fact_type] = recorder

    """Run on every /start (a user coming back after blocking the bot, for example)."""


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
        consent_version: int = 1,
        understanding: Understanding | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.catalogue = catalogue
        self.wiring = wiring
        self.default_language = default_language
        self.default_timezone = default_timezone
        self.screen = build_screen(catalogue)
        self.consent_version = consent_version
        self.understanding = understanding

    # -- the entry point -------------------------------------------------------------

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
            session = _TurnSession(self, tx, incoming, understood)
            result = session.run()
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


class _TurnSession:
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

    def run(self) -> TurnResult:
        kind = self.incoming.kind
        if kind == "command":
            self._command(self.incoming.command.lower())
        elif kind == "press":
            self._press(self.incoming.callback)
        else:
            self._text(self.incoming.text)
        return self.result

    # -- state -----------------------------------------------------------------------

    def _load_state(self) -> SavedState | None:
        saved = self.tx.state
        if saved is None:
            return None
        flow = self.wiring.flows.get(saved.flow)
        if flow is None or self.tx.now - saved.updated_at > FLOW_TTL:
            self.tx.clear_state()
            if flow is not None:
                self._say(Reply(self.t("common.flow_expired")))
            return None
        return saved

    def _context(self, flow: Flow, extra: Mapping[str, Any] | None = None) -> Context:
        loader = self.wiring.history.get(flow.name)
        tx = self.tx
        history = LazyHistory(
            {"first_name": self.incoming.first_name or ""},
            (lambda: loader(tx)) if loader is not None else None,
            extra or {},
        )
        return Context(self.t, self.tx.now, self.user.timezone, history)

    def _apply(self, flow: Flow, outcome: Outcome) -> None:
        for fact in outcome.facts:
            recorder = self.wiring.recorders.get(type(fact))
            if recorder is None:
                raise LookupError(f"no recorder for fact {type(fact).__name__}")
            recorder(self.tx, fact)
        # A fact may have changed the user's language; later replies follow it.
        self.user = self.tx.user
        self.t = self.engine.translator_for(self.user)
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
            self._say(reply, nonce)

    def _current_flow(self) -> tuple[Flow, FlowState] | None:
        if self.saved is None:
            return None
        flow = self.wiring.flows.get(self.saved.flow)
        if flow is None:
            return None
        return flow, FlowState(self.saved.flow, self.saved.step, self.saved.answers)

    def _repeat_current(self, intro_key: str | None = None) -> None:
        current = self._current_flow()
        if current is None or self.saved is None:
            return
        flow, state = current
        if intro_key:
            self._say(Reply(self.t(intro_key)))
        for reply in flow.current(state, self._context(flow)):
            self._say(reply, self.saved.nonce)

    # -- events ----------------------------------------------------------------------

    def _command(self, name: str) -> None:
        force = name.endswith("!")
        name = name.rstrip("!")
        if name == "cancel":
            if self.saved is None:
                self._say(Reply(self.t("common.nothing_to_cancel")))
            else:
                self.tx.clear_state()
                self.saved = None
                self._say(Reply(self.t("common.cancelled")))
            return
        if name == "resume":
            if self.saved is None:
                self._say(Reply(self.t("common.nothing_to_cancel")))
            self._repeat_current()
            return
        current_consent = self.user.consent_version == self.engine.consent_version
        if name == "start" and current_consent and self.saved is None and not force:
            self._restart()
            name_text = (self.incoming.first_name or "").strip()[:64] or self.t("common.no_name")
            # The way back to the consent question (to withdraw it), language and zone.
            review = _command_choice(self.t("onboarding.review"), "start!")
            self._say(Reply(self.t("onboarding.welcome_back", name=name_text), ((review,),)))
            return
        if name == "start":
            self._restart()
        flow_name = self.wiring.command_flows.get(name)
        if flow_name is not None:
            self._start_flow(name, flow_name, force=force or name == "start")
            return
        handler = self.wiring.commands.get(name)
        if handler is not None:
            for reply in handler(self.tx, self.t):
                if isinstance(reply, AfterTurn):
                    self.after_turn.append((len(self.result.replies), reply))
                    self._say(Reply(""))  # its place; filled in after the commit
                else:
                    self._say(reply)
            if self.tx.erased:  # /delete: there is nothing left to come back to
                self.saved = None
            if self.saved is not None:
                self._repeat_current("common.resume_after_command")
            return
        self._say(Reply(self.t("common.not_understood")))
        self._repeat_current()

    def _consent_ok(self) -> bool:
        """Health data needs consent to the current text; an older consent is asked
        again before anything new is stored."""
        if self._may_keep_health_data():
            return True
        if not self.user.has_consent:
            self._say(Reply(self.t("common.need_consent")))
            return False
        self._say(Reply(self.t("privacy.reconsent")))
        onboarding = self.wiring.flows.get(self.wiring.command_flows.get("start", ""))
        if onboarding is not None:
            self._apply(onboarding, onboarding.start(self._context(onboarding)))
        return False

    def _restart(self) -> None:
        self.tx.reactivate()
        for hook in self.wiring.on_start:
            hook(self.tx)

    def _start_named_flow(self, flow_name: str, history: dict[str, Any]) -> None:
        """Start a flow from a button: it replaces whatever flow was open."""
        flow = self.wiring.flows.get(flow_name)
        if flow is None:
            self._command(flow_name)  # a button may also run a plain command
            return
        if flow.needs_consent and not self._consent_ok():
            return
        self._apply(flow, flow.start(self._context(flow, history)))

    def _start_flow(self, command: str, flow_name: str, *, force: bool) -> None:
        flow = self.wiring.flows.get(flow_name)
        if flow is None:
            self._say(Reply(self.t("common.not_understood")))
            return
        if flow.needs_consent and not self._consent_ok():
            return
        losing = None if force else self._unsaved_flow(flow_name)
        if losing is not None:
            self._say(
                Reply(
                    self.t(
                        "common.switch_question",
                        current=self.t(f"common.flows.{losing}"),
                        target=self.t(f"common.flows.{flow_name}"),
                    ),
                    (
                        (_command_choice(self.t("common.switch_yes"), f"{command}!"),),
                        (_command_choice(self.t("common.switch_no"), "resume"),),
                    ),
                )
            )
            return
        extra = self.wiring.command_history.get(command, {})
        self._apply(flow, flow.start(self._context(flow, extra)))

    def _unsaved_flow(self, flow_name: str) -> str | None:
        """The open flow, when ``flow_name`` replacing it would lose something the user
        gave and that is not stored yet; None when nothing would be lost (a lesson being
        read, settings already saved, a question not yet answered)."""
        current = self._current_flow()
        if current is None or current[1].flow == flow_name:
            return None
        flow, state = current
        return state.flow if flow.holds_unsaved(state) else None

    def _press(self, data: str) -> None:
        parts = data.split(SEP)
        prefix = parts[0]
        if prefix == COMMAND_PREFIX and len(parts) == 2 and parts[1]:
            self._command(parts[1])
            return
        if prefix == FLOW_PREFIX and len(parts) == 3:
            _, nonce, value = parts
            current = self._current_flow()
            if current is None or self.saved is None or nonce != self.saved.nonce:
                self._stale()
                return
            flow, state = current
            if flow.needs_consent and not self._consent_ok():
                return
            self._apply(flow, flow.handle(state, Press(value), self._context(flow)))
            return
        if prefix == SAFETY_PREFIX:
            self._safety_press(parts[1:])
            return
        handler = self.wiring.presses.get(prefix)
        if handler is not None:
            for item in handler(self.tx, parts[1:], self.t):
                if isinstance(item, StartFlow):
                    self._start_named_flow(item.flow, dict(item.history))
                else:
                    self._say(item)
            return
        self._stale()

    def _stale(self) -> None:
        self.result.stale = True
        if self.saved is None:
            self._say(Reply(self.t("common.stale_button_no_flow")))
        else:
            self._repeat_current("common.stale_button")

    def _text(self, text: str) -> None:
        reading = self.understood.reading if self.understood is not None else None
        call = decide(self.engine.screen.check(text), reading)
        if call is not None:
            self._show_safety(call)
            return
        current = self._current_flow()
        if current is None:
            self._coach(text)
            return
        flow, state = current
        if flow.needs_consent and not self._consent_ok():
            return
        ctx = self._context(flow)
        # One reading of typed answers for every question with buttons: a label, a
        # yes/no word, a number word; what fits no button is the flow's to read.
        answer = typed_answer.read(text, flow.current(state, ctx), self.t)
        event: Event = Text(text[:MAX_TEXT])
        if isinstance(answer, typed_answer.Unclear):
            rows = tuple((choice,) for choice in answer.choices)
            self._say(
                Reply(self.t("common.which_one"), rows), self.saved.nonce if self.saved else ""
            )
            return
        if isinstance(answer, typed_answer.Picked):
            if answer.choice.command:
                self._command(answer.choice.command)
                return
            event = Press(answer.choice.value)
        self._apply(flow, flow.handle(state, event, ctx))

    def _show_safety(self, call: Call) -> None:
        """The one place a safety message is shown for typed words: before anything
        else, with the flow waiting (its question stays answerable), and remembered by
        the features (a caution, a follow-up the next day) in the same turn. A question
        (the classifier unsure) is remembered only once it is answered."""
        log.info("safety call: %s", call.value)
        for reply in safety_replies(call, self.t, self.user.timezone):
            self._say(reply, prefix=SAFETY_PREFIX)
        self._remember_safety(signal_of(call))
        if self.saved is not None:
            # One tap brings the question back; the flow never moves on by itself.
            carry_on = _command_choice(self.t("common.continue"), "resume")
            self._say(Reply(self.t("safety.paused"), ((carry_on,),)))

    def _safety_press(self, parts: list[str]) -> None:
        """An answer to the direct question: the lines or the advice when it says so.
        These buttons never go stale: "yes" a day later still deserves the lines."""
        answered = answer_safety_press(parts, self.t, self.user.timezone)
        if answered is None:
            self._stale()
            return
        replies, signal = answered
        for reply in replies:
            self._say(reply)
        self._remember_safety(signal)

    def _remember_safety(self, signal: Signal | None) -> None:
        if signal is not None:
            for hook in self.wiring.on_safety:
                hook(self.tx, signal)

    def _coach(self, text: str) -> None:
        """Free text outside a question: answered as a coach would, by its meaning."""
        intent = self._intent()
        log.info("coach intent: %s", intent.value if intent else "none")
        understanding = self.engine.understanding
        nearby = coach.Nearby()
        if understanding is not None and self.understood is not None:
            vector, language = self.understood.vector, self.user.language
            exercises = understanding.closest(vector, language, "exercise", 6)
            library = load_library(self.t)
            nearby = coach.Nearby(
                exercises=[e for e in exercises if e != WALK_ID][:3],
                lessons=understanding.closest(vector, language, "lesson", 1),
                exercise_titles={ex_id: ex.title for ex_id, ex in library.items()},
                calm_exercises=[
                    e for e in exercises if library[e].category in coach.CALM_CATEGORIES
                ],
            )
        answer = coach.answer(
            intent or Label.OTHER,
            text,
            self.t,
            nearby,
            can_keep=self._may_keep_health_data(),
            first_name=self.incoming.first_name or "",
        )
        for fact in answer.facts:
            self.wiring.recorders[type(fact)](self.tx, fact)
        for reply in answer.replies:
            self._say(reply, prefix=coach.PREFIX)
        if answer.command is not None:
            self._command(answer.command)
        elif answer.flow is not None:
            self._start_named_flow(answer.flow, dict(answer.flow_history))

    def _intent(self) -> Label | None:
        return intent_of(self.understood.reading) if self.understood is not None else None

    def _may_keep_health_data(self) -> bool:
        """Consent to the current text: the one test the engine makes before health data."""
        return self.user.has_consent and self.user.consent_version == self.engine.consent_version

    # -- output ----------------------------------------------------------------------

    def _say(self, reply: Reply, nonce: str = "", *, prefix: str = FLOW_PREFIX) -> None:
        self.result.replies.append(to_outgoing(reply, nonce=nonce, prefix=prefix))


def _command_choice(label: str, command: str) -> Choice:
    return Choice(label, command=command)


def to_outgoing(reply: Reply, *, nonce: str = "", prefix: str = FLOW_PREFIX) -> Outgoing:
    """Turn a flow's reply into buttons with callback data.

    Flow buttons carry the question's nonce (``f|nonce|value``) so a stale press is
    recognised; other features use their own ``prefix`` (``r|<delivery>|<action>``).
    """
    rows = tuple(
        tuple(
            Button(choice.label, _callback(choice.command, choice.value, nonce, prefix))
            for choice in row
        )
        for row in reply.choices
    )
    return Outgoing(reply.text, rows, reply.attachment, reply.in_place)


def _callback(command: str | None, value: str, nonce: str, prefix: str) -> str:
    if command:
        data = f"{COMMAND_PREFIX}{SEP}{command}"
    elif prefix == FLOW_PREFIX:
        data = f"{FLOW_PREFIX}{SEP}{nonce}{SEP}{value}"
    else:
        data = f"{prefix}{SEP}{value}"
    if len(data.encode()) > 64:
        raise ValueError(f"callback data over 64 bytes: {data[:20]}…")
    return data
