"""Which messages the classifier reads, and which it may raise an alarm on."""

from __future__ import annotations

import pytest

from flows.understanding.bank import default_bank
from flows.understanding.gate import ALARM_WORDS, for_alarms, worth_reading
from flows.understanding.labels import ALARMS


@pytest.mark.parametrize(
    ("text", "read"),
    [("hi", True), ("weiter", True), ("xxxxxxxx", False), ("🙂🙂", False), ("/stat", False)],
)
def test_only_text_with_a_real_word_is_read(text: str, read: bool) -> None:
    assert worth_reading(text) is read


@pytest.mark.parametrize("text", ["weiter", "ziemlich oft", "Berlin", "ok!", "nee, bedankt"])
def test_one_or_two_words_never_raise_an_alarm_from_the_classifier(text: str) -> None:
    assert for_alarms(text, "a reading") is None


@pytest.mark.parametrize("text", ["ik kan niet meer", "i can't go on", "c'est trop dur"])
def test_three_words_are_enough_to_be_judged(text: str) -> None:
    assert for_alarms(text, "a reading") == "a reading"


def test_no_alarm_sentence_in_the_bank_is_shorter_than_the_rule() -> None:
    """The rule stands on the data: the classifier never learned an alarm that short,
    so an alarm reading on such a message is a guess. If the bank gains one, the rule
    must be looked at again."""
    for phrase in default_bank().phrases:
        if phrase.label in ALARMS:
            assert for_alarms(phrase.text, phrase) is phrase, phrase.text
    assert ALARM_WORDS == 3
