"""Alembic environment: runs against the engine the caller handed over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import data.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes["engine"]


def _sqlite_foreign_keys(connection: object, on: bool) -> None:
    """SQLite changes most columns by copying the table and dropping the old one
    (Alembic's batch mode). With foreign keys on, that drop first deletes every row,
    and ``ON DELETE CASCADE`` would empty the tables that point at it (deliveries,
    when reminders is rebuilt). The pragma only takes effect outside a transaction,
    so it is set on the driver's connection before ours begins."""
    raw = connection.connection.driver_connection  # type: ignore[attr-defined]
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            render_as_batch=sqlite,
            compare_type=True,
            # One transaction for the whole run, on SQLite too (Alembic's default there
            # commits each step), so the check below can still undo everything.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.execute(text("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} rows without their parent")
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            _sqlite_foreign_keys(connection, on=True)
