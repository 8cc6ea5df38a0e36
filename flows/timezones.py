"""Time-zone helpers shared by onboarding and the reminder settings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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

    Case is forgiven ("europe/paris") because people type on phones; only names the
    tz database knows are accepted, so a stored zone always loads.
    """
    cleaned = text.strip().replace(" ", "_")
    if not cleaned or len(cleaned) > 64:
        return None
    lowered = cleaned.lower()
    for name in _known_timezones():
        if name.lower() == lowered:
            return name
    return None


def is_valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_clock(now_utc: datetime, timezone: str) -> str:
    """``HH:MM`` in ``timezone`` at the instant ``now_utc``."""
    return now_utc.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


_KNOWN: tuple[str, ...] = ()


def _known_timezones() -> tuple[str, ...]:
    global _KNOWN
    if not _KNOWN:
        _KNOWN = tuple(sorted(available_timezones()))
    return _KNOWN
