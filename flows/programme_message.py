"""The programme's daily message: whether it goes, which words, and its one follow-up.

The reminder dispatcher claims the programme's daily slot (or its follow-up's one-off
slot) like any other reminder; this pure function then decides with the programme's
rules (:mod:`flows.programme.keeping_up`): nothing while paused or once today's session
is done, spaced out after ignored messages, at most one follow-up three hours later, a
weekly message in maintenance. The words come from the nudge pools without repeating
any within 14 days (:func:`flows.programme.nudges.pick_nudge`), and the message carries
one button that opens ``/today`` (and, once, "another time?").

The caller saves :attr:`Message.state` and adds the follow-up's one-off slot in the same
transaction, before anything is sent, so a crash never sends a day's message twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

from flows import programme_day as pd
from flows.programme.content import ProgrammeContent
from flows.programme.keeping_up import (
    Kind,
    daily_logged,
    decide_daily,
    decide_follow_up,
    decide_snoozed,
    engaged,
    follow_up_logged,
    follow_up_time,
    offered_time,
    snoozed,
    suggested_time,
)
from flows.programme.nudges import nudges_after, pick_nudge
from flows.programme.state import ProgrammeState, evolve
from flows.runtime import Choice, Context, Reply
from flows.schedule import resolve_local, snooze

FOLLOW_UP: Final = "follow_up"
"""Key in a one-off reminder's rule: this slot is the day's follow-up."""
SNOOZED: Final = "snoozed"
"""Key in a one-off reminder's rule: this slot is the day's message, put off."""
LATER: Final = "later"
"""The value of the daily message's "Later" button (the bot adds the delivery id)."""
LATER_MINUTES: Final = 60
""""Later" puts the day's message off by an hour: long enough to finish what one is
doing, short enough to leave the session room in the day."""


@dataclass(frozen=True)
class Message:
    """What the slot becomes: ``reply`` None when nothing is sent; ``state`` to save
    (planning may have moved it even then); ``follow_up_at``, a UTC instant, when the
    day's one follow-up should be claimed."""

    state: ProgrammeState
    reply: Reply | None = None
    follow_up_at: datetime | None = None


@dataclass(frozen=True)
class Decided:
    """The rules' answer for one slot: ``kind`` None when nothing goes, else the nudge
    ``key`` (under ``programme.nudges``, or ``programme.maintenance`` for a weekly one),
    with ``ask_time`` for the one "another time?" question."""

    state: ProgrammeState
    kind: Kind | None = None
    key: str | None = None
    ask_time: bool = False


def decide(
    state: ProgrammeState,
    today: date,
    done: bool,
    content: ProgrammeContent,
    *,
    follow_up: bool,
    snoozed_slot: bool = False,
) -> Decided:
    """Whether the daily slot (or its follow-up) becomes a message, and the state after
    it. ``state`` is the state as planned today and ``done`` whether today's session
    counts as done (:func:`flows.programme.plan.is_done`). Pure, so the simulation in
    ``bench.programme`` lives through months of it with the same rules. A
    ``snoozed_slot`` is the day's message put off with "Later": it takes the place of
    the day's follow-up and uses its words."""
    if follow_up or snoozed_slot:
        check = decide_snoozed if snoozed_slot else decide_follow_up
        decision = check(state, today, done)
        pool: tuple[str, ...] = (*content.follow_ups, *content.daily)
    else:
        decision = decide_daily(state, today, done)
        weekly = decision.kind == "weekly"
        pool = content.weekly if weekly else (*content.daily, *content.follow_ups)
    key = pick_nudge(pool, state, today) if decision.kind is not None else None
    if decision.kind is None or key is None:
        return Decided(state)
    if follow_up or snoozed_slot:
        messages = follow_up_logged(state, today)
    else:
        messages = daily_logged(state, today, decision)
    # The log and the nudge in one copy of the state: this runs for every message sent.
    state = evolve(state, messages=messages, nudges=nudges_after(state, key, today))
    return Decided(state, decision.kind, key, decision.ask_time)


def daily_message(ctx: Context, *, follow_up: bool, snoozed_slot: bool = False) -> Message | None:
    """The message for the slot claimed at ``ctx.now``; None when the person is not (or
    no longer) in the programme. Only the day's first message has "Later"."""
    day = pd.load_day(ctx)
    if not day.enrolled or day.state is None:
        return None
    content = pd.content_of(ctx)
    plan = pd.plan_of(day, content)
    decided = decide(
        plan.state,
        day.today,
        pd.done_today(plan, day),
        content,
        follow_up=follow_up,
        snoozed_slot=snoozed_slot,
    )
    if decided.kind is None or decided.key is None:
        return Message(decided.state)
    t = ctx.t
    start: tuple[Choice, ...] = (Choice(t("programme.ui.message.start"), command="today"),)
    if decided.kind == "daily":
        start = (*start, Choice(t("programme.ui.message.later"), LATER))
    weekly = decided.kind == "weekly"
    text = t(
        f"programme.maintenance.{decided.key}" if weekly else f"programme.nudges.{decided.key}"
    )
    rows: tuple[tuple[Choice, ...], ...] = (start,)
    if decided.ask_time:
        text = f"{text}\n\n{t('programme.ui.message.ask_time')}"
        rows = (start, (Choice(t("programme.ui.message.other_time"), command="programme_time"),))
    due = follow_up_at(decided.state, ctx.now, ctx.timezone) if decided.kind == "daily" else None
    return Message(decided.state, Reply(text, rows), due)


def follow_up_at(state: ProgrammeState, now: datetime, timezone: str) -> datetime | None:
    """Three hours after the daily time, today, as a UTC instant (never in the evening:
    :func:`flows.programme.keeping_up.follow_up_time`); None when that is already past."""
    at = follow_up_time(state.at)
    if at is None:
        return None
    zone = ZoneInfo(timezone)
    due = resolve_local(datetime.combine(now.astimezone(zone).date(), at), zone)
    return due if due > now else None


@dataclass(frozen=True)
class PutOff:
    """The day's message put off: the state to save, when the one-off slot comes back
    (UTC; None when the day's second message already went), the acknowledgement, and a
    later daily time to offer (None when the rule has none to offer; the time changes
    only once the person confirms it)."""

    state: ProgrammeState
    due: datetime | None
    reply: Reply
    offer: time | None = None


def put_off(ctx: Context) -> PutOff | None:
    """ "Later" on the day's message: it comes back in an hour, in place of the day's
    follow-up. Pressing counts as an answer (the message was not ignored). After
    repeated snoozes in a week a later daily time is offered, once a fortnight
    (:func:`flows.programme.keeping_up.suggested_time`). None when not enrolled."""
    day = pd.load_day(ctx)
    if not day.enrolled or day.state is None:
        return None
    state = snoozed(engaged(day.state), day.today, LATER_MINUTES)
    if state.messages.follow_up_on == day.today:  # a day has at most two messages
        due = None
        reply = Reply(ctx.t("programme.ui.today.later"))
    else:
        due = snooze(ctx.now, LATER_MINUTES)
        local = due.astimezone(ZoneInfo(ctx.timezone)).time()
        reply = Reply(ctx.t("programme.ui.message.later_ack", time=pd.time_text(ctx, local)))
    offer = suggested_time(state, day.today)
    if offer is not None:
        state = offered_time(state, day.today)
    return PutOff(state, due, reply, offer)
