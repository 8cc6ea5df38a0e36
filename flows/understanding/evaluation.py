"""The figures that say whether the understanding layer is good enough, computed on the
validation part of the phrase bank: the same function feeds the tests (fixed data, so
the thresholds are deterministic) and ``python -m bench.understanding``.

A crisis sentence counts as caught when it gets the crisis lines or the direct question
(whose text names the line, so nobody leaves without it). An emergency sentence counts
when it gets the emergency advice or the question about the signs. Any alarm or
question on a harmless look-alike is a false alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

from flows.safety import Screen
from flows.understanding.bank import PhraseBank
from flows.understanding.classifier import Reader, Reading
from flows.understanding.labels import ALARMS, COACH_INTENTS, Label
from flows.understanding.safety_call import DEFAULT_THRESHOLDS, Call, Thresholds, decide_typed

CAUGHT: dict[Label, frozenset[Call]] = {
    Label.CRISIS: frozenset({Call.CRISIS_LINES, Call.ASK_CRISIS}),
    Label.EMERGENCY: frozenset({Call.EMERGENCY_ADVICE, Call.ASK_EMERGENCY}),
    Label.SAMEDAY: frozenset({Call.SAMEDAY_ADVICE, Call.EMERGENCY_ADVICE, Call.ASK_EMERGENCY}),
}
INTENT_FLOOR = 0.4
"""Below this probability the coach does not act on its best guess (the fallback)."""


def intent_of(reading: Reading, floor: float = INTENT_FLOOR) -> Label | None:
    """The coach intent to act on, or None for the honest fallback: also for an alarm
    below its thresholds, a harmless look-alike and anything off-topic."""
    best = reading.best
    if best not in COACH_INTENTS or reading.p(best) < floor:
        return None
    return best


@dataclass(frozen=True)
class Figures:
    crisis_recall: float
    emergency_recall: float
    sameday_recall: float
    false_alarms: float
    intent_accuracy: float
    sentences: int

    def as_dict(self) -> dict[str, float]:
        return {key: round(float(value), 4) for key, value in asdict(self).items()}


def figures(
    bank: PhraseBank,
    vectors: NDArray[np.float32],
    classifier: Reader,
    screen: Screen,
    limits: Thresholds = DEFAULT_THRESHOLDS,
) -> dict[str, Figures]:
    """Per language, on the validation part; ``vectors`` has one row per bank phrase."""
    index = {id(p): i for i, p in enumerate(bank.phrases)}
    result: dict[str, Figures] = {}
    for language in bank.languages:
        phrases = bank.split("validation", language)
        readings = classifier.read_many(
            vectors[[index[id(p)] for p in phrases]], [p.text for p in phrases]
        )
        rows = [
            (p.label, r, decide_typed(p.text, screen.check(p.text), r, limits))
            for p, r in zip(phrases, readings, strict=True)
        ]
        caught = {
            label: _share([call in allowed for lab, _, call in rows if lab is label])
            for label, allowed in CAUGHT.items()
        }
        coached = [lab for lab, _, _ in rows if lab not in ALARMS and lab is not Label.HARMLESS]
        result[language] = Figures(
            crisis_recall=caught[Label.CRISIS],
            emergency_recall=caught[Label.EMERGENCY],
            sameday_recall=caught[Label.SAMEDAY],
            false_alarms=1.0
            - _share([call is None for lab, _, call in rows if lab is Label.HARMLESS]),
            intent_accuracy=_share(
                [
                    call is None and intent_of(r) == (None if lab is Label.OTHER else lab)
                    for lab, r, call in rows
                    if lab in coached
                ]
            ),
            sentences=len(rows),
        )
    return result


def _share(hits: Sequence[bool]) -> float:
    return float(np.mean(hits)) if hits else 1.0
