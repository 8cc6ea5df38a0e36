"""The weekly summary at scale (docs/ARCHITECTURE.md, section 9): ``load_inputs`` in one
``Store.view`` (target < 5 ms median) and the database's time by table, also for
``--heavy-users`` with a year of deliveries; ``summary_replies``; ``render_chart`` over
14 days (target < 200 ms). ``python -m bench.summary [--quick]``, 2-3 minutes."""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bench.common as c
from bench.seed import seed_year, user_ids
from bot.charts import render_chart
from bot.features.summary import load_inputs, summary_replies
from data.engine import make_engine
from data.store import Store
from flows.exercises.library import load_library
from flows.i18n import Translator, default_catalogue
from flows.summary.chart_data import chart_labels, chart_series
from flows.summary.inputs import SummaryInputs

STORE_TARGET_MS = 5.0
CHART_TARGET_MS = 200.0


def show(label: str, figures: dict[str, float], target: float | None = None) -> None:
    versus = f"   ({figures['median'] / target:.2f} of the {target:g} ms target)" if target else ""
    c.say(
        f"{label:<44} median {figures['median']:8.3f} ms  p95 {figures['p95']:8.3f} ms  "
        f"mean {figures['mean']:8.3f} ms{versus}"
    )


def load(store: Store, uid: int, now: datetime, t: Translator) -> tuple[float, SummaryInputs]:
    """``load_inputs`` in one ``Store.view`` and the seconds it took."""
    t0 = time.perf_counter()
    with store.view(uid, now) as tx:
        assert tx is not None
        result = load_inputs(tx, t)
    return time.perf_counter() - t0, result


def per_table(
    store: Store, users: Sequence[int], now: datetime, t: Translator
) -> tuple[dict[str, dict[str, float]], list[c.Statement]]:
    """How long the database takes to execute the statements ``load_inputs`` issues, per
    user and by the table each reads first; and the statements of the first user."""
    samples: dict[str, list[float]] = {}
    first: list[c.Statement] = []
    for uid in users:
        with c.captured(store.engine) as statements:
            load(store, uid, now, t)
        first = first or statements
        per_user: defaultdict[str, float] = defaultdict(float)
        for statement in statements:
            per_user[statement.table] += statement.seconds
        for table, seconds in per_user.items():
            samples.setdefault(table, []).append(seconds)
    return {table: c.spread(values) for table, values in samples.items()}, first


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    now = datetime.now(UTC)
    url = c.fresh_sqlite_url(workdir / "summary.db")
    store = c.migrated_store(url)
    c.say(f"== seeding {args.users:,} users (+{args.heavy_users} heavy) x {args.days} days ==")
    t0 = time.perf_counter()
    t = default_catalogue().translator("en")
    exercises = list(load_library(t))
    counts = seed_year(
        store.engine, args.users, now, exercises, days=args.days, heavy_users=args.heavy_users
    )
    c.analyze(store.engine)
    seed_s = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in workdir.glob("summary.db*")) / c.MB
    c.say(f"seeded {sum(counts.values()):,} rows in {seed_s:.1f}s; {size:,.0f} MB on disk")
    store.dispose()

    store = Store(make_engine(url))  # a fresh engine, as the bot would open it
    normal = list(user_ids(args.users))
    heavy = list(user_ids(args.users + args.heavy_users))[args.users :]
    sample = random.Random(7).sample(normal, min(args.samples, len(normal)))
    load(store, sample[0], now, t)  # warm: statement cache, library parse
    c.say(f"\n== store: load_inputs in one Store.view, {len(sample)} random users ==")
    loaded = [load(store, uid, now, t) for uid in sample]
    inputs = [result for _, result in loaded]
    store_stats = c.spread([took for took, _ in loaded])
    show("load_inputs (whole view)", store_stats, STORE_TARGET_MS)
    breakdown, statements = per_table(store, sample, now, t)
    for table, times in breakdown.items():
        show(f"  statements reading {table}", times)
    figures: dict[str, Any] = {}
    if heavy:
        heavy_stats = c.spread([load(store, uid, now, t)[0] for uid in heavy for _ in range(3)])
        show(f"load_inputs, {len(heavy)} heavy users (year of deliveries)", heavy_stats)
        heavy_deliveries = per_table(store, heavy * 3, now, t)[0]["deliveries"]
        show("  statements reading deliveries, heavy users", heavy_deliveries)
        ratio = heavy_deliveries["median"] / breakdown["deliveries"]["median"]
        c.say(
            f"heavy / normal: load_inputs {heavy_stats['median'] / store_stats['median']:.2f}x, "
            f"deliveries {ratio:.2f}x"
        )
        figures.update(
            heavy_users=len(heavy),
            heavy_store_summary_ms_median=round(heavy_stats["median"], 3),
            heavy_deliveries_statements_ms_median=round(heavy_deliveries["median"], 3),
            heavy_vs_normal=round(heavy_stats["median"] / store_stats["median"], 2),
        )
    c.say(f"reading deliveries: {c.scans(store.engine, c.first_select(statements, 'deliveries'))}")

    c.say(f"\n== pure: summary text from the loaded rows, {len(inputs)} users ==")
    pure_stats = c.spread([c.seconds(summary_replies, item, t) for item in inputs])
    show("summary_replies (compute+render+chart data)", pure_stats)

    c.say(f"\n== chart: render_chart over 14 days, {args.chart_runs} renders ==")
    chosen = inputs[: args.chart_runs]
    series = [chart_series(i.today, i.checkins, i.exercises, days=14) for i in chosen]
    charts = [(data, chart_labels(data, t, t.language)) for data in series]
    render_chart(*charts[0])  # warm: the first render in a process loads fonts
    chart_stats = c.spread([c.seconds(render_chart, data, labels) for data, labels in charts])
    show("render_chart (warm)", chart_stats, CHART_TARGET_MS)
    store.dispose()
    return {
        "users": args.users,
        "days": args.days,
        "rows": counts,
        "seed_s": round(seed_s, 1),
        "db_mb": round(size),
        "samples": len(sample),
        "store_summary_ms_median": round(store_stats["median"], 3),
        "store_summary_ms_p95": round(store_stats["p95"], 3),
        "store_target_ratio": round(store_stats["median"] / STORE_TARGET_MS, 3),
        "store_statements_ms_median": {
            table: round(times["median"], 3) for table, times in breakdown.items()
        },
        "pure_summary_ms_median": round(pure_stats["median"], 3),
        "chart_ms_median": round(chart_stats["median"], 2),
        "chart_ms_p95": round(chart_stats["p95"], 2),
        "chart_target_ratio": round(chart_stats["median"] / CHART_TARGET_MS, 3),
        **figures,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.summary")
    parser.add_argument("--users", type=int, help="users (10,000)")
    parser.add_argument("--days", type=int, default=365, help="days of check-ins (365)")
    parser.add_argument("--heavy-users", type=int, help="year of deliveries (20)")
    parser.add_argument("--samples", type=int, help="random users timed (200)")
    parser.add_argument("--chart-runs", type=int, help="charts rendered (20)")
    c.options(parser, "500 users, 50 samples, 5 charts", postgres=False)
    sizes = {"users": (500, 10_000), "heavy_users": (5, 20), "samples": (50, 200)}
    args = c.sized(parser.parse_args(argv), **sizes, chart_runs=(5, 20))
    args.chart_runs = min(args.chart_runs, args.samples)
    with c.bench_run("bench.summary", args.workdir, args.keep) as (workdir, figures):
        figures.update(run(args, workdir))


if __name__ == "__main__":
    main()
