"""The programme's inputs read from the content catalogue: the exercise library with
levels, the lesson book by weekly theme, and the keys of the nudge pools and goals.

The rules in this package take ids, never texts (so they stay testable from a table);
this module is the one place that turns the catalogue into those ids. The structure is
the same in every language (the catalogue tests check it), so the fallback language
answers, and the result is built once per catalogue.

Exercise levels are the programme's own ordering of the library (docs/CLINICAL.md, "The
coaching programme": start with the gentlest movement, add load step by step), not part
of an exercise's text, so they live in one language-neutral data file,
``flows/content/exercise_levels.toml``, beside the texts. An exercise the file does not
name is level 1: a new exercise is never a surprise jump in load (and a test makes sure
the file names every exercise).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from flows.exercises.library import load_library
from flows.i18n import FALLBACK_LANGUAGE, Catalogue, Translator
from flows.programme import codec
from flows.programme.lessons import THEMES, LessonBook, check_book
from flows.programme.library import ExerciseLibrary, ExerciseSpec
from flows.programme.records import MAX_LEVEL

LEVELS_FILE: Final = Path(__file__).parent.parent / "content" / "exercise_levels.toml"


@cache
def exercise_levels(path: Path = LEVELS_FILE) -> Mapping[str, int]:
    """Exercise id -> level from the data file, checked (ids, levels within bounds)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    levels = codec.mapping(data.get("levels"), "levels")
    return {
        codec.key(ex_id, "exercise"): codec.check_int(level, ex_id, 1, MAX_LEVEL)
        for ex_id, level in levels.items()
    }


WEEKS_KEY: Final = "programme.weeks"
_LESSON_KEY = re.compile(r"programme\.weeks\.(w\d\d)\.lessons\.(l\d+)\.title")


@dataclass(frozen=True)
class ProgrammeContent:
    """Ids the rules choose from. ``daily`` and ``follow_ups`` are the nudge pools'
    keys under ``programme.nudges``, ``weekly`` the maintenance messages' keys under
    ``programme.maintenance``, ``goals`` the goal ids under ``programme.goals``."""

    library: ExerciseLibrary
    lessons: LessonBook
    daily: tuple[str, ...]
    follow_ups: tuple[str, ...]
    weekly: tuple[str, ...]
    goals: tuple[str, ...]


def lesson_id(week: str, lesson: str) -> str:
    """``w03.l2``: the week's key and the lesson's key, as stored in the state."""
    return f"{week}.{lesson}"


def lesson_keys(lesson: str) -> tuple[str, str]:
    """The catalogue keys of a lesson id's title and text."""
    week, _, number = lesson.partition(".")
    base = f"{WEEKS_KEY}.{week}.lessons.{number}"
    return f"{base}.title", f"{base}.text"


def week_key(week: int) -> str:
    """``w03`` for programme week 3; maintenance weeks keep week 12's theme."""
    return f"w{min(max(week, 1), len(THEMES)):02d}"


def _book(catalogue: Catalogue) -> LessonBook:
    found: dict[str, list[tuple[int, str]]] = {}
    for key in catalogue.keys(FALLBACK_LANGUAGE):
        match = _LESSON_KEY.fullmatch(key)
        if match is not None:
            week, lesson = match.groups()
            found.setdefault(week, []).append((int(lesson[1:]), lesson_id(week, lesson)))
    book = {
        theme: [lesson for _, lesson in sorted(found.get(week_key(n), []))]
        for n, theme in enumerate(THEMES, start=1)
    }
    check_book(book)
    return book


def _library(t: Translator) -> ExerciseLibrary:
    return ExerciseLibrary(
        {
            ex.id: ExerciseSpec(ex.category, ex.duration_min, exercise_levels().get(ex.id, 1))
            for ex in load_library(t).values()
        }
    )


def _keys(catalogue: Catalogue, section: str, prefix: str) -> tuple[str, ...]:
    return tuple(
        key for key in catalogue.section(FALLBACK_LANGUAGE, section) if key.startswith(prefix)
    )


_CACHE: dict[int, tuple[Catalogue, ProgrammeContent]] = {}


def programme_content(catalogue: Catalogue) -> ProgrammeContent:
    """The programme's ids from ``catalogue``, built once; raises ValueError when a
    theme has too few lessons (the bot then refuses to start)."""
    cached = _CACHE.get(id(catalogue))
    if cached is not None and cached[0] is catalogue:
        return cached[1]
    content = ProgrammeContent(
        library=_library(catalogue.translator(FALLBACK_LANGUAGE)),
        lessons=_book(catalogue),
        daily=_keys(catalogue, "programme.nudges", "daily_"),
        follow_ups=_keys(catalogue, "programme.nudges", "followup_"),
        weekly=_keys(catalogue, "programme.maintenance", "weekly_"),
        goals=tuple(catalogue.section(FALLBACK_LANGUAGE, "programme.goals")),
    )
    _CACHE[id(catalogue)] = (catalogue, content)
    return content
