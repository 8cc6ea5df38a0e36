"""The weekly summary, /history, the CSV export and the numbers behind the chart.

Everything here is a plain function over plain rows the store returns, so the rules that
decide what a user reads about their week can be tested in microseconds and never
depend on Telegram, SQL or matplotlib. Days are the user's *local* calendar days (see
:mod:`flows.streaks`); plain ``date`` arithmetic is therefore immune to DST changes.

The words follow docs/CLINICAL.md: a change of about 2 points or 30% over weeks is what people
feel as meaningful, day-to-day swings are not, and a pattern between stress and pain is
described as a pattern in the user's own scores, never as a medical finding.

The counts are out of the days that could have been done: today counts only once done
(the summary comes on Sunday evening, before the evening check-in), days before the user
began do not count, and a reminder counts by the days it came, not by its pushes.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache

from babel.dates import format_date

from flows.checkin import MOVED_VALUES, SLEEP_VALUES
from flows.formatting import format_day, format_decimal, list_separator, locale_for
from flows.i18n import Translator
from flows.schedule import KINDS as REMINDER_KINDS
from flows.streaks import current_streak

P = "summary"
WEEK_DAYS = 7
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
MAX_DAY_LABELS = 14
"""More day labels than this overlap on a phone-sized chart."""
CHECKIN_REMINDER_KIND = "checkin"
"""The reminder kind that asks for the daily check-in (decides which suggestion fits)."""
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
OWN_ACTIVITY_KIND = "own"
"""The kind of activity people told the coach about (a walk, a swim): counted as activity
and for movement reminders, never as a guided exercise."""
REMINDER_TASKS: dict[str, tuple[str, ...]] = {
    "stress": ("stress",),
    "movement": ("movement", OWN_ACTIVITY_KIND),
    "pain": ("pain",),
}
"""Exercise kinds that do what a reminder of each kind asks, whichever way they started."""
CSV_HEADER: tuple[str, ...] = ("local_day", "pain", "stress", "sleep", "moved", "note")
"""The CSV columns; each is named in the user's language by ``summary.csv_header.<column>``."""

# The check-in flow stores "soso" and "little"; other spellings are read as the same.
_ALIASES = {
    "so-so": "soso",
    "so so": "soso",
    "so_so": "soso",
    "a little": "little",
    "a_little": "little",
    "a-little": "little",
}


# --- inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    """One check-in. ``sleep`` is good/soso/bad, ``moved`` yes/little/no (or None)."""

    local_day: date
    pain: int
    stress: int
    sleep: str | None = None
    moved: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ExerciseRow:
    """A guided exercise started on a local day; ``kind`` is stress, pain or movement, or
    :data:`OWN_ACTIVITY_KIND` for activity told to the coach (``minutes`` then says how
    long it was)."""

    local_day: date
    exercise_id: str
    kind: str
    completed: bool
    minutes: int | None = None


@dataclass(frozen=True)
class ReminderActionRow:
    """A reminder sent on a local day and what the user did (done/skip/snooze/None)."""

    local_day: date
    kind: str
    action: str | None


@dataclass(frozen=True)
class TestInfo:
    """The latest pain self-check: when it was taken, its risk band and pain then."""

    __test__ = False  # its name starts with "Test"; keep pytest from collecting it

    taken_at_day: date
    risk: str
    pain_now: int


# --- results ------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """Weekly averages of one score and what their difference means to a person."""

    earlier: float | None
    latest: float | None
    word: str

    @property
    def change(self) -> float | None:
        """``latest - earlier``: negative means lower (better) this week."""
        if self.earlier is None or self.latest is None:
            return None
        return self.latest - self.earlier


@dataclass(frozen=True)
class DayValue:
    day: date
    value: int


@dataclass(frozen=True)
class SleepPattern:
    good: int = 0
    soso: int = 0
    bad: int = 0

    @property
    def answered(self) -> int:
        return self.good + self.soso + self.bad


@dataclass(frozen=True)
class MovedPattern:
    yes: int = 0
    little: int = 0
    no: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.little + self.no


@dataclass(frozen=True)
class ExerciseCounts:
    """Completed exercises by kind; kinds the summary does not know are left out."""

    stress: int = 0
    pain: int = 0
    movement: int = 0

    @property
    def total(self) -> int:
        return self.stress + self.pain + self.movement


@dataclass(frozen=True)
class OwnActivity:
    """Activity the user told the coach about this week: how often and how long in all."""

    times: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class ReminderDays:
    """One kind of reminder as people think of it: the days it came this week (today only
    once done) and on how many of them its task was done."""

    kind: str
    days: int
    done: int


@dataclass(frozen=True)
class ReminderCounts:
    """Reminder pushes sent this week and what was done with them (for the advice; the
    text reports :class:`ReminderDays`)."""

    sent: int = 0
    done: int = 0
    skipped: int = 0
    snoozed: int = 0

    @property
    def ignored(self) -> int:
        return self.sent - self.done - self.skipped - self.snoozed


@dataclass(frozen=True)
class Summary:
    """This week (``today - 6 .. today``) against the week before it."""

    today: date
    pain: Trend
    stress: Trend
    lowest_pain: DayValue | None
    highest_pain: DayValue | None
    checkins: int
    """Days with a check-in this week."""
    checkin_days: int
    """Days this week a check-in could have been done: from the user's first day, today
    only once done, and always every day that has one."""
    checkins_before: int
    """Days with a check-in the week before."""
    days_recorded: int
    """Days with a check-in among all rows given, up to today."""
    exercises: ExerciseCounts
    own_activity: OwnActivity
    reminders: ReminderCounts
    reminder_days: tuple[ReminderDays, ...]
    """By reminder kind, in the order menus show them; only kinds that came this week."""
    sleep: SleepPattern
    moved: MovedPattern
    streak: int
    correlation: float | None
    suggestion: str
    retake_due: date | None

    @property
    def week_start(self) -> date:
        return self.today - timedelta(days=WEEK_DAYS - 1)

    @property
    def retake_due_now(self) -> bool:
        return self.retake_due is not None and self.retake_due <= self.today


# --- the numbers --------------------------------------------------------------------


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
    by_day = _by_day(checkins, today)
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    reminders_this_week = [r for r in reminder_actions if week_start <= r.local_day <= today]
    this_week = _window(by_day, today, 0)
    week_before = _window(by_day, today, 1)
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
        pain_up_two_weeks=_pain_up_two_weeks(by_day, today),
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
        days_recorded=len(by_day),
        exercises=ExerciseCounts(**_tally((e.kind for e in done_exercises), EXERCISE_KINDS)),
        own_activity=OwnActivity(len(own), sum(e.minutes or 0 for e in own)),
        reminders=_reminder_counts(reminders_this_week),
        reminder_days=_reminder_days(
            reminders_this_week, {r.local_day for r in this_week}, done_all, today
        ),
        sleep=SleepPattern(**_tally((r.sleep for r in this_week), SLEEP_VALUES)),
        moved=moved,
        streak=current_streak(by_day, today),
        correlation=correlation,
        suggestion=suggestion,
        retake_due=retake_due(latest_test),
    )


def _by_day(checkins: Iterable[DayRow], today: date) -> dict[date, DayRow]:
    rows: dict[date, DayRow] = {}
    for row in checkins:
        if row.local_day <= today:
            rows[row.local_day] = row
    return rows


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


def _canonical(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip().lower()
    return _ALIASES.get(cleaned, cleaned)


def _tally(values: Iterable[str | None], known: Sequence[str]) -> dict[str, int]:
    counts = dict.fromkeys(known, 0)
    for value in values:
        code = _canonical(value)
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


# --- formatting ---------------------------------------------------------------------


_locale = cache(locale_for)


def _plural(t: Translator, key: str, count: int, **params: object) -> str:
    """``key.one`` / ``key.other`` (or any CLDR category a language adds) for ``count``."""
    category = _locale(t.language).plural_form(count)
    chosen = f"{key}.{category}" if t.has(f"{key}.{category}") else f"{key}.other"
    return t(chosen, count=count, **params)


# --- the text -----------------------------------------------------------------------


def render_summary(summary: Summary, t: Translator) -> str:
    """The weekly summary as a short, kind message in the user's language."""
    lang = t.language
    if summary.days_recorded == 0:
        return t(f"{P}.nothing_yet")
    title = t(
        f"{P}.title",
        start=format_day(summary.week_start, lang),
        end=format_day(summary.today, lang),
    )
    recent = summary.checkins + summary.checkins_before
    if recent == 0:
        body = [t(f"{P}.nothing_recent")]
    elif recent < MIN_DAYS_FOR_TREND:
        body = [_plural(t, f"{P}.too_early", recent), *_score_lines(summary, t)]
    elif summary.checkins == 0:
        body = [t(f"{P}.no_checkins_week")]
    else:
        body = [*_score_lines(summary, t), *_week_lines(summary, t)]
    closing = [
        t(f"{P}.suggestion_line", text=t(f"{P}.suggestion.{summary.suggestion}")),
        _retake_line(summary, t),
    ]
    return "\n\n".join([title, "\n".join(line for line in body if line), "\n".join(closing)])


def _score_lines(summary: Summary, t: Translator) -> list[str]:
    lines = []
    for label, trend in ((t(f"{P}.pain"), summary.pain), (t(f"{P}.stress"), summary.stress)):
        if trend.latest is None:
            continue
        average = format_decimal(trend.latest, t.language)
        if trend.word == NOT_ENOUGH_DATA or trend.earlier is None:
            lines.append(t(f"{P}.score_only", label=label, average=average))
        else:
            lines.append(
                t(
                    f"{P}.score_compare",
                    label=label,
                    average=average,
                    before=format_decimal(trend.earlier, t.language),
                    trend=t(f"{P}.trend.{trend.word}"),
                )
            )
    return lines


def _week_lines(summary: Summary, t: Translator) -> list[str]:
    lang = t.language
    lines: list[str] = []
    low, high = summary.lowest_pain, summary.highest_pain
    if low is not None and high is not None and low.value != high.value:
        lines.append(
            t(
                f"{P}.low_high",
                low_day=format_day(low.day, lang),
                low=low.value,
                high_day=format_day(high.day, lang),
                high=high.value,
            )
        )
    lines.append(_plural(t, f"{P}.checkins", summary.checkin_days, done=summary.checkins))
    if summary.checkins < summary.checkin_days:
        lines.append(t(f"{P}.gaps"))
    if summary.streak > 1:
        lines.append(_plural(t, f"{P}.streak", summary.streak))
    if summary.sleep.answered:
        lines.append(t(f"{P}.sleep_line", **_counts(summary.sleep)))
    if summary.moved.answered:
        lines.append(t(f"{P}.moved_line", **_counts(summary.moved)))
    lines.extend(_activity_lines(summary, t))
    if summary.reminder_days:
        lines.append(t(f"{P}.reminders_title"))
        for item in summary.reminder_days:
            kind = t(f"reminders.kinds.{item.kind}")
            lines.append(_plural(t, f"{P}.reminder_days", item.days, kind=kind, done=item.done))
    word = correlation_word(summary.correlation)
    if word is not None:
        lines.append(t(f"{P}.correlation_line", words=t(f"{P}.correlation.{word}")))
        if word != MOVED_LITTLE:
            lines.append(t(f"{P}.correlation_note"))
    return lines


def _counts(pattern: SleepPattern | MovedPattern) -> dict[str, int]:
    return asdict(pattern)


def _activity_lines(summary: Summary, t: Translator) -> list[str]:
    """Exercises by their kind in the user's words, then activity told to the coach."""
    lines: list[str] = []
    counts = asdict(summary.exercises)
    kinds = [kind for kind in ("stress", "movement", "pain") if counts[kind]]
    if kinds:
        lines.append(t(f"{P}.exercises_title"))
        lines.extend(
            t(f"{P}.exercise_kind", kind=t(f"{P}.exercise_kinds.{kind}"), count=counts[kind])
            for kind in kinds
        )
    own = summary.own_activity
    if own.times:
        lines.append(_plural(t, f"{P}.own_activity", own.times, minutes=own.minutes))
    return lines


def _retake_line(summary: Summary, t: Translator) -> str:
    if summary.retake_due is None:
        return t(f"{P}.retake.no_test")
    if summary.retake_due_now:
        return t(f"{P}.retake.due_now")
    return t(f"{P}.retake.due_on", day=format_day(summary.retake_due, t.language))


# --- chart data ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChartData:
    """One value per local day, oldest first; None where there was no check-in."""

    days: tuple[date, ...]
    pain: tuple[int | None, ...]
    stress: tuple[int | None, ...]
    exercise: tuple[bool, ...]

    @property
    def has_checkins(self) -> bool:
        return any(value is not None for value in self.pain)


@dataclass(frozen=True)
class ChartLabels:
    """Every word drawn on the chart, already in the user's language."""

    title: str
    pain: str
    stress: str
    exercise: str
    y_axis: str
    no_data: str
    day_ticks: tuple[str, ...]


def chart_series(
    today: date, checkins: Iterable[DayRow], exercises: Iterable[ExerciseRow], days: int = 14
) -> ChartData:
    """The last ``days`` local days ending today, with gaps kept as None (not zero)."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    span = tuple(today - timedelta(days=back) for back in range(days - 1, -1, -1))
    by_day = _by_day(checkins, today)
    exercised = {e.local_day for e in exercises if e.completed}
    rows = [by_day.get(day) for day in span]
    return ChartData(
        days=span,
        pain=tuple(row.pain if row else None for row in rows),
        stress=tuple(row.stress if row else None for row in rows),
        exercise=tuple(day in exercised for day in span),
    )


def chart_labels(data: ChartData, t: Translator, language: str) -> ChartLabels:
    """Labels for :func:`bot.charts.render_chart`, one tick label per day.

    A tick reads weekday over day number ("Tue" / "24"); the month is added on the first
    labelled day and where it changes. Past :data:`MAX_DAY_LABELS` days only every n-th
    day is labelled (the others get ""), counted back from today so today is named.
    """
    locale = _locale(language)
    count = len(data.days)
    step = max(1, math.ceil(count / MAX_DAY_LABELS))
    ticks: list[str] = []
    last_month: tuple[int, int] | None = None
    for index, day in enumerate(data.days):
        if (count - 1 - index) % step:
            ticks.append("")
            continue
        month = (day.year, day.month)
        pattern = "d" if month == last_month else "d MMM"
        last_month = month
        ticks.append(
            f"{format_date(day, format='EEE', locale=locale)}\n"
            f"{format_date(day, format=pattern, locale=locale)}"
        )
    return ChartLabels(
        title=t(f"{P}.chart.title", days=count),
        pain=t(f"{P}.pain"),
        stress=t(f"{P}.stress"),
        exercise=t(f"{P}.chart.exercise"),
        y_axis=t(f"{P}.chart.y_axis"),
        no_data=t(f"{P}.chart.no_data"),
        day_ticks=tuple(ticks),
    )


# --- /history and the export --------------------------------------------------------


def history_lines(
    checkins: Iterable[DayRow], today: date, t: Translator, days: int = 30
) -> list[str]:
    """One compact line per checked-in day of the last ``days`` days, newest first."""
    start = today - timedelta(days=days - 1)
    by_day = _by_day(checkins, today)
    separator = t(f"{P}.history.separator")
    lines = []
    for day in sorted((d for d in by_day if d >= start), reverse=True):
        row = by_day[day]
        parts = [
            t(
                f"{P}.history.line",
                day=format_day(day, t.language),
                pain=row.pain,
                stress=row.stress,
            )
        ]
        sleep, moved = _canonical(row.sleep), _canonical(row.moved)
        if sleep in SLEEP_VALUES:
            parts.append(t(f"{P}.history.sleep", value=t(f"{P}.sleep_words.{sleep}")))
        if moved in MOVED_VALUES:
            parts.append(t(f"{P}.history.moved", value=t(f"{P}.moved_words.{moved}")))
        lines.append(separator.join(parts))
    return lines


CSV_ENCODING = "utf-8-sig"
"""With a byte-order mark, so spreadsheet programs read accented notes correctly."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain_cell(text: str) -> str:
    """A note that a spreadsheet would run as a formula (``=HYPERLINK(...)``) is kept as
    text by a leading apostrophe, the usual guard against CSV injection."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _word(row_value: str | None, known: Collection[str], section: str, t: Translator) -> str:
    """A stored sleep/moved value as the user's word; an unknown one is kept as stored."""
    value = _canonical(row_value)
    if value in known:
        return t(f"{P}.{section}.{value}")
    return row_value or ""


def checkins_csv(checkins: Iterable[DayRow], t: Translator) -> str:
    """All check-ins as CSV (oldest first) for /history and /export, in the user's
    language and with the list separator their spreadsheet splits on; notes are quoted
    by the csv module and never start like a formula. Encode with :data:`CSV_ENCODING`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=list_separator(t.language))
    writer.writerow([t(f"{P}.csv_header.{column}") for column in CSV_HEADER])
    for row in sorted(checkins, key=lambda r: r.local_day):
        writer.writerow(
            [
                row.local_day.isoformat(),
                row.pain,
                row.stress,
                _word(row.sleep, SLEEP_VALUES, "sleep_words", t),
                _word(row.moved, MOVED_VALUES, "moved_words", t),
                _plain_cell(row.note or ""),
            ]
        )
    return out.getvalue()
