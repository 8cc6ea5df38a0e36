"""The reads behind /summary, its weekly push, /history and /export: the user's rows as
the typed frozen values of :mod:`flows.rows`, which the pure summary reads as they come.

This is where the SQL behind the summary lives. Many people read their summary at the
same time on Sunday evening, so the statements are built once with bound parameters and
return plain rows, never ORM objects (building a query and loading objects cost more
than running it; ``python -m bench.summary`` measures it). Both functions work in the
turn's session and are reached as ``Turn.summary_inputs`` and ``Turn.checkin_rows``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Table, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session

from data.models import CheckIn, Delivery, ExerciseLog, Reminder, TestResult
from data.values import UserInfo
from flows.rows import (
    DayRow,
    DeliveryStatus,
    ExerciseLogRow,
    PushRow,
    SelfCheckRow,
    SummaryRows,
)

CHECKINS = cast(Table, CheckIn.__table__)  # type: ignore[attr-defined]
EXERCISES = cast(Table, ExerciseLog.__table__)  # type: ignore[attr-defined]
DELIVERIES = cast(Table, Delivery.__table__)  # type: ignore[attr-defined]
REMINDERS = cast(Table, Reminder.__table__)  # type: ignore[attr-defined]
TESTS = cast(Table, TestResult.__table__)  # type: ignore[attr-defined]
USER_ID: BindParameter[int] = bindparam("user_id_")
_STATUS = {status.value: status for status in DeliveryStatus}
"""Stored string -> status: a dict lookup, cheaper than calling the enum per push row."""

_CHECKINS = (
    sa_select(
        CHECKINS.c.local_day,
        CHECKINS.c.pain,
        CHECKINS.c.stress,
        CHECKINS.c.sleep,
        CHECKINS.c.moved,
        CHECKINS.c.note,
    )
    .where(
        CHECKINS.c.user_id == USER_ID,
        CHECKINS.c.local_day >= bindparam("first"),
        CHECKINS.c.local_day <= bindparam("last"),
    )
    .order_by(CHECKINS.c.local_day)
)
_EXERCISES = (
    sa_select(
        EXERCISES.c.started_at,
        EXERCISES.c.exercise,
        EXERCISES.c.finished_at.is_not(None),
        EXERCISES.c.level,
    )
    .where(EXERCISES.c.user_id == USER_ID, EXERCISES.c.started_at >= bindparam("since"))
    .order_by(EXERCISES.c.started_at, EXERCISES.c.id)
)
_PUSHES = (
    sa_select(DELIVERIES.c.slot, REMINDERS.c.kind, DELIVERIES.c.action, DELIVERIES.c.status)
    .join(REMINDERS, REMINDERS.c.id == DELIVERIES.c.reminder_id)
    .where(DELIVERIES.c.user_id == USER_ID, DELIVERIES.c.slot >= bindparam("since"))
    .order_by(DELIVERIES.c.slot, DELIVERIES.c.id)
)
_LATEST_TEST = (
    sa_select(TESTS.c.taken_at, TESTS.c.scores)
    .where(TESTS.c.user_id == USER_ID, TESTS.c.outcome == "complete")
    .order_by(TESTS.c.taken_at.desc(), TESTS.c.id.desc())
    .limit(1)
)
_REMINDERS_ON = (
    sa_select(REMINDERS.c.kind)
    .where(
        REMINDERS.c.user_id == USER_ID,
        REMINDERS.c.enabled.is_(True),
        REMINDERS.c.one_off.is_(False),
    )
    .distinct()
)


def summary_inputs(session: Session, user: UserInfo, first_day: date, today: date) -> SummaryRows:
    """Everything the weekly summary reads about ``user``: the check-ins of the local
    days ``first_day`` to ``today``, the exercises and reminder pushes since the start of
    ``first_day`` in the user's zone, the latest finished self-check and the kinds of
    reminder that are on; five statements, the last two of them single rows."""
    ids = {"user_id_": user.id}
    since = {**ids, "since": datetime.combine(first_day, time(), tzinfo=ZoneInfo(user.timezone))}
    test = session.execute(_LATEST_TEST, ids).first()
    return SummaryRows(
        checkins=_checkins(session, user.id, first_day, today),
        exercises=tuple(
            ExerciseLogRow(started, exercise, finished, level)
            for started, exercise, finished, level in session.execute(_EXERCISES, since)
        ),
        pushes=tuple(
            PushRow(slot, kind, action, _STATUS[status])
            for slot, kind, action, status in session.execute(_PUSHES, since)
        ),
        latest_test=SelfCheckRow.of(test.taken_at, dict(test.scores)) if test else None,
        reminders_on=frozenset(session.execute(_REMINDERS_ON, ids).scalars()),
        began_at=user.consent_at or user.created_at,
    )


def checkin_rows(session: Session, user_id: int, first_day: date) -> tuple[DayRow, ...]:
    """The user's check-ins from ``first_day`` on, oldest first."""
    return _checkins(session, user_id, first_day, date.max)


def _checkins(session: Session, user_id: int, first: date, last: date) -> tuple[DayRow, ...]:
    return tuple(
        DayRow(day, pain, stress, sleep, moved, note)
        for day, pain, stress, sleep, moved, note in session.execute(
            _CHECKINS, {"user_id_": user_id, "first": first, "last": last}
        )
    )
