"""The daily plan suggested after the pain self-check: which reminders, when, and why.

Which exercises, and why, is decided by :func:`flows.advice.advise`, the same facts the
self-check's profile speaks from, so the plan never says more or less than the profile
did. This module turns them into reminders, and always adds a daily check-in and a
weekly summary so progress can be seen.

Each reminder comes with a reason key (``reminders.reason.<key>`` in the content) so the
flow can say "because you sit a lot". Times are spread so two nudges never share a
minute: movement breaks land on :00 and :30, posture nudges at :45 and :15, breathing
at 12:30 (between two 60- or 90-minute breaks), the walk at 17:30 after work.

Scores come from ``flows.scoring.Scores.to_dict()``; anything missing, malformed or
unknown in them reads as "we don't know", never as an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from flows.advice import Advice, advise
from flows.schedule import DEFAULT_TIMEZONE, KINDS, WEEKDAYS, Rule
from flows.timezones import is_valid_timezone

REASONS: Final = (
    "default",
    "sitting",
    "driving",
    "stay_active",
    "posture",
    "stress",
    "some_stress",
    "tension",
    "stress_worse",
    "fear",
    "high_risk",
    "chronic",
    "recurrent",
    "subacute",
    "fitness",
    "checkin",
    "summary",
    "gentle",
)
"""Every reason key; each has a sentence under ``reminders.reason``."""

BUSY_INTERVAL: Final = 60
"""Movement breaks for people who sit or drive a lot (docs/CLINICAL.md: every 30-60 min)."""
GENTLE_INTERVAL: Final = 90
"""Movement breaks when sitting is not known to be a problem."""
WORK_START: Final = "09:00"
WORK_END: Final = "17:00"
POSTURE_TIMES: Final = ("10:45", "15:15")
BREATHING_TIME: Final = "12:30"
WALK_TIME: Final = "17:30"
CHECKIN_TIME: Final = "20:00"
SUMMARY_TIME: Final = "19:00"
SUNDAY: Final = 6


@dataclass(frozen=True)
class PlanItem:
    """One suggested reminder and the reason key shown with it."""

    rule: Rule
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The rule's dict plus ``"reason"``; :meth:`Rule.from_dict` ignores the extra."""
        return {**self.rule.to_dict(), "reason": self.reason}


def default_rule(kind: str, timezone: str = DEFAULT_TIMEZONE) -> Rule:
    """The rule a kind gets when it is switched on without a plan behind it."""
    tz = timezone if is_valid_timezone(timezone) else DEFAULT_TIMEZONE
    if kind == "movement":
        return Rule.every(kind, GENTLE_INTERVAL, WORK_START, WORK_END, tz, WEEKDAYS)
    if kind == "posture":
        return Rule.at(kind, POSTURE_TIMES, tz)
    if kind == "stress":
        return Rule.at(kind, (BREATHING_TIME,), tz)
    if kind == "pain":
        return Rule.at(kind, (WALK_TIME,), tz)
    if kind == "checkin":
        return Rule.at(kind, (CHECKIN_TIME,), tz)
    if kind == "summary":
        return Rule.at(kind, (SUMMARY_TIME,), tz, days=(SUNDAY,))
    raise ValueError(f"unknown reminder kind {kind!r}")


def proposed_plan(scores: Mapping[str, Any] | None, timezone: str) -> list[PlanItem]:
    """The suggested reminders with their reasons, in :data:`KINDS` order.

    ``scores`` None (the test was skipped) gives the sensible default: movement breaks
    every 90 minutes on weekdays 9:00-17:00, breathing at 12:30, the check-in at 20:00
    and the summary on Sunday at 19:00. When the test showed a crisis, the plan is only
    the evening check-in, the weekly summary and, where the profile recommended it, a
    calming breathing moment: someone who just said they feel hopeless needs the crisis
    lines and a light touch, not a list of chores. An invalid
    ``timezone`` falls back to Europe/Brussels rather than losing the plan.
    """
    tz = (
        timezone
        if isinstance(timezone, str) and is_valid_timezone(timezone)
        else (DEFAULT_TIMEZONE)
    )
    facts = advise(scores if isinstance(scores, Mapping) else None)
    chosen: list[tuple[str, str | None]]
    if facts.light:
        chosen = [("stress", facts.breathing), ("checkin", "gentle"), ("summary", "summary")]
    else:
        chosen = [
            ("movement", facts.movement),
            ("posture", facts.posture),
            ("stress", facts.breathing),
            ("pain", facts.walking),
            ("checkin", "checkin"),
            ("summary", "summary"),
        ]
    items = [PlanItem(_rule(kind, facts, tz), reason) for kind, reason in chosen if reason]
    return sorted(items, key=lambda item: KINDS.index(item.rule.kind))


def _rule(kind: str, facts: Advice, timezone: str) -> Rule:
    if kind == "movement" and facts.busy_breaks:
        return Rule.every(kind, BUSY_INTERVAL, WORK_START, WORK_END, timezone, WEEKDAYS)
    return default_rule(kind, timezone)


def default_plan(scores: Mapping[str, Any] | None, timezone: str) -> list[Rule]:
    """The suggested reminders as rules, in a stable order (see :func:`proposed_plan`)."""
    return [item.rule for item in proposed_plan(scores, timezone)]


def plan_dicts(scores: Mapping[str, Any] | None, timezone: str) -> list[dict[str, Any]]:
    """The plan as JSON-ready dicts with reasons: what the bot passes to the flow as
    ``ctx.history["proposed_plan"]``."""
    return [item.to_dict() for item in proposed_plan(scores, timezone)]


# -- what accepting a plan would change --------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One kind a plan would change: ``before`` is the user's own rule (None when that
    kind is off), ``after`` the plan's (None when the plan would switch it off)."""

    kind: str
    before: Rule | None
    after: Rule | None

    @property
    def touches_own(self) -> bool:
        """It changes or switches off something the user has now (not just adds)."""
        return self.before is not None


def _unpaused(rule: Rule) -> Rule:
    return dataclasses.replace(rule, paused_until=None)


def plan_changes(current: Mapping[str, Rule], proposed: Iterable[Rule]) -> tuple[Change, ...]:
    """What accepting ``proposed`` would do to the user's reminders that are on now
    (``current``, by kind), in :data:`KINDS` order; kinds left as they are are omitted.

    A running pause is not a difference: accepting a plan keeps it. Anything else the
    user set (a time, days, quiet hours) is, so a plan never overwrites it unseen.
    """
    planned = {rule.kind: rule for rule in proposed}
    changes = []
    for kind in KINDS:
        before, after = current.get(kind), planned.get(kind)
        if before is None and after is None:
            continue
        if before is not None and after is not None and _unpaused(before) == _unpaused(after):
            continue
        changes.append(Change(kind, before, after))
    return tuple(changes)


def keep_own(current: Mapping[str, Rule], proposed: Iterable[Rule]) -> list[Rule]:
    """The plan with the user's own reminders kept as they are: only kinds that are off
    now are taken from the plan ("keep mine, add the new ones")."""
    merged = {rule.kind: rule for rule in proposed}
    merged.update(current)
    return [merged[kind] for kind in KINDS if kind in merged]
