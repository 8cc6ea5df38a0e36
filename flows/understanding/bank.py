"""The labelled phrase bank: sentences the team wrote, per language and label, split
into the part the classifier learns from and a validation part it never sees.

The files are data (``phrases/<language>.toml``), so adding sentences or a language
never touches code. The content hash keys the on-disk vector cache: any edit to any
sentence makes the bot encode the bank again instead of using stale vectors.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from flows.i18n import CatalogueError
from flows.understanding.labels import Label

PHRASES_DIR = Path(__file__).parent / "phrases"
Split = Literal["train", "validation"]
SPLITS: tuple[Split, ...] = ("train", "validation")


class PhraseBankError(CatalogueError):
    """A phrase file is missing, malformed or lacks a label: the bot refuses to start."""


@dataclass(frozen=True)
class Phrase:
    language: str
    label: Label
    split: Split
    text: str


@dataclass(frozen=True)
class PhraseBank:
    phrases: tuple[Phrase, ...]

    @classmethod
    def load(cls, root: Path = PHRASES_DIR) -> PhraseBank:
        files = sorted(root.glob("*.toml"))
        if not files:
            raise PhraseBankError(f"no phrase files in {root.name}/")
        phrases: list[Phrase] = []
        for path in files:
            phrases.extend(_read(path))
        return cls(tuple(phrases))

    @property
    def languages(self) -> list[str]:
        return sorted({p.language for p in self.phrases})

    def split(self, split: Split, language: str | None = None) -> list[Phrase]:
        return [
            p
            for p in self.phrases
            if p.split == split and (language is None or p.language == language)
        ]

    def content_hash(self, extra: Iterable[str] = ()) -> str:
        """A digest of every sentence with its place, plus ``extra`` (the encoder's
        name, the texts of exercises and lessons matched by meaning)."""
        digest = hashlib.sha256()
        for p in self.phrases:
            digest.update(f"{p.language}\x1f{p.label}\x1f{p.split}\x1f{p.text}\x1e".encode())
        for item in extra:
            digest.update(f"{item}\x1e".encode())
        return digest.hexdigest()[:24]


def _read(path: Path) -> list[Phrase]:
    language = path.stem
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PhraseBankError(f"phrase file {path.name} cannot be read: {exc}") from exc
    phrases: list[Phrase] = []
    for label in Label:
        table = raw.get(label.value)
        if not isinstance(table, dict):
            raise PhraseBankError(f"phrase file {path.name} has no [{label.value}] table")
        for split in SPLITS:
            texts = table.get(split)
            if not isinstance(texts, list) or not texts:
                raise PhraseBankError(f"{path.name} [{label.value}] needs a non-empty {split}")
            phrases.extend(Phrase(language, label, split, str(text)) for text in texts)
    unknown = set(raw) - {label.value for label in Label}
    if unknown:
        raise PhraseBankError(f"{path.name} has unknown labels: {', '.join(sorted(unknown))}")
    return phrases


@cache
def default_bank() -> PhraseBank:
    return PhraseBank.load()
