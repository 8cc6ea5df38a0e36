"""What the reminder settings flow shows: every question with its buttons, and the
lines that confirm a change.

One piece because the screens share their parts (the menu's lines, the daily limit
line, a plan's changes) and none of them decides anything: the steps in
:mod:`.settings_flow` and :mod:`.kind_steps` choose the next state and ask here how
it looks. Rules are put into words by :mod:`flows.reminder_words`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from flows import caution as cn
from flows import pacing, runtime
from flows.formatting import format_time, zone_name
from flows.plan import REASONS, Change, plan_changes
from flows.reminder_words import describe, describe_pause
from flows.reminders.draft import (
    ACCEPT,
    BACK,
    COMMON_TIMES,
    DAYS,
    DAYS_SAVE,
    DONE,
    EDIT,
    INTERVAL,
    INTERVALS,
    KEEP_OWN,
    KIND_STEPS,
    LIMIT,
    NO_LIMIT,
    NOT_NOW,
    OFF,
    ON,
    PAUSE,
    PAUSE_DAYS,
    PLAN,
    QUIET,
    QUIET_OFF,
    QUIET_PRESETS,
    RESUME,
    SAVE,
    SINGLE_DAY_KINDS,
    TIMES,
    TIMEZONE,
    WINDOW,
    WINDOWS,
    Item,
    can_keep_own,
    days_pick,
    hhmm_value,
    own_rules,
    plan_items,
    running_pause,
    state_limit,
    state_timezone,
    window_value,
)
from flows.runtime import Choice, Context, FlowState, Outcome, Reply
from flows.schedule import EVERY_DAY, KINDS, MAX_INTERVAL, MIN_INTERVAL, Rule
from flows.time_input import parse_hhmm
from flows.timezones import COMMON_TIMEZONES, local_clock


def question(state: FlowState, items: Mapping[str, Item], ctx: Context) -> Reply:
    """The question of ``state``'s step."""
    step = state.step
    kind_ok = state.answers.get("kind") in KINDS
    caution = cn.Caution.of(state.answers.get("caution"))
    if step == cn.STEP and caution is not None:
        return cn.question(caution, ctx)
    if step in ("propose", cn.STEP) and state.answers.get("proposed"):
        return propose_reply(state, items, ctx)
    if step == "kind" and kind_ok:
        return kind_reply(state, items, ctx)
    if step in KIND_STEPS and kind_ok:
        return setting_reply(state, items, ctx)
    if step == "pause":
        return pause_reply(ctx)
    if step == "timezone":
        return timezone_reply(ctx.t("reminders.flow.timezone_prompt"), ctx)
    if step == "limit":
        return limit_reply(ctx)
    return menu_reply(state, items, ctx)


def ask(
    state: FlowState, items: Mapping[str, Item], ctx: Context, note: str | None = None
) -> Outcome:
    """Show ``state``'s question; with ``note`` (why we ask again) it is a re-ask."""
    reply = (question(state, items, ctx),)
    return runtime.reask(state, reply, note) if note else Outcome(state, reply)


def reask(state: FlowState, items: Mapping[str, Item], ctx: Context) -> Outcome:
    """Input that answers nothing: the step's question again (runtime.reask)."""
    return ask(state, items, ctx, ctx.t("common.please_use_buttons"))


def menu_reply(state: FlowState, items: Mapping[str, Item], ctx: Context) -> Reply:
    t = ctx.t
    draft = bool(state.answers.get("draft"))
    lines = [t("reminders.flow.title")]
    pause = running_pause(items, ctx.now)
    for kind in KINDS:
        item = items.get(kind)
        if item is not None and item.enabled:
            # A pause of everything is said once, below, not on every line.
            text = describe(item.rule, t, ctx.now, pause=pause is None)
            lines.append(t("reminders.flow.on_line", text=text))
        else:
            lines.append(t("reminders.flow.off_line", kind=t(f"reminders.kinds.{kind}")))
    timezone = state_timezone(state)
    if pause is not None:
        lines.append(t("reminders.flow.paused_line", pause=describe_pause(pause, timezone, t)))
    lines.append(limit_line(state_limit(state), ctx))
    lines.append("")
    lines.append(
        t(
            "reminders.flow.timezone_line",
            timezone=timezone,
            local_time=local_clock(ctx.now, timezone, t.language),
        )
    )
    lines.append(t("reminders.flow.draft_hint" if draft else "reminders.flow.menu_hint"))
    buttons = [Choice(kind_label(kind, items, ctx), f"k:{kind}") for kind in KINDS]
    rows: list[tuple[Choice, ...]] = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    if draft:
        rows.append((Choice(t("reminders.flow.button_timezone"), TIMEZONE),))
        rows.append(
            (
                Choice(t("reminders.flow.button_save"), SAVE),
                Choice(t("reminders.flow.button_not_now"), NOT_NOW, means="no"),
            )
        )
    else:
        pause_button = (
            Choice(t("reminders.flow.button_resume"), RESUME)
            if pause is not None
            else Choice(t("reminders.flow.button_pause"), PAUSE)
        )
        rows.append((pause_button, Choice(t("reminders.flow.button_timezone"), TIMEZONE)))
        rows.append((Choice(t("reminders.flow.button_limit"), LIMIT),))
        if state.answers.get("proposed"):
            rows.append((Choice(t("reminders.flow.button_use_plan"), PLAN),))
        rows.append((Choice(t("reminders.flow.button_done"), DONE, means="done"),))
    return Reply("\n".join(lines), tuple(rows))


def kind_label(kind: str, items: Mapping[str, Item], ctx: Context) -> str:
    item = items.get(kind)
    mark = "✅" if item is not None and item.enabled else "➖"
    return f"{mark} {ctx.t(f'reminders.kinds.{kind}')}"


def propose_reply(state: FlowState, items: Mapping[str, Item], ctx: Context) -> Reply:
    """The plan with its reasons; when the user has reminders on, what saying yes
    would change in them, so nothing of theirs is overwritten unseen."""
    t = ctx.t
    proposed = state.answers.get("proposed")
    from_test = ctx.history.get("plan_from_test") is True
    lines = [
        t("reminders.flow.propose_title" if from_test else "reminders.flow.propose_title_general"),
        "",
    ]
    plan = plan_items(proposed if isinstance(proposed, list) else [])
    for entry in proposed if isinstance(proposed, list) else []:
        try:
            rule = Rule.from_dict(entry)
        except ValueError:
            continue
        lines.append(t("reminders.flow.on_line", text=describe(rule, t, ctx.now)))
        reason = entry.get("reason") if isinstance(entry, Mapping) else None
        if reason in REASONS:
            lines.append(t("reminders.flow.propose_reason", reason=t(f"reminders.reason.{reason}")))
    own = own_rules(items)
    changes = plan_changes(own, [item.rule for item in plan.values()])
    if own:
        lines += [
            "",
            t("reminders.flow.changes_title") if changes else t("reminders.flow.no_changes"),
        ]
        lines += [change_line(change, ctx) for change in changes]
    lines += ["", limit_line(state_limit(state), ctx), t("reminders.flow.propose_footer")]
    overwrites = any(change.touches_own for change in changes)
    first = [
        Choice(
            t(
                "reminders.flow.button_accept_changes"
                if overwrites
                else "reminders.flow.button_accept"
            ),
            ACCEPT,
            means="yes",
        )
    ]
    if can_keep_own(own, plan):
        first.append(Choice(t("reminders.flow.button_keep_own"), KEEP_OWN))
    return Reply(
        "\n".join(lines),
        (
            tuple(first),
            (
                Choice(t("reminders.flow.button_edit"), EDIT),
                Choice(t("reminders.flow.button_not_now"), NOT_NOW, means="no"),
            ),
        ),
    )


def kind_reply(
    state: FlowState,
    items: Mapping[str, Item],
    ctx: Context,
    headline: str | None = None,
) -> Reply:
    """One reminder: what it does now (or ``headline``) and what can be changed."""
    t = ctx.t
    kind = str(state.answers.get("kind"))
    item = items.get(kind)
    back = (back_choice(ctx),)
    if item is None or not item.enabled:
        text = headline or t("reminders.flow.kind_off", kind=t(f"reminders.kinds.{kind}"))
        return Reply(text, ((Choice(t("reminders.flow.button_on"), ON),), back))
    text = headline or t("reminders.flow.kind_title", text=describe(item.rule, t, ctx.now))
    first: tuple[Choice, ...]
    if item.rule.is_interval:
        first = (
            Choice(t("reminders.flow.button_interval"), INTERVAL),
            Choice(t("reminders.flow.button_window"), WINDOW),
        )
    else:
        first = (Choice(t("reminders.flow.button_times"), TIMES),)
    return Reply(
        text,
        (
            (*first, Choice(t("reminders.flow.button_days"), DAYS)),
            (
                Choice(t("reminders.flow.button_quiet"), QUIET),
                Choice(t("reminders.flow.button_off"), OFF),
            ),
            back,
        ),
    )


def offered_time(state: FlowState) -> str | None:
    """A time typed in a sentence ("remind me at 8 instead"), offered as one press."""
    offer = state.answers.get("offer_time")
    return offer if isinstance(offer, str) and parse_hhmm(offer) == offer else None


def setting_reply(state: FlowState, items: Mapping[str, Item], ctx: Context) -> Reply:
    """The times, days, interval, working hours or quiet hours screen of one reminder."""
    t = ctx.t
    step = state.step
    kind = str(state.answers.get("kind"))
    back = (back_choice(ctx),)
    if step == "times":
        buttons = [
            Choice(format_time(value, t.language), f"t:{hhmm_value(value)}")
            for value in COMMON_TIMES
        ]
        rows = (tuple(buttons[:3]), tuple(buttons[3:]), back)
        offer = offered_time(state)
        if offer is None:
            return Reply(t("reminders.flow.times_prompt"), rows)
        shown_time = format_time(offer, t.language)
        text = t("reminders.flow.offer_times", kind=t(f"reminders.kinds.{kind}"), time=shown_time)
        confirm = Choice(
            t("reminders.flow.offer_button", time=shown_time), f"t:{hhmm_value(offer)}"
        )
        return Reply(text, ((confirm,), *rows))
    if step == "days":
        short = t.list("reminders.days.short")
        if kind in SINGLE_DAY_KINDS:
            days = [Choice(short[day], f"d:{day}") for day in EVERY_DAY]
            return Reply(
                t("reminders.flow.days_prompt_single"), (tuple(days[:4]), tuple(days[4:]), back)
            )
        pick = days_pick(state, items)
        days = [
            Choice(f"✅ {short[day]}" if day in pick else short[day], f"d:{day}")
            for day in EVERY_DAY
        ]
        return Reply(
            t("reminders.flow.days_prompt"),
            (
                tuple(days[:4]),
                tuple(days[4:]),
                (
                    Choice(t("reminders.flow.days_weekdays"), "d:wk"),
                    Choice(t("reminders.flow.days_every_day"), "d:all"),
                    Choice(t("reminders.flow.days_weekends"), "d:we"),
                ),
                (Choice(t("reminders.flow.days_save"), DAYS_SAVE, means="done"),),
                back,
            ),
        )
    if step == "interval":
        return Reply(
            t("reminders.flow.interval_prompt", min=MIN_INTERVAL, max=MAX_INTERVAL),
            (
                tuple(
                    Choice(t("reminders.flow.interval_label", minutes=m), f"i:{m}")
                    for m in INTERVALS
                ),
                back,
            ),
        )
    if step == "window":
        return Reply(
            t("reminders.flow.window_prompt"),
            (*((window_choice("w", window, ctx),) for window in WINDOWS), back),
        )
    # step == "quiet"
    return Reply(
        t("reminders.flow.quiet_prompt"),
        (
            *((window_choice("q", window, ctx),) for window in QUIET_PRESETS),
            (Choice(t("reminders.flow.quiet_none"), QUIET_OFF),),
            back,
        ),
    )


def window_choice(prefix: str, window: tuple[str, str], ctx: Context) -> Choice:
    language = ctx.t.language
    label = f"{format_time(window[0], language)}-{format_time(window[1], language)}"
    return Choice(label, window_value(prefix, window))


def back_choice(ctx: Context) -> Choice:
    return Choice(ctx.t("reminders.flow.button_back"), BACK, means="back")


def pause_reply(ctx: Context) -> Reply:
    t = ctx.t
    labels = [
        t("reminders.flow.pause_one_day")
        if days == 1
        else t("reminders.flow.pause_days", days=days)
        for days in PAUSE_DAYS
    ]
    return Reply(
        t("reminders.flow.pause_prompt"),
        (
            tuple(
                Choice(label, f"p:{days}") for label, days in zip(labels, PAUSE_DAYS, strict=True)
            ),
            (back_choice(ctx),),
        ),
    )


def limit_reply(ctx: Context) -> Reply:
    t = ctx.t
    numbers = tuple(Choice(str(n), f"l:{n}") for n in pacing.DAILY_LIMITS)
    return Reply(
        t("reminders.flow.limit_prompt"),
        (
            numbers,
            (Choice(t("reminders.flow.limit_none"), NO_LIMIT),),
            (back_choice(ctx),),
        ),
    )


def timezone_reply(text: str, ctx: Context) -> Reply:
    buttons = [
        Choice(zone_name(name, ctx.t.language), f"z:{index}")
        for index, name in enumerate(COMMON_TIMEZONES)
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((back_choice(ctx),))
    return Reply(text, tuple(rows))


def limit_line(limit: int | None, ctx: Context) -> str:
    """What the daily limit means, said wherever reminders are listed, so a plan with
    more than it lets through never reads as a promise."""
    if limit is None:
        return ctx.t("reminders.flow.limit_line_none")
    return ctx.t("reminders.flow.limit_line", count=limit)


def change_line(change: Change, ctx: Context) -> str:
    t = ctx.t
    kind = t(f"reminders.kinds.{change.kind}")
    if change.before is None and change.after is not None:
        return t("reminders.flow.change_new", text=describe(change.after, t, ctx.now))
    if change.after is None:
        return t("reminders.flow.change_off", kind=kind)
    assert change.before is not None
    # A running pause is kept whatever the answer, so it is no part of the change.
    before, after = (
        dataclasses.replace(r, paused_until=None) for r in (change.before, change.after)
    )
    return t(
        "reminders.flow.change_changed",
        kind=kind,
        before=describe(before, t, named=False),
        after=describe(after, t, named=False),
    )


def not_now(has_reminders: bool, ctx: Context) -> str:
    """ "Not now" never says there are no reminders when some are on."""
    return ctx.t("reminders.flow.not_now_kept" if has_reminders else "reminders.flow.not_now")


def shown(text: str) -> str:
    """A short, single-line echo of what the user typed, for "I couldn't read ..."."""
    return " ".join(text.split())[:40]
