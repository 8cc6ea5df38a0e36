"""Which lesson card a day gets: the week's theme, never one already shown.

Education is a third of each day's session in the programmes this one follows, and
it works by building one idea on the next over twelve weekly themes (docs/CLINICAL.md,
"The coaching programme"): hurt does not mean harm first, keeping it up last. A card
is shown once in the whole programme; when the week's theme has none left, an unread
card of an earlier theme catches up, and a theme is never read ahead of its week,
except that poor sleep brings a sleep card and a flare-up brings the flare-up plan,
because those help on the day they are needed. Lesson ids and their themes come in as
a :data:`LessonBook` (the texts are content); this module only chooses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Final

from flows.programme import codec
from flows.programme.calendar import PROGRAMME_WEEKS
from flows.programme.records import Shown
from flows.programme.state import ProgrammeState, evolve

THEMES: Final = (
    "hurt_not_harm",
    "alarm_and_stress",
    "walking",
    "pacing",
    "thoughts",
    "feared_movements",
    "sleep",
    "stress_and_values",
    "getting_stronger",
    "work_and_life",
    "flare_plan",
    "keeping_up",
)
"""The twelve weekly themes, week 1 first."""
SLEEP_THEME: Final = "sleep"
FLARE_THEME: Final = "flare_plan"
MIN_LESSONS_PER_THEME: Final = 5
SLEEP_CARD_GAP_DAYS: Final = 7
"""At most one sleep card a week: enough to help, not a nag about bad nights."""

_DAY: Final = attrgetter("day")

LessonBook = Mapping[str, Sequence[str]]
"""Theme id -> its lesson ids in reading order."""


@dataclass(frozen=True)
class LessonChoice:
    """Today's card; ``sleep_card`` when poor sleep chose it, ``done`` when it was
    already read today (the day's plan keeps showing it as done)."""

    lesson_id: str
    sleep_card: bool = False
    done: bool = False


def check_book(book: LessonBook) -> None:
    """Every theme with at least 5 cards of its own, no id in two places.

    Called where the book is built from the content, so a missing theme stops the bot
    at start rather than leaving a week without lessons.
    """
    missing = [theme for theme in THEMES if theme not in book]
    if missing:
        raise ValueError(f"themes without lessons: {', '.join(missing)}")
    seen: set[str] = set()
    for theme in THEMES:
        ids = [codec.key(lesson, "lesson") for lesson in book[theme]]
        if len(ids) < MIN_LESSONS_PER_THEME:
            raise ValueError(f"theme {theme} needs {MIN_LESSONS_PER_THEME} lessons")
        if seen & set(ids) or len(set(ids)) != len(ids):
            raise ValueError(f"theme {theme} repeats a lesson id")
        seen.update(ids)


def theme_of_week(week: int) -> str:
    """The theme of programme week ``week``; maintenance keeps the last one."""
    return THEMES[min(max(week, 1), PROGRAMME_WEEKS) - 1]


def first_unread(book: LessonBook, shown: frozenset[str], themes: Iterable[str]) -> str | None:
    for theme in themes:
        for lesson in book.get(theme, ()):
            if lesson not in shown:
                return lesson
    return None


def read_today(state: ProgrammeState, today: date) -> str | None:
    """The first card read today, if any. The days are searched by ``list.index`` over
    ``map``: the plan asks every day, and a state holds dozens of cards after some
    weeks."""
    try:
        return state.lessons[list(map(_DAY, state.lessons)).index(today)].key
    except ValueError:
        return None


def sleep_card_due(state: ProgrammeState, book: LessonBook, today: date) -> bool:
    """True when no sleep card was read in the week before today; the caller has
    already seen poor sleep on enough days."""
    sleep_ids = frozenset(book.get(SLEEP_THEME, ()))
    since = today - timedelta(days=SLEEP_CARD_GAP_DAYS - 1)
    return not any(shown.key in sleep_ids and since <= shown.day < today for shown in state.lessons)


def choose_lesson(
    state: ProgrammeState,
    book: LessonBook,
    week: int,
    today: date,
    *,
    poor_sleep: bool,
    flare: bool,
) -> LessonChoice | None:
    """Today's card, or None when every card the day may take has been read."""
    already = read_today(state, today)
    if already is not None:
        sleep_ids = frozenset(book.get(SLEEP_THEME, ()))
        return LessonChoice(already, sleep_card=already in sleep_ids, done=True)
    shown = state.shown_lessons()
    if poor_sleep and sleep_card_due(state, book, today):
        card = first_unread(book, shown, (SLEEP_THEME,))
        if card is not None:
            return LessonChoice(card, sleep_card=True)
    current = min(max(week, 1), PROGRAMME_WEEKS)
    order = [theme_of_week(current), *reversed(THEMES[: current - 1])]
    if week > PROGRAMME_WEEKS:
        order = list(THEMES)
    if flare:
        order.insert(0, FLARE_THEME)
    card = first_unread(book, shown, order)
    return None if card is None else LessonChoice(card)


def mark_read(state: ProgrammeState, lesson_id: str, today: date) -> ProgrammeState:
    """The state after a card was shown; showing it again changes nothing, so a card
    is counted once however often the button is pressed."""
    codec.key(lesson_id, "lesson")
    if lesson_id in state.shown_lessons():
        return state
    return evolve(state, lessons=(*state.lessons, Shown(lesson_id, today)))
