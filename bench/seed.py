"""Bulk seeding for the benchmarks: users, reminders, and the year of history.

Rows go in by ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), not ORM objects one by
one, yet through each column's own bind processor, so what lands on disk is byte for
byte what the application writes; repeated values are encoded once."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, select

from data.engine import is_sqlite
from data.models import CheckIn, Delivery, ExerciseLog, Reminder, TestResult, User
from flows.plan import default_plan
from flows.rows import DeliveryStatus
from flows.schedule import Rule, next_due, slots_between

FIRST_USER_ID = 1_000_001  # Telegram-like ids, never 0
ZONES = ("Europe/Brussels", "Europe/London", "America/New_York", "Asia/Tokyo")
"""User i lives in ZONES[i % len(ZONES)]: several zones, so local times really differ."""
CHUNK = 50_000


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


class _Encoder:
    """Each column's bind processor, cached: hashable values by value, unhashable ones
    (rule dicts, reused by the seeders) by identity, kept alive so the identity holds."""

    def __init__(self, engine: Engine, table: Table, columns: Sequence[str]) -> None:
        dialect = engine.dialect
        self._processors: list[Callable[[Any], Any] | None] = [
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
    engine: Engine, model: type[Any], columns: Sequence[str], rows: Iterable[Sequence[Any]]
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
    while batch := list(islice(iterator, CHUNK)):
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


USER_COLUMNS = (
    *("id", "language", "timezone", "consent_version", "consent_at", "active"),
    *("created_at", "last_seen_at"),
)


def user_ids(count: int, first: int = FIRST_USER_ID) -> range:
    return range(first, first + count)


def zone_of(user_id: int) -> str:
    return ZONES[(user_id - FIRST_USER_ID) % len(ZONES)]


def seed_users(engine: Engine, ids: Iterable[int], now: datetime) -> int:
    """Active users who gave consent a year ago, each in ``zone_of(id)``."""
    joined = now - timedelta(days=400)
    rows = ((uid, "en", zone_of(uid), 1, joined, True, joined, now) for uid in ids)
    return bulk_insert(engine, User, USER_COLUMNS, rows)


REMINDER_COLUMNS = ("user_id", "kind", "rule", "enabled", "next_due_at", "created_at", "updated_at")


def seed_reminders(
    engine: Engine,
    ids: Iterable[int],
    now: datetime,
    *,
    per_user: int = 3,
    due: Callable[[], datetime] | None = None,
) -> int:
    """``per_user`` of the default plan's first three rules per user (movement every 90
    min 09:00-17:00 on weekdays, breathing at 12:30, the check-in at 20:00; taking turns
    when fewer), due at their next slot after ``now`` (once per zone), or at ``due()``."""
    plans = {
        zone: [(r.kind, r.to_dict(), next_due(r, now)) for r in default_plan(None, zone)[:3]]
        for zone in ZONES
    }

    def rows() -> Iterator[tuple[Any, ...]]:
        for index, uid in enumerate(ids):
            items = plans[zone_of(uid)]
            for turn in range(per_user):
                kind, rule, next_at = items[(index + turn) % len(items)]
                yield (uid, kind, rule, True, due() if due else next_at, now, now)

    return bulk_insert(engine, Reminder, REMINDER_COLUMNS, rows())


def spread_over(start: datetime, span: timedelta, seed: int = 1) -> Callable[[], datetime]:
    """Instants spread uniformly over ``[start, start + span)``, to the second."""
    rng, seconds = random.Random(seed), int(span.total_seconds())
    return lambda: start + timedelta(seconds=rng.randrange(seconds))


CHECKIN_COLUMNS = (
    *("user_id", "local_day", "pain", "stress", "sleep", "moved", "note"),
    *("created_at", "updated_at"),
)
SLEEP = ("good", "soso", "bad", None)
MOVED = ("yes", "little", "no", None)


def _local(span: Sequence[date], at: time) -> dict[str, list[datetime]]:
    """``at`` local time on each day of ``span``, in UTC, per zone."""
    return {
        zone: [datetime.combine(day, at, ZoneInfo(zone)).astimezone(UTC) for day in span]
        for zone in ZONES
    }


def seed_checkins(engine: Engine, ids: Iterable[int], span: Sequence[date]) -> int:
    """One check-in per user and local day of ``span``."""
    rng = random.Random(2)
    evenings = _local(span, time(20, 5))

    def rows() -> Iterator[tuple[Any, ...]]:
        for uid in ids:
            at = evenings[zone_of(uid)]
            pain = rng.randrange(2, 8)
            for index, day in enumerate(span):
                pain = min(10, max(0, pain + rng.choice((-1, 0, 0, 1))))
                stress = rng.randrange(11)
                note = "stiff after the drive" if rng.random() < 0.05 else None
                sleep, moved = SLEEP[rng.randrange(4)], MOVED[rng.randrange(4)]
                yield (uid, day, pain, stress, sleep, moved, note, at[index], at[index])

    return bulk_insert(engine, CheckIn, CHECKIN_COLUMNS, rows())


EXERCISE_COLUMNS = ("user_id", "exercise", "started_at", "finished_at", "rating_after", "level")


def seed_exercises(
    engine: Engine, ids: Iterable[int], exercises: Sequence[str], span: Sequence[date]
) -> int:
    """About EXERCISES_PER_DAY guided exercises per user and day (at lunch, local time)."""
    rng = random.Random(3)
    lunches = _local(span, time(12, 31))

    def rows() -> Iterator[tuple[Any, ...]]:
        for uid in ids:
            at = lunches[zone_of(uid)]
            for index in range(len(span)):
                if rng.random() >= EXERCISES_PER_DAY:
                    continue
                started = at[index]
                finished = started + timedelta(minutes=4) if rng.random() < 0.8 else None
                rating = rng.randrange(11) if finished else None
                yield (uid, rng.choice(exercises), started, finished, rating, None)

    return bulk_insert(engine, ExerciseLog, EXERCISE_COLUMNS, rows())


DELIVERY_COLUMNS = ("reminder_id", "user_id", "slot", "claimed_at", "sent_at", "status", "action")
ACTIONS = ("done", "skip", None, None)
EXERCISES_PER_DAY, DELIVERY_DAYS = 0.4, 35


def seed_deliveries(
    engine: Engine, reminders: Iterable[Any], start: datetime, end: datetime, seed: int
) -> int:
    """A delivery for every real slot of each ``(reminder id, user id, rule dict)`` in
    ``(start, end]`` (computed with the product's own ``slots_between``)."""
    rng = random.Random(seed)
    sent = DeliveryStatus.SENT.value  # the stored string: drivers get str, never the enum
    slot_cache: dict[str, list[datetime]] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        for reminder_id, uid, rule in reminders:
            key = json.dumps(rule, sort_keys=True)
            slots = slot_cache.get(key)
            if slots is None:
                slots = slot_cache[key] = slots_between(Rule.from_dict(rule), start, end)
            for slot in slots:
                yield (reminder_id, uid, slot, slot, slot, sent, ACTIONS[rng.randrange(4)])

    return bulk_insert(engine, Delivery, DELIVERY_COLUMNS, rows())


TEST_COLUMNS = ("user_id", "taken_at", "answers", "scores", "outcome")


def seed_tests(engine: Engine, ids: Iterable[int], now: datetime) -> int:
    """One finished pain self-check per user, three weeks ago."""
    answers: dict[str, Any] = {"pain_now": 5}
    scores: dict[str, Any] = {"risk": "medium", "pain_now": 5}
    taken = now - timedelta(days=21)
    rows = ((uid, taken, answers, scores, "complete") for uid in ids)
    return bulk_insert(engine, TestResult, TEST_COLUMNS, rows)


def seed_year(
    engine: Engine,
    users: int,
    now: datetime,
    exercises: Sequence[str],
    *,
    days: int = 365,
    heavy_users: int = 0,
) -> dict[str, int]:
    """``users`` (+ ``heavy_users``) users with consent, one check-in a day and some
    guided exercises for ``days`` days up to ``now``'s date, a self-check, the three plan
    reminders and a delivery for every real slot of the last DELIVERY_DAYS days (the
    heavy users: of all ``days``). Returns the rows written per table."""
    ids = user_ids(users + heavy_users)
    span = [now.date() - timedelta(days=back) for back in range(days - 1, -1, -1)]
    counts = {
        "users": seed_users(engine, ids, now),
        "checkins": seed_checkins(engine, ids, span),
        "exercise_logs": seed_exercises(engine, ids, exercises, span),
        "test_results": seed_tests(engine, ids, now),
        "reminders": seed_reminders(engine, ids, now),
    }
    table, heavy = table_of(Reminder), set(ids[users:])
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.user_id, table.c.rule).order_by(table.c.id))
        reminders = [(int(rid), int(uid), dict(rule)) for rid, uid, rule in rows]
    normal = [r for r in reminders if r[1] not in heavy]
    long = [r for r in reminders if r[1] in heavy]
    counts["deliveries"] = seed_deliveries(
        engine, normal, now - timedelta(days=DELIVERY_DAYS), now, 4
    ) + seed_deliveries(engine, long, now - timedelta(days=days), now, 5)
    return counts
