"""The content catalogue: every user-facing string, looked up by key and language.

Content lives in TOML files under ``flows/content/<language>/<namespace>.toml``; the key
``onboarding.welcome`` is the ``welcome`` entry of ``onboarding.toml``. Adding a language
means adding a folder, never editing a handler. Files are loaded and checked once.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"
FALLBACK_LANGUAGE = "en"


class CatalogueError(Exception):
    """Raised at start when a content file is missing, malformed or inconsistent."""


def _flatten(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, inner, into)
    else:
        into[prefix] = value


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders in ``text``; translations must keep the same set."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Catalogue:
    """All languages' entries, flattened to dotted keys."""

    entries: Mapping[str, Mapping[str, Any]]

    @classmethod
    def load(cls, root: Path = CONTENT_DIR) -> Catalogue:
        if not root.is_dir():
            raise CatalogueError(f"content folder {root} is missing")
        entries: dict[str, dict[str, Any]] = {}
        for language_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            flat: dict[str, Any] = {}
            for path in sorted(language_dir.glob("*.toml")):
                try:
                    data = tomllib.loads(path.read_text(encoding="utf-8"))
                except (OSError, tomllib.TOMLDecodeError) as exc:
                    raise CatalogueError(f"content file {path} cannot be read: {exc}") from exc
                _flatten(path.stem, data, flat)
            entries[language_dir.name] = flat
        if FALLBACK_LANGUAGE not in entries:
            raise CatalogueError(
                f"content for the fallback language {FALLBACK_LANGUAGE!r} is missing"
            )
        return cls(entries)

    @property
    def languages(self) -> list[str]:
        return sorted(self.entries)

    def pick_language(self, code: str | None, default: str = FALLBACK_LANGUAGE) -> str:
        """The best language we speak for a Telegram ``language_code`` such as ``nl-BE``."""
        if code:
            base = code.strip().lower().replace("_", "-").split("-")[0]
            if base in self.entries:
                return base
        return default if default in self.entries else FALLBACK_LANGUAGE

    def lookup(self, language: str, key: str) -> Any:
        for lang in (language, FALLBACK_LANGUAGE):
            value = self.entries.get(lang, {}).get(key)
            if value is not None:
                return value
        raise KeyError(f"content key {key!r} is missing")

    def section(self, language: str, prefix: str) -> dict[str, Any]:
        """The entries under ``prefix`` (one level deep), in file order, for menus."""
        lang = language if language in self.entries else FALLBACK_LANGUAGE
        start = f"{prefix}."
        return {
            key[len(start) :]: value
            for key, value in self.entries[lang].items()
            if key.startswith(start) and "." not in key[len(start) :]
        }

    def keys(self, language: str) -> Iterator[str]:
        return iter(self.entries.get(language, {}))

    def translator(self, language: str) -> Translator:
        return Translator(self, language if language in self.entries else FALLBACK_LANGUAGE)


@dataclass(frozen=True)
class Translator:
    """Looks up strings for one language; call it like ``t("onboarding.welcome")``."""

    catalogue: Catalogue
    language: str

    def __call__(self, key: str, /, **params: Any) -> str:
        value = self.catalogue.lookup(self.language, key)
        if not isinstance(value, str):
            raise KeyError(f"content key {key!r} is not a text")
        return value.format(**params) if params else value

    def list(self, key: str) -> list[str]:
        value = self.catalogue.lookup(self.language, key)
        if not isinstance(value, list):
            raise KeyError(f"content key {key!r} is not a list")
        return [str(item) for item in value]

    def raw(self, key: str) -> Any:
        return self.catalogue.lookup(self.language, key)

    def has(self, key: str) -> bool:
        try:
            self.catalogue.lookup(self.language, key)
        except KeyError:
            return False
        return True


@cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process."""
    return Catalogue.load()
