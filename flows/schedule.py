"""Reminder rules and the pure arithmetic of when they fire.

A reminder row in the store keeps a :class:`Rule` as JSON plus ``next_due_at`` in UTC.
The dispatcher's single tick claims the rows that are due, then advances each one with
:func:`next_due`; nothing here knows about Telegram, SQL or the clock, so every rule
about time can be tested in microseconds (docs/ARCHITECTURE.md, "Reminders at scale" and "Time").

How a rule turns into instants, and why:

- Every slot is first a *nominal local wall time* on a local calendar date: "12:30 on
  Tue 3 Mar", or for interval rules "09:00, 10:30, ... of the day's working window".
  Days of the week and quiet hours are judged on that nominal wall time, because that
  is what the person chose ("not before 7 in the morning").
- The wall time then becomes an instant with :func:`resolve_local`, which is the
  earliest instant whose local wall clock reads at least that time. That one definition
  gives the DST behaviour docs/ARCHITECTURE.md asks for: a time that does not exist (02:30 on the
  spring-forward night) fires once at the end of the gap (03:00 local); a time that
  occurs twice (02:30 on the fall-back night) fires once, at its first occurrence.
  Interval rules step through wall-clock slots, so the repeated hour is not a second
  helping of nudges and no day is ever skipped.
- The mapping is monotonic in wall time, so slots come out in order; where two nominal
  slots fall into the same gap they meet at the same instant and fire once.
- A slot inside quiet hours is dropped, not delayed: a nudge pushed to 07:00 after a
  quiet night is noise, and the next regular slot comes soon enough.
- While ``paused_until`` lies ahead, slots before it are dropped too.

The rules in words and the reminder messages are :mod:`flows.reminder_words`; times and
days as people type them are :mod:`flows.time_input`. This module is the arithmetic
alone, so the part every slot of every user goes through stays small and has no content.
It is one piece because a :class:`Rule` is valid exactly when this arithmetic can run on
it: the checks in the rule and the walk over its slots read the same fields the same way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KINDS: Final = ("movement", "posture", "stress", "pain", "checkin", "summary")
"""Every reminder kind, in the order menus and plans show them."""
PROGRAMME: Final = "programme"
"""The coaching programme's daily message: a rule like the others, sent by the same
dispatcher, but set up and shown by /programme, never by the reminder menus or plans."""
RULE_KINDS: Final = (*KINDS, PROGRAMME)

DEFAULT_TIMEZONE: Final = "Europe/Brussels"
EVERY_DAY: Final = (0, 1, 2, 3, 4, 5, 6)
WEEKDAYS: Final = (0, 1, 2, 3, 4)
WEEKENDS: Final = (5, 6)

MIN_INTERVAL: Final = 15
"""Shorter than this is nagging, not coaching (docs/CLINICAL.md: breaks every 30-60 min)."""
MAX_INTERVAL: Final = 12 * 60
MAX_TIMES: Final = 6
"""Fixed times per rule; more than a handful a day is what interval rules are for."""
MAX_SNOOZE: Final = 24 * 60

_MINUTES_PER_DAY: Final = 24 * 60
_SEARCH_DAYS: Final = 8
"""A rule's nominal slots repeat every week, so if none is found on the next 8 local
dates none will ever come (every slot is then in quiet hours)."""
_ONE_MICROSECOND: Final = timedelta(microseconds=1)

_HHMM_CANONICAL = re.compile(r"([01]\d|2[0-3]):([0-5]\d)", re.ASCII)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _is_hhmm(value: object) -> bool:
    return isinstance(value, str) and _HHMM_CANONICAL.fullmatch(value) is not None


def zone_named(name: str) -> ZoneInfo:
    """The zone of an IANA name; ``ValueError`` (not ``KeyError``) for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def require_aware(value: datetime, label: str) -> datetime:
    """``value`` in UTC; a naive datetime is refused, since its instant is a guess."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{label} must be an aware datetime")
    return value.astimezone(UTC)


# -- the rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """When one reminder fires: fixed local times or an interval within a daily window.

    Exactly one of ``times`` (canonical ``"HH:MM"`` strings) and ``interval_minutes``
    (with ``window_start``/``window_end``) is set. A window whose end is not after its
    start runs across midnight and belongs to the day it starts on. ``days`` are
    weekdays, 0 = Monday. Quiet hours may wrap midnight (``22:00``-``07:00``).
    ``paused_until`` is an aware instant, kept in UTC.

    The constructor validates and normalises (times and days sorted and unique), so a
    Rule that exists is always one :func:`next_due` can use, and equal rules compare
    equal after a JSON round trip. Invalid values raise ``ValueError``.
    """

    kind: str
    timezone: str = DEFAULT_TIMEZONE
    times: tuple[str, ...] = ()
    interval_minutes: int | None = None
    window_start: str | None = None
    window_end: str | None = None
    days: tuple[int, ...] = EVERY_DAY
    quiet_start: str | None = None
    quiet_end: str | None = None
    paused_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"kind must be one of {RULE_KINDS}, got {self.kind!r}")
        if not isinstance(self.timezone, str):
            raise ValueError("timezone must be an IANA name")
        zone_named(self.timezone)
        self._check_slots()
        days = tuple(self.days) if isinstance(self.days, Iterable) else ()
        if not days or any(
            isinstance(d, bool) or not isinstance(d, int) or d not in EVERY_DAY for d in days
        ):
            raise ValueError(f"days must be a non-empty selection of 0..6, got {self.days!r}")
        object.__setattr__(self, "days", tuple(sorted(set(days))))
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet hours need both a start and an end")
        if self.quiet_start is not None:
            if not (_is_hhmm(self.quiet_start) and _is_hhmm(self.quiet_end)):
                raise ValueError("quiet hours must be HH:MM")
            if self.quiet_start == self.quiet_end:
                raise ValueError("quiet hours must not start and end at the same time")
        if self.paused_until is not None:
            object.__setattr__(
                self, "paused_until", require_aware(self.paused_until, "paused_until")
            )

    def _check_slots(self) -> None:
        times = tuple(self.times) if isinstance(self.times, Iterable) else None
        if times is None or isinstance(self.times, str):
            raise ValueError("times must be a list of HH:MM strings")
        if times:
            if self.interval_minutes is not None or self.window_start or self.window_end:
                raise ValueError("a rule has either fixed times or an interval, not both")
            if not all(_is_hhmm(value) for value in times):
                raise ValueError(f"times must be HH:MM between 00:00 and 23:59, got {times!r}")
            unique = tuple(sorted(set(times)))
            if len(unique) > MAX_TIMES:
                raise ValueError(f"at most {MAX_TIMES} times a day")
            object.__setattr__(self, "times", unique)
            return
        minutes = self.interval_minutes
        if minutes is None:
            raise ValueError("a rule needs fixed times or an interval")
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise ValueError("interval_minutes must be an int")
        if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
            raise ValueError(f"interval must be {MIN_INTERVAL}-{MAX_INTERVAL} minutes")
        if not (_is_hhmm(self.window_start) and _is_hhmm(self.window_end)):
            raise ValueError("an interval rule needs window_start and window_end as HH:MM")
        if self.window_start == self.window_end:
            raise ValueError("the window must not start and end at the same time")
        object.__setattr__(self, "times", ())

    # -- convenience constructors ----------------------------------------------------

    @classmethod
    def at(
        cls,
        kind: str,
        times: Iterable[str],
        timezone: str = DEFAULT_TIMEZONE,
        days: Iterable[int] = EVERY_DAY,
    ) -> Rule:
        """A rule firing at fixed local ``times`` on ``days``."""
        return cls(kind, timezone, times=tuple(times), days=tuple(days))

    @classmethod
    def every(
        cls,
        kind: str,
        minutes: int,
        start: str,
        end: str,
        timezone: str = DEFAULT_TIMEZONE,
        days: Iterable[int] = WEEKDAYS,
    ) -> Rule:
        """A rule firing every ``minutes`` from ``start`` until before ``end``."""
        return cls(
            kind,
            timezone,
            interval_minutes=minutes,
            window_start=start,
            window_end=end,
            days=tuple(days),
        )

    @property
    def is_interval(self) -> bool:
        return self.interval_minutes is not None

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)

    def is_paused(self, now: datetime) -> bool:
        """Whether a pause is still running at the aware instant ``now``."""
        return self.paused_until is not None and self.paused_until > require_aware(now, "now")

    # -- JSON ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``paused_until`` as an ISO string in UTC."""
        return {
            "kind": self.kind,
            "timezone": self.timezone,
            "times": list(self.times),
            "interval_minutes": self.interval_minutes,
            "window_start": self.window_start,
            "window_end": self.window_end,
            "days": list(self.days),
            "quiet_start": self.quiet_start,
            "quiet_end": self.quiet_end,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """The rule a :meth:`to_dict` dict describes; ``ValueError`` if it is malformed.

        Unknown keys are ignored, so a plan entry may carry extras such as its
        ``"reason"``, and older rows keep loading after a field is added.
        """
        if not isinstance(data, Mapping):
            raise ValueError("a rule must be a JSON object")
        kind = data.get("kind")
        if not isinstance(kind, str):
            raise ValueError("a rule needs a kind")
        times = data.get("times") or []
        days = data.get("days", list(EVERY_DAY))
        if not isinstance(times, list | tuple) or not isinstance(days, list | tuple):
            raise ValueError("times and days must be lists")
        paused = data.get("paused_until")
        paused_at: datetime | None = None
        if paused is not None:
            if not isinstance(paused, str):
                raise ValueError("paused_until must be an ISO datetime string")
            paused_at = datetime.fromisoformat(paused)
        try:
            return cls(
                kind=kind,
                timezone=data.get("timezone", DEFAULT_TIMEZONE),
                times=tuple(times),
                interval_minutes=data.get("interval_minutes"),
                window_start=data.get("window_start"),
                window_end=data.get("window_end"),
                days=tuple(days),
                quiet_start=data.get("quiet_start"),
                quiet_end=data.get("quiet_end"),
                paused_until=paused_at,
            )
        except TypeError as exc:
            raise ValueError(f"malformed rule: {exc}") from exc


# -- from local wall time to instants ------------------------------------------------


def resolve_local(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a naive local ``wall`` time means for a reminder.

    That is the earliest instant whose local clock reads ``wall`` or later: the first
    occurrence (fold=0) of a repeated time, and the end of the gap for a time the clocks
    skip (02:30 on the spring-forward night becomes 03:00 local).
    """
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # ``wall`` is in a gap. The two folds read it with the offsets before and after the
    # transition; the transition instant lies between them, found to the second.
    other = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, other), max(first, other)
    low_offset = low.astimezone(zone).utcoffset()
    lo, hi = 0, int((high - low).total_seconds())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (low + timedelta(seconds=mid)).astimezone(zone).utcoffset() == low_offset:
            lo = mid
        else:
            hi = mid
    return low + timedelta(seconds=hi)


def _in_quiet(rule: Rule, minute_of_day: int) -> bool:
    if rule.quiet_start is None or rule.quiet_end is None:
        return False
    start, end = _minutes(rule.quiet_start), _minutes(rule.quiet_end)
    if start < end:
        return start <= minute_of_day < end
    return minute_of_day >= start or minute_of_day < end


def _nominal_minutes(rule: Rule) -> tuple[int, ...]:
    """Minutes after a date's local midnight of every nominal slot (may exceed a day)."""
    if rule.interval_minutes is None:
        return tuple(_minutes(value) for value in rule.times)
    start = _minutes(rule.window_start or "00:00")
    end = _minutes(rule.window_end or "00:00")
    if end <= start:
        end += _MINUTES_PER_DAY
    return tuple(range(start, end, rule.interval_minutes))


def _wall_slots(rule: Rule, day: date, minutes: tuple[int, ...]) -> list[datetime]:
    """Nominal local wall times on ``day`` (already filtered by weekday and quiet)."""
    if day.weekday() not in rule.days:
        return []
    midnight = datetime.combine(day, time())
    return [
        midnight + timedelta(minutes=m)
        for m in minutes
        if not _in_quiet(rule, m % _MINUTES_PER_DAY)
    ]


def _first_day(rule: Rule, instant: datetime, zone: ZoneInfo) -> date:
    """The earliest local date whose slots could fall after ``instant``.

    Slots on earlier dates have earlier wall times, so they resolve no later than
    ``instant``; a window across midnight also reaches into the next date, hence the
    day before.
    """
    day = instant.astimezone(zone).date()
    minutes = _nominal_minutes(rule)
    wraps = bool(minutes) and minutes[-1] >= _MINUTES_PER_DAY
    return day - timedelta(days=1) if wraps else day


def _threshold(rule: Rule, after: datetime) -> datetime:
    """Slots must be strictly after this instant (``after`` and the pause combined)."""
    after_utc = require_aware(after, "after")
    if rule.paused_until is not None:
        return max(after_utc, rule.paused_until - _ONE_MICROSECOND)
    return after_utc


def next_due(rule: Rule, after: datetime) -> datetime | None:
    """The first slot strictly after the aware instant ``after``, in UTC, or None.

    None means the rule can never fire (every slot lies in quiet hours). Cost does not
    depend on how far back ``after`` is: the search starts at the local date of
    ``after`` (or of the end of a pause) and looks at most a week and a day ahead.
    """
    zone = rule.zone
    threshold = _threshold(rule, after)
    minutes = _nominal_minutes(rule)
    day = _first_day(rule, threshold, zone)
    for _ in range(_SEARCH_DAYS + 1):
        walls = _wall_slots(rule, day, minutes)
        if walls:
            # resolve_local is monotonic in wall time, so bisect instead of resolving all.
            index = bisect_right(walls, threshold, key=lambda w: resolve_local(w, zone))
            if index < len(walls):
                return resolve_local(walls[index], zone)
        day += timedelta(days=1)
    return None


def _iter_slots(rule: Rule, start: datetime, end: datetime) -> Iterator[datetime]:
    zone = rule.zone
    minutes = _nominal_minutes(rule)
    day = _first_day(rule, start, zone)
    last_day = end.astimezone(zone).date()
    previous: datetime | None = None
    while day <= last_day:
        for wall in _wall_slots(rule, day, minutes):
            slot = resolve_local(wall, zone)
            if slot != previous:  # two nominal slots in one DST gap fire once
                yield slot
            previous = slot
        day += timedelta(days=1)


def slots_between(rule: Rule, start: datetime, end: datetime) -> list[datetime]:
    """Every slot in ``(start, end]`` in UTC, in order, each once; honours the pause.

    Built independently of :func:`next_due` (all slots of each date, then filtered), so
    tests can check that stepping with ``next_due`` visits exactly these instants.
    """
    threshold = _threshold(rule, start)
    end_utc = require_aware(end, "end")
    return [slot for slot in _iter_slots(rule, threshold, end_utc) if threshold < slot <= end_utc]


def next_due_after_today(rule: Rule, now: datetime) -> datetime | None:
    """The first slot of a later day than the one ``now`` belongs to ("skip today").

    A window across midnight (``20:00``-``02:00``) belongs to the date it starts on, so
    skipping at 21:00 also skips that night's slots after midnight, and skipping at
    01:00 skips what is left of the window that started the evening before.
    """
    zone = rule.zone
    local = require_aware(now, "now").astimezone(zone)
    day = local.date()
    minutes = _nominal_minutes(rule)
    wraps = minutes[-1] >= _MINUTES_PER_DAY
    if wraps and local.hour * 60 + local.minute < _minutes(rule.window_end or "00:00"):
        day -= timedelta(days=1)  # inside the part of yesterday's window after midnight
    # The next day's slots start at its first nominal minute; everything of ``day``
    # (its window's tail after midnight included) lies before that instant.
    first = datetime.combine(day + timedelta(days=1), time()) + timedelta(minutes=minutes[0])
    return next_due(rule, resolve_local(first, zone) - _ONE_MICROSECOND)


def snooze(now: datetime, minutes: int) -> datetime:
    """``now`` plus ``minutes`` (1 to 1440), in UTC: when a snoozed reminder comes back."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValueError("minutes must be an int")
    if not 1 <= minutes <= MAX_SNOOZE:
        raise ValueError(f"snooze must be 1-{MAX_SNOOZE} minutes")
    return require_aware(now, "now") + timedelta(minutes=minutes)
