"""What one user's turn may read and write: their conversation state and settings, their
health records and their own reminders.

One module because it is one object: a :class:`Turn` is a transaction scoped to one
user, and every method is a query on that transaction filtered by that user, so a
step's facts and its new state commit together (or not at all) and no turn can reach
another person's rows. Two groups of its work sit in modules of their own, because
they are a promise of their own: the summary's typed reads (:mod:`data.summary`) and
erasure and export (:mod:`data.retention`). The queries across all users are the
dispatcher's (:mod:`data.reminders`, reached through the Store). The programme's rows
come from :class:`data.programme.ProgrammeOps`, still a base class.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, insert, update
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from data import retention, summary
from data.models import (
    CheckIn,
    ConversationState,
    Delivery,
    ExerciseLog,
    LessonRead,
    MedicalCaution,
    Reminder,
    TestResult,
    User,
)
from data.programme import ProgrammeOps
from data.values import ReminderInfo, SavedState, UserInfo
from flows.rows import DayRow, SelfCheckRow, SummaryRows

# Every button press opens a turn: the user and their state are read and written with
# Core statements built once (loading them as ORM objects cost more than the rest of the
# transaction together; measured with bench.throughput).
USERS = cast(Table, User.__table__)  # type: ignore[attr-defined]
STATES = cast(Table, ConversationState.__table__)  # type: ignore[attr-defined]
CHECKINS = cast(Table, CheckIn.__table__)  # type: ignore[attr-defined]
LESSON_READS = cast(Table, LessonRead.__table__)  # type: ignore[attr-defined]
USER_ID: BindParameter[int] = bindparam("user_id_")
_READ_STATE = sa_select(STATES).where(STATES.c.user_id == USER_ID)
_UPDATE_STATE = update(STATES).where(STATES.c.user_id == USER_ID)
_DELETE_STATE = sa_delete(STATES).where(STATES.c.user_id == USER_ID)
UPDATE_USER = update(USERS).where(USERS.c.id == USER_ID)


class _Unread:
    """The state was not read with the user (a read-only view): read it when asked."""


UNREAD = _Unread()


class Turn(ProgrammeOps):
    """One user's turn: everything it reads and writes happens in one transaction.

    The conversation state and the facts a step records are committed together, so a
    crash leaves either the old step with nothing recorded, or the new step with all.
    """

    def __init__(
        self,
        session: Session,
        user: UserInfo,
        now: datetime,
        state: SavedState | _Unread | None = UNREAD,
    ) -> None:
        self._session = session
        self._user = user
        self._user_id = user.id
        self.now = now
        self.erased = False
        self._state = state

    def _run(self, statement: Any, **params: Any) -> Any:
        return self._session.execute(statement, {"user_id_": self._user_id, **params})

    # -- the user and their place in a flow --------------------------------------------

    @property
    def user(self) -> UserInfo:
        return self._user

    @property
    def state(self) -> SavedState | None:
        if isinstance(self._state, _Unread):
            row = self._run(_READ_STATE).first()
            self._state = SavedState.of(row) if row is not None else None
        return self._state

    def save_state(self, flow: str, step: str, answers: dict[str, Any], nonce: str) -> None:
        values = {
            "flow": flow,
            "step": step,
            "answers": dict(answers),
            "nonce": nonce,
            "updated_at": self.now,
        }
        if self.state is None:
            self._session.execute(insert(STATES), {"user_id": self._user_id, **values})
        else:
            self._run(_UPDATE_STATE, **values)
        self._state = SavedState(flow, step, dict(answers), nonce, self.now)

    def clear_state(self) -> None:
        self._run(_DELETE_STATE)
        self._state = None

    def _change_user(self, **values: Any) -> None:
        self._run(UPDATE_USER, **values)
        self._user = replace(self._user, **values)

    def seen(self) -> None:
        """The user was here now (and any retention warning is answered)."""
        self._run(UPDATE_USER, last_seen_at=self.now, retention_warned_at=None)
        self._user = replace(self._user, last_seen_at=self.now)

    def give_consent(self, version: int) -> None:
        self._change_user(consent_version=version, consent_at=self.now, consent_refused_at=None)

    def refuse_consent(self, version: int) -> None:
        """Keep only what the refusal needs: the user row (language, time zone, when they
        said no, and when they were last seen for retention). Every health row goes in
        this same transaction, reminders included, so a refusal never leaves data behind
        and a later consent starts from nothing."""
        retention.erase_rows(self._session, self._user_id, keep_user=True)
        self._state = None
        self._change_user(consent_version=None, consent_at=None, consent_refused_at=self.now)

    def health_data_held(self) -> dict[str, int]:
        """How many records of each kind a withdrawal would erase: what the user is told
        before and after (:func:`data.retention.health_data_held`)."""
        return retention.health_data_held(self._session, self._user_id)

    def set_language(self, language: str) -> None:
        self._change_user(language=language)

    def set_timezone(self, timezone: str) -> None:
        self._change_user(timezone=timezone)

    def set_daily_limit(self, limit: int | None) -> None:
        """At most ``limit`` reminder pushes a day (None: no limit)."""
        self._change_user(daily_limit=limit)

    def erase_everything(self) -> None:
        """Erase every row about this user, in this transaction. The turn ends here:
        nothing may be written for the user afterwards."""
        retention.erase_rows(self._session, self._user_id)
        self._state = None
        self.erased = True

    def export(self) -> dict[str, list[dict[str, Any]]]:
        """Every row about this user in every personal table, as plain JSON values."""
        return retention.export_rows(self._session, self._user_id)

    def reactivate(self) -> None:
        """The user sent /start, so they can hear us again: a "blocked" answer to a send
        begun before now must not park them (``Store.deactivate_user``)."""
        self._run(UPDATE_USER, active=True, restarted_at=self.now)
        self._user = replace(self._user, active=True)

    # -- what /summary, its weekly push, /history and /export read (data.summary) -------

    def summary_inputs(self, first_day: date, today: date) -> SummaryRows:
        """Everything the weekly summary reads (:func:`data.summary.summary_inputs`)."""
        return summary.summary_inputs(self._session, self._user, first_day, today)

    def checkin_rows(self, first_day: date = date.min) -> tuple[DayRow, ...]:
        """Check-ins from ``first_day`` on, oldest first (/history, the CSV, /export)."""
        return summary.checkin_rows(self._session, self._user_id, first_day)

    # -- health records ---------------------------------------------------------------

    def checkins_between(self, first: date, last: date) -> list[dict[str, Any]]:
        """Check-ins from ``first`` to ``last`` (local days, both included), oldest first,
        as plain values in one query (no ORM objects: this runs on busy turns)."""
        rows = self._session.execute(
            sa_select(
                col(CheckIn.local_day),
                col(CheckIn.pain),
                col(CheckIn.stress),
                col(CheckIn.sleep),
                col(CheckIn.moved),
                col(CheckIn.note),
            )
            .where(
                col(CheckIn.user_id) == self._user_id,
                col(CheckIn.local_day) >= first,
                col(CheckIn.local_day) <= last,
            )
            .order_by(col(CheckIn.local_day))
        ).all()
        return [
            {
                "local_day": day.isoformat(),
                "pain": pain,
                "stress": stress,
                "sleep": sleep,
                "moved": moved,
                "note": note,
            }
            for day, pain, stress, sleep, moved, note in rows
        ]

    def record_checkin(
        self,
        day: date,
        *,
        pain: int,
        stress: int,
        sleep: str | None,
        moved: str | None,
        note: str | None,
    ) -> None:
        """One check-in per local day: a second one the same day replaces the first."""
        if not (0 <= pain <= 10 and 0 <= stress <= 10):
            raise ValueError("scores must be within 0-10")
        values = {
            "pain": pain,
            "stress": stress,
            "sleep": sleep,
            "moved": moved,
            "note": note[:500] if note else None,
            "updated_at": self.now,
        }
        # One statement, and safe when two devices check in for the same day at once.
        dialect = self._session.get_bind().dialect.name
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(CHECKINS)
        self._session.execute(
            upsert.values(
                user_id=self._user_id, local_day=day, created_at=self.now, **values
            ).on_conflict_do_update(index_elements=["user_id", "local_day"], set_=values)
        )

    # -- self-check results ---------------------------------------------------------------

    def latest_test(self) -> SelfCheckRow | None:
        row = self._session.exec(
            select(TestResult)
            .where(TestResult.user_id == self._user_id, TestResult.outcome == "complete")
            .order_by(col(TestResult.taken_at).desc(), col(TestResult.id).desc())
        ).first()
        return SelfCheckRow.of(row.taken_at, dict(row.scores)) if row else None

    def record_test(self, answers: dict[str, Any], scores: dict[str, Any], outcome: str) -> None:
        self._session.add(
            TestResult(
                user_id=self._user_id,
                taken_at=self.now,
                answers=answers,
                scores=scores,
                outcome=outcome,
            )
        )

    # -- exercises -------------------------------------------------------------------

    def log_exercise(
        self, exercise: str, *, finished: bool, rating_after: int | None, level: int | None
    ) -> None:
        if rating_after is not None and not 0 <= rating_after <= 10:
            raise ValueError("rating must be within 0-10")
        self._session.add(
            ExerciseLog(
                user_id=self._user_id,
                exercise=exercise,
                started_at=self.now,
                finished_at=self.now if finished else None,
                rating_after=rating_after,
                level=level,
            )
        )

    def walking_progress(self, exercise: str) -> tuple[int | None, list[datetime]]:
        """The current graded-walking level (the minutes of the last finished walk) and
        when each finished walk at that level started, oldest first.

        Instants, not a count: the plan steps up per local day, never per walk, so the
        caller counts the user's own calendar days (three walks in a minute are one day).
        """
        latest = self._session.exec(
            select(ExerciseLog.level)
            .where(
                ExerciseLog.user_id == self._user_id,
                ExerciseLog.exercise == exercise,
                col(ExerciseLog.level).is_not(None),
                col(ExerciseLog.finished_at).is_not(None),
            )
            .order_by(col(ExerciseLog.started_at).desc(), col(ExerciseLog.id).desc())
        ).first()
        if latest is None:
            return None, []
        starts = self._session.exec(
            select(ExerciseLog.started_at)
            .where(
                ExerciseLog.user_id == self._user_id,
                ExerciseLog.exercise == exercise,
                ExerciseLog.level == latest,
                col(ExerciseLog.finished_at).is_not(None),
            )
            .order_by(col(ExerciseLog.started_at), col(ExerciseLog.id))
        ).all()
        return int(latest), list(starts)

    # -- lessons read ----------------------------------------------------------------

    def mark_lesson_read(self, card: str) -> None:
        """The first read of a lesson is kept; reading it again changes nothing (one
        statement, safe when two devices open the same lesson at once)."""
        dialect = self._session.get_bind().dialect.name
        first_read = (pg_insert if dialect == "postgresql" else sqlite_insert)(LESSON_READS)
        self._session.execute(
            first_read.values(
                user_id=self._user_id, card=card, read_at=self.now
            ).on_conflict_do_nothing(index_elements=["user_id", "card"])
        )

    def lessons_read(self) -> list[str]:
        """The lessons the user has read, first read first."""
        rows = self._session.exec(
            select(LessonRead.card)
            .where(LessonRead.user_id == self._user_id)
            .order_by(col(LessonRead.read_at), col(LessonRead.id))
        ).all()
        return list(rows)

    # -- medical cautions ------------------------------------------------------------

    def _open_caution_row(self) -> MedicalCaution | None:
        return self._session.exec(
            select(MedicalCaution)
            .where(
                MedicalCaution.user_id == self._user_id,
                col(MedicalCaution.cleared_at).is_(None),
            )
            .order_by(col(MedicalCaution.raised_at).desc(), col(MedicalCaution.id).desc())
        ).first()

    def open_caution(self) -> tuple[str, datetime] | None:
        """(kind, raised at) of the advice to see a doctor that still stands, or None."""
        row = self._open_caution_row()
        return (row.kind, row.raised_at) if row else None

    def set_caution(self, kind: str) -> None:
        """The open caution becomes ``kind``, dated now; one is created if none is open.
        Which kind wins when a second sign comes is the caller's rule."""
        row = self._open_caution_row()
        if row is None:
            row = MedicalCaution(user_id=self._user_id, kind=kind, raised_at=self.now)
        row.kind, row.raised_at = kind, self.now
        self._session.add(row)

    def clear_caution(self) -> bool:
        """The user said a doctor has seen them and it is fine to go on; False when no
        caution was open."""
        row = self._open_caution_row()
        if row is None:
            return False
        row.cleared_at = self.now
        self._session.add(row)
        return True

    # -- the user's own reminders ------------------------------------------------------

    def reminders(self) -> list[ReminderInfo]:
        rows = self._session.exec(
            select(Reminder).where(Reminder.user_id == self._user_id).order_by(col(Reminder.id))
        ).all()
        return [ReminderInfo.of(r) for r in rows]

    def upsert_reminder(
        self, kind: str, rule: dict[str, Any], *, enabled: bool, next_due_at: datetime | None
    ) -> None:
        """One reminder per kind and user: setting a kind again replaces its rule."""
        rows = self._session.exec(
            select(Reminder)
            .where(Reminder.user_id == self._user_id, Reminder.kind == kind)
            .order_by(col(Reminder.id))
        ).all()
        row = next((r for r in rows if not r.one_off), None)
        if row is None:
            row = Reminder(user_id=self._user_id, kind=kind, created_at=self.now)
        row.rule, row.enabled, row.next_due_at = dict(rule), enabled, next_due_at
        row.updated_at = self.now
        self._session.add(row)

    def add_one_off(self, kind: str, rule: dict[str, Any], due_at: datetime) -> None:
        """A single extra slot (a snooze) at ``due_at``, kept apart from the kind's
        regular rule; ``rule`` only carries what the nudge needs (its kind of text)."""
        self._session.add(
            Reminder(
                user_id=self._user_id,
                kind=kind,
                rule=dict(rule),
                enabled=True,
                one_off=True,
                next_due_at=due_at,
                created_at=self.now,
                updated_at=self.now,
            )
        )

    def drop_pending_one_offs(self, kind: str | None = None) -> None:
        """Cancel snoozes not yet sent (of one kind, or all): a pause, switching a kind
        off or "skip today" must hold them back too."""
        query = update(Reminder).where(
            col(Reminder.user_id) == self._user_id,
            col(Reminder.one_off).is_(True),
            col(Reminder.next_due_at).is_not(None),
        )
        if kind is not None:
            query = query.where(col(Reminder.kind) == kind)
        self._session.execute(query.values(enabled=False, next_due_at=None, updated_at=self.now))

    def delivery_of(self, delivery_id: int) -> tuple[Delivery, Reminder] | None:
        """A delivery and its reminder, only when both belong to the turn's user."""
        delivery = self._session.get(Delivery, delivery_id)
        if delivery is None or delivery.user_id != self._user_id:
            return None
        reminder = self._session.get(Reminder, delivery.reminder_id)
        if reminder is None or reminder.user_id != self._user_id:
            return None
        return delivery, reminder

    def act_on_delivery(self, delivery_id: int, action: str) -> bool:
        """Record Done / Skip / Snooze once; False when it is not this user's or already
        answered (a second press of an old button changes nothing)."""
        found = self.delivery_of(delivery_id)
        if found is None or found[0].action is not None:
            return False
        delivery = found[0]
        delivery.action, delivery.action_at = action, self.now
        self._session.add(delivery)
        return True

    def set_reminder_next_due(self, reminder_id: int, next_due_at: datetime | None) -> None:
        self._session.execute(
            update(Reminder)
            .where(col(Reminder.id) == reminder_id, col(Reminder.user_id) == self._user_id)
            .values(next_due_at=next_due_at, updated_at=self.now)
        )
