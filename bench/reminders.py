"""Reminders at scale (docs/ARCHITECTURE.md, "Reminders at scale"): ``startup``, our one
repeating job against one PTB job per reminder, each in a fresh process; ``pick``, a
minute's due rows claimed with ``Store.claim_due`` out of a day's, against a table 100
times smaller; ``delivery``, one ``Dispatcher.tick`` through the Application to a
``FakeBotApi`` at 30/s and 1/s per chat, plain and with 2 % injected 429s.
``python -m bench.reminders [--quick] [--parts startup,pick,delivery]``, ~10 minutes."""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import resource
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

import bench.common as c
from bench.seed import seed_reminders, seed_users, spread_over, user_ids
from bot.dispatcher import Dispatcher, DispatchReport, DispatchSettings
from bot.features.reminders import advance
from bot.reminder_sender import make_sender
from bot.runner import schedule_reminders
from bot.services import build_services
from bot.telegram_app import build_application
from data.models import Reminder
from data.store import Store
from flows.schedule import Rule
from tests.support.fakebotapi import FakeBotApi

TELEGRAM_RATE = 30.0
SMALLER = 100  # the pick baseline's table is this many times smaller, same minute


def memory() -> tuple[int, int]:
    """Resident and peak resident bytes of this process."""
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def _textbook_nudge(_context: Any) -> None:
    """What each textbook job would run (never here: the scheduler stops right after)."""


def _load_reminders(store: Store) -> list[tuple[int, int, dict[str, Any]]]:
    """The textbook bot must read every reminder to know which jobs to create."""
    query = select(col(Reminder.id), col(Reminder.user_id), col(Reminder.rule))
    with Session(store.engine) as session:
        rows = session.execute(query.where(col(Reminder.enabled).is_(True))).all()
    return [(int(rid), int(uid), dict(rule)) for rid, uid, rule in rows]


def _schedule_textbook(app: Any, rows: list[tuple[int, int, dict[str, Any]]]) -> None:
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


async def _startup(variant: str, url: str) -> dict[str, float]:
    settings = c.make_settings(url, telegram_api_base_url="http://127.0.0.1:9", log_level="WARNING")
    if variant == "textbook":
        # Same services and Application as ours, built before the clock starts.
        services = build_services(settings)
        app = build_application(services)
        gc.collect()
        (rss0, peak0), t0 = memory(), time.perf_counter()
        _schedule_textbook(app, _load_reminders(services.store))
    else:
        gc.collect()
        (rss0, peak0), t0 = memory(), time.perf_counter()
        services = build_services(settings)
        app = build_application(services)
        schedule_reminders(app, services)
    assert app.job_queue is not None
    await app.job_queue.start()
    seconds = time.perf_counter() - t0
    gc.collect()
    rss1, peak1 = memory()
    scheduled = len(app.job_queue.jobs())
    await app.job_queue.stop(wait=False)
    services.store.dispose()
    grown = {"rss_mb": (rss1 - rss0) / c.MB, "peak_mb": (peak1 - peak0) / c.MB}
    return {"seconds": seconds, **grown, "scheduled": float(scheduled)}


def startup_child(variant: str, url: str) -> dict[str, float]:
    """Entry point of the spawned process (module level, so spawn can import it)."""
    return asyncio.run(_startup(variant, url))


def in_fresh_process(variant: str, url: str) -> dict[str, float]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(startup_child, variant, url).result()


def bench_startup(n_users: int, workdir: Path) -> dict[str, Any]:
    c.say(f"== a. start-up: {n_users:,} users x 3 reminders ==")
    url = c.fresh_sqlite_url(workdir / "startup.db")
    store = c.migrated_store(url)
    now = datetime.now(UTC)
    ids = user_ids(n_users)
    seed_users(store.engine, ids, now)
    rows = seed_reminders(store.engine, ids, now)
    c.analyze(store.engine)
    store.dispose()

    ours, textbook = in_fresh_process("ours", url), in_fresh_process("textbook", url)
    speedup = textbook["seconds"] / ours["seconds"]
    memory_ratio = textbook["rss_mb"] / max(ours["rss_mb"], 0.1)
    c.say(
        f"ours {ours['seconds']:.3f} s, +{ours['rss_mb']:.1f} MB; textbook "
        f"{textbook['seconds']:.3f} s, +{textbook['rss_mb']:.1f} MB: speedup {speedup:,.0f}x "
        f"(target >= 100x), memory ratio {memory_ratio:,.1f}x (target >= 20x)"
    )
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


def drain_minute(label: str, store: Store, now: datetime) -> dict[str, float]:
    """The minute's due rows claimed by ``Store.claim_due`` in rounds as ``Dispatcher.tick``
    does, after a warm-up claim a minute earlier; the first round's plan shown."""
    settings = DispatchSettings()

    def claim(at: datetime) -> tuple[int, float]:
        t0 = time.perf_counter()
        claims = store.claim_due(
            at, limit=settings.concurrency, grace=settings.grace, advance=advance
        )
        return len(claims), time.perf_counter() - t0

    claim(now - timedelta(seconds=61))
    with c.captured(store.engine) as statements:
        count, took = claim(now)
    plan = c.scans(store.engine, c.first_select(statements, "reminders"))
    c.say(f"[{label}] claim_due's SELECT: {plan}")
    rounds, claimed = [took], count
    while count:
        count, took = claim(now)
        if count:
            rounds.append(took)
            claimed += count
    per_second, round_ms = claimed / sum(rounds), c.spread(rounds)["median"]
    c.say(f"[{label}] {claimed} claimed, median {round_ms:.2f} ms a round, {per_second:,.0f}/s")
    return {"round_ms": round_ms, "claimed": claimed, "per_second": per_second}


def bench_pick(rows: int, workdir: Path, postgres_url: str | None) -> dict[str, Any]:
    """The minute out of ``rows`` rows spread over a day, then out of a table
    :data:`SMALLER` times smaller with the same minute; the ratio of their rounds."""
    c.say(f"== b. pick time: one minute's due reminders out of {rows:,} spread over a day ==")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    out: dict[str, Any] = {"pick_rows": rows}
    for db in c.databases(postgres_url):
        found: dict[str, dict[str, float]] = {}
        for size, count in (("small", rows // SMALLER), ("large", rows)):
            with c.database(db, workdir, f"pick-{size}", postgres_url) as url:
                store = c.migrated_store(url)
                # due over a day's share from a minute ago: the rows due at ``now`` are a minute's
                ids, due = user_ids(math.ceil(count / 3)), now - timedelta(minutes=1)
                seed_users(store.engine, ids, now)
                spread = spread_over(due, timedelta(days=1) * count / rows)
                seed_reminders(store.engine, ids, now, due=spread)
                c.analyze(store.engine)
                found[size] = drain_minute(f"{db}, {count:,} rows", store, now)
                store.dispose()
        large, ratio = found["large"], found["large"]["round_ms"] / found["small"]["round_ms"]
        c.say(f"[{db}] a round at {rows:,} rows / at {rows // SMALLER:,} rows: {ratio:.2f}x")
        prefix = "" if db == "sqlite" else "pg_"
        out[f"{prefix}claim_round_ms_median"] = round(large["round_ms"], 3)
        out[f"{prefix}claim_round_flat_ratio"] = round(ratio, 2)
        out[f"{prefix}claims_per_s"] = round(large["per_second"], 1)
        if db == "sqlite":
            out["pick_minute_rows"] = int(large["claimed"])
    return out


async def deliver(n: int, workdir: Path, label: str, *, inject: bool = False) -> dict[str, Any]:
    url = c.fresh_sqlite_url(workdir / "delivery.db")
    async with FakeBotApi(
        token=c.TEST_TOKEN, enforce_limits=True, global_rate=30, per_chat_rate=1.0
    ) as server:
        settings = c.make_settings(url, telegram_api_base_url=server.base_url, log_level="WARNING")
        services = build_services(settings)
        now = services.clock.now()
        ids = user_ids(n)
        seed_users(services.store.engine, ids, now)
        due = now - timedelta(seconds=1)
        seed_reminders(services.store.engine, ids, now, per_user=1, due=lambda: due)
        app = build_application(services)  # with the product's rate limiter
        async with app:
            dispatcher = Dispatcher(
                services.store, services.clock, make_sender(app.bot, services), advance
            )
            server.clear_calls()
            if inject:
                server.fail_randomly("sendMessage", 0.02, statuses=(429,), seed=1)
            cpu0, start = time.process_time(), time.monotonic()
            report: DispatchReport = await dispatcher.tick()
            elapsed, cpu = time.monotonic() - start, time.process_time() - cpu0
            server.clear_faults()
        services.store.dispose()
        sent = server.sent_messages()
        duplicated = sum(count - 1 for count in server.duplicate_sends().values())
        too_many, limited = int(server.stats["429"]), int(server.stats["rate_limited"])
    delivered, lost = len(sent), n - len({call.chat_id for call in sent})
    rate = delivered / elapsed / TELEGRAM_RATE
    c.say(
        f"[{label}] {delivered:,}/{n:,} in {elapsed:.1f}s ({rate:.3f} of 30/s); 429s "
        f"{too_many} ({limited} flood); lost {lost}; duplicated {duplicated}"
    )
    return {
        "seconds": round(elapsed, 2),
        "rate_fraction": round(rate, 4),
        "429s": too_many,
        "flood_429s": limited,
        "lost": lost,
        "duplicated": duplicated,
        "failed": report.failed,
        "cpu_ms_per_msg": round(cpu / max(delivered, 1) * 1000, 2),
    }


def bench_delivery(n: int, workdir: Path) -> dict[str, Any]:
    c.say(f"== c. delivery: {n:,} due reminders, FakeBotApi at 30/s and 1/s per chat ==")
    plain = asyncio.run(deliver(n, workdir, "plain"))
    injected = asyncio.run(deliver(n, workdir, "with 2% injected 429s", inject=True))
    out: dict[str, Any] = {"delivery_n": n}
    for prefix, figures in (("delivery", plain), ("injected", injected)):
        out.update({f"{prefix}_{key}": value for key, value in figures.items()})
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders")
    parser.add_argument("--users", type=int, help="start-up users (30,000)")
    parser.add_argument("--pick-rows", type=int, help="pick rows (1,000,000)")
    parser.add_argument("--deliveries", type=int, help="due reminders (3,000)")
    parser.add_argument("--parts", default="startup,pick,delivery", help="which, comma list")
    c.options(parser, "3,000 / 100,000 / 300")
    sizes = {"users": (3_000, 30_000), "pick_rows": (100_000, 1_000_000)}
    args = c.sized(parser.parse_args(argv), **sizes, deliveries=(300, 3_000))
    parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    if parts - {"startup", "pick", "delivery"}:
        parser.error(f"unknown parts: {', '.join(sorted(parts))}")
    with c.bench_run("bench.reminders", args.workdir, args.keep) as (workdir, figures):
        if "startup" in parts:
            figures.update(bench_startup(args.users, workdir))
        if "pick" in parts:
            figures.update(bench_pick(args.pick_rows, workdir, c.postgres_of(args)))
        if "delivery" in parts:
            figures.update(bench_delivery(args.deliveries, workdir))


if __name__ == "__main__":
    main()
