"""What both learners (the vector classifier and the lexical model) learn towards: one
row per sentence, classes balanced so that a label with few sentences counts as much
as one with many, and alarm examples weighted up. Kept in one place so that the two
views of a sentence never disagree on what matters most."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from flows.understanding.labels import ALARMS, Label

ALARM_WEIGHT = 2.0
"""Extra weight on alarm examples while learning: a missed cry for help costs far more
than a gentle question asked once too often."""


@dataclass(frozen=True)
class Targets:
    classes: tuple[Label, ...]
    """The labels present, in the order of :class:`Label`."""
    onehot: NDArray[np.float64]
    """One row per sentence, a 1 in its class's column."""
    weight: NDArray[np.float64]
    """One per sentence, summing to 1."""


def targets(labels: Sequence[Label]) -> Targets:
    classes = tuple(sorted(set(labels), key=lambda label: list(Label).index(label)))
    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    n, k = len(labels), len(classes)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    weight = (n / (k * counts))[y]
    for label in ALARMS & set(classes):
        weight[y == index[label]] *= ALARM_WEIGHT
    weight /= weight.sum()
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    return Targets(classes, onehot, weight)
