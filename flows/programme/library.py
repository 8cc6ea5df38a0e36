"""Choosing exercises for a day: the block, the day's skill, the flare-up routine.

The exercise library itself is content (``exercises.toml``), so this module takes only
what the choice needs, id -> (category, minutes, level), as an argument and stays
pure. Choices are deterministic: the same day always gets the same exercises (so
``/today`` shows the same block on every visit), and the starting point moves on by
one each programme day, so the exercises rotate within the level rather than repeat
(docs/CLINICAL.md, "The coaching programme").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal

from flows.programme import codec
from flows.programme.records import MAX_LEVEL

SkillKind = Literal["relaxation", "stress"]

BLOCK_CATEGORIES: Final = ("movement", "mobility", "strength")
"""What an exercise block is made of; breathing and relaxation are the skills, and
graded walking is the day's activity goal."""
GENTLE_CATEGORIES: Final = ("movement", "mobility")
"""A flare-up's gentle routine: moving a little, nothing that loads the back."""
SKILL_CATEGORIES: Final[dict[SkillKind, tuple[str, ...]]] = {
    "relaxation": ("relaxation",),
    "stress": ("breathing",),
}
"""Breathing calms a stressed body fastest, so it is the stress skill; the longer
letting-go exercises are the relaxation skill."""
SKILL_MINUTES: Final = (2, 4)
"""A skill is short: 2-4 minutes."""
GENTLE_MINUTES: Final = (4, 5)
GENTLE_EXERCISES: Final = (1, 3)
"""About five minutes of gentle movement during a flare-up."""


@dataclass(frozen=True)
class ExerciseSpec:
    """What the programme needs to know of one library exercise."""

    category: str
    minutes: int
    level: int

    def __post_init__(self) -> None:
        codec.key(self.category, "category")
        codec.check_int(self.minutes, "minutes", 1, 60)
        codec.check_int(self.level, "level", 1, MAX_LEVEL)


Library = Mapping[str, ExerciseSpec]
"""Exercise id -> what the programme needs of it; an :class:`ExerciseLibrary` answers
the rules' questions fastest."""


class ExerciseLibrary(Mapping[str, ExerciseSpec]):
    """The library as the rules read it, fixed once built.

    Every person's plan asks it the same questions every day (the top level, the ids of
    a level in order, the skills of a kind), and the answers depend on the library
    alone, so each is worked out once and kept rather than by a scan of the whole
    library for every person and day. The content does not change while the bot runs;
    :func:`exercise_library` wraps any other mapping (a test's) on the way in.
    """

    def __init__(self, specs: Mapping[str, ExerciseSpec]) -> None:
        self._specs = dict(specs)
        self._by_level: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._chosen: dict[tuple[object, ...], tuple[str, ...]] = {}

    def __getitem__(self, ex_id: str) -> ExerciseSpec:
        return self._specs[ex_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @cached_property
    def top_level(self) -> int:
        """The highest exercise level of the block's categories (1 for an empty library)."""
        return max(
            (spec.level for spec in self.values() if spec.category in BLOCK_CATEGORIES),
            default=1,
        )

    def block_ids(self, level: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The block's exercises at ``level`` by id, and those below it, the highest
        level first (then by id): the two orders :func:`pick_block` rotates."""
        found = self._by_level.get(level)
        if found is None:
            at = sorted(_ids(self, BLOCK_CATEGORIES, lambda spec: spec.level == level))
            below = sorted(
                _ids(self, BLOCK_CATEGORIES, lambda spec: spec.level < level),
                key=lambda ex_id: (-self[ex_id].level, ex_id),
            )
            found = self._by_level[level] = (tuple(at), tuple(below))
        return found

    def remember(
        self, key: tuple[object, ...], choose: Callable[[], tuple[str, ...]]
    ) -> tuple[str, ...]:
        """``choose()``, worked out once per ``key``: for choices that depend on this
        library and the key alone (a level, where the day's rotation starts, the track's
        bounds), never on a person, so every person's plan shares them."""
        found = self._chosen.get(key)
        if found is None:
            found = self._chosen[key] = choose()
        return found

    @cached_property
    def gentle_ids(self) -> tuple[str, ...]:
        """The easiest movement exercises by id: a flare-up day's routine."""
        easiest = min(
            (spec.level for spec in self.values() if spec.category in GENTLE_CATEGORIES),
            default=1,
        )
        return tuple(sorted(_ids(self, GENTLE_CATEGORIES, lambda spec: spec.level == easiest)))

    @cached_property
    def skill_ids(self) -> dict[SkillKind, tuple[str, ...]]:
        """The short (2-4 minute) skills of each kind by id."""
        short = range(SKILL_MINUTES[0], SKILL_MINUTES[1] + 1)
        return {
            kind: tuple(sorted(_ids(self, categories, lambda spec: spec.minutes in short)))
            for kind, categories in SKILL_CATEGORIES.items()
        }


def exercise_library(library: Library) -> ExerciseLibrary:
    """``library`` itself when it is an :class:`ExerciseLibrary`, else one made from it."""
    return library if isinstance(library, ExerciseLibrary) else ExerciseLibrary(library)


@dataclass(frozen=True)
class Skill:
    """Today's skill and which kind it turned out to be."""

    exercise_id: str
    kind: SkillKind


def top_level(library: Library) -> int:
    """The highest exercise level of the block's categories (1 for an empty library)."""
    return exercise_library(library).top_level


def rotated(ids: Sequence[str], offset: int) -> list[str]:
    """``ids`` starting at ``offset`` (modulo its length) and wrapping round."""
    start = _start(ids, offset)
    return [*ids[start:], *ids[:start]]


def _start(ids: Sequence[str], offset: int) -> int:
    """Where :func:`rotated` starts ``ids``: all that ``offset`` changes of the order."""
    return offset % len(ids) if ids else 0


def pick_block(
    library: Library,
    level: int,
    offset: int,
    count: tuple[int, int],
    minutes: tuple[int, int],
) -> tuple[str, ...]:
    """2-4 exercises of 5-8 minutes (the bounds come from the track) at ``level``.

    Exercises at the level come first, rotated by ``offset``; when they cannot fill the
    block, easier ones (the highest level below first) make up the rest, because a
    short familiar exercise is better than a block that is too small. Nothing above the
    level is ever chosen. A library too small for the bounds gives what it can.
    """
    library = exercise_library(library)
    at_level, below = library.block_ids(level)

    def choose() -> tuple[str, ...]:
        order = [*rotated(at_level, offset), *rotated(below, offset)]
        return _fill(library, order, count, minutes)

    key = ("block", level, _start(at_level, offset), _start(below, offset), count, minutes)
    return library.remember(key, choose)


def pick_gentle(library: Library, offset: int) -> tuple[str, ...]:
    """About five minutes of the easiest movement exercises, for a flare-up day."""
    library = exercise_library(library)
    ids = library.gentle_ids
    return library.remember(
        ("gentle", _start(ids, offset)),
        lambda: _fill(library, rotated(ids, offset), GENTLE_EXERCISES, GENTLE_MINUTES),
    )


def pick_skill(library: Library, kind: SkillKind, offset: int) -> Skill | None:
    """A 2-4 minute skill of ``kind``, rotated by ``offset``.

    When the library has no short skill of that kind, the other kind stands in: a calm
    two minutes of either helps more than none. None when there is no short skill at all.
    """
    other: SkillKind = "stress" if kind == "relaxation" else "relaxation"
    skills = exercise_library(library).skill_ids
    for wanted in (kind, other):
        ids = skills[wanted]
        if ids:
            return Skill(ids[offset % len(ids)], wanted)
    return None


def _ids(
    library: Library, categories: Sequence[str], keep: Callable[[ExerciseSpec], bool]
) -> list[str]:
    return [ex_id for ex_id, spec in library.items() if spec.category in categories and keep(spec)]


def _fill(
    library: Library, order: Sequence[str], count: tuple[int, int], minutes: tuple[int, int]
) -> tuple[str, ...]:
    """The first choice, in ``order``'s preference, that meets both bounds.

    A plain greedy pass can take a long exercise first and then find nothing short
    enough for the second; a small depth-first search (at most 4 deep over a library
    of a few dozen) finds the preferred block that fits. When nothing fits, the greedy
    pass gives what it can.
    """
    cost = [library[ex_id].minutes for ex_id in order]

    def search(start: int, picked: tuple[int, ...], total: int) -> tuple[int, ...] | None:
        if len(picked) >= count[0] and total >= minutes[0]:
            return picked
        if len(picked) >= count[1]:
            return None
        for index in range(start, len(order)):
            if total + cost[index] <= minutes[1]:
                found = search(index + 1, (*picked, index), total + cost[index])
                if found is not None:
                    return found
        return None

    found = search(0, (), 0)
    if found is None:
        found = _greedy(cost, count[1], minutes[1])
    return tuple(order[index] for index in found)


def _greedy(cost: Sequence[int], most: int, budget: int) -> tuple[int, ...]:
    picked: list[int] = []
    for index, spent in enumerate(cost):
        if len(picked) < most and sum(cost[i] for i in picked) + spent <= budget:
            picked.append(index)
    return tuple(picked)
