"""The numbers behind the summary's chart, and every word drawn on it.

One value per local day with gaps kept as gaps, and the labels already in the user's
language, so :func:`bot.charts.render_chart` only draws.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import format_date

from flows.i18n import Translator
from flows.rows import DayRow
from flows.summary.inputs import ExerciseRow, by_day
from flows.summary.text import locale

MAX_DAY_LABELS = 14
"""More day labels than this overlap on a phone-sized chart."""


@dataclass(frozen=True)
class ChartData:
    """One value per local day, oldest first; None where there was no check-in."""

    days: tuple[date, ...]
    pain: tuple[int | None, ...]
    stress: tuple[int | None, ...]
    exercise: tuple[bool, ...]

    @property
    def has_checkins(self) -> bool:
        return any(value is not None for value in self.pain)


@dataclass(frozen=True)
class ChartLabels:
    """Every word drawn on the chart, already in the user's language."""

    title: str
    pain: str
    stress: str
    exercise: str
    y_axis: str
    no_data: str
    day_ticks: tuple[str, ...]


def chart_series(
    today: date, checkins: Iterable[DayRow], exercises: Iterable[ExerciseRow], days: int = 14
) -> ChartData:
    """The last ``days`` local days ending today, with gaps kept as None (not zero)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    span = tuple(today - timedelta(days=back) for back in range(days - 1, -1, -1))
    checked = by_day(checkins, today)
    exercised = {e.local_day for e in exercises if e.completed}
    rows = [checked.get(day) for day in span]
    return ChartData(
        days=span,
        pain=tuple(row.pain if row else None for row in rows),
        stress=tuple(row.stress if row else None for row in rows),
        exercise=tuple(day in exercised for day in span),
    )


def chart_labels(data: ChartData, t: Translator, language: str) -> ChartLabels:
    """Labels for :func:`bot.charts.render_chart`, one tick label per day.

    A tick reads weekday over day number ("Tue" / "24"); the month is added on the first
    labelled day and where it changes. Past :data:`MAX_DAY_LABELS` days only every n-th
    day is labelled (the others get ""), counted back from today so today is named.
    """
    babel_locale = locale(language)
    count = len(data.days)
    step = max(1, math.ceil(count / MAX_DAY_LABELS))
    ticks: list[str] = []
    last_month: tuple[int, int] | None = None
    for index, day in enumerate(data.days):
        if (count - 1 - index) % step:
            ticks.append("")
            continue
        month = (day.year, day.month)
        pattern = "d" if month == last_month else "d MMM"
        last_month = month
        ticks.append(
            f"{format_date(day, format='EEE', locale=babel_locale)}\n"
            f"{format_date(day, format=pattern, locale=babel_locale)}"
        )
    return ChartLabels(
        title=t("summary.chart.title", days=count),
        pain=t("summary.pain"),
        stress=t("summary.stress"),
        exercise=t("summary.chart.exercise"),
        y_axis=t("summary.chart.y_axis"),
        no_data=t("summary.chart.no_data"),
        day_ticks=tuple(ticks),
    )
