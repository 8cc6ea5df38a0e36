"""Keeping people going without nagging: the daily message, its one follow-up, spacing
out messages that are ignored, and a better time offered after repeated snoozes.

What the evidence says (docs/CLINICAL.md, "The coaching programme"): a daily message
makes opening the app much more likely, but people switch off reminders that come at
bad times or when the day's task is already done, and they drift away when messages
keep coming unanswered. So one message a day at the time the person chose, only while
today's session is not done, and at most one follow-up; after three ignored messages
in a row, every other day, then once a week, with one question whether another time
would suit; and during a pause, nothing at all. After week 12, one gentle message a
week. The dispatcher decides *when* a slot is due; these functions decide *whether* it
is sent and keep the count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Final, Literal

from flows.programme.calendar import position, week_dates
from flows.programme.pause import paused_today
from flows.programme.records import MessageLog, Snooze
from flows.programme.state import ProgrammeState, evolve

Kind = Literal["daily", "follow_up", "weekly"]
Reason = Literal[
    "send", "paused", "done", "already_sent", "spaced", "too_late", "not_sent", "maintenance"
]

EVERY_OTHER_DAY_AFTER: Final = 3
"""Ignored daily messages in a row before they come every other day."""
WEEKLY_AFTER: Final = 6
"""...and before they come once a week (three more ignored at every other day)."""
FOLLOW_UP_AFTER: Final = timedelta(hours=3)
LATEST_FOLLOW_UP: Final = time(21, 0)
"""No follow-up later in the evening than this: a late nudge is the kind people mute."""
SNOOZES_BEFORE_OFFER: Final = 3
SNOOZE_WINDOW: Final = timedelta(days=7)
"""Three snoozes within a week suggest the chosen time does not suit."""
OFFER_GAP: Final = timedelta(days=14)
"""After an offer of a new time, at most one more a fortnight."""
TIME_STEP_MINUTES: Final = 15


@dataclass(frozen=True)
class Decision:
    """Whether to send now, and why not otherwise. ``ask_time`` adds the one-time
    question whether another time would suit better."""

    kind: Kind | None
    reason: Reason
    ask_time: bool = False


def ignored_so_far(state: ProgrammeState, today: date) -> int:
    """Daily messages ignored in a row, counting one still unanswered from a past day."""
    log = state.messages
    pending = log.awaiting and log.last_daily_on is not None and log.last_daily_on < today
    return log.ignored + pending


def spacing(ignored: int) -> timedelta:
    """Days between daily messages after ``ignored`` ignored ones in a row."""
    if ignored >= WEEKLY_AFTER:
        return timedelta(days=7)
    if ignored >= EVERY_OTHER_DAY_AFTER:
        return timedelta(days=2)
    return timedelta(days=1)


def decide_daily(state: ProgrammeState, today: date, session_done: bool) -> Decision:
    """The daily message at the chosen time (a weekly one in maintenance).

    ``session_done`` is :func:`flows.programme.plan.is_done` for today's plan.
    """
    if paused_today(state, today):
        return Decision(None, "paused")
    if session_done:
        return Decision(None, "done")
    last = state.messages.last_daily_on
    if last == today:
        return Decision(None, "already_sent")
    where = position(state, today)
    if where.maintenance:
        this_week = week_dates(state, where.week, today)
        if last is not None and last in this_week:
            return Decision(None, "already_sent")
        return Decision("weekly", "send")
    ignored = ignored_so_far(state, today)
    if last is not None and today - last < spacing(ignored):
        return Decision(None, "spaced")
    ask = ignored >= EVERY_OTHER_DAY_AFTER and not state.messages.asked_time
    return Decision("daily", "send", ask_time=ask)


def record_daily(state: ProgrammeState, today: date, decision: Decision) -> ProgrammeState:
    """The state after the daily (or weekly) message went out."""
    if decision.kind not in ("daily", "weekly"):
        return state
    return evolve(state, messages=daily_logged(state, today, decision))


def daily_logged(state: ProgrammeState, today: date, decision: Decision) -> MessageLog:
    """The message log of :func:`record_daily`, for a caller that changes more of the
    state at once (one copy of the state instead of two)."""
    log = state.messages
    if decision.kind not in ("daily", "weekly"):
        return log
    return MessageLog(
        last_daily_on=today,
        follow_up_on=log.follow_up_on,
        awaiting=True,
        ignored=ignored_so_far(state, today),
        asked_time=log.asked_time or decision.ask_time,
    )


def follow_up_time(at: time) -> time | None:
    """When the follow-up goes: three hours after the daily message, never late."""
    later = (datetime.combine(date.min, at) + FOLLOW_UP_AFTER).time()
    return later if at < later <= LATEST_FOLLOW_UP else None


def decide_follow_up(state: ProgrammeState, today: date, session_done: bool) -> Decision:
    """At most one follow-up, on a day the daily message went unanswered, and only while
    messages are still daily: someone already drifting gets space, not more."""
    log = state.messages
    if paused_today(state, today):
        return Decision(None, "paused")
    if session_done:
        return Decision(None, "done")
    if log.last_daily_on != today or not log.awaiting:
        return Decision(None, "not_sent")
    if log.follow_up_on == today:
        return Decision(None, "already_sent")
    if position(state, today).maintenance:
        return Decision(None, "maintenance")
    if follow_up_time(state.at) is None:
        return Decision(None, "too_late")
    if ignored_so_far(state, today) >= EVERY_OTHER_DAY_AFTER:
        return Decision(None, "spaced")
    return Decision("follow_up", "send")


def decide_snoozed(state: ProgrammeState, today: date, session_done: bool) -> Decision:
    """The day's message put off with "Later" comes back once, in place of the day's
    follow-up (so a day still has at most a message and one more)."""
    if paused_today(state, today):
        return Decision(None, "paused")
    if session_done:
        return Decision(None, "done")
    if state.messages.follow_up_on == today:
        return Decision(None, "already_sent")
    return Decision("follow_up", "send")


def record_follow_up(state: ProgrammeState, today: date) -> ProgrammeState:
    return evolve(state, messages=follow_up_logged(state, today))


def follow_up_logged(state: ProgrammeState, today: date) -> MessageLog:
    """The message log of :func:`record_follow_up` (see :func:`daily_logged`)."""
    return replace(state.messages, follow_up_on=today)


def engaged(state: ProgrammeState) -> ProgrammeState:
    """The person did something for the programme (a part of the day, a button): nothing
    is pending or ignored any more. The bot calls it on every such turn, so the usual
    case (nothing pending) returns the same state without copying it."""
    if not state.messages.awaiting and not state.messages.ignored:
        return state
    return evolve(state, messages=replace(state.messages, awaiting=False, ignored=0))


# -- a better time, offered after repeated snoozes -------------------------------------


def snoozed(state: ProgrammeState, today: date, minutes: int) -> ProgrammeState:
    """The state after the daily message was put off; only the last week is kept."""
    kept = tuple(s for s in state.snoozes if today - s.day < SNOOZE_WINDOW)
    return evolve(state, snoozes=(*kept, Snooze(today, minutes)))


def suggested_time(state: ProgrammeState, today: date) -> time | None:
    """A later daily time after 3 snoozes in a week: the chosen time plus the usual
    snooze, rounded up to a quarter hour (not past midnight). None when there is nothing
    to offer or an offer was made in the last fortnight."""
    recent = [s.minutes for s in state.snoozes if today - s.day < SNOOZE_WINDOW]
    if len(recent) < SNOOZES_BEFORE_OFFER:
        return None
    if state.time_offer_on is not None and today - state.time_offer_on < OFFER_GAP:
        return None
    start = state.at.hour * 60 + state.at.minute
    shift = -(-int(median(recent)) // TIME_STEP_MINUTES) * TIME_STEP_MINUTES
    later = min(start + shift, 23 * 60 + 45)
    return None if later <= start else time(later // 60, later % 60)


def offered_time(state: ProgrammeState, today: date) -> ProgrammeState:
    """The offer was shown: nothing changes until the person confirms."""
    return evolve(state, time_offer_on=today)


def confirm_time(state: ProgrammeState, at: time) -> ProgrammeState:
    """The person chose a new daily time: it counts from now, with a clean slate."""
    if at.second or at.microsecond or at.tzinfo is not None:
        raise ValueError("the daily time must be a naive local time in whole minutes")
    return evolve(engaged(state), at=at, snoozes=())
