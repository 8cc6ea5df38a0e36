"""The summary chart: pain and stress per day, as a PNG small enough for Telegram.

Rendering uses matplotlib's object API (``Figure`` plus ``FigureCanvasAgg``), never
``pyplot``: pyplot keeps global figure state and picks a GUI backend, neither of which
belongs in a bot. matplotlib still shares caches between threads (fonts, text layout),
so renders are serialised by one lock; a chart takes a fraction of a second, and the bot
calls :func:`render_chart_async` so the event loop never waits for it.

Design for a phone screen: about 1000x600 px, large fonts, thick lines, and the
Okabe-Ito palette, which stays distinguishable with the common colour-vision
deficiencies; pain and stress also differ by marker and line style, not only by colour.
A day without a check-in is a gap (NaN), never a zero that would read as "no pain".
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from concurrent.futures import ThreadPoolExecutor

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from flows.summary.chart_data import ChartData, ChartLabels

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 100
PAIN_COLOUR = "#D55E00"  # Okabe-Ito vermillion
STRESS_COLOUR = "#0072B2"  # Okabe-Ito blue
EXERCISE_COLOUR = "#009E73"  # Okabe-Ito bluish green
TEXT_COLOUR = "#1A1A1A"
GRID_COLOUR = "#D0D0D0"
EXERCISE_Y = -0.9
"""Exercise markers sit in a strip below the 0 line, apart from the scores."""

_RENDER_LOCK = threading.Lock()


def render_chart(data: ChartData, labels: ChartLabels) -> bytes:
    """The chart as PNG bytes. Thread-safe; call it from a worker thread."""
    with _RENDER_LOCK:
        return _render(data, labels)


_CHART_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")
"""Charts render one at a time (matplotlib shares caches between threads) in a thread of
their own, so a Sunday push of many summaries never ties up the threads that serve
users' turns and the reminder claims."""


async def render_chart_async(data: ChartData, labels: ChartLabels) -> bytes:
    """:func:`render_chart` off the event loop, in the chart thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_CHART_POOL, render_chart, data, labels)


def _render(data: ChartData, labels: ChartLabels) -> bytes:
    count = len(data.days)
    xs = list(range(count))
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()

    ax.plot(
        xs,
        with_gaps(data.pain),
        color=PAIN_COLOUR,
        linewidth=3.5,
        marker="o",
        markersize=10,
        linestyle="-",
        label=labels.pain,
        zorder=3,
    )
    ax.plot(
        xs,
        with_gaps(data.stress),
        color=STRESS_COLOUR,
        linewidth=3.0,
        marker="s",
        markersize=9,
        linestyle="--",
        label=labels.stress,
        zorder=3,
    )
    done = [x for x, flag in zip(xs, data.exercise, strict=True) if flag]
    ax.plot(
        done,
        [EXERCISE_Y] * len(done),
        color=EXERCISE_COLOUR,
        linestyle="none",
        marker="^",
        markersize=14,
        label=labels.exercise,
        zorder=3,
    )
    if not data.has_checkins:
        ax.text(
            0.5,
            0.55,
            labels.no_data,
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=20,
            color=TEXT_COLOUR,
        )

    fig.suptitle(labels.title, fontsize=24, fontweight="bold", color=TEXT_COLOUR, y=0.97)
    ax.set_ylabel(labels.y_axis, fontsize=17, color=TEXT_COLOUR)
    ax.set_ylim(-1.6, 10.6)
    ax.set_yticks(range(0, 11, 2))
    ax.set_xlim(-0.6, count - 0.4)
    ax.set_xticks(xs, labels.day_ticks)  # "" on days left unlabelled to avoid overlap
    ax.tick_params(axis="both", labelsize=14, colors=TEXT_COLOUR)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=1)
    ax.axhline(0, color=GRID_COLOUR, linewidth=1.5, zorder=1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=3,
        fontsize=16,
        frameon=False,
        handlelength=2.2,
    )
    fig.subplots_adjust(left=0.09, right=0.98, top=0.80, bottom=0.15)

    out = io.BytesIO()
    # No PNG "optimize": it halves the render speed to save about 3% of the size.
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def with_gaps(values: tuple[int | None, ...]) -> list[float]:
    """None becomes NaN, which matplotlib leaves out of the line: a visible gap."""
    return [math.nan if value is None else float(value) for value in values]
