"""Which track someone follows, from the self-check's risk of slow recovery.

Matched care (docs/CLINICAL.md, "The coaching programme"): people at low risk of slow
recovery do well on advice, staying active and walking, so they get a lighter track;
people at medium risk get the full programme; at high risk the psychological parts
(relaxation and stress skills) weigh more, because behaviour-oriented approaches suit
people with strong psychosocial factors. Without a self-check we do not know the risk,
so the safe default is the light track plus a suggestion to take the self-check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Final

from flows.programme.records import Track
from flows.programme.state import ProgrammeState


@dataclass(frozen=True)
class TrackProfile:
    """How much a track asks of a day.

    ``block_exercises`` and ``block_minutes`` bound the exercise block (2-4 exercises,
    5-8 minutes in the full track; the light track keeps to the short end, since being
    overwhelmed at the start is a common reason to stop). ``skill_days`` are the days of
    the programme week (1-7) with a relaxation skill.
    """

    block_exercises: tuple[int, int]
    block_minutes: tuple[int, int]
    skill_days: frozenset[int]


PROFILES: Final[dict[Track, TrackProfile]] = {
    "light": TrackProfile((2, 3), (5, 6), frozenset({3, 6})),
    "full": TrackProfile((2, 4), (5, 8), frozenset({2, 4, 6})),
    "full_psych": TrackProfile((2, 4), (5, 8), frozenset(range(1, 8))),
}

BY_RISK: Final[dict[str, Track]] = {"low": "light", "medium": "full", "high": "full_psych"}


@dataclass(frozen=True)
class TrackChoice:
    """The track, and whether to suggest the self-check (when there was none)."""

    track: Track
    suggest_self_check: bool


@dataclass(frozen=True)
class Enrolment:
    """A new programme and whether to suggest the self-check with it."""

    state: ProgrammeState
    suggest_self_check: bool


def track_for(risk: str | None) -> TrackChoice:
    """The track for the self-check's risk band (low, medium or high).

    None, or a value the self-check never gives, counts as "no self-check": the light
    track, with the suggestion, rather than guessing a higher risk.
    """
    track = BY_RISK.get(risk) if isinstance(risk, str) else None
    if track is None:
        return TrackChoice("light", suggest_self_check=True)
    return TrackChoice(track, suggest_self_check=False)


def enrol(today: date, at: time, risk: str | None) -> Enrolment:
    """A programme starting on the local day ``today`` with daily messages at ``at``."""
    choice = track_for(risk)
    state = ProgrammeState(enrolled_on=today, track=choice.track, at=at.replace(second=0))
    return Enrolment(state, choice.suggest_self_check)
