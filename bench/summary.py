"""The weekly summary at scale: store queries, pure computation and the chart.

Run by hand: ``python -m bench.summary [--quick]`` (10,000 users x a year, 2-3 minutes).
Seeds ``bench.seed.seed_year`` into a SQLite file (``--heavy-users`` more carry a whole
year of deliveries, to show how the queries grow with history), then measures medians
over random users:

- store: ``bot.features.summary.load_inputs`` in one ``Store.view`` (every query the
  summary makes; target < 5 ms median), and the database's time by the table read;
- pure: ``summary_replies`` (compute, render, chart series and labels);
- chart: ``bot.charts.render_chart`` over 14 days (target < 200 ms).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    MB,
    Statement,
    analyze,
    bench_run,
    captured,
    first_select,
    fresh_sqlite_url,
    migrated_store,
    options,
    say,
    scans,
    spread,
)
from bench.seed import History, seed_year, user_ids
from bot.charts import render_chart
from bot.features.summary import load_inputs, summary_replies
from data.engine import make_engine
from data.store import Store
from data.turn import Turn
from flows import summary as s
from flows.exercises.library import load_library
from flows.i18n import default_catalogue
from flows.summary import SummaryInputs

STORE_TARGET_MS = 5.0
CHART_TARGET_MS = 200.0


def show(label: str, figures: dict[str, float], target: float | None = None) -> None:
    versus = f"   ({figures['median'] / target:.2f} of the {target:g} ms target)" if target else ""
    say(
        f"{label:<44} median {figures['median']:8.3f} ms  p95 {figures['p95']:8.3f} ms  "
        f"mean {figures['mean']:8.3f} ms{versus}"
    )


# -- measuring -----------------------------------------------------------------------


def timed_view(
    store: Store, uid: int, now: datetime, work: Callable[[Turn], object]
) -> tuple[float, object]:
    t0 = time.perf_counter()
    with store.view(uid, now) as tx:
        assert tx is not None
        result = work(tx)
    return time.perf_counter() - t0, result


def per_table(
    store: Store, users: Sequence[int], now: datetime, load: Callable[[Turn], object]
) -> tuple[dict[str, dict[str, float]], list[Statement]]:
    """How long the database takes to execute the statements ``load_inputs`` issues, per
    user and by the table each reads first; and the statements of the first user."""
    samples: dict[str, list[float]] = {}
    first: list[Statement] = []
    for uid in users:
        with captured(store.engine) as statements:
            timed_view(store, uid, now, load)
        first = first or statements
        per_user: dict[str, float] = {}
        for statement in statements:
            per_user[statement.table] = per_user.get(statement.table, 0.0) + statement.seconds
        for table, seconds in per_user.items():
            samples.setdefault(table, []).append(seconds)
    return {table: spread(values) for table, values in samples.items()}, first


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    now = datetime.now(UTC)
    url = fresh_sqlite_url(workdir / "summary.db")
    store = migrated_store(url)
    say(
        f"== seeding {args.users:,} users (+{args.heavy_users} heavy) x {args.days} days "
        f"into {workdir / 'summary.db'} =="
    )
    t0 = time.perf_counter()
    exercises = list(load_library(default_catalogue().translator("en")))
    history = History(days=args.days, heavy_users=args.heavy_users)
    counts = seed_year(store.engine, args.users, now, exercises, history)
    analyze(store.engine)
    seed_s = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in workdir.glob("summary.db*")) / MB
    total_rows = sum(counts.values())
    say(f"seeded {total_rows:,} rows in {seed_s:.1f}s; {size:,.0f} MB on disk")
    store.dispose()

    store = Store(make_engine(url))  # a fresh engine, as the bot would open it
    catalogue = default_catalogue()
    t = catalogue.translator("en")
    rng = random.Random(7)
    normal = list(user_ids(args.users))
    heavy = list(user_ids(args.users + args.heavy_users))[args.users :]
    sample = rng.sample(normal, min(args.samples, len(normal)))

    def load(tx: Turn) -> SummaryInputs:
        return load_inputs(tx, t)

    timed_view(store, sample[0], now, load)  # warm: statement cache, library parse
    say()
    say(f"== store: load_inputs in one Store.view, {len(sample)} random users ==")
    load_samples: list[float] = []
    inputs: list[SummaryInputs] = []
    for uid in sample:
        took, result = timed_view(store, uid, now, load)
        assert isinstance(result, SummaryInputs)
        load_samples.append(took)
        inputs.append(result)
    store_stats = spread(load_samples)
    show("load_inputs (whole view)", store_stats, STORE_TARGET_MS)
    breakdown, statements = per_table(store, sample, now, load)
    for table, times in breakdown.items():
        show(f"  statements reading {table}", times)

    heavy_stats: dict[str, float] | None = None
    heavy_deliveries: dict[str, float] | None = None
    if heavy:
        heavy_samples = [timed_view(store, uid, now, load)[0] for uid in heavy for _ in range(3)]
        heavy_stats = spread(heavy_samples)
        show(f"load_inputs, {len(heavy)} heavy users (year of deliveries)", heavy_stats)
        heavy_deliveries = per_table(store, heavy * 3, now, load)[0]["deliveries"]
        show("  statements reading deliveries, heavy users", heavy_deliveries)
        say(
            f"heavy / normal: load_inputs {heavy_stats['median'] / store_stats['median']:.2f}x, "
            f"deliveries {heavy_deliveries['median'] / breakdown['deliveries']['median']:.2f}x"
        )
    say(f"reading deliveries: {scans(store.engine, first_select(statements, 'deliveries'))}")

    say()
    say(f"== pure: summary text from the loaded rows, {len(inputs)} users ==")
    pure_samples: list[float] = []
    for item in inputs:
        t0 = time.perf_counter()
        summary_replies(item, t)
        pure_samples.append(time.perf_counter() - t0)
    pure_stats = spread(pure_samples)
    show("summary_replies (compute+render+chart data)", pure_stats)

    say()
    say(f"== chart: render_chart over 14 days, {args.chart_runs} renders ==")
    charts = [
        (data, s.chart_labels(data, t, t.language))
        for data in (
            s.chart_series(item.today, item.checkins, item.exercises, days=14)
            for item in inputs[: args.chart_runs]
        )
    ]
    render_chart(*charts[0])  # warm: the first render in a process loads fonts
    chart_samples: list[float] = []
    for data, labels in charts:
        t0 = time.perf_counter()
        render_chart(data, labels)
        chart_samples.append(time.perf_counter() - t0)
    chart_stats = spread(chart_samples)
    show("render_chart (warm)", chart_stats, CHART_TARGET_MS)
    store.dispose()

    figures: dict[str, Any] = {
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
    }
    if heavy_stats is not None and heavy_deliveries is not None:
        figures.update(
            heavy_users=len(heavy),
            heavy_store_summary_ms_median=round(heavy_stats["median"], 3),
            heavy_deliveries_statements_ms_median=round(heavy_deliveries["median"], 3),
            heavy_vs_normal=round(heavy_stats["median"] / store_stats["median"], 2),
        )
    return figures


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.summary")
    parser.add_argument("--users", type=int, default=None, help="users (10,000)")
    parser.add_argument("--days", type=int, default=365, help="days of check-ins (365)")
    parser.add_argument("--heavy-users", type=int, default=None, help="year of deliveries (20)")
    parser.add_argument("--samples", type=int, default=None, help="random users timed (200)")
    parser.add_argument("--chart-runs", type=int, default=None, help="charts rendered (20)")
    options(parser, "500 users, 50 samples, 5 charts", postgres=False)
    args = parser.parse_args(argv)
    quick = args.quick
    args.users = args.users or (500 if quick else 10_000)
    args.heavy_users = args.heavy_users if args.heavy_users is not None else (5 if quick else 20)
    args.samples = args.samples or (50 if quick else 200)
    args.chart_runs = min(args.chart_runs or (5 if quick else 20), args.samples)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with bench_run("bench.summary", args.workdir, args.keep) as (workdir, figures):
        figures.update(run(args, workdir))


if __name__ == "__main__":
    main()
