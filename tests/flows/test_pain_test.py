"""The pain self-check flow: every path, every kind of input, and its safety exits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import instruments as ins
from flows import score_changes as changes
from flows import scoring as sc
from flows.i18n import default_catalogue
from flows.learn import CARD_IDS
from flows.pain_test import CrisisShown, DoctorAdvised, PainTestCompleted, PainTestFlow
from flows.pain_test_questions import CRISIS, INDEX, RESERVED, SEE_DOCTOR, STEPS
from flows.runtime import Context, FlowState, Outcome, Press, Reply, Text, mermaid
from flows.score_changes import compare
from tests.flows.test_scoring import STORED_SCORE_KEYS
from tests.support.self_check import CALM, presses_for
from tests.support.typed import as_the_engine_reads

T = default_catalogue().translator("en")
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
FLOW = PainTestFlow()
TOTAL = len(STEPS)


def ctx(history: Mapping[str, Any] | None = None, timezone: str = "Europe/Brussels") -> Context:
    return Context(T, NOW, timezone, dict(history or {}))


def check_outcome(outcome: Outcome) -> None:
    """What must hold after every turn: JSON answers, short safe button values."""
    if outcome.state is not None:
        json.dumps(outcome.state.answers)
    for reply in outcome.replies:
        assert reply.text.strip()
        assert len(reply.text) <= 4096
        for choice in reply.buttons():
            if choice.command is None:
                assert choice.value and choice.value.isascii()
                assert len(choice.value) <= 20 and "|" not in choice.value
            else:
                assert choice.command in ("programme_start", "plan", "learn")


def drive(
    answers: Mapping[str, Any],
    history: Mapping[str, Any] | None = None,
    interlude: str = "cont",
    timezone: str = "Europe/Brussels",
) -> tuple[list[Outcome], list[str]]:
    """Answer every question with ``answers``; press ``interlude`` on safety screens."""
    c = ctx(history, timezone)
    out = FLOW.start(c)
    outcomes, asked = [out], []
    while out.state is not None:
        assert len(outcomes) < 200
        state = out.state
        if state.step in (SEE_DOCTOR, CRISIS):
            out = FLOW.handle(state, Press(interlude), c)
        else:
            step = STEPS[INDEX[state.step]]
            asked.append(step.id)
            for value in presses_for(step, answers[step.id]):
                assert out.state is not None
                out = FLOW.handle(out.state, Press(value), c)
                check_outcome(out)
                outcomes.append(out)
            continue
        check_outcome(out)
        outcomes.append(out)
    return outcomes, asked


def advised(outcomes: list[Outcome]) -> list[DoctorAdvised]:
    return [f for o in outcomes for f in o.facts if isinstance(f, DoctorAdvised)]


def completed(outcomes: list[Outcome]) -> PainTestCompleted:
    facts = [f for o in outcomes for f in o.facts if isinstance(f, PainTestCompleted)]
    assert len(facts) == 1
    return facts[0]


def crisis_count(outcomes: list[Outcome]) -> int:
    return sum(isinstance(f, CrisisShown) for o in outcomes for f in o.facts)


def at(step_id: str, **extra: Any) -> FlowState:
    """A state on ``step_id`` with calm answers for every earlier question."""
    earlier = {s.id: CALM[s.id] for s in STEPS[: INDEX[step_id]]} if step_id in INDEX else CALM
    return FlowState("pain_test", step_id, {**earlier, **extra})


def typed(state: FlowState, text: str, c: Context | None = None) -> Outcome:
    """Typed text as the engine passes it on: a press when it answers a button."""
    c = c or ctx()
    return FLOW.handle(state, as_the_engine_reads(FLOW, state, Text(text), c), c)


def all_text(outcome: Outcome) -> str:
    return "\n".join(r.text for r in outcome.replies)


# -- the complete path ---------------------------------------------------------------


def test_complete_path() -> None:
    outcomes, asked = drive(CALM)
    assert asked == [s.id for s in STEPS] and TOTAL == 24
    final = outcomes[-1]
    assert final.state is None
    fact = completed(outcomes)
    assert fact.outcome == "complete" and fact.answers == CALM
    assert crisis_count(outcomes) == 0
    json.dumps(fact.answers)
    json.dumps(fact.scores)
    for key in STORED_SCORE_KEYS:
        assert fact.scores[key] is not None, key
    assert fact.scores["pain_now"] == 5 and fact.scores["duration"] == "acute"
    assert fact.scores["risk"] == "low" and not fact.scores["talk_to_doctor"]
    assert 2 <= len(fact.recommended_cards) <= 3
    assert set(fact.recommended_cards) <= set(CARD_IDS)
    text = all_text(final)
    assert "5/10" in text and "4/10" in text and "not a diagnosis" in text
    assert "Risk of slow recovery: low" in text
    commands = [c.command for r in final.replies for c in r.buttons()]
    assert commands == ["programme_start", "plan", "learn"]
    steps_reply = final.replies[-1].text
    assert 3 <= steps_reply.count("• ") <= 5 and "112" in steps_reply


def test_every_question_shows_progress_and_back() -> None:
    outcomes, _ = drive(CALM)
    seen = set()
    for outcome in outcomes:
        if outcome.state is None or outcome.state.step not in INDEX:
            continue
        n = INDEX[outcome.state.step] + 1
        question = outcome.replies[-1]
        assert f"{n}/{TOTAL}" in question.text
        values = [c.value for c in question.buttons()]
        assert ("back" in values) == (n > 1)
        seen.add(n)
    assert seen == set(range(1, TOTAL + 1))


def test_start_shows_intro_and_first_question() -> None:
    out = FLOW.start(ctx())
    assert out.state == FlowState("pain_test", "red_emergency", {})
    assert "self-check" in out.replies[0].text and "diagnosis" in out.replies[0].text
    assert f"1/{TOTAL}" in out.replies[-1].text


def test_high_mood_scores_add_talk_to_doctor() -> None:
    answers = {**CALM, "phq_nervous": 2, "phq_worry": 1}
    outcomes, _ = drive(answers)
    fact = completed(outcomes)
    assert fact.scores["phq4_anxiety"] == 3 and fact.scores["talk_to_doctor"]
    assert "talk to your GP" in all_text(outcomes[-1])


def test_high_risk_profile_text() -> None:
    answers = {
        **CALM,
        "where": ["lower_back", "legs"],
        "unsafe": "agree",
        "terrible": "agree",
        "bother": 4,
        "phq_worry": 2,
        "phq_interest": 2,
        "worse": ["stress"],
        "since": "gt12w",
        "life_events": ["divorce", "work"],
    }
    outcomes, _ = drive(answers)
    fact = completed(outcomes)
    assert fact.scores["risk"] == "high" and fact.scores["duration"] == "chronic"
    text = all_text(outcomes[-1])
    assert "Risk of slow recovery: high" in text and "not a diagnosis" in text
    assert "a separation or divorce" in text and "stress makes your pain worse" in text
    assert "stress_and_pain" in fact.recommended_cards


CHOICE_STEPS = ("where", "worse", "physical", "life_events")


@pytest.mark.parametrize("lang", ["en", "nl", "fr", "de"])
def test_result_names_choices_in_sentence_wording_not_button_labels(lang: str) -> None:
    """A result sentence that lists choices reads them lower case and in the second
    person ("a low fitness"), never as pasted buttons ("My fitness is not great")."""
    t = default_catalogue().translator(lang)
    chosen = {s: list(STEPS[INDEX[s]].options) for s in CHOICE_STEPS}
    state = at("pseq_life", **chosen)
    text = all_text(FLOW.handle(state, Press("5"), Context(t, NOW, "Europe/Brussels", {})))
    for step, values in chosen.items():
        joined = ", ".join(t(f"pain_test.steps.{step}.summary.{v}") for v in values)
        assert joined in text, (step, joined)
    assert "Mijn conditie is niet zo goed" not in text


# -- red flags -----------------------------------------------------------------------


@pytest.mark.parametrize("flag", sc.EMERGENCY_FLAGS)
def test_emergency_sign_ends_at_once(flag: str) -> None:
    c = ctx()
    state = FLOW.start(c).state
    assert state is not None
    toggled = FLOW.handle(state, Press(flag), c)
    assert toggled.state is not None and toggled.state.step == "red_emergency"
    assert toggled.facts == ()
    out = FLOW.handle(toggled.state, Press("done"), c)
    check_outcome(out)
    assert out.state is None
    assert "112" in all_text(out) and "emergency department" in all_text(out)
    fact, advised = out.facts
    assert advised == DoctorAdvised("emergency")  # remembered: the caution and follow-up
    assert isinstance(fact, PainTestCompleted)
    assert fact.outcome == "emergency" and fact.scores["red_flags"] == [flag]
    assert fact.recommended_cards == ("when_to_see_doctor",)
    json.dumps(fact.scores)


def test_emergency_mis_tap_can_be_undone() -> None:
    c = ctx()
    state = at("red_emergency")
    on = FLOW.handle(state, Press("saddle"), c)
    assert on.state is not None
    off = FLOW.handle(on.state, Press("saddle"), c)
    assert off.state is not None and off.state.answers["red_emergency"] == []
    empty_done = FLOW.handle(off.state, Press("done"), c)
    assert empty_done.state == off.state and "None of these" in empty_done.replies[0].text
    nxt = FLOW.handle(off.state, Press("none"), c)
    assert nxt.state is not None and nxt.state.step == "red_sameday"


@pytest.mark.parametrize("flag", sc.SAMEDAY_FLAGS)
def test_same_day_sign_then_continue(flag: str) -> None:
    outcomes, asked = drive({**CALM, "red_sameday": [flag]}, interlude="cont")
    screens = [o for o in outcomes if o.state is not None and o.state.step == SEE_DOCTOR]
    assert len(screens) == 1
    assert advised(outcomes) == [DoctorAdvised("see_doctor")]  # even though they carry on
    text = all_text(screens[0])
    assert "1733" in text and "GP" in text and "112" in text
    assert asked == [s.id for s in STEPS]
    fact = completed(outcomes)
    assert fact.outcome == "complete" and fact.scores["red_flags"] == [flag]
    assert fact.scores["see_doctor"] is True
    assert fact.recommended_cards[0] == "when_to_see_doctor"
    assert "1733" in outcomes[-1].replies[-1].text  # the GP check is the first next step


def test_same_day_sign_then_stop() -> None:
    outcomes, asked = drive({**CALM, "red_sameday": ["cancer", "fracture"]}, interlude="stop")
    assert asked == ["red_emergency", "red_sameday"]
    final = outcomes[-1]
    assert final.state is None and "1733" in all_text(final)
    assert advised(outcomes) == [DoctorAdvised("see_doctor")]
    fact = completed(outcomes)
    assert fact.outcome == "see_doctor"
    assert fact.scores["red_flags"] == ["fracture", "cancer"]
    assert fact.scores["pain_now"] is None


def test_see_doctor_screen_reasks_on_nonsense() -> None:
    state = at(SEE_DOCTOR, red_sameday=["infection"])
    out = typed(state, "hmm")
    assert out.state == state and out.facts == ()
    assert [c.value for c in out.replies[-1].buttons()] == ["cont", "stop"]
    typed_ = typed(state, "carry on")
    assert typed_.state is not None and typed_.state.step == "where"


# -- crisis --------------------------------------------------------------------------

CRISIS_NUMBERS = ("1813", "0800 32 123", "106", "107", "108", "112")


def _assert_crisis_screen(outcome: Outcome) -> None:
    text = all_text(outcome)
    for number in CRISIS_NUMBERS:
        assert number in text
    assert outcome.state is not None and outcome.state.step == CRISIS
    assert [c.value for c in outcome.replies[-1].buttons()] == ["cont", "stop"]
    assert any(isinstance(f, CrisisShown) for f in outcome.facts)


def test_crisis_from_safety_question_then_continue() -> None:
    c = ctx()
    out = FLOW.handle(at("safety"), Press("yes"), c)
    _assert_crisis_screen(out)
    assert out.state is not None and out.state.answers["safety"] == "yes"
    nxt = FLOW.handle(out.state, Press("cont"), c)
    assert nxt.state is not None and nxt.state.step == "pseq_work"
    outcomes, _ = drive({**CALM, "safety": "yes"})
    assert crisis_count(outcomes) == 1
    fact = completed(outcomes)
    assert fact.outcome == "complete" and fact.scores["crisis"] and fact.scores["talk_to_doctor"]
    assert "1813" in outcomes[-1].replies[-1].text  # the lines come back in the next steps


def test_crisis_from_hopeless_item_comes_before_the_next_question() -> None:
    c = ctx()
    out = FLOW.handle(at("phq_down"), Press("3"), c)
    _assert_crisis_screen(out)
    assert "hopeless" in all_text(out)
    assert out.state is not None
    nxt = FLOW.handle(out.state, Press("cont"), c)
    assert nxt.state is not None and nxt.state.step == "safety"


def test_not_hopeless_every_day_goes_on_quietly() -> None:
    out = FLOW.handle(at("phq_down"), Press("2"), ctx())
    assert out.state is not None and out.state.step == "safety" and out.facts == ()


def test_crisis_then_stop() -> None:
    outcomes, asked = drive({**CALM, "safety": "yes"}, interlude="stop")
    assert asked[-1] == "safety"
    final = outcomes[-1]
    assert final.state is None and "1813" in all_text(final)
    fact = completed(outcomes)
    assert fact.outcome == "see_doctor" and fact.scores["crisis"] is True
    assert crisis_count(outcomes) == 1


@pytest.mark.parametrize("words", ["I want to die", "honestly I feel HOPELESS.", "end it all"])
def test_typed_despair_shows_lines_and_returns_to_the_question(words: str) -> None:
    c = ctx()
    state = at("pain_now")
    out = FLOW.handle(state, Text(words), c)
    _assert_crisis_screen(out)
    assert out.state is not None
    back = FLOW.handle(out.state, Press("cont"), c)
    assert back.state is not None and back.state.step == "pain_now"


def test_typing_on_the_crisis_screen_shows_the_lines_again() -> None:
    state = at(CRISIS, crisis_reason="safety", crisis_resume="pseq_work", crisis_shown=True)
    out = FLOW.handle(state, Text("I don't know"), ctx())
    assert out.state == state
    for number in CRISIS_NUMBERS:
        assert number in all_text(out)


@pytest.mark.parametrize("words", ["skills", "killer app", "hopeful"])
def test_ordinary_words_are_not_a_crisis(words: str) -> None:
    out = FLOW.handle(at("pain_now"), Text(words), ctx())
    assert out.facts == () and out.state == at("pain_now")


# -- back, toggles, typed answers ----------------------------------------------------


def test_back_keeps_answers_and_marks_the_old_choice() -> None:
    c = ctx()
    state = at("pain_avg", pain_now=6)
    out = FLOW.handle(state, Press("back"), c)
    assert out.state is not None and out.state.step == "pain_now"
    assert out.state.answers == state.answers
    labels = [ch.label for ch in out.replies[-1].buttons()]
    assert "✓ 6" in labels and "✓ 5" not in labels


def test_back_on_a_multi_step_keeps_its_ticks() -> None:
    c = ctx()
    state = at("pain_now", where=["neck", "ribs"])
    out = typed(state, "back", c)
    assert out.state is not None and out.state.step == "where"
    labels = [ch.label for ch in out.replies[-1].buttons()]
    assert "✓ Neck and shoulders" in labels and "✓ Around the ribs" in labels
    assert "Lower back" in labels


def test_back_from_the_step_after_a_safety_screen() -> None:
    out = FLOW.handle(at("where", red_sameday=["infection"]), Press("back"), ctx())
    assert out.state is not None and out.state.step == "red_sameday"


def test_no_back_on_the_first_question() -> None:
    state = at("red_emergency")
    out = FLOW.handle(state, Press("back"), ctx())
    assert out.state == state


def test_multi_select_toggle_and_done() -> None:
    c = ctx()
    state = at("worse")
    a = FLOW.handle(state, Press("sitting"), c)
    assert a.state is not None and a.state.answers["worse"] == ["sitting"]
    assert "✓ Sitting for a long time" in [ch.label for ch in a.replies[-1].buttons()]
    b = FLOW.handle(a.state, Press("stress"), c)
    assert b.state is not None and b.state.answers["worse"] == ["sitting", "stress"]
    c2 = FLOW.handle(b.state, Press("sitting"), c)
    assert c2.state is not None and c2.state.answers["worse"] == ["stress"]
    assert "✓ Sitting for a long time" not in [ch.label for ch in c2.replies[-1].buttons()]
    done = FLOW.handle(c2.state, Press("done"), c)
    assert done.state is not None and done.state.step == "physical"
    assert done.state.answers["worse"] == ["stress"]


def test_multi_without_none_needs_a_pick() -> None:
    state = at("where")
    out = FLOW.handle(state, Press("done"), ctx())
    assert out.state == state and "at least one" in out.replies[0].text
    assert "none" not in [ch.value for ch in out.replies[-1].buttons()]
    assert FLOW.handle(state, Press("none"), ctx()).state == state


@pytest.mark.parametrize("step", [sc.RED_EMERGENCY, sc.RED_SAMEDAY, "worse"])
def test_none_of_these_never_drops_a_tick_silently(step: str) -> None:
    """A red flag ticked, then "None of these": the tick stays and the bot asks which
    is right, instead of carrying on as if nothing had been ticked."""
    ticked = FLOW.handle(at(step), Press(STEPS[INDEX[step]].options[0]), ctx())
    assert ticked.state is not None
    out = FLOW.handle(ticked.state, Press("none"), ctx())
    assert out.state == ticked.state
    assert "doesn't fit" in out.replies[0].text
    done = FLOW.handle(ticked.state, Press("done"), ctx())
    assert done.state is None or done.state.step != step


def test_typed_option_label_toggles() -> None:
    out = typed(at("where"), "  lower BACK ")
    assert out.state is not None and out.state.answers["where"] == ["lower_back"]


@pytest.mark.parametrize(
    ("step", "text", "stored"),
    [
        ("pain_now", "6", 6),
        ("pain_now", " 6 ", 6),
        ("pain_now", "6/10", 6),
        ("pain_now", "6 / 10", 6),
        ("pain_now", "0", 0),
        ("pain_now", "10", 10),
        ("pain_avg", "10/10", 10),
        ("phq_nervous", "3", 3),
        ("pss_cope", "4", 4),
        ("pseq_work", "6/6", 6),
        ("bother", "0", 0),
        ("unsafe", "yes", "agree"),
        ("terrible", "No", "disagree"),
        ("since", "6 to 12 weeks", "6to12w"),
        ("safety", "no", "no"),
        ("pain_now", "six", 6),
        ("pss_cope", "Very often", 4),
    ],
)
def test_typed_answers_accepted(step: str, text: str, stored: Any) -> None:
    out = typed(at(step), text)
    assert out.state is not None and out.state.answers[step] == stored
    assert out.state.step != step


INVALID_TEXTS = [
    "hello",
    "🙂",
    "👍👍",
    "",
    "   ",
    "x" * 4096,
    "11",
    "-1",
    "6/5",
    "3.5",
    "six",
    "10/10/10",
    "٣",
    "1e1",
    "\n",
]


@pytest.mark.parametrize(
    "step",
    ["pain_now", "since", "where", "phq_down", "pseq_life", "red_emergency", "unsafe", "safety"],
)
@pytest.mark.parametrize("typed", INVALID_TEXTS)
def test_invalid_text_reasks_and_changes_nothing(step: str, typed: str) -> None:
    state = at(step)
    out = FLOW.handle(state, Text(typed), ctx())
    check_outcome(out)
    assert out.state == state
    assert out.facts == ()
    # One message: the note at the top of the question's first message (runtime.reask).
    first, *rest = FLOW.current(state, ctx())
    note, joint, question = out.replies[0].text.partition("\n\n")
    assert joint and question == first.text
    assert out.replies[0].choices == first.choices
    assert list(out.replies[1:]) == rest
    assert "didn't catch" in note
    step_kind = STEPS[INDEX[step]].kind if step in INDEX else ""
    if step_kind == "scale":  # the same words as the check-in's and the exercises' scales
        lo, hi = STEPS[INDEX[step]].lo, STEPS[INDEX[step]].hi
        assert note == T("common.not_a_number", lo=lo, hi=hi)
    assert out.replies[-1].buttons()


@pytest.mark.parametrize(
    "value", ["11", "-1", "abc", "", "done", "none", "cont", "x" * 30, "lower_back", "agree"]
)
def test_invalid_presses_on_a_scale(value: str) -> None:
    state = at("pain_now")
    out = FLOW.handle(state, Press(value), ctx())
    assert out.state == state


def test_current_repeats_the_question_after_a_restart() -> None:
    for step in STEPS:
        state = at(step.id)
        replies = FLOW.current(state, ctx())
        assert f"{INDEX[step.id] + 1}/{TOTAL}" in replies[-1].text
        check_outcome(Outcome(state, replies))
    for step_id in (SEE_DOCTOR, CRISIS):
        replies = FLOW.current(at(step_id), ctx())
        assert [c.value for c in replies[-1].buttons()] == ["cont", "stop"]


def test_unknown_step_restarts_cleanly() -> None:
    out = FLOW.handle(FlowState("pain_test", "gone", {"x": 1}), Press("1"), ctx())
    assert out.state == FlowState("pain_test", "red_emergency", {})


# -- retake comparison ---------------------------------------------------------------

PREVIOUS = {
    "pain_now": 6,
    "pain_avg": 6,
    "risk": "high",
    "stress_role": "strong",
    "phq4_total": 5,
    "pss4": 9,
    "pseq2": 5,
}


@pytest.mark.parametrize("as_json", [False, True])
def test_retake_shows_the_comparison(as_json: bool) -> None:
    history = {
        "previous_test": json.dumps(PREVIOUS) if as_json else PREVIOUS,
        "previous_test_taken_at": "2026-11-02T23:30:00+00:00",
    }
    outcomes, _ = drive({**CALM, "pain_now": 4}, history)
    text = all_text(outcomes[-1])
    assert "3 November 2026" in text  # 23:30 UTC is already the 3rd in Brussels
    assert "Pain right now: 6 → 4 (better)" in text
    assert "Average pain last week: 6 → 4 (better)" in text
    assert "Risk of slow recovery: high → low (better)" in text
    assert "Part stress plays: big → low (better)" in text


@pytest.mark.parametrize(
    "history",
    [
        {},
        {"previous_test": None},
        {"previous_test": "not json"},
        {"previous_test": [1, 2]},
        {"previous_test": {"pain_now": "lots"}},
        {"previous_test": PREVIOUS, "previous_test_taken_at": "yesterday"},
    ],
)
def test_retake_tolerates_missing_or_odd_history(history: dict[str, Any]) -> None:
    outcomes, _ = drive(CALM, history)
    text = all_text(outcomes[-1])
    if history.get("previous_test") == PREVIOUS:
        assert "Compared with your last self-check" in text and "→" in text
    else:
        assert "→" not in text


def test_compare_text() -> None:
    text = compare(
        {"pain_now": 6, "stress_role": "strong", "pseq2": 4},
        {"pain_now": 5, "stress_role": "some", "pseq2": 4},
        T,
    )
    assert text.splitlines() == [
        "Pain right now: 6 → 5 (slightly better)",
        "Part stress plays: big → some (better)",
        "Confidence despite pain (0-12): 4 → 4 (about the same)",
    ]
    assert compare({}, {"pain_now": 5}, T) == ""


# -- content and diagram -------------------------------------------------------------


def test_every_step_has_its_texts() -> None:
    for step in STEPS:
        assert T.has(f"pain_test.steps.{step.id}.question")
        for option in step.options:
            label = T(f"pain_test.steps.{step.id}.options.{option}")
            assert 0 < len(label) <= 45
            assert len(option) <= 20 and option.isascii() and option not in RESERVED
        if step.labels:
            assert len(T.list(f"pain_test.scales.{step.labels}")) == step.hi - step.lo + 1
    for key in (*sc.NEXT_STEPS, sc.COMBINED_CARE):
        assert T.has(f"pain_test.result.steps.{key}")
    for group, values in [
        ("duration", sc.DURATIONS),
        ("risk", ins.RISKS),
        ("stress", sc.STRESS_ROLES),
        ("mood", ins.PHQ4_BANDS),
        ("confidence", ins.PSEQ2_BANDS),
    ]:
        for value in values:
            assert T.has(f"pain_test.result.{group}.{value}"), (group, value)
    for key in changes.COMPARED:
        assert T.has(f"pain_test.compare.names.{key}")


def test_transitions_draw_the_real_edges() -> None:
    edges = FLOW.transitions()
    targets = {(src, dst) for src, _, dst in edges}
    assert ("", "red_emergency") in targets
    assert ("red_emergency", "") in targets  # emergency exit
    assert ("red_sameday", SEE_DOCTOR) in targets
    assert (SEE_DOCTOR, "") in targets and (SEE_DOCTOR, "where") in targets
    assert ("safety", CRISIS) in targets and ("phq_down", CRISIS) in targets
    assert (CRISIS, "") in targets and (CRISIS, "pseq_work") in targets
    assert (CRISIS, "safety") in targets
    assert (STEPS[-1].id, "") in targets
    for i, step in enumerate(STEPS[1:], start=1):
        assert (step.id, STEPS[i - 1].id) in targets  # back
    drawn = mermaid(FLOW)
    assert drawn.startswith("stateDiagram-v2") and "red_emergency --> [*]" in drawn


# -- property: random presses and texts never break it -------------------------------

RANGES = {s.id: (s.lo, s.hi) for s in STEPS if s.kind == "scale"}


def _assert_answers_valid(answers: Mapping[str, Any]) -> None:
    json.dumps(answers)
    for step in STEPS:
        if step.id not in answers:
            continue
        value = answers[step.id]
        if step.kind == "scale":
            lo, hi = RANGES[step.id]
            assert isinstance(value, int) and lo <= value <= hi
        elif step.kind == "single":
            assert value in step.options
        else:
            assert isinstance(value, list) and set(value) <= set(step.options)


def _assert_scores_valid(scores: Mapping[str, Any]) -> None:
    json.dumps(scores)
    bounds = {
        "pain_now": 10,
        "pain_avg": 10,
        "startback_total": 9,
        "startback_psych": 5,
        "phq4_total": 12,
        "phq4_anxiety": 6,
        "phq4_mood": 6,
        "pss4": 16,
        "pseq2": 12,
    }
    for key, hi in bounds.items():
        assert scores[key] is None or 0 <= scores[key] <= hi
    assert scores["risk"] in (None, *ins.RISKS)
    assert scores["phq4_band"] in (None, *ins.PHQ4_BANDS)
    assert scores["stress_role"] in (None, *sc.STRESS_ROLES)


def _buttons(replies: tuple[Reply, ...]) -> list[str]:
    return [c.value for r in replies for c in r.buttons() if c.command is None]


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("button"), st.integers(0, 40)),
        st.tuples(
            st.just("press"),
            st.sampled_from(
                ["back", "done", "none", "cont", "stop", "11", "-1", "", "x|y", "3", "yes"]
            ),
        ),
        st.tuples(st.just("text"), st.text(max_size=40)),
        st.tuples(st.just("text"), st.integers(-5, 20).map(str)),
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_random_events_never_break_the_flow(actions: list[tuple[str, Any]]) -> None:
    c = ctx({"previous_test": PREVIOUS})
    out = FLOW.start(c)
    for kind, arg in actions:
        state = out.state
        if state is None:
            break
        if kind == "button":
            values = _buttons(out.replies) or ["back"]
            event: Press | Text = Press(values[arg % len(values)])
        elif kind == "press":
            event = Press(arg)
        else:
            event = Text(arg)
        out = FLOW.handle(state, event, c)
        check_outcome(out)
        if out.state is not None:
            _assert_answers_valid(out.state.answers)
            assert FLOW.current(out.state, c)
        for fact in out.facts:
            if isinstance(fact, PainTestCompleted):
                assert out.state is None
                assert fact.outcome in ("complete", "emergency", "see_doctor")
                _assert_answers_valid(fact.answers)
                _assert_scores_valid(fact.scores)


def test_no_stray_step_texts() -> None:
    """Every text under ``pain_test.steps`` belongs to a real step and option."""
    prefix = "pain_test.steps."
    for key in T.catalogue.keys("en"):
        if not key.startswith(prefix):
            continue
        step_id, _, rest = key[len(prefix) :].partition(".")
        assert step_id in INDEX, key
        step = STEPS[INDEX[step_id]]
        _, _, option = rest.partition(".")
        assert rest == "question" or (
            rest.split(".")[0] in ("options", "summary") and option in step.options
        ), key


def test_without_a_red_flag_no_doctor_advice_is_remembered() -> None:
    outcomes, _ = drive(CALM)
    assert advised(outcomes) == [] and completed(outcomes).outcome == "complete"


def test_a_question_answered_makes_way_for_the_next_but_never_for_advice() -> None:
    """One paced call per step (issue 15): from a question to the next one (a tick, a
    re-ask) or to the profile, the first reply takes the place of the question pressed;
    the advice to see a doctor and the crisis lines come as new messages, and a press on
    the advice's own buttons leaves the advice in the chat."""
    c = ctx()
    start = FLOW.start(c)
    assert not any(r.in_place for r in start.replies)
    outcomes, _ = drive(CALM)
    assert all(o.replies[0].in_place for o in outcomes[1:]), "every step, the profile too"
    assert "next steps" in all_text(outcomes[-1]).lower()
    assert all(not r.in_place for o in outcomes for r in o.replies[1:])
    ticked = FLOW.handle(at(sc.RED_EMERGENCY), Press(sc.EMERGENCY_FLAGS[0]), c)
    assert ticked.replies[0].in_place
    assert ticked.state is not None
    emergency = FLOW.handle(ticked.state, Press("done"), c)
    assert emergency.state is None and not any(r.in_place for r in emergency.replies)
    same_day = FLOW.handle(
        at(sc.RED_SAMEDAY, **{sc.RED_SAMEDAY: [sc.SAMEDAY_FLAGS[0]]}), Press("done"), c
    )
    assert same_day.state is not None and same_day.state.step == SEE_DOCTOR
    assert not any(r.in_place for r in same_day.replies)
    carry_on = FLOW.handle(same_day.state, Press("cont"), c)
    assert carry_on.state is not None and carry_on.state.step in INDEX
    assert not any(r.in_place for r in carry_on.replies)
    crisis = FLOW.handle(at(sc.SAFETY), Press(sc.YES), c)
    assert crisis.state is not None and crisis.state.step == CRISIS
    assert not any(r.in_place for r in crisis.replies)
