"""The content catalogue: every language has every key, placeholders match, lists that
are shown to people have the same length, and nothing is left in English by accident."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flows import helplines
from flows.content_check import (
    WORD_LISTS,
    ContentError,
    check_content,
    content_problems,
    mismatches,
    missing_keys,
    texts,
    unknown_keys,
)
from flows.exercises.library import validate_catalogue
from flows.i18n import CONTENT_DIR, FALLBACK_LANGUAGE, Catalogue, default_catalogue

LANGUAGES = ("en", "nl", "fr", "de")
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
    assert missing_keys(catalogue, language) == [], f"missing in {language}"
    assert unknown_keys(catalogue, language) == [], f"unknown keys in {language}"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != FALLBACK_LANGUAGE])
def test_placeholders_and_list_lengths_match(catalogue: Catalogue, language: str) -> None:
    assert mismatches(catalogue, language) == []


def test_the_start_up_check_passes_the_shipped_content(catalogue: Catalogue) -> None:
    assert content_problems(catalogue) == []
    check_content(catalogue)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_broken_content_tree_is_refused_with_its_first_problem_named(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    edit(root / "nl" / "exercises.toml", "\nanother = ", "\nanother_typo = ")
    edit(root / "fr" / "exercises.toml", "{rating}", "{score}")
    edit(root / "de" / "exercises.toml", "duration_min = 5", "duration_min = 6")
    broken = Catalogue.load(root)

    problems = content_problems(broken)
    assert problems[:1] == [
        "exercises.rate.saved in fr has the placeholders ['score'], en has ['rating']"
    ]
    assert "nl is missing the key exercises.another" in problems
    assert "nl has the key exercises.another_typo, which en does not" in problems
    assert any(p.startswith("exercises.toml (de): ids, order") for p in problems)
    assert len(problems) == 4
    with pytest.raises(ContentError) as refused:
        check_content(broken)
    assert str(refused.value) == (
        "the content in flows/content is broken, so the bot does not start: "
        "exercises.rate.saved in fr has the placeholders ['score'], en has ['rating'] "
        "(and 3 more)"
    )


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != FALLBACK_LANGUAGE])
def test_nothing_is_left_in_english_by_accident(catalogue: Catalogue, language: str) -> None:
    leftovers = []
    for key in catalogue.keys(FALLBACK_LANGUAGE):
        if WORD_LISTS.search(key) or ".language_names." in key or key.endswith(".id"):
            continue
        english = catalogue.entries[FALLBACK_LANGUAGE][key]
        translated = catalogue.entries[language].get(key)
        for source, target in zip(texts(english), texts(translated), strict=False):
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
