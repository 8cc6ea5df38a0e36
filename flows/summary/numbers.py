"""The weekly summary's numbers: this week against the week before, out of the days
that could have been done, and the one suggestion for next week.

Plain functions over plain rows, so the rules that decide what a user reads about their
week are tested in microseconds. Days are the user's *local* calendar days (see
:mod:`flows.streaks`); plain ``date`` arithmetic is therefore immune to DST changes.

The rules follow docs/CLINICAL.md: a change of about 2 points or 30% over weeks is what
people feel as meaningful, day-to-day swings are not, and a pattern between stress and
pain is a pattern in the user's own scores, never a medical finding. The counts are out
of the days that could have been done: today counts only once done (the summary comes on
Sunday evening, before the evening check-in), days before the user began do not count,
and a reminder counts by the days it came, not by its pushes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from flows.checkin import MOVED_VALUES, SLEEP_VALUES
from flows.rows import DayRow
from flows.schedule import KINDS as REMINDER_KINDS
from flows.streaks import current_streak
from flows.summary.inputs import (
    CHECKIN_REMINDER_KIND,
    OWN_ACTIVITY_KIND,
    WEEK_DAYS,
    ExerciseRow,
    ReminderActionRow,
    TestInfo,
    by_day,
    canonical,
)
from flows.summary.results import (
    DayValue,
    ExerciseCounts,
    MovedPattern,
    OwnActivity,
    ReminderCounts,
    ReminderDays,
    SleepPattern,
    Summary,
    Trend,
)

MEANINGFUL_POINTS = 2.0
"""A change of about 2 points on the 0-10 scale is what people feel as meaningful."""
MEANINGFUL_FRACTION = 0.30
"""...or about 30% of where they started, whichever is reached first."""
MIN_DAYS_FOR_TREND = 3
"""Each week needs this many check-ins before weeks are compared: one or two days are
day-to-day swings, not a trend."""
MIN_DAYS_FOR_CORRELATION = 5
"""Fewer paired days make any correlation mostly noise."""
FEW_CHECKINS = 4
"""Under this many check-ins in a week, the first suggestion is to check in more often."""
STRESSFUL_PAIN_GAP = 1.0
"""Pain on the more stressful days must be at least this much higher to call it out."""
MIN_REMINDERS_FOR_ADVICE = 7
"""Reminders sent in the week before their answers say anything (one a day)."""
MOSTLY_IGNORED = 0.8
"""At least this share of the week's reminders unanswered: "keep going" would be untrue."""
RETAKE_EVERY_DAYS = 28
_EPS = 1e-9
"""Averages are floats: 2.0 -> 1.4 must count as exactly 30%, not 29.999...%."""

# Trend words (content keys ``summary.trend.<word>``); lower is better for both scores.
BETTER = "better"
WORSE = "worse"
ABOUT_THE_SAME = "about_the_same"
NOT_ENOUGH_DATA = "not_enough_data"

# Correlation words (content keys ``summary.correlation.<word>``).
MOVED_TOGETHER = "together"
MOVED_SOMEWHAT = "somewhat"
MOVED_LITTLE = "little"

# Suggestions for next week (content keys ``summary.suggestion.<code>``), by priority.
SEE_GP = "see_gp"
PACING = "pacing"
REMINDERS_IGNORED = "reminders_ignored"
REMINDERS_SPACED = "reminders_spaced"
EVENING_REMINDER = "evening_reminder"
CHECKIN_HABIT = "checkin_habit"
BREATHING = "breathing_lunch"
MOVEMENT = "movement_breaks"
KEEP_GOING = "keep_going"
SUGGESTIONS: tuple[str, ...] = (
    SEE_GP,
    PACING,
    REMINDERS_SPACED,
    REMINDERS_IGNORED,
    EVENING_REMINDER,
    CHECKIN_HABIT,
    BREATHING,
    MOVEMENT,
    KEEP_GOING,
)

EXERCISE_KINDS: tuple[str, ...] = ("stress", "pain", "movement")
REMINDER_TASKS: dict[str, tuple[str, ...]] = {
    "stress": ("stress",),
    "movement": ("movement", OWN_ACTIVITY_KIND),
    "pain": ("pain",),
}
"""Exercise kinds that do what a reminder of each kind asks, whichever way they started."""


def trend_word(earlier: float | None, latest: float | None) -> str:
    """Better, worse or about the same, for a score where lower is better.

    Meaningful means at least 2 points or at least 30% of the earlier week's average;
    a week that started at 0 can only change meaningfully by points.
    """
    if earlier is None or latest is None:
        return NOT_ENOUGH_DATA
    delta = latest - earlier
    meaningful = abs(delta) >= MEANINGFUL_POINTS - _EPS or (
        earlier > 0 and abs(delta) >= MEANINGFUL_FRACTION * earlier - _EPS
    )
    if not meaningful:
        return ABOUT_THE_SAME
    return BETTER if delta < 0 else WORSE


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when it is undefined (fewer than 2 points, no variance)."""
    n = len(xs)
    if n != len(ys) or n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def correlation_word(r: float | None) -> str | None:
    """How stress and pain moved this week, as a word code; None when r is unknown.

    Deliberately mild: a handful of days shows a pattern in one person's own scores,
    never a cause. Opposite movement (negative r) reads as "didn't move together much".
    """
    if r is None:
        return None
    if r >= 0.5:
        return MOVED_TOGETHER
    if r >= 0.3:
        return MOVED_SOMEWHAT
    return MOVED_LITTLE


def retake_due(latest_test: TestInfo | None) -> date | None:
    """The pain self-check is retaken every 4 weeks, so change is seen over weeks."""
    if latest_test is None:
        return None
    return latest_test.taken_at_day + timedelta(days=RETAKE_EVERY_DAYS)


def compute_summary(
    today: date,
    checkins: Iterable[DayRow],
    exercises: Iterable[ExerciseRow],
    reminder_actions: Iterable[ReminderActionRow],
    latest_test: TestInfo | None,
    *,
    checkin_reminder_on: bool = False,
    first_day: date | None = None,
    reminders_spaced: bool = False,
) -> Summary:
    """The weekly summary for the local day ``today``.

    Pass at least the last 21 days of check-ins (three weeks decide the "see your GP"
    suggestion; more give a longer streak) and this week's exercises and reminders;
    rows outside the windows are ignored, and for one day the last check-in row wins.
    ``checkin_reminder_on``: the user has a daily check-in reminder (then the summary
    never suggests setting one up). ``first_day``: the user's first local day with the
    bot (None: the whole week was open to them). ``reminders_spaced``: this week the
    dispatcher began sending an unanswered reminder less often (the advice then says so).
    """
    days = by_day(checkins, today)
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    reminders_this_week = [r for r in reminder_actions if week_start <= r.local_day <= today]
    this_week = _window(days, today, 0)
    week_before = _window(days, today, 1)
    pain = _trend([r.pain for r in week_before], [r.pain for r in this_week])
    stress = _trend([r.stress for r in week_before], [r.stress for r in this_week])
    done_all = [e for e in exercises if week_start <= e.local_day <= today and e.completed]
    done_exercises = [e for e in done_all if e.kind != OWN_ACTIVITY_KIND]
    own = [e for e in done_all if e.kind == OWN_ACTIVITY_KIND]
    moved = MovedPattern(**_tally((r.moved for r in this_week), MOVED_VALUES))
    correlation = (
        pearson([r.stress for r in this_week], [r.pain for r in this_week])
        if len(this_week) >= MIN_DAYS_FOR_CORRELATION
        else None
    )
    suggestion = _suggestion(
        pain=pain,
        pain_up_two_weeks=_pain_up_two_weeks(days, today),
        this_week=this_week,
        moved=moved,
        has_checkin_reminder=checkin_reminder_on
        or any(r.kind == CHECKIN_REMINDER_KIND for r in reminders_this_week),
        reminders_ignored=mostly_ignored(reminders_this_week),
        reminders_spaced=reminders_spaced,
    )
    return Summary(
        today=today,
        pain=pain,
        stress=stress,
        lowest_pain=_extreme(this_week, lowest=True),
        highest_pain=_extreme(this_week, lowest=False),
        checkins=len(this_week),
        checkin_days=_possible_days(
            {r.local_day for r in this_week}, today, max(week_start, first_day or week_start)
        ),
        checkins_before=len(week_before),
        days_recorded=len(days),
        exercises=ExerciseCounts(**_tally((e.kind for e in done_exercises), EXERCISE_KINDS)),
        own_activity=OwnActivity(len(own), sum(e.minutes or 0 for e in own)),
        reminders=_reminder_counts(reminders_this_week),
        reminder_days=_reminder_days(
            reminders_this_week, {r.local_day for r in this_week}, done_all, today
        ),
        sleep=SleepPattern(**_tally((r.sleep for r in this_week), SLEEP_VALUES)),
        moved=moved,
        streak=current_streak(days, today),
        correlation=correlation,
        suggestion=suggestion,
        retake_due=retake_due(latest_test),
    )


def _window(by_day: dict[date, DayRow], today: date, weeks_back: int) -> list[DayRow]:
    """The check-ins of the 7-day week ``weeks_back`` weeks before this one, oldest first."""
    end = today - timedelta(days=WEEK_DAYS * weeks_back)
    start = end - timedelta(days=WEEK_DAYS - 1)
    return [by_day[d] for d in sorted(by_day) if start <= d <= end]


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _trend(earlier: Sequence[int], latest: Sequence[int]) -> Trend:
    enough = len(earlier) >= MIN_DAYS_FOR_TREND and len(latest) >= MIN_DAYS_FOR_TREND
    before, now = _mean(earlier), _mean(latest)
    return Trend(before, now, trend_word(before, now) if enough else NOT_ENOUGH_DATA)


def _extreme(rows: Sequence[DayRow], *, lowest: bool) -> DayValue | None:
    """The lowest or highest pain day; on a tie, the earliest such day."""
    if not rows:
        return None
    pick = min if lowest else max
    target = pick(r.pain for r in rows)
    first = next(r for r in rows if r.pain == target)
    return DayValue(first.local_day, first.pain)


def _tally(values: Iterable[str | None], known: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(known, 0)
    for value in values:
        code = canonical(value)
        if code in counts:
            counts[code] += 1
    return counts


def _possible_days(done: set[date], today: date, first: date) -> int:
    """Days from ``first`` to yesterday, today once done, and every day that was done."""
    open_days = {first + timedelta(days=n) for n in range((today - first).days)}
    return len(open_days | done)


def _kind_order(kind: str) -> tuple[int, str]:
    """Reminder kinds in the order menus show them; unknown ones last, by name."""
    known = REMINDER_KINDS.index(kind) if kind in REMINDER_KINDS else len(REMINDER_KINDS)
    return known, kind


def _reminder_days(
    rows: Sequence[ReminderActionRow],
    checkin_days: set[date],
    done_exercises: Sequence[ExerciseRow],
    today: date,
) -> tuple[ReminderDays, ...]:
    """Each reminder kind by the days it came, and the days its task was done: a button
    pressed ("done", or "start" which records done) or the task done anyway that day (a
    check-in, an exercise of the kind). Today counts only once done: it is not over."""
    came: dict[str, set[date]] = {}
    pressed: dict[str, set[date]] = {}
    for row in rows:
        came.setdefault(row.kind, set()).add(row.local_day)
        if row.action == "done":
            pressed.setdefault(row.kind, set()).add(row.local_day)
    result = []
    for kind in sorted(came, key=_kind_order):
        tasks = REMINDER_TASKS.get(kind, ())
        task_days = {e.local_day for e in done_exercises if e.kind in tasks}
        if kind == CHECKIN_REMINDER_KIND:
            task_days |= checkin_days
        done = (pressed.get(kind, set()) | task_days) & came[kind]
        days = {day for day in came[kind] if day < today} | done
        if days:
            result.append(ReminderDays(kind, len(days), len(done)))
    return tuple(result)


def _reminder_counts(rows: Iterable[ReminderActionRow]) -> ReminderCounts:
    actions = [row.action for row in rows]
    return ReminderCounts(
        sent=len(actions),
        done=actions.count("done"),
        skipped=actions.count("skip"),
        snoozed=actions.count("snooze"),
    )


def _pain_up_two_weeks(by_day: dict[date, DayRow], today: date) -> bool:
    """Pain went up by 2 points or more and stayed up: both of the last two weeks are
    at least 2 points above the week before them. That deserves a professional look."""
    weeks = [[r.pain for r in _window(by_day, today, back)] for back in (2, 1, 0)]
    if any(len(week) < MIN_DAYS_FOR_TREND for week in weeks):
        return False
    base, last, this = (sum(week) / len(week) for week in weeks)
    return min(last, this) - base >= MEANINGFUL_POINTS - _EPS


def pain_higher_on_stressful_days(rows: Sequence[DayRow]) -> bool:
    """Was pain at least a point higher on the week's more stressful days?

    The more stressful days are those above the week's median stress; both they and
    the other days must number at least two, so one odd day never decides it.
    """
    if len(rows) < MIN_DAYS_FOR_CORRELATION:
        return False
    stresses = sorted(r.stress for r in rows)
    mid = len(stresses) // 2
    median = stresses[mid] if len(stresses) % 2 else (stresses[mid - 1] + stresses[mid]) / 2
    stressful = [r.pain for r in rows if r.stress > median]
    calmer = [r.pain for r in rows if r.stress <= median]
    if len(stressful) < 2 or len(calmer) < 2:
        return False
    return sum(stressful) / len(stressful) - sum(calmer) / len(calmer) >= STRESSFUL_PAIN_GAP


def mostly_ignored(rows: Iterable[ReminderActionRow]) -> bool:
    """Most of the week's reminders went by without any button pressed."""
    actions = [row.action for row in rows]
    if len(actions) < MIN_REMINDERS_FOR_ADVICE:
        return False
    return actions.count(None) >= MOSTLY_IGNORED * len(actions) - _EPS


def _suggestion(
    *,
    pain: Trend,
    pain_up_two_weeks: bool,
    this_week: Sequence[DayRow],
    moved: MovedPattern,
    has_checkin_reminder: bool,
    reminders_ignored: bool = False,
    reminders_spaced: bool = False,
) -> str:
    """One suggestion for next week; the first rule that applies wins.

    Rising pain comes first (pacing, and a GP or physio when it stayed up for two
    weeks), then reminders that mostly went unanswered (fewer, at better times; said
    as it happened: spaced out or not), then too few check-ins to see anything, then a
    stress-pain pattern (slow breathing), then little movement (short walks and
    movement breaks). "Keep going" is left for a week none of these describe.
    """
    if pain_up_two_weeks:
        return SEE_GP
    if pain.word == WORSE:
        return PACING
    if reminders_ignored:
        return REMINDERS_SPACED if reminders_spaced else REMINDERS_IGNORED
    if len(this_week) < FEW_CHECKINS:
        return CHECKIN_HABIT if has_checkin_reminder else EVENING_REMINDER
    if pain_higher_on_stressful_days(this_week):
        return BREATHING
    if moved.answered >= MIN_DAYS_FOR_TREND and 2 * moved.no >= moved.answered:
        return MOVEMENT
    return KEEP_GOING
