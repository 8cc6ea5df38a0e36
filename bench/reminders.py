"""Reminders at scale (docs/ARCHITECTURE.md, "Reminders at scale"): start-up, pick time, delivery.

Run by hand, never by pytest::

    .venv/bin/python -m bench.reminders            # defaults, about 5-6 minutes
    .venv/bin/python -m bench.reminders --quick    # smoke run, about a minute
    .venv/bin/python -m bench.reminders --parts startup,pick --users 10000

Parts (``--parts``, default all three):

``startup``
    N users x 3 real plan reminders (movement every 90 min 09:00-17:00 on weekdays,
    breathing 12:30, check-in 20:00; four time zones) in a fresh SQLite file. Each
    variant then runs in a *fresh spawned process* that measures wall time and RSS
    growth (``/proc/self/statm``) around its own start-up:

    - textbook: read every reminder and call ``JobQueue.run_daily`` once per user and
      reminder (N x 3 jobs, local time and days of the rule), then start the scheduler.
      Conservative for the textbook: an interval rule gets one daily job at its first
      slot (a faithful port would need one job per slot, 6 per day). Building the
      services and the Application happens before its clock starts.
    - ours: ``build_services`` (engine, migrations, catalogue), ``build_application``,
      ``bot.runner.schedule_reminders`` (the one repeating job) and the scheduler
      start, all inside the clock.

``pick``
    ``--pick-rows`` reminder rows (users = rows / 3) with ``next_due_at`` spread
    uniformly over one day, so one minute holds rows/1440 due rows. Times the SELECT
    ``QueueOps.claim_due`` issues (same statement, rebuilt here) for one round
    (``LIMIT concurrency``) and for the whole minute, median over ``--runs``; prints
    the query plan; then drains the minute with the real ``claim_due`` (rounds at the
    dispatcher's concurrency). SQLite always; PostgreSQL too when reachable
    (``--postgres-url``; ``--no-postgres`` to skip), seeded with COPY.

``delivery``
    ``--deliveries`` users with one reminder each, due now, sent by one
    ``Dispatcher.tick`` with ``make_sender`` through the product's Application
    (``build_application``: ``AIORateLimiter(max_retries=3)``) to ``FakeBotApi``
    enforcing 30 msg/s overall and 1/s per chat (429 beyond). Then again with 2 %
    random 429s injected. 3,000 messages at 30/s take about 100 s per variant.

Every figure and ratio is measured in the same run; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import importlib
import json
import math
import os
import resource
import shutil
import statistics
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bench.common import machine_line, work_folder
from bench.seed import (
    analyze,
    create_postgres_database,
    drop_postgres_database,
    fresh_sqlite_url,
    migrated_store,
    postgres_reachable,
    seed_due_now,
    seed_plan_reminders,
    seed_spread_reminders,
    seed_users,
    user_ids,
)
from bot import telegram_app
from bot.config import Settings
from bot.dispatcher import Dispatcher, DispatchReport, DispatchSettings
from bot.features.reminders import advance
from bot.reminder_sender import make_sender
from bot.runner import schedule_reminders
from bot.services import build_services
from bot.telegram_app import build_application
from data.engine import READ_ONLY
from data.models import Reminder, User
from data.store import Store
from flows.schedule import Rule
from tests.fakebotapi import FakeBotApi

# tests.conftest is imported at run time only: it is test code, outside mypy's packages.
_conftest = importlib.import_module("tests.conftest")
TEST_TOKEN: str = _conftest.TEST_TOKEN
POSTGRES_ADMIN_URL: str = _conftest.POSTGRES_ADMIN_URL


def make_settings(database_url: str, **overrides: object) -> Settings:
    """The test suite's settings (token, zone, language), for one database URL."""
    settings: Settings = _conftest.make_settings(database_url, **overrides)
    return settings


TELEGRAM_RATE = 30.0
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


def say(line: str = "") -> None:
    print(line, flush=True)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


# ======================================================================================
# a. start-up
# ======================================================================================


async def _textbook_nudge(_context: Any) -> None:
    """What each textbook job would run (never here: the scheduler stops right after)."""


def _load_reminders(store: Store) -> list[tuple[int, int, dict[str, Any]]]:
    """The textbook bot must read every reminder to know which jobs to create."""
    with Session(store.engine) as session:
        rows = session.execute(
            select(col(Reminder.id), col(Reminder.user_id), col(Reminder.rule)).where(
                col(Reminder.enabled).is_(True)
            )
        ).all()
    return [(int(rid), int(uid), dict(rule)) for rid, uid, rule in rows]


def _schedule_textbook(app: Any, rows: list[tuple[int, int, dict[str, Any]]]) -> int:
    """One ``run_daily`` job per user and reminder (PTB days: 0 = Sunday)."""
    job_queue = app.job_queue
    for reminder_id, user_id, data in rows:
        rule = Rule.from_dict(data)
        first = rule.times[0] if rule.times else rule.window_start
        assert first is not None
        hour, minute = (int(part) for part in first.split(":"))
        job_queue.run_daily(
            _textbook_nudge,
            dtime(hour, minute, tzinfo=ZoneInfo(rule.timezone)),
            days=tuple((day + 1) % 7 for day in rule.days),
            name=f"reminder-{reminder_id}",
            data=data,
            chat_id=user_id,
            user_id=user_id,
        )
    return len(rows)


async def _startup(variant: str, url: str) -> dict[str, float]:
    settings = make_settings(url, telegram_api_base_url="http://127.0.0.1:9", log_level="WARNING")
    result: dict[str, float] = {}
    if variant == "textbook":
        # Same services and Application as ours, built before the clock starts.
        services = build_services(settings)
        app = build_application(services)
        gc.collect()
        rss0, peak0, t0 = rss_bytes(), peak_rss_bytes(), time.perf_counter()
        rows = _load_reminders(services.store)
        t_loaded = time.perf_counter()
        jobs = _schedule_textbook(app, rows)
        t_added = time.perf_counter()
        assert app.job_queue is not None
        await app.job_queue.start()
        t1 = time.perf_counter()
        result.update(load_s=t_loaded - t0, run_daily_s=t_added - t_loaded, start_s=t1 - t_added)
    else:
        gc.collect()
        rss0, peak0, t0 = rss_bytes(), peak_rss_bytes(), time.perf_counter()
        services = build_services(settings)
        app = build_application(services)
        t_built = time.perf_counter()
        schedule_reminders(app, services)
        assert app.job_queue is not None
        await app.job_queue.start()
        t1 = time.perf_counter()
        jobs = 1
        result.update(services_s=t_built - t0, schedule_s=t1 - t_built)
    seconds = t1 - t0
    gc.collect()
    rss1, peak1 = rss_bytes(), peak_rss_bytes()
    scheduled = len(app.job_queue.jobs())
    await app.job_queue.stop(wait=False)
    services.store.dispose()
    result.update(
        seconds=seconds,
        rss_mb=(rss1 - rss0) / MB,
        peak_mb=(peak1 - peak0) / MB,
        jobs=float(jobs),
        scheduled=float(scheduled),
    )
    return result


def startup_child(variant: str, url: str) -> dict[str, float]:
    """Entry point of the spawned process (module level, so spawn can import it)."""
    return asyncio.run(_startup(variant, url))


def in_fresh_process(variant: str, url: str) -> dict[str, float]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(startup_child, variant, url).result()


def bench_startup(n_users: int, workdir: Path) -> dict[str, Any]:
    say(f"== a. start-up: {n_users:,} users x 3 reminders ==")
    url = fresh_sqlite_url(workdir / "startup.db")
    store = migrated_store(url)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    ids = user_ids(n_users)
    seed_users(store.engine, ids, now)
    rows = seed_plan_reminders(store.engine, ids, now)
    analyze(store.engine)
    store.dispose()
    say(f"seeded {n_users:,} users, {rows:,} reminders in {time.perf_counter() - t0:.1f}s")

    ours = in_fresh_process("ours", url)
    say(
        f"ours     : {ours['seconds']:8.3f} s  RSS +{ours['rss_mb']:7.1f} MB "
        f"(peak +{ours['peak_mb']:.1f})  jobs {ours['scheduled']:.0f}  "
        f"[build_services+app {ours['services_s']:.3f}s, one job+start {ours['schedule_s']:.3f}s]"
    )
    textbook = in_fresh_process("textbook", url)
    say(
        f"textbook : {textbook['seconds']:8.3f} s  RSS +{textbook['rss_mb']:7.1f} MB "
        f"(peak +{textbook['peak_mb']:.1f})  jobs {textbook['scheduled']:,.0f}  "
        f"[load {textbook['load_s']:.2f}s, run_daily {textbook['run_daily_s']:.2f}s, "
        f"start {textbook['start_s']:.2f}s]"
    )
    speedup = textbook["seconds"] / ours["seconds"]
    memory_ratio = textbook["rss_mb"] / max(ours["rss_mb"], 0.1)
    say(
        f"speedup {speedup:,.0f}x (target >= 100x)   memory ratio {memory_ratio:,.1f}x "
        f"(target >= 20x)"
    )
    say()
    return {
        "n_users": n_users,
        "n_reminders": rows,
        "textbook_jobs": int(textbook["scheduled"]),
        "textbook_schedule_s": round(textbook["seconds"], 3),
        "ours_schedule_s": round(ours["seconds"], 4),
        "speedup": round(speedup, 1),
        "textbook_rss_mb": round(textbook["rss_mb"], 1),
        "ours_rss_mb": round(ours["rss_mb"], 2),
        "memory_ratio": round(memory_ratio, 1),
        "textbook_peak_rss_mb": round(textbook["peak_mb"], 1),
        "ours_peak_rss_mb": round(ours["peak_mb"], 2),
    }


# ======================================================================================
# b. pick time
# ======================================================================================


def due_query(now: datetime, limit: int, dialect: str) -> Any:
    """The SELECT of ``QueueOps.claim_due``, statement for statement."""
    query = (
        select(Reminder, User)
        .join(User, col(User.id) == Reminder.user_id)
        .where(col(Reminder.enabled).is_(True), col(Reminder.next_due_at) <= now)
        .order_by(col(Reminder.next_due_at))
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Reminder)
    return query


def driver_statement(engine: Engine, query: Any, prefix: str = "") -> tuple[str, Any]:
    """``query`` as the SQL text and DB-API parameters SQLAlchemy would send."""
    compiled: Any = query.compile(dialect=engine.dialect)
    processors = compiled._bind_processors  # e.g. UTCDateTime -> the stored form
    params = {
        key: processors[key](value) if key in processors else value
        for key, value in compiled.construct_params().items()
    }
    if compiled.positional:
        return f"{prefix}{compiled}", tuple(params[key] for key in compiled.positiontup)
    return f"{prefix}{compiled}", params


def _timed(engine: Engine, query: Any, runs: int, mode: str) -> tuple[list[float], int]:
    """Samples of executing ``query`` and fetching every row, each run in a fresh session
    (as ``claim_due`` does) with its transaction already begun, so the sample is the
    statement alone. ``mode``: "sql" = the DB-API alone (no result types applied),
    "core" = rows with column types (UTC datetimes, JSON rules), "orm" = Reminder and
    User objects, which is what ``claim_due`` reads."""
    sql, args = driver_statement(engine, query)
    samples: list[float] = []
    count = 0
    for attempt in range(runs + 1):  # the first run warms the statement cache and pages
        with Session(engine) as session:
            connection = session.connection()
            t0 = time.perf_counter()
            if mode == "sql":
                rows = connection.exec_driver_sql(sql, args).all()
            elif mode == "core":
                rows = connection.execute(query).all()
            else:
                rows = session.execute(query).all()
            elapsed = time.perf_counter() - t0
            count = len(rows)
            session.rollback()
        if attempt:
            samples.append(elapsed)
    return samples, count


def query_plan(engine: Engine, now: datetime, limit: int) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN ANALYZE, of the due query."""
    query = due_query(now, limit, engine.dialect.name)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql, args = driver_statement(engine, query, "EXPLAIN QUERY PLAN ")
            return [str(row[-1]) for row in conn.exec_driver_sql(sql, args).all()]
        sql, args = driver_statement(engine, query, "EXPLAIN (ANALYZE, BUFFERS) ")
        rows = conn.exec_driver_sql(sql, args).all()
        conn.rollback()
        return [str(row[0]) for row in rows]


def measure_pick(
    label: str, store: Store, now: datetime, runs: int, concurrency: int
) -> dict[str, float]:
    engine = store.engine.execution_options(**{READ_ONLY: True})
    dialect = engine.dialect.name
    round_query = due_query(now, concurrency, dialect)
    minute_query = due_query(now, 1_000_000, dialect)
    round_sql, round_count = _timed(engine, round_query, runs, "sql")
    round_orm, _ = _timed(engine, round_query, runs, "orm")
    minute_sql, minute_count = _timed(engine, minute_query, runs, "sql")
    minute_core, _ = _timed(engine, minute_query, runs, "core")
    minute_orm, _ = _timed(engine, minute_query, runs, "orm")

    plan = query_plan(store.engine, now, concurrency)
    say(f"[{label}] query plan (LIMIT {concurrency}):")
    for line in plan:
        say(f"    {line}")
    say(f"[{label}] medians over {runs} runs:       SQL (DB-API)  typed rows   ORM objects")
    say(
        f"[{label}] one round  (LIMIT {concurrency}, {round_count:>3} rows)  "
        f"{median_ms(round_sql):8.2f} ms  {'':>11}  {median_ms(round_orm):8.2f} ms"
        f"   <- what each claim_due round reads"
    )
    say(
        f"[{label}] one minute (all {minute_count:>4} rows)  {median_ms(minute_sql):8.2f} ms  "
        f"{median_ms(minute_core):8.2f} ms  {median_ms(minute_orm):8.2f} ms   (target < 20 ms; "
        f"SQL = {median_ms(minute_sql) / 20:.2f} of it)"
    )

    # The real claim_due, draining the minute round by round (writes deliveries).
    settings = DispatchSettings()
    rounds: list[float] = []
    claimed = 0
    t_all = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        claims = store.claim_due(
            now, limit=settings.concurrency, grace=settings.grace, advance=advance
        )
        if not claims:
            break
        rounds.append(time.perf_counter() - t0)
        claimed += len(claims)
    drain = time.perf_counter() - t_all
    say(
        f"[{label}] claim_due x{len(rounds)} rounds of {settings.concurrency}: median "
        f"{median_ms(rounds) if rounds else 0:.2f} ms/round, {claimed} claimed in {drain:.2f}s "
        f"({claimed / drain if drain else 0:,.0f} claims/s = "
        f"{claimed / drain / TELEGRAM_RATE if drain else 0:,.0f}x Telegram's 30/s)"
    )
    return {
        "round_ms": median_ms(round_orm),
        "round_sql_ms": median_ms(round_sql),
        "minute_rows": float(minute_count),
        "minute_sql_ms": median_ms(minute_sql),
        "minute_core_ms": median_ms(minute_core),
        "minute_orm_ms": median_ms(minute_orm),
        "claim_round_ms": median_ms(rounds) if rounds else math.nan,
        "claimed": float(claimed),
        "claims_per_s": claimed / drain if drain else math.nan,
    }


def _seed_pick(store: Store, rows: int, now: datetime) -> float:
    t0 = time.perf_counter()
    ids = user_ids(math.ceil(rows / 3))
    seed_users(store.engine, ids, now)
    # Spread over [now - 60 s, now + 1 day - 60 s): the rows <= now are one minute's.
    seed_spread_reminders(store.engine, ids, rows, now - timedelta(minutes=1), timedelta(days=1))
    analyze(store.engine)
    return time.perf_counter() - t0


def bench_pick(rows: int, runs: int, workdir: Path, postgres_url: str | None) -> dict[str, Any]:
    say(f"== b. pick time: {rows:,} reminder rows spread over a day ==")
    concurrency = DispatchSettings().concurrency
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    store = migrated_store(fresh_sqlite_url(workdir / "pick.db"))
    seconds = _seed_pick(store, rows, now)
    size = sum(p.stat().st_size for p in workdir.glob("pick.db*")) / MB
    say(
        f"[sqlite] seeded {rows:,} reminders in {seconds:.1f}s "
        f"({rows / seconds:,.0f} rows/s; {size:,.0f} MB on disk)"
    )
    lite = measure_pick("sqlite", store, now, runs, concurrency)
    store.dispose()
    out: dict[str, Any] = {
        "pick_rows": rows,
        "pick_minute_rows": int(lite["minute_rows"]),
        "pick_1m_rows_ms_median": round(lite["minute_sql_ms"], 3),
        "pick_1m_rows_typed_ms_median": round(lite["minute_core_ms"], 3),
        "pick_1m_rows_orm_ms_median": round(lite["minute_orm_ms"], 3),
        "pick_round_sql_ms_median": round(lite["round_sql_ms"], 3),
        "pick_round_ms_median": round(lite["round_ms"], 3),
        "claim_round_ms_median": round(lite["claim_round_ms"], 3),
        "claims_per_s": round(lite["claims_per_s"], 1),
    }
    if postgres_url is not None:
        db_url = create_postgres_database(postgres_url)
        try:
            pg = migrated_store(db_url)
            seconds = _seed_pick(pg, rows, now)
            say(f"[postgres] seeded {rows:,} reminders with COPY in {seconds:.1f}s")
            res = measure_pick("postgres", pg, now, runs, concurrency)
            pg.dispose()
        finally:
            drop_postgres_database(postgres_url, db_url)
        out.update(
            pg_pick_1m_rows_ms_median=round(res["minute_sql_ms"], 3),
            pg_pick_1m_rows_typed_ms_median=round(res["minute_core_ms"], 3),
            pg_pick_1m_rows_orm_ms_median=round(res["minute_orm_ms"], 3),
            pg_pick_round_sql_ms_median=round(res["round_sql_ms"], 3),
            pg_pick_round_ms_median=round(res["round_ms"], 3),
            pg_claim_round_ms_median=round(res["claim_round_ms"], 3),
            pg_claims_per_s=round(res["claims_per_s"], 1),
        )
    say()
    return out


# ======================================================================================
# c. delivery
# ======================================================================================


@contextmanager
def rate_limiter_override(overrides: dict[str, Any] | None) -> Iterator[None]:
    """What-if only: ``build_application`` builds ``AIORateLimiter(max_retries=3)``; this
    adds ``overrides`` to that call for the duration (no product file is changed)."""
    if not overrides:
        yield
        return
    namespace = vars(telegram_app)
    original = namespace["AIORateLimiter"]
    namespace["AIORateLimiter"] = functools.partial(original, **overrides)
    try:
        yield
    finally:
        namespace["AIORateLimiter"] = original


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def deliver(
    n: int,
    workdir: Path,
    label: str,
    *,
    inject: bool = False,
    limiter: dict[str, Any] | None = None,
    concurrency: int | None = None,
) -> dict[str, Any]:
    url = fresh_sqlite_url(workdir / "delivery.db")
    async with FakeBotApi(
        token=TEST_TOKEN, enforce_limits=True, global_rate=30, per_chat_rate=1.0
    ) as server:
        settings = make_settings(url, telegram_api_base_url=server.base_url, log_level="WARNING")
        services = build_services(settings)
        now = services.clock.now()
        ids = user_ids(n)
        seed_users(services.store.engine, ids, now)
        seed_due_now(services.store.engine, ids, now - timedelta(seconds=1))
        with rate_limiter_override(limiter):
            app = build_application(services)  # AIORateLimiter(max_retries=3), as in production
        async with app:
            dispatch = DispatchSettings() if concurrency is None else DispatchSettings(concurrency)
            dispatcher = Dispatcher(
                services.store, services.clock, make_sender(app.bot, services), advance, dispatch
            )
            server.clear_calls()
            if inject:
                server.fail_randomly("sendMessage", 0.02, statuses=(429,), seed=1)
            cpu0, start = cpu_seconds(), time.monotonic()
            report: DispatchReport = await dispatcher.tick()
            elapsed, cpu = time.monotonic() - start, cpu_seconds() - cpu0
            server.clear_faults()
        services.store.dispose()
        sends = server.calls_to("sendMessage")
        sent = server.sent_messages()
        delivered = len(sent)
        chats = {call.chat_id for call in sent}
        duplicated = sum(count - 1 for count in server.duplicate_sends().values())
        too_many = int(server.stats["429"])
        limited = int(server.stats["rate_limited"])
    rate = delivered / elapsed / TELEGRAM_RATE
    times = sorted(call.time for call in sent)
    lo, hi = int(len(times) * 0.05), int(len(times) * 0.95)
    steady = (hi - lo) / (times[hi - 1] - times[lo]) / TELEGRAM_RATE if hi - lo > 1 else math.nan
    per_second = Counter(int(call.time - start) for call in sent)
    idle = sum(1 for second in range(int(elapsed)) if per_second[second] == 0)
    first_429 = min((c.time - start for c in sends if c.status == 429), default=math.nan)
    lost = n - len(chats)
    say(
        f"[{label}] {delivered:,}/{n:,} delivered in {elapsed:.1f}s: "
        f"{delivered / elapsed:.2f} msg/s = {rate:.3f} of 30/s (5-95% window {steady:.3f}); "
        f"429s {too_many} ({limited} from the flood limits, first at {first_429:.2f}s); "
        f"lost {lost}; duplicated {duplicated}"
    )
    say(
        f"[{label}] dispatcher: rounds {report.rounds}, sent {report.sent}, "
        f"failed {report.failed}, ambiguous {report.ambiguous}, retries {report.retries}; "
        f"seconds with nothing delivered {idle}; sends per second (first 12 s) "
        f"{[per_second[i] for i in range(min(12, int(elapsed) + 1))]}; "
        f"CPU {cpu:.1f}s ({cpu / max(delivered, 1) * 1000:.1f} ms/msg, bot and fake server)"
    )
    return {
        "delivered": delivered,
        "seconds": round(elapsed, 2),
        "rate_fraction": round(rate, 4),
        "steady_rate_fraction": round(steady, 4),
        "429s": too_many,
        "flood_429s": limited,
        "lost": lost,
        "duplicated": duplicated,
        "failed": report.failed,
        "retries": report.retries,
        "idle_seconds": idle,
        "cpu_ms_per_msg": round(cpu / max(delivered, 1) * 1000, 2),
    }


SMOOTH_LIMITER = {"overall_max_rate": 1, "overall_time_period": 1 / TELEGRAM_RATE}
"""What-if: the same 30/s as one token every 1/30 s (no burst allowance)."""


def bench_delivery(n: int, workdir: Path, what_if: bool) -> dict[str, Any]:
    say(f"== c. delivery: {n:,} due reminders, FakeBotApi at 30/s and 1/s per chat ==")
    plain = asyncio.run(deliver(n, workdir, "plain"))
    injected = asyncio.run(deliver(n, workdir, "with 2% injected 429s", inject=True))
    say(
        f"rate with injected 429s / plain: {injected['rate_fraction'] / plain['rate_fraction']:.2f}"
    )
    out: dict[str, Any] = {
        "delivery_n": n,
        "delivery_seconds": plain["seconds"],
        "delivery_rate_fraction": plain["rate_fraction"],
        "delivery_steady_rate_fraction": plain["steady_rate_fraction"],
        "delivery_429s": plain["429s"],
        "delivery_flood_429s": plain["flood_429s"],
        "lost": plain["lost"],
        "duplicated": plain["duplicated"],
        "delivery_failed": plain["failed"],
        "delivery_idle_seconds": plain["idle_seconds"],
        "delivery_cpu_ms_per_msg": plain["cpu_ms_per_msg"],
        "injected_seconds": injected["seconds"],
        "injected_rate_fraction": injected["rate_fraction"],
        "injected_429s": injected["429s"],
        "injected_flood_429s": injected["flood_429s"],
        "injected_lost": injected["lost"],
        "injected_duplicated": injected["duplicated"],
        "injected_failed": injected["failed"],
    }
    if what_if:
        say("-- what-if (diagnosis only, not the product's configuration) --")
        smooth = asyncio.run(
            deliver(n, workdir, "what-if: limiter 1 per 1/30 s", limiter=SMOOTH_LIMITER)
        )
        wide = asyncio.run(
            deliver(
                n,
                workdir,
                "what-if: limiter 1 per 1/30 s, concurrency 60",
                limiter=SMOOTH_LIMITER,
                concurrency=60,
            )
        )
        out.update(
            whatif_smooth_rate_fraction=smooth["rate_fraction"],
            whatif_smooth_429s=smooth["429s"],
            whatif_smooth_c60_rate_fraction=wide["rate_fraction"],
            whatif_smooth_c60_429s=wide["429s"],
        )
    say()
    return out


# ======================================================================================


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reminders", description=__doc__.split("\n")[0] if __doc__ else ""
    )
    parser.add_argument("--users", type=int, default=None, help="start-up users (30,000)")
    parser.add_argument("--pick-rows", type=int, default=None, help="pick rows (1,000,000)")
    parser.add_argument("--deliveries", type=int, default=None, help="due reminders (3,000)")
    parser.add_argument("--runs", type=int, default=None, help="query repetitions (30)")
    parser.add_argument("--quick", action="store_true", help="3,000 / 100,000 / 300 smoke run")
    parser.add_argument(
        "--parts", default="startup,pick,delivery", help="comma list of startup,pick,delivery"
    )
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only for pick")
    parser.add_argument("--workdir", type=Path, default=None, help="where the DB files go")
    parser.add_argument("--keep", action="store_true", help="keep the database files")
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="delivery also with a burst-free limiter (and concurrency 60): diagnosis only",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.users = args.users or (3_000 if quick else 30_000)
    args.pick_rows = args.pick_rows or (100_000 if quick else 1_000_000)
    args.deliveries = args.deliveries or (300 if quick else 3_000)
    args.runs = args.runs or (10 if quick else 30)
    args.parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    unknown = args.parts - {"startup", "pick", "delivery"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    workdir = work_folder(args.workdir)
    load = os.getloadavg()[0]
    say(f"{machine_line('bench.reminders')}, db in {workdir}")
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    try:
        if "startup" in args.parts:
            figures.update(bench_startup(args.users, workdir))
        if "pick" in args.parts:
            pg_url: str | None = None
            if not args.no_postgres:
                reason = postgres_reachable(args.postgres_url)
                if reason is None:
                    pg_url = args.postgres_url
                else:
                    say(f"(PostgreSQL skipped: {reason})")
            figures.update(bench_pick(args.pick_rows, args.runs, workdir, pg_url))
        if "delivery" in args.parts:
            figures.update(bench_delivery(args.deliveries, workdir, args.what_if))
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    figures["load_avg_start"] = round(load, 2)
    figures["load_avg_end"] = round(os.getloadavg()[0], 2)
    figures["total_s"] = round(time.perf_counter() - started, 1)
    say(f"total {figures['total_s']}s")
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
