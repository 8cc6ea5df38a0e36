"""Shared inputs for the programme tests: a small exercise library, a lesson book,
and builders for states, check-ins and sessions on days counted from enrolment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time, timedelta
from typing import Any

from flows.programme.lessons import THEMES, LessonBook
from flows.programme.library import ExerciseSpec
from flows.programme.plan import DayPlan, plan_today
from flows.programme.records import Feedback, Part, SessionRecord, Track
from flows.programme.state import ProgrammeState
from flows.rows import DayRow

START = date(2026, 1, 5)  # a Monday
AT = time(18, 0)

LIBRARY: dict[str, ExerciseSpec] = {
    "move_a": ExerciseSpec("movement", 2, 1),
    "move_b": ExerciseSpec("movement", 3, 1),
    "mob_a": ExerciseSpec("mobility", 2, 1),
    "mob_b": ExerciseSpec("mobility", 3, 1),
    "mob_c": ExerciseSpec("mobility", 3, 2),
    "str_a": ExerciseSpec("strength", 3, 2),
    "str_b": ExerciseSpec("strength", 3, 2),
    "str_c": ExerciseSpec("strength", 4, 3),
    "str_d": ExerciseSpec("strength", 4, 3),
    "str_e": ExerciseSpec("strength", 3, 3),
    "relax_a": ExerciseSpec("relaxation", 3, 1),
    "relax_b": ExerciseSpec("relaxation", 4, 1),
    "relax_long": ExerciseSpec("relaxation", 8, 1),
    "breath_a": ExerciseSpec("breathing", 2, 1),
    "breath_b": ExerciseSpec("breathing", 3, 1),
    "walk": ExerciseSpec("pacing", 10, 1),
}
STRESS_SKILLS = frozenset({"breath_a", "breath_b"})
RELAXATION_SKILLS = frozenset({"relax_a", "relax_b"})

BOOK: LessonBook = {theme: [f"{theme}_{n}" for n in range(1, 6)] for theme in THEMES}
THEME_OF = {lesson: theme for theme, ids in BOOK.items() for lesson in ids}


def day(n: int) -> date:
    """Programme day ``n`` counted from 0 at enrolment (no pauses)."""
    return START + timedelta(days=n)


def new_state(track: Track = "full", **changes: Any) -> ProgrammeState:
    return ProgrammeState(**{"enrolled_on": START, "track": track, "at": AT, **changes})


def row(n: int, pain: int, stress: int = 3, sleep: str = "good") -> DayRow:
    return DayRow(day(n), pain, stress, sleep)


def pains(first: int, values: Sequence[int], **kw: Any) -> list[DayRow]:
    """Check-ins on consecutive days from ``first`` with the given pains."""
    return [row(first + i, pain, **kw) for i, pain in enumerate(values)]


def session(
    n: int,
    level: int = 1,
    feedback: Feedback | None = "fine",
    parts: Iterable[Part] = ("exercises",),
    walk: int | None = None,
) -> SessionRecord:
    return SessionRecord(day(n), level, frozenset(parts), feedback, walk)


def plan(
    state: ProgrammeState,
    checkins: Iterable[DayRow],
    n: int,
    sessions: Iterable[SessionRecord] = (),
    library: Mapping[str, ExerciseSpec] = LIBRARY,
    **kw: Any,
) -> DayPlan:
    return plan_today(state, list(checkins), list(sessions), day(n), library, BOOK, **kw)
