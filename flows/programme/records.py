"""The small values the programme state is made of, each with its JSON form.

They are frozen dataclasses that check themselves in ``__post_init__``, so a bad value
fails where it is made (in a test, in a rule) rather than when it is next read back.
Dates are the user's *local* calendar days (see :func:`flows.streaks.local_day`): a
programme day is a day of the person's life, not of the server's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

from flows.programme import codec

Track = Literal["light", "full", "full_psych"]
TRACKS: Final[tuple[Track, ...]] = ("light", "full", "full_psych")

Feedback = Literal["too_easy", "fine", "too_hard"]
FEEDBACKS: Final[tuple[Feedback, ...]] = ("too_easy", "fine", "too_hard")

Part = Literal["checkin", "reassurance", "review", "lesson", "exercises", "skill", "activity"]
PARTS: Final[tuple[Part, ...]] = (
    "checkin",
    "reassurance",
    "review",
    "lesson",
    "exercises",
    "skill",
    "activity",
)
"""A day's parts in the order they are offered: the check-in first because the rest of
the day is planned from it; during a flare-up reassurance and the red-flag review come
before any movement."""
_PART_SET: Final = frozenset(PARTS)

MAX_LEVEL: Final = 20
"""A ceiling for stored levels; the real top is the library's highest level."""
MAX_WALK_MINUTES: Final = 600
"""Minutes walked in a day above ten hours are a typing slip, not a baseline."""


@dataclass(frozen=True)
class Span:
    """Consecutive local days, both ends included (a pause, a past flare-up)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a span cannot end ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, value: object) -> Span:
        data = codec.mapping(value, "span")
        return cls(codec.day(data, "start"), codec.day(data, "end"))


@dataclass(frozen=True)
class Shown:
    """A content key shown on a local day: a lesson read, a nudge sent."""

    key: str
    day: date

    def __post_init__(self) -> None:
        codec.key(self.key, "key")

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "day": self.day.isoformat()}

    @classmethod
    def from_dict(cls, value: object) -> Shown:
        """The key is checked by :meth:`__post_init__` (once: every card and nudge of a
        state passes here on each read)."""
        data = codec.mapping(value, "shown")
        return cls(data.get("key"), codec.day(data, "day"))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Flare:
    """A flare-up mode, open (``ended_on`` None) or closed.

    ``reference`` is the 7-day median pain before the episode began, kept so the
    flare-up is judged against the person's usual pain rather than a median the
    flare-up itself pushes up. ``episode_start`` is the first day of a run of flare-ups
    that follow each other without a settled day between them, so a long one is noticed
    even though each mode lasts at most a week (docs/CLINICAL.md, "The coaching
    programme"). ``ended_on`` is the last day of a closed mode.
    """

    started_on: date
    episode_start: date
    level_before: int
    reference: float | None
    ended_on: date | None = None

    def __post_init__(self) -> None:
        codec.check_int(self.level_before, "level_before", 1, MAX_LEVEL)
        if self.episode_start > self.started_on:
            raise ValueError("a flare-up episode cannot start after its flare-up")
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError("a flare-up cannot end before it starts")
        if self.reference is not None and not 0 <= self.reference <= 10:
            raise ValueError(f"reference must be a pain from 0 to 10, got {self.reference!r}")

    def span(self, today: date) -> Span:
        """Its days: up to ``ended_on``, or up to ``today`` while open."""
        return Span(self.started_on, self.ended_on or max(today, self.started_on))

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_on": self.started_on.isoformat(),
            "episode_start": self.episode_start.isoformat(),
            "level_before": self.level_before,
            "reference": self.reference,
            "ended_on": _iso(self.ended_on),
        }

    @classmethod
    def from_dict(cls, value: object) -> Flare:
        data = codec.mapping(value, "flare")
        return cls(
            codec.day(data, "started_on"),
            codec.day(data, "episode_start"),
            codec.integer(data, "level_before", 1, MAX_LEVEL),
            codec.number(data, "reference", 0, 10),
            codec.optional_day(data, "ended_on"),
        )


@dataclass(frozen=True)
class MessageLog:
    """What the daily messages have done so far, to space them out and stop at one
    follow-up a day (docs/CLINICAL.md: the same message loses its effect, and people
    switch off reminders that come at bad times).

    ``awaiting`` is True from a daily message until the person does something for the
    programme; ``ignored`` counts daily messages in a row that went unanswered.
    """

    last_daily_on: date | None = None
    follow_up_on: date | None = None
    awaiting: bool = False
    ignored: int = 0
    asked_time: bool = False

    def __post_init__(self) -> None:
        codec.check_int(self.ignored, "ignored", 0, 10_000)

    def to_dict(self) -> dict[str, Any]:
        return {
            "last_daily_on": _iso(self.last_daily_on),
            "follow_up_on": _iso(self.follow_up_on),
            "awaiting": self.awaiting,
            "ignored": self.ignored,
            "asked_time": self.asked_time,
        }

    @classmethod
    def from_dict(cls, value: object) -> MessageLog:
        data = codec.mapping(value, "messages")
        return cls(
            codec.optional_day(data, "last_daily_on"),
            codec.optional_day(data, "follow_up_on"),
            codec.flag(data, "awaiting"),
            codec.integer(data, "ignored", 0, 10_000) if "ignored" in data else 0,
            codec.flag(data, "asked_time"),
        )


@dataclass(frozen=True)
class Snooze:
    """A daily message put off by ``minutes`` on a local day."""

    day: date
    minutes: int

    def __post_init__(self) -> None:
        codec.check_int(self.minutes, "minutes", 1, 24 * 60)

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "minutes": self.minutes}

    @classmethod
    def from_dict(cls, value: object) -> Snooze:
        data = codec.mapping(value, "snooze")
        return cls(codec.day(data, "day"), codec.integer(data, "minutes", 1, 24 * 60))


@dataclass(frozen=True)
class WeeklyGoal:
    """The goal the person chose for programme week ``week``."""

    week: int
    goal: str

    def __post_init__(self) -> None:
        codec.check_int(self.week, "week", 1, 10_000)
        codec.key(self.goal, "goal")

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.week, "goal": self.goal}

    @classmethod
    def from_dict(cls, value: object) -> WeeklyGoal:
        data = codec.mapping(value, "goal")
        return cls(codec.integer(data, "week", 1, 10_000), codec.key(data.get("goal"), "goal"))


@dataclass(frozen=True)
class SessionRecord:
    """What someone did of one day's session: the parts, the level the exercises were
    at, how the block felt and the minutes walked.

    Sessions live beside the state (one a day) rather than in it, so the state stays
    the same small size however long someone stays; :func:`flows.programme.plan.plan_today`
    takes them as an argument. ``level`` is kept per session because the level rules
    count only the sessions done at the current level.
    """

    day: date
    level: int
    parts: frozenset[Part] = frozenset()
    feedback: Feedback | None = None
    walk_minutes: int | None = None

    def __post_init__(self) -> None:
        codec.check_int(self.level, "level", 1, MAX_LEVEL)
        if not self.parts <= _PART_SET:
            for part in self.parts:
                codec.choice(part, "part", PARTS)
        if self.feedback is not None:
            codec.choice(self.feedback, "feedback", FEEDBACKS)
        if self.walk_minutes is not None:
            codec.check_int(self.walk_minutes, "walk_minutes", 0, MAX_WALK_MINUTES)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "level": self.level,
            "parts": [part for part in PARTS if part in self.parts],
            "feedback": self.feedback,
            "walk_minutes": self.walk_minutes,
        }

    @classmethod
    def from_dict(cls, value: object) -> SessionRecord:
        """The dict of :meth:`to_dict` (or the store's). The level, the parts, the
        feedback and the minutes are checked once, by :meth:`__post_init__` as for a
        record made in a rule (every session of a person is read on each turn)."""
        data = codec.mapping(value, "session")
        try:
            parts = frozenset(codec.items(data, "parts"))
        except TypeError:  # an unhashable item cannot be a part
            raise ValueError(f"parts must be from {', '.join(PARTS)}") from None
        return cls(
            codec.day(data, "day"),
            data.get("level"),  # type: ignore[arg-type]
            parts,
            data.get("feedback"),
            data.get("walk_minutes"),
        )


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def spans(data: Mapping[str, Any], key: str) -> tuple[Span, ...]:
    """The list of spans under ``key`` of a state dict."""
    return tuple(Span.from_dict(item) for item in codec.items(data, key))


def shown_list(data: Mapping[str, Any], key: str) -> tuple[Shown, ...]:
    return tuple(Shown.from_dict(item) for item in codec.items(data, key))
