"""What the self-check's scores point to, decided once for every message that speaks of them.

Why a module of its own: the profile's next steps (:func:`flows.scoring.next_steps`) and
the suggested daily plan (:mod:`flows.plan`) used to apply rules of their own to the same
scores, and told people different things: the profile said stress plays "probably some"
part while the plan said "a big part", and a profile that recommended slow breathing
came with a plan without it. Both now read one :class:`Advice`, so they cannot drift.

The rules of thumb come from docs/CLINICAL.md: break up sitting every 30-60 minutes, change
position often rather than hold one "right" posture, slow breathing when stress plays a
part, a graded walk by the plan for fear of movement or pain that lasts or keeps coming
back (WalkBack). After the crisis lines were shown the advice is light: someone who just
said they feel hopeless needs people to talk to and a calm moment, not a list of chores.

Scores come from ``flows.scoring.Scores.to_dict()`` as stored with a result, possibly by
an older version: anything missing, malformed or unknown reads as "we don't know",
never as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

STRESS_ROLES: Final = ("low", "some", "strong")
"""The levels of :func:`flows.scoring.stress_role` (kept here so scoring can import us)."""

SITTING_FACTORS: Final = frozenset({"sitting", "long_sitting"})
DRIVING_FACTORS: Final = frozenset({"driving"})
POSTURE_FACTORS: Final = frozenset({"posture", "sitting", "walking"})
FITNESS_FACTORS: Final = frozenset({"fitness", "weak_core"})
SITTING_TRIGGERS: Final = frozenset({"sitting", "long_sitting"})
DRIVING_TRIGGERS: Final = frozenset({"driving"})
POSTURE_TRIGGERS: Final = frozenset({"standing"})
WALK_DURATIONS: Final = ("subacute", "chronic", "recurrent")

BUSY_BREAKS: Final = frozenset({"sitting", "driving"})
"""Movement-break reasons that mean "break up sitting every 30 to 60 minutes"."""


@dataclass(frozen=True)
class Advice:
    """The facts every message about a result speaks from.

    Each exercise field is the reason key (``reminders.reason.<key>``) it is recommended
    for, or None when it is not: ``movement`` breaks, ``posture`` changes, slow
    ``breathing``, the graded ``walking`` plan. ``stress_role`` is the part stress plays
    (None when stress was not asked). ``light`` is the gentle advice after a crisis.
    """

    stress_role: str | None
    light: bool
    movement: str | None
    posture: str | None
    breathing: str | None
    walking: str | None

    @property
    def busy_breaks(self) -> bool:
        """Breaks every 30 to 60 minutes, for people who sit or drive a lot."""
        return self.movement in BUSY_BREAKS


# -- reading the scores without trusting them ----------------------------------------


def _ids(scores: Mapping[str, Any], *keys: str) -> frozenset[str]:
    """String ids listed under any of ``keys``; anything else is ignored."""
    found: set[str] = set()
    for key in keys:
        value = scores.get(key)
        if isinstance(value, list | tuple | set | frozenset):
            found.update(item for item in value if isinstance(item, str))
    return frozenset(found)


def _text(scores: Mapping[str, Any], key: str) -> str | None:
    value = scores.get(key)
    return value if isinstance(value, str) else None


# -- one rule of thumb per exercise ----------------------------------------------------


def _movement(physical: frozenset[str], worse: frozenset[str]) -> str:
    if physical & SITTING_FACTORS or worse & SITTING_TRIGGERS:
        return "sitting"
    if physical & DRIVING_FACTORS or worse & DRIVING_TRIGGERS:
        return "driving"
    return "stay_active"


def _posture(physical: frozenset[str], worse: frozenset[str]) -> str | None:
    return "posture" if physical & POSTURE_FACTORS or worse & POSTURE_TRIGGERS else None


def _breathing(role: str | None, physical: frozenset[str], worse: frozenset[str]) -> str | None:
    """Breathing says exactly the part stress plays: "a big part" only when it is strong."""
    if role == "strong":
        return "stress"
    if "stress" in worse:
        return "stress_worse"
    if role == "some":
        return "some_stress"
    if "tension" in physical:
        return "tension"
    if role is None:
        return "default"  # stress was not asked: breathing is a safe, calming default
    return None


def _walking(scores: Mapping[str, Any], physical: frozenset[str]) -> str | None:
    if scores.get("fear_avoidance") is True:
        return "fear"
    if _text(scores, "risk") == "high":
        return "high_risk"
    duration = _text(scores, "duration")
    if duration in WALK_DURATIONS:
        return duration
    if physical & FITNESS_FACTORS:
        return "fitness"
    return None


def advise(scores: Mapping[str, Any] | None) -> Advice:
    """The advice for a result's scores; None (the self-check was skipped) gives the
    sensible default: gentle movement breaks and breathing."""
    if not isinstance(scores, Mapping):
        scores = {}
    role = _text(scores, "stress_role")
    role = role if role in STRESS_ROLES else None
    physical = _ids(scores, "physical_factors")
    worse = _ids(scores, "worse_with", "aggravators")
    breathing = _breathing(role, physical, worse)
    if scores.get("crisis") is True:
        return Advice(role, True, None, None, breathing, None)
    return Advice(
        stress_role=role,
        light=False,
        movement=_movement(physical, worse),
        posture=_posture(physical, worse),
        breathing=breathing,
        walking=_walking(scores, physical),
    )
