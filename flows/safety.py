"""The safety screen: typed text that suggests hopelessness, self-harm or a back-pain
emergency is answered at once with the crisis lines or the emergency advice.

It runs before any flow sees the text, on every message. Word lists live in each
language's ``safety.toml`` and every language's list is checked whatever the user's
language, because people switch languages when they are upset; the answer comes in
the user's own language. Matching ignores case, accents and spacing so "Hopéless",
"HOPELESS" and "hope less" are not missed for a typo of style.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from flows.i18n import Catalogue

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_NOT_WORD = re.compile(r"[^a-z0-9']+")


class Signal(Enum):
    CRISIS = "crisis"
    EMERGENCY = "emergency"
    SAMEDAY = "sameday"
    """Never from the word lists: the classifier's same-day signs (see a doctor)."""


def normalise(text: str) -> str:
    """Lower case, no accents, one space between words, apostrophes unified."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ß", "ss")
    return " ".join(_NOT_WORD.sub(" ", plain).split())


@dataclass(frozen=True)
class Screen:
    """Compiled word lists of every language: one pattern each, built once."""

    crisis: re.Pattern[str]
    emergency: re.Pattern[str]

    def check(self, text: str) -> Signal | None:
        # Phrases must start at a word boundary but may run on ("hopeless" also finds
        # "hopelessness"): a missed cry for help costs far more than a false alarm.
        # A hopeless message gets the crisis lines even if it also names a red flag:
        # the emergency number 112 is in the crisis text too.
        padded = f" {normalise(text[:4096])} "
        if self.crisis.search(padded):
            return Signal.CRISIS
        if self.emergency.search(padded):
            return Signal.EMERGENCY
        return None


def _pattern(phrases: set[str]) -> re.Pattern[str]:
    if not phrases:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(f" (?:{alternatives})")


def build_screen(catalogue: Catalogue) -> Screen:
    crisis: set[str] = set()
    emergency: set[str] = set()
    for language in catalogue.languages:
        t = catalogue.translator(language)
        for target, key in ((crisis, "safety.crisis_words"), (emergency, "safety.emergency_words")):
            if t.has(key):
                target.update(p for p in (normalise(w) for w in t.list(key)) if p)
    return Screen(_pattern(crisis), _pattern(emergency))
