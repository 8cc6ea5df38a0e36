"""A lexical view of a sentence: the letters and words it is written with.

The harmless look-alikes are mostly fixed idioms ("this meeting is killing me", "ik
ga dood van de verveling"), and the sentence encoder, small and quantised, hears the
death word in them. Letters tell such idioms apart where meaning blurs: a logistic
regression over hashed character 2-5-grams inside words (accent-folded, so "é" and
"e" agree and a missing accent costs nothing), whole words and pairs of neighbouring
words. It also keeps inflections and typos close ("killing", "kiling").

Pure numpy and deterministic: a fixed hash (CRC-32), full-batch training with a fixed
number of steps. Only the buckets the training sentences use are kept, so the weights
are small enough for the vector cache; a gram no training sentence had counts for
nothing, but still for the sentence's length (each row is normalised over all its
grams, known or not, so a reading does not depend on what was learned).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from flows.understanding.labels import Label
from flows.understanding.targets import targets

BUCKETS = 1 << 18
SHORTEST, LONGEST = 2, 5
"""Character n-grams from two to five letters, taken inside each word with its edges
marked (``<kil``, ``ing>``): enough for stems and endings, not whole phrases."""

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Lower-case words without accents (``Ça fait très mal`` -> ``ca fait tres mal``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def grams(text: str) -> list[str]:
    """Every feature of ``text``: the character n-grams of each word, each word, and
    each pair of neighbouring words (prefixed so they never hash like n-grams)."""
    found: list[str] = []
    tokens = words(text)
    for word in tokens:
        padded = f"<{word}>"
        for n in range(SHORTEST, LONGEST + 1):
            found.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
        found.append(f"w {word}")
    found.extend(f"p {a} {b}" for a, b in itertools.pairwise(tokens))
    return found


def hashed(text: str) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """The buckets of ``text``'s grams and their weights, L2-normalised over all of them."""
    codes = np.fromiter(
        (zlib.crc32(gram.encode()) % BUCKETS for gram in grams(text)), dtype=np.int64
    )
    if not len(codes):
        return codes, np.zeros(0, dtype=np.float32)
    buckets, counts = np.unique(codes, return_counts=True)
    values = np.sqrt(counts.astype(np.float64))
    return buckets, (values / np.linalg.norm(values)).astype(np.float32)


@dataclass(frozen=True)
class Rows:
    """Sentences as sparse rows over the kept buckets (compressed sparse rows)."""

    starts: NDArray[np.int64]
    columns: NDArray[np.int64]
    values: NDArray[np.float32]

    @property
    def count(self) -> int:
        return len(self.starts) - 1

    def times(self, weights: NDArray[np.float32]) -> NDArray[np.float32]:
        """Each row times ``weights`` given one row per label (labels x kept buckets),
        one label at a time: on one-dimensional runs numpy's sums are ten times faster
        than on a sentences x labels block. A row with no kept bucket gives zeros."""
        result = np.zeros((weights.shape[0], self.count), dtype=np.float32)
        filled = np.flatnonzero(np.diff(self.starts) > 0)
        if len(filled):
            at = self.starts[filled]
            for i, row in enumerate(weights):
                result[i, filled] = np.add.reduceat(row[self.columns] * self.values, at)
        return result

    def part(self, first: int, end: int) -> Rows:
        """Rows ``first`` to ``end`` (exclusive)."""
        a, b = int(self.starts[first]), int(self.starts[end])
        return Rows(self.starts[first : end + 1] - a, self.columns[a:b], self.values[a:b])

    def dense(self, width: int) -> NDArray[np.float32]:
        result = np.zeros((self.count, width), dtype=np.float32)
        result[np.repeat(np.arange(self.count), np.diff(self.starts)), self.columns] = self.values
        return result


CHUNK = 256
"""Sentences made dense at a time when comparing with the memory (256 x 60,000 floats)."""


def cosines(rows: Rows, memory: Rows, width: int) -> NDArray[np.float32]:
    """Cosine similarity of each of ``rows`` with each of ``memory`` (rows x memory)."""
    result = np.zeros((rows.count, memory.count), dtype=np.float32)
    for first in range(0, rows.count, CHUNK):
        end = min(first + CHUNK, rows.count)
        result[first:end] = memory.times(rows.part(first, end).dense(width))
    return result


def in_letters(texts: Sequence[str]) -> tuple[NDArray[np.int64], Rows]:
    """The buckets ``texts`` use (sorted), and the texts as rows over them."""
    hashes = [hashed(text) for text in texts]
    kept = np.unique(np.concatenate([b for b, _ in hashes]))
    return kept, _rows(hashes, kept)


def _rows(
    hashes: Sequence[tuple[NDArray[np.int64], NDArray[np.float32]]], kept: NDArray[np.int64]
) -> Rows:
    starts = [0]
    columns: list[NDArray[np.int64]] = []
    values: list[NDArray[np.float32]] = []
    for buckets, weights in hashes:
        place = np.searchsorted(kept, buckets)
        place = np.minimum(place, len(kept) - 1)
        known = kept[place] == buckets if len(kept) else np.zeros(len(buckets), dtype=bool)
        columns.append(place[known].astype(np.int64))
        values.append(weights[known])
        starts.append(starts[-1] + int(known.sum()))
    return Rows(
        np.array(starts, dtype=np.int64),
        np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64),
        np.concatenate(values) if values else np.zeros(0, dtype=np.float32),
    )


@dataclass(frozen=True)
class LexicalModel:
    """Multinomial logistic regression over the kept buckets."""

    labels: tuple[Label, ...]
    buckets: NDArray[np.int64]
    """The kept bucket numbers, sorted: column ``i`` of ``weights`` is ``buckets[i]``."""
    weights: NDArray[np.float32]
    """One row per label, one column per kept bucket."""
    bias: NDArray[np.float32]
    memory: Rows
    """The training sentences, in their order: their nearest in letters are read too."""

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[Label],
        *,
        l2: float = 1e-6,
        steps: int = 100,
        rate: float = 0.1,
    ) -> LexicalModel:
        """Full-batch Adam on the softmax loss, classes balanced and alarms weighted as
        in :class:`~flows.understanding.classifier.Classifier`. The weights are rounded
        to half precision, as the cache stores them, so a model read back from the file
        reads exactly like the one just trained."""
        if len(texts) != len(labels) or not len(labels):
            raise ValueError("one label per text, and at least one of each")
        kept, rows = in_letters(texts)
        goal = targets(labels)
        classes, onehot, sample_weight = goal.classes, goal.onehot, goal.weight
        n, k, d = len(labels), len(classes), len(kept)
        # X.T @ E one label at a time: the non-zeros sorted by bucket, summed per run.
        owner = np.repeat(np.arange(n), np.diff(rows.starts))
        order = np.argsort(rows.columns, kind="stable")
        sorted_columns = rows.columns[order]
        runs = np.flatnonzero(np.r_[True, sorted_columns[1:] != sorted_columns[:-1]])
        run_columns = sorted_columns[runs]
        sorted_owner, sorted_values = owner[order], rows.values[order]
        onehot_t, weight = onehot.T, sample_weight[None, :]
        w, b = np.zeros((k, d), dtype=np.float32), np.zeros(k)
        m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        for step in range(1, steps + 1):
            probs = _softmax(rows.times(w).T.astype(np.float64) + b).T
            error = ((probs - onehot_t) * weight).astype(np.float32)
            grad_w = l2 * w
            for i in range(k):
                grad_w[i, run_columns] += np.add.reduceat(
                    error[i][sorted_owner] * sorted_values, runs
                )
            grad_b = error.sum(axis=1, dtype=np.float64)
            m_w = beta1 * m_w + (1 - beta1) * grad_w
            v_w = beta2 * v_w + (1 - beta2) * grad_w**2
            m_b = beta1 * m_b + (1 - beta1) * grad_b
            v_b = beta2 * v_b + (1 - beta2) * grad_b**2
            correction1, correction2 = 1 - beta1**step, 1 - beta2**step
            w -= (
                np.float32(rate / correction1)
                * m_w
                / (np.sqrt(v_w / np.float32(correction2)) + np.float32(eps))
            )
            b -= rate * (m_b / correction1) / (np.sqrt(v_b / correction2) + eps)
        memory = Rows(rows.starts, rows.columns, rows.values.astype(np.float16).astype(np.float32))
        return cls(
            classes,
            kept,
            w.astype(np.float16).astype(np.float32),
            b.astype(np.float16).astype(np.float32),
            memory,
        )

    def rows(self, texts: Sequence[str]) -> Rows:
        return _rows([hashed(text) for text in texts], self.buckets)

    def similarities(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Cosine similarity in letters of each text with each training sentence."""
        return cosines(self.rows(texts), self.memory, len(self.buckets))

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """One row per text, one column per label of :class:`Label` (0 for a label the
        model never saw)."""
        own = _softmax(self.rows(texts).times(self.weights).T.astype(np.float64) + self.bias)
        result = np.zeros((len(texts), len(Label)))
        for i, label in enumerate(self.labels):
            result[:, list(Label).index(label)] = own[:, i]
        return result


def _softmax(z: NDArray[np.float64]) -> NDArray[np.float64]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    result: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return result
