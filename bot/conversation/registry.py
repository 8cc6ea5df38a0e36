"""The :class:`Wiring`: everything features register and the engine dispatches to.

The engine knows no feature by name; each feature in ``bot/features`` adds its flows,
commands, button handlers, fact recorders and hooks here, and ``bot/wiring.py`` builds
the one the bot runs. Kept apart from the engine so a feature imports only what it
registers with, never the turn machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.conversation.messages import ENGINE_PREFIXES, SEP
from data.turn import Turn
from flows.i18n import Translator
from flows.runtime import Flow, Reply
from flows.safety import Signal


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
StartHook = Callable[[Turn], None]


CANCEL = "cancel"
RESUME = "resume"
ENGINE_COMMANDS = frozenset({CANCEL, RESUME})
"""Commands the engine answers itself; no feature may register them."""


class Wiring:
    """What the engine dispatches to; each feature registers itself here.

    Registration goes only through the ``add_*`` methods, and each refuses a name that
    is already taken: a second registration used to overwrite the first without a word
    (two features claiming ``/plan``, say), which no test would notice. What the engine
    reads is exposed read-only.
    """

    def __init__(self) -> None:
        self._flows: dict[str, Flow] = {}
        self._titles: dict[str, str] = {}
        self._history: dict[str, HistoryLoader] = {}
        self._command_flows: dict[str, str] = {}
        self._command_history: dict[str, Mapping[str, Any]] = {}
        self._commands: dict[str, CommandHandler] = {}
        self._consent_commands: set[str] = set()
        self._presses: dict[str, PressHandler] = {}
        self._recorders: dict[type, FactRecorder] = {}
        self._on_start: list[StartHook] = []
        self._on_safety: list[SafetyHook] = []

    # -- registering -----------------------------------------------------------------

    def add_flow(self, flow: Flow, *, title: str, history: HistoryLoader | None = None) -> None:
        """A flow, the content key that names it ("the daily check-in", for the question
        before switching away from it) and what it needs loaded from the store."""
        if flow.name in self._flows:
            raise ValueError(f"flow {flow.name!r} is registered twice")
        self._flows[flow.name] = flow
        self._titles[flow.name] = title
        if history is not None:
            self._history[flow.name] = history

    def add_command_flow(
        self, command: str, flow: str, *, history: Mapping[str, Any] | None = None
    ) -> None:
        """``/command`` starts ``flow`` (registered before), with ``history`` added to its
        context (``/plan`` opens the reminder settings at the proposal)."""
        self._claim_command(command)
        if flow not in self._flows:
            raise LookupError(f"/{command} starts flow {flow!r}, which is not registered")
        self._command_flows[command] = flow
        if history is not None:
            self._command_history[command] = MappingProxyType(dict(history))

    def add_command(
        self, command: str, handler: CommandHandler, *, needs_consent: bool = False
    ) -> None:
        """``/command`` answered by ``handler`` within the turn, without a flow. With
        ``needs_consent`` the engine asks for consent to the current text first, as it
        does for a flow that needs it (the summary shows health data)."""
        self._claim_command(command)
        self._commands[command] = handler
        if needs_consent:
            self._consent_commands.add(command)

    def add_press(self, prefix: str, handler: PressHandler) -> None:
        """Buttons whose callback data starts with ``prefix|``."""
        if prefix in ENGINE_PREFIXES or SEP in prefix or not prefix:
            raise ValueError(f"button prefix {prefix!r} is the engine's or not a prefix")
        if prefix in self._presses:
            raise ValueError(f"button prefix {prefix!r} is registered twice")
        self._presses[prefix] = handler

    def add_recorder(self, fact_type: type, recorder: FactRecorder) -> None:
        """The one recorder of a fact."""
        if fact_type in self._recorders:
            raise ValueError(f"{fact_type.__name__} already has a recorder")
        self._recorders[fact_type] = recorder

    def add_start_hook(self, hook: StartHook) -> None:
        """Run on every /start (a user coming back after blocking the bot, for example)."""
        if hook in self._on_start:
            raise ValueError(f"start hook {hook!r} is registered twice")
        self._on_start.append(hook)

    def add_safety_hook(self, hook: SafetyHook) -> None:
        """Run in the turn whenever the safety screen's message was shown (to remember it)."""
        if hook in self._on_safety:
            raise ValueError(f"safety hook {hook!r} is registered twice")
        self._on_safety.append(hook)

    def _claim_command(self, command: str) -> None:
        if (
            command in ENGINE_COMMANDS
            or command in self._commands
            or command in self._command_flows
        ):
            raise ValueError(f"/{command} is registered twice (or is the engine's own)")

    # -- what the engine reads -------------------------------------------------------

    @property
    def flows(self) -> Mapping[str, Flow]:
        """The flows by name, read-only: every flow comes in through :meth:`add_flow`
        (its duplicate check and title)."""
        return MappingProxyType(self._flows)

    def title_of(self, flow: str) -> str:
        """The content key naming ``flow`` for the user."""
        return self._titles[flow]

    @property
    def history(self) -> Mapping[str, HistoryLoader]:
        return MappingProxyType(self._history)

    @property
    def command_flows(self) -> Mapping[str, str]:
        return MappingProxyType(self._command_flows)

    @property
    def command_history(self) -> Mapping[str, Mapping[str, Any]]:
        """Extra history for a flow started by one command (``/plan`` vs ``/reminders``)."""
        return MappingProxyType(self._command_history)

    @property
    def commands(self) -> Mapping[str, CommandHandler]:
        return MappingProxyType(self._commands)

    def command_needs_consent(self, command: str) -> bool:
        return command in self._consent_commands

    @property
    def presses(self) -> Mapping[str, PressHandler]:
        return MappingProxyType(self._presses)

    @property
    def recorders(self) -> Mapping[type, FactRecorder]:
        return MappingProxyType(self._recorders)

    @property
    def on_start(self) -> tuple[StartHook, ...]:
        return tuple(self._on_start)

    @property
    def on_safety(self) -> tuple[SafetyHook, ...]:
        return tuple(self._on_safety)
