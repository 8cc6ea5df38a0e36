"""Which messages the classifier reads at all.

A sentence encoder places any string somewhere, and a string far from every example
(a row of one letter, a keyboard mash of symbols) can land near anything, crisis
included. Such text has no meaning to find; it gets the honest fallback instead.
The word lists still screen every message.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]{2,}")


def worth_reading(text: str) -> bool:
    """True when ``text`` holds a word of two or more letters, with at least two
    different letters in the whole message ("hi" is read, "xxxxxxxx" is not)."""
    if text.lstrip().startswith("/"):
        return False  # a mistyped command, not a sentence
    letters = {ch.casefold() for ch in text if ch.isalpha()}
    return len(letters) >= 2 and _WORD.search(text) is not None
