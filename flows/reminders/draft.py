"""The working draft of the reminder settings flow: what it keeps in its state between
turns, how it reads the user's reminders and the proposed plan from the history, and
the short button values that carry a choice in callback data.

One piece because every step reads and writes the same draft: a dict of
:class:`Item` per kind, dumped to JSON in ``FlowState.answers``. Whatever in a saved
state cannot be read makes :func:`load_items` return None, and the flow begins again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from flows import caution as cn
from flows.plan import REASONS, default_rule, plan_changes
from flows.rows import DEFAULT_DAILY_LIMIT
from flows.runtime import Context, FlowState
from flows.schedule import DEFAULT_TIMEZONE, EVERY_DAY, KINDS, WEEKDAYS, WEEKENDS, Rule
from flows.timezones import is_valid_timezone

STEPS: Final = (
    "propose",
    "menu",
    "kind",
    "times",
    "days",
    "interval",
    "window",
    "quiet",
    "pause",
    "timezone",
    "limit",
    cn.STEP,
)
KIND_STEPS: Final = frozenset({"kind", "times", "days", "interval", "window", "quiet"})
"""The steps about one reminder; they need ``answers["kind"]``."""

COMMON_TIMES: Final = ("07:30", "08:00", "12:30", "18:00", "20:00", "21:00")
INTERVALS: Final = (45, 60, 90, 120)
WINDOWS: Final = (
    ("08:00", "16:00"),
    ("08:30", "17:00"),
    ("09:00", "17:00"),
    ("09:00", "18:00"),
    ("10:00", "18:00"),
)
QUIET_PRESETS: Final = (("21:00", "07:00"), ("22:00", "07:00"), ("23:00", "08:00"))
PAUSE_DAYS: Final = (1, 3, 7)
DAY_PRESETS: Final[Mapping[str, tuple[int, ...]]] = {
    "wk": WEEKDAYS,
    "all": EVERY_DAY,
    "we": WEEKENDS,
}
SINGLE_DAY_KINDS: Final = frozenset({"summary"})
"""Kinds whose days screen offers single days (a weekly summary comes once a week)."""

# Button values: short ASCII, no "|", at most 20 characters (they ride in callback_data).
ACCEPT, EDIT, NOT_NOW, SAVE, DONE, BACK = "accept", "edit", "notnow", "save", "done", "back"
KEEP_OWN = "keepown"
PLAN, PAUSE, RESUME, TIMEZONE, LIMIT = "plan", "pause", "resume", "tz", "limit"
NO_LIMIT = "l:none"
ON, OFF, TIMES, DAYS, INTERVAL, WINDOW, QUIET = "on", "off", "times", "days", "ivl", "win", "quiet"
QUIET_OFF = "q:off"
DAYS_SAVE = "d:ok"


# -- the working set kept in the flow state ----------------------------------------------


@dataclass(frozen=True)
class Item:
    """One kind's reminder in the draft: on or off, its rule, and why a plan has it."""

    enabled: bool
    rule: Rule
    reason: str | None = None

    def dump(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "rule": self.rule.to_dict(), "reason": self.reason}


def load_items(answers: Mapping[str, Any]) -> dict[str, Item] | None:
    """The items in a saved state, or None when the state cannot be read."""
    raw = answers.get("items")
    if not isinstance(raw, Mapping):
        return None
    items: dict[str, Item] = {}
    for kind in KINDS:
        entry = raw.get(kind)
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            return None
        try:
            rule = Rule.from_dict(entry.get("rule") or {})
        except ValueError:
            return None
        reason = entry.get("reason")
        items[kind] = Item(
            entry.get("enabled") is not False, rule, reason if reason in REASONS else None
        )
    return items


def dump_items(items: Mapping[str, Item]) -> dict[str, Any]:
    return {kind: items[kind].dump() for kind in KINDS if kind in items}


def history_items(ctx: Context) -> dict[str, Item]:
    """The user's stored reminders from ``ctx.history["reminders"]``; bad rows skipped."""
    rows = ctx.history.get("reminders")
    items: dict[str, Item] = {}
    if not isinstance(rows, list | tuple):
        return items
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        kind = row.get("kind")
        if kind not in KINDS or kind in items:
            continue
        try:
            rule = Rule.from_dict(row.get("rule") or {})
        except ValueError:
            continue
        if rule.kind != kind:
            continue
        items[kind] = Item(row.get("enabled") is not False, rule)
    return items


def proposed(ctx: Context) -> list[dict[str, Any]]:
    """Valid entries of ``ctx.history["proposed_plan"]`` (one per kind), canonical."""
    plan = ctx.history.get("proposed_plan")
    found: dict[str, dict[str, Any]] = {}
    if not isinstance(plan, list | tuple):
        return []
    for entry in plan:
        if not isinstance(entry, Mapping):
            continue
        try:
            rule = Rule.from_dict(entry)
        except ValueError:
            continue
        if rule.kind in found:
            continue
        reason = entry.get("reason")
        found[rule.kind] = {**rule.to_dict(), "reason": reason if reason in REASONS else "default"}
    return [found[kind] for kind in KINDS if kind in found]


def plan_items(proposed: list[dict[str, Any]]) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for entry in proposed:
        try:
            rule = Rule.from_dict(entry)
        except ValueError:
            continue
        reason = entry.get("reason")
        items[rule.kind] = Item(True, rule, reason if reason in REASONS else None)
    return items


def state_plan(state: FlowState) -> dict[str, Item]:
    """The suggested plan kept in the state, as items."""
    proposed = state.answers.get("proposed")
    return plan_items(proposed if isinstance(proposed, list) else [])


def running_pause(items: Mapping[str, Item], now: datetime) -> datetime | None:
    """The end of a pause still running on any enabled reminder, else None."""
    ends = [
        item.rule.paused_until
        for item in items.values()
        if item.enabled and item.rule.paused_until is not None and item.rule.is_paused(now)
    ]
    return max(ends) if ends else None


def own_rules(items: Mapping[str, Item]) -> dict[str, Rule]:
    """The rules of the reminders that are on: what a plan must not overwrite unseen."""
    return {kind: item.rule for kind, item in items.items() if item.enabled}


def with_pause(items: Mapping[str, Item], pause: datetime | None) -> dict[str, Item]:
    """A plan taken while a pause runs keeps the pause: accepting it is no "resume"."""
    if pause is None:
        return dict(items)
    return {
        kind: dataclasses.replace(
            item, rule=dataclasses.replace(item.rule, paused_until=item.rule.paused_until or pause)
        )
        for kind, item in items.items()
    }


def can_keep_own(own: Mapping[str, Rule], plan: Mapping[str, Item]) -> bool:
    """ "Keep mine, add the new ones" means something only when the plan would both
    change something of the user's and add something they don't have."""
    changes = plan_changes(own, [item.rule for item in plan.values()])
    return any(c.touches_own for c in changes) and any(c.before is None for c in changes)


def history_limit(ctx: Context) -> int | None:
    """The user's daily limit from ``ctx.history["daily_limit"]`` (None: no limit)."""
    if "daily_limit" not in ctx.history:
        return DEFAULT_DAILY_LIMIT
    value = ctx.history["daily_limit"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def state_limit(state: FlowState) -> int | None:
    if "limit" not in state.answers:  # a state saved before limits existed
        return DEFAULT_DAILY_LIMIT
    value = state.answers["limit"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def state_timezone(state: FlowState) -> str:
    timezone = state.answers.get("timezone")
    if isinstance(timezone, str) and is_valid_timezone(timezone):
        return timezone
    return DEFAULT_TIMEZONE


def selected_rule(state: FlowState, items: Mapping[str, Item]) -> Rule:
    """The selected kind's current rule, or its default when it has none yet."""
    kind = str(state.answers["kind"])
    item = items.get(kind)
    return item.rule if item is not None else default_rule(kind, state_timezone(state))


def days_pick(state: FlowState, items: Mapping[str, Item]) -> set[int]:
    """The days switched on so far on the days screen (the rule's own at first)."""
    pick = state.answers.get("days_pick")
    if isinstance(pick, list) and all(isinstance(d, int) and d in EVERY_DAY for d in pick):
        return set(pick)
    return set(selected_rule(state, items).days)


# -- button values ---------------------------------------------------------------------


def hhmm_value(hhmm: str) -> str:
    """``"09:30"`` as ``"0930"``, for a button value."""
    return hhmm.replace(":", "")


def from_value(compact: str) -> str | None:
    """``"0930"`` back to ``"09:30"`` for button values we made; None otherwise."""
    if len(compact) != 4 or not compact.isascii() or not compact.isdigit():
        return None
    hours, minutes = int(compact[:2]), int(compact[2:])
    return f"{compact[:2]}:{compact[2:]}" if hours < 24 and minutes < 60 else None


def window_value(prefix: str, window: tuple[str, str]) -> str:
    return f"{prefix}:{hhmm_value(window[0])}-{hhmm_value(window[1])}"


def parse_window_value(prefix: str, value: str | None) -> tuple[str, str] | None:
    if value is None or not value.startswith(f"{prefix}:"):
        return None
    parts = value[len(prefix) + 1 :].split("-")
    if len(parts) != 2:
        return None
    start, end = from_value(parts[0]), from_value(parts[1])
    return (start, end) if start and end and start != end else None
