"""When the exercise level moves: up by plan, down when it is too much.

Up: at most one step a week, and only when at least 3 blocks at the current level in
the week before were rated fine or too easy, on a green day; strength is built by
small regular steps, and a step up on a bad day or after a "too hard" would teach that
moving hurts. Down: two "too hard" ratings in a row at the current level drop one
step at once, because being overwhelmed is a common reason people stop
(docs/CLINICAL.md, "The coaching programme"). Only blocks done at the current level
since it last changed count, so one rating never moves the level twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from itertools import islice
from operator import attrgetter
from typing import Final

from flows.programme.records import SessionRecord
from flows.programme.state import ProgrammeState, evolve

UP_AFTER_SESSIONS: Final = 3
"""Blocks rated fine or too easy in the week before a step up."""
UP_GAP_DAYS: Final = 7
"""At most one step up in any 7 days (and none in the week after any change)."""
TOO_HARD_IN_A_ROW: Final = 2
EASY_ENOUGH: Final = frozenset({"fine", "too_easy"})


DAY: Final = attrgetter("day")


class InDayOrder(tuple[SessionRecord, ...]):
    """Sessions oldest first, made only by :func:`in_day_order`: a rule handed one does
    not sort again (the plan passes its sessions on to several rules)."""

    __slots__ = ()


def in_day_order(sessions: Iterable[SessionRecord]) -> InDayOrder:
    """Sessions oldest first, in whatever order they came (sorting a run that is already
    in order, as the store returns it, is a single pass)."""
    if isinstance(sessions, InDayOrder):
        return sessions
    return InDayOrder(sorted(sessions, key=DAY))


def added(ordered: InDayOrder, record: SessionRecord) -> InDayOrder:
    """``ordered`` with ``record`` in its place: appended when it is the newest, as the
    session of the day being lived is, instead of sorting the whole history again for
    every session (a record of an earlier day, or of the same day, is sorted in)."""
    if not ordered or ordered[-1].day < record.day:
        return InDayOrder((*ordered, record))
    return in_day_order((*ordered, record))


def _rated_newest_first(
    state: ProgrammeState, ordered: Sequence[SessionRecord]
) -> Iterator[SessionRecord]:
    """Rated blocks at the current level since it last changed, newest first, from
    sessions oldest first. The rules need only the last few, so the scan stops there
    instead of reading the whole history for every person every day."""
    since = state.level_changed_on or state.enrolled_on
    for session in reversed(ordered):
        if session.day < since:
            return
        if session.level == state.level and session.feedback is not None:
            yield session


def at_level(state: ProgrammeState, sessions: Iterable[SessionRecord]) -> list[SessionRecord]:
    """Rated blocks done at the current level since it last changed, oldest first."""
    return list(_rated_newest_first(state, in_day_order(sessions)))[::-1]


def too_hard_twice(state: ProgrammeState, sessions: Iterable[SessionRecord]) -> bool:
    rated = list(islice(_rated_newest_first(state, in_day_order(sessions)), TOO_HARD_IN_A_ROW))
    return len(rated) == TOO_HARD_IN_A_ROW and all(s.feedback == "too_hard" for s in rated)


def ready_to_step_up(
    state: ProgrammeState, sessions: Iterable[SessionRecord], today: date, top: int
) -> bool:
    """True when the rules allow one step up today (the caller checks it is green)."""
    if state.level >= top:
        return False
    changed = state.level_changed_on
    if changed is not None and today - changed < timedelta(days=UP_GAP_DAYS):
        return False
    week_start = today - timedelta(days=UP_GAP_DAYS)
    before_today = (s for s in _rated_newest_first(state, in_day_order(sessions)) if s.day < today)
    easy = 0
    for n, rated in enumerate(before_today):
        if n == 0 and rated.feedback == "too_hard":
            return False  # never up straight after a "too hard"
        if rated.day < week_start:
            break
        easy += rated.feedback in EASY_ENOUGH
    return easy >= UP_AFTER_SESSIONS


def moved(state: ProgrammeState, level: int, today: date) -> ProgrammeState:
    """The state at ``level`` (at least 1) from ``today``; unchanged if it is the same."""
    level = max(1, level)
    if level == state.level:
        return state
    return evolve(state, level=level, level_changed_on=today)


def after_block(
    state: ProgrammeState, sessions: Iterable[SessionRecord], today: date
) -> ProgrammeState:
    """The state once a block's rating is in: one level lower after two "too hard" in a
    row. The bot calls it after each rating and :func:`plan_today` calls it again, so a
    rating recorded by any path is acted on, and only once."""
    if too_hard_twice(state, sessions):
        return moved(state, state.level - 1, today)
    return state
