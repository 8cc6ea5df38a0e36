"""Time-zone helpers shared by onboarding, the reminder settings and the help lines."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flows.formatting import format_time
from flows.safety import normalise

COMMON_TIMEZONES: tuple[str, ...] = (
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Luxembourg",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Helsinki",
    "America/New_York",
    "UTC",
)


def parse_timezone(text: str) -> str | None:
    """The canonical IANA name for what a user typed, or None.

    Case is forgiven ("europe/paris") because people type on phones, and a city alone
    names its zone ("Berlin", "london", "sao paulo"): people know where they live, not
    the tz database. Only names the tz database knows are accepted, so a stored zone
    always loads; a city that two zones shared would name neither.
    """
    cleaned = text.strip().replace(" ", "_")
    if not cleaned or len(cleaned) > 64:
        return None
    lowered = cleaned.lower()
    for name in _known_timezones():
        if name.lower() == lowered:
            return name
    return _zones_by_city().get(normalise(text))


@cache
def zone_countries() -> Mapping[str, str]:
    """Zone -> country from the tz database's zone.tab: its canonical zones, one
    country each."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    table: dict[str, str] = {}
    for row in text.splitlines():
        if row and not row.startswith("#"):
            fields = row.split("\t")
            if len(fields) >= 3:
                table[fields[2]] = fields[0]
    return table


@cache
def _zones_by_city() -> Mapping[str, str]:
    """A city as typed ("new york") -> its canonical zone; cities of two zones left out."""
    found: dict[str, set[str]] = {}
    for zone in zone_countries():
        city = normalise(zone.rsplit("/", 1)[-1].replace("_", " "))
        found.setdefault(city, set()).add(zone)
    return {city: zones.pop() for city, zones in found.items() if len(zones) == 1}


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_clock(now_utc: datetime, timezone: str, language: str) -> str:
    """The time of day in ``timezone`` at the instant ``now_utc``, as ``language``
    writes it ("14:05")."""
    return format_time(now_utc.astimezone(ZoneInfo(timezone)).time(), language)


_KNOWN: tuple[str, ...] = ()


def _known_timezones() -> tuple[str, ...]:
    global _KNOWN
    if not _KNOWN:
        _KNOWN = tuple(sorted(available_timezones()))
    return _KNOWN
