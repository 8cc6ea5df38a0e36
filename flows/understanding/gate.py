"""Which messages the classifier reads at all.

A sentence encoder places any string somewhere, and a string far from every example
(a row of one letter, a keyboard mash of symbols) can land near anything, crisis
included. Such text has no meaning to find; it gets the honest fallback instead.
The word lists still screen every message.

A message of one or two words ("weiter", "ziemlich oft", "Berlin") is read for the
coach's intents but never raises an alarm from the classifier: the phrase bank has no
alarm sentence that short, so any alarm reading there is a guess far from every
example (the encoder put "weiter", typed at the welcome, next to "I can't go on").
Short cries for help ("hopeless", "suicidal", "ik wil dood") are the word lists' job.
"""

from __future__ import annotations

import re
from typing import TypeVar

_WORD = re.compile(r"[^\W\d_]{2,}")


def worth_reading(text: str) -> bool:
    """True when ``text`` holds a word of two or more letters, with at least two
    different letters in the whole message ("hi" is read, "xxxxxxxx" is not)."""
    if text.lstrip().startswith("/"):
        return False  # a mistyped command, not a sentence
    letters = {ch.casefold() for ch in text if ch.isalpha()}
    return len(letters) >= 2 and _WORD.search(text) is not None


ALARM_WORDS = 3
"""The fewest words a message needs before the classifier may raise an alarm."""

_ANY_WORD = re.compile(r"[^\W_]+")
R = TypeVar("R")


def for_alarms(text: str, reading: R | None) -> R | None:
    """The reading the safety decision may use: none for a message too short to judge."""
    return reading if len(_ANY_WORD.findall(text)) >= ALARM_WORDS else None
