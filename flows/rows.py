"""The plain rows the store reads and the pure rules consume, and the delivery statuses.

They live on the pure side, and import nothing but the standard library, so ``flows``
stays free of SQL while ``data`` returns exactly these frozen values: a summary, a
/history listing or an export reads them as they come, with no conversion from dicts
in between. This is the one module of ``flows`` that ``data`` imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


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
    """The latest finished pain self-check: when, and its scores as stored."""

    taken_at: datetime
    risk: str | None
    pain_now: int | None


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
