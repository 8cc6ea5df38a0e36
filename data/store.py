"""The Store: the database's transactions, and the only way in.

It owns the engine and says which kind of transaction each piece of work gets: a
user's turn (:meth:`Store.turn`, written, the user row locked), the bot's own work on
one user (:meth:`Store.on_behalf`), a read-only look (:meth:`Store.view`), and one
transaction for each call of the dispatcher and of upkeep. What runs inside is not
here: a turn's queries are :class:`data.turn.Turn`'s, the dispatcher's are in
:mod:`data.reminders`, retention's in :mod:`data.retention`. All methods are synchronous
and short; the async bot calls them through a worker thread so the event loop never
waits on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from data import reminders, retention
from data.engine import READ_ONLY, is_sqlite
from data.models import CheckIn, Delivery, User
from data.reminders import Advance, ClaimBatch
from data.screening import Screening
from data.turn import STATES, UNREAD, USER_ID, USERS, Turn
from data.values import SavedState, UserInfo
from flows.rows import SENT_STATUSES, DeliveryStatus

log = logging.getLogger(__name__)

SEEN_RESOLUTION = timedelta(hours=1)

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
    .where(USERS.c.id == USER_ID)
)
"""SQLite: the user and their state in one read (``BEGIN IMMEDIATE`` already holds the
write lock, so nothing can change in between)."""
_LOCK_USER = sa_select(*_USER_COLUMNS).where(USERS.c.id == USER_ID).with_for_update(key_share=True)
"""PostgreSQL: the user row is locked, so two bot processes never interleave one user's
turns; the state is read by a later statement, so a turn that waited for the lock sees
what the turn before it committed (a joined read would see the state as of before the
wait). FOR NO KEY UPDATE, not FOR UPDATE: the dispatcher's claim inserts deliveries
whose foreign key takes a KEY SHARE lock on the same row, and a plain FOR UPDATE would
make a turn that then touches the reminder deadlock with the claim."""


def _state_of(row: Any) -> SavedState | None:
    if row.flow is None:
        return None
    return SavedState(row.flow, row.step, dict(row.answers), row.nonce, row.state_updated_at)


class Store:
    """The application's database, reached only through intention-revealing methods."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read_engine = engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
            erased = session.info.pop(retention.ERASED, False)
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

    def dispose(self) -> None:
        self.engine.dispose()

    # -- one user's transactions ---------------------------------------------------------

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
                    (sqlite_insert if sqlite else pg_insert)(USERS)
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
                tx.seen()
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

    # -- the dispatcher's transactions (data.reminders) ----------------------------------

    def claim_due(
        self,
        now: datetime,
        *,
        limit: int,
        grace: timedelta,
        advance: Advance,
        stale_before: datetime | None = None,
        screening: Screening | None = None,
    ) -> ClaimBatch:
        """Claim up to ``limit`` due slots in one transaction (:func:`data.reminders.claim_due`)."""
        with self._write() as session:
            return reminders.claim_due(
                session,
                now,
                limit=limit,
                grace=grace,
                advance=advance,
                stale_before=stale_before,
                screening=screening,
            )

    def settle(self, outcomes: list[tuple[int, DeliveryStatus]], now: datetime) -> None:
        """Record how each claimed send ended, in one transaction."""
        if outcomes:
            with self._write() as session:
                reminders.settle(session, outcomes, now)

    def prune_deliveries(self, before: datetime, batch: int = 5_000) -> int:
        """Forget delivery rows older than ``before``, and spent snoozes made before then,
        one batch per transaction, so a large purge never holds the write lock for long;
        how many deliveries went."""
        removed = 0
        while True:
            with self._write() as session:
                pruned = reminders.prune_deliveries(session, before, batch)
            if not pruned:
                break
            removed += pruned
        while True:
            with self._write() as session:
                if not reminders.prune_spent_one_offs(session, before, batch):
                    return removed

    def delivery_exists(self, delivery_id: int) -> bool:
        """False once the user erased their data (``/delete``, retention) after the
        claim: a retry must then not send anything."""
        with self._read() as session:
            return reminders.delivery_exists(session, delivery_id)

    def deactivate_user(self, user_id: int, refused_since: datetime) -> None:
        """The user blocked the bot: nothing more is sent until they /start again
        (:func:`data.reminders.deactivate_user`)."""
        with self._write() as session:
            reminders.deactivate_user(session, user_id, refused_since)

    # -- upkeep's transactions (data.retention) ------------------------------------------

    def claim_retention_warnings(
        self, now: datetime, keep: timedelta, notice: timedelta, limit: int = 500
    ) -> list[int]:
        """Users to warn, marked as warned before anyone is told
        (:func:`data.retention.claim_retention_warnings`)."""
        with self._write() as session:
            return retention.claim_retention_warnings(session, now, keep, notice, limit)

    def erase_unseen(
        self, now: datetime, keep: timedelta, notice: timedelta, limit: int = 200
    ) -> int:
        """Erase users unseen for ``keep`` and warned ``notice`` ago
        (:func:`data.retention.erase_unseen`)."""
        with self._write() as session:
            return retention.erase_unseen(session, now, keep, notice, limit)

    # -- for admins ----------------------------------------------------------------------

    def stats(self, now: datetime) -> dict[str, Any]:
        """Counts only, for admins: never anything that points to one person."""
        week_ago = now - timedelta(days=7)
        with self._read() as session:

            def count(*where: Any, table: Any = User) -> int:
                query = sa_select(func.count()).select_from(table).where(*where)
                return int(session.execute(query).scalar_one())

            per_day = session.execute(
                sa_select(col(CheckIn.local_day), func.count())
                # Seven local days: today and the six before it.
                .where(col(CheckIn.local_day) >= (now - timedelta(days=6)).date())
                .group_by(col(CheckIn.local_day))
                .order_by(col(CheckIn.local_day))
            ).all()
            recent = col(Delivery.claimed_at) >= week_ago
            return {
                "users": count(),
                "active": count(col(User.active).is_(True)),
                "consented": count(col(User.consent_at).is_not(None)),
                "checkins_week": sum(n for _, n in per_day),
                "checkins_per_day": ", ".join(f"{day:%d %b} {n}" for day, n in per_day) or "-",
                "reminders_sent": count(
                    recent, col(Delivery.status).in_(_values(SENT_STATUSES)), table=Delivery
                ),
                "send_errors": count(
                    recent,
                    col(Delivery.status).in_(
                        _values({DeliveryStatus.FAILED, DeliveryStatus.BLOCKED})
                    ),
                    table=Delivery,
                ),
            }


def _values(statuses: frozenset[DeliveryStatus] | set[DeliveryStatus]) -> list[str]:
    """Statuses as the plain strings stored (drivers are given str, never the enum)."""
    return sorted(str(status) for status in statuses)
