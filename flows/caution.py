"""The caution after advice to see a doctor: asked before exercises and plans.

After an emergency sign (call the emergency number) or a sign to have checked within
days, coaching on as if nothing was said would undo the advice. So while a caution is
open, /exercise, /plan and a reminder's Start first show a short caution with its date
and ask whether a doctor has seen the user and said it is fine to go on. "Yes" clears it
(:class:`CautionCleared`) and carries on into what was asked for; "Not yet" repeats the
advice, and only the calm exercises (breathing, relaxation) stay on offer. Each flow
keeps its own step for the question; the words, buttons and answers live here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from flows import helplines
from flows.reminder_words import format_date
from flows.runtime import Choice, Context, Event, Press, Reply

STEP: Final = "caution"
"""The name of the question's step in every flow that asks it."""

EMERGENCY: Final = "emergency"
SEE_DOCTOR: Final = "see_doctor"
KINDS: Final = (EMERGENCY, SEE_DOCTOR)
"""Most urgent first."""

SEEN: Final = "seen"
NOT_YET: Final = "notyet"

CALM_COMMAND: Final = "calm"
"""Opens the calm exercises without asking again (after "not yet" on the plan)."""


@dataclass(frozen=True)
class Caution:
    """Advice to see a doctor that still stands: its kind and when it was given."""

    kind: str
    raised_at: datetime

    @classmethod
    def of(cls, value: object) -> Caution | None:
        """From ``{"kind": ..., "raised_at": ISO}`` (history or flow state); anything
        unreadable counts as no caution."""
        if not isinstance(value, Mapping):
            return None
        kind, raised = value.get("kind"), value.get("raised_at")
        if kind not in KINDS or not isinstance(raised, str) or len(raised) > 64:
            return None
        try:
            when = datetime.fromisoformat(raised)
        except ValueError:
            return None
        if when.tzinfo is None:
            return None
        return cls(str(kind), when)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "raised_at": self.raised_at.isoformat()}


@dataclass(frozen=True)
class CautionCleared:
    """The user said a doctor has seen them and it is fine to go on."""


def more_urgent(first: str, second: str) -> str:
    """The kind that stands when a second sign comes while a caution is open."""
    return min(first, second, key=KINDS.index)


def _date(caution: Caution, ctx: Context) -> str:
    return format_date(caution.raised_at, ctx.timezone, ctx.t)


def question(caution: Caution, ctx: Context) -> Reply:
    """The caution with its date, and the question with its two buttons. Input that
    answers nothing re-asks it with ``caution.reask`` as the note (runtime.reask)."""
    return Reply(
        ctx.t("caution.ask", date=_date(caution, ctx)),
        (
            (Choice(ctx.t("caution.seen"), SEEN, means="yes"),),
            (Choice(ctx.t("caution.not_yet"), NOT_YET, means="no"),),
        ),
    )


def answer(event: Event, ctx: Context) -> str | None:
    """:data:`SEEN`, :data:`NOT_YET`, or None. A typed label or "yes"/"no" arrives as a
    press (flows.typed_answer); other text answers nothing."""
    if isinstance(event, Press):
        return event.value if event.value in (SEEN, NOT_YET) else None
    return None


def cleared(ctx: Context) -> str:
    """What the user reads after "Yes", before what they asked for."""
    return ctx.t("caution.cleared")


def advice(caution: Caution, ctx: Context) -> str:
    """The advice again, after "Not yet": who to call (the user's country's numbers),
    and how soon."""
    return ctx.t(f"caution.advice.{caution.kind}", **helplines.fills(ctx.t, ctx.timezone))


def line(caution: Caution, ctx: Context) -> str:
    """The short caution every exercise carries while the caution is open."""
    return ctx.t("caution.line", date=_date(caution, ctx))
