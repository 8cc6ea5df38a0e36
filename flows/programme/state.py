"""The programme state: everything the coaching programme remembers about one person.

It is one frozen value, saved as JSON in the turn's transaction and read back at the
next, so a restart loses nothing and two turns cannot half-change it. Every rule is a
function from a state to a new state; nothing here mutates. ``from_dict`` refuses a
malformed state with the field's name (see :mod:`flows.programme.codec`) and
``__post_init__`` checks what no single field can: lessons never repeat, pauses do not
overlap, nothing happens before enrolment.

The state stays small whatever the programme's length: sessions are kept beside it
(:class:`~flows.programme.records.SessionRecord`), nudges older than the no-repeat
window are dropped when a new one is added, and week and day are worked out from the
dates (:mod:`flows.programme.calendar`) rather than stored, so they cannot drift.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields, replace
from datetime import date, time
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

from flows.programme import codec
from flows.programme.records import (
    MAX_LEVEL,
    MAX_WALK_MINUTES,
    TRACKS,
    Flare,
    MessageLog,
    Shown,
    Snooze,
    Span,
    Track,
    WeeklyGoal,
    shown_list,
    spans,
)

__all__ = ["MAX_PAUSE_DAYS", "VERSION", "ProgrammeState", "evolve"]

VERSION: Final = 1
"""Written into every dict so a later shape can be told apart and upgraded."""
_KEY: Final = attrgetter("key")
"""A shown card's key: read with ``map``, which walks the dozens of cards a state holds
after some weeks without a Python step per card (it runs on every copy of a state)."""
MAX_PAUSE_DAYS: Final = 14
"""A pause for illness or a holiday is 1-14 days (docs/CLINICAL.md, "The coaching
programme"); longer than that is leaving, which keeps the data but ends the messages."""


@dataclass(frozen=True)
class ProgrammeState:
    """One person's programme.

    ``at`` is the local time of the daily message. ``level`` is the exercise level
    (1 = gentlest); ``level_changed_on`` is when it last moved, which both level rules
    need (at most one step up a week; "too hard" counts only at the current level).
    ``flare`` is an open flare-up, ``flares`` the closed ones and ``last_review_on``
    the day the red flags were last looked at again. ``pause`` is a pause that has not
    ended yet, ``pauses`` the past ones (the programme's clock stands still in both).
    ``walk_baseline`` is the first week's average daily walk, once known.
    """

    enrolled_on: date
    track: Track
    at: time
    level: int = 1
    level_changed_on: date | None = None
    flare: Flare | None = None
    flares: tuple[Flare, ...] = ()
    last_review_on: date | None = None
    pause: Span | None = None
    pauses: tuple[Span, ...] = ()
    walk_baseline: int | None = None
    lessons: tuple[Shown, ...] = ()
    nudges: tuple[Shown, ...] = ()
    messages: MessageLog = field(default_factory=MessageLog)
    snoozes: tuple[Snooze, ...] = ()
    time_offer_on: date | None = None
    goal: WeeklyGoal | None = None

    def __post_init__(self) -> None:
        self._check(_FIELDS)

    def _check(self, changed: AbstractSet[str]) -> None:
        """The checks that read any of the ``changed`` fields: all of them for a new state,
        only those of the fields a copy made by :func:`evolve` changed."""
        if "track" in changed:
            codec.choice(self.track, "track", TRACKS)
        at = self.at
        if "at" in changed and (at.second or at.microsecond or at.tzinfo is not None):
            raise ValueError("at must be a naive local time in whole minutes")
        if "level" in changed:
            codec.check_int(self.level, "level", 1, MAX_LEVEL)
        if "walk_baseline" in changed and self.walk_baseline is not None:
            codec.check_int(self.walk_baseline, "walk_baseline", 1, MAX_WALK_MINUTES)
        if "lessons" in changed and len(set(map(_KEY, self.lessons))) != len(self.lessons):
            raise ValueError("a lesson can be shown only once in the programme")
        if not changed.isdisjoint(_SPAN_FIELDS) and (self.pause is not None or self.pauses):
            self._check_spans()
        if not changed.isdisjoint(_FLARE_FIELDS) and (self.flare is not None or self.flares):
            self._check_flares()

    def _check_spans(self) -> None:
        ordered = [*self.pauses, *([self.pause] if self.pause else [])]
        for span in ordered:
            if span.start < self.enrolled_on:
                raise ValueError("a pause cannot start before enrolment")
            if span.days > MAX_PAUSE_DAYS:
                raise ValueError(f"a pause lasts at most {MAX_PAUSE_DAYS} days")
        for earlier, later in pairwise(ordered):
            if later.start <= earlier.end:
                raise ValueError("pauses must be in order and must not overlap")

    def _check_flares(self) -> None:
        if self.flare is not None and self.flare.ended_on is not None:
            raise ValueError("the open flare-up cannot have ended")
        if any(past.ended_on is None for past in self.flares):
            raise ValueError("past flare-ups must have ended")
        for before, after in pairwise(self.flares):
            if after.started_on <= (before.ended_on or before.started_on):
                raise ValueError("past flare-ups must be in order and must not overlap")
        if self.flare is not None and self.flare.started_on < self.enrolled_on:
            raise ValueError("a flare-up cannot start before enrolment")

    def shown_lessons(self) -> frozenset[str]:
        return frozenset(map(_KEY, self.lessons))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (strings, numbers, booleans, lists, None)."""
        return {
            "v": VERSION,
            "enrolled_on": self.enrolled_on.isoformat(),
            "track": self.track,
            "at": self.at.strftime("%H:%M"),
            "level": self.level,
            "level_changed_on": _iso(self.level_changed_on),
            "flare": None if self.flare is None else self.flare.to_dict(),
            "flares": [past.to_dict() for past in self.flares],
            "last_review_on": _iso(self.last_review_on),
            "pause": None if self.pause is None else self.pause.to_dict(),
            "pauses": [span.to_dict() for span in self.pauses],
            "walk_baseline": self.walk_baseline,
            "lessons": [shown.to_dict() for shown in self.lessons],
            "nudges": [shown.to_dict() for shown in self.nudges],
            "messages": self.messages.to_dict(),
            "snoozes": [snooze.to_dict() for snooze in self.snoozes],
            "time_offer_on": _iso(self.time_offer_on),
            "goal": None if self.goal is None else self.goal.to_dict(),
        }

    @classmethod
    def from_dict(cls, value: object) -> ProgrammeState:
        """The state saved by :meth:`to_dict`; ValueError names the first bad field."""
        data = codec.mapping(value, "programme state")
        if data.get("v") != VERSION:
            raise ValueError(f"unknown programme state version {data.get('v')!r}")
        flare, pause, goal = data.get("flare"), data.get("pause"), data.get("goal")
        messages = data.get("messages")
        return cls(
            enrolled_on=codec.day(data, "enrolled_on"),
            track=codec.choice(data.get("track"), "track", TRACKS),
            at=codec.clock(data, "at"),
            level=codec.integer(data, "level", 1, MAX_LEVEL),
            level_changed_on=codec.optional_day(data, "level_changed_on"),
            flare=None if flare is None else Flare.from_dict(flare),
            flares=tuple(Flare.from_dict(item) for item in codec.items(data, "flares")),
            last_review_on=codec.optional_day(data, "last_review_on"),
            pause=None if pause is None else Span.from_dict(pause),
            pauses=spans(data, "pauses"),
            walk_baseline=codec.optional_integer(data, "walk_baseline", 1, MAX_WALK_MINUTES),
            lessons=shown_list(data, "lessons"),
            nudges=shown_list(data, "nudges"),
            messages=MessageLog() if messages is None else MessageLog.from_dict(messages),
            snoozes=tuple(Snooze.from_dict(item) for item in codec.items(data, "snoozes")),
            time_offer_on=codec.optional_day(data, "time_offer_on"),
            goal=None if goal is None else WeeklyGoal.from_dict(goal),
        )


_FIELDS: Final = frozenset(f.name for f in fields(ProgrammeState))
_SPAN_FIELDS: Final = frozenset({"enrolled_on", "pause", "pauses"})
_FLARE_FIELDS: Final = frozenset({"enrolled_on", "flare", "flares"})


if TYPE_CHECKING:  # type-checked as what it does: dataclasses.replace
    from dataclasses import replace as evolve
else:

    def evolve(value, /, **changes):
        """``dataclasses.replace`` for a :class:`ProgrammeState`, checking only what changed.

        Every rule returns a copy of the state (a message sent, a card read, a button
        pressed: a few times a day for every person), and ``replace`` builds it field by
        field through ``__init__`` and then checks every field again, lessons and pauses
        included, although the copy shares them with a state that passed the same
        checks. This copies the fields at once and runs the checks that read the changed
        ones: the same result (an unknown field is refused, a bad value raises
        ValueError), about four times cheaper. Anything else goes to ``replace``.
        """
        if type(value) is not ProgrammeState:
            return replace(value, **changes)
        unknown = changes.keys() - _FIELDS
        if unknown:
            raise TypeError(f"ProgrammeState has no field {sorted(unknown)[0]!r}")
        copy = object.__new__(ProgrammeState)
        copy.__dict__.update(value.__dict__, **changes)
        copy._check(changes.keys())
        return copy


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
