"""Guided exercises: the library and its validation, every exercise walked end to end,
stopping early, the after-rating, graded walking and its progression rule."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.exercises.facts import ExerciseFinished
from flows.exercises.flow import ExerciseFlow
from flows.exercises.library import (
    CATEGORIES,
    CATEGORY_KIND,
    Exercise,
    LibraryError,
    exercises_for_kind,
    load_library,
    validate_catalogue,
)
from flows.exercises.state import STEPS
from flows.exercises.walking import (
    WALK_BASELINES,
    WALK_ID,
    a_bit_less,
    days_before,
    next_walking_level,
    parse_minutes,
)
from flows.i18n import Catalogue, CatalogueError, default_catalogue
from flows.runtime import Context, Event, FlowState, Outcome, Press, Reply, Text, mermaid
from tests.support.typed import as_the_engine_reads

T = default_catalogue().translator("en")
FLOW = ExerciseFlow()
LIBRARY = load_library(T)
IDS = list(LIBRARY)
GUIDED_IDS = [ex_id for ex_id in IDS if ex_id != WALK_ID]


def make_ctx(history: Mapping[str, Any] | None = None) -> Context:
    return Context(
        T, datetime(2026, 11, 25, 12, tzinfo=UTC), "Europe/Brussels", dict(history or {})
    )


def check_outcome(outcome: Outcome) -> None:
    """What must hold after every turn: JSON state, short ASCII buttons, valid facts."""
    if outcome.state is not None:
        assert outcome.state.flow == "exercise"
        assert outcome.state.step in STEPS
        json.dumps(dict(outcome.state.answers))
    assert outcome.replies
    for reply in outcome.replies:
        assert reply.text.strip()
        assert "{" not in reply.text and "}" not in reply.text  # no unfilled placeholder
        for choice in reply.buttons():
            assert choice.label.strip()
            if choice.command is None:
                assert choice.value and choice.value.isascii() and len(choice.value) <= 20
                assert "|" not in choice.value
    for fact in outcome.facts:
        assert isinstance(fact, ExerciseFinished)
        json.dumps(dataclasses.asdict(fact))
        assert fact.exercise_id in LIBRARY
    if any(isinstance(fact, ExerciseFinished) for fact in outcome.facts):
        assert outcome.state is None


def drive(events: Sequence[Event], history: Mapping[str, Any] | None = None) -> list[Outcome]:
    ctx = make_ctx(history)
    outcomes = [FLOW.start(ctx)]
    check_outcome(outcomes[0])
    for event in events:
        state = outcomes[-1].state
        assert state is not None, f"flow ended before {event!r}"
        outcomes.append(FLOW.handle(state, as_the_engine_reads(FLOW, state, event, ctx), ctx))
        check_outcome(outcomes[-1])
    return outcomes


def values(reply: Reply) -> list[str]:
    return [choice.value for choice in reply.buttons()]


def all_facts(outcomes: Sequence[Outcome]) -> list[object]:
    return [fact for outcome in outcomes for fact in outcome.facts]


def text_of(outcome: Outcome) -> str:
    return "\n".join(reply.text for reply in outcome.replies)


def state_of(outcome: Outcome) -> FlowState:
    assert outcome.state is not None
    return outcome.state


def opening_events(ex_id: str) -> list[Event]:
    """From the menu into ``ex_id``; graded walking (first time) also picks 5 minutes."""
    events: list[Event] = [Press(LIBRARY[ex_id].category), Press(ex_id)]
    if ex_id == WALK_ID:
        events.append(Press("5"))
    return events


def to_rate(ex_id: str, history: Mapping[str, Any] | None = None) -> FlowState:
    steps = len(LIBRARY[ex_id].steps)
    outcomes = drive([*opening_events(ex_id), *[Press("next")] * steps], history)
    return state_of(outcomes[-1])


# -- the library ---------------------------------------------------------------------------


def test_library_has_enough_exercises_in_every_category() -> None:
    assert len(LIBRARY) >= 12
    assert {ex.category for ex in LIBRARY.values()} == set(CATEGORIES)
    assert {ex.kind for ex in LIBRARY.values()} == {"stress", "movement", "pain"}


@pytest.mark.parametrize("ex_id", IDS)
def test_every_exercise_is_complete_and_well_formed(ex_id: str) -> None:
    ex = LIBRARY[ex_id]
    assert ex.id == ex_id
    assert re.fullmatch(r"[a-z][a-z0-9_]*", ex_id) and len(ex_id) <= 20
    assert 3 <= len(ex.steps) <= 8
    assert ex.duration_min > 0
    assert ex.kind == CATEGORY_KIND[ex.category]
    for text in (ex.title, ex.intro, ex.closing, *ex.steps):
        assert text.strip() and "{" not in text
    for step in ex.steps:
        assert len(re.findall(r"[.!?](?:\s|$)", step)) <= 2, step  # one or two sentences
    if ex.category in ("mobility", "strength"):
        assert ex.safety is not None
    if ex.safety is not None:
        assert "leg" in ex.safety and "numbness" in ex.safety


def test_ids_are_unique_and_fit_callback_data() -> None:
    raw = T.raw("exercises.library")
    ids = [entry["id"] for entry in raw]
    assert len(ids) == len(set(ids)) == len(LIBRARY)
    assert all(len(ex_id) <= 20 and ex_id.isascii() and "|" not in ex_id for ex_id in ids)


def test_breathing_is_presented_as_calming_not_as_a_cure() -> None:
    for ex in LIBRARY.values():
        words = " ".join((ex.intro, ex.closing, *ex.steps)).lower()
        assert "cure" not in words and "heal" not in words
    assert "calm" in LIBRARY["slow_breath"].intro
    assert "6 breaths a minute" in LIBRARY["slow_breath"].intro


def test_exercises_for_kind_matches_reminder_kinds() -> None:
    stress = exercises_for_kind("stress")
    assert stress and "slow_breath" in stress
    assert all(LIBRARY[ex_id].category in ("breathing", "relaxation") for ex_id in stress)
    assert WALK_ID in exercises_for_kind("pain")
    assert "bridge" in exercises_for_kind("movement")
    every = [*stress, *exercises_for_kind("movement"), *exercises_for_kind("pain")]
    assert sorted(every) == sorted(IDS)
    assert exercises_for_kind("nonsense") == []


def test_shipped_catalogue_validates_in_every_language() -> None:
    validate_catalogue(default_catalogue())


def _entries() -> dict[str, Any]:
    return dict(default_catalogue().entries["en"])


def _with_library(mutate: Callable[[list[dict[str, Any]]], object]) -> Catalogue:
    entries = _entries()
    library = copy.deepcopy(entries["exercises.library"])
    mutate(library)
    entries["exercises.library"] = library
    return Catalogue({"en": entries})


def _set(index: int, field: str, value: object) -> Callable[[list[dict[str, Any]]], None]:
    def mutate(library: list[dict[str, Any]]) -> None:
        library[index][field] = value

    return mutate


def _drop(index: int, field: str) -> Callable[[list[dict[str, Any]]], None]:
    def mutate(library: list[dict[str, Any]]) -> None:
        del library[index][field]

    return mutate


def _pelvic_index() -> int:
    return IDS.index("pelvic_tilt")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_drop(0, "title"), "missing field(s) title"),
        (_drop(0, "steps"), "missing field(s) steps"),
        (_set(0, "duration_min", 0), "duration_min"),
        (_set(0, "duration_min", -3), "duration_min"),
        (_set(0, "duration_min", True), "duration_min"),
        (_set(0, "duration_min", "5"), "duration_min"),
        (_set(1, "id", "slow_breath"), "used twice"),
        (_set(0, "id", "Slow Breath"), "id"),
        (_set(0, "id", "x" * 21), "at most 20"),
        (_set(0, "id", "a|b"), "id"),
        (_set(0, "category", "yoga"), "unknown category"),
        (_set(0, "kind", "sleep"), "unknown kind"),
        (_set(0, "kind", "pain"), "kind must be 'stress'"),
        (_set(0, "steps", ["one", "two"]), "3 to 8"),
        (_set(0, "steps", [f"step {n}" for n in range(9)]), "3 to 8"),
        (_set(0, "steps", ["one", "", "three"]), "non-empty"),
        (_set(0, "steps", "not a list"), "3 to 8"),
        (_set(0, "intro", "  "), "'intro' must be a non-empty text"),
        (_set(0, "setps", ["a", "b", "c"]), "unknown field(s) setps"),
        (_drop(_pelvic_index(), "safety"), "needs a safety line"),
        (lambda library: library.clear(), "non-empty list"),
        (lambda library: library.append("oops"), "[[library]] table"),
    ],
)
def test_malformed_library_is_refused_with_a_clear_error(
    mutate: Callable[[list[dict[str, Any]]], object],
    message: str,
) -> None:
    catalogue = _with_library(mutate)
    with pytest.raises(LibraryError, match=re.escape(message)) as info:
        load_library(catalogue.translator("en"))
    assert "exercises.toml (en)" in str(info.value)
    assert isinstance(info.value, CatalogueError)  # the bot's start-up check catches it


def test_library_that_is_not_a_list_is_refused() -> None:
    entries = {**_entries(), "exercises.library": {"id": "x"}}
    with pytest.raises(LibraryError, match="non-empty list"):
        load_library(Catalogue({"en": entries}).translator("en"))


def test_translation_must_keep_ids_categories_kinds_and_durations() -> None:
    english = _entries()
    good = copy.deepcopy(english["exercises.library"])
    for entry in good:
        entry["title"] = "NL " + entry["title"]
    catalogue = Catalogue({"en": english, "nl": {"exercises.library": good}})
    assert load_library(catalogue.translator("nl"))["slow_breath"].title == "NL Slow breathing"
    validate_catalogue(catalogue)

    bad = copy.deepcopy(good)
    bad[0]["duration_min"] = 7
    mismatched = Catalogue({"en": english, "nl": {"exercises.library": bad}})
    with pytest.raises(LibraryError, match=r"exercises.toml \(nl\).*must match"):
        load_library(mismatched.translator("nl"))
    with pytest.raises(LibraryError):
        validate_catalogue(mismatched)


# -- walking every exercise ----------------------------------------------------------------


@pytest.mark.parametrize("ex_id", IDS)
def test_every_exercise_can_be_walked_from_the_menu_and_rated(ex_id: str) -> None:
    ex = LIBRARY[ex_id]
    total = len(ex.steps)
    walked = [Press("5")] if ex_id == WALK_ID else []  # the walk: "5 min, as planned"
    outcomes = drive([*opening_events(ex_id), *[Press("next")] * total, *walked, Press("7")])

    menu, category = outcomes[0], outcomes[1]
    assert ex.category in values(menu.replies[0])
    assert ex_id in values(category.replies[0])

    begun = outcomes[len(opening_events(ex_id))]
    minutes = 5 if ex_id == WALK_ID else ex.duration_min
    assert f"about {minutes} min" in begun.replies[0].text  # duration stated at the start
    assert ex.intro in begun.replies[0].text
    assert begun.facts == ()  # a start is not recorded, only the end

    guided = outcomes[len(opening_events(ex_id)) : -2 - len(walked)]
    for number, outcome in enumerate(guided, start=1):
        last = outcome.replies[-1]
        assert f"Step {number}/{total}" in last.text
        assert ex.steps[number - 1] in last.text
        assert values(last) == ["next", "stop"]

    rate = outcomes[-2]
    assert state_of(rate).step == "rate"
    closing = ex.closing if not walked else T("exercises.walk.walked_planned", walked=5, planned=5)
    assert closing in rate.replies[0].text and "How do you feel now?" in rate.replies[0].text
    assert values(rate.replies[0]) == [*map(str, range(11)), "skip"]
    assert [len(row) for row in rate.replies[0].choices] == [6, 5, 1]

    done = outcomes[-1]
    assert done.state is None
    level = 5 if ex_id == WALK_ID else None
    assert done.facts == (ExerciseFinished(ex_id, 7, completed=True, level=level),)
    assert all_facts(outcomes) == list(done.facts)
    assert "7/10" in done.replies[0].text


@pytest.mark.parametrize("ex_id", GUIDED_IDS)
def test_reminder_start_jumps_straight_into_the_exercise(ex_id: str) -> None:
    ex = LIBRARY[ex_id]
    out = FLOW.start(make_ctx({"exercise_id": ex_id}))
    check_outcome(out)
    assert state_of(out).step == "guide"
    assert out.facts == ()
    assert len(out.replies) == 2
    assert ex.title in out.replies[0].text and f"about {ex.duration_min} min" in out.replies[0].text
    assert f"Step 1/{len(ex.steps)}" in out.replies[1].text
    outcomes = [out]
    for _ in ex.steps:
        outcomes.append(FLOW.handle(state_of(outcomes[-1]), Press("next"), make_ctx()))
        check_outcome(outcomes[-1])
    done = FLOW.handle(state_of(outcomes[-1]), Press("skip"), make_ctx())
    check_outcome(done)
    assert done.facts == (ExerciseFinished(ex_id, None, completed=True, level=None),)


def test_reminder_start_of_graded_walk_asks_the_level_first() -> None:
    out = FLOW.start(make_ctx({"exercise_id": WALK_ID}))
    assert state_of(out).step == "walk_base" and out.facts == ()
    later = FLOW.start(
        make_ctx({"exercise_id": WALK_ID, "walking_level": 10, "walking_days_at_level": 1})
    )
    assert state_of(later).step == "walk_level" and later.facts == ()


@pytest.mark.parametrize("wanted", ["no_such_thing", "", 42, None, ["slow_breath"]])
def test_unknown_exercise_id_falls_back_to_the_menu(wanted: object) -> None:
    out = FLOW.start(make_ctx({"exercise_id": wanted}))
    check_outcome(out)
    assert state_of(out).step == "menu" and out.facts == ()
    assert ("couldn't find" in out.replies[0].text) == bool(wanted)


def test_current_repeats_the_question_and_the_intro_on_the_first_step() -> None:
    out = FLOW.start(make_ctx({"exercise_id": "bridge"}))
    assert FLOW.current(state_of(out), make_ctx()) == out.replies
    second = FLOW.handle(state_of(out), Press("next"), make_ctx())
    assert FLOW.current(state_of(second), make_ctx()) == second.replies


# -- navigating and stopping ---------------------------------------------------------------


def test_menu_close_and_back_record_nothing() -> None:
    outcomes = drive([Press("strength"), Press("back"), Text("  Breathing "), Press("close")])
    assert [state_of(o).step for o in outcomes[:-1]] == ["menu", "category", "menu", "category"]
    assert outcomes[-2].state is not None and outcomes[-2].state.answers["category"] == "breathing"
    out = FLOW.handle(state_of(outcomes[-1]), Press("back"), make_ctx())
    closed = FLOW.handle(state_of(out), Press("close"), make_ctx())
    assert closed.state is None and closed.facts == ()
    assert all_facts(outcomes) == []


@pytest.mark.parametrize("stop", [Press("stop"), Text("stop"), Text(" STOP ")])
@pytest.mark.parametrize("ex_id", ["slow_breath", "bridge", WALK_ID])
def test_stop_early_finishes_not_completed(stop: Event, ex_id: str) -> None:
    outcomes = drive([*opening_events(ex_id), Press("next"), stop])
    done = outcomes[-1]
    assert done.state is None
    level = 5 if ex_id == WALK_ID else None
    assert done.facts == (ExerciseFinished(ex_id, None, completed=False, level=level),)
    assert "stop here" in done.replies[0].text
    safety = LIBRARY[ex_id].safety
    if safety is not None:
        assert safety in done.replies[0].text  # repeat when to seek advice


@pytest.mark.parametrize("step", ["walk_base", "walk_level"])
def test_stop_before_the_walk_begins_records_nothing(step: str) -> None:
    history = {} if step == "walk_base" else {"walking_level": 10}
    out = FLOW.start(make_ctx({**history, "exercise_id": WALK_ID}))
    assert state_of(out).step == step
    done = FLOW.handle(state_of(out), Press("stop"), make_ctx())
    assert done.state is None and done.facts == ()


@pytest.mark.parametrize(
    "event",
    [
        Text("hello"),
        Text("🙂"),
        Text(""),
        Text("x" * 4096),
        Press("nope"),
        Press("7"),
        Press("slow_breath"),
        Text("next please"),
    ],
)
def test_invalid_input_while_guiding_re_asks_the_same_step(event: Event) -> None:
    out = FLOW.start(make_ctx({"exercise_id": "cat_cow"}))
    second = FLOW.handle(state_of(out), Press("next"), make_ctx())
    again = FLOW.handle(state_of(second), event, make_ctx())
    check_outcome(again)
    assert again.state == second.state and again.facts == ()
    assert "Tap Next" in again.replies[0].text and "Step 2/" in again.replies[-1].text


@pytest.mark.parametrize("event", [Text("next"), Text("Next ▶"), Text(" NEXT ")])
def test_next_can_be_typed(event: Event) -> None:
    out = FLOW.start(make_ctx({"exercise_id": "cat_cow"}))
    state = state_of(out)
    second = FLOW.handle(state, as_the_engine_reads(FLOW, state, event, make_ctx()), make_ctx())
    assert state_of(second).answers["index"] == 1


@pytest.mark.parametrize(
    ("step", "event"),
    [
        ("menu", Text("hello")),
        ("menu", Press("slow_breath")),
        ("menu", Press("")),
        ("category", Press("bridge")),
        ("category", Text("🙂")),
        ("category", Press("pacing")),
    ],
)
def test_invalid_input_in_menus_re_asks(step: str, event: Event) -> None:
    outcomes = drive([Press("breathing")] if step == "category" else [])
    state = state_of(outcomes[-1])
    again = FLOW.handle(state, event, make_ctx())
    check_outcome(again)
    assert again.state == state and again.facts == ()
    assert "Please pick one of the buttons" in again.replies[0].text


@pytest.mark.parametrize(
    "state",
    [
        FlowState("exercise", "bogus", {}),
        FlowState("exercise", "guide", {"exercise": "renamed_since"}),
        FlowState("exercise", "rate", {}),
        FlowState("exercise", "walk_level", {"exercise": 12}),
        FlowState("exercise", "category", {"category": "yoga"}),
    ],
)
def test_unreadable_state_goes_back_to_the_menu(state: FlowState) -> None:
    out = FLOW.handle(state, Press("next"), make_ctx())
    check_outcome(out)
    assert state_of(out).step == "menu" and out.facts == ()


def test_out_of_range_step_index_is_clamped() -> None:
    state = FlowState("exercise", "guide", {"exercise": "bridge", "index": 99, "level": None})
    out = FLOW.handle(state, Press("next"), make_ctx())
    assert state_of(out).step == "rate"
    weird = FlowState("exercise", "guide", {"exercise": "bridge", "index": "x"})
    assert "Step 1/" in FLOW.current(weird, make_ctx())[-1].text


# -- the after-rating ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "rating"),
    [
        (Text("6"), 6),
        (Text(" 6 "), 6),
        (Text("6/10"), 6),
        (Text("6 / 10"), 6),
        (Text("0"), 0),
        (Text("10"), 10),
        (Text("１０"), 10),
        (Press("3"), 3),
        (Press("10"), 10),
        (Press("skip"), None),
        (Text("skip"), None),
        (Text("Skip"), None),
    ],
)
def test_rating_is_accepted_typed_pressed_or_skipped(event: Event, rating: int | None) -> None:
    state = to_rate("body_scan")
    done = FLOW.handle(state, as_the_engine_reads(FLOW, state, event, make_ctx()), make_ctx())
    check_outcome(done)
    assert done.state is None
    assert done.facts == (ExerciseFinished("body_scan", rating, completed=True, level=None),)
    if rating is None:
        assert "no number needed" in done.replies[0].text
    else:
        assert f"{rating}/10" in done.replies[0].text
    assert any(choice.command == "exercise" for choice in done.replies[0].buttons())


@pytest.mark.parametrize(
    "event",
    [
        Text("11"),
        Text("-1"),
        Text("six"),
        Text("6.5"),
        Text(""),
        Text("🙂"),
        Text("x" * 4096),
        Text("6/11"),
        Press("11"),
        Press("-1"),
        Press("nope"),
        Press("next"),
        Press("stop"),
    ],
)
def test_invalid_rating_re_asks_and_stores_nothing(event: Event) -> None:
    state = to_rate("body_scan")
    again = FLOW.handle(state, event, make_ctx())
    check_outcome(again)
    assert again.state == state and again.facts == ()
    assert again.replies[0].text.startswith(T("common.not_a_number", lo=0, hi=10))
    assert values(again.replies[0])[-1] == "skip"


def test_rating_question_fits_the_kind() -> None:
    stress = FLOW.current(to_rate("slow_breath"), make_ctx())[0].text
    movement = FLOW.current(to_rate("bridge"), make_ctx())[0].text
    assert "tense" in stress and "pain" in movement


# -- graded walking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "sessions", "expected"),
    [
        (3, 0, 3),
        (3, 2, 3),
        (3, 3, 4),
        (5, 3, 6),
        (10, 3, 11),
        (10, 7, 11),
        (14, 3, 15),
        (15, 3, 17),
        (20, 2, 20),
        (20, 3, 22),
        (25, 3, 28),
        (30, 4, 33),
        (1, 3, 2),
        (55, 3, 60),
        (58, 3, 60),
        (60, 3, 60),
        (60, 0, 60),
    ],
)
def test_next_walking_level_raises_about_ten_percent_every_few_days(
    current: int,
    sessions: int,
    expected: int,
) -> None:
    assert next_walking_level(current, sessions) == expected


@given(st.integers(1, 60), st.integers(0, 1000))
def test_next_walking_level_is_a_small_planned_step(current: int, sessions: int) -> None:
    planned = next_walking_level(current, sessions)
    if sessions < 3:
        assert planned == current
    elif current < 60:
        assert current + 1 <= planned <= min(60, current + max(1, round(current * 0.1) + 1))
    else:
        assert planned == 60


@pytest.mark.parametrize(
    ("current", "sessions"), [(0, 3), (-5, 0), (61, 0), (5, -1), (True, 3), (5, True)]
)
def test_next_walking_level_refuses_impossible_inputs(current: int, sessions: int) -> None:
    with pytest.raises(ValueError):
        next_walking_level(current, sessions)


@pytest.mark.parametrize(("current", "less"), [(1, 1), (2, 1), (5, 4), (10, 9), (15, 13), (60, 54)])
def test_a_bit_less_is_about_ten_percent_less(current: int, less: int) -> None:
    assert a_bit_less(current) == less


@pytest.mark.parametrize(
    "history",
    [
        {},
        {"walking_level": None},
        {"walking_level": "10"},
        {"walking_level": 0},
        {"walking_level": -4},
        {"walking_level": True},
    ],
)
def test_first_walk_asks_for_a_baseline(history: dict[str, Any]) -> None:
    outcomes = drive([Press("pacing"), Press(WALK_ID)], history)
    ask = outcomes[-1]
    assert state_of(ask).step == "walk_base" and ask.facts == ()
    assert "even on a bad day" in ask.replies[0].text
    assert values(ask.replies[0]) == [*map(str, WALK_BASELINES), "stop"]


@pytest.mark.parametrize(
    ("event", "minutes"),
    [
        (Press("3"), 3),
        (Press("20"), 20),
        (Text("7"), 7),
        (Text(" 12 min "), 12),
        (Text("25 minutes"), 25),
        (Text("８"), 8),
    ],
)
def test_baseline_sets_todays_walk(event: Event, minutes: int) -> None:
    outcomes = drive([Press("pacing"), Press(WALK_ID), event])
    begun = outcomes[-1]
    assert begun.facts == ()
    assert state_of(begun).answers["level"] == minutes
    assert f"about {minutes} min" in begun.replies[0].text
    assert f"Today's walk: {minutes} minutes" in begun.replies[0].text


@pytest.mark.parametrize(
    "event",
    [
        Text("0"),
        Text("61"),
        Text("abc"),
        Text("🙂"),
        Text("x" * 4096),
        Text("-5"),
        Press("4"),
        Press("up"),
    ],
)
def test_invalid_baseline_re_asks(event: Event) -> None:
    state = state_of(drive([Press("pacing"), Press(WALK_ID)])[-1])
    again = FLOW.handle(state, event, make_ctx())
    check_outcome(again)
    assert again.state == state and again.facts == ()
    assert "1 to 60" in again.replies[0].text


@pytest.mark.parametrize(
    ("level", "days", "options"),
    [
        (10, 3, {"up": 11, "same": 10, "less": 9}),
        (10, 5, {"up": 11, "same": 10, "less": 9}),
        (10, 2, {"same": 10, "less": 9}),
        (20, 0, {"same": 20, "less": 18}),
        (1, 0, {"same": 1}),
        (1, 3, {"up": 2, "same": 1}),
        (60, 9, {"same": 60, "less": 54}),
        (500, 3, {"same": 60, "less": 54}),
    ],
)
def test_later_walks_propose_the_planned_level(
    level: int, days: int, options: dict[str, int]
) -> None:
    history = {"walking_level": level, "walking_days_at_level": days}
    ask = drive([Press("pacing"), Press(WALK_ID)], history)[-1]
    assert state_of(ask).step == "walk_level"
    assert values(ask.replies[0]) == [*options, "stop"]
    for value, minutes in options.items():
        steps = len(LIBRARY[WALK_ID].steps)
        outcomes = drive(
            [
                Press("pacing"),
                Press(WALK_ID),
                Press(value),
                *[Press("next")] * steps,
                Press(str(minutes)),
                Press("skip"),
            ],
            history,
        )
        assert f"Today's walk: {minutes} minutes" in outcomes[3].replies[0].text
        assert outcomes[-1].facts == (
            ExerciseFinished(WALK_ID, None, completed=True, level=minutes),
        )


def test_walk_proposal_says_why() -> None:
    up = drive(
        [Press("pacing"), Press(WALK_ID)], {"walking_level": 10, "walking_days_at_level": 3}
    )[-1]
    assert "small step up is 11 minutes" in up.replies[0].text
    same = drive(
        [Press("pacing"), Press(WALK_ID)], {"walking_level": 10, "walking_days_at_level": 1}
    )[-1]
    assert "1 of 3" in same.replies[0].text


def walk_to_the_end(planned: int, *answers: Event) -> list[Outcome]:
    """A walk planned at ``planned`` minutes, every step tapped through, then ``answers``."""
    steps = len(LIBRARY[WALK_ID].steps)
    history = {"walking_level": planned, "walking_days_at_level": 0}
    return drive(
        [Press("pacing"), Press(WALK_ID), Press("same"), *[Press("next")] * steps, *answers],
        history,
    )


def test_the_walk_asks_how_long_it_really_was_with_a_button_per_duration() -> None:
    asked = walk_to_the_end(12)[-1]
    assert state_of(asked).step == "walk_done" and asked.facts == ()
    reply = asked.replies[0]
    assert reply.text == LIBRARY[WALK_ID].closing
    assert "exactly the planned amount" not in reply.text
    assert values(reply) == ["12", "9", "6", "3", "longer", "none"]
    assert [c.label for c in reply.buttons()][:2] == ["12 min, as planned", "9 min"]


@pytest.mark.parametrize(
    ("answer", "level", "said"),
    [
        (Press("12"), 12, "12 minutes, out and back, just as planned"),
        (Press("6"), 6, "You walked 6 of the planned 12 minutes"),
        (Text("8 min"), 8, "You walked 8 of the planned 12 minutes"),
        (Press("longer"), 12, "I've noted today's 12 minutes"),
        (Text("25"), 12, "I've noted today's 12 minutes"),  # by plan, not by a good day
        (Text("longer than planned"), 12, "I've noted today's 12 minutes"),
    ],
)
def test_a_walk_counts_at_the_minutes_really_walked(answer: Event, level: int, said: str) -> None:
    outcomes = walk_to_the_end(12, answer, Press("skip"))
    rate = outcomes[-2]
    assert state_of(rate).step == "rate"
    assert said in rate.replies[0].text and "How do you feel now?" in rate.replies[0].text
    assert outcomes[-1].facts == (ExerciseFinished(WALK_ID, None, completed=True, level=level),)


def test_a_walk_that_did_not_happen_is_not_counted() -> None:
    done = walk_to_the_end(12, Press("none"))[-1]
    assert done.state is None
    assert done.facts == (ExerciseFinished(WALK_ID, None, completed=False, level=12),)
    assert done.replies[0].text == T("exercises.walk.not_walked")


@pytest.mark.parametrize("answer", [Press("7"), Press("13"), Text("ten"), Text("0")])
def test_how_long_asks_again_for_anything_else(answer: Event) -> None:
    again = walk_to_the_end(12, answer)[-1]
    assert state_of(again).step == "walk_done" and again.facts == ()
    assert again.replies[0].text.startswith(T("exercises.walk.walked_invalid"))


@pytest.mark.parametrize(
    ("planned", "durations"), [(1, ["1"]), (2, ["2", "1"]), (5, ["5", "4", "3", "1"])]
)
def test_short_walks_offer_each_duration_once(planned: int, durations: list[str]) -> None:
    asked = walk_to_the_end(planned)[-1]
    assert values(asked.replies[0]) == [*durations, "longer", "none"]


@pytest.mark.parametrize(("planned", "half"), [(12, "6"), (5, "2½"), (1, "½")])
@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_the_planned_amount_is_said_plainly_half_out_half_back(
    planned: int, half: str, language: str
) -> None:
    t = default_catalogue().translator(language)
    ctx = Context(t, make_ctx().now, "Europe/Brussels", {"walking_level": planned})
    outcome = FLOW.start(ctx)
    for event in (Press("pacing"), Press(WALK_ID), Press("same")):
        outcome = FLOW.handle(state_of(outcome), event, ctx)
    intro = outcome.replies[0].text
    assert f" {planned} " in intro and f" {half} " in intro
    if language == "en":
        assert "half out and half back" in intro
        steps = " ".join(load_library(t)[WALK_ID].steps)
        assert "head home" not in steps and "turn round and walk back" in steps


def test_an_old_rating_state_of_a_walk_asks_how_long_first() -> None:
    state = FlowState("exercise", "rate", {"exercise": WALK_ID, "level": 12})
    out = FLOW.handle(state, Press("7"), make_ctx())
    check_outcome(out)
    assert state_of(out).step == "walk_done" and out.facts == ()


@pytest.mark.parametrize(
    ("walk_days", "before_today"),
    [
        ([], 0),
        ([date(2026, 11, 25)] * 3, 0),  # three walks today: today isn't over
        ([date(2026, 11, 24)] * 3, 1),  # three walks in a minute are one day
        ([date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)], 3),
    ],
)
def test_days_before_counts_days_not_walks(walk_days: list[date], before_today: int) -> None:
    assert days_before(walk_days, date(2026, 11, 25)) == before_today


@pytest.mark.parametrize("days", ["3", None, -2, True, 2.5])
def test_malformed_day_count_counts_as_zero(days: object) -> None:
    ask = drive(
        [Press("pacing"), Press(WALK_ID)],
        {"walking_level": 10, "walking_days_at_level": days},
    )[-1]
    assert "up" not in values(ask.replies[0])


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("7", 7),
        ("60", 60),
        ("1", 1),
        ("10min", 10),
        ("0", None),
        ("61", None),
        ("", None),
        ("ten", None),
        ("1" * 50, None),
    ],
)
def test_parse_minutes(typed: str, minutes: int | None) -> None:
    assert parse_minutes(typed) == minutes


# -- facts, diagram ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ExerciseFinished("", None, completed=False, level=None),
        lambda: ExerciseFinished("Bad Id", None, completed=False, level=None),
        lambda: ExerciseFinished("bridge", 11, completed=True, level=None),
        lambda: ExerciseFinished("bridge", -1, completed=True, level=None),
        lambda: ExerciseFinished("bridge", True, completed=True, level=None),
        lambda: ExerciseFinished("bridge", 5, completed=False, level=None),
        lambda: ExerciseFinished("bridge", None, completed=1, level=None),  # type: ignore[arg-type]
        lambda: ExerciseFinished(WALK_ID, None, completed=True, level=0),
        lambda: ExerciseFinished(WALK_ID, None, completed=True, level=61),
    ],
)
def test_facts_refuse_out_of_range_values(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_facts_are_frozen_and_json_friendly() -> None:
    fact = ExerciseFinished(WALK_ID, 4, completed=True, level=11)
    assert json.loads(json.dumps(dataclasses.asdict(fact))) == {
        "exercise_id": WALK_ID,
        "rating_after": 4,
        "completed": True,
        "level": 11,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.level = 12  # type: ignore[misc]
    assert isinstance(LIBRARY["bridge"], Exercise)


def test_transitions_draw_every_step() -> None:
    edges = FLOW.transitions()
    nodes = {src for src, _, _ in edges} | {dst for _, _, dst in edges}
    assert nodes == {"", *STEPS}
    assert ("guide", "next on the last step", "rate") in edges
    assert any(src == "" and dst == "guide" for src, _, dst in edges)
    drawn = mermaid(FLOW)
    assert drawn.startswith("stateDiagram-v2") and "guide --> rate" in drawn
    # Open without consent: then it records nothing (the test below).
    assert FLOW.name == "exercise" and FLOW.needs_consent is False


@pytest.mark.parametrize("ex_id", ["slow_breath", WALK_ID])
def test_without_consent_nothing_is_kept_and_no_rating_is_asked(ex_id: str) -> None:
    history = {"keeps_log": False}
    steps = len(LIBRARY[ex_id].steps)
    outcomes = drive([*opening_events(ex_id), *[Press("next")] * steps], history)
    assert all_facts(outcomes) == []
    done = outcomes[-1]
    assert done.state is None and "don't keep a record" in done.replies[-1].text
    assert "rate" not in {o.state.step for o in outcomes if o.state is not None}
    stopped = drive([*opening_events(ex_id), Press("stop")], history)
    assert all_facts(stopped) == [] and stopped[-1].state is None


# -- never raises ------------------------------------------------------------------------------


HISTORIES = st.fixed_dictionaries(
    {},
    optional={
        "exercise_id": st.one_of(
            st.sampled_from(IDS), st.text(max_size=25), st.integers(), st.none()
        ),
        "walking_level": st.one_of(
            st.integers(-5, 200), st.none(), st.text(max_size=3), st.booleans()
        ),
        "walking_days_at_level": st.one_of(st.integers(-5, 50), st.none(), st.floats()),
    },
)

EVENT_CHOICES = st.one_of(
    st.integers(0, 30).map(lambda n: ("button", n)),
    st.text(max_size=30).map(lambda s: ("press", s)),
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            ["next", "stop", "skip", "6", "6/10", "5 min", "🙂", "x" * 4096, "breathing"],
        ),
    ).map(lambda s: ("text", s)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HISTORIES, st.lists(EVENT_CHOICES, max_size=25))
def test_random_events_never_raise(history: dict[str, Any], picks: list[tuple[str, Any]]) -> None:
    ctx = make_ctx(history)
    outcome = FLOW.start(ctx)
    check_outcome(outcome)
    ended = len([f for f in outcome.facts if isinstance(f, ExerciseFinished)])
    for kind, payload in picks:
        if outcome.state is None:
            break
        if kind == "button":
            buttons = [c.value for r in outcome.replies for c in r.buttons() if c.value]
            event: Event = Press(buttons[payload % len(buttons)]) if buttons else Text("")
        elif kind == "press":
            event = Press(payload)
        else:
            event = Text(payload)
        before = outcome.state
        outcome = FLOW.handle(before, event, ctx)
        check_outcome(outcome)
        if outcome.state is not None:
            assert FLOW.current(outcome.state, ctx)
        ended += len([f for f in outcome.facts if isinstance(f, ExerciseFinished)])
        assert ended <= 1
