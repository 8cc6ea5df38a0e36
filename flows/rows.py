"""The plain rows the store reads and the pure rules consume, and the delivery statuses.

They live on the pure side, and import nothing but the standard library, so ``flows``
stays free of SQL while ``data`` returns exactly these frozen values: a summary, a
/history listing or an export reads them as they come, with no conversion from dicts
in between. This is the one module of ``flows`` that ``data`` imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class DeliveryStatus(StrEnum):
    """What became of a claimed reminder slot (``deliveries.status``, stored as these
    strings, so the enum needs no migration)."""

    CLAIMED = "claimed"
    """Claimed and on its way: a crash leaves it here, and it is never sent again."""
    SENT = "sent"
    AMBIGUOUS = "ambiguous"
    """No answer came back (read timeout, dropped connection): it may have arrived, so
    it counts as sent."""
    NUDGE = "nudge"
    """A weekly summary slot sent as the nudge for a week without data."""
    ASKED = "asked"
    """Sent as the question about an ignored reminder."""
    FAILED = "failed"
    BLOCKED = "blocked"
    """Telegram answered 403: the user blocked the bot and is parked."""
    SKIPPED = "skipped"
    """Nothing sent: the day's task was done, the rules said no, or the user is gone."""
    CAPPED = "capped"
    """Held back by the user's daily limit."""
    SPACED = "spaced"
    """Held back: an ignored reminder that now comes less often."""


SENT_STATUSES: frozenset[DeliveryStatus] = frozenset(
    {DeliveryStatus.SENT, DeliveryStatus.AMBIGUOUS, DeliveryStatus.NUDGE, DeliveryStatus.ASKED}
)
"""Outcomes in which a message (may have) reached the user."""
PUSHED_STATUSES: frozenset[DeliveryStatus] = SENT_STATUSES | {DeliveryStatus.CLAIMED}
"""...and the claims still on their way: what the screening counts as pushed."""


@dataclass(frozen=True)
class DayRow:
    """One check-in. ``sleep`` is good/soso/bad, ``moved`` yes/little/no (or None)."""

    local_day: date
    pain: int
    stress: int
    sleep: str | None = None
    moved: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ExerciseLogRow:
    """A guided exercise as logged: ``level`` is a graded walk's minutes or the minutes
    of activity told to the coach."""

    started_at: datetime
    exercise: str
    finished: bool
    level: int | None


@dataclass(frozen=True)
class PushRow:
    """A claimed slot of one of the user's reminders, its outcome and the button pressed."""

    slot: datetime
    kind: str
    action: str | None
    status: DeliveryStatus


@dataclass(frozen=True)
class SelfCheckRow:
    """The latest finished pain self-check: when, its scores as stored (what the plan,
    the lessons and a retake read), and the two of them the summary and the programme
    use, read once (:meth:`of`)."""

    taken_at: datetime
    risk: str | None
    pain_now: int | None
    scores: Mapping[str, Any]

    @classmethod
    def of(cls, taken_at: datetime, scores: Mapping[str, Any]) -> SelfCheckRow:
        risk, pain_now = scores.get("risk"), scores.get("pain_now")
        return cls(
            taken_at,
            str(risk) if risk else None,
            int(pain_now) if pain_now is not None else None,
            scores,
        )


@dataclass(frozen=True)
class SummaryRows:
    """Everything the weekly summary reads about one user, from one call to the store:
    check-ins (oldest first), exercises and reminder pushes (since the window's first
    instant, oldest first), the latest self-check, the kinds of the user's regular
    reminders that are on, and when the user began (consent, else first contact)."""

    checkins: tuple[DayRow, ...]
    exercises: tuple[ExerciseLogRow, ...]
    pushes: tuple[PushRow, ...]
    latest_test: SelfCheckRow | None
    reminders_on: frozenset[str]
    began_at: datetime


# -- what the reminder screening reads (data.screening) and decides on (flows.pacing) --

SEND = "send"
"""What the screening answers for a slot that goes out; anything else is the status the
slot is recorded with instead, and nothing is sent..."""
ASK = "ask"
"""...except this one: the slot goes out as the question about its ignored reminder,
which remembers when it was asked (``reminders.asked_at``)."""
REVIEW_ANSWERS = ("change", "keep", "stop")
"""Answers to the question about an ignored reminder: they are no answer to the
reminder itself, so "keep it, less often" keeps it spaced."""
DEFAULT_DAILY_LIMIT = 4
"""Pushes a day when the user has chosen no limit of their own."""


@dataclass(frozen=True)
class PushedRow:
    """A push of the user's that reached them (or may have, or is on its way), and
    the button they pressed on it, if any."""

    kind: str
    slot: datetime
    one_off: bool = False
    action: str | None = None

    @property
    def answered(self) -> bool:
        return self.action is not None and self.action not in REVIEW_ANSWERS


@dataclass(frozen=True)
class RegularRow:
    """One of the user's reminders that are on, its rule as stored (``flows.pacing``
    reads it; one this version cannot read plans no push), when it was last set and
    when the bot asked about it."""

    kind: str
    rule: Mapping[str, Any]
    set_at: datetime | None = None
    asked_at: datetime | None = None


@dataclass(frozen=True)
class DueRow:
    """A slot that is due, with what the claim read about its user's day, so the rule
    decides without a query of its own.

    ``last_checkin_day`` is the user's latest check-in's local day; ``last_task_done``
    the latest finished exercise that does this kind's task, both None when there is
    none. ``regular`` are the user's reminders that are on, ``pushed`` their pushes of
    the look-back window (oldest first, the round's earlier claims included);
    ``daily_limit`` None means no limit.
    """

    kind: str
    slot: datetime
    timezone: str
    one_off: bool = False
    last_checkin_day: date | None = None
    last_task_done: datetime | None = None
    daily_limit: int | None = DEFAULT_DAILY_LIMIT
    regular: tuple[RegularRow, ...] = ()
    pushed: tuple[PushedRow, ...] = ()
