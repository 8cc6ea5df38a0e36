"""The Store: every database read and write, behind methods named for what they mean.

Handlers and the dispatcher never build queries. All methods are synchronous and short;
the async bot calls them through a worker thread so the event loop never waits on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Column,
    CursorResult,
    Engine,
    Table,
    bindparam,
    delete,
    func,
    insert,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from data.engine import READ_ONLY, is_sqlite
from data.models import (
    PERSONAL_TABLES,
    CheckIn,
    ConversationState,
    Delivery,
    User,
)
from data.programme import ProgrammeOps
from data.queue import SENT_STATUSES, QueueOps, ReminderOps
from data.records import CHECKINS, RecordOps

log = logging.getLogger(__name__)

SEEN_RESOLUTION = timedelta(hours=1)
ERASED = "backcoach_erased"
"""Session info key: this transaction erased rows about a person, so once it commits the
store clears them out of the database files too (:meth:`Store._scrub_erased`)."""


@dataclass(frozen=True)
class UserInfo:
    """A plain copy of a user row, safe to pass between threads and layers."""

    id: int
    language: str
    timezone: str
    consent_version: int | None
    consent_at: datetime | None
    consent_refused_at: datetime | None
    active: bool
    created_at: datetime
    last_seen_at: datetime
    daily_limit: int | None = 4

    @property
    def has_consent(self) -> bool:
        return self.consent_version is not None and self.consent_at is not None

    @classmethod
    def of(cls, row: Any) -> UserInfo:
        """From a ``User`` object or a row with the same column names."""
        return cls(
            id=row.id,
            language=row.language,
            timezone=row.timezone,
            consent_version=row.consent_version,
            consent_at=row.consent_at,
            consent_refused_at=row.consent_refused_at,
            active=row.active,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            daily_limit=row.daily_limit,
        )


@dataclass(frozen=True)
class SavedState:
    """A user's stored place in a flow."""

    flow: str
    step: str
    answers: dict[str, Any]
    nonce: str
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> SavedState:
        """From a ``ConversationState`` object or a row with the same column names."""
        return cls(row.flow, row.step, dict(row.answers), row.nonce, row.updated_at)


# The user and their conversation state are read, and written, with Core statements
# built once: every button press opens a turn, and loading them as ORM objects cost
# more than the rest of the transaction together (measured with the throughput benchmark).
USERS = cast(Table, User.__table__)  # type: ignore[attr-defined]
STATES = cast(Table, ConversationState.__table__)  # type: ignore[attr-defined]
_USER_ID: BindParameter[int] = bindparam("user_id_")
_USER_COLUMNS = [USERS.c[name] for name in (*UserInfo.__dataclass_fields__, "retention_warned_at")]
_OPEN = (
    sa_select(
        *_USER_COLUMNS,
        STATES.c.flow,
        STATES.c.step,
        STATES.c.answers,
        STATES.c.nonce,
        STATES.c.updated_at.label("state_updated_at"),
    )
    .select_from(USERS.outerjoin(STATES, STATES.c.user_id == USERS.c.id))
    .where(USERS.c.id == _USER_ID)
)
"""SQLite: the user and their state in one read (``BEGIN IMMEDIATE`` already holds the
write lock, so nothing can change in between)."""
_LOCK_USER = sa_select(*_USER_COLUMNS).where(USERS.c.id == _USER_ID).with_for_update(key_share=True)
"""PostgreSQL: the user row is locked, so two bot processes never interleave one user's
turns; the state is read by a later statement, so a turn that waited for the lock sees
what the turn before it committed (a joined read would see the state as of before the
wait). FOR NO KEY UPDATE, not FOR UPDATE: the dispatcher's claim inserts deliveries
whose foreign key takes a KEY SHARE lock on the same row, and a plain FOR UPDATE would
make a turn that then touches the reminder deadlock with the claim."""
_READ_STATE = sa_select(STATES).where(STATES.c.user_id == _USER_ID)
_UPDATE_STATE = update(STATES).where(STATES.c.user_id == _USER_ID)
_DELETE_STATE = delete(STATES).where(STATES.c.user_id == _USER_ID)
_UPDATE_USER = update(USERS).where(USERS.c.id == _USER_ID)


def _state_of(row: Any) -> SavedState | None:
    if row.flow is None:
        return None
    return SavedState(row.flow, row.step, dict(row.answers), row.nonce, row.state_updated_at)


class _Unread:
    """The state was not read with the user (a read-only view): read it when asked."""


UNREAD = _Unread()


class Turn(RecordOps, ReminderOps, ProgrammeOps):
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

    @property
    def user(self) -> UserInfo:
        return self._user

    @property
    def state(self) -> SavedState | None:
        if isinstance(self._state, _Unread):
            row = self._session.execute(_READ_STATE, {"user_id_": self._user_id}).first()
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
            self._session.execute(_UPDATE_STATE, {"user_id_": self._user_id, **values})
        self._state = SavedState(flow, step, dict(answers), nonce, self.now)

    def clear_state(self) -> None:
        self._session.execute(_DELETE_STATE, {"user_id_": self._user_id})
        self._state = None

    def _change_user(self, **values: Any) -> None:
        self._session.execute(_UPDATE_USER, {"user_id_": self._user_id, **values})
        self._user = replace(self._user, **values)

    def give_consent(self, version: int) -> None:
        self._change_user(consent_version=version, consent_at=self.now, consent_refused_at=None)

    def refuse_consent(self, version: int) -> None:
        """Keep only what the refusal needs: the user row (language, time zone, when they
        said no, and when they were last seen for retention). Every health row goes in
        this same transaction, reminders included, so a refusal never leaves data behind
        and a later consent starts from nothing."""
        _erase_rows(self._session, self._user_id, keep_user=True)
        self._state = None
        self._change_user(consent_version=None, consent_at=None, consent_refused_at=self.now)

    def health_data_held(self) -> dict[str, int]:
        """How many records of each kind a withdrawal would erase, the kinds with none
        left out: what the user is told before and after. The conversation state is not
        listed: it is the question being answered."""
        self._session.flush()  # rows added earlier in this turn count too
        counts: dict[str, int] = {}
        for table in _health_tables():
            if table.name == STATES.name:
                continue
            counts[table.name] = self._count(table)
            if table.name == CHECKINS.name:
                counts["notes"] = self._count(table, CHECKINS.c.note.is_not(None))
        return {kind: count for kind, count in counts.items() if count}

    def _count(self, table: Table, *where: Any) -> int:
        query = sa_select(func.count()).select_from(table)
        return int(
            self._session.execute(query.where(_owner(table) == self._user_id, *where)).scalar_one()
        )

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
        _erase_rows(self._session, self._user_id)
        self._state = None
        self.erased = True

    def export(self) -> dict[str, list[dict[str, Any]]]:
        """Every row about this user in every personal table, as plain JSON values."""
        self._session.flush()  # rows added earlier in this turn are part of it
        return {
            table.name: [
                {key: _jsonable(value) for key, value in row._mapping.items()}
                for row in self._session.execute(
                    sa_select(table).where(_owner(table) == self._user_id)
                )
            ]
            for table in _personal_tables()
        }

    def reactivate(self) -> None:
        """The user sent /start, so they can hear us again: a "blocked" answer to a send
        begun before now must not park them (see ``deactivate_user``)."""
        self._session.execute(
            _UPDATE_USER, {"user_id_": self._user_id, "active": True, "restarted_at": self.now}
        )
        self._user = replace(self._user, active=True)


class Store(QueueOps):
    """The application's database, reached only through intention-revealing methods."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read_engine = engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
            erased = session.info.pop(ERASED, False)
        if erased:  # committed, and the connection is back in the pool
            self._scrub_erased()

    def _scrub_erased(self) -> None:
        """Make committed erasures physical on SQLite.

        ``secure_delete`` (data.engine) zeroes a deleted row in its page, but the page
        as it was before, note and all, still lies in the database file until a
        checkpoint writes the new page over it, and every earlier version of the page
        lies in the write-ahead log. A TRUNCATE checkpoint copies the log into the file
        and empties the log. It waits (busy timeout) for readers of older snapshots;
        the caller is already off the event loop. PostgreSQL has no equivalent here:
        its deleted rows wait for VACUUM (README, "Erasure").
        """
        if not is_sqlite(self.engine):
            return
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone() or (0, 0, 0)
            cursor.close()
        finally:
            raw.close()
        if busy:
            log.warning("erased rows stay in the SQLite log until the next checkpoint")

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def create_all(self) -> None:
        """Create tables without migrations (tests that need a quick schema only)."""
        SQLModel.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def turn(self, user_id: int, now: datetime, *, language: str, timezone: str) -> Iterator[Turn]:
        """Open a user's turn, creating the user on first contact.

        ``language`` and ``timezone`` are the defaults for a new user only. On PostgreSQL
        the user row is locked, so two bot processes never interleave one user's turns.
        """
        sqlite = is_sqlite(self.engine)
        opening = _OPEN if sqlite else _LOCK_USER
        with self._write() as session:
            row = session.execute(opening, {"user_id_": user_id}).first()
            if row is None:
                # Two workers may see a new user's first two updates at once: whichever
                # inserts second changes nothing, and both then read (and lock) the row.
                session.execute(
                    _insert_ignoring_duplicates(self.engine)
                    .values(
                        id=user_id,
                        language=language,
                        timezone=timezone,
                        active=True,
                        created_at=now,
                        last_seen_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["id"])
                )
                row = session.execute(opening, {"user_id_": user_id}).one()
            tx = Turn(session, UserInfo.of(row), now, _state_of(row) if sqlite else UNREAD)
            if now - row.last_seen_at > SEEN_RESOLUTION or row.retention_warned_at:
                # Retention counts in months: an hourly "last seen" is plenty, and spares
                # an UPDATE on nearly every button press.
                session.execute(
                    _UPDATE_USER,
                    {"user_id_": user_id, "last_seen_at": now, "retention_warned_at": None},
                )
                tx._user = replace(tx.user, last_seen_at=now)
            yield tx

    @contextmanager
    def on_behalf(self, user_id: int, now: datetime) -> Iterator[Turn | None]:
        """A write transaction for the bot's own work on one user (the programme's daily
        message decides and records what it sends), outside any turn of theirs.

        Unlike a turn it never creates the user and does not count as them being seen,
        so retention stays honest; None when the user is gone. On PostgreSQL the user
        row is locked the way a turn locks it, so the two never interleave.
        """
        sqlite = is_sqlite(self.engine)
        with self._write() as session:
            row = session.execute(_OPEN if sqlite else _LOCK_USER, {"user_id_": user_id}).first()
            if row is None:
                yield None
                return
            yield Turn(session, UserInfo.of(row), now, _state_of(row) if sqlite else UNREAD)

    @contextmanager
    def view(self, user_id: int, now: datetime) -> Iterator[Turn | None]:
        """A read-only look at one user's records (the weekly push): unlike a turn it
        does not count as the user being seen, so retention stays honest."""
        with self._read() as session:
            row = session.execute(_OPEN, {"user_id_": user_id}).first()
            yield Turn(session, UserInfo.of(row), now, _state_of(row)) if row else None

    def get_user(self, user_id: int) -> UserInfo | None:
        with self._read() as session:
            row = session.get(User, user_id)
            return UserInfo.of(row) if row else None

    def get_state(self, user_id: int) -> SavedState | None:
        with self._read() as session:
            row = session.get(ConversationState, user_id)
            if row is None:
                return None
            return SavedState.of(row)

    def claim_retention_warnings(
        self, now: datetime, keep: timedelta, notice: timedelta, limit: int = 500
    ) -> list[int]:
        """Mark up to ``limit`` users as warned and return them, *before* anyone is told.

        A user unseen for ``keep - notice`` is warned once. Marking first means a reply
        to the warning (which clears the mark) is never overwritten afterwards, and two
        workers never warn the same person twice.
        """
        with self._write() as session:
            query = (
                select(User.id)
                .where(
                    col(User.last_seen_at) < now - (keep - notice),
                    col(User.retention_warned_at).is_(None),
                )
                .limit(limit)
            )
            if not is_sqlite(self.engine):
                query = query.with_for_update(skip_locked=True)
            ids = list(session.exec(query).all())
            if ids:
                session.execute(
                    update(User).where(col(User.id).in_(ids)).values(retention_warned_at=now)
                )
        return ids

    def erase_unseen(
        self, now: datetime, keep: timedelta, notice: timedelta, limit: int = 200
    ) -> int:
        """Erase up to ``limit`` users unseen for ``keep`` and warned ``notice`` ago.

        The check and the erasure share one transaction with the rows locked, so a user
        who writes in at that moment is either erased before their turn (which then
        starts afresh) or kept, never erased after coming back.
        """
        with self._write() as session:
            query = (
                select(User.id)
                .where(
                    col(User.last_seen_at) < now - keep,
                    col(User.retention_warned_at) <= now - notice,
                )
                .limit(limit)
            )
            if not is_sqlite(self.engine):
                query = query.with_for_update(skip_locked=True)
            ids = list(session.exec(query).all())
            for user_id in ids:
                _erase_rows(session, user_id)
        return len(ids)

    def stats(self, now: datetime) -> dict[str, Any]:
        """Counts only, for admins: never anything that points to one person."""
        week_ago = now - timedelta(days=7)
        with self._read() as session:

            def count(query: Any) -> int:
                return int(session.execute(query).scalar_one())

            per_day = session.execute(
                sa_select(col(CheckIn.local_day), func.count())
                # Seven local days: today and the six before it.
                .where(col(CheckIn.local_day) >= (now - timedelta(days=6)).date())
                .group_by(col(CheckIn.local_day))
                .order_by(col(CheckIn.local_day))
            ).all()
            return {
                "users": count(select(func.count()).select_from(User)),
                "active": count(
                    select(func.count()).select_from(User).where(col(User.active).is_(True))
                ),
                "consented": count(
                    select(func.count()).select_from(User).where(col(User.consent_at).is_not(None))
                ),
                "checkins_week": sum(n for _, n in per_day),
                "checkins_per_day": ", ".join(f"{day:%d %b} {n}" for day, n in per_day) or "-",
                "reminders_sent": count(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        col(Delivery.claimed_at) >= week_ago,
                        col(Delivery.status).in_(SENT_STATUSES),
                    )
                ),
                "send_errors": count(
                    select(func.count())
                    .select_from(Delivery)
                    .where(
                        col(Delivery.claimed_at) >= week_ago,
                        col(Delivery.status).in_(("failed", "blocked")),
                    )
                ),
            }

    def count_users(self) -> int:
        with self._read() as session:
            return int(session.exec(select(func.count()).select_from(User)).one())

    def rows_about(self, user_id: int) -> dict[str, int]:
        """How many rows each personal table holds about ``user_id`` (erasure proof)."""
        with self._read() as session:
            return {
                table.name: int(
                    session.execute(
                        select(func.count()).select_from(table).where(_owner(table) == user_id)
                    ).scalar_one()
                )
                for table in _personal_tables()
            }

    def erase_user(self, user_id: int) -> None:
        """Delete every row about ``user_id`` in every personal table, children first."""
        with self._write() as session:
            _erase_rows(session, user_id)


def _insert_ignoring_duplicates(engine: Engine) -> Any:
    return (sqlite_insert if is_sqlite(engine) else pg_insert)(USERS)


def _erase_rows(session: Session, user_id: int, *, keep_user: bool = False) -> None:
    """Every erasure goes through here: it marks the session, so the store scrubs the
    database files once the transaction has committed."""
    # Rows added earlier in this turn as objects go to the database first, so the
    # deletes below remove them too instead of a later flush writing them back.
    session.flush()
    erased = 0
    for table in reversed(_health_tables() if keep_user else _personal_tables()):
        result = session.execute(delete(table).where(_owner(table) == user_id))
        erased += cast(CursorResult[Any], result).rowcount
    if erased:
        session.info[ERASED] = True


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _personal_tables() -> list[Table]:
    return [cast(Table, model.__table__) for model in PERSONAL_TABLES]  # type: ignore[attr-defined]


def _health_tables() -> list[Table]:
    """Every personal table but the user row itself: what a withdrawal erases."""
    return [table for table in _personal_tables() if table.name != USERS.name]


def _owner(table: Table) -> Column[Any]:
    """The column naming whose row it is: ``users.id`` or ``<table>.user_id``."""
    return table.c.id if table.name == User.__tablename__ else table.c.user_id
