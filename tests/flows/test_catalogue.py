"""The content catalogue: every language has every key, placeholders match, lists that
are shown to people have the same length, and nothing is left in English by accident."""

from __future__ import annotations

import re
from typing import Any

import pytest

from flows import helplines
from flows.exercises import validate_catalogue
from flows.i18n import FALLBACK_LANGUAGE, Catalogue, default_catalogue, placeholders

LANGUAGES = ("en", "nl", "fr", "de")
WORD_LISTS = re.compile(r"(crisis_words|emergency_words|typed\.|synonyms|aliases)")
"""Lists matched against what people type: their length differs per language."""

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
LONG_WORD = re.compile(r"[^\W\d_]{4,}")


def is_format_only(text: str) -> bool:
    """Placeholders, numbers, emoji and short units ("min") read the same everywhere."""
    return (
        LONG_WORD.search(PLACEHOLDER.sub("", text)) is None
        or IDENTIFIER.fullmatch(text) is not None
    )


IDENTIFIER = re.compile(r"[a-z0-9_]+")
"""Ids, categories and kinds inside content (exercise ids) are the same by design."""
ALLOWED_SAME = {
    # Words that are the same in these languages, or names and formats.
    "OK",
    "ok",
    "Ok",
    "Stress",
    "stress",
    "Start",
    "▶ Start",
    "Menu",
    "☰ Menu",
    "Later",
    "stop",
    "Stop",
    "Score (0–10)",
    "English",
    "Nederlands",
    "Français",
    "Deutsch",
    "Pause",
    "Max",
    "Total",
    "Test",
    "Info",
    "Pacing",
    "Yoga",
    "Mobility",
    "Sport",
    "Cat-cow",
    "Minimum",
    "Normal",
    "normal",
    "Rest",
    "Bird-dog",
    "Bridge",
    "😌 Relaxation",
    "Question {step}/{total}",  # French words too
    "April",
    "August",
    "September",
    "November",  # German month names
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


def test_every_language_is_shipped(catalogue: Catalogue) -> None:
    assert set(LANGUAGES) <= set(catalogue.languages)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != FALLBACK_LANGUAGE])
def test_every_key_exists_in_every_language(catalogue: Catalogue, language: str) -> None:
    english = set(catalogue.keys(FALLBACK_LANGUAGE))
    other = set(catalogue.keys(language))
    assert sorted(english - other) == [], f"missing in {language}"
    assert sorted(other - english) == [], f"unknown keys in {language}"


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    return []


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != FALLBACK_LANGUAGE])
def test_placeholders_and_list_lengths_match(catalogue: Catalogue, language: str) -> None:
    problems = []
    for key in catalogue.keys(FALLBACK_LANGUAGE):
        english = catalogue.entries[FALLBACK_LANGUAGE][key]
        translated = catalogue.entries[language].get(key)
        if translated is None:
            continue
        if isinstance(english, list) and not WORD_LISTS.search(key):
            if len(english) != len(translated):
                problems.append(f"{key}: {len(english)} items in en, {len(translated)}")
                continue
            pairs = list(zip(_texts(english), _texts(translated), strict=False))
        elif isinstance(english, str):
            pairs = [(english, str(translated))]
        else:
            pairs = []
        for source, target in pairs:
            if placeholders(source) != placeholders(target):
                problems.append(f"{key}: {placeholders(source)} vs {placeholders(target)}")
    assert problems == []


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != FALLBACK_LANGUAGE])
def test_nothing_is_left_in_english_by_accident(catalogue: Catalogue, language: str) -> None:
    leftovers = []
    for key in catalogue.keys(FALLBACK_LANGUAGE):
        if WORD_LISTS.search(key) or ".language_names." in key or key.endswith(".id"):
            continue
        english = catalogue.entries[FALLBACK_LANGUAGE][key]
        translated = catalogue.entries[language].get(key)
        for source, target in zip(_texts(english), _texts(translated), strict=False):
            if source == target and source not in ALLOWED_SAME and not is_format_only(source):
                leftovers.append(f"{key}: {source[:60]!r}")
    assert leftovers == []


def test_the_exercise_library_is_the_same_in_every_language(catalogue: Catalogue) -> None:
    validate_catalogue(catalogue)


@pytest.mark.parametrize("language", LANGUAGES)
def test_crisis_lines_and_emergency_number_are_in_every_language(
    catalogue: Catalogue, language: str
) -> None:
    t = catalogue.translator(language)
    lines = helplines.fills(t, "Europe/Brussels")  # a Belgian user: the Belgian lines
    for number in ("1813", "0800 32 123", "106", "107", "108", "112"):
        assert number in helplines.crisis_text(t, "Europe/Brussels"), (language, number)
        assert number in t("common.help.text", **lines), (language, number)
    assert "112" in helplines.emergency_text(t, "Europe/Brussels")
    assert t.list("safety.crisis_words") and t.list("safety.emergency_words")
