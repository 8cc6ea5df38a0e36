"""A small classifier over sentence vectors (multinomial logistic regression), stacked
with the sentences' nearest examples and a lexical model of their letters; trained
once per phrase bank and encoder and stored in the vector cache.

Why this and not nearest neighbours alone: a sentence encoder puts every sentence of a
language fairly close together, and the plain nearest example is easily a look-alike
("this meeting is killing me" next to "I want to kill myself"). A linear layer learns
which directions of the vector carry the meaning that matters, from all examples at
once. It is deterministic: the same vectors give the same weights on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from flows.understanding.labels import Label
from flows.understanding.lexical import CHUNK, LexicalModel, cosines, in_letters
from flows.understanding.targets import targets

Vectors = NDArray[np.float32]


@dataclass(frozen=True)
class Reading:
    """How likely each label is for one sentence (the probabilities add up to 1), and
    how close it lies to the nearest examples of each label (mean cosine similarity of
    the closest few; empty when the reader keeps no examples)."""

    probabilities: Mapping[Label, float]
    neighbours: Mapping[Label, float] = field(default_factory=dict)

    @property
    def best(self) -> Label:
        return max(self.probabilities, key=lambda label: self.probabilities[label])

    def p(self, label: Label) -> float:
        return self.probabilities.get(label, 0.0)

    def look_alike_margin(self, label: Label) -> float:
        """How much closer the sentence lies to the nearest examples of ``label`` than
        to the nearest harmless look-alikes; +inf when no neighbours are known."""
        if label not in self.neighbours or Label.HARMLESS not in self.neighbours:
            return float("inf")
        return self.neighbours[label] - self.neighbours[Label.HARMLESS]


class Reader(Protocol):
    def read_many(self, vectors: Vectors, texts: Sequence[str]) -> list[Reading]: ...


@dataclass(frozen=True)
class Classifier:
    labels: tuple[Label, ...]
    mean: Vectors
    scale: Vectors
    weights: Vectors
    bias: Vectors

    @classmethod
    def fit(
        cls,
        vectors: Vectors,
        labels: Sequence[Label],
        *,
        l2: float = 1e-3,
        steps: int = 400,
        rate: float = 0.1,
    ) -> Classifier:
        """Full-batch gradient descent with Adam on the softmax loss, classes balanced
        (a label with fewer sentences counts as much as one with many)."""
        if len(vectors) != len(labels) or not len(labels):
            raise ValueError("one label per vector, and at least one of each")
        goal = targets(labels)
        classes, onehot, sample_weight = goal.classes, goal.onehot, goal.weight
        x = np.asarray(vectors, dtype=np.float64)
        mean = x.mean(axis=0)
        scale = x.std(axis=0) + 1e-6
        x = (x - mean) / scale
        d, k = x.shape[1], len(classes)
        w = np.zeros((d, k))
        b = np.zeros(k)
        m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        for step in range(1, steps + 1):
            probs = _softmax(x @ w + b)
            error = (probs - onehot) * sample_weight[:, None]
            grad_w = x.T @ error + l2 * w
            grad_b = error.sum(axis=0)
            m_w = beta1 * m_w + (1 - beta1) * grad_w
            v_w = beta2 * v_w + (1 - beta2) * grad_w**2
            m_b = beta1 * m_b + (1 - beta1) * grad_b
            v_b = beta2 * v_b + (1 - beta2) * grad_b**2
            correction1, correction2 = 1 - beta1**step, 1 - beta2**step
            w -= rate * (m_w / correction1) / (np.sqrt(v_w / correction2) + eps)
            b -= rate * (m_b / correction1) / (np.sqrt(v_b / correction2) + eps)
        return cls(
            classes,
            mean.astype(np.float32),
            scale.astype(np.float32),
            w.astype(np.float32),
            b.astype(np.float32),
        )

    def read_many(self, vectors: Vectors) -> list[Reading]:
        x = (np.asarray(vectors, dtype=np.float32) - self.mean) / self.scale
        probs = _softmax(x.astype(np.float64) @ self.weights + self.bias)
        return [
            Reading({label: float(row[i]) for i, label in enumerate(self.labels)}) for row in probs
        ]

    def read(self, vector: Vectors) -> Reading:
        return self.read_many(np.asarray(vector, dtype=np.float32).reshape(1, -1))[0]


def _softmax(z: NDArray[np.float64]) -> NDArray[np.float64]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    result: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return result


MODEL_VERSION = "stacked-3"
"""Part of the vector cache's key: a cache holds trained weights, so a change to how
the classifier is built or read must not load weights from an older build."""
NEIGHBOURS = 3
NEIGHBOUR_SCALE = 20.0
"""Cosine similarities between sentences of one encoder differ in the second decimal;
scaled up they weigh like the log-probabilities beside them."""
FOLDS = 5
BLOCK = 7
"""The bank lists paraphrases side by side; held-out readings that must not profit from
a near-copy leave out whole runs of this many neighbouring sentences."""


@dataclass(frozen=True)
class StackedClassifier:
    """Three views of a sentence, combined by a second linear layer.

    The linear layer sees directions of meaning shared by many examples; the nearest
    examples see the odd wording that only a few sentences share ("I gave my dog to the
    neighbour"); the lexical model (:mod:`flows.understanding.lexical`) sees the
    letters, which tell fixed idioms ("this meeting is killing me") from what they
    sound like. On the validation part no view alone kept false alarms low at high
    recall; the second layer learns how much to trust each, per label. It is trained on
    readings of sentences each view did not learn from: k-fold for the linear layer,
    neighbours other than the sentence itself, and for the letters whole blocks of
    paraphrases left out (a near-copy would make them look surer than they are on new
    text).
    """

    first: Classifier
    memory: Vectors
    memory_labels: tuple[Label, ...]
    second: Classifier
    lexical: LexicalModel

    @classmethod
    def fit(
        cls, vectors: Vectors, texts: Sequence[str], labels: Sequence[Label]
    ) -> StackedClassifier:
        x = np.asarray(vectors, dtype=np.float32)
        features, _ = _held_out_features(x, texts, labels)
        return cls(
            Classifier.fit(x, labels),
            x,
            tuple(labels),
            Classifier.fit(features, labels),
            LexicalModel.fit(texts, labels),
        )

    @cached_property
    def _grouped(self) -> tuple[Vectors, NDArray[np.intp], NDArray[np.intp]]:
        """The memory with the rows of each label side by side, worked out once: per
        message, finding each label's rows cost more than the encoder (tens of ms)."""
        order, bounds = _grouping(self.memory_labels)
        return np.ascontiguousarray(self.memory[order]), bounds, order

    def read_many(self, vectors: Vectors, texts: Sequence[str]) -> list[Reading]:
        x = np.asarray(vectors, dtype=np.float32)
        memory, bounds, order = self._grouped
        # einsum, not ``@``: for one message against the whole memory OpenBLAS wakes
        # all its threads, and on a busy machine waiting for them made the slowest
        # reads take 30 ms instead of 5 (p95, measured with eight jobs on two CPUs).
        similarity = np.einsum("id,md->im", x, memory)
        neighbours = _neighbour_scores(similarity, bounds)
        features = _features(
            _probabilities(self.first, x),
            neighbours,
            self.lexical.probabilities(texts),
            _neighbour_scores(self.lexical.similarities(texts)[:, order], bounds),
        )
        return _with_neighbours(self.second.read_many(features), neighbours)

    def read(self, vector: Vectors, text: str) -> Reading:
        return self.read_many(np.asarray(vector, dtype=np.float32).reshape(1, -1), [text])[0]


def _with_neighbours(readings: list[Reading], neighbours: NDArray[np.float64]) -> list[Reading]:
    return [
        replace(reading, neighbours={label: float(row[i]) for i, label in enumerate(Label)})
        for reading, row in zip(readings, neighbours, strict=True)
    ]


def _probabilities(model: Classifier, x: Vectors) -> NDArray[np.float64]:
    readings = model.read_many(x)
    return np.array([[r.p(label) for label in Label] for r in readings], dtype=np.float64)


def _blocks(count: int) -> NDArray[np.intp]:
    """The fold of each sentence when whole runs of ``BLOCK`` neighbours stay together."""
    return ((np.arange(count) // BLOCK) % FOLDS).astype(np.intp)


def _kept(labels: Sequence[Label], learn: NDArray[np.bool_]) -> list[Label]:
    return [label for label, keep in zip(labels, learn, strict=True) if keep]


def _held_out_features(
    x: Vectors, texts: Sequence[str], labels: Sequence[Label]
) -> tuple[Vectors, NDArray[np.float64]]:
    """What the second layer learns from: each view's reading of every training
    sentence by a model that did not learn from it; and the neighbour scores alone."""
    folds = np.arange(len(labels)) % FOLDS
    first = np.zeros((len(labels), len(Label)), dtype=np.float64)
    for fold in range(FOLDS):
        learn = folds != fold
        first[~learn] = _probabilities(Classifier.fit(x[learn], _kept(labels, learn)), x[~learn])
    blocks = _blocks(len(labels))
    lexical = np.zeros((len(labels), len(Label)), dtype=np.float64)
    for fold in range(FOLDS):
        learn = blocks != fold
        model = LexicalModel.fit(
            [t for t, keep in zip(texts, learn, strict=True) if keep], _kept(labels, learn)
        )
        lexical[~learn] = model.probabilities(
            [t for t, keep in zip(texts, learn, strict=True) if not keep]
        )
    similarity = x @ x.T
    np.fill_diagonal(similarity, -np.inf)
    neighbours = _all_neighbour_scores(similarity, labels)
    return _features(first, neighbours, lexical, _letter_neighbours(texts, labels)), neighbours


def _letter_neighbours(texts: Sequence[str], labels: Sequence[Label]) -> NDArray[np.float64]:
    """Per label, the nearest training sentences in letters, leaving out each
    sentence's own block of paraphrases; a chunk at a time, not sentences squared."""
    order, bounds = _grouping(labels)
    block = np.arange(len(labels)) // BLOCK
    kept, memory = in_letters(texts)
    width = len(kept)
    scores = np.zeros((len(labels), len(Label)), dtype=np.float64)
    for first in range(0, len(labels), CHUNK):
        end = min(first + CHUNK, len(labels))
        similarity = cosines(memory.part(first, end), memory, width)
        similarity[block[first:end, None] == block[None, :]] = -np.inf
        scores[first:end] = _neighbour_scores(similarity[:, order], bounds)
    # A label whose every example shares the sentence's block (only in a tiny bank).
    return np.where(np.isfinite(scores), scores, 0.0)


def _grouping(labels: Sequence[Label]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """An order of the examples that puts each label's side by side (in the order of
    :class:`Label`), and where each label's run starts and ends."""
    place = {label: i for i, label in enumerate(Label)}
    owner = np.array([place[label] for label in labels], dtype=np.intp)
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(len(Label) + 1)).astype(np.intp)
    return order.astype(np.intp), bounds


def _all_neighbour_scores(
    similarity: NDArray[np.float32], labels: Sequence[Label]
) -> NDArray[np.float64]:
    order, bounds = _grouping(labels)
    return _neighbour_scores(similarity[:, order], bounds)


def _neighbour_scores(
    similarity: NDArray[np.float32], bounds: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Per label, the mean similarity of the ``NEIGHBOURS`` closest examples; the
    columns of label ``i`` are ``bounds[i]:bounds[i + 1]``."""
    scores = np.zeros((similarity.shape[0], len(Label)), dtype=np.float64)
    for i in range(len(Label)):
        columns = similarity[:, bounds[i] : bounds[i + 1]]
        if columns.shape[1]:
            k = min(NEIGHBOURS, columns.shape[1])
            top = np.partition(columns, columns.shape[1] - k, axis=1)[:, -k:]
            scores[:, i] = top.mean(axis=1)
    return scores


def _features(
    probabilities: NDArray[np.float64],
    neighbours: NDArray[np.float64],
    lexical: NDArray[np.float64],
    letter_neighbours: NDArray[np.float64],
) -> Vectors:
    stacked = np.hstack(
        [
            np.log(probabilities + 1e-6),
            neighbours * NEIGHBOUR_SCALE,
            np.log(lexical + 1e-6),
            letter_neighbours * NEIGHBOUR_SCALE,
        ]
    )
    return stacked.astype(np.float32)


def held_out_readings(
    vectors: Vectors, texts: Sequence[str], labels: Sequence[Label]
) -> list[Reading]:
    """Readings of the training sentences by a stacked classifier that never learned
    from them (every layer held out): what the thresholds are tuned on, so that the
    validation part stays a measurement and never a target."""
    x = np.asarray(vectors, dtype=np.float32)
    features, neighbours = _held_out_features(x, texts, labels)
    # Blocks of neighbours in the bank's order go to the same fold, so the second
    # layer is not judged on near-copies of what it learned.
    blocks = _blocks(len(labels))
    readings: list[Reading | None] = [None] * len(labels)
    for fold in range(FOLDS):
        learn = blocks != fold
        model = Classifier.fit(features[learn], _kept(labels, learn))
        rows = np.where(~learn)[0]
        found = _with_neighbours(model.read_many(features[~learn]), neighbours[rows])
        for i, reading in zip(rows, found, strict=True):
            readings[int(i)] = reading
    return [r for r in readings if r is not None]
