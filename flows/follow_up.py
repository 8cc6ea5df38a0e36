"""The next day's follow-up after advice to see a doctor, or after the crisis lines.

Advice given once and then forgotten helps little; a kind question the next morning
("Did you manage to see a doctor?", "Did you manage to talk to someone?") shows the bot
remembered, and gives a second chance to act. Each follow-up is a one-off reminder that
the reminder dispatcher sends once, never again the day after; its three buttons each
get a warm answer, and "not yet" repeats the advice or the crisis lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows import helplines
from flows.i18n import Translator
from flows.runtime import Choice, Reply
from flows.schedule import DEFAULT_TIMEZONE, resolve_local

P: Final = "follow_up"

DOCTOR: Final = "doctor_followup"
CRISIS: Final = "crisis_followup"
KINDS: Final = (DOCTOR, CRISIS)
"""Reminder kinds of the follow-ups (one-off rows, beside the regular reminder kinds)."""

SEEN: Final = "seen"
NOT_YET: Final = "notyet"
WAITING: Final = "waiting"
TALKED: Final = "talked"
PRIVATE: Final = "private"
ANSWERS: Final[Mapping[str, tuple[str, ...]]] = {
    DOCTOR: (SEEN, NOT_YET, WAITING),
    CRISIS: (TALKED, NOT_YET, PRIVATE),
}
"""Button values in order; they are stored as the delivery's action (at most 16 chars)."""

AT: Final = time(10, 0)
"""A kind hour: most people are up, and a doctor's practice is open."""
_DAY: Final = 24 * 60


def due_at(now: datetime, timezone: str, quiet: Iterable[tuple[str, str]] = ()) -> datetime:
    """When a follow-up of something said at ``now`` is sent, in UTC: 10:00 on the
    user's next local day, or, if the user's quiet hours cover that time, when they end.

    Unlike a regular slot, which quiet hours drop, a follow-up is only moved: it is
    sent once or not at all.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    day = now.astimezone(zone).date() + timedelta(days=1)
    minute = AT.hour * 60 + AT.minute
    for start_hhmm, end_hhmm in quiet:
        start, end = _minutes(start_hhmm), _minutes(end_hhmm)
        if start < end and start <= minute < end:
            minute = end
        elif start > end and minute >= start:  # across midnight: it ends the day after
            minute = end + _DAY
        elif start > end and minute < end:
            minute = end
    return resolve_local(datetime.combine(day, time()) + timedelta(minutes=minute), zone)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def ask(kind: str, t: Translator) -> Reply:
    """The question, with one button per answer (values from :data:`ANSWERS`)."""
    section = _section(kind)
    return Reply(
        t(f"{P}.{section}.ask"),
        tuple((Choice(t(f"{P}.{section}.{value}"), value),) for value in ANSWERS[kind]),
    )


def answer_text(
    kind: str, answer: str, t: Translator, timezone: str, caution_kind: str | None = None
) -> str:
    """The warm reply to ``answer``. "Not yet" repeats the advice: for the doctor, the
    advice of the caution that is open (``caution_kind``; see a doctor when none is);
    for the crisis follow-up, the crisis lines. Numbers are those of the user's country,
    from their time zone, like everywhere else."""
    section = _section(kind)
    lines = helplines.fills(t, timezone)
    if kind == DOCTOR and answer == WAITING:
        return t(f"{P}.doctor.reply.waiting_{caution_kind or 'see_doctor'}", **lines)
    text = t(f"{P}.{section}.reply.{answer}")
    if answer == NOT_YET:
        extra = (
            t(f"caution.advice.{caution_kind or 'see_doctor'}", **lines)
            if kind == DOCTOR
            else helplines.crisis_text(t, timezone)
        )
        text = f"{text}\n\n{extra}"
    return text


def _section(kind: str) -> str:
    if kind not in ANSWERS:
        raise ValueError(f"not a follow-up kind: {kind!r}")
    return "doctor" if kind == DOCTOR else "crisis"
