"""The screening of due reminder slots, as the claim sees it: which facts it reads about
a round's users, and how it asks the bot's rule what to do with each slot.

The rule itself is pure logic in ``flows.pacing``, passed in as :class:`Screening` so
this layer never imports it. The claim reads what the rule needs for a whole round at
once: the latest check-in day and finished task exercise as columns of the claim query
itself (:func:`day_facts`), and the round's users' reminders that are on and their
recent pushes in two more queries (:class:`RoundScreen`); never a query per reminder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, case, func, null, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from data.models import CheckIn, Delivery, ExerciseLog, Reminder, User
from data.types import UTCDateTime
from flows.rows import (
    ASK,
    PUSHED_STATUSES,
    SEND,
    DeliveryStatus,
    DueRow,
    PushedRow,
    RegularRow,
)


@dataclass(frozen=True)
class Screening:
    """The bot's rule for which due slots are sent (pure logic from ``flows``, passed in
    like :data:`Advance`), which exercises count as a kind's task for the day, and how
    far back pushes are read for it."""

    decide: Callable[[DueRow], str]
    task_exercises: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    look_back: timedelta = timedelta(days=28)


def day_facts(screening: Screening | None) -> tuple[Any, Any]:
    """Two columns beside each due row: the user's latest check-in day, and the latest
    finished exercise that does the row's kind's task (correlated subqueries, so the
    screen's facts cost no query of their own)."""
    if screening is None:
        return null().label("checkin_day"), null().label("task_done")
    checkin_day = (
        sa_select(func.max(CheckIn.local_day))
        .where(col(CheckIn.user_id) == Reminder.user_id)
        .scalar_subquery()
    )
    branches = [
        (
            col(Reminder.kind) == kind,
            sa_select(func.max(ExerciseLog.finished_at))
            .where(
                col(ExerciseLog.user_id) == Reminder.user_id,
                col(ExerciseLog.exercise).in_(exercises),
            )
            .scalar_subquery(),
        )
        for kind, exercises in screening.task_exercises.items()
        if exercises
    ]
    task_done = case(*branches, else_=null()) if branches else null()
    # The aggregates keep their columns' types, so SQLite's text comes back as a date
    # and an aware UTC instant like any other read.
    return (
        type_coerce(checkin_day, Date).label("checkin_day"),
        type_coerce(task_done, UTCDateTime).label("task_done"),
    )


@dataclass
class RoundScreen:
    """The screening of one claim round: what it read about the round's users (their
    reminders that are on, their recent pushes: two queries for the whole round), and
    the pushes this round adds, so a second slot of a user sees the first."""

    screening: Screening | None
    regular: dict[int, list[RegularRow]]
    pushed: dict[int, list[PushedRow]]
    withheld: Counter[DeliveryStatus]

    @classmethod
    def read(
        cls,
        session: Session,
        screening: Screening | None,
        rows: Sequence[Any],
        now: datetime,
        withheld: Counter[DeliveryStatus],
    ) -> RoundScreen:
        regular: dict[int, list[RegularRow]] = {}
        pushed: dict[int, list[PushedRow]] = {}
        users = {user.id for _, user, _, _ in rows if user.active and user.consent_at is not None}
        if screening is None or not users:
            return cls(screening, regular, pushed, withheld)
        for user_id, kind, rule, set_at, asked_at in session.execute(
            sa_select(
                col(Reminder.user_id),
                col(Reminder.kind),
                col(Reminder.rule),
                col(Reminder.updated_at),
                col(Reminder.asked_at),
            ).where(
                col(Reminder.user_id).in_(users),
                col(Reminder.one_off).is_(False),
                col(Reminder.enabled).is_(True),
            )
        ):
            regular.setdefault(user_id, []).append(RegularRow(kind, dict(rule), set_at, asked_at))
        for user_id, kind, one_off, slot, action in session.execute(
            sa_select(
                col(Delivery.user_id),
                col(Reminder.kind),
                col(Reminder.one_off),
                col(Delivery.slot),
                col(Delivery.action),
            )
            .join(Reminder, col(Reminder.id) == Delivery.reminder_id)
            .where(
                col(Delivery.user_id).in_(users),
                col(Delivery.slot) >= now - screening.look_back,
                col(Delivery.status).in_(sorted(str(status) for status in PUSHED_STATUSES)),
            )
            .order_by(col(Delivery.slot), col(Delivery.id))
        ):
            pushed.setdefault(user_id, []).append(PushedRow(kind, slot, one_off, action))
        return cls(screening, regular, pushed, withheld)

    def decide(
        self,
        reminder: Reminder,
        user: User,
        slot: datetime,
        facts: tuple[date | None, datetime | None],
    ) -> str:
        if self.screening is None:
            return SEND
        due = DueRow(
            kind=str(reminder.rule.get("kind") or reminder.kind),
            slot=slot,
            one_off=reminder.one_off,
            timezone=user.timezone,
            last_checkin_day=facts[0],
            last_task_done=facts[1],
            daily_limit=user.daily_limit,
            regular=tuple(self.regular.get(user.id, ())),
            pushed=tuple(self.pushed.get(user.id, ())),
        )
        return self.screening.decide(due)

    def record(self, reminder: Reminder, slot: datetime, answer: str) -> None:
        """What this round did with a slot, for the user's later slots in it."""
        if answer not in (SEND, ASK):
            self.withheld[DeliveryStatus(answer)] += 1
            return
        user_id = reminder.user_id
        self.pushed.setdefault(user_id, []).append(
            PushedRow(reminder.kind, slot, reminder.one_off, None)
        )
        if answer == ASK:
            self.regular[user_id] = [
                RegularRow(row.kind, row.rule, row.set_at, reminder.asked_at)
                if row.kind == reminder.kind
                else row
                for row in self.regular.get(user_id, [])
            ]
