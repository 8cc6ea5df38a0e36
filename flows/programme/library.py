"""Choosing exercises for a day: the block, the day's skill, the flare-up routine.

The exercise library itself is content (``exercises.toml``), so this module takes only
what the choice needs, id -> (category, minutes, level), as an argument and stays
pure. Choices are deterministic: the same day always gets the same exercises (so
``/today`` shows the same block on every visit), and the starting point moves on by
one each programme day, so the exercises rotate within the level rather than repeat
(docs/CLINICAL.md, "The coaching programme").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Skill:
    """Today's skill and which kind it turned out to be."""

    exercise_id: str
    kind: SkillKind


def top_level(library: Library) -> int:
    """The highest exercise level of the block's categories (1 for an empty library)."""
    return max(
        (spec.level for spec in library.values() if spec.category in BLOCK_CATEGORIES),
        default=1,
    )


def rotated(ids: Sequence[str], offset: int) -> list[str]:
    """``ids`` starting at ``offset`` (modulo its length) and wrapping round."""
    if not ids:
        return []
    start = offset % len(ids)
    return [*ids[start:], *ids[:start]]


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
    at_level = sorted(_ids(library, BLOCK_CATEGORIES, lambda spec: spec.level == level))
    below = sorted(
        _ids(library, BLOCK_CATEGORIES, lambda spec: spec.level < level),
        key=lambda ex_id: (-library[ex_id].level, ex_id),
    )
    return _fill(library, [*rotated(at_level, offset), *rotated(below, offset)], count, minutes)


def pick_gentle(library: Library, offset: int) -> tuple[str, ...]:
    """About five minutes of the easiest movement exercises, for a flare-up day."""
    easiest = min(
        (spec.level for spec in library.values() if spec.category in GENTLE_CATEGORIES),
        default=1,
    )
    ids = sorted(_ids(library, GENTLE_CATEGORIES, lambda spec: spec.level == easiest))
    return _fill(library, rotated(ids, offset), GENTLE_EXERCISES, GENTLE_MINUTES)


def pick_skill(library: Library, kind: SkillKind, offset: int) -> Skill | None:
    """A 2-4 minute skill of ``kind``, rotated by ``offset``.

    When the library has no short skill of that kind, the other kind stands in: a calm
    two minutes of either helps more than none. None when there is no short skill at all.
    """
    other: SkillKind = "stress" if kind == "relaxation" else "relaxation"
    for wanted in (kind, other):
        ids = sorted(
            _ids(
                library,
                SKILL_CATEGORIES[wanted],
                lambda spec: SKILL_MINUTES[0] <= spec.minutes <= SKILL_MINUTES[1],
            )
        )
        if ids:
            return Skill(rotated(ids, offset)[0], wanted)
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
