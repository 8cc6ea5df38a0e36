"""Learn cards: menu, cards, navigation, recommendations and the lesson facts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import helplines
from flows.i18n import default_catalogue
from flows.learn import CARD_IDS, CardRead, LearnFlow, recommended_cards
from flows.runtime import Context, Event, FlowState, Outcome, Press, Reply, Text, mermaid

T = default_catalogue().translator("en")


def card_text(card: str) -> str:
    """A lesson as a Belgian user (the tests' time zone) reads it, help lines filled in."""
    return T(f"learn.cards.{card}.text", **helplines.fills(T, "Europe/Brussels"))


FLOW = LearnFlow()
EXPECTED_IDS = (
    "what_is_back_pain",
    "no_single_cause",
    "moving_helps",
    "posture",
    "stress_and_pain",
    "acute_vs_chronic",
    "when_to_see_doctor",
)


def make_ctx(history: Mapping[str, Any] | None = None) -> Context:
    return Context(
        T, datetime(2026, 11, 25, 19, tzinfo=UTC), "Europe/Brussels", dict(history or {})
    )


def values(reply: Reply) -> list[str]:
    return [choice.value for choice in reply.buttons()]


def check_outcome(outcome: Outcome) -> None:
    if outcome.state is not None:
        json.dumps(dict(outcome.state.answers))
        assert outcome.state.step in ("menu", *CARD_IDS)
    assert outcome.replies
    for reply in outcome.replies:
        assert reply.text.strip()
        for choice in reply.buttons():
            assert choice.label.strip()
            assert choice.value and choice.value.isascii() and len(choice.value) <= 20
            assert "|" not in choice.value
    for fact in outcome.facts:
        assert isinstance(fact, CardRead) and fact.card_id in CARD_IDS


def drive(events: Sequence[Event], ctx: Context | None = None) -> list[Outcome]:
    ctx = ctx or make_ctx()
    outcomes = [FLOW.start(ctx)]
    check_outcome(outcomes[0])
    for event in events:
        state = outcomes[-1].state
        assert state is not None
        outcomes.append(FLOW.handle(state, event, ctx))
        check_outcome(outcomes[-1])
    return outcomes


def test_card_ids_are_exactly_these_in_order() -> None:
    assert CARD_IDS == EXPECTED_IDS
    assert FLOW.name == "learn" and FLOW.needs_consent is False


def test_menu_has_one_button_per_card_and_done() -> None:
    outcome = FLOW.start(make_ctx())
    assert outcome.facts == ()
    (reply,) = outcome.replies
    assert "Picked for you" not in reply.text
    assert values(reply) == [*EXPECTED_IDS, "done"]
    assert all(len(row) == 1 for row in reply.choices)


@pytest.mark.parametrize(
    ("recommended", "first"),
    [
        (["stress_and_pain", "moving_helps"], ["stress_and_pain", "moving_helps"]),
        (["posture", "posture", "unknown_card", 7], ["posture"]),
        (["when_to_see_doctor"], ["when_to_see_doctor"]),
    ],
)
def test_recommended_cards_come_first(recommended: list[Any], first: list[str]) -> None:
    (reply,) = FLOW.start(make_ctx({"recommended_cards": recommended})).replies
    titles = "\n".join(f"• {T(f'learn.cards.{card}.title')}" for card in first)
    assert f"Picked for you:\n{titles}" in reply.text
    shown = values(reply)
    assert shown[: len(first)] == first
    assert sorted(shown[:-1]) == sorted(EXPECTED_IDS), "every card exactly once"
    assert shown[-1] == "done"
    marker = T("learn.picked_marker")
    assert [c.label.startswith(marker) for c in reply.buttons()] == [
        i < len(first) for i in range(len(shown))
    ]


@pytest.mark.parametrize("recommended", [None, [], "posture", 42, {"posture": 1}, ["nope"]])
def test_no_or_unusable_recommendations_show_the_plain_menu(recommended: Any) -> None:
    (reply,) = FLOW.start(make_ctx({"recommended_cards": recommended})).replies
    assert "Picked for you" not in reply.text
    assert values(reply) == [*EXPECTED_IDS, "done"]
    assert recommended_cards(recommended) == []


@pytest.mark.parametrize("card", EXPECTED_IDS)
def test_each_card_shows_text_buttons_and_a_fact(card: str) -> None:
    outcomes = drive([Press(card)])
    shown = outcomes[-1]
    assert shown.facts == (CardRead(card),)
    assert shown.state is not None and shown.state.step == card
    (reply,) = shown.replies
    assert reply.text.startswith(T(f"learn.cards.{card}.title"))
    assert card_text(card) in reply.text
    number = EXPECTED_IDS.index(card) + 1
    assert f"Lesson {number} of 7" in reply.text
    expected = ["menu", "done"] if card == EXPECTED_IDS[-1] else ["next", "menu", "done"]
    assert values(reply) == expected
    assert FLOW.current(shown.state, make_ctx()) == shown.replies


def test_next_walks_through_every_card_in_order() -> None:
    outcomes = drive([Press(EXPECTED_IDS[0])] + [Press("next")] * 6)
    read = [fact.card_id for o in outcomes for fact in o.facts if isinstance(fact, CardRead)]
    assert read == list(EXPECTED_IDS)


PICKED = ["stress_and_pain", "acute_vs_chronic", "moving_helps"]


def read_order(outcomes: list[Outcome]) -> list[str]:
    return [fact.card_id for o in outcomes for fact in o.facts if isinstance(fact, CardRead)]


def test_next_follows_the_picked_lessons_first_then_the_rest() -> None:
    ctx = make_ctx({"recommended_cards": PICKED})
    outcomes = drive([Press(PICKED[0])] + [Press("next")] * 6, ctx)
    rest = [card for card in EXPECTED_IDS if card not in PICKED]
    assert read_order(outcomes) == [*PICKED, *rest]
    assert "next" not in values(outcomes[-1].replies[0])  # the last one in this order


def test_progress_counts_the_picked_lessons_then_all_of_them() -> None:
    ctx = make_ctx({"recommended_cards": PICKED})
    outcomes = drive([Press(PICKED[0])] + [Press("next")] * 3, ctx)
    texts = [o.replies[0].text for o in outcomes[1:]]
    assert "Picked for you: lesson 1 of 3" in texts[0]
    assert "Lesson 5 of 7" not in texts[0]  # stress_and_pain is fifth in the fixed order
    assert "Picked for you: lesson 3 of 3" in texts[2]
    assert "Lesson 4 of 7" in texts[3] and "Picked for you" not in texts[3]


def test_a_lesson_opened_by_the_coach_still_opens_and_next_follows_the_picks() -> None:
    ctx = make_ctx({"recommended_cards": PICKED, "open_card": "acute_vs_chronic"})
    outcomes = drive([Press("next")], ctx)
    assert read_order(outcomes) == ["acute_vs_chronic", "moving_helps"]
    assert "Picked for you: lesson 2 of 3" in outcomes[0].replies[0].text


def labels(reply: Reply) -> dict[str, str]:
    return {choice.value: choice.label for choice in reply.buttons() if choice.value}


def test_read_lessons_are_marked_in_the_menu() -> None:
    mark = T("learn.read_marker")
    ctx = make_ctx({"recommended_cards": ["posture"], "read_cards": ["moving_helps", "posture"]})
    (menu,) = FLOW.start(ctx).replies
    marked = {card for card, label in labels(menu).items() if mark in label}
    assert marked == {"moving_helps", "posture"}
    assert T("learn.read_hint") in menu.text
    # A lesson read now is marked when the menu comes back, without waiting for the store.
    back = drive([Press("stress_and_pain"), Press("menu")], ctx)[-1]
    marked = {card for card, label in labels(back.replies[0]).items() if mark in label}
    assert marked == {"moving_helps", "posture", "stress_and_pain"}


@pytest.mark.parametrize("read", [None, "posture", 42, {"posture": 1}])
def test_without_remembered_reads_nothing_is_marked_or_kept(read: Any) -> None:
    """No consent: the bot passes no ``read_cards``, and the flow keeps no list of reads."""
    history = {} if read is None else {"read_cards": read}
    outcomes = drive([Press("posture"), Press("menu")], make_ctx(history))
    (menu,) = outcomes[-1].replies
    assert not any(T("learn.read_marker") in label for label in labels(menu).values())
    assert T("learn.read_hint") not in menu.text
    if read is None:
        assert all("read" not in o.state.answers for o in outcomes if o.state is not None)


def test_menu_returns_with_recommendations_kept() -> None:
    ctx = make_ctx({"recommended_cards": ["posture"]})
    outcomes = drive([Press("posture"), Press("menu")], ctx)
    back = outcomes[-1]
    assert back.state is not None and back.state.step == "menu"
    assert back.facts == ()
    assert back.replies == FLOW.start(ctx).replies


@pytest.mark.parametrize("events", [[Press("done")], [Press("posture"), Press("done")]])
def test_done_ends_the_flow(events: list[Event]) -> None:
    outcome = drive(events)[-1]
    assert outcome.state is None
    assert outcome.facts == ()
    assert outcome.replies == (Reply(T("learn.bye")),)


@pytest.mark.parametrize(
    ("step", "event"),
    [
        ("menu", Text("posture")),
        ("menu", Text("")),
        ("menu", Press("next")),
        ("menu", Press("menu")),
        ("menu", Press("nonsense")),
        ("posture", Text("x" * 4096)),
        ("posture", Press("")),
        ("when_to_see_doctor", Press("next")),  # there is no card after the last
    ],
)
def test_invalid_input_reasks_kindly(step: str, event: Event) -> None:
    state = FlowState("learn", step, {"recommended": []})
    outcome = FLOW.handle(state, event, make_ctx())
    check_outcome(outcome)
    assert outcome.state == state
    assert outcome.facts == ()
    (reply,) = outcome.replies
    assert reply.text.startswith(T("learn.please_pick"))
    assert reply.choices == FLOW.current(state, make_ctx())[0].choices


def test_unknown_step_starts_again() -> None:
    outcome = FLOW.handle(FlowState("learn", "gone", {}), Press("posture"), make_ctx())
    assert outcome == FLOW.start(make_ctx())


def test_transitions_are_real_edges() -> None:
    edges = FLOW.transitions()
    steps = {"menu", *EXPECTED_IDS}
    assert ("", "/learn", "menu") in edges
    assert ("menu", "done", "") in edges
    for card in EXPECTED_IDS:
        assert ("menu", "pick", card) in edges
        assert (card, "menu", "menu") in edges
        assert (card, "done", "") in edges
    nexts = [(a, b) for a, label, b in edges if label == "next"]
    assert nexts == [(EXPECTED_IDS[i], EXPECTED_IDS[i + 1]) for i in range(6)]
    assert {a for a, _, _ in edges} - {""} == steps
    assert {b for _, _, b in edges} - {""} == steps
    diagram = mermaid(FLOW)
    assert "posture --> stress_and_pain: next" in diagram


def test_every_state_the_edges_name_can_be_shown() -> None:
    for source, _, _ in FLOW.transitions():
        if source:
            (reply,) = FLOW.current(FlowState("learn", source, {}), make_ctx())
            assert reply.choices


# -- the lessons say the right things ------------------------------------------------------

FACTS = {
    "what_is_back_pain": ["8 in 10", "1 in 3", "come back", "weeks"],
    "no_single_cause": ["9 in 10", "non-specific", "stress"],
    "moving_helps": ["Bed rest is not advised", "Walking", "normal activities"],
    "posture": ['no single "correct" posture', "changing position", "30 to 60 minutes"],
    "stress_and_pain": ["stress, worry and low mood", "volume"],
    "acute_vs_chronic": ["less than 6 weeks", "6 to 12 weeks", "more than 12 weeks"],
    "when_to_see_doctor": [
        "112",
        "1733",
        "genitals",
        "bladder",
        "both legs",
        "fever",
        "cancer",
        "50",
        "1813",
        "0800 32 123",
    ],
}


@pytest.mark.parametrize(("card", "phrases"), FACTS.items())
def test_lessons_carry_the_content_facts(card: str, phrases: list[str]) -> None:
    text = card_text(card)
    for phrase in phrases:
        assert phrase in text, (card, phrase)


@pytest.mark.parametrize("card", EXPECTED_IDS)
def test_lessons_are_short_and_never_diagnose(card: str) -> None:
    text = card_text(card)
    sentences = [s for s in re.split(r"[.!?:]\s", text) if s.strip()]
    assert len(text) < 1600 and len(sentences) <= 20
    assert len(T(f"learn.cards.{card}.title")) <= 40
    for word in ("you have a", "diagnos", "half of"):
        assert word not in text.lower()


def test_card_read_refuses_unknown_ids() -> None:
    with pytest.raises(ValueError):
        CardRead("not_a_card")


EVENTS = st.one_of(
    st.builds(Press, st.sampled_from([*EXPECTED_IDS, "next", "menu", "done", "", "x"])),
    st.builds(Press, st.text(max_size=25)),
    st.builds(Text, st.text(max_size=60)),
)


@settings(database=None, deadline=None)
@given(st.lists(st.sampled_from(EXPECTED_IDS), max_size=4), st.lists(EVENTS, max_size=20))
def test_random_input_never_raises(recommended: list[str], events: list[Event]) -> None:
    ctx = make_ctx({"recommended_cards": recommended})
    outcome = FLOW.start(ctx)
    check_outcome(outcome)
    for event in events:
        if outcome.state is None:
            break
        outcome = FLOW.handle(outcome.state, event, ctx)
        check_outcome(outcome)
        if outcome.state is not None and outcome.state.step in EXPECTED_IDS and outcome.facts:
            assert outcome.facts == (CardRead(outcome.state.step),)
