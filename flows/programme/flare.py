"""Flare-ups: when the flare-up mode starts and ends, and when to look at red flags.

Flare-ups are expected, not a failure (docs/CLINICAL.md, "The coaching programme").
A red day opens a flare-up mode of at most 7 days: gentle movement rather than rest,
relaxation and reassurance, with the streak frozen. The mode ends on the first check-in
that is no longer red against the pain that was usual before it began, or after its
7th day, and the programme then restarts one level lower, returning to the earlier
level in steps. A red day straight after a mode ends opens the next one in the same
episode; an episode longer than 14 days, or new symptoms, is a reason to look at the
red flags again and to see the GP.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Final

from flows.programme.levels import moved
from flows.programme.records import Flare
from flows.programme.signals import Zone
from flows.programme.state import ProgrammeState, evolve

MODE_DAYS: Final = 7
"""A flare-up mode lasts at most a week."""
LONG_EPISODE_DAYS: Final = 14
"""An episode longer than this brings the red-flag review and advice to see the GP."""
SAME_EPISODE_GAP: Final = timedelta(days=1)
"""A flare-up starting the day after the last one ended belongs to the same episode."""


def episode_start(state: ProgrammeState, today: date) -> date:
    """The first day of the episode a flare-up starting ``today`` would join."""
    previous = _previous_in_episode(state, today)
    return today if previous is None else previous.episode_start


def _previous_in_episode(state: ProgrammeState, today: date) -> Flare | None:
    """The last closed flare-up, if one starting ``today`` would continue its episode."""
    if not state.flares:
        return None
    last = state.flares[-1]
    return last if today - last.span(today).end <= SAME_EPISODE_GAP else None


def start(state: ProgrammeState, today: date, reference: float | None) -> ProgrammeState:
    """The state with a flare-up opened today.

    A new episode is judged against ``reference`` (today's 7-day median); one that
    continues an episode keeps the episode's reference and first day, because the days
    of the flare-up have pushed the median up.
    """
    previous = _previous_in_episode(state, today)
    if previous is not None:
        flare = Flare(today, previous.episode_start, state.level, previous.reference)
    else:
        flare = Flare(today, today, state.level, reference)
    return evolve(state, flare=flare)


def timed_out(flare: Flare, today: date) -> bool:
    """True from the day after the mode's 7th day."""
    return today - flare.started_on >= timedelta(days=MODE_DAYS)


def settle(state: ProgrammeState, today: date, zone: Zone | None) -> ProgrammeState:
    """The state after today's look at an open flare-up.

    ``zone`` is today's pain against the flare-up's own reference (None before today's
    check-in). A mode that has run its 7 days, or a day that is no longer red, ends it
    and restarts one level lower. A flare-up that calms on the day it began (the
    check-in was corrected) is undone as if it never started: one typo must not cost a
    level.
    """
    flare = state.flare
    if flare is None:
        return state
    if timed_out(flare, today):
        last = flare.started_on + timedelta(days=MODE_DAYS - 1)
        return _close(state, flare, last, today)
    if zone is None or zone == "red":
        return state
    if flare.started_on == today:
        return evolve(state, flare=None)
    return _close(state, flare, today - timedelta(days=1), today)


def _close(state: ProgrammeState, flare: Flare, last: date, today: date) -> ProgrammeState:
    ended = replace(flare, ended_on=last)
    closed = evolve(state, flare=None, flares=(*state.flares, ended))
    restarted = moved(evolve(closed, level=flare.level_before), flare.level_before - 1, today)
    if restarted.level == flare.level_before:  # already at the lowest level
        return evolve(restarted, level_changed_on=today)
    return restarted


def review_due(state: ProgrammeState, today: date, new_symptoms: bool) -> bool:
    """True when the red flags should be looked at again today.

    New symptoms always bring it. A long episode brings it once, on its 15th day or the
    first day after with the programme open (an earlier review for new symptoms does
    not count), and it stays on all that day, so the plan is the same however often
    today is opened.
    """
    if new_symptoms or state.last_review_on == today:
        return True
    flare = state.flare
    if flare is None or today - flare.episode_start < timedelta(days=LONG_EPISODE_DAYS):
        return False
    long_from = flare.episode_start + timedelta(days=LONG_EPISODE_DAYS)
    return state.last_review_on is None or state.last_review_on < long_from


def flare_days(state: ProgrammeState, today: date) -> frozenset[date]:
    """Every local day spent in flare-up mode up to ``today``: they freeze the streak."""
    days: set[date] = set()
    flares = [*state.flares, *([state.flare] if state.flare is not None else [])]
    for span in (flare.span(today) for flare in flares):
        days.update(span.start + timedelta(days=n) for n in range(span.days))
    return frozenset(days)


def entries(state: ProgrammeState) -> int:
    """How many flare-up modes began (the weekly summary's figure)."""
    return len(state.flares) + (state.flare is not None)
