"""Which messages the classifier reads, and how much a very short one may alarm."""

from __future__ import annotations

import pytest

from flows.safety import Signal
from flows.understanding.bank import default_bank
from flows.understanding.classifier import Reading
from flows.understanding.gate import QUESTION_WORDS, word_count, worth_reading
from flows.understanding.labels import ALARMS, Label
from flows.understanding.safety_call import Call, decide_typed


@pytest.mark.parametrize(
    ("text", "read"),
    [("hi", True), ("weiter", True), ("xxxxxxxx", False), ("🙂🙂", False), ("/stat", False)],
)
def test_only_text_with_a_real_word_is_read(text: str, read: bool) -> None:
    assert worth_reading(text) is read


CLEAR = Reading({Label.CRISIS: 0.9, Label.OTHER: 0.1}, {Label.CRISIS: 0.9, Label.HARMLESS: 0.5})
BORDERLINE = Reading(
    {Label.CRISIS: 0.3, Label.OTHER: 0.7}, {Label.CRISIS: 0.9, Label.HARMLESS: 0.5}
)


def test_one_word_raises_no_alarm_from_the_classifier() -> None:
    assert decide_typed("weiter", None, CLEAR) is None
    assert decide_typed("Manchmal", None, BORDERLINE) is None


def test_two_words_raise_a_clear_alarm_but_never_the_question() -> None:
    assert decide_typed("hang myself", None, CLEAR) is Call.CRISIS_LINES
    assert decide_typed("Ziemlich oft", None, BORDERLINE) is None


def test_three_words_may_bring_the_question() -> None:
    assert decide_typed("ich weiß nicht", None, BORDERLINE) is Call.ASK_CRISIS


def test_the_word_lists_count_whatever_the_length() -> None:
    assert decide_typed("sterben", Signal.CRISIS, None) is Call.CRISIS_LINES


def test_no_alarm_sentence_in_the_bank_is_shorter_than_the_rule() -> None:
    """The rule stands on the data: the classifier never learned an alarm this short,
    so an alarm reading on such a message is a guess. If the bank gains one, the rule
    must be looked at again."""
    short = [
        p.text
        for p in default_bank().phrases
        if p.label in ALARMS and word_count(p.text) < QUESTION_WORDS
    ]
    assert short == []
