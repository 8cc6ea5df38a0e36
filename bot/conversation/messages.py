"""What crosses between the engine and its front ends, and how a button becomes callback
data.

Telegram, the terminal chat and the reminder senders speak to the engine only in these
shapes: an :class:`Incoming` event in, :class:`Outgoing` replies out. The callback data
written here (``f|<nonce>|<value>``, ``c|<command>``, ``<prefix>|<value>``) is what the
engine reads back when a button is pressed, so writing and reading its prefixes sit
together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from flows.runtime import Attachment, Choice, Reply

MAX_TEXT = 4096
"""Typed text longer than a Telegram message is cut before anything reads it."""
FLOW_PREFIX = "f"
COMMAND_PREFIX = "c"
SAFETY_PREFIX = "s"
SEP = "|"
ENGINE_PREFIXES = frozenset({FLOW_PREFIX, COMMAND_PREFIX, SAFETY_PREFIX})
"""Button prefixes the engine reads itself; no feature may register a press for them."""


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


def command_choice(label: str, command: str) -> Choice:
    """A button that runs a command; it stays valid after the flow that showed it."""
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
