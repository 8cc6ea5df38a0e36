"""The programme's content: twelve weekly themes with at least five lessons each, in
every language, short enough for a one-to-two-minute card; nudges varied enough that
none needs to repeat within two weeks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.exercises.library import load_library
from flows.i18n import Catalogue, default_catalogue
from flows.programme.content import exercise_levels, programme_content
from flows.programme.library import BLOCK_CATEGORIES as BLOCK

LANGUAGES = ("de", "en", "fr", "nl")
WEEKS = [f"w{n:02d}" for n in range(1, 13)]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.mark.parametrize("language", LANGUAGES)
def test_twelve_weeks_of_at_least_five_short_lessons(catalogue: Catalogue, language: str) -> None:
    lessons = 0
    for week in WEEKS:
        t = catalogue.translator(language)
        assert t(f"programme.weeks.{week}.theme")
        ids = sorted(
            {
                k.split(".")[4]
                for k in catalogue.keys(language)
                if k.startswith(f"programme.weeks.{week}.lessons.")
            }
        )
        assert len(ids) >= 5, (language, week)
        for lesson in ids:
            text = t(f"programme.weeks.{week}.lessons.{lesson}.text")
            words = sum(1 for token in text.split() if re.search(r"\w", token))
            assert 60 <= words <= 150, (language, week, lesson, words)
        lessons += len(ids)
    assert lessons >= 60


@pytest.mark.parametrize("language", LANGUAGES)
def test_nudges_are_all_different_so_none_repeats_within_two_weeks(
    catalogue: Catalogue, language: str
) -> None:
    section = catalogue.section(language, "programme.nudges")
    daily = [v for k, v in section.items() if k.startswith("daily_")]
    follow_ups = [v for k, v in section.items() if k.startswith("followup_")]
    assert len(daily) >= 14 and len(set(daily)) == len(daily)
    assert len(follow_ups) >= 7 and len(set(follow_ups)) == len(follow_ups)


@pytest.mark.parametrize("language", LANGUAGES)
def test_goal_labels_fit_a_button(catalogue: Catalogue, language: str) -> None:
    goals = catalogue.section(language, "programme.goals")
    assert len(goals) == 9 and all(len(label) <= 60 for label in goals.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exercise_has_a_level_and_every_level_an_exercise(
    catalogue: Catalogue, language: str
) -> None:
    library = load_library(catalogue.translator(language))
    levels = exercise_levels()
    assert set(levels) == set(library)
    block = {ex_id: levels[ex_id] for ex_id, ex in library.items() if ex.category in BLOCK}
    assert sorted(set(block.values())) == [1, 2, 3]  # the block can step up twice
    assert programme_content(catalogue).library["bird_dog"].level == 3


def test_a_bad_level_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "levels.toml"
    bad.write_text("[levels]\nbridge = 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bridge must be an int"):
        exercise_levels(bad)
