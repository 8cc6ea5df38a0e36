"""What the check-in says back once it is saved: the day's pain against the past week,
the streak, and care for a hard day.

Kept apart from the questions (:mod:`flows.checkin`) because it is where the numbers
are read, and reading them wrongly would tell someone their pain went down when it went
up. It only reads the earlier days the bot passed in ``ctx.history``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flows.exercises.state import BREATHE_COMMAND, GENTLE_MOVE_COMMAND
from flows.formatting import format_decimal
from flows.runtime import Choice, Context, Reply
from flows.streaks import AVERAGE_WINDOW_DAYS, current_streak, parse_day, seven_day_average

RECENT_WINDOW_DAYS = 30
"""How many days before today the bot passes in ``history["recent"]``."""

HIGH_PAIN = 7
"""Pain from 7 up is severe on the 0-10 scale: the reply offers a gentle plan for the day."""
HIGH_STRESS = 7
"""Stress from 7 up: the reply offers a few minutes of slow breathing."""

# What the closing words add, in this order.
CARE_PAIN = "pain_high"
CARE_STRESS = "stress_high"
CARE_SLEEP = "sleep_bad"
CARE_MOVED = "moved_no"
CARE_TEXTS: Mapping[str, str] = {
    CARE_PAIN: "checkin.care.pain_high",
    CARE_STRESS: "checkin.care.stress_high",
    CARE_SLEEP: "checkin.care.sleep_bad",
    CARE_MOVED: "checkin.care.moved_no",
}
_CARE_BUTTONS: Mapping[str, tuple[str, str]] = {
    CARE_PAIN: ("checkin.care.buttons.pain_high", GENTLE_MOVE_COMMAND),
    CARE_STRESS: ("checkin.care.buttons.stress_high", BREATHE_COMMAND),
}
"""The exercise each answer offers (label, command): a command, so the button outlives
the check-in."""

# Day-to-day swings under half a point read as "about the same"; 2 points is the
# change people feel as meaningful (docs/CLINICAL.md), so only then drop "a bit".
_SAME_BAND = 0.5
_CLEAR_CHANGE = 2.0


def care(pain: int, stress: int, sleep: str, moved: str) -> tuple[str, ...]:
    """What the numbers ask for, most pressing first.

    High pain gets a gentle plan for the day (short easy movement rather than rest,
    smaller portions, something calming, and when to see a doctor: the flare-up plan of
    docs/CLINICAL.md) and high stress slow breathing. Only on a day without either is a
    bad night or no movement answered, so the reply stays short on a hard day.
    """
    high = tuple(
        code
        for code, applies in ((CARE_PAIN, pain >= HIGH_PAIN), (CARE_STRESS, stress >= HIGH_STRESS))
        if applies
    )
    if high:
        return high
    return tuple(
        code
        for code, applies in ((CARE_SLEEP, sleep == "bad"), (CARE_MOVED, moved == "no"))
        if applies
    )


def checkin_row(value: object) -> Mapping[str, Any] | None:
    """A history check-in dict, or None when absent or unusable."""
    return value if isinstance(value, Mapping) and value else None


def closing(
    ctx: Context,
    today: date,
    day: date,
    scores: tuple[int, int],
    sleep: str,
    moved: str,
    *,
    replaces: bool,
    yesterday: bool,
    shortened: bool,
    note_limit: int,
) -> Reply:
    """Saved (or updated), how the pain compares, the streak, then care with its buttons."""
    t = ctx.t
    pain, stress = scores
    needs = care(pain, stress, sleep, moved)
    hard = any(code in _CARE_BUTTONS for code in needs)
    lines = [
        t("checkin.done.updated" if replaces else "checkin.done.saved"),
        _feedback(day, pain, yesterday, today, ctx, hard=hard),
    ]
    streak = _streak_line(day, today, ctx)
    if streak:
        lines[-1] = f"{lines[-1]} {streak}"
    if shortened:
        lines.append(t("checkin.done.note_shortened", limit=note_limit))
    text = "\n".join(lines)
    if needs:
        said = "\n\n".join(t(CARE_TEXTS[code], pain=pain, stress=stress) for code in needs)
        text = f"{text}\n\n{said}"
    buttons = tuple(
        (Choice(t(_CARE_BUTTONS[code][0]), command=_CARE_BUTTONS[code][1]),)
        for code in needs
        if code in _CARE_BUTTONS
    )
    return Reply(text, buttons)


def history_rows(today: date, ctx: Context) -> list[Mapping[str, Any]]:
    """Every earlier check-in the bot passed: recent days plus today's/yesterday's."""
    recent = ctx.history.get("recent")
    rows = (
        [row for row in recent if isinstance(row, Mapping)]
        if isinstance(recent, list | tuple)
        else []
    )
    for key, implied in (
        ("yesterday_checkin", today - timedelta(days=1)),
        ("today_checkin", today),
    ):
        row = checkin_row(ctx.history.get(key))
        if row is not None:
            # The key itself says which day it is, should the row not.
            day = parse_day(row.get("local_day")) or implied
            rows.append({**row, "local_day": day.isoformat()})
    return rows


def has_checkin(day: date, today: date, ctx: Context) -> bool:
    """Whether the bot reports a check-in already stored for ``day``."""
    return any(parse_day(row.get("local_day")) == day for row in history_rows(today, ctx))


def _feedback(
    day: date, pain: int, yesterday: bool, today: date, ctx: Context, *, hard: bool = False
) -> str:
    t = ctx.t
    when = t("checkin.words.yesterday" if yesterday else "checkin.words.today")
    rows = history_rows(today, ctx)
    average = seven_day_average(rows, day)
    if average is None:
        earlier = {parse_day(row.get("local_day")) for row in rows} - {None, day}
        week_start = day - timedelta(days=AVERAGE_WINDOW_DAYS)
        if any(d is not None and week_start <= d < day for d in earlier):
            key = "checkin.feedback.too_few"  # one or two days: no "average" worth the name
        elif earlier:
            key = "checkin.feedback.no_recent"
        else:
            key = "checkin.feedback.first_hard" if hard else "checkin.feedback.first"
        return t(key, pain=pain, day=when)
    diff = pain - average
    if abs(diff) < _SAME_BAND:
        key = "checkin.feedback.same"
    elif diff < 0:
        key = "checkin.feedback.much_lower" if diff <= -_CLEAR_CHANGE else "checkin.feedback.lower"
    else:
        key = "checkin.feedback.much_higher" if diff >= _CLEAR_CHANGE else "checkin.feedback.higher"
    return t(key, pain=pain, day=when, average=format_decimal(average, ctx.language))


def _streak_line(day: date, today: date, ctx: Context) -> str:
    days = {
        parsed
        for row in history_rows(today, ctx)
        if (parsed := parse_day(row.get("local_day"))) is not None
    }
    days.add(day)
    streak = current_streak(days, today)
    if streak == 0:
        return ""
    if streak == 1:
        return ctx.t("checkin.streak.one")
    anchor = today if today in days else today - timedelta(days=1)
    first = anchor - timedelta(days=streak - 1)
    # History only reaches back 30 days: a streak that fills it may be longer.
    truncated = first == min(days) and first <= today - timedelta(days=RECENT_WINDOW_DAYS)
    return ctx.t("checkin.streak.many_plus" if truncated else "checkin.streak.many", days=streak)
