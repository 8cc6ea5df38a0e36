"""Guided exercises (/exercise): breathing, relaxation, movement, pacing, step by step.

Guidelines for non-specific back pain favour staying active and calming the stress that
turns pain up (docs/CLINICAL.md), and a short exercise someone actually does beats a long one
they skip. So each exercise is a few one-tap steps with a "Next" button, states its
duration first, and ends with an optional 0-10 "how do you feel now?".

The texts and the structure of the library live in ``exercises.toml`` (one
``[[library]]`` table per exercise); this module validates them at load, so a typo in a
content file stops the bot at start with one clear sentence rather than mid-exercise.
Translations are parallel files with the same ids, categories, kinds and durations.

Graded walking is the one exercise with memory: it starts from a baseline the user can
manage on a bad day and goes up by plan (:func:`next_walking_level`), per day and never
by the pain of the day. The planned minutes are the whole walk, half out and half back,
and at the end the user says how long the walk really was: a walk is only counted at the
minutes walked, never at the plan because "Next" was tapped. The flow only decides; the
bot records :class:`ExerciseStarted` and :class:`ExerciseFinished` and passes the
walking level back in ``ctx.history``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flows import caution as cn
from flows import typed_answer
from flows.i18n import FALLBACK_LANGUAGE, Catalogue, CatalogueError, Translator, default_catalogue
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, Text
from flows.streaks import SCORE_MAX, SCORE_MIN, parse_score, valid_score

NAME = "exercise"
LIBRARY_KEY = "exercises.library"

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

WALK_ID = "graded_walk"
WALK_BASELINES: tuple[int, ...] = (3, 5, 10, 15, 20)
WALK_MIN_MINUTES = 1
WALK_MAX_MINUTES = 60
"""A walk longer than an hour is no longer a small planned step; the plan stops there."""
_BASELINE_VALUES: tuple[str, ...] = tuple(str(minutes) for minutes in WALK_BASELINES)
DAYS_BEFORE_RAISE = 3
"""Days with a finished walk at one level before the plan proposes the next step ("every
few days", docs/CLINICAL.md). Days, not walks: three walks in a row are one day's effort."""

# Steps of the flow.
MENU = "menu"
CATEGORY = "category"
WALK_BASE = "walk_base"
WALK_LEVEL = "walk_level"
GUIDE = "guide"
WALK_DONE = "walk_done"
RATE = "rate"
CAUTION = cn.STEP
STEPS: tuple[str, ...] = (MENU, CATEGORY, WALK_BASE, WALK_LEVEL, GUIDE, WALK_DONE, RATE, CAUTION)

# Button values (short ASCII: they travel in Telegram callback_data).
NEXT = "next"
STOP = "stop"
BACK = "back"
CLOSE = "close"
SKIP = "skip"
UP = "up"
SAME = "same"
LESS = "less"
LONGER = "longer"
NOT_WALKED = "none"
SCORE_VALUES: tuple[str, ...] = tuple(str(n) for n in range(SCORE_MIN, SCORE_MAX + 1))

BREATHE_COMMAND = "breathe"
GENTLE_MOVE_COMMAND = "move_gently"
QUICK_STARTS: Mapping[str, str] = {
    BREATHE_COMMAND: "slow_breath",
    GENTLE_MOVE_COMMAND: "move_break",
}
"""Commands that open one exercise straight away: the buttons other features offer (the
check-in's answer to high stress or pain) stay valid after their own flow has ended."""

_TYPED_TEXT_LIMIT = 40
_MINUTES_RE = re.compile(r"(\d{1,3})\s*(?:m|min|mins|minutes?)?\.?", re.ASCII | re.IGNORECASE)


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


@dataclass(frozen=True)
class ExerciseStarted:
    """The user began the guided steps of an exercise (after choosing a walk level)."""

    exercise_id: str

    def __post_init__(self) -> None:
        _check_id(self.exercise_id)


@dataclass(frozen=True)
class ExerciseFinished:
    """An exercise ended: ``completed`` is False when stopped early (then no rating).

    ``rating_after`` is the optional 0-10 tension or pain rating; ``level`` is the walk
    length in minutes for graded walking (a finished walk: the minutes the user says they
    walked, at most the plan; a walk stopped early: the plan), else None. Checked here as
    the last line of defence before the database.
    """

    exercise_id: str
    rating_after: int | None
    completed: bool
    level: int | None

    def __post_init__(self) -> None:
        _check_id(self.exercise_id)
        if self.rating_after is not None and valid_score(self.rating_after) is None:
            raise ValueError(f"rating_after must be None or an int 0-10, got {self.rating_after!r}")
        if not isinstance(self.completed, bool):
            raise ValueError(f"completed must be a bool, got {self.completed!r}")
        if not self.completed and self.rating_after is not None:
            raise ValueError("an exercise stopped early carries no rating")
        if self.level is not None and _walk_minutes(self.level) is None:
            raise ValueError(
                f"level must be None or an int {WALK_MIN_MINUTES}-{WALK_MAX_MINUTES}, "
                f"got {self.level!r}"
            )


def _check_id(value: object) -> None:
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
    library = _parse_library(t.raw(LIBRARY_KEY), t.language)
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
    """Load every language's library once, so the bot can refuse to start on bad content."""
    for language in catalogue.languages:
        load_library(catalogue.translator(language))


def exercises_for_kind(kind: str, catalogue: Catalogue | None = None) -> list[str]:
    """Ids of the exercises a reminder of ``kind`` can offer, in library order.

    The structure is the same in every language, so the fallback language answers.
    Unknown kinds give an empty list.
    """
    t = (catalogue or default_catalogue()).translator(FALLBACK_LANGUAGE)
    return [ex.id for ex in load_library(t).values() if ex.kind == kind]


# -- graded walking ------------------------------------------------------------------------


def next_walking_level(current: int, days_at_level: int) -> int:
    """Today's planned walk in minutes, given the current level and the earlier days
    (before today) with a finished walk at it.

    By plan, not by pain: after :data:`DAYS_BEFORE_RAISE` such days, add about 10%
    (rounded half up, at least 1 minute); before that, stay. Today's own walks never
    count, so a second walk the same day never steps up. The plan stops growing at
    :data:`WALK_MAX_MINUTES`. Levels outside 1-60 or negative counts are bugs in the
    caller and raise ValueError.
    """
    if _walk_minutes(current) is None:
        raise ValueError(f"current must be an int {WALK_MIN_MINUTES}-{WALK_MAX_MINUTES}")
    if isinstance(days_at_level, bool) or not isinstance(days_at_level, int) or days_at_level < 0:
        raise ValueError("days_at_level must be an int >= 0")
    if days_at_level < DAYS_BEFORE_RAISE:
        return current
    step = max(1, (current + 5) // 10)
    return min(WALK_MAX_MINUTES, current + step)


def days_before(walk_days: Iterable[date], today: date) -> int:
    """How many distinct local days before ``today`` had a finished walk: the count the
    plan steps up by (several walks on one day are one day; today is still going on)."""
    return len({day for day in walk_days if day < today})


def walk_durations(planned: int) -> tuple[int, ...]:
    """The answers to "how long did you walk?": the plan, then about three quarters, half
    and a quarter of it (rounded, at least 1 minute), longest first, each minute once."""
    parts = {max(1, (planned * quarters + 2) // 4) for quarters in (3, 2, 1)}
    return tuple(sorted({planned, *parts}, reverse=True))


def half_walk(minutes: int) -> str:
    """Half of the planned minutes, the way out: "6", or "2½" for an odd plan."""
    whole, odd = divmod(minutes, 2)
    return f"{whole or ''}½" if odd else str(whole)


def a_bit_less(current: int) -> int:
    """The "a bit less today" option: about 10% less, at least 1 minute less, never 0."""
    return max(WALK_MIN_MINUTES, current - max(1, (current + 5) // 10))


def _walk_minutes(value: object) -> int | None:
    """``value`` if it is a real int from 1 to 60 (bools excluded), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if WALK_MIN_MINUTES <= value <= WALK_MAX_MINUTES else None


def _history_level(value: object) -> int | None:
    """A walking level from history; a stored level above the plan's cap is capped."""
    if isinstance(value, int) and not isinstance(value, bool) and value > WALK_MAX_MINUTES:
        return WALK_MAX_MINUTES
    return _walk_minutes(value)


def _history_days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return min(value, 10_000)


def parse_minutes(text: str) -> int | None:
    """Minutes typed for the walking baseline ("7", " 7 min", "１０"), 1-60, or None."""
    if len(text) > _TYPED_TEXT_LIMIT:
        return None
    normalised = unicodedata.normalize("NFKC", text).strip()
    match = _MINUTES_RE.fullmatch(normalised)
    if match is None:
        return None
    return _walk_minutes(int(match.group(1)))


# -- the flow ------------------------------------------------------------------------------


class ExerciseFlow:
    """menu -> category -> [walk_base | walk_level] -> guide (step n/N) -> rate -> done.

    ``ctx.history`` keys read at :meth:`start` (all optional; copied into the state so
    later turns do not depend on them):

    - ``exercise_id``: str, an exercise id; set when a reminder's "Start" button opens
      the flow, which then skips the menu. An unknown id shows the menu with a note.
    - ``walking_level``: int minutes of the last completed graded walk, or None (first
      time: ask for a baseline).
    - ``walking_days_at_level``: int, local days before today with a completed graded
      walk at that level (:func:`days_before`).
    - ``caution``: ``{"kind", "raised_at"}`` of advice to see a doctor that still stands
      (:class:`flows.caution.Caution`). The flow then asks first whether a doctor has
      seen the user; until they say yes, only calm exercises are offered and each one
      carries the caution.
    - ``caution_answered``: True when the user has just answered "not yet" elsewhere
      (the plan), so the calm exercises come without asking again.
    - ``keeps_log``: False when the user has not agreed to storing data. The exercises
      stay open to them (they need nothing stored); the flow then records nothing, asks
      for no rating and says so at the end.

    Facts (only while ``keeps_log``): :class:`ExerciseStarted` when the guided steps
    begin, and :class:`ExerciseFinished` when they end (rated, skipped or stopped
    early); :class:`flows.caution.CautionCleared` when the user says a doctor has seen
    them.
    """

    name = NAME
    needs_consent = False

    # -- protocol ------------------------------------------------------------------------

    def start(self, ctx: Context) -> Outcome:
        caution = cn.Caution.of(ctx.history.get("caution"))
        base: dict[str, Any] = {
            "walk_prev": _history_level(ctx.history.get("walking_level")),
            "walk_days": _history_days(ctx.history.get("walking_days_at_level")),
            "caution": caution.to_dict() if caution else None,
            "keep": ctx.history.get("keeps_log") is not False,
        }
        wanted = ctx.history.get("exercise_id")
        if caution is not None and ctx.history.get("caution_answered") is not True:
            kept = wanted if isinstance(wanted, str) else None
            asking = FlowState(self.name, CAUTION, {**base, "wanted": kept})
            return Outcome(asking, (cn.question(caution, ctx),))
        return self._start_at(FlowState(self.name, MENU, base), wanted, ctx)

    def _start_at(self, state: FlowState, wanted: object, ctx: Context) -> Outcome:
        """The exercise asked for (a reminder's Start), or else the menu."""
        library = load_library(ctx.t)
        exercise = library.get(wanted) if isinstance(wanted, str) else None
        if exercise is not None and exercise.category in self._categories(library, state):
            return self._open(state, exercise, ctx)
        note = ctx.t("exercises.unknown_exercise") if wanted and exercise is None else None
        return self._ask(state, ctx, note)

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        caution = _caution(state)
        if state.step == CAUTION and caution is not None:
            return (cn.question(caution, ctx),)
        library = load_library(ctx.t)
        exercise = library.get(str(state.answers.get("exercise")))
        if state.step == GUIDE and exercise is not None:
            index = self._index(state, exercise)
            if index == 0:
                return (self._intro(exercise, state, ctx), self._step(exercise, index, ctx))
            return (self._step(exercise, index, ctx),)
        return (self._question(state, library, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        library = load_library(ctx.t)
        step = state.step
        exercise = library.get(str(state.answers.get("exercise")))
        if step not in STEPS or (
            step in (WALK_BASE, WALK_LEVEL, GUIDE, WALK_DONE, RATE) and (exercise is None)
        ):
            # A state this version cannot read (content renamed, old format): pick again.
            return self._ask(
                FlowState(self.name, MENU, self._keep_walk(state)),
                ctx,
                ctx.t("exercises.restarted"),
            )
        if step == CAUTION:
            return self._handle_caution(state, event, ctx)
        if step == MENU:
            return self._handle_menu(state, event, ctx)
        if step == CATEGORY:
            return self._handle_category(state, event, library, ctx)
        assert exercise is not None
        if step == WALK_BASE:
            return self._handle_walk_base(state, event, exercise, ctx)
        if step == WALK_LEVEL:
            return self._handle_walk_level(state, event, exercise, ctx)
        if step == GUIDE:
            return self._handle_guide(state, event, exercise, ctx)
        if step == WALK_DONE:
            return self._handle_walk_done(state, event, exercise, ctx)
        return self._handle_rate(state, event, exercise, ctx)

    def holds_unsaved(self, state: FlowState) -> bool:
        """An exercise under way: it is logged (and a walk counts towards the next step)
        only when it ends. Its first step, the menus and the walk's length lose nothing."""
        index = state.answers.get("index")
        under_way = state.step == GUIDE and isinstance(index, int) and index > 0
        return _keeps(state) and (under_way or state.step == RATE)

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/exercise", MENU),
            ("", "reminder Start (exercise_id)", GUIDE),
            ("", "reminder Start, graded walk, first time", WALK_BASE),
            ("", "reminder Start, graded walk", WALK_LEVEL),
            ("", "/exercise or Start while a caution is open", CAUTION),
            (CAUTION, "seen by a doctor, fine to go on (caution cleared)", MENU),
            (CAUTION, "seen by a doctor, the reminder's exercise", GUIDE),
            (CAUTION, "not yet: calm exercises only", MENU),
            (CAUTION, "invalid input", CAUTION),
            (MENU, "category", CATEGORY),
            (MENU, "not now", ""),
            (MENU, "invalid input", MENU),
            (CATEGORY, "back", MENU),
            (CATEGORY, "exercise picked (started)", GUIDE),
            (CATEGORY, "graded walk, first time", WALK_BASE),
            (CATEGORY, "graded walk, level known", WALK_LEVEL),
            (CATEGORY, "invalid input", CATEGORY),
            (WALK_BASE, "baseline minutes (started)", GUIDE),
            (WALK_BASE, "invalid input", WALK_BASE),
            (WALK_BASE, "stop", ""),
            (WALK_LEVEL, "step up / keep the same / a bit less (started)", GUIDE),
            (WALK_LEVEL, "invalid input", WALK_LEVEL),
            (WALK_LEVEL, "stop", ""),
            (GUIDE, "next", GUIDE),
            (GUIDE, "next on the last step", RATE),
            (GUIDE, "next on the last step of the graded walk", WALK_DONE),
            (GUIDE, "next on the last step, no consent: nothing kept, no rating", ""),
            (GUIDE, "invalid input", GUIDE),
            (GUIDE, "stop (finished, not completed)", ""),
            (WALK_DONE, "minutes walked, at most the plan", RATE),
            (WALK_DONE, "didn't walk (finished, not completed)", ""),
            (WALK_DONE, "invalid input", WALK_DONE),
            (RATE, "0-10 or skip (finished, completed)", ""),
            (RATE, "invalid input", RATE),
        ]

    # -- steps ---------------------------------------------------------------------------

    def _handle_caution(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        caution = cn.Caution.of(state.answers.get("caution"))
        wanted = state.answers.get("wanted")
        rest = {key: value for key, value in state.answers.items() if key != "wanted"}
        if caution is None:  # nothing left to ask about
            return self._start_at(
                FlowState(self.name, MENU, {**rest, "caution": None}), wanted, ctx
            )
        choice = cn.answer(event, ctx)
        if choice == cn.SEEN:
            going_on = FlowState(self.name, MENU, {**rest, "caution": None})
            outcome = self._start_at(going_on, wanted, ctx)
            return _preface(outcome, cn.cleared(ctx), cn.CautionCleared())
        if choice == cn.NOT_YET:
            outcome = self._start_at(FlowState(self.name, MENU, rest), wanted, ctx)
            return _preface(outcome, cn.advice(caution, ctx))
        return Outcome(state, (cn.reask(caution, ctx),))

    def _handle_menu(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        choice = self._pressed(event, (*CATEGORIES, CLOSE))
        if choice == CLOSE:
            return Outcome(None, (Reply(ctx.t("exercises.closed")),))
        if choice in self._categories(load_library(ctx.t), state):
            return self._ask(state.at(CATEGORY, category=choice), ctx)
        return self._ask(state, ctx, ctx.t("exercises.use_buttons"))

    def _handle_category(
        self, state: FlowState, event: Event, library: Mapping[str, Exercise], ctx: Context
    ) -> Outcome:
        category = state.answers.get("category")
        if category not in self._categories(library, state):
            return self._ask(state.at(MENU), ctx)
        in_category = {ex.id: ex for ex in library.values() if ex.category == category}
        choice = self._pressed(event, (BACK,))
        if choice == BACK:
            return self._ask(state.at(MENU), ctx)
        if isinstance(event, Press) and event.value in in_category:
            return self._open(state, in_category[event.value], ctx)
        return self._ask(state, ctx, ctx.t("exercises.use_buttons"))

    def _handle_walk_base(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        if self._is_stop(event):
            return Outcome(None, (Reply(ctx.t("exercises.stopped_before_start")),))
        minutes: int | None = None
        if isinstance(event, Press):
            minutes = int(event.value) if event.value in _BASELINE_VALUES else None
        else:
            minutes = parse_minutes(event.text) or _walk_minutes(
                typed_answer.number(event.text, ctx.t)
            )
        if minutes is None:
            return self._ask(state, ctx, ctx.t("exercises.walk.baseline_invalid"))
        return self._begin(state, exercise, minutes, ctx)

    def _handle_walk_level(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        if self._is_stop(event):
            return Outcome(None, (Reply(ctx.t("exercises.stopped_before_start")),))
        options = self._walk_options(state)
        value = event.value if isinstance(event, Press) else None
        if value in options:
            return self._begin(state, exercise, options[value], ctx)
        return self._ask(state, ctx, ctx.t("exercises.use_buttons"))

    def _handle_guide(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        level = _walk_minutes(state.answers.get("level"))
        if self._is_stop(event):
            lines = [ctx.t("exercises.stopped")]
            if exercise.safety:
                lines.append(ctx.t("exercises.safety_marker") + exercise.safety)
            fact = ExerciseFinished(exercise.id, None, completed=False, level=level)
            return Outcome(None, (Reply("\n\n".join(lines)),), (fact,) if _keeps(state) else ())
        choice = self._pressed(event, (NEXT,))
        if choice != NEXT:
            return self._ask(state, ctx, ctx.t("exercises.use_buttons_guide"))
        index = self._index(state, exercise) + 1
        if index < len(exercise.steps):
            nxt = state.at(GUIDE, index=index)
            return Outcome(nxt, (self._step(exercise, index, ctx),))
        if not _keeps(state):  # nothing is kept, so no rating to keep either
            text = f"{exercise.closing}\n\n{ctx.t('exercises.rate.not_kept')}"
            return Outcome(None, (Reply(text, self._another(ctx)),))
        if exercise.id == WALK_ID and level is not None:
            return self._ask(state.at(WALK_DONE), ctx)  # its closing asks how long it was
        return self._ask(state.at(RATE), ctx, exercise.closing)

    def _handle_walk_done(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        """How long the walk really was: only that is counted, never the plan by itself.
        Longer than planned counts as the plan: the plan, not a good day, steps it up."""
        t = ctx.t
        planned = _walk_minutes(state.answers.get("level"))
        if planned is None:  # a walk without today's plan cannot be counted against it
            return self._ask(
                FlowState(self.name, MENU, self._keep_walk(state)), ctx, t("exercises.restarted")
            )
        # A typed button label arrives as a press (flows.typed_answer, in the engine).
        choice = event.value if isinstance(event, Press) else None
        if choice == NOT_WALKED:
            fact = ExerciseFinished(exercise.id, None, completed=False, level=planned)
            another = Choice(t("exercises.another"), command=NAME)
            return Outcome(None, (Reply(t("exercises.walk.not_walked"), ((another,),)),), (fact,))
        walked: int | None = planned
        if choice != LONGER and isinstance(event, Press):
            durations = {str(minutes): minutes for minutes in walk_durations(planned)}
            walked = durations.get(event.value)
        elif choice != LONGER and isinstance(event, Text):
            walked = parse_minutes(event.text)
        if walked is None:
            return self._ask(state, ctx, t("exercises.walk.walked_invalid"))
        if choice == LONGER or walked > planned:
            key, walked = "walked_more", planned
        else:
            key = "walked_planned" if walked == planned else "walked_less"
        said = t(f"exercises.walk.{key}", walked=walked, planned=planned)
        return self._ask(state.at(RATE, walked=walked), ctx, said)

    def _handle_rate(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        t = ctx.t
        level = _walk_minutes(state.answers.get("level"))
        if exercise.id == WALK_ID:
            level = _walk_minutes(state.answers.get("walked"))
            if level is None:  # a state from before "how long was it?": ask it now
                return self._ask(state.at(WALK_DONE), ctx)
        rating: int | None = None
        if isinstance(event, Press):
            if event.value != SKIP:
                rating = int(event.value) if event.value in SCORE_VALUES else None
                if rating is None:
                    return self._ask(state, ctx, t("common.not_a_number", lo=0, hi=10))
        else:
            rating = parse_score(event.text)
            if rating is None:
                return self._ask(state, ctx, t("common.not_a_number", lo=0, hi=10))
        lines = [
            t("exercises.rate.saved", rating=rating)
            if rating is not None
            else t("exercises.rate.skipped"),
            t("exercises.rate.well_done"),
        ]
        if exercise.id == WALK_ID:
            lines.append(t("exercises.walk.finished"))
        fact = ExerciseFinished(exercise.id, rating, completed=True, level=level)
        return Outcome(None, (Reply(" ".join(lines), self._another(ctx)),), (fact,))

    @staticmethod
    def _another(ctx: Context) -> tuple[tuple[Choice, ...], ...]:
        return ((Choice(ctx.t("exercises.another"), command=NAME),),)

    # -- moving between steps --------------------------------------------------------------

    def _open(self, state: FlowState, exercise: Exercise, ctx: Context) -> Outcome:
        """Go into ``exercise``: graded walking first settles today's minutes."""
        if exercise.id == WALK_ID:
            prev = _walk_minutes(state.answers.get("walk_prev"))
            step = WALK_BASE if prev is None else WALK_LEVEL
            return self._ask(state.at(step, exercise=exercise.id), ctx)
        return self._begin(state, exercise, None, ctx)

    def _begin(
        self, state: FlowState, exercise: Exercise, level: int | None, ctx: Context
    ) -> Outcome:
        nxt = state.at(GUIDE, exercise=exercise.id, index=0, level=level)
        facts = (ExerciseStarted(exercise.id),) if _keeps(state) else ()
        return Outcome(nxt, self.current(nxt, ctx), facts)

    def _ask(self, state: FlowState, ctx: Context, prefix: str | None = None) -> Outcome:
        """Show ``state``'s question, after ``prefix`` (why we ask again) if any."""
        replies = self.current(state, ctx)
        if prefix:
            first = replies[0]
            replies = (Reply(f"{prefix}\n\n{first.text}", first.choices), *replies[1:])
        return Outcome(state, replies)

    # -- replies -------------------------------------------------------------------------

    def _question(self, state: FlowState, library: Mapping[str, Exercise], ctx: Context) -> Reply:
        t = ctx.t
        step = state.step
        stop_row = (Choice(t("exercises.stop"), STOP, means="stop"),)
        if step == CATEGORY and state.answers.get("category") in self._categories(library, state):
            category = str(state.answers["category"])
            rows = [
                (Choice(self._menu_label(ex, ctx), ex.id),)
                for ex in library.values()
                if ex.category == category
            ]
            rows.append((Choice(t("exercises.back"), BACK, means="back"),))
            text = t("exercises.category_prompt", category=t(f"exercises.categories.{category}"))
            return Reply(text, tuple(rows))
        exercise = library.get(str(state.answers.get("exercise")))
        if step == WALK_BASE and exercise is not None:
            buttons = tuple(
                Choice(t("exercises.walk.minutes_button", minutes=minutes), str(minutes))
                for minutes in WALK_BASELINES
            )
            return Reply(f"{exercise.title}\n\n{t('exercises.walk.baseline')}", (buttons, stop_row))
        if step == WALK_LEVEL and exercise is not None:
            return Reply(
                f"{exercise.title}\n\n{self._walk_text(state, ctx)}",
                (*self._walk_rows(state, ctx), stop_row),
            )
        if step == WALK_DONE and exercise is not None:
            return Reply(exercise.closing, self._walked_rows(state, ctx))
        if step == RATE and exercise is not None:
            scale = (
                tuple(Choice(value, value) for value in SCORE_VALUES[:6]),
                tuple(Choice(value, value) for value in SCORE_VALUES[6:]),
                (Choice(t("common.skip"), SKIP, means="skip"),),
            )
            return Reply(t(f"exercises.rate.{exercise.kind}"), scale)
        # MENU, and any step without what it needs: the menu is always a safe place.
        menu = [
            (Choice(t(f"exercises.categories.{category}"), category),)
            for category in self._categories(library, state)
        ]
        menu.append((Choice(t("exercises.close"), CLOSE, means="stop"),))
        calm_only = _caution(state) is not None
        return Reply(t("caution.calm_menu" if calm_only else "exercises.menu"), tuple(menu))

    def _intro(self, exercise: Exercise, state: FlowState, ctx: Context) -> Reply:
        t = ctx.t
        level = _walk_minutes(state.answers.get("level"))
        minutes = level if level is not None else exercise.duration_min
        parts = [t("exercises.header", title=exercise.title, minutes=minutes), exercise.intro]
        if level is not None:
            parts.append(t("exercises.walk.today", minutes=level, half=half_walk(level)))
        if exercise.safety:
            parts.append(t("exercises.safety_marker") + exercise.safety)
        caution = _caution(state)
        if caution is not None:
            parts.append(cn.line(caution, ctx))
        return Reply("\n\n".join(parts))

    def _step(self, exercise: Exercise, index: int, ctx: Context) -> Reply:
        t = ctx.t
        progress = t("exercises.progress", number=index + 1, total=len(exercise.steps))
        return Reply(
            f"{progress}\n\n{exercise.steps[index]}",
            (
                (
                    Choice(t("exercises.next"), NEXT, means="continue"),
                    Choice(t("exercises.stop"), STOP, means="stop"),
                ),
            ),
        )

    def _menu_label(self, exercise: Exercise, ctx: Context) -> str:
        if exercise.id == WALK_ID:
            return exercise.title  # its length is the user's own level, not a fixed time
        return ctx.t("exercises.menu_minutes", title=exercise.title, minutes=exercise.duration_min)

    # -- graded walking ------------------------------------------------------------------

    def _walk_plan(self, state: FlowState) -> tuple[int, int, int]:
        """(previous level, earlier days walked at it, today's planned level)."""
        prev = _walk_minutes(state.answers.get("walk_prev")) or WALK_BASELINES[0]
        days = _history_days(state.answers.get("walk_days"))
        return prev, days, next_walking_level(prev, days)

    def _walk_options(self, state: FlowState) -> dict[str, int]:
        prev, _, planned = self._walk_plan(state)
        options = {UP: planned} if planned > prev else {}
        options[SAME] = prev
        if a_bit_less(prev) < prev:
            options[LESS] = a_bit_less(prev)
        return options

    def _walk_text(self, state: FlowState, ctx: Context) -> str:
        prev, days, planned = self._walk_plan(state)
        if planned > prev:
            return ctx.t("exercises.walk.propose_up", current=prev, days=days, next=planned)
        return ctx.t(
            "exercises.walk.propose_same", current=prev, days=days, needed=DAYS_BEFORE_RAISE
        )

    def _walk_rows(self, state: FlowState, ctx: Context) -> tuple[tuple[Choice, ...], ...]:
        options = self._walk_options(state)
        labels = {
            UP: "exercises.walk.go_up",
            SAME: "exercises.walk.keep_same" if UP in options else "exercises.walk.go_same",
            LESS: "exercises.walk.a_bit_less",
        }
        return tuple(
            (Choice(ctx.t(labels[value], minutes=minutes), value),)
            for value, minutes in options.items()
        )

    def _walked_rows(self, state: FlowState, ctx: Context) -> tuple[tuple[Choice, ...], ...]:
        """A button per duration (the plan first), then "longer" and "I didn't walk"."""
        t = ctx.t
        planned = _walk_minutes(state.answers.get("level")) or WALK_BASELINES[0]
        durations = tuple(
            Choice(
                t(
                    "exercises.walk.walked_planned_button"
                    if minutes == planned
                    else "exercises.walk.minutes_button",
                    minutes=minutes,
                ),
                str(minutes),
            )
            for minutes in walk_durations(planned)
        )
        rows = (
            durations[:1],
            durations[1:],
            (Choice(t("exercises.walk.walked_longer"), LONGER),),
            (Choice(t("exercises.walk.walked_none"), NOT_WALKED),),
        )
        return tuple(row for row in rows if row)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _categories(library: Mapping[str, Exercise], state: FlowState) -> list[str]:
        """Categories that have at least one exercise, in menu order; only the calm ones
        while a caution is open."""
        present = {ex.category for ex in library.values()}
        if _caution(state) is not None:
            present &= set(CALM_CATEGORIES)
        return [category for category in CATEGORIES if category in present]

    @staticmethod
    def _index(state: FlowState, exercise: Exercise) -> int:
        """The saved step index, clamped into range (a state from older content)."""
        index = state.answers.get("index")
        if isinstance(index, bool) or not isinstance(index, int):
            return 0
        return max(0, min(index, len(exercise.steps) - 1))

    @staticmethod
    def _keep_walk(state: FlowState) -> dict[str, Any]:
        """What start copied from history (the walk so far, an open caution, whether
        anything is kept)."""
        return {
            "walk_prev": _walk_minutes(state.answers.get("walk_prev")),
            "walk_days": _history_days(state.answers.get("walk_days")),
            "caution": state.answers.get("caution"),
            "keep": _keeps(state),
        }

    @staticmethod
    def _pressed(event: Event, options: Container[str]) -> str | None:
        """The option a press picks; typed labels arrive as presses (flows.typed_answer)."""
        return event.value if isinstance(event, Press) and event.value in options else None

    def _is_stop(self, event: Event) -> bool:
        return self._pressed(event, (STOP,)) == STOP


def _keeps(state: FlowState) -> bool:
    """Whether this exercise is logged (the user agreed to storing data); a state saved
    before the flag existed belonged to a consenting user."""
    return state.answers.get("keep") is not False


def _caution(state: FlowState) -> cn.Caution | None:
    return cn.Caution.of(state.answers.get("caution"))


def _preface(outcome: Outcome, text: str, *facts: object) -> Outcome:
    """``outcome`` with ``text`` said first and ``facts`` recorded first."""
    return Outcome(outcome.state, (Reply(text), *outcome.replies), (*facts, *outcome.facts))
