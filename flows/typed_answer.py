"""Typed answers to a question with buttons: one matcher for every flow.

People type instead of tapping: "weiter", "Deutsch", "ja", "Ziemlich oft", "sechs",
"so 5-6". Each flow once read typed words its own way, so a word worked in one place
and not in the next. The engine now reads every typed message against the buttons of
the question on screen, here, before the flow sees it:

1. a button's label, in any case, without accents, marks or emoji ("ziemlich oft" for
   "3 · Ziemlich oft", "francais" for "Français");
2. a word with a meaning the button declares (:attr:`Choice.means`): "ja", "oui",
   "nee" for the one yes or no button, "terug" for back; the words of each meaning
   are content (``common.typed.<meaning>``) in the user's language;
3. a number, in digits or in words of the user's language (``common.typed.numbers``),
   for the button with that number.

It never accepts something ambiguous silently: two buttons that fit ("so 5-6", a word
with two meanings on screen) give :class:`Unclear`, and the engine asks which one.
Text that fits no button goes to the flow unchanged, for what only the flow can read
(a note, "6/10", a time, a zone name); so does anything with a number written as a
fraction, a time or a decimal ("6/10", "18:00", "5,5"), which is never split in two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from flows.i18n import Catalogue, Translator
from flows.runtime import Choice, Reply
from flows.safety import normalise

MEANINGS: Final = ("yes", "no", "back", "done", "none", "continue", "stop", "skip")
"""What a button may declare in :attr:`Choice.means`; the words live in
``common.typed.<meaning>``."""

KEY: Final = "common.typed"
MAX_TYPED: Final = 200
"""Longer texts are never a button: they go to the flow (or the coach) as they are."""
MAX_DIGITS: Final = 3

_PARTS = re.compile(r"[·•()\[\]|]")
"""What separates the parts of a composite label ("3 · Quite often", "Walk (10 min)")."""
_NOT_PLAIN_NUMBER = re.compile(r"\d\s*[/:.,]\s*\d")
"""6/10, 18:00, 5.5, 5,5: the flow's own reading, never two numbers."""
_NEGATIVE = re.compile(r"\s*[-−]\s*\d")
"""-1 is no 1 (folding drops the sign): the flow says why it cannot be."""


@dataclass(frozen=True)
class Picked:
    """The text answers exactly one button."""

    choice: Choice


@dataclass(frozen=True)
class Unclear:
    """The text fits several buttons: ask which one, never pick for the person."""

    choices: tuple[Choice, ...]


Reading = Picked | Unclear | None


def read(text: str, replies: Sequence[Reply], t: Translator) -> Reading:
    """What ``text`` answers among the buttons of ``replies`` (the question on screen).

    None when it fits no button: the flow then reads the text itself.
    """
    choices = tuple(choice for reply in replies for choice in reply.buttons())
    if not choices or len(text) > MAX_TYPED or _NEGATIVE.match(text):
        return None
    typed = normalise(text)
    if not typed:
        return None
    words = _words(t)
    for matches in (_by_label(typed, choices), _by_meaning(typed, choices, words)):
        if matches:
            return Picked(matches[0]) if len(matches) == 1 else Unclear(matches)
    found = _plain_numbers(text, words)
    matches = tuple(c for c in choices if _number_of(c) in (found or ()))
    if not matches:
        return None
    # "so 5-6" is a question even when only 5 is on offer.
    return Picked(matches[0]) if len(matches) == 1 and len(found or ()) == 1 else Unclear(matches)


def number(text: str, t: Translator) -> int | None:
    """A whole number typed alone, in digits or in words ("7", "sieben", "about 7"),
    for flows that take numbers without a button for each (minutes of a walk); None
    for anything else, two numbers included."""
    if len(text) > MAX_TYPED or _NEGATIVE.match(text):
        return None
    found = _plain_numbers(text, _words(t))
    return found[0] if found is not None and len(found) == 1 else None


# -- the three readings ---------------------------------------------------------------


def _by_label(typed: str, choices: tuple[Choice, ...]) -> tuple[Choice, ...]:
    """Buttons whose whole label reads ``typed``; else those with a part of their label
    that reads it and that no other button shares ("ziemlich oft" in "3 · Ziemlich oft")."""
    whole = tuple(c for c in choices if normalise(c.label) == typed)
    if whole:
        return whole
    parts = [_parts(c.label) for c in choices]
    shared = {p for i, a in enumerate(parts) for b in parts[i + 1 :] for p in a & b}
    return tuple(c for c, own in zip(choices, parts, strict=True) if typed in own - shared)


def _parts(label: str) -> set[str]:
    """The parts of a composite label that hold words (never its bare number)."""
    found = {normalise(part) for part in _PARTS.split(label)}
    return {part for part in found if any(char.isalpha() for char in part)}


def _by_meaning(typed: str, choices: tuple[Choice, ...], words: _Words) -> tuple[Choice, ...]:
    meanings = words.meanings.get(typed, frozenset())
    return tuple(c for c in choices if c.means and c.means in meanings)


def _plain_numbers(text: str, words: _Words) -> list[int] | None:
    """The numbers in a text made only of numbers and small words around them ("so
    5-6", "ungefähr sechs"), in order, without repeats; None when any other word is
    there ("een beetje" holds "een" but is no number), or when a number is written as
    a fraction, a time or a decimal."""
    if _NOT_PLAIN_NUMBER.search(unicodedata.normalize("NFKC", text)):
        return None
    tokens = normalise(text).split()
    found: list[int] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        value: int | None
        if token.isdecimal() and len(token) <= MAX_DIGITS:
            value, width = int(token), 1
        else:
            value, width = _number_word(tokens, i, words)
        if value is not None:
            if value not in found:
                found.append(value)
            i += width
        elif token in words.filler:
            i += 1
        else:
            return None
    return found or None


def _number_word(tokens: list[str], start: int, words: _Words) -> tuple[int | None, int]:
    """The longest number phrase at ``start`` ("dix sept" before "dix")."""
    for width in range(min(words.longest, len(tokens) - start), 0, -1):
        phrase = " ".join(tokens[start : start + width])
        if phrase in words.numbers:
            return words.numbers[phrase], width
    return None, 1


def _number_of(choice: Choice) -> int | None:
    """The number a button stands for: its value ("6"), or the number its label starts
    with ("3 · Quite often", "45 min"); never a time ("07:30") or a range."""
    if choice.value.isascii() and choice.value.isdecimal() and len(choice.value) <= MAX_DIGITS:
        return int(choice.value)
    for token in choice.label.split():
        stripped = token.strip("".join(ch for ch in token if not ch.isalnum()))
        if not stripped:
            continue  # a mark such as "✓" or "•"
        decimal = unicodedata.normalize("NFKC", stripped)
        return int(decimal) if decimal.isdecimal() and len(decimal) <= MAX_DIGITS else None
    return None


# -- the words of a language -----------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    meanings: dict[str, frozenset[str]]
    """A typed word or phrase -> the meanings it can have."""
    numbers: dict[str, int]
    filler: frozenset[str]
    longest: int


_CACHE: dict[tuple[int, str], tuple[Catalogue, _Words]] = {}


def _words(t: Translator) -> _Words:
    """One language's words, folded like typed text; built once per catalogue."""
    key = (id(t.catalogue), t.language)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is t.catalogue:
        return cached[1]
    meanings: dict[str, set[str]] = {}
    for meaning in MEANINGS:
        for word in t.list(f"{KEY}.{meaning}"):
            meanings.setdefault(normalise(word), set()).add(meaning)
    numbers: dict[str, int] = {}
    for value, variants in enumerate(t.list(f"{KEY}.numbers")):
        for variant in variants.split("|"):
            if normalise(variant):
                numbers[normalise(variant)] = value
    filler = frozenset(normalise(word) for word in t.list(f"{KEY}.filler"))
    longest = max((len(phrase.split()) for phrase in numbers), default=1)
    words = _Words(
        {word: frozenset(found) for word, found in meanings.items() if word},
        numbers,
        filler,
        longest,
    )
    _CACHE[key] = (t.catalogue, words)
    return words
