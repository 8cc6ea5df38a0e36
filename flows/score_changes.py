"""Comparing a self-check with an earlier one: which scores got better or worse, and the
lines that tell the person.

Kept apart from the scoring itself because it reads two *stored* results, which may come
from an older version or be damaged: anything malformed is skipped, never raised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from flows.advice import STRESS_ROLES
from flows.i18n import Translator
from flows.instruments import RISKS, in_range
from flows.scoring import PAIN_RANGE, as_int


@dataclass(frozen=True)
class Delta:
    """One score then and now; ``trend`` is better/slightly_better/same/slightly_worse/worse."""

    key: str
    before: int | str
    after: int | str
    trend: str


def pain_trend(before: int, after: int) -> str:
    """A drop of 2 points or more is felt as real change; 1 point is "slightly"."""
    in_range(before, PAIN_RANGE, "pain before")
    in_range(after, PAIN_RANGE, "pain after")
    change = after - before
    if change <= -2:
        return "better"
    if change == -1:
        return "slightly_better"
    if change == 0:
        return "same"
    if change == 1:
        return "slightly_worse"
    return "worse"


_NUMERIC: Final[dict[str, tuple[tuple[int, int], bool]]] = {
    # key: (range, higher is better)
    "phq4_total": ((0, 12), False),
    "pss4": ((0, 16), False),
    "pseq2": ((0, 12), True),
}
_ORDINAL: Final[dict[str, tuple[str, ...]]] = {"risk": RISKS, "stress_role": STRESS_ROLES}
COMPARED: Final = ("pain_now", "pain_avg", "risk", "stress_role", "phq4_total", "pss4", "pseq2")


def _sign_trend(improvement: int) -> str:
    return "better" if improvement > 0 else "worse" if improvement < 0 else "same"


def _delta(key: str, before: Any, after: Any) -> Delta | None:
    if key in _ORDINAL:
        levels = _ORDINAL[key]
        if not (
            isinstance(before, str)
            and isinstance(after, str)
            and before in levels
            and after in levels
        ):
            return None
        return Delta(key, before, after, _sign_trend(levels.index(before) - levels.index(after)))
    bounds, higher_better = _NUMERIC.get(key, (PAIN_RANGE, False))
    old, new = as_int(before, bounds), as_int(after, bounds)
    if old is None or new is None:
        return None
    if key in ("pain_now", "pain_avg"):
        return Delta(key, old, new, pain_trend(old, new))
    return Delta(key, old, new, _sign_trend(new - old if higher_better else old - new))


def compare_scores(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[Delta]:
    """Deltas for the scores both results hold validly; anything malformed is skipped."""
    deltas = (_delta(key, previous.get(key), current.get(key)) for key in COMPARED)
    return [delta for delta in deltas if delta is not None]


_SCORE_NAMES: Final[Mapping[str, str]] = {
    "pain_now": "pain_test.compare.names.pain_now",
    "pain_avg": "pain_test.compare.names.pain_avg",
    "risk": "pain_test.compare.names.risk",
    "stress_role": "pain_test.compare.names.stress_role",
    "phq4_total": "pain_test.compare.names.phq4_total",
    "pss4": "pain_test.compare.names.pss4",
    "pseq2": "pain_test.compare.names.pseq2",
}
"""By :data:`COMPARED`."""
_LEVEL_NAMES: Final[Mapping[str, str]] = {
    "low": "pain_test.compare.levels.low",
    "medium": "pain_test.compare.levels.medium",
    "high": "pain_test.compare.levels.high",
    "some": "pain_test.compare.levels.some",
    "strong": "pain_test.compare.levels.strong",
}
"""The levels of :data:`flows.instruments.RISKS` and :data:`flows.advice.STRESS_ROLES`."""
_TREND_NAMES: Final[Mapping[str, str]] = {
    "better": "pain_test.compare.trends.better",
    "slightly_better": "pain_test.compare.trends.slightly_better",
    "same": "pain_test.compare.trends.same",
    "slightly_worse": "pain_test.compare.trends.slightly_worse",
    "worse": "pain_test.compare.trends.worse",
}


def compare(
    previous_scores: Mapping[str, Any], current_scores: Mapping[str, Any], t: Translator
) -> str:
    """One line per score both results hold, e.g. "Pain now: 6 → 4 (better)"."""
    lines = []
    for delta in compare_scores(previous_scores, current_scores):
        before, after = delta.before, delta.after
        if delta.key in ("risk", "stress_role"):
            before = t(_LEVEL_NAMES[str(delta.before)])
            after = t(_LEVEL_NAMES[str(delta.after)])
        lines.append(
            t(
                "pain_test.compare.line",
                name=t(_SCORE_NAMES[delta.key]),
                before=before,
                after=after,
                trend=t(_TREND_NAMES[delta.trend]),
            )
        )
    return "\n".join(lines)


def previous_scores(value: object) -> Mapping[str, Any] | None:
    """The earlier scores from the bot, as a dict or its JSON text; junk is ignored."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None
