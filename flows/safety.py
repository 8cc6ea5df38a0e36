"""The safety screen: typed text that suggests hopelessness, self-harm or a back-pain
emergency is answered at once with the crisis lines or the emergency advice.

It runs before any flow sees the text, on every message. Word lists live in each
language's ``safety.toml`` and every language's list is checked whatever the user's
language, because people switch languages when they are upset; the answer comes in
the user's own language. Matching ignores case, accents and spacing so "Hopéless",
"HOPELESS" and "hope less" are not missed for a typo of style.

A few listed words are everyday figures of speech in some set phrases ("hopeless at
parking", "career suicide", "ich könnt ihn umbringen"). Each language's
``figurative_words`` names those phrases; a listed word found only inside one of them
does not fire the word list. It is not a veto: the sentence still goes to the
classifier. Every figure names what it is about (a skill, a thing, another person): a
bare "hopeless at" or "hoffnungslos in" would also hide "I feel hopeless at night".
Some words are a cry for help only as the whole message (``crisis_alone``: "sterben",
"mourir"), as inside a sentence they are mostly figures ("zum Sterben schön").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from flows.i18n import Catalogue, Translator

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
    figurative: re.Pattern[str]
    alone: frozenset[str]
    """Words that are a cry for help when they are the whole message ("sterben",
    "mourir") but too often a figure inside a sentence ("zum Sterben schön")."""

    def check(self, text: str) -> Signal | None:
        # Phrases must start at a word boundary but may run on ("hopeless" also finds
        # "hopelessness"): a missed cry for help costs far more than a false alarm.
        # A hopeless message gets the crisis lines even if it also names a red flag:
        # the emergency number 112 is in the crisis text too.
        plain = normalise(text[:4096])
        padded = self.figurative.sub(" # ", f" {plain} ")
        if plain in self.alone or self.crisis.search(padded):
            return Signal.CRISIS
        if self.emergency.search(padded):
            return Signal.EMERGENCY
        return None


def _alternatives(phrases: set[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


def _pattern(phrases: set[str]) -> re.Pattern[str]:
    """One alternation, longest phrase first."""
    if not phrases:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(f" (?:{_alternatives(phrases)})")


def _figures(phrases: set[str], not_before: set[str]) -> re.Pattern[str]:
    """Figures of speech, whole words only, and never when the next word turns the
    figure back on the person ("hopeless at everything", "hopeless at life")."""
    if not phrases:
        return re.compile(r"(?!)")
    guard = f"(?! (?:{_alternatives(not_before)})(?= ))" if not_before else ""
    return re.compile(f" (?:{_alternatives(phrases)})(?= ){guard}")


def _phrases(translators: Iterable[Translator], key: str) -> set[str]:
    found: set[str] = set()
    for t in translators:
        if t.has(key):
            found.update(p for p in (normalise(w) for w in t.list(key)) if p)
    return found


def screen_of(translators: Iterable[Translator]) -> Screen:
    """The screen for these languages' lists (Python's ``re`` keeps the compiled
    patterns, so building it again for the same lists is cheap)."""
    chosen = list(translators)
    return Screen(
        _pattern(_phrases(chosen, "safety.crisis_words")),
        _pattern(_phrases(chosen, "safety.emergency_words")),
        _figures(
            _phrases(chosen, "safety.figurative_words"),
            _phrases(chosen, "safety.figurative_not_before"),
        ),
        frozenset(_phrases(chosen, "safety.crisis_alone")),
    )


def build_screen(catalogue: Catalogue) -> Screen:
    """Every language's lists at once: the engine screens each message against all."""
    return screen_of(catalogue.translator(language) for language in catalogue.languages)
