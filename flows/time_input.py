"""Times, time ranges and days as people type them on a phone.

The settings flow and /programme accept a typed "9h30", "22 to 7" or "Mon, Wed and Fri"
besides their buttons. Reading those is a job of its own, apart from the rules
(:mod:`flows.schedule`) they end up in: many forms, four languages, and refusing
anything that is not clearly a time, so a reminder the user did not ask for never comes.
"""

from __future__ import annotations

import re
from typing import Final

from flows.i18n import Translator
from flows.safety import normalise
from flows.schedule import MAX_TIMES

_MAX_TIME_TEXT: Final = 12
_TIME_FORMS = re.compile(
    r"""
    (?P<hour>\d{1,2})
    (?: (?:[:.hu]) (?P<minute>\d{2}) )?       # 9:30, 9.30, 9h30, 9u30, or just 9
    \s* (?: (?P<ampm>am|pm|a\.m\.|p\.m\.) | uhr | uur | h | u )?   # 7pm, 18 Uhr, 19h, 18u
    """,
    re.ASCII | re.VERBOSE | re.IGNORECASE,
)
_COMPACT_TIME = re.compile(r"(\d{1,2})(\d{2})", re.ASCII)


def parse_hhmm(text: str) -> str | None:
    """A time of day the user typed, as canonical ``"HH:MM"``, or None.

    Accepted, because that is how people type times on a phone: ``9:00``, ``09:00``,
    ``9.30``, ``9h30``, ``9u30``, ``9`` (whole hour), compact ``0930`` and ``930``, an
    English ``am``/``pm`` suffix (``7pm``, ``7:30 pm``), and the hour words of the other
    languages (``18 Uhr``, ``7.30 Uhr``, ``18 uur``, ``18u``, ``19h``). Surrounding
    spaces are ignored. Only
    ASCII digits count, so no emoji or other scripts slip through, and anything longer
    than a dozen characters is refused before any work. ``24:00``, ``25:00`` and
    ``9:60`` are not times; neither is ``0`` with ``am``/``pm`` or ``13pm``.
    """
    if not isinstance(text, str) or len(text) > _MAX_TIME_TEXT:
        return None
    cleaned = text.strip()
    hour: int
    minute: int
    compact = _COMPACT_TIME.fullmatch(cleaned)
    if compact:
        hour, minute = int(compact.group(1)), int(compact.group(2))
    else:
        match = _TIME_FORMS.fullmatch(cleaned)
        if not match:
            return None
        hour = int(match.group("hour"))
        minute = int(match.group("minute") or 0)
        ampm = (match.group("ampm") or "").replace(".", "").lower()
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


_TIME_IN_SENTENCE = re.compile(
    r"""
    (?: \b(?:at|around|to|om|rond|tegen|naar|à|a|vers|um|gegen|auf)\s+ )?  # "at 8", "om 8 uur"
    (?<![\d:.,])
    (?P<time> \d{1,2} (?:[:.hu]\d{2})? (?: \s*(?:am|pm|a\.m\.|p\.m\.|uhr|uur|h|u)\b )? )
    (?![\d:.,]\d)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def find_time(sentence: str) -> str | None:
    """The one time of day in a sentence ("remind me at 8 instead", "om 20u", "à
    8h30"), as ``"HH:MM"``, or None when there is none or more than one. A bare number
    counts only after a word such as "at", "om", "à", "um": in "twice a day" or "2
    reminders" it is no time."""
    if not isinstance(sentence, str) or len(sentence) > 500:
        return None
    found: set[str] = set()
    for match in _TIME_IN_SENTENCE.finditer(sentence):
        piece = match.group("time")
        marked = match.group(0) != piece or not piece.isdigit()
        value = parse_hhmm(piece) if marked else None
        if value is not None:
            found.add(value)
    return found.pop() if len(found) == 1 else None


_RANGE_SPLIT = re.compile(r"\s*(?:-|–|—|to|till|until)\s*", re.IGNORECASE)


def parse_window(text: str) -> tuple[str, str] | None:
    """Two typed times such as ``9:00-17:00`` or ``22 to 7`` as (start, end), or None.

    Used for working hours and quiet hours. The end may be earlier than the start (a
    window across midnight); equal ends are refused because they say nothing.
    """
    if not isinstance(text, str) or len(text) > 2 * _MAX_TIME_TEXT + 8:
        return None
    parts = _RANGE_SPLIT.split(text.strip())
    if len(parts) != 2:
        return None
    start, end = parse_hhmm(parts[0]), parse_hhmm(parts[1])
    if start is None or end is None or start == end:
        return None
    return start, end


def parse_times(text: str) -> tuple[str, ...] | None:
    """One or more typed times (``10:30, 15:00`` or ``10:30 and 15:00``), sorted, or None.

    Every piece must be a time; a list with one bad piece is refused as a whole, so the
    user is never surprised by a reminder they did not ask for.
    """
    if not isinstance(text, str) or len(text) > MAX_TIMES * (_MAX_TIME_TEXT + 5):
        return None
    pieces = [p for p in re.split(r"\s*(?:,|;|\b(?:and|en|et|und)\b|&)\s*", text.strip()) if p]
    if not pieces or len(pieces) > MAX_TIMES:
        return None
    parsed = [parse_hhmm(piece) for piece in pieces]
    if any(p is None for p in parsed):
        return None
    return tuple(sorted({p for p in parsed if p is not None}))


_DAY_LIST = re.compile(r"[,;/&+\s]+")
_DAY_RANGE = re.compile(r"[-–—]")


def parse_days(text: str, t: Translator) -> tuple[int, ...] | None:
    """Days typed as a list ("Mon, Wed, Fri", "maandag en vrijdag") or a range
    ("Tue-Thu"), in the user's language, short or long names; None when any word is
    not a day (or "and"), so "Mon to Fri" is asked again rather than read as two days."""
    if len(text) > 200:
        return None
    names: dict[str, int] = {}
    for key in ("reminders.days.short", "reminders.days.long"):
        names.update({normalise(name): day for day, name in enumerate(t.list(key))})
    joiners = {normalise(word) for word in t.list("reminders.typed.and")}
    days: set[int] = set()
    for part in _DAY_LIST.split(text.strip()):
        ends = [normalise(end) for end in _DAY_RANGE.split(part)]
        if len(ends) == 2 and ends[0] in names and ends[1] in names:
            first, last = names[ends[0]], names[ends[1]]
            days.update(
                range(first, last + 1) if first <= last else (*range(first, 7), *range(last + 1))
            )
        elif len(ends) == 1 and ends[0] in names:
            days.add(names[ends[0]])
        elif len(ends) != 1 or (ends[0] and ends[0] not in joiners):
            return None
    return tuple(sorted(days)) or None
