"""The exercise library: the exercises in ``exercises.toml``, validated once at load.

The texts and the structure of the library live in ``exercises.toml`` (one
``[[library]]`` table per exercise); this module validates them at load, so a typo in a
content file stops the bot at start with one clear sentence (:mod:`flows.content_check`)
rather than mid-exercise. Translations are parallel files with the same ids, categories,
kinds and durations, so reminders and stored logs mean the same in every language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.i18n import FALLBACK_LANGUAGE, Catalogue, CatalogueError, Translator, default_catalogue

CATEGORIES: tuple[str, ...] = (
    "breathing",
    "relaxation",
    "movement",
    "mobility",
    "strength",
    "pacing",
)
"""Menu order. "pacing" holds graded activity, pacing and graded exposure."""

CATEGORY_KIND: Mapping[str, str] = {
    "breathing": "stress",
    "relaxation": "stress",
    "movement": "movement",
    "mobility": "movement",
    "strength": "movement",
    "pacing": "pain",
}
"""Each category's reminder kind; an exercise's ``kind`` must agree with it."""

KINDS: tuple[str, ...] = ("stress", "movement", "pain")
SAFETY_REQUIRED: frozenset[str] = frozenset({"mobility", "strength"})
"""Categories whose exercises must say when to stop and seek advice."""
CALM_CATEGORIES: tuple[str, ...] = ("breathing", "relaxation")
"""Exercises that ask nothing of the back: the only ones offered while a caution after
advice to see a doctor is open (:mod:`flows.caution`)."""

MIN_STEPS = 3
MAX_STEPS = 8
MAX_DURATION_MIN = 60
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,19}", re.ASCII)
_REQUIRED_FIELDS: tuple[str, ...] = (
    "id",
    "category",
    "kind",
    "title",
    "duration_min",
    "intro",
    "steps",
    "closing",
)
_ALLOWED_FIELDS: frozenset[str] = frozenset({*_REQUIRED_FIELDS, "safety"})


class LibraryError(CatalogueError):
    """The exercise library in a content file is malformed; raised when it is loaded."""


@dataclass(frozen=True)
class Exercise:
    """One guided exercise, already validated; ``safety`` is None where not relevant."""

    id: str
    category: str
    kind: str
    title: str
    duration_min: int
    intro: str
    steps: tuple[str, ...]
    closing: str
    safety: str | None = None


def check_id(value: object) -> None:
    """Refuse an exercise id that could not have come from the library (facts check it)."""
    if not isinstance(value, str) or ID_PATTERN.fullmatch(value) is None:
        raise ValueError(f"exercise_id must be a short lowercase ASCII id, got {value!r}")


# -- the library -------------------------------------------------------------------------


def _text_field(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise LibraryError(f"{where}: {name!r} must be a non-empty text")
    return value.strip()


def _parse_exercise(entry: object, where: str) -> Exercise:
    """One ``[[library]]`` table as an :class:`Exercise`, or a :class:`LibraryError`."""
    if not isinstance(entry, Mapping):
        raise LibraryError(f"{where}: each entry must be a [[library]] table")
    missing = [name for name in _REQUIRED_FIELDS if name not in entry]
    if missing:
        raise LibraryError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(entry) - _ALLOWED_FIELDS)
    if unknown:
        raise LibraryError(f"{where}: unknown field(s) {', '.join(unknown)}")
    ex_id = entry["id"]
    if not isinstance(ex_id, str) or ID_PATTERN.fullmatch(ex_id) is None:
        raise LibraryError(
            f"{where}: id {ex_id!r} must be lowercase ASCII letters, digits or _, "
            "starting with a letter, at most 20 characters"
        )
    where = f"{where} ({ex_id})"
    category = entry["category"]
    if category not in CATEGORIES:
        raise LibraryError(f"{where}: unknown category {category!r}; use one of {CATEGORIES}")
    kind = entry["kind"]
    if kind not in KINDS:
        raise LibraryError(f"{where}: unknown kind {kind!r}; use one of {KINDS}")
    if kind != CATEGORY_KIND[category]:
        raise LibraryError(
            f"{where}: kind must be {CATEGORY_KIND[category]!r} for category {category!r}"
        )
    duration = entry["duration_min"]
    if (
        isinstance(duration, bool)
        or not isinstance(duration, int)
        or not (0 < duration <= MAX_DURATION_MIN)
    ):
        raise LibraryError(
            f"{where}: duration_min must be a whole number of minutes from 1 to "
            f"{MAX_DURATION_MIN}, got {duration!r}"
        )
    steps = entry["steps"]
    if not isinstance(steps, list) or not (MIN_STEPS <= len(steps) <= MAX_STEPS):
        raise LibraryError(f"{where}: steps must be a list of {MIN_STEPS} to {MAX_STEPS} texts")
    if not all(isinstance(step, str) and step.strip() for step in steps):
        raise LibraryError(f"{where}: every step must be a non-empty text")
    safety: str | None = None
    if "safety" in entry:
        safety = _text_field(entry, "safety", where)
    elif category in SAFETY_REQUIRED:
        raise LibraryError(f"{where}: a {category} exercise needs a safety line")
    return Exercise(
        id=ex_id,
        category=category,
        kind=kind,
        title=_text_field(entry, "title", where),
        duration_min=duration,
        intro=_text_field(entry, "intro", where),
        steps=tuple(step.strip() for step in steps),
        closing=_text_field(entry, "closing", where),
        safety=safety,
    )


def _parse_library(raw: object, language: str) -> dict[str, Exercise]:
    where = f"exercises.toml ({language})"
    if not isinstance(raw, list) or not raw:
        raise LibraryError(f"{where}: the library must be a non-empty list of [[library]] tables")
    library: dict[str, Exercise] = {}
    for number, entry in enumerate(raw, start=1):
        exercise = _parse_exercise(entry, f"{where}, exercise #{number}")
        if exercise.id in library:
            raise LibraryError(f"{where}: exercise id {exercise.id!r} is used twice")
        library[exercise.id] = exercise
    return library


def _structure(library: Mapping[str, Exercise]) -> list[tuple[str, str, str, int]]:
    return [(ex.id, ex.category, ex.kind, ex.duration_min) for ex in library.values()]


_CACHE: dict[tuple[int, str], tuple[Catalogue, dict[str, Exercise]]] = {}


def load_library(t: Translator) -> dict[str, Exercise]:
    """The validated exercises in ``t``'s language, by id, in content order.

    A translation must have the same ids, categories, kinds and durations as the
    fallback language, so reminders and stored logs mean the same in every language.
    Parsed once per catalogue and language; raises :class:`LibraryError` when malformed.
    """
    key = (id(t.catalogue), t.language)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is t.catalogue:
        return dict(cached[1])
    library = _parse_library(t.raw("exercises.library"), t.language)
    if t.language != FALLBACK_LANGUAGE:
        fallback = load_library(t.catalogue.translator(FALLBACK_LANGUAGE))
        if _structure(library) != _structure(fallback):
            raise LibraryError(
                f"exercises.toml ({t.language}): ids, order, categories, kinds and durations "
                f"must match the {FALLBACK_LANGUAGE!r} library"
            )
    _CACHE[key] = (t.catalogue, library)
    return dict(library)


def validate_catalogue(catalogue: Catalogue) -> None:
    """Load every language's library once; raises :class:`LibraryError` on bad content
    (part of the start-up check, :func:`flows.content_check.check_content`)."""
    for language in catalogue.languages:
        load_library(catalogue.translator(language))


def exercises_for_kind(kind: str, catalogue: Catalogue | None = None) -> list[str]:
    """Ids of the exercises a reminder of ``kind`` can offer, in library order.

    The structure is the same in every language, so the fallback language answers.
    Unknown kinds give an empty list.
    """
    t = (catalogue or default_catalogue()).translator(FALLBACK_LANGUAGE)
    return [ex.id for ex in load_library(t).values() if ex.kind == kind]
