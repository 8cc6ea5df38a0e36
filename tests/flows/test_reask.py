"""Re-asking after input that answers nothing: one way for every flow
(:func:`flows.runtime.reask`), one message with the note on top of the question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.erasure import EraseFlow
from flows.i18n import default_catalogue
from flows.language import LanguageFlow
from flows.onboarding import OnboardingFlow
from flows.runtime import Choice, Context, Flow, FlowState, Press, Reply, Text, reask

T = default_catalogue().translator("en")
PLEASE = T("common.please_use_buttons")


def ctx() -> Context:
    return Context(T, datetime(2026, 11, 25, 8, 0, tzinfo=UTC), "Europe/Brussels", {"held": {}})


def test_the_note_tops_the_first_message_and_the_question_keeps_its_buttons() -> None:
    state = FlowState("x", "ask")
    question = (Reply("How much?", ((Choice("1", "1"),),)), Reply("More", ((Choice("2", "2"),),)))
    out = reask(state, question, "Please tap", ("fact",))
    assert out.state == state and out.facts == ("fact",)
    assert [r.text for r in out.replies] == ["Please tap\n\nHow much?", "More"]
    assert [r.choices for r in out.replies] == [q.choices for q in question]
    assert reask(state, (), "Please tap").replies == (Reply("Please tap"),)


@pytest.mark.parametrize("flow", [EraseFlow(), LanguageFlow(), OnboardingFlow()])
@pytest.mark.parametrize("event", [Press("bogus"), Text("what?")])
def test_flows_re_ask_in_one_message_with_the_note_first(flow: Flow, event: Press | Text) -> None:
    started = flow.start(ctx())
    assert started.state is not None
    out = flow.handle(started.state, event, ctx())
    assert out.state == started.state and out.facts == ()
    question = flow.current(started.state, ctx())
    assert len(out.replies) == len(question)
    assert out.replies[0].text == f"{PLEASE}\n\n{question[0].text}"
    assert out.replies[-1].choices == question[-1].choices
