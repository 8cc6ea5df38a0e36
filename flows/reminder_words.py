"""Reminder rules in words, and the reminder messages themselves.

Everything here turns a :class:`~flows.schedule.Rule` or a claimed slot into text for a
person: "Movement breaks: every 90 min, Mon-Fri 09:00-17:00", "Paused until Fri 28 Nov",
the nudge and its buttons. It is apart from :mod:`flows.schedule` because that is pure
arithmetic with no content, and apart from the settings flow because the dispatcher, the
plan and the caution need the same words. Dates come from :mod:`flows.formatting`
(Babel), the one way dates and times are written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final

from flows.formatting import format_day, format_time
from flows.i18n import Translator
from flows.schedule import EVERY_DAY, WEEKENDS, Rule, require_aware, zone_named


def join_words(items: list[str], t: Translator) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the user's language."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    rest = t("reminders.format.separator").join(items[:-1])
    return t("reminders.format.last_pair", first=rest, last=items[-1])


def describe_days(days: Iterable[int], t: Translator) -> str:
    """Days as words: "every day", "weekends", a run like "Mon-Fri", or "Mon, Wed"."""
    chosen = sorted(set(days))
    short = t.list("reminders.days.short")
    if chosen == list(EVERY_DAY):
        return t("reminders.days.every_day")
    if chosen == list(WEEKENDS):
        return t("reminders.days.weekends")
    contiguous = chosen == list(range(chosen[0], chosen[-1] + 1)) if chosen else False
    if contiguous and len(chosen) >= 3:
        return t("reminders.days.range", first=short[chosen[0]], last=short[chosen[-1]])
    return t("reminders.format.separator").join(short[day] for day in chosen)


def format_date(instant: datetime, timezone: str, t: Translator) -> str:
    """The local date of ``instant`` as the language writes a short date ("Fri 28 Nov",
    "vr 28 nov", "ven. 28 nov.", "Fr., 28. Nov.")."""
    local = require_aware(instant, "instant").astimezone(zone_named(timezone))
    return format_day(local.date(), t.language)


def describe_pause(until: datetime, timezone: str, t: Translator, *, inline: bool = False) -> str:
    """ "Paused until Fri 28 Nov" when the pause ends at local midnight, else with the
    time ("Paused until Sat 28 Nov, 09:05"); ``inline`` for the middle of a sentence."""
    local = require_aware(until, "until").astimezone(zone_named(timezone))
    day = format_date(until, timezone, t)
    if local.hour == 0 and local.minute == 0:
        return t("reminders.pause.inline_day" if inline else "reminders.pause.until_day", date=day)
    return t(
        "reminders.pause.inline_time" if inline else "reminders.pause.until_time",
        date=day,
        time=format_time(local.time(), t.language),
    )


def describe(
    rule: Rule,
    t: Translator,
    now: datetime | None = None,
    *,
    pause: bool = True,
    named: bool = True,
) -> str:
    """The rule in one sentence, the way the settings flow confirms a change.

    "Movement breaks: every 90 min, Mon-Fri 09:00-17:00", "Breathing exercise: 12:30,
    every day", with quiet hours and a running pause added when set. Pass ``now`` to
    leave out a pause that has already ended, ``pause=False`` where the pause is said
    once for every reminder; ``named=False`` leaves out the kind ("12:30, every day"),
    for a line that names it once and compares two rules.
    """
    kind = t(f"reminders.kinds.{rule.kind}")
    days = describe_days(rule.days, t)
    if rule.interval_minutes is not None:
        text = t(
            "reminders.describe.interval" if named else "reminders.describe.interval_bare",
            kind=kind,
            minutes=str(rule.interval_minutes),
            days=days,
            start=format_time(rule.window_start or "00:00", t.language),
            end=format_time(rule.window_end or "00:00", t.language),
        )
    else:
        times = join_words([format_time(value, t.language) for value in rule.times], t)
        key = "reminders.describe.fixed" if named else "reminders.describe.fixed_bare"
        text = t(key, kind=kind, times=times, days=days)
    if rule.quiet_start is not None and rule.quiet_end is not None:
        text = t(
            "reminders.describe.quiet",
            text=text,
            start=format_time(rule.quiet_start, t.language),
            end=format_time(rule.quiet_end, t.language),
        )
    if pause and rule.paused_until is not None and (now is None or rule.is_paused(now)):
        text = t(
            "reminders.describe.paused",
            text=text,
            pause=describe_pause(rule.paused_until, rule.timezone, t, inline=True),
        )
    return text


# -- the reminder message itself -----------------------------------------------------

ACTIONS: Final = ("start", "done", "snooze15", "snooze30", "skip")
"""Button ids under a reminder message; labels live in ``reminders.actions``."""

_KIND_ACTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "movement": ("done", "snooze15", "snooze30", "skip"),
    "posture": ("done", "snooze15", "skip"),
    "stress": ("start", "snooze15", "snooze30", "skip"),
    "pain": ("start", "done", "snooze30", "skip"),
    "checkin": ("start", "snooze30", "skip"),
    "summary": ("start",),
}
SNOOZE_MINUTES: Final[Mapping[str, int]] = {"snooze15": 15, "snooze30": 30}


def nudge_actions(kind: str) -> tuple[str, ...]:
    """Which buttons a reminder of ``kind`` carries ("Start" only where there is a flow)."""
    return _KIND_ACTIONS.get(kind, ("done", "skip"))


def nudge_text(kind: str, slot: datetime, t: Translator) -> str:
    """One of the kind's reminder texts, varied by slot so the same words rarely repeat.

    Deterministic, so a retried send of the same slot shows the same words. The index
    is the slot's hour of the (UTC) day plus its day count: a daily reminder moves one
    text on every day, and hourly ones move on every hour, whatever the list length.
    """
    texts = t.list(f"reminders.messages.{kind}")
    hours = int(require_aware(slot, "slot").timestamp() // 3600)
    return texts[(hours % 24 + hours // 24) % len(texts)]
