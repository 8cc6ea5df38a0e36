"""The summary chart renders a phone-sized, small PNG, also from several threads at once."""

from __future__ import annotations

import math
import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from bot.charts import render_chart, render_chart_async, with_gaps
from flows.i18n import default_catalogue
from flows.rows import DayRow
from flows.summary.chart_data import ChartData, chart_labels, chart_series
from flows.summary.inputs import ExerciseRow

T = default_catalogue().translator("en")
TODAY = date(2026, 11, 25)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 150 * 1024


def sample(days: int) -> ChartData:
    """Scores on most days, with gaps (no check-in) and some exercise days."""
    gaps = {3, 4, 9, 16, 17, 18}
    checkins = [
        DayRow(TODAY - timedelta(days=back), pain=(back * 3) % 9 + 1, stress=(back * 5) % 11)
        for back in range(days)
        if back not in gaps
    ]
    exercises = [
        ExerciseRow(TODAY - timedelta(days=back), "walk", "movement", True)
        for back in (0, 2, 5, 8, 11, 13, 20)
    ]
    return chart_series(TODAY, checkins, exercises, days=days)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    assert png[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", png[8:16])
    assert (length, chunk) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def check_png(png: bytes) -> None:
    width, height = png_size(png)
    assert 800 <= width <= 1400
    assert 450 <= height <= 900
    assert len(png) < MAX_BYTES
    assert png.endswith(b"IEND\xaeB`\x82")


def test_days_without_checkin_are_gaps_not_zeros() -> None:
    values = with_gaps((3, None, 0, None))
    assert values[0] == 3.0 and values[2] == 0.0
    assert math.isnan(values[1]) and math.isnan(values[3])


@pytest.mark.parametrize("days", [14, 28])
def test_chart_with_gaps_and_exercise_days(days: int) -> None:
    data = sample(days)
    assert None in data.pain and any(data.exercise)
    check_png(render_chart(data, chart_labels(data, T, "en")))


def test_chart_without_any_checkin() -> None:
    data = chart_series(TODAY, [], [], days=14)
    check_png(render_chart(data, chart_labels(data, T, "nl")))


def test_same_input_same_picture() -> None:
    data = sample(14)
    labels = chart_labels(data, T, "en")
    assert render_chart(data, labels) == render_chart(data, labels)


def test_concurrent_renders_in_threads() -> None:
    short, long = sample(14), sample(28)
    jobs = [(short, chart_labels(short, T, "en")), (long, chart_labels(long, T, "en"))] * 2
    alone = [render_chart(data, labels) for data, labels in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda job: render_chart(*job), jobs))
    assert together == alone
    for png in together:
        check_png(png)


async def test_render_chart_async() -> None:
    data = sample(14)
    labels = chart_labels(data, T, "en")
    assert await render_chart_async(data, labels) == render_chart(data, labels)
