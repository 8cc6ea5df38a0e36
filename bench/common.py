"""What every benchmark sets up the same way: options, a work folder, the test suite's
settings, fresh databases with the product's schema, the statements the product really
issues, and the closing JSON line with the machine's load (it changes the figures)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from bot.config import Settings
from data.engine import is_sqlite, make_engine
from data.migrate import upgrade
from data.store import Store

# tests.conftest is imported at run time only: it is test code, outside mypy's packages.
_conftest = importlib.import_module("tests.conftest")
TEST_TOKEN: str = _conftest.TEST_TOKEN
POSTGRES_ADMIN_URL: str = _conftest.POSTGRES_ADMIN_URL
make_settings: Callable[..., Settings] = _conftest.make_settings  # token, zone, language
MB = 1024 * 1024


def say(line: str = "") -> None:
    print(line, flush=True)


@contextmanager
def bench_run(
    name: str, workdir: Path | None = None, keep: bool = False
) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The machine line (other load slows wall time), a work folder (removed afterwards
    unless given or kept), and the last line: one JSON object of the figures the body
    filled in, with the load and the total time."""
    folder = workdir or Path(tempfile.mkdtemp(prefix="backcoach-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {}
    load, started = os.getloadavg()[0], time.perf_counter()
    say(
        f"{name}: python {sys.version.split()[0]}, {os.cpu_count()} cpus, load average "
        f"{load:.2f}; databases in {folder}"
    )
    try:
        yield folder, figures
    finally:
        if workdir is None and not keep:
            shutil.rmtree(folder, ignore_errors=True)
    figures.update(
        load_avg_start=round(load, 2),
        load_avg_end=round(os.getloadavg()[0], 2),
        total_s=round(time.perf_counter() - started, 1),
    )
    say(f"total {figures['total_s']}s")
    print(json.dumps(figures), flush=True)


def seconds(work: Callable[..., object], *args: Any) -> float:
    """How long ``work(*args)`` took."""
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def spread(samples: Sequence[float]) -> dict[str, float]:
    """Median, 95th percentile and mean of samples in seconds, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "median": 1000 * statistics.median(ordered),
        "p95": 1000 * p95,
        "mean": 1000 * statistics.fmean(ordered),
    }


def fresh_sqlite_url(path: Path) -> str:
    """A SQLite URL for ``path``, with any earlier file (and its WAL) removed."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def migrated_store(url: str) -> Store:
    """A Store on ``url`` with the product's schema (Alembic upgrade to head), so the
    indexes are exactly production's."""
    store = Store(make_engine(url))
    upgrade(store.engine)
    return store


def databases(postgres_url: str | None) -> list[str]:
    """``sqlite``, and ``postgres`` when ``postgres_url`` is given and answers."""
    reason = None if postgres_url else "--no-postgres"
    try:
        import psycopg

        if postgres_url:
            psycopg.connect(_libpq(postgres_url), connect_timeout=3).close()
    except ImportError:
        reason = "psycopg is not installed"
    except psycopg.OperationalError as exc:
        reason = f"not reachable ({type(exc).__name__})"
    if reason is not None:
        say(f"PostgreSQL skipped: {reason}")
    return ["sqlite"] if reason is not None else ["sqlite", "postgres"]


@contextmanager
def database(kind: str, workdir: Path, name: str, postgres_url: str | None) -> Iterator[str]:
    """A fresh, empty database: a SQLite file ``name.db`` in ``workdir``, or a PostgreSQL
    database next to ``postgres_url``'s, dropped afterwards."""
    if kind == "sqlite" or postgres_url is None:
        yield fresh_sqlite_url(workdir / f"{name}.db")
        return
    import psycopg

    created = f"backcoach_bench_{name}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{created}"')
    try:
        yield f"{postgres_url.rpartition('/')[0]}/{created}"
    finally:
        with psycopg.connect(_libpq(postgres_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def options(parser: argparse.ArgumentParser, quick: str, *, postgres: bool = True) -> None:
    """``--quick`` (``quick`` says how small), ``--workdir``, ``--keep`` and, unless on
    SQLite only, the PostgreSQL to use."""
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--workdir", type=Path, default=None, help="where the database files go")
    parser.add_argument("--keep", action="store_true", help="keep the database files")
    if postgres:
        parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="its admin URL")
        parser.add_argument("--no-postgres", action="store_true", help="SQLite only")


def sized(args: argparse.Namespace, **sizes: tuple[int, int]) -> argparse.Namespace:
    """Each size option left unset, at its ``(quick, full)`` value."""
    for name, (quick, full) in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    return args


def postgres_of(args: argparse.Namespace) -> str | None:
    """The PostgreSQL admin URL the options ask for, or None (``--no-postgres``)."""
    return None if args.no_postgres else str(args.postgres_url)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load (both databases need them)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


@dataclass(frozen=True)
class Statement:
    """One statement the product sent, its parameters and the driver's seconds on it."""

    sql: str
    params: Any
    seconds: float

    @property
    def table(self) -> str:
        """The first table it reads (``users`` for a join of users and states)."""
        found = re.search(r"\bFROM\s+(\w+)", self.sql)
        return found.group(1) if found else "other"


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    """Every statement ``engine`` executes meanwhile: plans and timings are read from
    what the product itself issued, never from a copy of its queries."""
    statements: list[Statement] = []

    def before(conn: Any, *_args: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, _cursor: Any, sql: str, params: Any, *_rest: Any) -> None:
        started = conn.info["bench_started"].pop()
        statements.append(Statement(sql, params, time.perf_counter() - started))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def query_plan(engine: Engine, statement: Statement) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN ANALYZE (rolled back)."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params)
            return [str(row[-1]) for row in rows.all()]
        sql = f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}"
        lines = [str(row[0]) for row in conn.exec_driver_sql(sql, statement.params).all()]
        conn.rollback()
        return lines


def scans(engine: Engine, statement: Statement) -> str:
    """The plan's table and index accesses on one line (which index each read uses)."""
    lines = [line.strip() for line in query_plan(engine, statement)]
    return " / ".join(line for line in lines if "SCAN" in line.upper() or "SEARCH" in line)


def first_select(statements: Sequence[Statement], table: str) -> Statement:
    """The first SELECT among ``statements`` that reads ``table`` first."""
    for statement in statements:
        if statement.sql.lstrip().upper().startswith("SELECT") and statement.table == table:
            return statement
    raise LookupError(f"no SELECT from {table} among {len(statements)} statements")
