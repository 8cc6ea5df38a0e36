"""Fast bulk seeding shared by the benchmarks (``bench.reminders``, ``bench.summary``).

Rows are written with one prepared ``INSERT`` per chunk through the DB-API's
``executemany`` (SQLite) or with ``COPY ... FROM STDIN`` (PostgreSQL), never as ORM
objects one by one. Values still go through each column's own SQLAlchemy bind
processor (``UTCDateTime``, ``Date``, ``JSON``, ``Boolean``), so what lands on disk is
byte for byte what the application itself would write and read back. Repeated values
(the same instant, day or rule object on many rows) are encoded once and cached.

The schema always comes from the product's Alembic migrations, so indexes are exactly
production's.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table

from data.engine import is_sqlite, make_engine
from data.migrate import upgrade
from data.models import CheckIn, Delivery, ExerciseLog, Reminder, TestResult, User
from data.store import Store
from flows.plan import default_plan
from flows.schedule import Rule, next_due, slots_between

FIRST_USER_ID = 1_000_001
"""Users get ids FIRST_USER_ID, FIRST_USER_ID + 1, ... (Telegram-like, never 0)."""

ZONES: tuple[str, ...] = (
    "Europe/Brussels",
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
)
"""User i lives in ZONES[i % len(ZONES)]: several zones, so local times really differ."""

CHUNK = 50_000

Processor = Callable[[Any], Any]


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


# -- databases -----------------------------------------------------------------------


def fresh_sqlite_url(path: Path) -> str:
    """A SQLite URL for ``path``, with any earlier file (and its WAL) removed."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def migrated_store(url: str) -> Store:
    """A Store on ``url`` with the product's schema (Alembic upgrade to head)."""
    store = Store(make_engine(url))
    upgrade(store.engine)
    return store


def postgres_reachable(admin_url: str) -> str | None:
    """None when PostgreSQL answers at ``admin_url``, else a short reason."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(_libpq(admin_url), connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return f"not reachable ({type(exc).__name__})"


def create_postgres_database(admin_url: str, prefix: str = "backcoach_bench") -> str:
    """A fresh, empty database next to ``admin_url``'s; returns its URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def drop_postgres_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rpartition("/")[2]
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load (both databases need them)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


# -- the bulk writer -----------------------------------------------------------------


class _Encoder:
    """Turns Python values into DB-API values with each column's bind processor.

    Hashable values are cached by value; unhashable ones (rule dicts) by identity,
    keeping a reference so the identity stays valid. Seeders reuse the same objects.
    """

    def __init__(self, engine: Engine, table: Table, columns: Sequence[str]) -> None:
        dialect = engine.dialect
        self._processors: list[Processor | None] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        self._caches: list[dict[Any, Any]] = [{} for _ in columns]
        self._keep: list[Any] = []

    def encode(self, row: Sequence[Any]) -> tuple[Any, ...]:
        out: list[Any] = []
        for value, processor, cache in zip(row, self._processors, self._caches, strict=True):
            if processor is None or value is None:
                out.append(value)
                continue
            try:
                key: Any = value
                hit = cache.get(key)
            except TypeError:  # unhashable (a dict): by identity
                key = ("id", id(value))
                hit = cache.get(key)
                if hit is None:
                    self._keep.append(value)
            if hit is None:
                hit = cache[key] = processor(value)
                if len(cache) > 200_000:  # values that do not repeat: do not hoard them
                    cache.clear()
            out.append(hit)
        return tuple(out)


def bulk_insert(
    engine: Engine,
    model: type[Any],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    chunk: int = CHUNK,
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) fast; returns how many."""
    table = table_of(model)
    encoder = _Encoder(engine, table, columns)
    encoded = (encoder.encode(row) for row in rows)
    if not is_sqlite(engine):
        return _copy_postgres(engine, table, columns, encoded)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    total = 0
    iterator = iter(encoded)
    while batch := list(islice(iterator, chunk)):
        with engine.begin() as conn:
            conn.exec_driver_sql(sql, batch)
        total += len(batch)
    return total


def _copy_postgres(
    engine: Engine, table: Table, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
) -> int:
    total = 0
    raw = engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
        conn.commit()
    finally:
        raw.close()
    return total


# -- users ---------------------------------------------------------------------------

USER_COLUMNS = (
    "id",
    "language",
    "timezone",
    "consent_version",
    "consent_at",
    "active",
    "created_at",
    "last_seen_at",
)


def user_ids(count: int, first: int = FIRST_USER_ID) -> range:
    return range(first, first + count)


def zone_of(user_id: int, zones: Sequence[str] = ZONES) -> str:
    return zones[(user_id - FIRST_USER_ID) % len(zones)]


def seed_users(
    engine: Engine, ids: Iterable[int], now: datetime, zones: Sequence[str] = ZONES
) -> int:
    """Active users who gave consent a year ago, each in ``zone_of(id)``."""
    joined = now - timedelta(days=400)
    return bulk_insert(
        engine,
        User,
        USER_COLUMNS,
        ((uid, "en", zone_of(uid, zones), 1, joined, True, joined, now) for uid in ids),
    )


# -- reminders -----------------------------------------------------------------------

REMINDER_COLUMNS = ("user_id", "kind", "rule", "enabled", "next_due_at", "created_at", "updated_at")


@dataclass(frozen=True)
class PlanReminder:
    """One of the three real plan rules of a zone, with its next slot after ``now``."""

    kind: str
    rule: dict[str, Any]
    next_due_at: datetime | None


def plan_reminders(timezone: str, now: datetime, count: int = 3) -> list[PlanReminder]:
    """The default plan's first ``count`` rules: movement every 90 min 09:00-17:00 on
    weekdays, breathing (``stress``) at 12:30 and the check-in at 20:00."""
    rules = default_plan(None, timezone)[:count]
    return [PlanReminder(r.kind, r.to_dict(), next_due(r, now)) for r in rules]


def seed_plan_reminders(
    engine: Engine,
    ids: Iterable[int],
    now: datetime,
    zones: Sequence[str] = ZONES,
    per_user: int = 3,
) -> int:
    """``per_user`` real plan reminders per user, ``next_due_at`` computed by the rule
    (once per zone: every user of a zone shares the same next slots)."""
    plans = {zone: plan_reminders(zone, now, per_user) for zone in zones}

    def rows() -> Iterator[tuple[Any, ...]]:
        for uid in ids:
            for item in plans[zone_of(uid, zones)]:
                yield (uid, item.kind, item.rule, True, item.next_due_at, now, now)

    return bulk_insert(engine, Reminder, REMINDER_COLUMNS, rows())


def seed_spread_reminders(
    engine: Engine,
    ids: Sequence[int],
    count: int,
    start: datetime,
    spread: timedelta,
    *,
    seed: int = 1,
    zones: Sequence[str] = ZONES,
) -> int:
    """``count`` reminders with real plan rules and ``next_due_at`` spread uniformly
    over ``[start, start + spread)`` (to the second), round-robin over ``ids``."""
    rng = random.Random(seed)
    plans = {zone: plan_reminders(zone, start) for zone in zones}
    seconds = int(spread.total_seconds())
    per_user = len(next(iter(plans.values())))

    def rows() -> Iterator[tuple[Any, ...]]:
        for index in range(count):
            uid = ids[index // per_user % len(ids)]
            item = plans[zone_of(uid, zones)][index % per_user]
            due = start + timedelta(seconds=rng.randrange(seconds))
            yield (uid, item.kind, item.rule, True, due, start, start)

    return bulk_insert(engine, Reminder, REMINDER_COLUMNS, rows())


def seed_due_now(engine: Engine, ids: Iterable[int], due: datetime) -> int:
    """One real plan reminder per user, all due at ``due`` (kinds round-robin)."""
    plans = {zone: plan_reminders(zone, due) for zone in ZONES}

    def rows() -> Iterator[tuple[Any, ...]]:
        for index, uid in enumerate(ids):
            items = plans[zone_of(uid)]
            item = items[index % len(items)]
            yield (uid, item.kind, item.rule, True, due, due, due)

    return bulk_insert(engine, Reminder, REMINDER_COLUMNS, rows())


# -- a year of history (the summary benchmark) ---------------------------------------

CHECKIN_COLUMNS = (
    "user_id",
    "local_day",
    "pain",
    "stress",
    "sleep",
    "moved",
    "note",
    "created_at",
    "updated_at",
)
SLEEP = ("good", "soso", "bad", None)
MOVED = ("yes", "little", "no", None)


def _evening(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(20, 5), tzinfo=zone).astimezone(UTC)


def seed_checkins(
    engine: Engine, ids: Iterable[int], last_day: date, days: int, *, seed: int = 2
) -> int:
    """One check-in per user and local day for ``days`` days ending ``last_day``."""
    rng = random.Random(seed)
    zones = {zone: ZoneInfo(zone) for zone in ZONES}
    span = [last_day - timedelta(days=back) for back in range(days - 1, -1, -1)]
    evenings = {zone: [_evening(day, z) for day in span] for zone, z in zones.items()}

    def rows() -> Iterator[tuple[Any, ...]]:
        for uid in ids:
            at = evenings[zone_of(uid)]
            pain = rng.randrange(2, 8)
            for index, day in enumerate(span):
                pain = min(10, max(0, pain + rng.choice((-1, 0, 0, 1))))
                stress = rng.randrange(11)
                note = "stiff after the drive" if rng.random() < 0.05 else None
                yield (
                    uid,
                    day,
                    pain,
                    stress,
                    SLEEP[rng.randrange(4)],
                    MOVED[rng.randrange(4)],
                    note,
                    at[index],
                    at[index],
                )

    return bulk_insert(engine, CheckIn, CHECKIN_COLUMNS, rows())


EXERCISE_COLUMNS = ("user_id", "exercise", "started_at", "finished_at", "rating_after", "level")


def seed_exercises(
    engine: Engine,
    ids: Iterable[int],
    exercises: Sequence[str],
    last_day: date,
    days: int,
    per_day: float,
    *,
    seed: int = 3,
) -> int:
    """About ``per_day`` guided exercises per user and day (at lunch, local time)."""
    rng = random.Random(seed)
    zones = {zone: ZoneInfo(zone) for zone in ZONES}
    span = [last_day - timedelta(days=back) for back in range(days - 1, -1, -1)]
    lunches = {
        zone: [datetime.combine(d, time(12, 31), tzinfo=z).astimezone(UTC) for d in span]
        for zone, z in zones.items()
    }

    def rows() -> Iterator[tuple[Any, ...]]:
        for uid in ids:
            at = lunches[zone_of(uid)]
            for index in range(len(span)):
                if rng.random() >= per_day:
                    continue
                started = at[index]
                finished = started + timedelta(minutes=4) if rng.random() < 0.8 else None
                rating = rng.randrange(11) if finished else None
                yield (uid, rng.choice(exercises), started, finished, rating, None)

    return bulk_insert(engine, ExerciseLog, EXERCISE_COLUMNS, rows())


DELIVERY_COLUMNS = ("reminder_id", "user_id", "slot", "claimed_at", "sent_at", "status", "action")
ACTIONS = ("done", "skip", None, None)


def seed_deliveries(
    engine: Engine,
    reminders: Iterable[tuple[int, int, dict[str, Any]]],
    start: datetime,
    end: datetime,
    *,
    seed: int = 4,
) -> int:
    """A delivery for every real slot of each ``(reminder id, user id, rule)`` in
    ``(start, end]`` (computed with the product's own ``slots_between``)."""
    rng = random.Random(seed)
    slot_cache: dict[str, list[datetime]] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        for reminder_id, uid, rule in reminders:
            key = json.dumps(rule, sort_keys=True)
            slots = slot_cache.get(key)
            if slots is None:
                slots = slot_cache[key] = slots_between(Rule.from_dict(rule), start, end)
            for slot in slots:
                yield (reminder_id, uid, slot, slot, slot, "sent", ACTIONS[rng.randrange(4)])

    return bulk_insert(engine, Delivery, DELIVERY_COLUMNS, rows())


TEST_COLUMNS = ("user_id", "taken_at", "answers", "scores", "outcome")


def seed_tests(engine: Engine, ids: Iterable[int], now: datetime) -> int:
    """One finished pain self-check per user, three weeks ago."""
    answers: dict[str, Any] = {"pain_now": 5}
    scores: dict[str, Any] = {"risk": "medium", "pain_now": 5}
    taken = now - timedelta(days=21)
    return bulk_insert(
        engine,
        TestResult,
        TEST_COLUMNS,
        ((uid, taken, answers, scores, "complete") for uid in ids),
    )
