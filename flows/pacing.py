"""Which due reminder slots are worth a push: the rules the dispatcher applies at claim.

A reminder that comes after the person already did what it asks for teaches them to
ignore reminders (CONTENT.md: people want a reminder only when the day's task is not done
yet). So a slot whose task is done for the user's local day is skipped: the evening
check-in after a check-in at 19:00, the breathing reminder after a breathing exercise
that morning, the walk after a graded walk. Movement breaks and changes of position are
not a task for the day but a rhythm through it, so they never count as done; the weekly
summary is not a task either.

Safety follow-ups (``flows.follow_up``) are not reminders: nothing here ever holds them
back. Nothing here knows SQL or Telegram: the store reads the facts in the claim query
and asks :func:`decide` what to do with the slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.schedule import DEFAULT_TIMEZONE

SEND: Final = "send"
DONE: Final = "skipped"
"""Recorded as the delivery's status: the day's task was already done, nothing sent."""

TASK_KINDS: Final = ("checkin", "stress", "pain")
"""Kinds that ask for one thing a day; a check-in, a breathing or relaxation exercise,
the graded walk."""


@dataclass(frozen=True)
class Due:
    """A slot that is due, with what the store knows about its user's day.

    ``last_checkin_day`` is the user's latest check-in's local day; ``last_task_done``
    the latest finished exercise that does this kind's task (see
    :func:`task_exercises` in the bot), both None when there is none.
    """

    kind: str
    slot: datetime
    timezone: str
    one_off: bool = False
    last_checkin_day: date | None = None
    last_task_done: datetime | None = None


def zone_of(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_day(instant: datetime, timezone: str) -> date:
    """The user's calendar day of ``instant``: what "today" means for a task."""
    return instant.astimezone(zone_of(timezone)).date()


def task_done(due: Due) -> bool:
    """Whether the task a reminder of ``due.kind`` asks for is done on the slot's day."""
    if due.kind not in TASK_KINDS:
        return False
    day = local_day(due.slot, due.timezone)
    if due.kind == "checkin":
        return due.last_checkin_day is not None and due.last_checkin_day >= day
    done = due.last_task_done
    return done is not None and local_day(done, due.timezone) >= day


def decide(due: Due) -> str:
    """:data:`SEND`, or the status to record instead of sending (:data:`DONE`)."""
    if task_done(due):
        return DONE
    return SEND
