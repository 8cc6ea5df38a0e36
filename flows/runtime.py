"""The flow runtime: a flow is a small state machine over plain values.

Given its saved state and one user event, a flow returns the new state, the replies to
show and the facts to record. The bot layer persists state and facts in one transaction,
so a crash between two steps never loses or repeats an answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from flows.i18n import Translator

JsonValue = Any
"""Anything ``json.dumps`` accepts; flow answers must stay JSON-serialisable."""


@dataclass(frozen=True)
class Choice:
    """One button. ``value`` comes back as a :class:`Press`; keep it short and ASCII.

    A choice with ``command`` set starts that command instead (for example "take the
    pain test now" at the end of onboarding), so it stays valid after its flow ended.

    ``means`` names what the button says in the small vocabulary of typed answers
    (:data:`flows.typed_answer.MEANINGS`: "yes", "no", "back", ...), so a typed "ja" or
    "oui" can answer it (:mod:`flows.typed_answer`); empty when it has no such meaning.
    """

    label: str
    value: str = ""
    command: str | None = None
    means: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart to draw and send after the text; drawn by the bot, off the event loop."""

    data: Any
    labels: Any


@dataclass(frozen=True)
class File:
    """A file for the user (an export, a CSV of check-ins)."""

    filename: str
    content: bytes
    caption: str = ""


Attachment = Chart | File


@dataclass(frozen=True)
class Reply:
    """One message to show: localised text, optional rows of buttons and an attachment.

    ``in_place``: this reply may take the place of the question whose button was just
    pressed, in the same message, instead of coming as a new one. Every message costs
    one paced send (Telegram's 30 a second), and a new message also needs an edit to
    take the used buttons off the old one, so a step of a form costs half as much this
    way. The answered question is then gone from the chat: set it only on the reply to
    a question that has no further use once answered (not on advice, a lesson, the
    consent text), where the answers are kept elsewhere (the check-in's feedback, the
    self-check's profile). Only a flow's answer to a press of its current question can
    take the place; the bot sends it as usual otherwise. Where it goes is not what it
    says, so two replies with the same text, buttons and attachment are equal.
    """

    text: str
    choices: tuple[tuple[Choice, ...], ...] = ()
    attachment: Attachment | None = None
    in_place: bool = field(default=False, compare=False)

    def buttons(self) -> tuple[Choice, ...]:
        return tuple(choice for row in self.choices for choice in row)


@dataclass(frozen=True)
class Press:
    """The user pressed a button of the current question."""

    value: str


@dataclass(frozen=True)
class Text:
    """The user typed something while a flow was waiting."""

    text: str


Event = Press | Text


@dataclass(frozen=True)
class FlowState:
    """Where a user is in a flow. Stored as one row, so it must stay JSON-friendly."""

    flow: str
    step: str
    answers: Mapping[str, JsonValue] = field(default_factory=dict)

    def at(self, step: str, **new_answers: JsonValue) -> FlowState:
        """The same flow moved to ``step`` with ``new_answers`` merged in."""
        return replace(self, step=step, answers={**self.answers, **new_answers})


@dataclass(frozen=True)
class Context:
    """What a flow may know about the world for one turn.

    ``now`` is an aware UTC instant from the injectable clock; ``history`` holds plain
    values the bot loaded for this flow (for example the previous test result), so the
    flow itself never queries anything.
    """

    t: Translator
    now: datetime
    timezone: str
    history: Mapping[str, JsonValue] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.t.language


@dataclass(frozen=True)
class Outcome:
    """The result of one turn. ``state`` is None once the flow has finished."""

    state: FlowState | None
    replies: tuple[Reply, ...] = ()
    facts: tuple[object, ...] = ()


def reask(
    state: FlowState, question: Sequence[Reply], note: str, facts: tuple[object, ...] = ()
) -> Outcome:
    """Input that answers nothing: the same question again, with ``note`` (why it is
    asked again, ``common.please_use_buttons`` mostly) at the top of its first message.

    The one way every flow re-asks. One message, not a note and then the question: each
    message is a paced send, and the note belongs to the question it is about.
    """
    if not question:
        return Outcome(state, (Reply(note),), facts)
    first, *rest = question
    return Outcome(state, (replace(first, text=f"{note}\n\n{first.text}"), *rest), facts)


def in_place(outcome: Outcome) -> Outcome:
    """``outcome`` with its first reply taking the place of the question just answered
    (see :attr:`Reply.in_place`); a flow returns this from ``handle`` only."""
    if not outcome.replies:
        return outcome
    first, *rest = outcome.replies
    return replace(outcome, replies=(replace(first, in_place=True), *rest))


class Flow(Protocol):
    """What every flow offers the runtime and the bot."""

    name: str
    needs_consent: bool

    def start(self, ctx: Context) -> Outcome:
        """Begin the flow and ask the first question."""

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        """Advance by one user event. Invalid input re-asks; it never raises."""

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        """Ask the current question again (after a stale button or a restart)."""

    def holds_unsaved(self, state: FlowState) -> bool:
        """Whether leaving at ``state`` would lose something the user gave that is not
        stored yet (answers of a check-in half done, a plan changed but not saved).
        Only then does the bot ask before another flow takes over."""

    def transitions(self) -> list[tuple[str, str, str]]:
        """(from step, label, to step) edges, so the flow can draw itself."""


def mermaid(flow: Flow) -> str:
    """A Mermaid state diagram of ``flow``, drawn from the flow's own transitions."""
    lines = ["stateDiagram-v2"]
    for source, label, target in flow.transitions():
        src = "[*]" if source == "" else source
        dst = "[*]" if target == "" else target
        safe_label = label.replace(":", " -").replace('"', "'")
        lines.append(f"    {src} --> {dst}: {safe_label}" if label else f"    {src} --> {dst}")
    return "\n".join(lines)
