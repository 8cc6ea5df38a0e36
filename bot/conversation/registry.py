"""The :class:`Wiring`: everything features register and the engine dispatches to.

The engine knows no feature by name; each feature in ``bot/features`` adds its flows,
commands, button handlers, fact recorders and hooks here, and ``bot/wiring.py`` builds
the one the bot runs. Kept apart from the engine so a feature imports only what it
registers with, never the turn machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from data.store import Turn
from flows.i18n import Translator
from flows.runtime import FlowRegistry, Reply
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
