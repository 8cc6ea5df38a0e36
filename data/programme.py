"""What a user's turn may read and record of their coaching programme: the state row and
one session row per programme day. Mixed into :class:`data.store.Turn`, so each write
shares the turn's transaction with the conversation state and the facts of the step.

The state is JSON owned by ``flows.programme`` (versioned and validated there); this
layer keeps it as it is given, so the rules can change without a migration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from data.models import Programme, ProgrammeSession

PROGRAMMES = cast(Table, Programme.__table__)  # type: ignore[attr-defined]
SESSIONS = cast(Table, ProgrammeSession.__table__)  # type: ignore[attr-defined]
SESSION_VALUES = ("level", "parts", "feedback", "walk_minutes", "updated_at")
"""The columns a session saved again replaces (all but its key)."""

# The reads and the save run for every enrolled user on every tick of the daily message:
# built once with bound parameters, so each call skips building the statement and its
# cache key (the same reason data.turn builds its statements once).
USER: BindParameter[int] = bindparam("programme_user")
SINCE: BindParameter[date] = bindparam("programme_since")
_READ = sa_select(PROGRAMMES.c.state, PROGRAMMES.c.replaced, PROGRAMMES.c.left_at).where(
    PROGRAMMES.c.user_id == USER
)
_SAVE = update(PROGRAMMES).where(PROGRAMMES.c.user_id == USER)
_READ_SESSIONS = (
    sa_select(
        SESSIONS.c.local_day,
        SESSIONS.c.level,
        SESSIONS.c.parts,
        SESSIONS.c.feedback,
        SESSIONS.c.walk_minutes,
    )
    .where(SESSIONS.c.user_id == USER, SESSIONS.c.local_day >= SINCE)
    .order_by(SESSIONS.c.local_day)
)


@dataclass(frozen=True)
class ProgrammeRow:
    """A plain copy of the programme row. ``left_at`` is set once the person left."""

    state: dict[str, Any]
    replaced: tuple[str, ...]
    left_at: datetime | None

    @property
    def enrolled(self) -> bool:
        return self.left_at is None


class ProgrammeOps:
    """The programme of the turn's user (never another user's: every query is scoped)."""

    _session: Session
    _user_id: int
    now: datetime

    def _upsert(self, table: Table) -> Any:
        dialect = self._session.get_bind().dialect.name
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)

    def programme(self) -> ProgrammeRow | None:
        row = self._session.execute(_READ, {"programme_user": self._user_id}).first()
        if row is None:
            return None
        return ProgrammeRow(dict(row.state), tuple(row.replaced or ()), row.left_at)

    def enrol_programme(self, state: dict[str, Any], replaced: Sequence[str]) -> None:
        """Start (or start again) with ``state``; ``replaced`` are the reminder kinds the
        daily message switched off. One statement, whatever was stored before."""
        values = {
            "state": dict(state),
            "replaced": list(replaced),
            "left_at": None,
            "updated_at": self.now,
        }
        self._session.execute(
            self._upsert(PROGRAMMES)
            .values(user_id=self._user_id, **values)
            .on_conflict_do_update(index_elements=["user_id"], set_=values)
        )

    def save_programme(self, state: dict[str, Any]) -> None:
        """The new state of an existing programme (a plan, a lesson read, a message)."""
        result = self._session.execute(
            _SAVE,
            {"programme_user": self._user_id, "state": dict(state), "updated_at": self.now},
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise LookupError("no programme to save: enrol first")

    def leave_programme(self) -> tuple[str, ...]:
        """Leave, keeping the state and the sessions; returns the reminder kinds to switch
        on again (and forgets them, so leaving twice restores nothing twice)."""
        row = self.programme()
        if row is None or not row.enrolled:
            return ()
        self._session.execute(
            update(PROGRAMMES)
            .where(PROGRAMMES.c.user_id == self._user_id)
            .values(left_at=self.now, replaced=[], updated_at=self.now)
        )
        return row.replaced

    def programme_sessions(self, since: date) -> list[dict[str, Any]]:
        """Sessions from the local day ``since`` on, oldest first, as the plain dicts
        ``SessionRecord.from_dict`` reads."""
        rows = self._session.execute(
            _READ_SESSIONS, {"programme_user": self._user_id, "programme_since": since}
        ).all()
        return [
            {
                "day": day.isoformat(),
                "level": level,
                "parts": list(parts or ()),
                "feedback": feedback,
                "walk_minutes": walk,
            }
            for day, level, parts, feedback, walk in rows
        ]

    def save_programme_session(
        self,
        day: date,
        *,
        level: int,
        parts: Sequence[str],
        feedback: str | None,
        walk_minutes: int | None,
    ) -> None:
        """One row per local day: saving a day again replaces what was kept of it (the
        caller passes the whole day, parts done earlier included)."""
        self.save_programme_sessions(
            [
                {
                    "day": day,
                    "level": level,
                    "parts": parts,
                    "feedback": feedback,
                    "walk_minutes": walk_minutes,
                }
            ]
        )

    def save_programme_sessions(self, sessions: Sequence[Mapping[str, Any]]) -> None:
        """Several days at once (``day`` a date, then the keyword arguments of
        :meth:`save_programme_session`) as one executemany of one prepared upsert.

        The statement is the same whatever the number of rows, so SQLAlchemy compiles it
        once per engine and the drivers batch the rows (SQLite's executemany, psycopg's
        pipeline): a statement per row cost a round trip each on PostgreSQL, and one
        multi-row VALUES per call was compiled anew for every row count, which took more
        time than writing the rows."""
        if not sessions:
            return
        rows = [
            {
                "user_id": self._user_id,
                "local_day": session["day"],
                "level": session["level"],
                "parts": list(session["parts"]),
                "feedback": session["feedback"],
                "walk_minutes": session["walk_minutes"],
                "updated_at": self.now,
            }
            for session in sessions
        ]
        dialect = self._session.get_bind().dialect.name
        self._session.execute(_SESSION_UPSERTS[dialect], rows)


def _session_upsert(dialect: str) -> Any:
    """The session row's upsert for ``dialect``: built once, parameters given per row."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(SESSIONS)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "local_day"],
        set_={name: statement.excluded[name] for name in SESSION_VALUES},
    )


_SESSION_UPSERTS = {dialect: _session_upsert(dialect) for dialect in ("sqlite", "postgresql")}
