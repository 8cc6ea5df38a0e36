"""What a user's turn may read and record about their health: check-ins, self-check
results, exercise logs, lessons read and medical cautions. Mixed into :class:`data.store.Turn`, so
each write shares the turn's transaction with the conversation state."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from data.models import CheckIn, ExerciseLog, LessonRead, MedicalCaution, TestResult

CHECKINS = cast(Table, CheckIn.__table__)  # type: ignore[attr-defined]
LESSON_READS = cast(Table, LessonRead.__table__)  # type: ignore[attr-defined]


def checkin_dict(row: CheckIn) -> dict[str, Any]:
    return {
        "local_day": row.local_day.isoformat(),
        "pain": row.pain,
        "stress": row.stress,
        "sleep": row.sleep,
        "moved": row.moved,
        "note": row.note,
    }


class RecordOps:
    """Health records of the turn's user (never another user's: every query is scoped)."""

    _session: Session
    _user_id: int
    now: datetime

    # -- check-ins -------------------------------------------------------------------

    def checkin_on(self, day: date) -> dict[str, Any] | None:
        row = self._session.exec(
            select(CheckIn).where(CheckIn.user_id == self._user_id, CheckIn.local_day == day)
        ).first()
        return checkin_dict(row) if row else None

    def checkins_before(self, day: date, days: int = 30) -> list[dict[str, Any]]:
        """Check-ins of the ``days`` local days before ``day``, oldest first."""
        rows = self._session.exec(
            select(CheckIn)
            .where(
                CheckIn.user_id == self._user_id,
                CheckIn.local_day < day,
                CheckIn.local_day >= day - timedelta(days=days),
            )
            .order_by(col(CheckIn.local_day))
        ).all()
        return [checkin_dict(row) for row in rows]

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

    def all_checkins(self) -> list[dict[str, Any]]:
        """Every check-in of the user, oldest first (CSV download, export)."""
        rows = self._session.exec(
            select(CheckIn).where(CheckIn.user_id == self._user_id).order_by(col(CheckIn.local_day))
        ).all()
        return [checkin_dict(row) for row in rows]

    # -- self-check results ----------------------------------------------------------

    def latest_test(self) -> tuple[datetime, dict[str, Any]] | None:
        row = self._session.exec(
            select(TestResult)
            .where(TestResult.user_id == self._user_id, TestResult.outcome == "complete")
            .order_by(col(TestResult.taken_at).desc(), col(TestResult.id).desc())
        ).first()
        return (row.taken_at, dict(row.scores)) if row else None

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

    def exercises_since(self, instant: datetime) -> list[tuple[datetime, str, bool, int | None]]:
        """(started at, exercise id, finished, level) since ``instant``, oldest first; the
        level is a graded walk's minutes or the minutes of activity told to the coach."""
        rows = self._session.exec(
            select(
                ExerciseLog.started_at,
                ExerciseLog.exercise,
                ExerciseLog.finished_at,
                ExerciseLog.level,
            )
            .where(ExerciseLog.user_id == self._user_id, ExerciseLog.started_at >= instant)
            .order_by(col(ExerciseLog.started_at), col(ExerciseLog.id))
        ).all()
        return [
            (started, exercise, finished is not None, level)
            for started, exercise, finished, level in rows
        ]

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
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(LESSON_READS)
        self._session.execute(
            insert.values(
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
