"""What the store keeps about a person and for how long: erasure (/delete, a withdrawn
consent, the retention policy), the export of every row, and the counts a person is
shown before they withdraw.

One module because these are one promise: the same list of personal tables
(:data:`data.models.PERSONAL_TABLES`) decides what is exported, what is counted and
what is erased, so nothing can be kept that an export would not show. Every erasure
goes through :func:`erase_rows`, which marks the session so the store makes it physical
once the transaction has committed (``Store._scrub_erased``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, delete, func, select, update
from sqlmodel import Session, col

from data.models import PERSONAL_TABLES, CheckIn, ConversationState, User

ERASED = "backcoach_erased"
"""Session info key: this transaction erased rows about a person, so once it commits the
store clears them out of the database files too."""

USERS = cast(Table, User.__table__)  # type: ignore[attr-defined]
STATES = cast(Table, ConversationState.__table__)  # type: ignore[attr-defined]
CHECKINS = cast(Table, CheckIn.__table__)  # type: ignore[attr-defined]


def personal_tables() -> list[Table]:
    return [cast(Table, model.__table__) for model in PERSONAL_TABLES]  # type: ignore[attr-defined]


def health_tables() -> list[Table]:
    """Every personal table but the user row itself: what a withdrawal erases."""
    return [table for table in personal_tables() if table.name != USERS.name]


def owner(table: Table) -> Column[Any]:
    """The column naming whose row it is: ``users.id`` or ``<table>.user_id``."""
    return table.c.id if table.name == USERS.name else table.c.user_id


def erase_rows(session: Session, user_id: int, *, keep_user: bool = False) -> None:
    """Delete every row about ``user_id`` (all but the user row with ``keep_user``),
    children first, in the session's transaction."""
    # Rows added earlier in this turn as objects go to the database first, so the
    # deletes below remove them too instead of a later flush writing them back.
    session.flush()
    erased = 0
    for table in reversed(health_tables() if keep_user else personal_tables()):
        result = session.execute(delete(table).where(owner(table) == user_id))
        erased += cast(CursorResult[Any], result).rowcount
    if erased:
        session.info[ERASED] = True


def export_rows(session: Session, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row about the user in every personal table, as plain JSON values."""
    session.flush()  # rows added earlier in this turn are part of it
    return {
        table.name: [
            {key: _jsonable(value) for key, value in row._mapping.items()}
            for row in session.execute(select(table).where(owner(table) == user_id))
        ]
        for table in personal_tables()
    }


def health_data_held(session: Session, user_id: int) -> dict[str, int]:
    """How many records of each kind a withdrawal would erase, the kinds with none left
    out. The conversation state is not listed: it is the question being answered."""
    session.flush()  # rows added earlier in this turn count too

    def count(table: Table, *where: Any) -> int:
        query = select(func.count()).select_from(table).where(owner(table) == user_id, *where)
        return int(session.execute(query).scalar_one())

    counts: dict[str, int] = {}
    for table in health_tables():
        if table.name == STATES.name:
            continue
        counts[table.name] = count(table)
        if table.name == CHECKINS.name:
            counts["notes"] = count(table, CHECKINS.c.note.is_not(None))
    return {kind: n for kind, n in counts.items() if n}


def claim_retention_warnings(
    session: Session, now: datetime, keep: timedelta, notice: timedelta, limit: int
) -> list[int]:
    """Mark up to ``limit`` users unseen for ``keep - notice`` as warned and return them,
    *before* anyone is told: a reply to the warning (which clears the mark) is then
    never overwritten, and two workers never warn the same person twice."""
    query = (
        select(col(User.id))
        .where(
            col(User.last_seen_at) < now - (keep - notice),
            col(User.retention_warned_at).is_(None),
        )
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    ids = [int(user_id) for user_id in session.execute(query).scalars()]
    if ids:
        session.execute(update(User).where(col(User.id).in_(ids)).values(retention_warned_at=now))
    return ids


def erase_unseen(
    session: Session, now: datetime, keep: timedelta, notice: timedelta, limit: int
) -> int:
    """Erase up to ``limit`` users unseen for ``keep`` and warned ``notice`` ago. The
    check and the erasure share the transaction with the rows locked, so a user who
    writes in at that moment is either erased before their turn (which then starts
    afresh) or kept, never erased after coming back."""
    query = (
        select(col(User.id))
        .where(
            col(User.last_seen_at) < now - keep,
            col(User.retention_warned_at) <= now - notice,
        )
        .limit(limit)
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    ids = [int(user_id) for user_id in session.execute(query).scalars()]
    for user_id in ids:
        erase_rows(session, user_id)
    return len(ids)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
