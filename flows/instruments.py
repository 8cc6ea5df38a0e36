"""Scoring of each questionnaire in the self-check: STarT Back, PHQ-4, PSS-4, PSEQ-2.

Why a module of its own: the bands decide what a person is told about their pain, so
each rule sits here in one small function with its boundaries written out, and the
tests walk every boundary. These functions take the items in instrument order and know
nothing of the flow's answer keys; :mod:`flows.scoring` feeds them the answers.

The questions borrow the *constructs and scoring logic* of published instruments (see
docs/CLINICAL.md), asked in our own words: the results are rough levels for a
self-check, never a validated score or a diagnosis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

RISKS: Final = ("low", "medium", "high")
PHQ4_BANDS: Final = ("normal", "mild", "moderate", "severe")
PSS4_LEVELS: Final = ("low", "raised", "high")
PSEQ2_BANDS: Final = ("low", "moderate", "good")

BOTHER_RANGE: Final = (0, 4)
PHQ_ITEM_RANGE: Final = (0, 3)
PSS_ITEM_RANGE: Final = (0, 4)
PSEQ_ITEM_RANGE: Final = (0, 6)

PSS4_REVERSED: Final = (1, 2)
"""Zero-based PSS-4 items phrased positively (coping, things going your way)."""


def in_range(value: int, bounds: tuple[int, int], name: str) -> int:
    """``value`` when it is a real int within ``bounds``; anything else is a bug in the
    caller, so it raises ValueError naming what was wrong."""
    lo, hi = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
    return value


def _items(values: Sequence[int], count: int, bounds: tuple[int, int], name: str) -> list[int]:
    if len(values) != count:
        raise ValueError(f"{name} needs {count} items, got {len(values)}")
    return [in_range(v, bounds, f"{name} item") for v in values]


# -- STarT Back style stratification -------------------------------------------------


@dataclass(frozen=True)
class StartBack:
    """Total 0-9, psychosocial subscale (items 5-9) 0-5 and the risk band."""

    total: int
    psych: int
    risk: str


def startback_risk(total: int, psych: int) -> str:
    """Low: total 0-3. High: subscale 4 or more. Otherwise medium."""
    in_range(total, (0, 9), "total")
    in_range(psych, (0, 5), "psychosocial subscale")
    if psych > total:
        raise ValueError("the subscale cannot exceed the total")
    if total <= 3:
        return "low"
    if psych >= 4:
        return "high"
    return "medium"


def startback(agree: Sequence[bool], bother: int) -> StartBack:
    """Score eight agree/disagree items (in instrument order) and bothersomeness 0-4.

    Bothersomeness scores 1 for its top two levels ("a lot", "extremely").
    """
    if len(agree) != 8:
        raise ValueError(f"8 agree/disagree items needed, got {len(agree)}")
    points = [1 if item else 0 for item in agree]
    points.append(1 if in_range(bother, BOTHER_RANGE, "bothersomeness") >= 3 else 0)
    total = sum(points)
    psych = sum(points[4:])
    return StartBack(total, psych, startback_risk(total, psych))


# -- PHQ-4, PSS-4, PSEQ-2 --------------------------------------------------------------


@dataclass(frozen=True)
class Phq4:
    total: int
    anxiety: int
    mood: int
    band: str
    talk_to_doctor: bool


def phq4_band(total: int) -> str:
    """0-2 normal, 3-5 mild, 6-8 moderate, 9-12 severe."""
    in_range(total, (0, 12), "PHQ-4 total")
    if total <= 2:
        return "normal"
    if total <= 5:
        return "mild"
    if total <= 8:
        return "moderate"
    return "severe"


def phq4(items: Sequence[int]) -> Phq4:
    """Four items 0-3: nervous, worrying, little interest, down or hopeless.

    Either pair (anxiety: the first two, mood: the last two) at 3 or more suggests a
    talk with a doctor, whatever the total.
    """
    nervous, worry, interest, down = _items(items, 4, PHQ_ITEM_RANGE, "PHQ-4")
    anxiety, mood = nervous + worry, interest + down
    total = anxiety + mood
    return Phq4(total, anxiety, mood, phq4_band(total), anxiety >= 3 or mood >= 3)


def pss4(items: Sequence[int]) -> int:
    """Four items 0-4 over the last month; items 2 and 3 are reverse scored. 0-16."""
    values = _items(items, 4, PSS_ITEM_RANGE, "PSS-4")
    return sum(4 - v if i in PSS4_REVERSED else v for i, v in enumerate(values))


def pss4_level(total: int) -> str:
    """Our own rough bands (PSS-4 has no official cut-offs): 0-5 low, 6-9 raised, 10+ high.

    Population averages sit around 4 to 6, so 10 or more is well above usual.
    """
    in_range(total, (0, 16), "PSS-4 total")
    if total <= 5:
        return "low"
    if total <= 9:
        return "raised"
    return "high"


def pseq2(items: Sequence[int]) -> int:
    """Confidence in working and living normally despite the pain, each 0-6; 0-12."""
    return sum(_items(items, 2, PSEQ_ITEM_RANGE, "PSEQ-2"))


def pseq2_band(total: int) -> str:
    """Our own rough bands: 0-5 low, 6-8 moderate, 9-12 good confidence."""
    in_range(total, (0, 12), "PSEQ-2 total")
    if total <= 5:
        return "low"
    if total <= 8:
        return "moderate"
    return "good"
