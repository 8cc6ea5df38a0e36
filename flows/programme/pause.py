"""Pausing for illness or a holiday: 1-14 days with nothing sent and the streak kept.

People asked for a "sick or on holiday" pause that keeps their streak
(docs/CLINICAL.md, "The coaching programme"): a week in bed with flu is not a failure
to keep up, and losing a streak for it is a reason to stop altogether. While paused,
the programme's clock stands still (:mod:`flows.programme.calendar`), so the person
comes back to the day they left.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flows.programme import codec
from flows.programme.records import Span
from flows.programme.state import MAX_PAUSE_DAYS, ProgrammeState, evolve


def pause(state: ProgrammeState, today: date, days: int) -> ProgrammeState:
    """Paused from ``today`` for ``days`` days (1-14), today included.

    A pause asked for while paused replaces the rest of the old one. Unanswered
    messages stop counting as ignored: someone who says they are ill has answered.
    """
    codec.check_int(days, "days", 1, MAX_PAUSE_DAYS)
    state = resume(state, today)
    span = Span(today, today + timedelta(days=days - 1))
    messages = replace(state.messages, awaiting=False, ignored=0)
    return evolve(state, pause=span, messages=messages)


def resume(state: ProgrammeState, today: date) -> ProgrammeState:
    """Back from today: the pause keeps only the days before today."""
    current = state.pause
    if current is None:
        return state
    if today > current.end:
        return settle(state, today)
    if today <= current.start:
        return evolve(state, pause=None)
    kept = Span(current.start, today - timedelta(days=1))
    return evolve(state, pause=None, pauses=(*state.pauses, kept))


def settle(state: ProgrammeState, today: date) -> ProgrammeState:
    """A pause that has run out moves into the past pauses; anything else is unchanged."""
    current = state.pause
    if current is None or today <= current.end:
        return state
    return evolve(state, pause=None, pauses=(*state.pauses, current))


def paused_today(state: ProgrammeState, today: date) -> bool:
    return state.pause is not None and today in state.pause
