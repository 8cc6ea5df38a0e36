"""The daily plan suggested after the pain self-check: which reminders, when, and why.

Rules of thumb from docs/CLINICAL.md, each kept to one small function so a test can point at
it: break up sitting (every 30-60 minutes), change position often rather than hold one
"right" posture, slow breathing when stress plays a part, a graded walk by the plan for
fear of movement or pain that lasts or keeps coming back (WalkBack), and always a
daily check-in and a weekly summary so progress can be seen.

Each reminder comes with a reason key (``reminders.reason.<key>`` in the content) so the
flow can say "because you sit a lot". Times are spread so two nudges never share a
minute: movement breaks land on :00 and :30, posture nudges at :45 and :15, breathing
at 12:30 (between two 60- or 90-minute breaks), the walk at 17:30 after work.

Scores come from ``flows.scoring.Scores.to_dict()``; the plan only reads them and
treats anything missing, malformed or unknown as "we don't know", never as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

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
    "fitness",
    "checkin",
    "summary",
    "gentle",
)
"""Every reason key; each has a sentence under ``reminders.reason``."""

HIGH_PSS4: Final = 8
"""PSS-4 has no official cut-offs; 8 of 16 is half the scale and "high" in our bands."""

SITTING_FACTORS: Final = frozenset({"sitting", "long_sitting"})
DRIVING_FACTORS: Final = frozenset({"driving"})
POSTURE_FACTORS: Final = frozenset({"posture", "sitting", "walking"})
FITNESS_FACTORS: Final = frozenset({"fitness", "weak_core"})
SITTING_TRIGGERS: Final = frozenset({"sitting", "long_sitting"})
DRIVING_TRIGGERS: Final = frozenset({"driving"})
POSTURE_TRIGGERS: Final = frozenset({"standing"})

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


# -- reading the scores without trusting them ----------------------------------------


def _ids(scores: Mapping[str, Any], *keys: str) -> frozenset[str]:
    """String ids listed under any of ``keys``; anything else is ignored."""
    found: set[str] = set()
    for key in keys:
        value = scores.get(key)
        if isinstance(value, list | tuple | set | frozenset):
            found.update(item for item in value if isinstance(item, str))
    return frozenset(found)


def _int(scores: Mapping[str, Any], key: str) -> int | None:
    value = scores.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(scores: Mapping[str, Any], key: str) -> str | None:
    value = scores.get(key)
    return value if isinstance(value, str) else None


# -- one rule of thumb per reminder ----------------------------------------------------


def _movement_reason(physical: frozenset[str], worse: frozenset[str]) -> tuple[int, str]:
    if physical & SITTING_FACTORS or worse & SITTING_TRIGGERS:
        return BUSY_INTERVAL, "sitting"
    if physical & DRIVING_FACTORS or worse & DRIVING_TRIGGERS:
        return BUSY_INTERVAL, "driving"
    return GENTLE_INTERVAL, "stay_active"


def _posture_reason(physical: frozenset[str], worse: frozenset[str]) -> str | None:
    return "posture" if physical & POSTURE_FACTORS or worse & POSTURE_TRIGGERS else None


def _stress_reason(
    scores: Mapping[str, Any], physical: frozenset[str], worse: frozenset[str]
) -> str | None:
    pss4 = _int(scores, "pss4")
    role = _text(scores, "stress_role")
    if (pss4 is not None and pss4 >= HIGH_PSS4) or role == "strong":
        return "stress"
    if "stress" in worse:
        return "stress_worse"
    if role == "some":
        return "some_stress"
    if "tension" in physical:
        return "tension"
    if pss4 is None and role is None:
        return "default"  # stress was not asked: breathing is a safe, calming default
    return None


def _walk_reason(scores: Mapping[str, Any], physical: frozenset[str]) -> str | None:
    if scores.get("fear_avoidance") is True:
        return "fear"
    if _text(scores, "risk") == "high":
        return "high_risk"
    duration = _text(scores, "duration")
    if duration in ("chronic", "recurrent"):
        return duration
    if physical & FITNESS_FACTORS:
        return "fitness"
    return None


def proposed_plan(scores: Mapping[str, Any] | None, timezone: str) -> list[PlanItem]:
    """The suggested reminders with their reasons, in :data:`KINDS` order.

    ``scores`` None (the test was skipped) gives the sensible default: movement breaks
    every 90 minutes on weekdays 9:00-17:00, breathing at 12:30, the check-in at 20:00
    and the summary on Sunday at 19:00. When the test showed a crisis, the plan is only
    the evening check-in and the weekly summary: someone who just said they feel
    hopeless needs the crisis lines and a light touch, not a list of chores. An invalid
    ``timezone`` falls back to Europe/Brussels rather than losing the plan.
    """
    tz = (
        timezone
        if isinstance(timezone, str) and is_valid_timezone(timezone)
        else (DEFAULT_TIMEZONE)
    )
    if scores is None or not isinstance(scores, Mapping):
        return [
            PlanItem(default_rule("movement", tz), "stay_active"),
            PlanItem(default_rule("stress", tz), "default"),
            PlanItem(default_rule("checkin", tz), "checkin"),
            PlanItem(default_rule("summary", tz), "summary"),
        ]
    if scores.get("crisis") is True:
        return [
            PlanItem(default_rule("checkin", tz), "gentle"),
            PlanItem(default_rule("summary", tz), "summary"),
        ]
    physical = _ids(scores, "physical_factors")
    worse = _ids(scores, "worse_with", "aggravators")
    minutes, movement_reason = _movement_reason(physical, worse)
    items = [
        PlanItem(
            Rule.every("movement", minutes, WORK_START, WORK_END, tz, WEEKDAYS), movement_reason
        )
    ]
    chosen: list[tuple[str, str | None]] = [
        ("posture", _posture_reason(physical, worse)),
        ("stress", _stress_reason(scores, physical, worse)),
        ("pain", _walk_reason(scores, physical)),
        ("checkin", "checkin"),
        ("summary", "summary"),
    ]
    items.extend(PlanItem(default_rule(kind, tz), reason) for kind, reason in chosen if reason)
    return sorted(items, key=lambda item: KINDS.index(item.rule.kind))


def default_plan(scores: Mapping[str, Any] | None, timezone: str) -> list[Rule]:
    """The suggested reminders as rules, in a stable order (see :func:`proposed_plan`)."""
    return [item.rule for item in proposed_plan(scores, timezone)]


def plan_dicts(scores: Mapping[str, Any] | None, timezone: str) -> list[dict[str, Any]]:
    """The plan as JSON-ready dicts with reasons: what the bot passes to the flow as
    ``ctx.history["proposed_plan"]``."""
    return [item.to_dict() for item in proposed_plan(scores, timezone)]
