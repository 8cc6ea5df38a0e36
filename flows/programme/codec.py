"""Strict readers for the programme's JSON dicts.

The programme state is stored as JSON and read back at every turn, so a bad value must
stop at the door with one clear sentence naming the field, never travel on into the
rules where it would surface as a strange plan days later. These readers are strict on
purpose (unlike :mod:`flows.streaks`, which forgives history rows): the state is ours,
so a malformed one is a bug to report, not user input to tolerate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from itertools import repeat
from typing import Any, TypeVar

T = TypeVar("T", bound=str)


def mapping(value: object, where: str) -> Mapping[str, Any]:
    """``value`` as a mapping with string keys, or ValueError. (The keys are checked with
    ``map``: every session and every card of a state passes here on each read.)"""
    if not isinstance(value, Mapping) or not all(map(isinstance, value, repeat(str))):
        raise ValueError(f"{where} must be an object, got {type(value).__name__}")
    return value


def items(data: Mapping[str, Any], key: str) -> Sequence[Any]:
    """The list under ``key`` (missing means empty, so older states stay readable)."""
    value = data.get(key, [])
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{key} must be a list")
    return value


def day(data: Mapping[str, Any], key: str) -> date:
    """An ISO ``YYYY-MM-DD`` string under ``key`` as a date."""
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} must be an ISO date, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key} must be an ISO date, got {value!r}") from None


def optional_day(data: Mapping[str, Any], key: str) -> date | None:
    return None if data.get(key) is None else day(data, key)


def clock(data: Mapping[str, Any], key: str) -> time:
    """A local ``HH:MM`` time; seconds are refused because the programme never uses them."""
    value = data.get(key)
    if not isinstance(value, str) or len(value) != 5:
        raise ValueError(f"{key} must be HH:MM, got {value!r}")
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{key} must be HH:MM, got {value!r}") from None


def integer(data: Mapping[str, Any], key: str, low: int, high: int) -> int:
    """A real int (bools refused) from ``low`` to ``high``."""
    value = data.get(key)
    return check_int(value, key, low, high)


def optional_integer(data: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    return None if data.get(key) is None else integer(data, key, low, high)


def check_int(value: object, name: str, low: int, high: int) -> int:
    """``value`` if it is a real int from ``low`` to ``high``; the one check every
    dataclass here uses, so a stored state and a freshly built one obey the same bounds."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


def number(data: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    """An optional float (or int) from ``low`` to ``high``."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{key} must be a number from {low} to {high}, got {value!r}")
    return float(value)


def flag(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be true or false, got {value!r}")
    return value


def choice(value: object, name: str, allowed: Sequence[T]) -> T:
    """``value`` if it is one of ``allowed`` (typed as the allowed literal)."""
    try:
        return allowed[allowed.index(value)]
    except ValueError:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}") from None


def key(value: object, name: str) -> str:
    """A short ASCII id (lesson, nudge, goal, exercise): what a content file names."""
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= 64
        or not value.isascii()
        or not value.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise ValueError(f"{name} must be a short ASCII id, got {value!r}")
    return value
