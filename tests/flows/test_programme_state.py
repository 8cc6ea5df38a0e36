"""The programme state's JSON form: every valid state survives a round trip through
JSON text, and a malformed one is refused with the name of what is wrong."""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from datetime import date, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.programme.records import (
    FEEDBACKS,
    PARTS,
    TRACKS,
    Flare,
    MessageLog,
    SessionRecord,
    Shown,
    Snooze,
    Span,
    WeeklyGoal,
)
from flows.programme.state import ProgrammeState, evolve
from tests.support.programme_fixtures import START, new_state

days = st.integers(0, 200).map(lambda n: START + timedelta(days=n))
keys = st.sampled_from([f"key_{n}" for n in range(40)] + ["a", "x.y-z", "theme_9"])


@st.composite
def spans(draw: st.DrawFn, longest: int = 14) -> tuple[Span, ...]:
    """Spans in order, without overlaps, each at most ``longest`` days."""
    found: list[Span] = []
    start = START + timedelta(days=draw(st.integers(0, 10)))
    for _ in range(draw(st.integers(0, 4))):
        end = start + timedelta(days=draw(st.integers(0, longest - 1)))
        found.append(Span(start, end))
        start = end + timedelta(days=draw(st.integers(1, 20)))
    return tuple(found)


@st.composite
def states(draw: st.DrawFn) -> ProgrammeState:
    pauses = draw(spans())
    after = (pauses[-1].end if pauses else START) + timedelta(days=draw(st.integers(1, 5)))
    pause = draw(st.none() | st.just(Span(after, after + timedelta(days=draw(st.integers(0, 13))))))
    references = st.none() | st.floats(0, 10, allow_nan=False)
    flares = tuple(
        Flare(span.start, span.start, draw(st.integers(1, 5)), draw(references), span.end)
        for span in draw(spans(longest=7))
    )
    lesson_keys = draw(st.lists(keys, unique=True, max_size=10))
    return ProgrammeState(
        enrolled_on=START,
        track=draw(st.sampled_from(TRACKS)),
        at=time(draw(st.integers(0, 23)), draw(st.integers(0, 59))),
        level=draw(st.integers(1, 20)),
        level_changed_on=draw(st.none() | days),
        flare=draw(
            st.none() | st.builds(Flare, days, st.just(START), st.integers(1, 9), references)
        ),
        flares=flares,
        last_review_on=draw(st.none() | days),
        pause=pause,
        pauses=pauses,
        walk_baseline=draw(st.none() | st.integers(1, 600)),
        lessons=tuple(Shown(key, draw(days)) for key in lesson_keys),
        nudges=tuple(draw(st.lists(st.builds(Shown, keys, days), max_size=6))),
        messages=draw(
            st.builds(
                MessageLog,
                st.none() | days,
                st.none() | days,
                st.booleans(),
                st.integers(0, 99),
                st.booleans(),
            )
        ),
        snoozes=tuple(draw(st.lists(st.builds(Snooze, days, st.integers(1, 120)), max_size=4))),
        time_offer_on=draw(st.none() | days),
        goal=draw(st.none() | st.builds(WeeklyGoal, st.integers(1, 20), keys)),
    )


@settings(max_examples=100, deadline=None)
@given(states())
def test_every_state_survives_json(state: ProgrammeState) -> None:
    text = json.dumps(state.to_dict(), allow_nan=False)
    assert ProgrammeState.from_dict(json.loads(text)) == state


FIELD_NAMES = [field.name for field in fields(ProgrammeState)]


@settings(max_examples=300, deadline=None)
@given(states(), states(), st.sets(st.sampled_from(FIELD_NAMES)))
def test_evolve_gives_what_replace_gives_checking_only_what_changed(
    state: ProgrammeState, other: ProgrammeState, names: set[str]
) -> None:
    changes = {name: getattr(other, name) for name in names}
    try:
        expected = replace(state, **changes)
    except ValueError as error:  # two valid states can make an invalid one
        with pytest.raises(ValueError, match=re.escape(str(error))):
            evolve(state, **changes)
    else:
        assert evolve(state, **changes) == expected


def test_evolve_refuses_what_replace_refuses() -> None:
    state = new_state()
    with pytest.raises(TypeError, match="levl"):
        evolve(state, levl=2)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="level"):
        evolve(state, level=0)
    with pytest.raises(ValueError, match="shown only once"):
        evolve(state, lessons=(Shown("a", START), Shown("a", START + timedelta(days=1))))
    with pytest.raises(ValueError, match="before enrolment"):
        evolve(new_state(pauses=(Span(START, START),)), enrolled_on=START + timedelta(days=1))
    assert evolve(state.messages, ignored=2) == replace(state.messages, ignored=2)  # not a state


@settings(max_examples=100, deadline=None)
@given(
    days,
    st.integers(1, 20),
    st.sets(st.sampled_from(PARTS)),
    st.none() | st.sampled_from(FEEDBACKS),
    st.none() | st.integers(0, 600),
)
def test_every_session_survives_json(
    day: date, level: int, parts: set[Any], feedback: Any, walk: int | None
) -> None:
    record = SessionRecord(day, level, frozenset(parts), feedback, walk)
    assert SessionRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record


def good() -> dict[str, Any]:
    return new_state().to_dict()


BAD: list[tuple[str, dict[str, Any]]] = [
    ("version", {**good(), "v": 2}),
    ("enrolled_on", {**good(), "enrolled_on": "2026-13-01"}),
    ("enrolled_on", {**good(), "enrolled_on": 20260105}),
    ("track", {**good(), "track": "heavy"}),
    ("at must be HH:MM", {**good(), "at": "18:00:30"}),
    ("at must be HH:MM", {**good(), "at": "25:00"}),
    ("level", {**good(), "level": 0}),
    ("level", {**good(), "level": True}),
    ("level", {**good(), "level": 2.0}),
    ("walk_baseline", {**good(), "walk_baseline": 0}),
    ("lessons must be a list", {**good(), "lessons": "intro_1"}),
    ("shown only once", {**good(), "lessons": [{"key": "a", "day": "2026-01-05"}] * 2}),
    ("short ASCII id", {**good(), "lessons": [{"key": "a b", "day": "2026-01-05"}]}),
    ("at most 14 days", {**good(), "pause": {"start": "2026-01-06", "end": "2026-01-20"}}),
    ("cannot end", {**good(), "pause": {"start": "2026-01-09", "end": "2026-01-06"}}),
    ("before enrolment", {**good(), "pauses": [{"start": "2026-01-01", "end": "2026-01-02"}]}),
    (
        "must not overlap",
        {
            **good(),
            "pauses": [{"start": "2026-01-06", "end": "2026-01-08"}],
            "pause": {"start": "2026-01-08", "end": "2026-01-09"},
        },
    ),
    ("feedback", {"day": "2026-01-05", "level": 1, "feedback": "meh"}),
    ("ignored", {**good(), "messages": {"ignored": -1}}),
    ("awaiting", {**good(), "messages": {"awaiting": "yes"}}),
    ("reference", {**good(), "flare": {**Flare(START, START, 1, 2.0).to_dict(), "reference": 11}}),
    (
        "open flare-up cannot have ended",
        {**good(), "flare": Flare(START, START, 1, 2.0, START).to_dict()},
    ),
    (
        "past flare-ups must have ended",
        {**good(), "flares": [Flare(START, START, 1, 2.0).to_dict()]},
    ),
    ("programme state must be an object", ["not", "a", "dict"]),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("message", "data"), BAD)
def test_malformed_states_are_refused_by_name(message: str, data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=message):
        if "level" in data and "feedback" in data:
            SessionRecord.from_dict(data)
        else:
            ProgrammeState.from_dict(data)


def test_an_older_state_without_the_lists_still_reads() -> None:
    minimal = {"v": 1, "enrolled_on": "2026-01-05", "track": "light", "at": "07:30", "level": 1}
    assert ProgrammeState.from_dict(minimal) == new_state("light", at=time(7, 30))
