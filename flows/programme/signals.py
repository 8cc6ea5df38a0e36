"""What the check-ins say about today: the pain zone, high stress, poor sleep.

The reference is the person's own 7-day median pain, not a fixed number: a 5 is a bad
day for someone whose usual is 2 and a good one for someone whose usual is 6, and the
median is not dragged up by one bad day the way an average is. The bands and the
absolute limit of 7 out of 10 are in docs/CLINICAL.md, "The coaching programme".
Check-ins are :class:`flows.summary.DayRow` values, the same rows the weekly summary
reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from statistics import median
from typing import Final, Literal

from flows.rows import DayRow
from flows.streaks import MIN_AVERAGE_DAYS

Zone = Literal["green", "amber", "red"]
ZONES: Final[tuple[Zone, ...]] = ("green", "amber", "red")

MEDIAN_WINDOW_DAYS: Final = 7
MIN_MEDIAN_DAYS: Final = MIN_AVERAGE_DAYS
"""Fewer check-ins than this in the window give no median: "your usual" of one day
would be a guess."""
GREEN_MAX_ABOVE: Final = 1
"""Green: at most 1 point above the median."""
RED_MIN_ABOVE: Final = 4
"""Red: 4 or more above the median. Between the two (2-3 above) is amber."""
RED_PAIN: Final = 7
"""Red whatever the median: 7 or more out of 10."""
HIGH_STRESS: Final = 7
"""Stress of 7 or more makes today's skill a stress skill."""
POOR_SLEEP: Final = "bad"
POOR_SLEEP_DAYS: Final = 3
"""Poor sleep on this many days in a week brings a sleep card."""


def by_day(checkins: Iterable[DayRow], today: date) -> dict[date, DayRow]:
    """One check-in per local day up to ``today`` (a later row for a day wins)."""
    return {row.local_day: row for row in checkins if row.local_day <= today}


def median_pain(days: Mapping[date, DayRow], today: date) -> float | None:
    """The median pain of the 7 days before ``today`` (today left out, so today's pain
    is compared with the days before it), or None with too few check-ins. ``days`` is
    :func:`by_day`'s map, made once for all of a day's signals."""
    start = today - timedelta(days=MEDIAN_WINDOW_DAYS)
    pains = [row.pain for day, row in days.items() if start <= day < today]
    return float(median(pains)) if len(pains) >= MIN_MEDIAN_DAYS else None


def zone_of(pain: int, reference: float | None) -> Zone:
    """Green, amber or red for ``pain`` against the median ``reference``.

    Without a reference only the absolute rule applies (7 or more is red), and anything
    else is green: nothing says today is worse than usual.
    """
    if pain >= RED_PAIN:
        return "red"
    if reference is None:
        return "green"
    above = pain - reference
    if above >= RED_MIN_ABOVE:
        return "red"
    if above <= GREEN_MAX_ABOVE:
        return "green"
    return "amber"


def stressed(row: DayRow | None) -> bool:
    return row is not None and row.stress >= HIGH_STRESS


def poor_sleep_days(days: Mapping[date, DayRow], today: date) -> int:
    """Days with poor sleep in the week ending today (today included: last night counts);
    ``days`` as for :func:`median_pain`."""
    start = today - timedelta(days=MEDIAN_WINDOW_DAYS - 1)
    return sum(1 for day, row in days.items() if start <= day <= today and row.sleep == POOR_SLEEP)
