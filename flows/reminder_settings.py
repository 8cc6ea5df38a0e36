"""Reminder settings (/reminders) and the suggested plan (/plan) as one small flow.

The user sees every reminder kind on one screen, taps one to switch it on or off or to
change its time, days, interval, working hours or quiet hours, and can pause everything
or change the time zone. After the pain self-check the bot starts the same flow in
"propose" mode to offer the plan from :mod:`flows.plan`: accept it, change it first, or
leave it for now. Every change is confirmed in words with :func:`schedule.describe`, so
the user reads back exactly what will happen.

The flow only decides. It records facts the bot applies in the same transaction as the
flow state; the bot then recomputes ``next_due_at`` with :func:`schedule.next_due`:

- :class:`ReminderUpserted`: create or replace the user's reminder of ``kind``.
- :class:`ReminderToggled`: switch the existing reminder of ``kind`` on or off.
- :class:`RemindersPaused`: set ``paused_until`` on every reminder of the user (None
  resumes them all now).
- :class:`PlanAccepted`: the user's reminders become exactly these rules (one per
  kind, enabled); kinds not listed are switched off.
- :class:`DailyLimitChosen`: at most this many pushes a day (None: no limit); the
  menu and the plan always say what the limit lets through.
- :class:`flows.onboarding.TimezoneChosen`: the user's zone. In settings mode it comes
  with a :class:`ReminderUpserted` for every reminder, carrying the new zone.

While a suggested plan is being changed ("Change it first") nothing is recorded until
"Save this plan", which records one :class:`PlanAccepted`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from flows import caution as cn
from flows import pacing
from flows.formatting import zone_name
from flows.onboarding import TimezoneChosen
from flows.plan import REASONS, Change, default_rule, keep_own, plan_changes
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, Text
from flows.schedule import (
    DEFAULT_TIMEZONE,
    EVERY_DAY,
    KINDS,
    MAX_INTERVAL,
    MIN_INTERVAL,
    WEEKDAYS,
    WEEKENDS,
    Rule,
    describe,
    describe_pause,
    format_time,
    next_due,
    parse_days,
    parse_times,
    parse_window,
)
from flows.timezones import COMMON_TIMEZONES, is_valid_timezone, local_clock, parse_timezone

NAME: Final = "reminders"
F: Final = "reminders.flow"

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

# Button values: short ASCII, no "|", at most 20 characters (they ride in callback_data).
ACCEPT, EDIT, NOT_NOW, SAVE, DONE, BACK = "accept", "edit", "notnow", "save", "done", "back"
KEEP_OWN = "keepown"
PLAN, PAUSE, RESUME, TIMEZONE, LIMIT = "plan", "pause", "resume", "tz", "limit"
NO_LIMIT = "l:none"
ON, OFF, TIMES, DAYS, INTERVAL, WINDOW, QUIET = "on", "off", "times", "days", "ivl", "win", "quiet"
QUIET_OFF = "q:off"
DAYS_SAVE = "d:ok"

_INTERVAL_TEXT = re.compile(r"(\d{1,3})\s*(?:min|mins|minutes|m)?", re.ASCII | re.IGNORECASE)


# -- facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderUpserted:
    """Create or replace the user's reminder of ``kind`` (``rule`` is ``Rule.to_dict()``)."""

    kind: str
    rule: dict[str, Any]
    enabled: bool


@dataclass(frozen=True)
class ReminderToggled:
    """Switch the user's existing reminder of ``kind`` on or off, rule unchanged."""

    kind: str
    enabled: bool


@dataclass(frozen=True)
class RemindersPaused:
    """Pause every reminder until this ISO instant (UTC); None resumes them now."""

    until_iso: str | None


@dataclass(frozen=True)
class PlanAccepted:
    """The user's reminders become exactly these rules (dicts), each enabled."""

    rules: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class DailyLimitChosen:
    """At most ``limit`` reminder pushes a day from now on (None: no limit)."""

    limit: int | None


# -- the working set kept in the flow state ----------------------------------------------


@dataclass(frozen=True)
class _Item:
    enabled: bool
    rule: Rule
    reason: str | None = None

    def dump(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "rule": self.rule.to_dict(), "reason": self.reason}


def _load_items(answers: Mapping[str, Any]) -> dict[str, _Item] | None:
    """The items in a saved state, or None when the state cannot be read."""
    raw = answers.get("items")
    if not isinstance(raw, Mapping):
        return None
    items: dict[str, _Item] = {}
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
        items[kind] = _Item(
            entry.get("enabled") is not False, rule, reason if reason in REASONS else None
        )
    return items


def _dump_items(items: Mapping[str, _Item]) -> dict[str, Any]:
    return {kind: items[kind].dump() for kind in KINDS if kind in items}


def _history_items(ctx: Context) -> dict[str, _Item]:
    """The user's stored reminders from ``ctx.history["reminders"]``; bad rows skipped."""
    rows = ctx.history.get("reminders")
    items: dict[str, _Item] = {}
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
        items[kind] = _Item(row.get("enabled") is not False, rule)
    return items


def _proposed(ctx: Context) -> list[dict[str, Any]]:
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


def _plan_items(proposed: list[dict[str, Any]]) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for entry in proposed:
        try:
            rule = Rule.from_dict(entry)
        except ValueError:
            continue
        reason = entry.get("reason")
        items[rule.kind] = _Item(True, rule, reason if reason in REASONS else None)
    return items


def _running_pause(items: Mapping[str, _Item], now: datetime) -> datetime | None:
    """The end of a pause still running on any enabled reminder, else None."""
    ends = [
        item.rule.paused_until
        for item in items.values()
        if item.enabled and item.rule.paused_until is not None and item.rule.is_paused(now)
    ]
    return max(ends) if ends else None


def _own_rules(items: Mapping[str, _Item]) -> dict[str, Rule]:
    """The rules of the reminders that are on: what a plan must not overwrite unseen."""
    return {kind: item.rule for kind, item in items.items() if item.enabled}


def _with_pause(items: Mapping[str, _Item], pause: datetime | None) -> dict[str, _Item]:
    """A plan taken while a pause runs keeps the pause: accepting it is no "resume"."""
    if pause is None:
        return dict(items)
    return {
        kind: dataclasses.replace(
            item, rule=dataclasses.replace(item.rule, paused_until=item.rule.paused_until or pause)
        )
        for kind, item in items.items()
    }


def _hhmm_value(hhmm: str) -> str:
    return hhmm.replace(":", "")


def _from_value(compact: str) -> str | None:
    """``"0930"`` back to ``"09:30"`` for button values we made; None otherwise."""
    if len(compact) != 4 or not compact.isascii() or not compact.isdigit():
        return None
    hours, minutes = int(compact[:2]), int(compact[2:])
    return f"{compact[:2]}:{compact[2:]}" if hours < 24 and minutes < 60 else None


def _window_value(prefix: str, window: tuple[str, str]) -> str:
    return f"{prefix}:{_hhmm_value(window[0])}-{_hhmm_value(window[1])}"


def _parse_window_value(prefix: str, value: str | None) -> tuple[str, str] | None:
    if value is None or not value.startswith(f"{prefix}:"):
        return None
    parts = value[len(prefix) + 1 :].split("-")
    if len(parts) != 2:
        return None
    start, end = _from_value(parts[0]), _from_value(parts[1])
    return (start, end) if start and end and start != end else None


class ReminderSettingsFlow:
    """menu <-> kind <-> (times | days | interval | window | quiet); pause; timezone;
    and, after the self-check, propose -> accept | edit (a draft menu) | not now.

    ``ctx.history`` keys read (all optional):

    - ``reminders``: ``[{"id": int, "kind": str, "enabled": bool, "rule": dict}, ...]``,
      the user's stored reminders (``rule`` is ``Rule.to_dict()``); one per kind, the
      first row of a kind wins, unreadable rows are left out.
    - ``proposed_plan``: ``[rule dict, ...]`` from :func:`flows.plan.plan_dicts` (or
      ``default_plan`` rules' ``to_dict()``); an optional ``"reason"`` key per entry.
    - ``plan_from_test``: True when the proposed plan follows a self-check result.
    - ``mode``: ``"propose"`` (from /plan after the test) opens on the suggested plan.
    - ``open_kind``: a reminder kind to open at once ("another time?" under a
      reminder that went unanswered).
    - ``daily_limit``: the user's daily limit, None for none (default
      :data:`flows.pacing.DEFAULT_DAILY_LIMIT` when absent).
    - ``caution``: advice to see a doctor that still stands (:mod:`flows.caution`): the
      suggested plan then waits until the user says a doctor has seen them and it is
      fine to go on; "not yet" leaves the plan and offers only calm exercises.
    """

    name = NAME
    needs_consent = True

    # -- protocol --------------------------------------------------------------------

    def start(self, ctx: Context) -> Outcome:
        proposed = _proposed(ctx)
        timezone = ctx.timezone if is_valid_timezone(ctx.timezone) else DEFAULT_TIMEZONE
        answers: dict[str, Any] = {
            "timezone": timezone,
            "items": _dump_items(_history_items(ctx)),
            "draft": False,
            "proposed": proposed,
            "from_menu": False,
            "limit": _history_limit(ctx),
        }
        step = "propose" if ctx.history.get("mode") == "propose" and proposed else "menu"
        if step == "menu" and ctx.history.get("open_kind") in KINDS:
            # "Another time?" under a reminder that went unanswered: straight to it.
            step, answers["kind"] = "kind", ctx.history["open_kind"]
        caution = cn.Caution.of(ctx.history.get("caution"))
        if step == "propose" and caution is not None:
            step, answers["caution"] = cn.STEP, caution.to_dict()
        state = FlowState(self.name, step, answers)
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        items = _load_items(state.answers)
        if items is None:
            return self.start(ctx).replies
        return (self._question(state, items, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        items = _load_items(state.answers)
        step = state.step
        if items is None or step not in STEPS:
            return self.start(ctx)  # a state this version cannot read: begin again
        if step in KIND_STEPS and state.answers.get("kind") not in KINDS:
            return self._ask(state.at("menu"), items, ctx)
        value = event.value if isinstance(event, Press) else None
        if value == BACK and step not in ("propose", cn.STEP):
            target = "kind" if step in KIND_STEPS - {"kind"} else "menu"
            return self._ask(state.at(target), items, ctx)
        handler = {
            cn.STEP: self._on_caution,
            "propose": self._on_propose,
            "menu": self._on_menu,
            "kind": self._on_kind,
            "times": self._on_times,
            "days": self._on_days,
            "interval": self._on_interval,
            "window": self._on_window,
            "quiet": self._on_quiet,
            "pause": self._on_pause,
            "timezone": self._on_timezone,
            "limit": self._on_limit,
        }[step]
        return handler(state, items, event, ctx)

    def holds_unsaved(self, state: FlowState) -> bool:
        """Only a suggested plan being changed: nothing of it is stored until "Save this
        plan". Every other change (a time, a pause, a zone) is stored when it is made."""
        return state.answers.get("draft") is True

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/reminders", "menu"),
            ("", "'another time?' under an ignored reminder", "kind"),
            ("", "/plan after the self-check", "propose"),
            ("", "/plan while a caution is open", cn.STEP),
            (cn.STEP, "seen by a doctor, fine to go on (caution cleared)", "propose"),
            (cn.STEP, "not yet: the advice, calm exercises offered", ""),
            (cn.STEP, "invalid input", cn.STEP),
            ("propose", "accept (plan recorded; what changes was shown)", ""),
            ("propose", "keep mine, add the new ones (recorded)", ""),
            ("propose", "change it first", "menu"),
            ("propose", "not now", ""),
            ("propose", "not now (opened from the menu)", "menu"),
            ("menu", "a reminder", "kind"),
            ("menu", "use the suggested plan", "propose"),
            ("menu", "pause all", "pause"),
            ("menu", "resume now", "menu"),
            ("menu", "time zone", "timezone"),
            ("menu", "daily limit", "limit"),
            ("limit", "a limit or none (recorded)", "menu"),
            ("limit", "back", "menu"),
            ("menu", "done", ""),
            ("menu", "save this plan (draft)", ""),
            ("menu", "not now (draft)", ""),
            ("kind", "turn on / turn off", "kind"),
            ("kind", "time", "times"),
            ("kind", "days", "days"),
            ("kind", "how often", "interval"),
            ("kind", "working hours", "window"),
            ("kind", "quiet hours", "quiet"),
            ("kind", "back", "menu"),
            ("times", "time picked or typed", "kind"),
            ("times", "invalid time", "times"),
            ("times", "back", "kind"),
            ("days", "days picked", "kind"),
            ("days", "back", "kind"),
            ("interval", "minutes picked or typed", "kind"),
            ("interval", "invalid minutes", "interval"),
            ("interval", "back", "kind"),
            ("window", "hours picked or typed", "kind"),
            ("window", "invalid hours", "window"),
            ("window", "back", "kind"),
            ("quiet", "quiet hours picked, typed or none", "kind"),
            ("quiet", "invalid or never fires", "quiet"),
            ("quiet", "back", "kind"),
            ("pause", "1, 3 or 7 days", "menu"),
            ("pause", "back", "menu"),
            ("timezone", "zone picked or typed", "menu"),
            ("timezone", "unknown zone", "timezone"),
            ("timezone", "back", "menu"),
        ]

    # -- the caution after advice to see a doctor --------------------------------------

    def _on_caution(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        caution = cn.Caution.of(state.answers.get("caution"))
        if caution is None:  # nothing left to ask about
            return self._ask(state.at("propose", caution=None), items, ctx)
        choice = cn.answer(event, ctx)
        if choice == cn.SEEN:
            nxt = state.at("propose", caution=None)
            replies = (Reply(cn.cleared(ctx)), self._question(nxt, items, ctx))
            return Outcome(nxt, replies, (cn.CautionCleared(),))
        if choice == cn.NOT_YET:
            text = f"{cn.advice(caution, ctx)}\n\n{ctx.t('caution.plan_not_yet')}"
            calm = Choice(ctx.t("caution.calm_button"), command=cn.CALM_COMMAND)
            return Outcome(None, (Reply(text, ((calm,),)),))
        return Outcome(state, (cn.reask(caution, ctx),))

    # -- propose -----------------------------------------------------------------------

    def _on_propose(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        value = event.value if isinstance(event, Press) else None
        proposed = state.answers.get("proposed")
        plan = _plan_items(proposed if isinstance(proposed, list) else [])
        if not plan:
            return self._ask(state.at("menu"), items, ctx)
        plan = _with_pause(plan, _running_pause(items, ctx.now))
        own = _own_rules(items)
        if value == ACCEPT:
            return self._accept(plan, ctx, own)
        if value == KEEP_OWN and _can_keep_own(own, plan):
            rules = keep_own(own, [item.rule for item in plan.values()])
            kept = {rule.kind: _Item(True, rule) for rule in rules}
            return self._accept(kept, ctx, own, headline=f"{F}.accepted_kept")
        if value == EDIT:
            nxt = state.at("menu", items=_dump_items(plan), draft=True, own=bool(own))
            return self._ask(nxt, plan, ctx)
        if value == NOT_NOW:
            if state.answers.get("from_menu"):
                return self._ask(state.at("menu"), items, ctx)
            return Outcome(None, (Reply(_not_now(bool(own), ctx)),))
        return self._reask(state, items, ctx)

    def _accept(
        self,
        items: Mapping[str, _Item],
        ctx: Context,
        own: Mapping[str, Rule] | None = None,
        headline: str = f"{F}.accepted",
    ) -> Outcome:
        """Record the plan, unless ``own`` (the user's reminders that are on) already
        follows it: then nothing is recorded, so no slot or "skip today" is reset."""
        t = ctx.t
        chosen = [items[kind] for kind in KINDS if kind in items and items[kind].enabled]
        if own and not plan_changes(own, [item.rule for item in chosen]):
            return Outcome(None, (Reply(t(f"{F}.accepted_unchanged")),))
        fact = PlanAccepted(tuple(item.rule.to_dict() for item in chosen))
        if not chosen:
            return Outcome(None, (Reply(t(f"{F}.accepted_empty")),), (fact,))
        lines = [t(headline)]
        lines += [t(f"{F}.on_line", text=describe(item.rule, t, ctx.now)) for item in chosen]
        lines.append(t(f"{F}.propose_footer"))
        return Outcome(None, (Reply("\n".join(lines)),), (fact,))

    # -- menu ----------------------------------------------------------------------------

    def _on_menu(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        value = event.value if isinstance(event, Press) else None
        draft = bool(state.answers.get("draft"))
        if value is not None and value.startswith("k:") and value[2:] in KINDS:
            return self._ask(state.at("kind", kind=value[2:]), items, ctx)
        if value == TIMEZONE:
            return self._ask(state.at("timezone"), items, ctx)
        if draft and value == SAVE:
            return self._accept(items, ctx)
        if draft and value == NOT_NOW:
            return Outcome(None, (Reply(_not_now(state.answers.get("own") is True, ctx)),))
        if not draft and value == DONE:
            return Outcome(None, (Reply(ctx.t(f"{F}.finished")),))
        if not draft and value == PLAN and state.answers.get("proposed"):
            return self._ask(state.at("propose", from_menu=True), items, ctx)
        if not draft and value == PAUSE:
            return self._ask(state.at("pause"), items, ctx)
        if not draft and value == LIMIT:
            return self._ask(state.at("limit"), items, ctx)
        if not draft and value == RESUME and _running_pause(items, ctx.now) is not None:
            resumed = {
                kind: dataclasses.replace(
                    item, rule=dataclasses.replace(item.rule, paused_until=None)
                )
                for kind, item in items.items()
            }
            nxt = state.at("menu", items=_dump_items(resumed))
            return Outcome(
                nxt,
                (Reply(ctx.t(f"{F}.resumed")), self._question(nxt, resumed, ctx)),
                (RemindersPaused(None),),
            )
        return self._reask(state, items, ctx)

    # -- one kind ------------------------------------------------------------------------

    def _on_kind(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        t = ctx.t
        value = event.value if isinstance(event, Press) else None
        kind = str(state.answers["kind"])
        item = items.get(kind)
        enabled = item is not None and item.enabled
        draft = bool(state.answers.get("draft"))
        if value == ON and not enabled:
            facts: tuple[object, ...]
            if item is None:
                rule = default_rule(kind, self._timezone(state))
                pause = _running_pause(items, ctx.now)
                if pause is not None:
                    rule = dataclasses.replace(rule, paused_until=pause)
                new = _Item(True, rule)
                facts = (ReminderUpserted(kind, rule.to_dict(), True),)
            else:
                new = dataclasses.replace(item, enabled=True)
                facts = (ReminderToggled(kind, True),)
            updated = {**items, kind: new}
            nxt = state.at("kind", items=_dump_items(updated))
            headline = t(f"{F}.turned_on", text=describe(new.rule, t, ctx.now))
            return Outcome(
                nxt, (self._kind_reply(nxt, updated, ctx, headline),), () if draft else facts
            )
        if value == OFF and item is not None and enabled:
            updated = {**items, kind: dataclasses.replace(item, enabled=False)}
            nxt = state.at("kind", items=_dump_items(updated))
            headline = t(f"{F}.turned_off", kind=t(f"reminders.kinds.{kind}"))
            return Outcome(
                nxt,
                (self._kind_reply(nxt, updated, ctx, headline),),
                () if draft else (ReminderToggled(kind, False),),
            )
        if enabled and item is not None:
            allowed = (INTERVAL, WINDOW) if item.rule.is_interval else (TIMES,)
            targets = {
                TIMES: "times",
                DAYS: "days",
                INTERVAL: "interval",
                WINDOW: "window",
                QUIET: "quiet",
            }
            if value == DAYS:
                nxt = state.at("days", days_pick=list(item.rule.days))
                return self._ask(nxt, items, ctx)
            if value in (*allowed, QUIET):
                return self._ask(state.at(targets[str(value)]), items, ctx)
        return self._reask(state, items, ctx)

    def _on_times(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        times: tuple[str, ...] | None = None
        if isinstance(event, Press):
            picked = _from_value(event.value[2:]) if event.value.startswith("t:") else None
            times = (picked,) if picked in COMMON_TIMES and picked is not None else None
            if times is None:
                return self._reask(state, items, ctx)
        else:
            times = parse_times(event.text)
            if times is None:
                return self._ask(
                    state, items, ctx, ctx.t(f"{F}.times_invalid", text=_shown(event.text))
                )
        rule = self._rule(state, items)
        return self._apply(
            state,
            items,
            dataclasses.replace(
                rule, times=times, interval_minutes=None, window_start=None, window_end=None
            ),
            ctx,
        )

    def _on_days(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        """A set (weekdays, every day, weekends) or a typed list saves at once; a day
        switches on or off in the pick, which "Save these days" saves. A weekly
        summary comes on one day, so a day saves at once there."""
        value = event.value if isinstance(event, Press) else ""
        single = str(state.answers["kind"]) in SINGLE_DAY_KINDS
        day = value[2:] if value.startswith("d:") else ""
        days: tuple[int, ...] | None = None
        if isinstance(event, Text):
            days = parse_days(event.text, ctx.t)
        elif day in DAY_PRESETS:
            days = DAY_PRESETS[day]
        elif day in {str(d) for d in EVERY_DAY} and single:
            days = (int(day),)
        elif day in {str(d) for d in EVERY_DAY}:
            pick = self._days_pick(state, items) ^ {int(day)}
            return self._ask(state.at("days", days_pick=sorted(pick)), items, ctx)
        elif value == DAYS_SAVE and not single:
            days = tuple(sorted(self._days_pick(state, items))) or None
            if days is None:
                return self._ask(state, items, ctx, ctx.t(f"{F}.days_none"))
        if days is None:
            return self._reask(state, items, ctx)
        return self._apply(
            state, items, dataclasses.replace(self._rule(state, items), days=days), ctx
        )

    def _days_pick(self, state: FlowState, items: Mapping[str, _Item]) -> set[int]:
        """The days switched on so far on the days screen (the rule's own at first)."""
        pick = state.answers.get("days_pick")
        if isinstance(pick, list) and all(isinstance(d, int) and d in EVERY_DAY for d in pick):
            return set(pick)
        return set(self._rule(state, items).days)

    def _on_interval(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        minutes: int | None = None
        if isinstance(event, Press):
            if event.value in {f"i:{m}" for m in INTERVALS}:
                minutes = int(event.value[2:])
            else:
                return self._reask(state, items, ctx)
        else:
            typed = event.text.strip()
            match = _INTERVAL_TEXT.fullmatch(typed) if len(typed) <= 20 else None
            if match and MIN_INTERVAL <= int(match.group(1)) <= MAX_INTERVAL:
                minutes = int(match.group(1))
            else:
                return self._ask(
                    state,
                    items,
                    ctx,
                    ctx.t(f"{F}.interval_invalid", min=MIN_INTERVAL, max=MAX_INTERVAL),
                )
        rule = self._rule(state, items)
        return self._apply(
            state,
            items,
            dataclasses.replace(
                rule,
                times=(),
                interval_minutes=minutes,
                window_start=rule.window_start or WINDOWS[2][0],
                window_end=rule.window_end or WINDOWS[2][1],
            ),
            ctx,
        )

    def _on_window(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        rule = self._rule(state, items)
        window = self._picked_window(state, items, event, ctx, "w", WINDOWS, "window_invalid")
        if isinstance(window, Outcome):
            return window
        if window is None or rule.interval_minutes is None:
            return self._reask(state, items, ctx)
        return self._apply(
            state,
            items,
            dataclasses.replace(rule, window_start=window[0], window_end=window[1]),
            ctx,
        )

    def _on_quiet(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        rule = self._rule(state, items)
        if isinstance(event, Press) and event.value == QUIET_OFF:
            return self._apply(
                state, items, dataclasses.replace(rule, quiet_start=None, quiet_end=None), ctx
            )
        window = self._picked_window(state, items, event, ctx, "q", QUIET_PRESETS, "quiet_invalid")
        if isinstance(window, Outcome):
            return window
        if window is None:
            return self._reask(state, items, ctx)
        return self._apply(
            state, items, dataclasses.replace(rule, quiet_start=window[0], quiet_end=window[1]), ctx
        )

    def _picked_window(
        self,
        state: FlowState,
        items: dict[str, _Item],
        event: Event,
        ctx: Context,
        prefix: str,
        presets: tuple[tuple[str, str], ...],
        invalid_key: str,
    ) -> tuple[str, str] | Outcome | None:
        """A preset pressed or a range typed; an Outcome re-asking when typed badly."""
        if isinstance(event, Press):
            window = _parse_window_value(prefix, event.value)
            return window if window in presets else None
        window = parse_window(event.text)
        if window is None:
            return self._ask(
                state, items, ctx, ctx.t(f"{F}.{invalid_key}", text=_shown(event.text))
            )
        return window

    def _apply(
        self, state: FlowState, items: dict[str, _Item], rule: Rule, ctx: Context
    ) -> Outcome:
        """Keep ``rule`` for the selected kind, confirm it in words, record the fact."""
        t = ctx.t
        kind = str(state.answers["kind"])
        if next_due(rule, ctx.now) is None:
            return self._ask(state, items, ctx, t(f"{F}.quiet_never_fires"))
        old = items.get(kind)
        new = _Item(old.enabled if old else True, rule, old.reason if old else None)
        updated = {**items, kind: new}
        draft = bool(state.answers.get("draft"))
        nxt = state.at("kind", items=_dump_items(updated))
        headline = t(f"{F}.saved_draft" if draft else f"{F}.saved", text=describe(rule, t, ctx.now))
        facts = () if draft else (ReminderUpserted(kind, rule.to_dict(), new.enabled),)
        return Outcome(nxt, (self._kind_reply(nxt, updated, ctx, headline),), facts)

    # -- pause and time zone ---------------------------------------------------------------

    def _on_pause(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        value = event.value if isinstance(event, Press) else None
        if value not in {f"p:{days}" for days in PAUSE_DAYS} or value is None:
            return self._reask(state, items, ctx)
        until = (ctx.now + timedelta(days=int(value[2:]))).replace(second=0, microsecond=0)
        paused = {
            kind: dataclasses.replace(item, rule=dataclasses.replace(item.rule, paused_until=until))
            for kind, item in items.items()
        }
        nxt = state.at("menu", items=_dump_items(paused))
        text = ctx.t(f"{F}.paused", pause=describe_pause(until, self._timezone(state), ctx.t))
        return Outcome(
            nxt,
            (Reply(text), self._question(nxt, paused, ctx)),
            (RemindersPaused(until.isoformat()),),
        )

    def _on_timezone(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        chosen: str | None = None
        if isinstance(event, Press):
            index = event.value[2:] if event.value.startswith("z:") else ""
            if index.isascii() and index.isdigit() and int(index) < len(COMMON_TIMEZONES):
                chosen = COMMON_TIMEZONES[int(index)]
            else:
                return self._reask(state, items, ctx)
        else:
            chosen = parse_timezone(event.text)
            if chosen is None:
                return self._ask(
                    state, items, ctx, ctx.t(f"{F}.timezone_unknown", text=_shown(event.text))
                )
        moved = {
            kind: dataclasses.replace(item, rule=dataclasses.replace(item.rule, timezone=chosen))
            for kind, item in items.items()
        }
        nxt = state.at("menu", items=_dump_items(moved), timezone=chosen)
        # The zone fact moves every stored reminder with it; a draft plan is saved later.
        facts: list[object] = [TimezoneChosen(chosen)]
        text = ctx.t(f"{F}.timezone_set", timezone=chosen, local_time=local_clock(ctx.now, chosen))
        return Outcome(nxt, (Reply(text), self._question(nxt, moved, ctx)), tuple(facts))

    def _on_limit(
        self, state: FlowState, items: dict[str, _Item], event: Event, ctx: Context
    ) -> Outcome:
        value = event.value if isinstance(event, Press) else None
        choices = {f"l:{n}": n for n in pacing.DAILY_LIMITS}
        if value != NO_LIMIT and value not in choices:
            return self._reask(state, items, ctx)
        limit = None if value == NO_LIMIT else choices[str(value)]
        nxt = state.at("menu", limit=limit)
        text = ctx.t(f"{F}.limit_set", line=_limit_line(limit, ctx))
        return Outcome(
            nxt, (Reply(text), self._question(nxt, items, ctx)), (DailyLimitChosen(limit),)
        )

    # -- questions -------------------------------------------------------------------------

    def _question(self, state: FlowState, items: Mapping[str, _Item], ctx: Context) -> Reply:
        step = state.step
        kind_ok = state.answers.get("kind") in KINDS
        caution = cn.Caution.of(state.answers.get("caution"))
        if step == cn.STEP and caution is not None:
            return cn.question(caution, ctx)
        if step in ("propose", cn.STEP) and state.answers.get("proposed"):
            return self._propose_reply(state, items, ctx)
        if step == "kind" and kind_ok:
            return self._kind_reply(state, items, ctx)
        if step in KIND_STEPS and kind_ok:
            return self._setting_reply(state, items, ctx)
        if step == "pause":
            return self._pause_reply(ctx)
        if step == "timezone":
            return self._timezone_reply(ctx.t(f"{F}.timezone_prompt"), ctx)
        if step == "limit":
            return self._limit_reply(ctx)
        return self._menu_reply(state, items, ctx)

    def _menu_reply(self, state: FlowState, items: Mapping[str, _Item], ctx: Context) -> Reply:
        t = ctx.t
        draft = bool(state.answers.get("draft"))
        lines = [t(f"{F}.title")]
        pause = _running_pause(items, ctx.now)
        for kind in KINDS:
            item = items.get(kind)
            if item is not None and item.enabled:
                # A pause of everything is said once, below, not on every line.
                text = describe(item.rule, t, ctx.now, pause=pause is None)
                lines.append(t(f"{F}.on_line", text=text))
            else:
                lines.append(t(f"{F}.off_line", kind=t(f"reminders.kinds.{kind}")))
        timezone = self._timezone(state)
        if pause is not None:
            lines.append(t(f"{F}.paused_line", pause=describe_pause(pause, timezone, t)))
        lines.append(_limit_line(_state_limit(state), ctx))
        lines.append("")
        lines.append(
            t(f"{F}.timezone_line", timezone=timezone, local_time=local_clock(ctx.now, timezone))
        )
        lines.append(t(f"{F}.draft_hint" if draft else f"{F}.menu_hint"))
        buttons = [Choice(self._kind_label(kind, items, ctx), f"k:{kind}") for kind in KINDS]
        rows: list[tuple[Choice, ...]] = [
            tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
        ]
        if draft:
            rows.append((Choice(t(f"{F}.button_timezone"), TIMEZONE),))
            rows.append(
                (
                    Choice(t(f"{F}.button_save"), SAVE),
                    Choice(t(f"{F}.button_not_now"), NOT_NOW, means="no"),
                )
            )
        else:
            pause_button = (
                Choice(t(f"{F}.button_resume"), RESUME)
                if pause is not None
                else Choice(t(f"{F}.button_pause"), PAUSE)
            )
            rows.append((pause_button, Choice(t(f"{F}.button_timezone"), TIMEZONE)))
            rows.append((Choice(t(f"{F}.button_limit"), LIMIT),))
            if state.answers.get("proposed"):
                rows.append((Choice(t(f"{F}.button_use_plan"), PLAN),))
            rows.append((Choice(t(f"{F}.button_done"), DONE, means="done"),))
        return Reply("\n".join(lines), tuple(rows))

    @staticmethod
    def _kind_label(kind: str, items: Mapping[str, _Item], ctx: Context) -> str:
        item = items.get(kind)
        mark = "✅" if item is not None and item.enabled else "➖"
        return f"{mark} {ctx.t(f'reminders.kinds.{kind}')}"

    def _propose_reply(self, state: FlowState, items: Mapping[str, _Item], ctx: Context) -> Reply:
        """The plan with its reasons; when the user has reminders on, what saying yes
        would change in them, so nothing of theirs is overwritten unseen."""
        t = ctx.t
        proposed = state.answers.get("proposed")
        from_test = ctx.history.get("plan_from_test") is True
        lines = [t(f"{F}.propose_title" if from_test else f"{F}.propose_title_general"), ""]
        plan = _plan_items(proposed if isinstance(proposed, list) else [])
        for entry in proposed if isinstance(proposed, list) else []:
            try:
                rule = Rule.from_dict(entry)
            except ValueError:
                continue
            lines.append(t(f"{F}.on_line", text=describe(rule, t, ctx.now)))
            reason = entry.get("reason") if isinstance(entry, Mapping) else None
            if reason in REASONS:
                lines.append(t(f"{F}.propose_reason", reason=t(f"reminders.reason.{reason}")))
        own = _own_rules(items)
        changes = plan_changes(own, [item.rule for item in plan.values()])
        if own:
            lines += ["", t(f"{F}.changes_title") if changes else t(f"{F}.no_changes")]
            lines += [_change_line(change, ctx) for change in changes]
        lines += ["", _limit_line(_state_limit(state), ctx), t(f"{F}.propose_footer")]
        overwrites = any(change.touches_own for change in changes)
        first = [
            Choice(
                t(f"{F}.button_accept_changes" if overwrites else f"{F}.button_accept"),
                ACCEPT,
                means="yes",
            )
        ]
        if _can_keep_own(own, plan):
            first.append(Choice(t(f"{F}.button_keep_own"), KEEP_OWN))
        return Reply(
            "\n".join(lines),
            (
                tuple(first),
                (
                    Choice(t(f"{F}.button_edit"), EDIT),
                    Choice(t(f"{F}.button_not_now"), NOT_NOW, means="no"),
                ),
            ),
        )

    def _kind_reply(
        self,
        state: FlowState,
        items: Mapping[str, _Item],
        ctx: Context,
        headline: str | None = None,
    ) -> Reply:
        t = ctx.t
        kind = str(state.answers.get("kind"))
        item = items.get(kind)
        back = (Choice(t(f"{F}.button_back"), BACK, means="back"),)
        if item is None or not item.enabled:
            text = headline or t(f"{F}.kind_off", kind=t(f"reminders.kinds.{kind}"))
            return Reply(text, ((Choice(t(f"{F}.button_on"), ON),), back))
        text = headline or t(f"{F}.kind_title", text=describe(item.rule, t, ctx.now))
        first: tuple[Choice, ...]
        if item.rule.is_interval:
            first = (
                Choice(t(f"{F}.button_interval"), INTERVAL),
                Choice(t(f"{F}.button_window"), WINDOW),
            )
        else:
            first = (Choice(t(f"{F}.button_times"), TIMES),)
        return Reply(
            text,
            (
                (*first, Choice(t(f"{F}.button_days"), DAYS)),
                (Choice(t(f"{F}.button_quiet"), QUIET), Choice(t(f"{F}.button_off"), OFF)),
                back,
            ),
        )

    def _setting_reply(self, state: FlowState, items: Mapping[str, _Item], ctx: Context) -> Reply:
        t = ctx.t
        step = state.step
        kind = str(state.answers.get("kind"))
        back = (Choice(t(f"{F}.button_back"), BACK, means="back"),)
        if step == "times":
            buttons = [
                Choice(format_time(value, t), f"t:{_hhmm_value(value)}") for value in COMMON_TIMES
            ]
            return Reply(t(f"{F}.times_prompt"), (tuple(buttons[:3]), tuple(buttons[3:]), back))
        if step == "days":
            if kind in SINGLE_DAY_KINDS:
                short = t.list("reminders.days.short")
                days = [Choice(short[day], f"d:{day}") for day in EVERY_DAY]
                return Reply(t(f"{F}.days_prompt_single"), (tuple(days[:4]), tuple(days[4:]), back))
            pick = self._days_pick(state, items)
            short = t.list("reminders.days.short")
            days = [
                Choice(f"✅ {short[day]}" if day in pick else short[day], f"d:{day}")
                for day in EVERY_DAY
            ]
            return Reply(
                t(f"{F}.days_prompt"),
                (
                    tuple(days[:4]),
                    tuple(days[4:]),
                    (
                        Choice(t(f"{F}.days_weekdays"), "d:wk"),
                        Choice(t(f"{F}.days_every_day"), "d:all"),
                        Choice(t(f"{F}.days_weekends"), "d:we"),
                    ),
                    (Choice(t(f"{F}.days_save"), DAYS_SAVE, means="done"),),
                    back,
                ),
            )
        if step == "interval":
            return Reply(
                t(f"{F}.interval_prompt", min=MIN_INTERVAL, max=MAX_INTERVAL),
                (
                    tuple(Choice(t(f"{F}.interval_label", minutes=m), f"i:{m}") for m in INTERVALS),
                    back,
                ),
            )
        if step == "window":
            return Reply(
                t(f"{F}.window_prompt"),
                (*((self._window_choice("w", window, ctx),) for window in WINDOWS), back),
            )
        # step == "quiet"
        return Reply(
            t(f"{F}.quiet_prompt"),
            (
                *((self._window_choice("q", window, ctx),) for window in QUIET_PRESETS),
                (Choice(t(f"{F}.quiet_none"), QUIET_OFF),),
                back,
            ),
        )

    @staticmethod
    def _window_choice(prefix: str, window: tuple[str, str], ctx: Context) -> Choice:
        label = f"{format_time(window[0], ctx.t)}-{format_time(window[1], ctx.t)}"
        return Choice(label, _window_value(prefix, window))

    def _pause_reply(self, ctx: Context) -> Reply:
        t = ctx.t
        labels = [
            t(f"{F}.pause_one_day") if days == 1 else t(f"{F}.pause_days", days=days)
            for days in PAUSE_DAYS
        ]
        return Reply(
            t(f"{F}.pause_prompt"),
            (
                tuple(
                    Choice(label, f"p:{days}")
                    for label, days in zip(labels, PAUSE_DAYS, strict=True)
                ),
                (Choice(t(f"{F}.button_back"), BACK, means="back"),),
            ),
        )

    def _limit_reply(self, ctx: Context) -> Reply:
        t = ctx.t
        numbers = tuple(Choice(str(n), f"l:{n}") for n in pacing.DAILY_LIMITS)
        return Reply(
            t(f"{F}.limit_prompt"),
            (
                numbers,
                (Choice(t(f"{F}.limit_none"), NO_LIMIT),),
                (Choice(t(f"{F}.button_back"), BACK, means="back"),),
            ),
        )

    def _timezone_reply(self, text: str, ctx: Context) -> Reply:
        buttons = [
            Choice(zone_name(name, ctx.t.language), f"z:{index}")
            for index, name in enumerate(COMMON_TIMEZONES)
        ]
        rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        rows.append((Choice(ctx.t(f"{F}.button_back"), BACK, means="back"),))
        return Reply(text, tuple(rows))

    # -- helpers ---------------------------------------------------------------------------

    def _ask(
        self, state: FlowState, items: Mapping[str, _Item], ctx: Context, prefix: str | None = None
    ) -> Outcome:
        """Show ``state``'s question, after ``prefix`` (why we ask again) if any."""
        question = self._question(state, items, ctx)
        if prefix:
            question = Reply(f"{prefix}\n\n{question.text}", question.choices)
        return Outcome(state, (question,))

    def _reask(self, state: FlowState, items: Mapping[str, _Item], ctx: Context) -> Outcome:
        return self._ask(state, items, ctx, ctx.t("common.please_use_buttons"))

    @staticmethod
    def _timezone(state: FlowState) -> str:
        timezone = state.answers.get("timezone")
        if isinstance(timezone, str) and is_valid_timezone(timezone):
            return timezone
        return DEFAULT_TIMEZONE

    def _rule(self, state: FlowState, items: Mapping[str, _Item]) -> Rule:
        """The selected kind's current rule, or its default when it has none yet."""
        kind = str(state.answers["kind"])
        item = items.get(kind)
        return item.rule if item is not None else default_rule(kind, self._timezone(state))


def _history_limit(ctx: Context) -> int | None:
    """The user's daily limit from ``ctx.history["daily_limit"]`` (None: no limit)."""
    if "daily_limit" not in ctx.history:
        return pacing.DEFAULT_DAILY_LIMIT
    value = ctx.history["daily_limit"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _state_limit(state: FlowState) -> int | None:
    if "limit" not in state.answers:  # a state saved before limits existed
        return pacing.DEFAULT_DAILY_LIMIT
    value = state.answers["limit"]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _limit_line(limit: int | None, ctx: Context) -> str:
    """What the daily limit means, said wherever reminders are listed, so a plan with
    more than it lets through never reads as a promise."""
    if limit is None:
        return ctx.t(f"{F}.limit_line_none")
    return ctx.t(f"{F}.limit_line", count=limit)


def _can_keep_own(own: Mapping[str, Rule], plan: Mapping[str, _Item]) -> bool:
    """ "Keep mine, add the new ones" means something only when the plan would both
    change something of the user's and add something they don't have."""
    changes = plan_changes(own, [item.rule for item in plan.values()])
    return any(c.touches_own for c in changes) and any(c.before is None for c in changes)


def _change_line(change: Change, ctx: Context) -> str:
    t = ctx.t
    kind = t(f"reminders.kinds.{change.kind}")
    if change.before is None and change.after is not None:
        return t(f"{F}.change_new", text=describe(change.after, t, ctx.now))
    if change.after is None:
        return t(f"{F}.change_off", kind=kind)
    assert change.before is not None
    # A running pause is kept whatever the answer, so it is no part of the change.
    before, after = (
        dataclasses.replace(r, paused_until=None) for r in (change.before, change.after)
    )
    return t(
        f"{F}.change_changed",
        kind=kind,
        before=describe(before, t, named=False),
        after=describe(after, t, named=False),
    )


def _not_now(has_reminders: bool, ctx: Context) -> str:
    """ "Not now" never says there are no reminders when some are on."""
    return ctx.t(f"{F}.not_now_kept" if has_reminders else f"{F}.not_now")


def _shown(text: str) -> str:
    """A short, single-line echo of what the user typed, for "I couldn't read ..."."""
    return " ".join(text.split())[:40]
