"""Reminder rules: validation, JSON, next_due across days, quiet hours, pauses, DST."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flows.i18n import default_catalogue
from flows.reminder_words import (
    ACTIONS,
    describe,
    describe_days,
    describe_pause,
    format_date,
    nudge_actions,
    nudge_text,
)
from flows.schedule import (
    EVERY_DAY,
    KINDS,
    MAX_INTERVAL,
    MIN_INTERVAL,
    WEEKDAYS,
    Rule,
    next_due,
    next_due_after_today,
    resolve_local,
    slots_between,
    snooze,
)
from flows.time_input import find_time, parse_hhmm, parse_times, parse_window

T = default_catalogue().translator("en")
BXL = "Europe/Brussels"
HYPO = settings(database=None, deadline=None, max_examples=60)
ZONES = (
    "Europe/Brussels",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
)


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """An instant given as local wall time, returned in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold).astimezone(
        UTC
    )


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "yoga", "times": ("09:00",)},
        {"kind": "stress"},  # neither times nor interval
        {"kind": "stress", "times": ("9:00",)},  # not canonical
        {"kind": "stress", "times": ("24:00",)},
        {"kind": "stress", "times": "09:00"},  # a str is not a list
        {"kind": "stress", "times": tuple(f"0{h}:00" for h in range(7))},  # more than 6
        {
            "kind": "stress",
            "times": ("09:00",),
            "interval_minutes": 60,
            "window_start": "09:00",
            "window_end": "17:00",
        },
        {
            "kind": "movement",
            "interval_minutes": 10,
            "window_start": "09:00",
            "window_end": "17:00",
        },
        {
            "kind": "movement",
            "interval_minutes": MAX_INTERVAL + 1,
            "window_start": "09:00",
            "window_end": "17:00",
        },
        {
            "kind": "movement",
            "interval_minutes": True,
            "window_start": "09:00",
            "window_end": "17:00",
        },
        {"kind": "movement", "interval_minutes": 60, "window_start": "09:00"},
        {
            "kind": "movement",
            "interval_minutes": 60,
            "window_start": "09:00",
            "window_end": "09:00",
        },
        {"kind": "stress", "times": ("09:00",), "days": ()},
        {"kind": "stress", "times": ("09:00",), "days": (7,)},
        {"kind": "stress", "times": ("09:00",), "days": (True,)},
        {"kind": "stress", "times": ("09:00",), "days": (1.0,)},
        {"kind": "stress", "times": ("09:00",), "quiet_start": "22:00"},
        {"kind": "stress", "times": ("09:00",), "quiet_start": "22:00", "quiet_end": "22:00"},
        {"kind": "stress", "times": ("09:00",), "timezone": "Mars/Olympus"},
        {"kind": "stress", "times": ("09:00",), "timezone": "../etc/passwd"},
        {"kind": "stress", "times": ("09:00",), "paused_until": datetime(2026, 1, 1)},
    ],
)
def test_invalid_rules_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Rule(**kwargs)


def test_rules_are_normalised() -> None:
    rule = Rule(
        "posture",
        BXL,
        times=("15:00", "10:30", "15:00"),
        days=(4, 0, 4),
        paused_until=local(BXL, 2026, 11, 28, 9, 0),
    )
    assert rule.times == ("10:30", "15:00")
    assert rule.days == (0, 4)
    assert rule.paused_until is not None and rule.paused_until.tzinfo is UTC


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"times": ["09:00"]},
        {"kind": "stress", "times": "09:00"},
        {"kind": "stress", "times": ["09:00"], "days": "mon"},
        {"kind": "stress", "times": ["09:00"], "paused_until": 12},
        {"kind": "stress", "times": ["09:00"], "paused_until": "yesterday"},
        {"kind": "stress", "times": ["09:00"], "paused_until": "2026-11-28T09:00:00"},  # naive
        {"kind": "stress", "times": ["09:00"], "timezone": None},
        {
            "kind": "movement",
            "interval_minutes": 90.0,
            "window_start": "09:00",
            "window_end": "17:00",
        },
    ],
)
def test_malformed_dicts_raise_value_error(data: Any) -> None:
    with pytest.raises(ValueError):
        Rule.from_dict(data)


def test_from_dict_ignores_extra_keys_such_as_a_reason() -> None:
    rule = Rule.at("stress", ["12:30"])
    assert Rule.from_dict({**rule.to_dict(), "reason": "stress"}) == rule


# -- hypothesis strategies ---------------------------------------------------------------


def _hhmm(minute_of_day: int) -> str:
    return f"{minute_of_day // 60 % 24:02d}:{minute_of_day % 60:02d}"


minute_of_day = st.integers(0, 24 * 60 - 1)
hhmm = minute_of_day.map(_hhmm)
# Times near 00:00-03:45 hit the DST transitions of most zones much more often.
dst_hhmm = st.one_of(
    hhmm,
    st.builds(
        lambda h, m: f"{h:02d}:{m:02d}",
        st.sampled_from([0, 1, 2, 3]),
        st.sampled_from([0, 15, 30, 45]),
    ),
)
day_sets = st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s)))
# A start and a length, so start and end always differ; windows may wrap midnight.
spans = st.builds(
    lambda start, length: (_hhmm(start), _hhmm(start + length)),
    minute_of_day,
    st.integers(1, 24 * 60 - 1),
)
quiet = st.one_of(st.none(), st.none(), st.none(), spans)


@st.composite
def rules(draw: st.DrawFn, interval_min: int = MIN_INTERVAL) -> Rule:
    zone = draw(st.sampled_from(ZONES))
    kind = draw(st.sampled_from(KINDS))
    days = draw(day_sets)
    q = draw(quiet)
    extra: dict[str, Any] = {"quiet_start": q[0], "quiet_end": q[1]} if q else {}
    if draw(st.booleans()):
        times = draw(st.lists(dst_hhmm, min_size=1, max_size=4, unique=True))
        return Rule(kind, zone, times=tuple(times), days=days, **extra)
    start = draw(dst_hhmm)
    end = _hhmm(_minutes(start) + draw(st.integers(1, 24 * 60 - 1)))
    minutes = draw(st.integers(interval_min, 240))
    return Rule(
        kind, zone, interval_minutes=minutes, window_start=start, window_end=end, days=days, **extra
    )


@HYPO
@given(
    rules(),
    st.one_of(
        st.none(), st.datetimes(datetime(2025, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC))
    ),
)
def test_json_round_trip(rule: Rule, paused: datetime | None) -> None:
    if paused is not None:
        rule = Rule.from_dict({**rule.to_dict(), "paused_until": paused.isoformat()})
    text = json.dumps(rule.to_dict())
    assert Rule.from_dict(json.loads(text)) == rule


# -- next_due: fixed times, days, quiet hours, pause ----------------------------------------

# 2026-11-25 is a Wednesday; Brussels is UTC+1 in winter.
NEXT_DUE_CASES = [
    (
        "later today",
        Rule.at("stress", ["12:30"], BXL),
        utc(2026, 11, 25, 8),
        utc(2026, 11, 25, 11, 30),
    ),
    (
        "strictly after",
        Rule.at("stress", ["12:30"], BXL),
        utc(2026, 11, 25, 11, 30),
        utc(2026, 11, 26, 11, 30),
    ),
    (
        "just before",
        Rule.at("stress", ["12:30"], BXL),
        utc(2026, 11, 25, 11, 29, 59),
        utc(2026, 11, 25, 11, 30),
    ),
    (
        "second time today",
        Rule.at("posture", ["10:30", "15:00"], BXL),
        utc(2026, 11, 25, 10),
        utc(2026, 11, 25, 14),
    ),
    (
        "first time tomorrow",
        Rule.at("posture", ["10:30", "15:00"], BXL),
        utc(2026, 11, 25, 15),
        utc(2026, 11, 26, 9, 30),
    ),
    (
        "across a month end",
        Rule.at("checkin", ["20:00"], BXL),
        utc(2026, 11, 30, 20),
        utc(2026, 12, 1, 19),
    ),
    (
        "across a year end",
        Rule.at("checkin", ["20:00"], BXL),
        utc(2026, 12, 31, 19, 30),
        utc(2027, 1, 1, 19),
    ),
    (
        "local date ahead of UTC",
        Rule.at("checkin", ["00:30"], BXL),
        utc(2026, 11, 25, 23, 10),
        utc(2026, 11, 25, 23, 30),
    ),  # 23:10 UTC is already 00:10 on the 26th in Brussels
    (
        "weekdays skip the weekend",
        Rule.at("movement", ["09:00"], BXL, WEEKDAYS),
        utc(2026, 11, 27, 9),
        utc(2026, 11, 30, 8),
    ),
    (
        "sunday only",
        Rule.at("summary", ["19:00"], BXL, (6,)),
        utc(2026, 11, 25, 8),
        utc(2026, 11, 29, 18),
    ),
    (
        "sunday only, a week on",
        Rule.at("summary", ["19:00"], BXL, (6,)),
        utc(2026, 11, 29, 18),
        utc(2026, 12, 6, 18),
    ),
    ("summer offset", Rule.at("stress", ["12:30"], BXL), utc(2026, 7, 1), utc(2026, 7, 1, 10, 30)),
    (
        "kolkata half hour",
        Rule.at("stress", ["12:30"], "Asia/Kolkata"),
        utc(2026, 11, 25),
        utc(2026, 11, 25, 7),
    ),
    (
        "new york",
        Rule.at("checkin", ["20:00"], "America/New_York"),
        utc(2026, 11, 25, 12),
        utc(2026, 11, 26, 1),
    ),
    (
        "sydney",
        Rule.at("checkin", ["20:00"], "Australia/Sydney"),
        utc(2026, 11, 25, 12),
        utc(2026, 11, 26, 9),
    ),
]


@pytest.mark.parametrize(
    ("rule", "after", "expected"),
    [case[1:] for case in NEXT_DUE_CASES],
    ids=[case[0] for case in NEXT_DUE_CASES],
)
def test_next_due(rule: Rule, after: datetime, expected: datetime) -> None:
    due = next_due(rule, after)
    assert due == expected
    assert due is not None and due.tzinfo is UTC


def test_next_due_accepts_any_aware_instant_and_refuses_naive() -> None:
    rule = Rule.at("stress", ["12:30"], BXL)
    assert next_due(rule, local(BXL, 2026, 11, 25, 9)) == utc(2026, 11, 25, 11, 30)
    with pytest.raises(ValueError):
        next_due(rule, datetime(2026, 11, 25, 9))


QUIET_CASES = [
    # (times, quiet start, quiet end, local times that fire)
    (["06:30", "07:00", "21:59", "22:00"], "22:00", "07:00", ["07:00", "21:59"]),  # wraps
    (["23:30", "00:15", "06:59"], "23:00", "07:00", []),
    (["12:00", "12:30", "13:00", "14:00"], "12:30", "14:00", ["12:00", "14:00"]),  # plain
    (["00:00", "23:59"], "00:00", "23:59", ["23:59"]),
]


@pytest.mark.parametrize(("times", "start", "end", "fires"), QUIET_CASES)
def test_quiet_hours_drop_slots_inside_them(
    times: list[str], start: str, end: str, fires: list[str]
) -> None:
    rule = Rule("checkin", BXL, times=tuple(times), quiet_start=start, quiet_end=end)
    slots = slots_between(rule, utc(2026, 11, 24, 23), utc(2026, 11, 25, 23))  # one local day
    assert [s.astimezone(ZoneInfo(BXL)).strftime("%H:%M") for s in slots] == fires
    if not fires:
        assert next_due(rule, utc(2026, 11, 25)) is None


def test_quiet_hours_across_midnight_in_an_interval_window() -> None:
    rule = Rule(
        "movement",
        BXL,
        interval_minutes=60,
        window_start="20:00",
        window_end="02:00",
        quiet_start="23:00",
        quiet_end="06:00",
    )
    slots = slots_between(rule, utc(2026, 11, 25, 12), utc(2026, 11, 26, 12))
    assert [s.astimezone(ZoneInfo(BXL)).strftime("%H:%M") for s in slots] == [
        "20:00",
        "21:00",
        "22:00",
    ]


PAUSE_CASES = [
    (
        "pause ahead skips slots",
        utc(2026, 11, 27, 23),
        utc(2026, 11, 25, 8),
        utc(2026, 11, 28, 11, 30),
    ),
    (
        "slot exactly at the end fires",
        utc(2026, 11, 26, 11, 30),
        utc(2026, 11, 25, 12),
        utc(2026, 11, 26, 11, 30),
    ),
    (
        "an ended pause changes nothing",
        utc(2026, 11, 1),
        utc(2026, 11, 25, 8),
        utc(2026, 11, 25, 11, 30),
    ),
    ("a pause a year ahead", utc(2027, 11, 25), utc(2026, 11, 25, 8), utc(2027, 11, 25, 11, 30)),
]


@pytest.mark.parametrize(
    ("until", "after", "expected"), [c[1:] for c in PAUSE_CASES], ids=[c[0] for c in PAUSE_CASES]
)
def test_pause(until: datetime, after: datetime, expected: datetime) -> None:
    rule = Rule("stress", BXL, times=("12:30",), paused_until=until)
    assert next_due(rule, after) == expected
    slots = slots_between(rule, after, expected)
    assert slots == [expected]


def test_is_paused() -> None:
    rule = Rule("stress", BXL, times=("12:30",), paused_until=utc(2026, 11, 28))
    assert rule.is_paused(utc(2026, 11, 27))
    assert not rule.is_paused(utc(2026, 11, 28))


# -- intervals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "start", "end", "expected"),
    [
        (90, "09:00", "17:00", ["09:00", "10:30", "12:00", "13:30", "15:00", "16:30"]),
        (
            60,
            "09:00",
            "17:00",
            ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"],
        ),
        (120, "08:30", "17:00", ["08:30", "10:30", "12:30", "14:30", "16:30"]),
        (45, "09:00", "11:00", ["09:00", "09:45", "10:30"]),
        (60, "22:00", "02:00", ["22:00", "23:00", "00:00", "01:00"]),  # a night shift
    ],
)
def test_interval_slots_within_the_working_window(
    minutes: int, start: str, end: str, expected: list[str]
) -> None:
    rule = Rule.every("movement", minutes, start, end, BXL, days=(2,))  # Wednesday only
    slots = slots_between(rule, utc(2026, 11, 24), utc(2026, 12, 1))
    shown = [s.astimezone(ZoneInfo(BXL)).strftime("%H:%M") for s in slots]
    assert shown == expected
    # A night-shift window belongs to the day it starts on: Wed 22:00 to Thu 02:00.
    assert {s.astimezone(ZoneInfo(BXL)).date() for s in slots} <= {
        date(2026, 11, 25),
        date(2026, 11, 26),
    }


def test_interval_next_due_steps_through_the_window_then_the_next_weekday() -> None:
    rule = Rule.every("movement", 90, "09:00", "17:00", BXL)
    friday_last = local(BXL, 2026, 11, 27, 16, 30)
    assert next_due(rule, local(BXL, 2026, 11, 27, 10, 0)) == local(BXL, 2026, 11, 27, 10, 30)
    assert next_due(rule, friday_last) == local(BXL, 2026, 11, 30, 9, 0)


# -- DST -------------------------------------------------------------------------------------

DST_CASES = [
    # (zone, time, window start, window end (UTC), expected UTC slots)
    (
        "spring forward: 02:30 does not exist, fires once at 03:00 local",
        BXL,
        "02:30",
        utc(2026, 3, 28, 12),
        utc(2026, 3, 29, 12),
        [utc(2026, 3, 29, 1, 0)],
    ),
    (
        "fall back: 02:30 happens twice, fires once (first)",
        BXL,
        "02:30",
        utc(2026, 10, 24, 12),
        utc(2026, 10, 25, 12),
        [utc(2026, 10, 25, 0, 30)],
    ),
    (
        "new york spring forward",
        "America/New_York",
        "02:30",
        utc(2026, 3, 7, 12),
        utc(2026, 3, 8, 12),
        [utc(2026, 3, 8, 7, 0)],
    ),
    (
        "new york fall back",
        "America/New_York",
        "01:30",
        utc(2026, 10, 31, 12),
        utc(2026, 11, 1, 12),
        [utc(2026, 11, 1, 5, 30)],
    ),
    (
        "sydney spring forward (October)",
        "Australia/Sydney",
        "02:30",
        utc(2026, 10, 3),
        utc(2026, 10, 4),
        [utc(2026, 10, 3, 16, 0)],
    ),
    (
        "sydney fall back (April)",
        "Australia/Sydney",
        "02:30",
        utc(2026, 4, 4),
        utc(2026, 4, 5),
        [utc(2026, 4, 4, 15, 30)],
    ),
    (
        "lord howe half-hour gap",
        "Australia/Lord_Howe",
        "02:15",
        utc(2026, 10, 3),
        utc(2026, 10, 4),
        [utc(2026, 10, 3, 15, 30)],
    ),
]


@pytest.mark.parametrize(
    ("zone", "hhmm", "start", "end", "expected"),
    [c[1:] for c in DST_CASES],
    ids=[c[0] for c in DST_CASES],
)
def test_dst_transitions_fire_exactly_once(
    zone: str, hhmm: str, start: datetime, end: datetime, expected: list[datetime]
) -> None:
    rule = Rule.at("stress", [hhmm], zone)
    assert slots_between(rule, start, end) == expected
    assert next_due(rule, start) == expected[0]
    # Asking again from the slot just fired never gives the same day again.
    following = next_due(rule, expected[0])
    assert following is not None and following - expected[0] > timedelta(hours=20)


def test_spring_forward_fires_at_03_00_local() -> None:
    slot = next_due(Rule.at("stress", ["02:30"], BXL), utc(2026, 3, 28, 12))
    assert slot is not None
    assert slot.astimezone(ZoneInfo(BXL)).strftime("%Y-%m-%d %H:%M") == "2026-03-29 03:00"


def test_fall_back_second_occurrence_is_not_a_second_slot() -> None:
    rule = Rule.at("stress", ["02:30"], BXL)
    second = local(BXL, 2026, 10, 25, 2, 30, fold=1)
    assert second == utc(2026, 10, 25, 1, 30)
    # Between the two occurrences of 02:30 nothing is due until the next night.
    assert next_due(rule, utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 26, 1, 30)


def test_interval_never_double_fires_in_the_fall_back_hour() -> None:
    rule = Rule.every("movement", 30, "00:00", "06:00", BXL, days=EVERY_DAY)
    slots = slots_between(rule, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))
    walls = [s.astimezone(ZoneInfo(BXL)).strftime("%H:%M") for s in slots]
    assert walls == [f"{h:02d}:{m:02d}" for h in range(6) for m in (0, 30)]
    assert len(set(slots)) == len(slots) == 12


def test_interval_spring_forward_gap_slots_fire_once_at_the_gap_end() -> None:
    rule = Rule.every("movement", 30, "00:00", "06:00", BXL, days=EVERY_DAY)
    slots = slots_between(rule, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12))
    walls = [s.astimezone(ZoneInfo(BXL)).strftime("%H:%M") for s in slots]
    # 02:00 and 02:30 do not exist; with 03:00 they meet at 03:00 and fire once.
    assert walls == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
        "04:00",
        "04:30",
        "05:00",
        "05:30",
    ]


def test_interval_on_dst_days_keeps_every_working_slot() -> None:
    rule = Rule.every("movement", 90, "09:00", "17:00", BXL, days=EVERY_DAY)
    for day in (date(2026, 3, 29), date(2026, 10, 25)):
        start = local(BXL, day.year, day.month, day.day, 0, 0)
        slots = slots_between(rule, start, start + timedelta(hours=23))
        walls = [s.astimezone(ZoneInfo(BXL)).strftime("%H:%M") for s in slots]
        assert walls == ["09:00", "10:30", "12:00", "13:30", "15:00", "16:30"]


def test_resolve_local_is_the_earliest_instant_showing_that_wall_time() -> None:
    zone = ZoneInfo(BXL)
    gap = resolve_local(datetime(2026, 3, 29, 2, 30), zone)
    assert gap == utc(2026, 3, 29, 1)
    assert (gap - timedelta(seconds=1)).astimezone(zone).strftime("%H:%M:%S") == "01:59:59"


# -- properties over a whole year ---------------------------------------------------------


def _local_days(rule: Rule, slots: list[datetime]) -> Counter[date]:
    zone = ZoneInfo(rule.timezone)
    return Counter(slot.astimezone(zone).date() for slot in slots)


WORST_CASES = [
    *(Rule.every("movement", MIN_INTERVAL, "00:00", "23:59", zone, EVERY_DAY) for zone in ZONES),
    *(
        Rule.at("stress", ["00:00", "00:30", "01:30", "02:00", "02:30", "03:00"], zone)
        for zone in ZONES
    ),
]


def _with_examples(test: Any) -> Any:
    for rule in WORST_CASES:
        test = example(rule)(test)
    return test


@settings(database=None, deadline=None, max_examples=100)
@_with_examples
@given(rules())
def test_slots_over_a_year_are_strictly_increasing_and_unique(rule: Rule) -> None:
    start, end = utc(2026, 1, 1), utc(2027, 1, 1)
    slots = slots_between(rule, start, end)
    assert all(a < b for a, b in pairwise(slots))
    assert all(start < s <= end and s.tzinfo is UTC for s in slots)
    if rule.quiet_start is None and rule.interval_minutes is None:
        # Fixed times, no quiet hours: every chosen day of the year has its slots, each
        # at most once (two times in one DST gap may merge), and no other day has any.
        counts = _local_days(rule, slots)
        zone = ZoneInfo(rule.timezone)
        first_day = start.astimezone(zone).date() + timedelta(days=1)
        last_day = end.astimezone(zone).date() - timedelta(days=1)
        day = first_day
        while day <= last_day:
            expected = len(rule.times) if day.weekday() in rule.days else 0
            if rule.timezone in ("UTC", "Asia/Kolkata"):
                assert counts[day] == expected  # no DST: exact
            else:
                assert (counts[day] >= 1) == (expected > 0)
                assert counts[day] <= expected
            day += timedelta(days=1)


@HYPO
@given(
    rules(interval_min=45),
    st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 1), timezones=st.just(UTC)),
)
def test_stepping_with_next_due_visits_exactly_slots_between(rule: Rule, start: datetime) -> None:
    end = start + timedelta(days=40)
    expected = slots_between(rule, start, end)
    visited: list[datetime] = []
    current = next_due(rule, start)
    while current is not None and current <= end:
        visited.append(current)
        current = next_due(rule, current)
    assert visited == expected
    if not expected and current is None:
        assert slots_between(rule, start, start + timedelta(days=8)) == []


@HYPO
@given(rules(), st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)))
def test_next_due_is_strictly_after_and_on_a_chosen_day(rule: Rule, after: datetime) -> None:
    due = next_due(rule, after)
    if due is None:
        assert rule.quiet_start is not None
        return
    assert due > after
    assert due - after <= timedelta(days=8, hours=3)


# -- helpers ---------------------------------------------------------------------------------


def test_next_due_after_today_skips_the_rest_of_the_local_day() -> None:
    rule = Rule.at("posture", ["10:30", "15:00"], BXL)
    assert next_due_after_today(rule, local(BXL, 2026, 11, 25, 9)) == local(
        BXL, 2026, 11, 26, 10, 30
    )
    assert next_due_after_today(rule, local(BXL, 2026, 11, 25, 23, 59)) == local(
        BXL, 2026, 11, 26, 10, 30
    )


def test_skip_today_on_a_window_across_midnight_skips_that_whole_night() -> None:
    rule = Rule.every("movement", 60, "20:00", "02:00", BXL, days=EVERY_DAY)
    # At 21:00 the slots at 00:00 and 01:00 still belong to tonight's window.
    assert next_due_after_today(rule, local(BXL, 2026, 11, 25, 21)) == local(BXL, 2026, 11, 26, 20)
    # At 00:30 the window that started yesterday evening is what is being skipped.
    assert next_due_after_today(rule, local(BXL, 2026, 11, 26, 0, 30)) == local(
        BXL, 2026, 11, 26, 20
    )
    # Past the window's end, "today" is the evening still to come.
    assert next_due_after_today(rule, local(BXL, 2026, 11, 26, 10)) == local(BXL, 2026, 11, 27, 20)


def test_skip_today_keeps_to_the_days_and_the_pause() -> None:
    weekdays = Rule.at("posture", ["10:30"], BXL, days=WEEKDAYS)
    friday = local(BXL, 2026, 11, 27, 11)
    assert next_due_after_today(weekdays, friday) == local(BXL, 2026, 11, 30, 10, 30)
    paused = Rule.from_dict(
        {**weekdays.to_dict(), "paused_until": local(BXL, 2026, 12, 3, 12).isoformat()}
    )
    assert next_due_after_today(paused, friday) == local(BXL, 2026, 12, 4, 10, 30)
    # A pause longer than the week-and-a-day search window: the slot after it, never None
    # (None would park the reminder for good).
    long_pause = Rule.from_dict(
        {**weekdays.to_dict(), "paused_until": local(BXL, 2026, 12, 20, 12).isoformat()}
    )
    assert next_due_after_today(long_pause, friday) == local(BXL, 2026, 12, 21, 10, 30)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(15, utc(2026, 11, 25, 8, 15)), (30, utc(2026, 11, 25, 8, 30)), (1440, utc(2026, 11, 26, 8))],
)
def test_snooze(minutes: int, expected: datetime) -> None:
    assert snooze(utc(2026, 11, 25, 8), minutes) == expected


@pytest.mark.parametrize("minutes", [0, -5, 1441, True])
def test_snooze_refuses_odd_minutes(minutes: int) -> None:
    with pytest.raises(ValueError):
        snooze(utc(2026, 11, 25, 8), minutes)
    with pytest.raises(ValueError):
        snooze(datetime(2026, 11, 25, 8), 15)


# -- words -----------------------------------------------------------------------------------

DESCRIBE_CASES = [
    (
        Rule.every("movement", 90, "09:00", "17:00", BXL),
        "Movement breaks: every 90 min, Mon-Fri 09:00-17:00",
    ),
    (Rule.at("stress", ["12:30"], BXL), "Breathing exercise: 12:30, every day"),
    (Rule.at("posture", ["10:45", "15:15"], BXL), "Change position: 10:45 and 15:15, every day"),
    (
        Rule.at("checkin", ["08:00", "13:00", "20:00"], BXL, (0, 2, 4)),
        "Daily check-in: 08:00, 13:00 and 20:00, Mon, Wed, Fri",
    ),
    (Rule.at("summary", ["19:00"], BXL, (6,)), "Weekly summary: 19:00, Sun"),
    (Rule.at("pain", ["17:30"], BXL, (5, 6)), "Graded walk: 17:30, weekends"),
    (Rule.at("pain", ["17:30"], BXL, (1, 2, 3)), "Graded walk: 17:30, Tue-Thu"),
    (
        Rule("checkin", BXL, times=("20:00",), quiet_start="22:00", quiet_end="07:00"),
        "Daily check-in: 20:00, every day, quiet 22:00-07:00",
    ),
    (
        Rule("stress", BXL, times=("12:30",), paused_until=local(BXL, 2026, 11, 28, 0, 0)),
        "Breathing exercise: 12:30, every day (paused until Sat 28 Nov)",
    ),
]


@pytest.mark.parametrize(("rule", "expected"), DESCRIBE_CASES)
def test_describe(rule: Rule, expected: str) -> None:
    assert describe(rule, T) == expected


def test_describe_leaves_out_an_ended_pause_when_given_now() -> None:
    rule = Rule("stress", BXL, times=("12:30",), paused_until=utc(2026, 11, 20))
    assert describe(rule, T, now=utc(2026, 11, 25)) == "Breathing exercise: 12:30, every day"


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        (local(BXL, 2025, 11, 28, 0, 0), "Paused until Fri 28 Nov"),
        (local(BXL, 2026, 11, 28, 9, 5), "Paused until Sat 28 Nov, 09:05"),
        (utc(2026, 12, 31, 23, 30), "Paused until Fri 1 Jan, 00:30"),  # the local date counts
    ],
)
def test_describe_pause(until: datetime, expected: str) -> None:
    assert describe_pause(until, BXL, T) == expected


def test_day_names_come_from_the_content_and_dates_from_babel() -> None:
    assert T.list("reminders.days.short")[0] == "Mon"
    assert len(T.list("reminders.days.long")) == 7
    assert format_date(utc(2026, 3, 1, 12), BXL, T) == "Sun 1 Mar"
    # CLDR's own short date in each language, not one pattern for all.
    translations = {"nl": "zo 1 mrt", "fr": "dim. 1 mars", "de": "So., 1. März"}
    for language, expected in translations.items():
        t = default_catalogue().translator(language)
        assert format_date(utc(2026, 3, 1, 12), BXL, t) == expected
    # Times too: CLDR's 24-hour pattern, the same in a rule and in a pause.
    de = default_catalogue().translator("de")
    until = local(BXL, 2026, 11, 28, 9, 5)
    assert describe_pause(until, BXL, de) == "Pausiert bis Sa., 28. Nov., 09:05 Uhr"
    fr = default_catalogue().translator("fr")
    assert describe(Rule.at("stress", ["09:00"]), fr).endswith(" 09:00, tous les jours")
    assert describe_days([0, 1, 2, 3, 4, 5, 6], T) == "every day"
    assert describe_days([5, 6], T) == "weekends"
    assert describe_days([0, 1], T) == "Mon, Tue"


# -- parsing typed times ---------------------------------------------------------------------

PARSE_CASES = [
    ("9:00", "09:00"),
    ("09:00", "09:00"),
    (" 9.30 ", "09:30"),
    ("9h30", "09:30"),
    ("0930", "09:30"),
    ("930", "09:30"),
    ("9", "09:00"),
    ("23:59", "23:59"),
    ("0:00", "00:00"),
    ("00:00", "00:00"),
    ("7pm", "19:00"),
    ("7:30 pm", "19:30"),
    ("12am", "00:00"),
    ("12pm", "12:00"),
    ("7 AM", "07:00"),
    ("7 p.m.", "19:00"),
    ("25:00", None),
    ("24:00", None),
    ("9:60", None),
    ("9:5", None),
    ("", None),
    ("   ", None),
    ("noon", None),
    ("9:00:00", None),
    ("-9:00", None),
    ("13pm", None),
    ("0am", None),
    ("12345", None),
    ("🕘", None),
    ("9:00🙂", None),
    ("９:００", None),
    ("٩:٣٠", None),
    ("x" * 4096, None),
    ("9" * 4096, None),
    ("9:00\n", "09:00"),
    ("9 : 00", None),
    # The other languages' ways (found missing by a trial run).
    ("18 Uhr", "18:00"),
    ("7.30 Uhr", "07:30"),
    ("19h", "19:00"),
    ("18u", "18:00"),
    ("18 uur", "18:00"),
    ("9u30", "09:30"),
    ("25u", None),
    ("7 Uhrzeit", None),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_hhmm(text: str, expected: str | None) -> None:
    assert parse_hhmm(text) == expected


@HYPO
@given(st.text(max_size=30))
def test_parse_hhmm_never_raises_and_returns_canonical(text: str) -> None:
    parsed = parse_hhmm(text)
    if parsed is not None:
        hours, minutes = parsed.split(":")
        assert len(parsed) == 5 and 0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00-17:00", ("09:00", "17:00")),
        ("22 to 7", ("22:00", "07:00")),
        ("8.30 – 17", ("08:30", "17:00")),
        ("9-9", None),
        ("9:00", None),
        ("a-b", None),
        ("9-17-18", None),
        ("x" * 500, None),
    ],
)
def test_parse_window(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_window(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:30", ("10:30",)),
        ("15:00, 10:30", ("10:30", "15:00")),
        ("10:30 and 15:00", ("10:30", "15:00")),
        ("10:30, soon", None),
        ("", None),
        (", ".join(["9"] * 7), None),
    ],
)
def test_parse_times(text: str, expected: tuple[str, ...] | None) -> None:
    assert parse_times(text) == expected


# -- reminder messages -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_at_least_six_distinct_short_messages(kind: str) -> None:
    texts = T.list(f"reminders.messages.{kind}")
    assert len(texts) >= 6
    assert len(set(texts)) == len(texts)
    assert all(0 < len(text) <= 200 for text in texts)
    assert all(action in ACTIONS for action in nudge_actions(kind))
    assert T(f"reminders.kinds.{kind}")


def test_action_labels_exist() -> None:
    labels = {action: T(f"reminders.actions.{action}") for action in ACTIONS}
    assert labels["snooze15"] == "⏰ Snooze 15 min"
    assert labels["skip"] == "Skip today"


def test_a_daily_reminder_shows_a_different_text_each_day() -> None:
    slots = slots_between(Rule.at("checkin", ["20:00"], BXL), utc(2026, 11, 1), utc(2026, 11, 7))
    texts = [nudge_text("checkin", slot, T) for slot in slots]
    assert len(slots) == 6
    assert len(set(texts)) == 6
    assert nudge_text("checkin", slots[0], T) == texts[0]  # the same slot, the same words


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("remind me at 8 instead please", "08:00"),
        ("herinner me liever om 20u30", "20:30"),
        ("rappelle-moi plutôt à 8h", "08:00"),
        ("erinnere mich lieber um 8 Uhr", "08:00"),
        ("move it to 7:30pm", "19:30"),
        ("remind me 2 times a day", None),  # a bare number is a time only after "at"
        ("walked 20 minutes", None),
        ("remind me at 8 or at 9", None),  # two times: ask, do not guess
        ("remind me later", None),
    ],
)
def test_a_time_is_found_in_a_sentence_only_when_there_is_one(
    sentence: str, found: str | None
) -> None:
    assert find_time(sentence) == found
