"""The steps about one reminder: switch it on or off, and change its times, days,
interval, working hours or quiet hours, picked from buttons or typed.

One piece because every step ends the same way (:func:`apply`): the new rule is kept in
the draft, confirmed in words and, outside a draft plan, recorded at once. Typed times
and days are read by :mod:`flows.time_input`.
"""

from __future__ import annotations

import dataclasses
import re

from flows.plan import default_rule
from flows.reminder_words import describe
from flows.reminders.draft import (
    COMMON_TIMES,
    DAY_PRESETS,
    DAYS,
    DAYS_SAVE,
    INTERVAL,
    INTERVALS,
    OFF,
    ON,
    QUIET,
    QUIET_OFF,
    QUIET_PRESETS,
    SINGLE_DAY_KINDS,
    TIMES,
    WINDOW,
    WINDOWS,
    Item,
    days_pick,
    dump_items,
    from_value,
    parse_window_value,
    running_pause,
    selected_rule,
    state_timezone,
)
from flows.reminders.facts import ReminderToggled, ReminderUpserted
from flows.reminders.screens import ask, kind_reply, offered_time, reask, shown
from flows.runtime import Context, Event, FlowState, Outcome, Press, Text
from flows.schedule import EVERY_DAY, MAX_INTERVAL, MIN_INTERVAL, Rule, next_due
from flows.time_input import parse_days, parse_times, parse_window

_INTERVAL_TEXT = re.compile(r"(\d{1,3})\s*(?:min|mins|minutes|m)?", re.ASCII | re.IGNORECASE)


def on_kind(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    t = ctx.t
    value = event.value if isinstance(event, Press) else None
    kind = str(state.answers["kind"])
    item = items.get(kind)
    enabled = item is not None and item.enabled
    draft = bool(state.answers.get("draft"))
    if value == ON and not enabled:
        facts: tuple[object, ...]
        if item is None:
            rule = default_rule(kind, state_timezone(state))
            pause = running_pause(items, ctx.now)
            if pause is not None:
                rule = dataclasses.replace(rule, paused_until=pause)
            new = Item(True, rule)
            facts = (ReminderUpserted(kind, rule.to_dict(), True),)
        else:
            new = dataclasses.replace(item, enabled=True)
            facts = (ReminderToggled(kind, True),)
        updated = {**items, kind: new}
        nxt = state.at("kind", items=dump_items(updated))
        headline = t("reminders.flow.turned_on", text=describe(new.rule, t, ctx.now))
        return Outcome(nxt, (kind_reply(nxt, updated, ctx, headline),), () if draft else facts)
    if value == OFF and item is not None and enabled:
        updated = {**items, kind: dataclasses.replace(item, enabled=False)}
        nxt = state.at("kind", items=dump_items(updated))
        headline = t("reminders.flow.turned_off", kind=t(f"reminders.kinds.{kind}"))
        return Outcome(
            nxt,
            (kind_reply(nxt, updated, ctx, headline),),
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
            return ask(nxt, items, ctx)
        if value in (*allowed, QUIET):
            return ask(state.at(targets[str(value)]), items, ctx)
    return reask(state, items, ctx)


def on_times(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    times: tuple[str, ...] | None = None
    offer = offered_time(state)
    if isinstance(event, Press):
        picked = from_value(event.value[2:]) if event.value.startswith("t:") else None
        known = (*COMMON_TIMES, offer) if offer else COMMON_TIMES
        times = (picked,) if picked in known and picked is not None else None
        if times is None:
            return reask(state, items, ctx)
    else:
        times = parse_times(event.text)
        if times is None:
            return ask(
                state, items, ctx, ctx.t("reminders.flow.times_invalid", text=shown(event.text))
            )
    rule = selected_rule(state, items)
    return apply(
        state.at(state.step, offer_time=None) if offer else state,
        items,
        dataclasses.replace(
            rule, times=times, interval_minutes=None, window_start=None, window_end=None
        ),
        ctx,
    )


def on_days(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
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
        pick = days_pick(state, items) ^ {int(day)}
        return ask(state.at("days", days_pick=sorted(pick)), items, ctx)
    elif value == DAYS_SAVE and not single:
        days = tuple(sorted(days_pick(state, items))) or None
        if days is None:
            return ask(state, items, ctx, ctx.t("reminders.flow.days_none"))
    if days is None:
        return reask(state, items, ctx)
    return apply(state, items, dataclasses.replace(selected_rule(state, items), days=days), ctx)


def on_interval(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    minutes: int | None = None
    if isinstance(event, Press):
        if event.value in {f"i:{m}" for m in INTERVALS}:
            minutes = int(event.value[2:])
        else:
            return reask(state, items, ctx)
    else:
        typed = event.text.strip()
        match = _INTERVAL_TEXT.fullmatch(typed) if len(typed) <= 20 else None
        if match and MIN_INTERVAL <= int(match.group(1)) <= MAX_INTERVAL:
            minutes = int(match.group(1))
        else:
            return ask(
                state,
                items,
                ctx,
                ctx.t("reminders.flow.interval_invalid", min=MIN_INTERVAL, max=MAX_INTERVAL),
            )
    rule = selected_rule(state, items)
    return apply(
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


def on_window(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    rule = selected_rule(state, items)
    if isinstance(event, Text) and parse_window(event.text) is None:
        text = ctx.t("reminders.flow.window_invalid", text=shown(event.text))
        return ask(state, items, ctx, text)
    window = _picked_window(event, "w", WINDOWS)
    if window is None or rule.interval_minutes is None:
        return reask(state, items, ctx)
    return apply(
        state,
        items,
        dataclasses.replace(rule, window_start=window[0], window_end=window[1]),
        ctx,
    )


def on_quiet(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    rule = selected_rule(state, items)
    if isinstance(event, Press) and event.value == QUIET_OFF:
        return apply(state, items, dataclasses.replace(rule, quiet_start=None, quiet_end=None), ctx)
    if isinstance(event, Text) and parse_window(event.text) is None:
        text = ctx.t("reminders.flow.quiet_invalid", text=shown(event.text))
        return ask(state, items, ctx, text)
    window = _picked_window(event, "q", QUIET_PRESETS)
    if window is None:
        return reask(state, items, ctx)
    return apply(
        state, items, dataclasses.replace(rule, quiet_start=window[0], quiet_end=window[1]), ctx
    )


def _picked_window(
    event: Event, prefix: str, presets: tuple[tuple[str, str], ...]
) -> tuple[str, str] | None:
    """A preset pressed or a range typed, or None."""
    if isinstance(event, Press):
        window = parse_window_value(prefix, event.value)
        return window if window in presets else None
    return parse_window(event.text)


def apply(state: FlowState, items: dict[str, Item], rule: Rule, ctx: Context) -> Outcome:
    """Keep ``rule`` for the selected kind, confirm it in words, record the fact."""
    t = ctx.t
    kind = str(state.answers["kind"])
    if next_due(rule, ctx.now) is None:
        return ask(state, items, ctx, t("reminders.flow.quiet_never_fires"))
    old = items.get(kind)
    new = Item(old.enabled if old else True, rule, old.reason if old else None)
    updated = {**items, kind: new}
    draft = bool(state.answers.get("draft"))
    nxt = state.at("kind", items=dump_items(updated))
    text = describe(rule, t, ctx.now)
    headline = (
        t("reminders.flow.saved_draft", text=text)
        if draft
        else t("reminders.flow.saved", text=text)
    )
    facts = () if draft else (ReminderUpserted(kind, rule.to_dict(), new.enabled),)
    return Outcome(nxt, (kind_reply(nxt, updated, ctx, headline),), facts)
