"""Where someone is in the programme: "Week 3 · Day 2", worked out from dates.

The programme counts the person's own local days since enrolment, leaving out the
days of a pause: someone back from a fortnight's holiday picks up at the day they
left, so the plan's steps (the lessons' order, the graded walking) are not skipped
while they were away (docs/CLINICAL.md, "The coaching programme": a pause keeps the
streak). Days without a session still count: the programme follows the calendar, as the
12-week programmes it is modelled on do, and a missed day is simply a day not done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from flows.programme.records import Span
from flows.programme.state import ProgrammeState

PROGRAMME_WEEKS: Final = 12
"""Twelve weeks, then maintenance (docs/CLINICAL.md, "The coaching programme")."""
WEEK_DAYS: Final = 7
ONE_DAY: Final = timedelta(days=1)
LABEL_KEY: Final = "programme.label.day"
MAINTENANCE_LABEL_KEY: Final = "programme.label.maintenance"


@dataclass(frozen=True)
class Position:
    """A programme day: ``index`` counts from 0 at enrolment, paused days left out."""

    index: int

    @property
    def week(self) -> int:
        """1-based; goes on past 12 in maintenance."""
        return self.index // WEEK_DAYS + 1

    @property
    def day(self) -> int:
        """1-7 within the week."""
        return self.index % WEEK_DAYS + 1

    @property
    def maintenance(self) -> bool:
        return self.week > PROGRAMME_WEEKS


@dataclass(frozen=True)
class DayLabel:
    """The day's heading as a catalogue key and its fills, so the words stay in the
    content files: "Week {week} · Day {day}", or the maintenance week's heading."""

    week: int
    day: int
    maintenance: bool

    @property
    def key(self) -> str:
        return MAINTENANCE_LABEL_KEY if self.maintenance else LABEL_KEY

    def fills(self) -> dict[str, int]:
        if self.maintenance:
            return {"week": self.week - PROGRAMME_WEEKS}
        return {"week": self.week, "day": self.day}


def all_pauses(state: ProgrammeState) -> tuple[Span, ...]:
    """Past pauses and the current one, in order."""
    return (*state.pauses, state.pause) if state.pause is not None else state.pauses


def is_paused(state: ProgrammeState, day: date) -> bool:
    """True on a day inside any pause, past or current."""
    return any(day in span for span in all_pauses(state))


def position(state: ProgrammeState, today: date) -> Position:
    """Today's place in the programme; a paused day keeps the place it was paused at.

    A date before enrolment is a bug in the caller (the clock or the stored date) and
    raises ValueError rather than planning a day -3.
    """
    if today < state.enrolled_on:
        raise ValueError(f"{today} is before enrolment on {state.enrolled_on}")
    elapsed = (today - state.enrolled_on).days
    paused = sum(_days_before(span, today) for span in all_pauses(state))
    return Position(elapsed - paused)


def label(where: Position) -> DayLabel:
    return DayLabel(where.week, where.day, where.maintenance)


def week_dates(state: ProgrammeState, week: int, today: date) -> tuple[date, ...]:
    """The local dates of programme week ``week`` that have begun by ``today``, paused
    days left out: what a weekly count ("3 of 7 days") is counted over.

    Each date comes from its index (:func:`date_of`), so the cost does not grow with
    the days since enrolment: the daily message and the plan ask for it every day of a
    programme that may run for months.
    """
    first_index = (week - 1) * WEEK_DAYS
    found: list[date] = []
    for index in range(first_index, first_index + WEEK_DAYS):
        day = date_of(state, index)
        if day > today:
            break
        found.append(day)
    return tuple(found)


def date_of(state: ProgrammeState, index: int) -> date:
    """The local date of programme day ``index`` (0 at enrolment), paused days left out.

    Pauses are in order and never overlap, so each one that begins on or before the
    date found so far pushes it on by its length.
    """
    day = state.enrolled_on + timedelta(days=index)
    for span in all_pauses(state):
        if span.start <= day:
            day += timedelta(days=span.days)
    return day


def _days_before(span: Span, today: date) -> int:
    """Days of ``span`` strictly before ``today``."""
    if span.start >= today:
        return 0
    return (min(span.end, today - ONE_DAY) - span.start).days + 1
