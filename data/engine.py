"""Engine setup: one place decides how we talk to SQLite and PostgreSQL.

SQLite gets WAL (readers never block the writer), ``synchronous=NORMAL`` (safe against
application crashes, fast), a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for
writing transactions: a deferred transaction that upgrades from read to write fails at
once with "database is locked" whatever the busy timeout, which is what we avoid.

``secure_delete`` makes SQLite overwrite deleted rows with zeros instead of leaving them
readable in free space (many builds have it off by default): erased health data must
not survive in the file. The store checkpoints the log after an erasure for the same
reason (``Store._scrub_erased``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "backcoach_read_only"
"""Execution option: a transaction that only reads begins DEFERRED instead of IMMEDIATE."""


class DatabaseUrlError(ValueError):
    """The configured database URL cannot be used."""


def normalise_url(raw: str) -> URL:
    """Parse ``DATABASE_URL`` and pick the drivers we ship for each database."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"{raw!r} is not a database URL") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseUrlError(f"{backend!r} databases are not supported (use sqlite or postgresql)")


def make_engine(raw_url: str, **kwargs: Any) -> Engine:
    url = normalise_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
