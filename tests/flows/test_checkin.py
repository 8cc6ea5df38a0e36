"""The daily check-in flow and its pure helpers (local days, streaks, averages, scores)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.checkin import (
    MOVED_VALUES,
    NOTE_LIMIT,
    SLEEP_VALUES,
    STEPS,
    CheckinFlow,
    CheckinRecorded,
    clean_note,
)
from flows.checkin_feedback import HIGH_PAIN
from flows.exercises.library import load_library
from flows.exercises.state import BREATHE_COMMAND, GENTLE_MOVE_COMMAND, QUICK_STARTS
from flows.i18n import default_catalogue
from flows.runtime import Context, Event, FlowState, Outcome, Press, Reply, Text, mermaid
from flows.streaks import current_streak, local_day, parse_score, seven_day_average
from tests.support.typed import as_the_engine_reads

T = default_catalogue().translator("en")
NOW = datetime(2026, 11, 25, 19, tzinfo=UTC)  # 20:00 in Brussels
TODAY = date(2026, 11, 25)
FLOW = CheckinFlow()
SCORE_ROWS = [[str(n) for n in range(6)], [str(n) for n in range(6, 11)]]
INVALID_SCORE = T("common.not_a_number", lo=0, hi=10)  # one wording in every flow
HYPO = settings(database=None, deadline=None)


def make_ctx(
    history: Mapping[str, Any] | None = None, now: datetime = NOW, tz: str = "Europe/Brussels"
) -> Context:
    return Context(T, now, tz, dict(history or {}))


def day(offset: int, base: date = TODAY) -> str:
    return (base + timedelta(days=offset)).isoformat()


def recent(pains: Mapping[int, int], base: date = TODAY) -> list[dict[str, Any]]:
    """History rows {offset from today: pain}, oldest first, as the bot passes them."""
    return [
        {"local_day": day(off, base), "pain": pain, "stress": 3}
        for off, pain in sorted(pains.items())
    ]


def values(reply: Reply) -> list[list[str]]:
    return [[choice.value for choice in row] for row in reply.choices]


def check_outcome(outcome: Outcome) -> None:
    """What the engine relies on after every step."""
    if outcome.state is not None:
        json.dumps(dict(outcome.state.answers))
        assert outcome.state.flow == "checkin"
        assert outcome.state.step in STEPS
    assert outcome.replies, "every turn says something"
    for reply in outcome.replies:
        assert reply.text.strip()
        for choice in reply.buttons():
            assert choice.label.strip()
            if choice.command is None:
                assert choice.value, choice
                assert choice.value.isascii() and len(choice.value) <= 20
                assert "|" not in choice.value
    for fact in outcome.facts:
        assert isinstance(fact, CheckinRecorded)
        assert 0 <= fact.pain <= 10 and 0 <= fact.stress <= 10


def drive(events: Sequence[Event], ctx: Context | None = None) -> list[Outcome]:
    """Start the flow and feed ``events``; every outcome is checked on the way."""
    ctx = ctx or make_ctx()
    outcomes = [FLOW.start(ctx)]
    check_outcome(outcomes[0])
    for event in events:
        state = outcomes[-1].state
        assert state is not None, f"flow ended before {event!r}"
        outcomes.append(FLOW.handle(state, as_the_engine_reads(FLOW, state, event, ctx), ctx))
        check_outcome(outcomes[-1])
    return outcomes


def fact_of(outcome: Outcome) -> CheckinRecorded:
    assert outcome.state is None
    assert len(outcome.facts) == 1
    fact = outcome.facts[0]
    assert isinstance(fact, CheckinRecorded)
    return fact


QUICK = [Press("4"), Press("6"), Press("good"), Press("yes"), Press("skip")]


# -- the happy path ----------------------------------------------------------------


def test_five_presses_record_todays_checkin() -> None:
    outcomes = drive(QUICK)
    assert len(QUICK) == 5
    assert fact_of(outcomes[-1]) == CheckinRecorded(
        local_day="2026-11-25",
        pain=4,
        stress=6,
        sleep="good",
        moved="yes",
        note=None,
        replaces_existing=False,
    )
    assert [o.state.step for o in outcomes[:-1] if o.state] == [
        "pain",
        "stress",
        "sleep",
        "moved",
        "note",
    ]


def test_first_question_has_two_score_rows_and_a_yesterday_option() -> None:
    (reply,) = FLOW.start(make_ctx()).replies
    assert "right now" in reply.text
    assert values(reply) == [*SCORE_ROWS, ["yday"]]


@pytest.mark.parametrize(
    ("step", "answers", "event", "next_step", "stored"),
    [
        ("pain", {}, Press("0"), "stress", {"pain": 0}),
        ("pain", {}, Press("10"), "stress", {"pain": 10}),
        ("pain", {}, Text("7"), "stress", {"pain": 7}),
        ("stress", {"pain": 3}, Press("9"), "sleep", {"stress": 9}),
        ("stress", {"pain": 3}, Text(" 2/10 "), "sleep", {"stress": 2}),
        ("stress", {"pain": 3}, Press("back"), "pain", {}),
        ("sleep", {"pain": 3, "stress": 4}, Press("soso"), "moved", {"sleep": "soso"}),
        ("sleep", {"pain": 3, "stress": 4}, Press("bad"), "moved", {"sleep": "bad"}),
        ("sleep", {"pain": 3, "stress": 4}, Text("So so"), "moved", {"sleep": "soso"}),
        ("sleep", {"pain": 3, "stress": 4}, Text("GOOD"), "moved", {"sleep": "good"}),
        ("sleep", {"pain": 3, "stress": 4}, Press("back"), "stress", {}),
        ("moved", {"sleep": "bad"}, Press("little"), "note", {"moved": "little"}),
        ("moved", {"sleep": "bad"}, Press("no"), "note", {"moved": "no"}),
        ("moved", {"sleep": "bad"}, Text("a little"), "note", {"moved": "little"}),
        ("moved", {"sleep": "bad"}, Press("back"), "sleep", {}),
        ("note", {"moved": "no"}, Press("back"), "moved", {}),
    ],
)
def test_each_step(
    step: str, answers: dict[str, Any], event: Event, next_step: str, stored: dict[str, Any]
) -> None:
    base = {
        "today": "2026-11-25",
        "day": "2026-11-25",
        "when": "today",
        "replaces": False,
        "can_switch": True,
        **answers,
    }
    state = FlowState("checkin", step, base)
    outcome = FLOW.handle(state, as_the_engine_reads(FLOW, state, event, make_ctx()), make_ctx())
    check_outcome(outcome)
    assert outcome.state is not None
    assert outcome.state.step == next_step
    assert dict(outcome.state.answers) == {**base, **stored}
    assert outcome.replies[-1] == FLOW.current(outcome.state, make_ctx())[0]


@pytest.mark.parametrize(
    ("step", "event"),
    [
        ("sleep", Text("maybe")),
        ("sleep", Press("yes")),
        ("moved", Text("")),
        ("moved", Press("good")),
        ("moved", Text("x" * 4096)),
        ("confirm", Text("update")),
        ("confirm", Press("4")),
        ("note", Press("nonsense")),
    ],
)
def test_button_steps_reask_on_anything_else(step: str, event: Event) -> None:
    state = FlowState(
        "checkin",
        step,
        {
            "today": "2026-11-25",
            "day": "2026-11-25",
            "when": "today",
            "prev_pain": 1,
            "prev_stress": 2,
        },
    )
    outcome = FLOW.handle(state, event, make_ctx())
    check_outcome(outcome)
    assert outcome.state == state
    assert not outcome.facts
    (reply,) = outcome.replies
    assert reply.text.startswith(T("common.please_use_buttons"))
    assert reply.choices == FLOW.current(state, make_ctx())[0].choices


def test_stress_and_later_steps_offer_back_pain_does_not() -> None:
    outcomes = drive(QUICK[:4])
    rows = [values(o.replies[-1]) for o in outcomes]
    assert ["back"] not in rows[0]
    for step_rows in rows[1:]:
        assert step_rows[-1] == ["back"]


# -- typed scores ------------------------------------------------------------------

SCORE_TABLE: list[tuple[str, int | None]] = [
    ("6", 6),
    (" 6 ", 6),
    ("6/10", 6),
    ("6 / 10", 6),
    ("0", 0),
    ("10", 10),
    ("10/10", 10),
    ("06", 6),
    ("６", 6),
    ("１０", 10),
    ("６／１０", 6),
    ("٦", 6),
    ("\t3\n", 3),
    ("11", None),
    ("-1", None),
    ("6.5", None),
    ("6,5", None),
    ("", None),
    ("   ", None),
    ("six", None),
    ("😀", None),
    ("6 7", None),
    ("6/5", None),
    ("+6", None),
    ("100", None),
    ("x" * 4096, None),
    ("6" * 4096, None),
    ("/10", None),
    ("1e1", None),
]


@pytest.mark.parametrize(("text", "expected"), SCORE_TABLE)
def test_parse_score_table(text: str, expected: int | None) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(("text", "expected"), SCORE_TABLE)
@pytest.mark.parametrize("step", ["pain", "stress"])
def test_typed_scores_in_the_flow(step: str, text: str, expected: int | None) -> None:
    state = FlowState(
        "checkin",
        step,
        {
            "today": "2026-11-25",
            "day": "2026-11-25",
            "when": "today",
            "can_switch": False,
            "pain": 1,
        },
    )
    outcome = FLOW.handle(state, Text(text), make_ctx())
    check_outcome(outcome)
    assert not outcome.facts
    assert outcome.state is not None
    if expected is None:
        assert outcome.state == state, "a rejected input stores nothing"
        (reply,) = outcome.replies
        assert reply.text.startswith(INVALID_SCORE)
        assert "0 to 10" in reply.text
        assert values(reply)[:2] == SCORE_ROWS
    else:
        assert outcome.state.answers[step] == expected
        assert outcome.state.step == ("stress" if step == "pain" else "sleep")


@pytest.mark.parametrize("value", ["11", "-1", "6.5", "", "yday", "back", "good"])
def test_unknown_score_presses_are_rejected(value: str) -> None:
    state = FlowState(
        "checkin",
        "stress",
        {"today": "2026-11-25", "day": "2026-11-25", "when": "today", "can_switch": False},
    )
    outcome = FLOW.handle(state, Press(value), make_ctx())
    if value == "back":
        assert outcome.state is not None and outcome.state.step == "pain"
        return
    assert outcome.state == state
    assert outcome.replies[0].text.startswith(INVALID_SCORE)


@HYPO
@given(st.integers(0, 10), st.sampled_from(["{}", " {} ", "{}/10", "{} / 10", "0{}"]))
def test_parse_score_accepts_every_valid_spelling(score: int, template: str) -> None:
    text = template.format(score)
    if template == "0{}" and score == 10:
        return  # "010" is three digits: refused on purpose
    assert parse_score(text) == score


@HYPO
@given(st.text(max_size=60))
def test_parse_score_is_none_or_in_range(text: str) -> None:
    result = parse_score(text)
    assert result is None or 0 <= result <= 10


@HYPO
@given(st.integers().filter(lambda n: not 0 <= n <= 10))
def test_parse_score_rejects_out_of_range_integers(number: int) -> None:
    assert parse_score(str(number)) is None


# -- one check-in per local day ------------------------------------------------------

TODAY_DONE = {
    "pain": 4,
    "stress": 6,
    "sleep": "bad",
    "moved": "no",
    "note": None,
    "local_day": "2026-11-25",
}


def test_same_day_asks_before_updating() -> None:
    (reply,) = FLOW.start(make_ctx({"today_checkin": TODAY_DONE})).replies
    assert reply.text == "You already checked in today (pain 4, stress 6). Update it?"
    assert values(reply) == [["update", "keep"]]


def test_same_day_update_replaces_todays_checkin() -> None:
    ctx = make_ctx({"today_checkin": TODAY_DONE, "yesterday_checkin": None, "recent": []})
    outcomes = drive([Press("update"), *QUICK], ctx)
    assert outcomes[1].state is not None and outcomes[1].state.step == "pain"
    assert ["yday"] not in values(outcomes[1].replies[0]), "today is done: no yesterday"
    fact = fact_of(outcomes[-1])
    assert fact.local_day == "2026-11-25"
    assert fact.replaces_existing is True
    assert outcomes[-1].replies[0].text.startswith(T("checkin.done.updated"))


def test_keep_it_ends_without_a_fact() -> None:
    outcomes = drive([Press("keep")], make_ctx({"today_checkin": TODAY_DONE}))
    assert outcomes[-1].state is None
    assert outcomes[-1].facts == ()
    assert outcomes[-1].replies[0].text == T("checkin.kept")


def test_yesterday_checkin_changes_the_words_and_the_day() -> None:
    ctx = make_ctx({"today_checkin": None, "yesterday_checkin": None, "recent": []})
    outcomes = drive([Press("yday"), *QUICK], ctx)
    questions = [o.replies[0].text for o in outcomes[1:-1]]
    assert len(questions) == 5
    assert all("yesterday" in text for text in questions), questions
    assert values(outcomes[1].replies[0])[-1] == ["today"], "a way back to today"
    fact = fact_of(outcomes[-1])
    assert fact.local_day == "2026-11-24"
    assert fact.replaces_existing is False
    assert "Pain 4 yesterday" in outcomes[-1].replies[0].text


def test_switching_back_to_today() -> None:
    outcomes = drive([Press("yday"), Press("today"), *QUICK])
    assert fact_of(outcomes[-1]).local_day == "2026-11-25"
    assert "right now" in outcomes[2].replies[0].text


@pytest.mark.parametrize(
    ("history", "offered"),
    [
        ({}, True),
        ({"today_checkin": None, "yesterday_checkin": None}, True),
        ({"yesterday_checkin": {**TODAY_DONE, "local_day": "2026-11-24"}}, False),
    ],
)
def test_yesterday_is_offered_only_when_both_days_are_open(
    history: dict[str, Any], offered: bool
) -> None:
    outcome = FLOW.start(make_ctx(history))
    assert outcome.state is not None and outcome.state.step == "pain"
    assert (["yday"] in values(outcome.replies[0])) is offered
    after = FLOW.handle(outcome.state, Press("yday"), make_ctx(history))
    assert after.state is not None
    assert after.state.answers["day"] == ("2026-11-24" if offered else "2026-11-25")


def test_local_day_comes_from_the_users_zone() -> None:
    # 23:30 UTC on 24 Nov is already 25 Nov in Brussels but still 24 Nov in New York.
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    brussels = drive(QUICK, make_ctx(now=late))
    new_york = drive(QUICK, make_ctx(now=late, tz="America/New_York"))
    assert fact_of(brussels[-1]).local_day == "2026-11-25"
    assert fact_of(new_york[-1]).local_day == "2026-11-24"


# -- local days and streaks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Spring forward: 29 March 2026, 02:00 CET -> 03:00 CEST.
        (datetime(2026, 3, 28, 22, 59, tzinfo=UTC), date(2026, 3, 28)),  # 23:59 CET
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), date(2026, 3, 29)),  # 00:00 CET
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 29)),  # 23:59 CEST
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), date(2026, 3, 30)),  # 00:00 CEST
        (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), date(2026, 3, 30)),  # UTC says 29th
        # Fall back: 25 October 2026, 03:00 CEST -> 02:00 CET.
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), date(2026, 10, 24)),  # 23:59 CEST
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), date(2026, 10, 25)),  # 00:00 CEST
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 25)),  # 23:59 CET
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 26)),  # 00:00 CET
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), date(2026, 10, 25)),  # 02:30 CEST
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25)),  # 02:30 CET
    ],
)
def test_local_day_across_dst_in_brussels(instant: datetime, expected: date) -> None:
    assert local_day(instant, "Europe/Brussels") == expected


def test_local_day_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        local_day(datetime(2026, 3, 29, 22, 30), "Europe/Brussels")


@pytest.mark.parametrize(
    ("instants", "today", "expected"),
    [
        # Check-ins just before local midnight every evening across spring forward.
        (
            [
                datetime(2026, 3, d, h, 55, tzinfo=UTC)
                for d, h in [(27, 22), (28, 22), (29, 21), (30, 21)]
            ],
            date(2026, 3, 30),
            4,
        ),
        # Just after local midnight: the UTC date is the day before, the streak holds.
        (
            [
                datetime(2026, 3, 28, 23, 5, tzinfo=UTC),
                datetime(2026, 3, 29, 22, 5, tzinfo=UTC),
                datetime(2026, 3, 30, 22, 5, tzinfo=UTC),
            ],
            date(2026, 3, 31),
            3,
        ),
        # Across fall back, late evening and just after midnight mixed.
        # (UTC dates 24, 24, 25, 26; local days 24, 25, 26, 27.)
        (
            [
                datetime(2026, 10, 24, 21, 50, tzinfo=UTC),
                datetime(2026, 10, 24, 22, 10, tzinfo=UTC),
                datetime(2026, 10, 25, 23, 10, tzinfo=UTC),
                datetime(2026, 10, 26, 23, 10, tzinfo=UTC),
            ],
            date(2026, 10, 27),
            4,
        ),
        # Two check-ins on the 25 Oct (the 25-hour day) count once; the 26th is missed.
        (
            [
                datetime(2026, 10, 24, 22, 30, tzinfo=UTC),
                datetime(2026, 10, 25, 22, 30, tzinfo=UTC),
                datetime(2026, 10, 26, 23, 30, tzinfo=UTC),
            ],
            date(2026, 10, 27),
            1,
        ),
    ],
)
def test_streaks_across_dst(instants: list[datetime], today: date, expected: int) -> None:
    days = [local_day(instant, "Europe/Brussels") for instant in instants]
    assert current_streak(days, today) == expected


D = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([], 0),
        ([0], 1),
        ([-1], 1),  # today not done yet: yesterday's streak still stands
        ([-2], 0),
        ([0, -1, -2], 3),
        ([-1, -2, -3], 3),
        ([0, -1, -3, -4], 2),  # a gap ends the streak
        ([0, 0, -1, -1], 2),  # duplicates count once
        ([1, 2, 0], 1),  # future days are ignored
        (list(range(0, -40, -1)), 40),
        ([0, -2, -3], 1),
    ],
)
def test_current_streak(offsets: list[int], expected: int) -> None:
    assert current_streak((D + timedelta(days=o) for o in offsets), D) == expected


@HYPO
@given(st.sets(st.integers(-20, 0)))
def test_streak_matches_a_plain_count(offsets: set[int]) -> None:
    anchor = 0 if 0 in offsets else -1
    expected = 0
    while anchor - expected in offsets:
        expected += 1
    assert current_streak([D + timedelta(days=o) for o in offsets], D) == expected


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], None),
        (recent({-1: 5, -2: 5, -3: 5, -4: 5, -5: 6}), 5.2),
        (recent({-7: 2, -6: 2, -5: 2, -8: 10}), 2.0),  # day -7 is in, day -8 is out
        (recent({0: 10, -1: 4, -2: 4, -3: 4}), 4.0),  # today is not part of its own average
        (recent({-1: 4, -2: 6}), None),  # two days are too few to call an average
        (recent({-8: 9, -20: 1}), None),
        (
            [
                {"local_day": "bad", "pain": 3},
                {"local_day": day(-1), "pain": "7"},
                {"local_day": day(-1), "pain": True},
                {"pain": 1},
                {"local_day": day(-2), "pain": 3},
                {"local_day": day(-3), "pain": 3},
                {"local_day": day(-4), "pain": 3},
            ],
            3.0,
        ),  # malformed rows are skipped, never crash
        (
            [
                {"local_day": day(-1), "pain": 2},
                {"local_day": day(-1), "pain": 8},
                *recent({-2: 8, -3: 8}),
            ],
            8.0,
        ),  # for one day the last row wins
    ],
)
def test_seven_day_average(rows: list[dict[str, Any]], expected: float | None) -> None:
    result = seven_day_average(rows, D)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


# -- the feedback line -------------------------------------------------------------------


def finish_text(history: Mapping[str, Any], pain: int = 4, now: datetime = NOW) -> str:
    events = [Press(str(pain)), Press("6"), Press("good"), Press("yes"), Press("skip")]
    outcomes = drive(events, make_ctx(history, now=now))
    fact_of(outcomes[-1])
    (reply,) = outcomes[-1].replies
    assert (reply.choices == ()) == (pain < HIGH_PAIN)  # a gentle plan comes with a button
    return reply.text


@pytest.mark.parametrize(
    ("history", "pain", "expected"),
    [
        ({}, 4, "Pain 4 today: this is your first check-in, a good start. Day 1 of a new streak."),
        (
            {"recent": recent({-1: 5, -2: 5, -3: 5, -4: 5, -5: 6})},
            4,
            "Pain 4 today, a bit lower than your 7-day average of 5.2. 6 days in a row.",
        ),
        (
            {"recent": recent({-1: 5, -3: 5, -4: 5})},
            5,
            "Pain 5 today, about the same as your 7-day average of 5.0. 2 days in a row.",
        ),
        (
            {"recent": recent({-2: 3, -3: 4, -4: 3, -5: 4})},
            4,
            "Pain 4 today, a bit higher than your 7-day average of 3.5.",
        ),
        (
            {"recent": recent({-1: 3, -2: 2, -4: 3, -5: 2})},
            8,
            "Pain 8 today, higher than your 7-day average of 2.5.",
        ),
        (
            {"recent": recent({-1: 8, -2: 7, -4: 8, -5: 7})},
            2,
            "Pain 2 today, lower than your 7-day average of 7.5. Good to see. 3 days in a row.",
        ),
        (
            {"recent": recent({-1: 8, -2: 7})},
            2,
            "Pain 2 today. After a few more check-ins this week, I can compare it with your"
            " average. 3 days in a row.",
        ),
        (
            {"recent": recent({-12: 4, -20: 5})},
            3,
            "Pain 3 today. There are no check-ins from the week before to compare with",
        ),
        # Yesterday's check-in passed only under its own key still counts.
        (
            {
                "yesterday_checkin": {**TODAY_DONE, "local_day": day(-1), "pain": 6},
                "recent": recent({-3: 6, -4: 6}),
            },
            6,
            "Pain 6 today, about the same as your 7-day average of 6.0. 2 days in a row.",
        ),
    ],
)
def test_feedback_line(history: dict[str, Any], pain: int, expected: str) -> None:
    text = finish_text(history, pain)
    assert text.startswith(T("checkin.done.saved") + "\n")
    assert expected in text
    for word in ("diagnos", "disease", "injury", "worse"):
        assert word not in text.lower()


# -- answering what the numbers say (issue 14, item 13) ---------------------------------


def finish(pain: int, stress: int, sleep: str, moved: str, language: str = "en") -> Reply:
    t = default_catalogue().translator(language)
    ctx = Context(t, NOW, "Europe/Brussels", {})
    events = [Press(str(pain)), Press(str(stress)), Press(sleep), Press(moved), Press("skip")]
    (reply,) = drive(events, ctx)[-1].replies
    return reply


def commands(reply: Reply) -> list[str | None]:
    return [choice.command for choice in reply.buttons()]


def test_a_hard_first_day_is_not_called_a_good_start() -> None:
    reply = finish(7, 8, "bad", "no")
    assert "good start" not in reply.text
    assert T("checkin.feedback.first_hard", pain=7, day="today") in reply.text
    assert T("checkin.care.pain_high", pain=7) in reply.text
    assert T("checkin.care.stress_high", stress=8) in reply.text
    assert "see your GP" in reply.text  # always say when to see a doctor
    assert commands(reply) == ["move_gently", "breathe"]


@pytest.mark.parametrize(
    ("pain", "stress", "sleep", "moved", "said", "offered"),
    [
        (3, 8, "good", "yes", ["stress_high"], ["breathe"]),
        (8, 2, "good", "yes", ["pain_high"], ["move_gently"]),
        (6, 6, "good", "yes", [], []),
        (3, 3, "bad", "no", ["sleep_bad", "moved_no"], []),
        (3, 3, "soso", "no", ["moved_no"], []),
        (7, 3, "bad", "no", ["pain_high"], ["move_gently"]),  # a hard day: kept short
    ],
)
def test_the_reply_answers_what_the_numbers_say(
    pain: int, stress: int, sleep: str, moved: str, said: list[str], offered: list[str]
) -> None:
    reply = finish(pain, stress, sleep, moved)
    for code in ("pain_high", "stress_high", "sleep_bad", "moved_no"):
        text = T(f"checkin.care.{code}", pain=pain, stress=stress)
        assert (text in reply.text) == (code in said), code
    assert commands(reply) == offered


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_the_answers_are_in_the_users_language(language: str) -> None:
    t = default_catalogue().translator(language)
    reply = finish(8, 9, "bad", "no", language)
    assert t("checkin.care.pain_high", pain=8) in reply.text
    assert t("checkin.care.stress_high", stress=9) in reply.text
    assert [c.label for c in reply.buttons()] == [
        t("checkin.care.buttons.pain_high"),
        t("checkin.care.buttons.stress_high"),
    ]


def test_the_offered_exercises_exist() -> None:
    library = load_library(T)
    assert QUICK_STARTS[BREATHE_COMMAND] in library
    assert library[QUICK_STARTS[BREATHE_COMMAND]].category == "breathing"
    assert library[QUICK_STARTS[GENTLE_MOVE_COMMAND]].category == "movement"


def test_streak_counts_a_gap_and_the_new_day() -> None:
    text = finish_text({"recent": recent({-1: 4, -2: 4, -4: 4})})
    assert "3 days in a row." in text


def test_streak_filling_the_whole_history_window_may_be_longer() -> None:
    full = recent({-n: 3 for n in range(1, 31)})
    assert "31+ days in a row." in finish_text({"recent": full})
    assert "30 days in a row." in finish_text({"recent": full[1:]})


def test_feedback_for_the_dst_night() -> None:
    # 00:30 on 30 March in Brussels is still 29 March in UTC.
    now = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    history = {"recent": recent({-1: 4, -2: 4, -3: 4}, base=date(2026, 3, 30))}
    outcomes = drive(QUICK, make_ctx(history, now=now))
    assert fact_of(outcomes[-1]).local_day == "2026-03-30"
    assert "4 days in a row." in outcomes[-1].replies[0].text


# -- the note --------------------------------------------------------------------------


def note_outcome(text: str) -> Outcome:
    return drive([*QUICK[:4], Text(text)])[-1]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Long day at the desk", "Long day at the desk"),
        ("  walked\tthe dog\r\nafter work  ", "walked the dog after work"),
        ("bell\x07 and \x00null\x1b[31m", "bell and null[31m"),
        ("stiff\u2028morning", "stiff morning"),
        ("💪 gym 👍", "💪 gym 👍"),
        ("skip", None),
        ("Skip", None),
    ],
)
def test_typed_note(typed: str, stored: str | None) -> None:
    fact = fact_of(note_outcome(typed))
    assert fact.note == stored


def test_skip_button_stores_no_note() -> None:
    assert fact_of(drive(QUICK)[-1]).note is None


def test_long_note_is_shortened_and_said_so() -> None:
    outcome = note_outcome("a" * 600)
    assert fact_of(outcome).note == "a" * NOTE_LIMIT
    assert "first 500 characters" in outcome.replies[0].text
    assert "first 500" not in note_outcome("a" * NOTE_LIMIT).replies[0].text


@pytest.mark.parametrize("typed", ["", "   ", "\x00\x01\x02", "\n\n\t"])
def test_empty_note_reasks(typed: str) -> None:
    outcome = note_outcome(typed)
    assert outcome.state is not None and outcome.state.step == "note"
    assert not outcome.facts
    assert outcome.replies[0].text.startswith(T("checkin.note.empty"))


@HYPO
@given(st.text(max_size=1200))
def test_clean_note_never_keeps_control_characters(text: str) -> None:
    note, shortened = clean_note(text)
    if note is not None:
        assert len(note) <= NOTE_LIMIT
        assert note == note.strip()
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in note)
        note.encode("utf-8")
    if shortened:
        assert note is not None and len(note) in (NOTE_LIMIT - 1, NOTE_LIMIT)


# -- the fact ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"pain": 11},
        {"pain": -1},
        {"stress": 11},
        {"stress": -1},
        {"pain": True},
        {"pain": 5.0},
        {"stress": "5"},
        {"local_day": "yesterday"},
        {"sleep": "great"},
        {"moved": "maybe"},
        {"note": "x" * 501},
    ],
)
def test_fact_refuses_bad_values(changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "local_day": "2026-11-25",
        "pain": 4,
        "stress": 6,
        "sleep": "good",
        "moved": "yes",
        "note": None,
        "replaces_existing": False,
    }
    CheckinRecorded(**fields)
    with pytest.raises(ValueError):
        CheckinRecorded(**{**fields, **changes})


# -- robustness ----------------------------------------------------------------------------


def test_current_repeats_every_question_unchanged() -> None:
    outcomes = drive(QUICK[:4])
    for outcome in outcomes:
        assert outcome.state is not None
        assert FLOW.current(outcome.state, make_ctx()) == outcome.replies


@pytest.mark.parametrize(
    "state",
    [
        FlowState("checkin", "gone", {"day": "2026-11-25"}),
        FlowState("checkin", "note", {}),
        FlowState("checkin", "stress", {"day": "not a day"}),
    ],
)
def test_unreadable_state_starts_again(state: FlowState) -> None:
    outcome = FLOW.handle(state, Press("3"), make_ctx())
    assert outcome == FLOW.start(make_ctx())


def test_missing_answers_are_asked_not_guessed() -> None:
    state = FlowState(
        "checkin", "note", {"day": "2026-11-25", "pain": 3, "stress": 4, "sleep": "good"}
    )
    outcome = FLOW.handle(state, Press("skip"), make_ctx())
    assert not outcome.facts
    assert outcome.state is not None and outcome.state.step == "moved"


def test_transitions_use_known_steps_and_draw() -> None:
    edges = FLOW.transitions()
    assert {source for source, _, _ in edges} - {""} == set(STEPS)
    assert {target for _, _, target in edges} <= {*STEPS, ""}
    assert mermaid(FLOW).startswith("stateDiagram-v2")
    assert FLOW.name == "checkin" and FLOW.needs_consent is True


def test_option_constants_match_the_buttons() -> None:
    outcomes = drive(QUICK[:3])
    assert tuple(values(outcomes[2].replies[0])[0]) == SLEEP_VALUES
    assert tuple(values(outcomes[3].replies[0])[0]) == MOVED_VALUES


BUTTON_VALUES = [str(n) for n in range(11)] + [
    "good",
    "soso",
    "bad",
    "yes",
    "little",
    "no",
    "skip",
    "back",
    "update",
    "keep",
    "yday",
    "today",
    "11",
    "-1",
    "",
]
EVENTS = st.one_of(
    st.builds(Press, st.sampled_from(BUTTON_VALUES)),
    st.builds(Press, st.text(max_size=25)),
    st.builds(Text, st.sampled_from(["6", "６/10", "11", "6.5", "skip", "so so", "", "x" * 4096])),
    st.builds(Text, st.text(max_size=80)),
)
HISTORIES = st.sampled_from(
    [
        {},
        {"today_checkin": TODAY_DONE},
        {"yesterday_checkin": {**TODAY_DONE, "local_day": "2026-11-24"}},
        {"recent": recent({-1: 5, -2: 0, -3: 10})},
        {"recent": [{"local_day": "junk", "pain": 99}, "not a row"], "today_checkin": {}},
    ]
)


@HYPO
@given(HISTORIES, st.lists(EVENTS, max_size=25))
def test_random_input_never_raises_or_records_bad_scores(
    history: dict[str, Any], events: list[Event]
) -> None:
    ctx = make_ctx(history)
    outcome = FLOW.start(ctx)
    check_outcome(outcome)
    for event in events:
        if outcome.state is None:
            break
        before = outcome.state
        outcome = FLOW.handle(before, event, ctx)
        check_outcome(outcome)
        for fact in outcome.facts:
            assert isinstance(fact, CheckinRecorded)
            assert fact.local_day in ("2026-11-25", "2026-11-24")
            assert fact.sleep in SLEEP_VALUES and fact.moved in MOVED_VALUES
            assert fact.note is None or len(fact.note) <= NOTE_LIMIT


def test_every_answer_takes_the_place_of_the_question_and_nothing_else_does() -> None:
    """One paced call per step (issue 15): each reply to an answer is marked to take the
    place of the question pressed; the first question and a question asked again are
    new messages."""
    c = make_ctx()
    out = FLOW.start(c)
    assert [r.in_place for r in out.replies] == [False]
    assert out.state is not None
    assert [r.in_place for r in FLOW.current(out.state, c)] == [False]
    for value in ("4", "back", "4", "3", "soso", "little", "skip"):
        assert out.state is not None
        out = FLOW.handle(out.state, Press(value), c)
        assert [r.in_place for r in out.replies] == [True], value
    assert out.state is None and "Saved" in out.replies[0].text
