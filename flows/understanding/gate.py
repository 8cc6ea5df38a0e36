"""Which messages the classifier reads at all.

A sentence encoder places any string somewhere, and a string far from every example
(a row of one letter, a keyboard mash of symbols) can land near anything, crisis
included. Such text has no meaning to find; it gets the honest fallback instead.
The word lists still screen every message.

A very short message is weighed with care. The phrase bank has no alarm sentence
of fewer than three words, so an alarm reading there is a guess far from every
example: "weiter", typed at the welcome, read as crisis (p 0.65), and "Ziemlich oft"
as a borderline one. A single word never raises an alarm from the classifier, and two
words raise only a clear one (the lines or the advice, never the question). Short
cries for help are the word lists' job, including words that count only when they are
the whole message ("sterben", "mourir").
"""

from __future__ import annotations

import re

from flows.understanding.lexical import words

_WORD = re.compile(r"[^\W\d_]{2,}")


def worth_reading(text: str) -> bool:
    """True when ``text`` holds a word of two or more letters, with at least two
    different letters in the whole message ("hi" is read, "xxxxxxxx" is not)."""
    if text.lstrip().startswith("/"):
        return False  # a mistyped command, not a sentence
    letters = {ch.casefold() for ch in text if ch.isalpha()}
    return len(letters) >= 2 and _WORD.search(text) is not None


ALARM_WORDS = 2
"""The fewest words a message needs before the classifier may raise an alarm."""
QUESTION_WORDS = 3
"""The fewest words before a borderline reading may bring the direct question."""


def word_count(text: str) -> int:
    """Words as the lexical model splits them, so both count a message alike."""
    return len(words(text))
