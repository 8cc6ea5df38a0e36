"""The reminder settings flow itself (/reminders, /plan): its protocol, its map of
steps, and the steps of the menu, the suggested plan, the pause, the time zone and the
daily limit.

The steps of one reminder are :mod:`.kind_steps`, the screens :mod:`.screens`, the
draft kept in the state :mod:`.draft`, and what is recorded :mod:`.facts`. This module
is where a step is routed and where the flow's contract with the bot (``ctx.history``)
is written down.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from flows import caution as cn
from flows import pacing, runtime
from flows.formatting import format_time
from flows.onboarding import TimezoneChosen
from flows.plan import keep_own, plan_changes
from flows.reminder_words import describe, describe_pause
from flows.reminders import draft, kind_steps
from flows.reminders.draft import (
    ACCEPT,
    DONE,
    EDIT,
    KEEP_OWN,
    LIMIT,
    NO_LIMIT,
    NOT_NOW,
    PAUSE,
    PAUSE_DAYS,
    PLAN,
    RESUME,
    SAVE,
    TIMEZONE,
    Item,
)
from flows.reminders.facts import DailyLimitChosen, PlanAccepted, RemindersPaused
from flows.reminders.screens import ask, limit_line, not_now, question, reask, shown
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply
from flows.schedule import DEFAULT_TIMEZONE, KINDS, Rule
from flows.time_input import parse_hhmm
from flows.timezones import COMMON_TIMEZONES, is_valid_timezone, local_clock, parse_timezone

NAME: Final = "reminders"


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
    - ``offer_time``: a time typed in a sentence ("remind me at 8 instead"): the times
      step of the one reminder at set times, or first the question which reminder,
      with the time offered as a one-press answer.
    - ``daily_limit``: the user's daily limit, None for none (default
      :data:`flows.rows.DEFAULT_DAILY_LIMIT` when absent).
    - ``caution``: advice to see a doctor that still stands (:mod:`flows.caution`): the
      suggested plan then waits until the user says a doctor has seen them and it is
      fine to go on; "not yet" leaves the plan and offers only calm exercises.
    """

    name = NAME
    needs_consent = True

    # -- protocol --------------------------------------------------------------------

    def start(self, ctx: Context) -> Outcome:
        proposed = draft.proposed(ctx)
        timezone = ctx.timezone if is_valid_timezone(ctx.timezone) else DEFAULT_TIMEZONE
        answers: dict[str, Any] = {
            "timezone": timezone,
            "items": draft.dump_items(draft.history_items(ctx)),
            "draft": False,
            "proposed": proposed,
            "from_menu": False,
            "limit": draft.history_limit(ctx),
        }
        step = "propose" if ctx.history.get("mode") == "propose" and proposed else "menu"
        if step == "menu" and ctx.history.get("open_kind") in KINDS:
            # "Another time?" under a reminder that went unanswered: straight to it.
            step, answers["kind"] = "kind", ctx.history["open_kind"]
        caution = cn.Caution.of(ctx.history.get("caution"))
        if step == "propose" and caution is not None:
            step, answers["caution"] = cn.STEP, caution.to_dict()
        offer = parse_hhmm(str(ctx.history.get("offer_time") or ""))
        if step == "menu" and offer is not None:
            return _offer_time(FlowState(self.name, step, answers), offer, ctx)
        state = FlowState(self.name, step, answers)
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        items = draft.load_items(state.answers)
        if items is None:
            return self.start(ctx).replies
        return (question(state, items, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        items = draft.load_items(state.answers)
        step = state.step
        if items is None or step not in draft.STEPS:
            return self.start(ctx)  # a state this version cannot read: begin again
        if step in draft.KIND_STEPS and state.answers.get("kind") not in KINDS:
            return ask(state.at("menu"), items, ctx)
        value = event.value if isinstance(event, Press) else None
        if value == draft.BACK and step not in ("propose", cn.STEP):
            target = "kind" if step in draft.KIND_STEPS - {"kind"} else "menu"
            return ask(state.at(target), items, ctx)
        handler = {
            cn.STEP: _on_caution,
            "propose": _on_propose,
            "menu": _on_menu,
            "kind": kind_steps.on_kind,
            "times": kind_steps.on_times,
            "days": kind_steps.on_days,
            "interval": kind_steps.on_interval,
            "window": kind_steps.on_window,
            "quiet": kind_steps.on_quiet,
            "pause": _on_pause,
            "timezone": _on_timezone,
            "limit": _on_limit,
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
            ("", "a typed time, one reminder at set times", "times"),
            ("", "a typed time, which reminder?", "menu"),
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
            ("menu", "a reminder at set times, a typed time offered", "times"),
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


# -- a time typed in a sentence ---------------------------------------------------------


def _offer_time(state: FlowState, offer: str, ctx: Context) -> Outcome:
    """Straight to the times of the reminder meant when only one runs at set times;
    otherwise the menu, asking which one. The time is offered there as one press."""
    items = draft.load_items(state.answers) or {}
    timed = [kind for kind, item in items.items() if item.enabled and not item.rule.is_interval]
    if len(timed) == 1:
        return ask(state.at("times", kind=timed[0], offer_time=offer), items, ctx)
    which = ctx.t("reminders.flow.offer_which", time=format_time(offer, ctx.t.language))
    return ask(state.at("menu", offer_time=offer), items, ctx, which)


# -- the caution after advice to see a doctor ------------------------------------------


def _on_caution(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    caution = cn.Caution.of(state.answers.get("caution"))
    if caution is None:  # nothing left to ask about
        return ask(state.at("propose", caution=None), items, ctx)
    choice = cn.answer(event, ctx)
    if choice == cn.SEEN:
        nxt = state.at("propose", caution=None)
        replies = (Reply(cn.cleared(ctx)), question(nxt, items, ctx))
        return Outcome(nxt, replies, (cn.CautionCleared(),))
    if choice == cn.NOT_YET:
        text = f"{cn.advice(caution, ctx)}\n\n{ctx.t('caution.plan_not_yet')}"
        calm = Choice(ctx.t("caution.calm_button"), command=cn.CALM_COMMAND)
        return Outcome(None, (Reply(text, ((calm,),)),))
    return runtime.reask(state, (cn.question(caution, ctx),), ctx.t("caution.reask"))


# -- propose -----------------------------------------------------------------------------


def _on_propose(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    value = event.value if isinstance(event, Press) else None
    plan = draft.state_plan(state)
    if not plan:
        return ask(state.at("menu"), items, ctx)
    plan = draft.with_pause(plan, draft.running_pause(items, ctx.now))
    own = draft.own_rules(items)
    if value == ACCEPT:
        return _accept(plan, ctx, own)
    if value == KEEP_OWN and draft.can_keep_own(own, plan):
        rules = keep_own(own, [item.rule for item in plan.values()])
        kept = {rule.kind: Item(True, rule) for rule in rules}
        return _accept(kept, ctx, own, kept_own=True)
    if value == EDIT:
        nxt = state.at("menu", items=draft.dump_items(plan), draft=True, own=bool(own))
        return ask(nxt, plan, ctx)
    if value == NOT_NOW:
        if state.answers.get("from_menu"):
            return ask(state.at("menu"), items, ctx)
        return Outcome(None, (Reply(not_now(bool(own), ctx)),))
    return reask(state, items, ctx)


def _accept(
    items: Mapping[str, Item],
    ctx: Context,
    own: Mapping[str, Rule] | None = None,
    *,
    kept_own: bool = False,
) -> Outcome:
    """Record the plan, unless ``own`` (the user's reminders that are on) already
    follows it: then nothing is recorded, so no slot or "skip today" is reset."""
    t = ctx.t
    chosen = [items[kind] for kind in KINDS if kind in items and items[kind].enabled]
    if own and not plan_changes(own, [item.rule for item in chosen]):
        return Outcome(None, (Reply(t("reminders.flow.accepted_unchanged")),))
    fact = PlanAccepted(tuple(item.rule.to_dict() for item in chosen))
    if not chosen:
        return Outcome(None, (Reply(t("reminders.flow.accepted_empty")),), (fact,))
    lines = [t("reminders.flow.accepted_kept") if kept_own else t("reminders.flow.accepted")]
    lines += [t("reminders.flow.on_line", text=describe(item.rule, t, ctx.now)) for item in chosen]
    lines.append(t("reminders.flow.propose_footer"))
    return Outcome(None, (Reply("\n".join(lines)),), (fact,))


# -- menu --------------------------------------------------------------------------------


def _on_menu(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    value = event.value if isinstance(event, Press) else None
    in_draft = bool(state.answers.get("draft"))
    if value is not None and value.startswith("k:") and value[2:] in KINDS:
        kind = value[2:]
        item = items.get(kind)
        if state.answers.get("offer_time") and item and item.enabled and not item.rule.is_interval:
            return ask(state.at("times", kind=kind), items, ctx)  # the typed time, offered
        return ask(state.at("kind", kind=kind), items, ctx)
    if value == TIMEZONE:
        return ask(state.at("timezone"), items, ctx)
    if in_draft and value == SAVE:
        return _accept(items, ctx)
    if in_draft and value == NOT_NOW:
        return Outcome(None, (Reply(not_now(state.answers.get("own") is True, ctx)),))
    if not in_draft and value == DONE:
        return Outcome(None, (Reply(ctx.t("reminders.flow.finished")),))
    if not in_draft and value == PLAN and state.answers.get("proposed"):
        return ask(state.at("propose", from_menu=True), items, ctx)
    if not in_draft and value == PAUSE:
        return ask(state.at("pause"), items, ctx)
    if not in_draft and value == LIMIT:
        return ask(state.at("limit"), items, ctx)
    if not in_draft and value == RESUME and draft.running_pause(items, ctx.now) is not None:
        resumed = {
            kind: dataclasses.replace(item, rule=dataclasses.replace(item.rule, paused_until=None))
            for kind, item in items.items()
        }
        nxt = state.at("menu", items=draft.dump_items(resumed))
        return Outcome(
            nxt,
            (Reply(ctx.t("reminders.flow.resumed")), question(nxt, resumed, ctx)),
            (RemindersPaused(None),),
        )
    return reask(state, items, ctx)


# -- pause, time zone and daily limit ----------------------------------------------------


def _on_pause(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    value = event.value if isinstance(event, Press) else None
    if value not in {f"p:{days}" for days in PAUSE_DAYS} or value is None:
        return reask(state, items, ctx)
    until = (ctx.now + timedelta(days=int(value[2:]))).replace(second=0, microsecond=0)
    paused = {
        kind: dataclasses.replace(item, rule=dataclasses.replace(item.rule, paused_until=until))
        for kind, item in items.items()
    }
    nxt = state.at("menu", items=draft.dump_items(paused))
    pause = describe_pause(until, draft.state_timezone(state), ctx.t)
    return Outcome(
        nxt,
        (Reply(ctx.t("reminders.flow.paused", pause=pause)), question(nxt, paused, ctx)),
        (RemindersPaused(until.isoformat()),),
    )


def _on_timezone(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    chosen: str | None = None
    if isinstance(event, Press):
        index = event.value[2:] if event.value.startswith("z:") else ""
        if index.isascii() and index.isdigit() and int(index) < len(COMMON_TIMEZONES):
            chosen = COMMON_TIMEZONES[int(index)]
        else:
            return reask(state, items, ctx)
    else:
        chosen = parse_timezone(event.text)
        if chosen is None:
            text = ctx.t("reminders.flow.timezone_unknown", text=shown(event.text))
            return ask(state, items, ctx, text)
    moved = {
        kind: dataclasses.replace(item, rule=dataclasses.replace(item.rule, timezone=chosen))
        for kind, item in items.items()
    }
    nxt = state.at("menu", items=draft.dump_items(moved), timezone=chosen)
    # The zone fact moves every stored reminder with it; a draft plan is saved later.
    facts: list[object] = [TimezoneChosen(chosen)]
    local_time = local_clock(ctx.now, chosen, ctx.t.language)
    text = ctx.t("reminders.flow.timezone_set", timezone=chosen, local_time=local_time)
    return Outcome(nxt, (Reply(text), question(nxt, moved, ctx)), tuple(facts))


def _on_limit(state: FlowState, items: dict[str, Item], event: Event, ctx: Context) -> Outcome:
    value = event.value if isinstance(event, Press) else None
    choices = {f"l:{n}": n for n in pacing.DAILY_LIMITS}
    if value != NO_LIMIT and value not in choices:
        return reask(state, items, ctx)
    limit = None if value == NO_LIMIT else choices[str(value)]
    nxt = state.at("menu", limit=limit)
    text = ctx.t("reminders.flow.limit_set", line=limit_line(limit, ctx))
    return Outcome(nxt, (Reply(text), question(nxt, items, ctx)), (DailyLimitChosen(limit),))
