"""``plan_today``: what a person's programme asks of them today, and the state after it.

One pure function from the programme state, the check-ins, the sessions and today's
date decides the whole day, so every rule of the coaching programme (docs/CLINICAL.md,
"The coaching programme") can be tested from a table, and the bot only shows and
records. It is safe to call as often as the person opens ``/today``: every change it
makes to the state is keyed to a date, so a second call on the same day with the same
inputs returns the same plan and the same state.

The order of the rules matters and follows the clinical reasoning: an ended pause is
filed first; a running flare-up is judged against the pain that was usual before it;
only then can a red day open a new one; the levels move only outside a flare-up; and
the red flags are looked at before anything asks the back to move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from flows.programme import flare, pause
from flows.programme.activity import (
    AMBER_SHARE,
    ActivityGoal,
    activity_goal,
    half_up,
    settle_baseline,
)
from flows.programme.calendar import DayLabel, Position, label, position, week_dates
from flows.programme.lessons import LessonBook, LessonChoice, choose_lesson
from flows.programme.levels import after_block, in_day_order, moved, ready_to_step_up
from flows.programme.library import (
    ExerciseLibrary,
    Library,
    Skill,
    exercise_library,
    pick_block,
    pick_gentle,
    pick_skill,
)
from flows.programme.records import Part, SessionRecord
from flows.programme.signals import (
    POOR_SLEEP_DAYS,
    Zone,
    by_day,
    median_pain,
    poor_sleep_days,
    stressed,
    zone_of,
)
from flows.programme.state import ProgrammeState, evolve
from flows.programme.tracks import PROFILES
from flows.rows import DayRow

Flag = Literal[
    "green",
    "amber",
    "red",
    "flare",
    "review",
    "sleep_card",
    "stress_skill",
    "baseline_week",
    "maintenance",
    "rest",
    "paused",
]
"""What is true of the whole day; stable however often the day is planned."""
Event = Literal["level_up", "level_down", "flare_started", "flare_ended"]
"""What this call changed, for the bot to say once ("one step up from today")."""


@dataclass(frozen=True)
class DayPlan:
    """Today's plan: the parts in order and what each holds, plus the new state.

    ``state`` is what the caller saves in the turn's transaction. ``level`` is the
    exercise level the block was chosen at. An empty ``parts`` is a paused day or a
    maintenance week whose session is already done.
    """

    state: ProgrammeState
    label: DayLabel
    zone: Zone | None
    level: int
    parts: tuple[Part, ...] = ()
    lesson: LessonChoice | None = None
    exercises: tuple[str, ...] = ()
    skill: Skill | None = None
    activity: ActivityGoal | None = None
    flags: frozenset[Flag] = frozenset()
    events: frozenset[Event] = frozenset()


def plan_today(
    state: ProgrammeState,
    checkins: Iterable[DayRow],
    sessions: Iterable[SessionRecord],
    today: date,
    library: Library,
    lessons: LessonBook,
    *,
    new_symptoms: bool = False,
) -> DayPlan:
    """The plan for the local day ``today``.

    ``checkins`` are the person's recent check-ins (at least the last 8 days),
    ``sessions`` all their programme sessions (one a day), ``library`` the exercise
    library's ids with category, minutes and level, ``lessons`` the lesson ids by
    theme. ``new_symptoms`` is True when the person reported symptoms that are new or
    different today, which always brings the red-flag review.
    """
    state = pause.settle(state, today)
    where = position(state, today)
    if pause.paused_today(state, today):
        return DayPlan(state, label(where), None, state.level, flags=frozenset({"paused"}))
    library = exercise_library(library)
    done = in_day_order(sessions)
    rows = by_day(checkins, today)
    row = rows.get(today)
    before = state
    state = settle_baseline(state, done, where)
    state, zone = _flare_rules(state, rows, row, today)
    if state.flare is None:
        state = after_block(state, done, today)
        if zone == "green" and ready_to_step_up(state, done, today, library.top_level):
            state = moved(state, state.level + 1, today)
    flags: set[Flag] = {zone} if zone is not None else set()
    if flare.review_due(state, today, new_symptoms):
        state = evolve(state, last_review_on=today)
        flags.add("review")
    events = _events(before, state)
    return _compose(state, rows, row, done, today, where, library, lessons, zone, flags, events)


def _flare_rules(
    state: ProgrammeState, rows: dict[date, DayRow], row: DayRow | None, today: date
) -> tuple[ProgrammeState, Zone | None]:
    """End or keep an open flare-up, then open one on a red day; today's zone."""
    if state.flare is not None:
        against_flare = None if row is None else zone_of(row.pain, state.flare.reference)
        state = flare.settle(state, today, against_flare)
    reference = median_pain(rows, today)
    zone = None if row is None else zone_of(row.pain, reference)
    if state.flare is None and zone == "red":
        state = flare.start(state, today, reference)
    return state, zone


def _compose(
    state: ProgrammeState,
    rows: dict[date, DayRow],
    row: DayRow | None,
    sessions: tuple[SessionRecord, ...],
    today: date,
    where: Position,
    library: ExerciseLibrary,
    lessons: LessonBook,
    zone: Zone | None,
    flags: set[Flag],
    events: frozenset[Event],
) -> DayPlan:
    """The parts of the day once the state has moved; ``sessions`` oldest first."""
    in_flare = state.flare is not None
    level = min(state.level, library.top_level)
    if in_flare:
        flags.add("flare")
    if where.maintenance:
        flags.add("maintenance")
    needs_checkin = row is None and not (
        where.maintenance and _week_has(state, where, today, set(rows))
    )
    resting = where.maintenance and not in_flare and "review" not in flags
    if resting and _block_earlier_this_week(state, where, today, sessions):
        flags.add("rest")
        parts: tuple[Part, ...] = ("checkin",) if needs_checkin else ()
        return DayPlan(
            state, label(where), zone, level, parts, flags=frozenset(flags), events=events
        )
    poor_sleep = poor_sleep_days(rows, today) >= POOR_SLEEP_DAYS
    lesson = choose_lesson(state, lessons, where.week, today, poor_sleep=poor_sleep, flare=in_flare)
    if lesson is not None and lesson.sleep_card:
        flags.add("sleep_card")
    exercises = (
        pick_gentle(library, where.index)
        if in_flare
        else _block(state, where, library, zone, level)
    )
    skill = _skill(state, row, where, library, in_flare, flags)
    activity = activity_goal(state, where, zone or "green", in_flare)
    if activity.baseline_week:
        flags.add("baseline_week")
    wanted: dict[Part, bool] = {
        "checkin": needs_checkin,
        "reassurance": in_flare,
        "review": "review" in flags,
        "lesson": lesson is not None,
        "exercises": bool(exercises),
        "skill": skill is not None,
        "activity": True,
    }
    parts = tuple(part for part, keep in wanted.items() if keep)
    return DayPlan(
        state,
        label(where),
        zone,
        level,
        parts,
        lesson,
        exercises,
        skill,
        activity,
        frozenset(flags),
        events,
    )


def _block(
    state: ProgrammeState, where: Position, library: Library, zone: Zone | None, level: int
) -> tuple[str, ...]:
    profile = PROFILES[state.track]
    low, high = profile.block_minutes
    if zone == "amber":
        low, high = max(1, half_up(low * AMBER_SHARE)), max(1, half_up(high * AMBER_SHARE))
    return pick_block(library, level, where.index, profile.block_exercises, (low, high))


def _skill(
    state: ProgrammeState,
    row: DayRow | None,
    where: Position,
    library: Library,
    in_flare: bool,
    flags: set[Flag],
) -> Skill | None:
    """A stress skill on a day of high stress; otherwise a relaxation skill on the
    track's skill days and every flare-up day; none on other days."""
    if stressed(row):
        skill = pick_skill(library, "stress", where.index)
        if skill is not None and skill.kind == "stress":
            flags.add("stress_skill")
        return skill
    if in_flare or where.day in PROFILES[state.track].skill_days:
        return pick_skill(library, "relaxation", where.index)
    return None


def _week_has(state: ProgrammeState, where: Position, today: date, days: set[date]) -> bool:
    """True when some day of the current programme week is one of ``days``."""
    return any(day in days for day in week_dates(state, where.week, today))


def _block_earlier_this_week(
    state: ProgrammeState, where: Position, today: date, sessions: tuple[SessionRecord, ...]
) -> bool:
    """True when an exercise block was done on an earlier day of the current programme
    week. ``sessions`` are oldest first, so only the week's own are read, not every
    session since enrolment."""
    week = week_dates(state, where.week, today)
    for session in reversed(sessions):
        if not week or session.day < week[0]:
            return False
        if session.day < today and session.day in week and "exercises" in session.parts:
            return True
    return False


def _events(before: ProgrammeState, after: ProgrammeState) -> frozenset[Event]:
    events: set[Event] = set()
    if after.level > before.level:
        events.add("level_up")
    elif after.level < before.level:
        events.add("level_down")
    if after.flare is not None and after.flare != before.flare:
        events.add("flare_started")
    if before.flare is not None and (
        after.flare is None or after.flare.started_on != before.flare.started_on
    ):
        events.add("flare_ended")
    return frozenset(events)


def remaining(plan: DayPlan, session: SessionRecord | None) -> tuple[Part, ...]:
    """What ``/today`` still offers: the plan's parts not done yet."""
    done = session.parts if session is not None else frozenset()
    lesson_read = plan.lesson is not None and plan.lesson.done
    return tuple(
        part for part in plan.parts if part not in done and not (part == "lesson" and lesson_read)
    )


def is_done(plan: DayPlan, session: SessionRecord | None) -> bool:
    """Today's session counts as done once its exercise block (the gentle routine on a
    flare-up day) is done; a day without a block is done already. The walk is left
    out on purpose: it happens when it suits, and the daily message should not chase it.
    """
    if "exercises" not in plan.parts:
        return True
    return session is not None and "exercises" in session.parts
