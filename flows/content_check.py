"""The content check the bot runs at start: broken content stops it with one sentence.

A translation that lacks a key, or names a placeholder the code does not fill, fails only
when someone reaches that screen, in the middle of their check-in; the exercise library
is parsed on first use. So the bot checks everything once before it serves anyone
(:func:`check_content`, called by :func:`bot.services.build_services`), and the catalogue
tests call the same functions, so the rules are written once.
"""

from __future__ import annotations

import re
from typing import Any

from flows.exercises.library import validate_catalogue
from flows.i18n import FALLBACK_LANGUAGE, Catalogue, CatalogueError, placeholders

WORD_LISTS = re.compile(
    r"(crisis_words|crisis_alone|emergency_words|figurative_words|figurative_not_before"
    r"|typed\.|synonyms|aliases)"
)
"""Lists matched against what people type: their length differs per language."""


class ContentError(CatalogueError):
    """The shipped content is inconsistent; the bot refuses to start."""


def missing_keys(catalogue: Catalogue, language: str) -> list[str]:
    """Keys of the fallback language that ``language`` lacks, sorted."""
    return sorted(set(catalogue.keys(FALLBACK_LANGUAGE)) - set(catalogue.keys(language)))


def unknown_keys(catalogue: Catalogue, language: str) -> list[str]:
    """Keys of ``language`` the fallback language does not have (a typo or a leftover)."""
    return sorted(set(catalogue.keys(language)) - set(catalogue.keys(FALLBACK_LANGUAGE)))


def texts(value: Any) -> list[str]:
    """Every text inside an entry (a text, a list, a table of them), in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in texts(item)]
    return []


def mismatches(catalogue: Catalogue, language: str) -> list[str]:
    """Texts of ``language`` whose placeholders differ from the fallback's, and lists shown
    to people (not the word lists matched against typing) of another length."""
    problems = []
    for key in catalogue.keys(FALLBACK_LANGUAGE):
        source_value = catalogue.entries[FALLBACK_LANGUAGE][key]
        translated = catalogue.entries[language].get(key)
        if translated is None:
            continue
        if isinstance(source_value, list) and not WORD_LISTS.search(key):
            if len(source_value) != len(translated):
                problems.append(
                    f"{key}: {len(source_value)} items in {FALLBACK_LANGUAGE}, "
                    f"{len(translated)} in {language}"
                )
                continue
            pairs = list(zip(texts(source_value), texts(translated), strict=False))
        elif isinstance(source_value, str):
            pairs = [(source_value, str(translated))]
        else:
            pairs = []
        for source, target in pairs:
            if placeholders(source) != placeholders(target):
                problems.append(
                    f"{key} in {language} has the placeholders {sorted(placeholders(target))}, "
                    f"{FALLBACK_LANGUAGE} has {sorted(placeholders(source))}"
                )
    return problems


def content_problems(catalogue: Catalogue) -> list[str]:
    """Every problem found, one short sentence each; empty when the content is sound."""
    problems: list[str] = []
    for language in catalogue.languages:
        if language == FALLBACK_LANGUAGE:
            continue
        problems += [
            f"{language} is missing the key {key}" for key in missing_keys(catalogue, language)
        ]
        problems += [
            f"{language} has the key {key}, which {FALLBACK_LANGUAGE} does not"
            for key in unknown_keys(catalogue, language)
        ]
        problems += mismatches(catalogue, language)
    try:
        validate_catalogue(catalogue)
    except CatalogueError as exc:
        problems.append(str(exc))
    return problems


_CHECKED: list[Catalogue] = []
"""Catalogues already found sound: the shipped one is loaded once per process and never
changes, and a test run builds the bot hundreds of times."""


def check_content(catalogue: Catalogue) -> None:
    """Raise :class:`ContentError` naming the first problem (and how many more)."""
    if any(checked is catalogue for checked in _CHECKED):
        return
    problems = content_problems(catalogue)
    if not problems:
        _CHECKED.append(catalogue)
        return
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise ContentError(
        f"the content in flows/content is broken, so the bot does not start: {problems[0]}{more}"
    )
