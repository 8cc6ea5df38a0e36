"""The weekly summary: numbers, trend words, suggestions, texts, chart data, history, CSV."""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.formatting import format_day, format_decimal
from flows.i18n import default_catalogue, placeholders
from flows.rows import DayRow, DeliveryStatus, ExerciseLogRow, PushRow, SelfCheckRow, SummaryRows
from flows.summary.chart_data import chart_labels, chart_series
from flows.summary.history import CSV_HEADER, checkins_csv, history_lines
from flows.summary.inputs import (
    OWN_ACTIVITY_KIND,
    ExerciseRow,
    ReminderActionRow,
    TestInfo,
    inputs_from,
)
from flows.summary.numbers import (
    ABOUT_THE_SAME,
    BETTER,
    BREATHING,
    CHECKIN_HABIT,
    EVENING_REMINDER,
    KEEP_GOING,
    MOVED_LITTLE,
    MOVED_SOMEWHAT,
    MOVED_TOGETHER,
    MOVEMENT,
    NOT_ENOUGH_DATA,
    PACING,
    SEE_GP,
    SUGGESTIONS,
    WORSE,
    compute_summary,
    correlation_word,
    pain_higher_on_stressful_days,
    pearson,
    trend_word,
)
from flows.summary.results import (
    DayValue,
    ExerciseCounts,
    MovedPattern,
    ReminderCounts,
    SleepPattern,
    Summary,
)
from flows.summary.text import render_summary

CATALOGUE = default_catalogue()
T = CATALOGUE.translator("en")
TODAY = date(2026, 11, 25)  # a Wednesday
HYPO = settings(database=None, deadline=None)


def day(offset: int, base: date = TODAY) -> date:
    return base + timedelta(days=offset)


def rows(
    pains: Mapping[int, int], stress: Mapping[int, int] | int = 5, base: date = TODAY
) -> list[DayRow]:
    """Check-ins by offset from ``base``: ``{0: pain today, -1: pain yesterday, ...}``."""
    return [
        DayRow(day(off, base), pain, stress if isinstance(stress, int) else stress[off])
        for off, pain in sorted(pains.items())
    ]


def weeks(before: Sequence[int], this: Sequence[int], stress: int = 5) -> list[DayRow]:
    """``before`` on the first days of last week, ``this`` on the first days of this one."""
    pains = {-13 + i: p for i, p in enumerate(before)} | {-6 + i: p for i, p in enumerate(this)}
    return rows(pains, stress)


def summarise(
    checkins: Sequence[DayRow] = (),
    exercises: Sequence[ExerciseRow] = (),
    reminders: Sequence[ReminderActionRow] = (),
    test: TestInfo | None = None,
    today: date = TODAY,
) -> Summary:
    return compute_summary(today, checkins, exercises, reminders, test)


# --- trends ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "latest", "word"),
    [
        (5.0, 3.0, BETTER),  # exactly 2 points
        (5.0, 3.6, ABOUT_THE_SAME),  # 1.4 points, 28%
        (5.0, 3.5, BETTER),  # exactly 30%
        (5.0, 7.0, WORSE),
        (5.0, 6.4, ABOUT_THE_SAME),
        (2.0, 1.4, BETTER),  # 0.6 points, but exactly 30%
        (2.0, 1.5, ABOUT_THE_SAME),
        (10.0, 8.0, BETTER),  # 20%, but 2 points
        (0.0, 1.9, ABOUT_THE_SAME),  # zero earlier week: only points count
        (0.0, 2.0, WORSE),
        (0.0, 0.0, ABOUT_THE_SAME),
        (None, 3.0, NOT_ENOUGH_DATA),
        (3.0, None, NOT_ENOUGH_DATA),
    ],
)
def test_trend_word_thresholds(earlier: float | None, latest: float | None, word: str) -> None:
    assert trend_word(earlier, latest) == word


@pytest.mark.parametrize(
    ("before", "this", "word", "change"),
    [
        ([5] * 5, [3] * 5, BETTER, -2.0),
        ([5] * 5, [4, 4, 4, 3, 3], ABOUT_THE_SAME, -1.4),  # 5.0 -> 3.6
        ([2] * 5, [1, 1, 1, 2, 2], BETTER, -0.6),  # 2.0 -> 1.4 is 30%
        ([0] * 5, [2] * 5, WORSE, 2.0),  # earlier week at zero
        ([0] * 5, [1] * 5, ABOUT_THE_SAME, 1.0),
        ([3, 3, 4], [5, 6, 6, 7], WORSE, 2.667),
        ([3, 3, 4], [4, 4, 5], WORSE, 1.0),  # exactly 30% of 3.33, despite float rounding
        ([5, 5], [3] * 5, NOT_ENOUGH_DATA, -2.0),  # two days are a swing, not a week
        ([], [3] * 5, NOT_ENOUGH_DATA, None),
    ],
)
def test_weekly_pain_trend(
    before: list[int], this: list[int], word: str, change: float | None
) -> None:
    summary = summarise(weeks(before, this))
    assert summary.pain.word == word
    if change is None:
        assert summary.pain.change is None
        assert summary.pain.earlier is None
    else:
        assert summary.pain.change == pytest.approx(change, abs=1e-3)
    assert summary.stress.word == (NOT_ENOUGH_DATA if word == NOT_ENOUGH_DATA else ABOUT_THE_SAME)


def test_stress_trend_lower_is_better() -> None:
    calmer = rows(
        {-10: 4, -9: 4, -8: 4, -2: 4, -1: 4, 0: 4},
        stress={-10: 8, -9: 8, -8: 8, -2: 5, -1: 6, 0: 5},
    )
    summary = summarise(calmer)
    assert summary.stress.earlier == pytest.approx(8.0)
    assert summary.stress.latest == pytest.approx(16 / 3)
    assert summary.stress.word == BETTER
    assert summary.pain.word == ABOUT_THE_SAME


def test_no_data_means_no_averages() -> None:
    summary = summarise()
    assert (summary.pain.earlier, summary.pain.latest) == (None, None)
    assert summary.pain.word == summary.stress.word == NOT_ENOUGH_DATA
    assert summary.lowest_pain is None and summary.highest_pain is None
    assert summary.checkins == summary.days_recorded == summary.streak == 0
    assert summary.correlation is None


# --- this week's numbers --------------------------------------------------------------


def test_lowest_and_highest_day_earliest_on_ties() -> None:
    summary = summarise(rows({-6: 4, -5: 2, -4: 7, -3: 2, -2: 7, 0: 5, -7: 0, -8: 10}))
    assert summary.lowest_pain == DayValue(day(-5), 2)
    assert summary.highest_pain == DayValue(day(-4), 7)


@pytest.mark.parametrize(
    ("offsets", "done", "before"),
    [
        ([], 0, 0),
        ([0], 1, 0),
        ([-6, -5, -4, -3, -2, -1, 0], 7, 0),
        ([-7, -6, 0], 2, 1),  # -7 is the last day of the week before
        ([-13, -14, -20], 0, 1),
        ([1, 2, 0], 1, 0),  # days after today are ignored
    ],
)
def test_checkins_out_of_seven(offsets: list[int], done: int, before: int) -> None:
    summary = summarise(rows(dict.fromkeys(offsets, 3)))
    assert summary.checkins == done
    assert summary.checkins_before == before


def test_one_checkin_per_day_last_row_wins() -> None:
    summary = summarise([DayRow(TODAY, 8, 8), DayRow(TODAY, 2, 3)])
    assert summary.checkins == 1
    assert summary.pain.latest == 2.0
    assert summary.stress.latest == 3.0


def test_exercises_completed_this_week_by_kind() -> None:
    exercises = [
        ExerciseRow(day(0), "breathing", "stress", True),
        ExerciseRow(day(0), "breathing", "stress", True),
        ExerciseRow(day(-3), "pmr", "stress", False),  # started, not completed
        ExerciseRow(day(-6), "cat_cow", "pain", True),
        ExerciseRow(day(-7), "walk", "movement", True),  # the week before
        ExerciseRow(day(-1), "walk", "movement", True),
        ExerciseRow(day(-1), "mystery", "other", True),  # unknown kinds are left out
    ]
    assert summarise(exercises=exercises).exercises == ExerciseCounts(stress=2, pain=1, movement=1)


def test_reminder_actions_this_week() -> None:
    actions = ["done", "done", "skip", "snooze", None, "done", None]
    reminders = [ReminderActionRow(day(-i), "checkin", a) for i, a in enumerate(actions)]
    reminders.append(ReminderActionRow(day(-7), "checkin", "done"))  # last week
    counts = summarise(reminders=reminders).reminders
    assert counts == ReminderCounts(sent=7, done=3, skipped=1, snoozed=1)
    assert counts.ignored == 2


def test_sleep_and_movement_patterns_accept_both_spellings() -> None:
    checkins = [
        DayRow(day(0), 3, 3, "good", "yes"),
        DayRow(day(-1), 3, 3, "so-so", "a little"),
        DayRow(day(-2), 3, 3, "soso", "little"),
        DayRow(day(-3), 3, 3, "bad", "no"),
        DayRow(day(-4), 3, 3, None, None),
        DayRow(day(-9), 3, 3, "bad", "no"),  # the week before
    ]
    summary = summarise(checkins)
    assert summary.sleep == SleepPattern(good=1, soso=2, bad=1)
    assert summary.moved == MovedPattern(yes=1, little=2, no=1)


# --- streaks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "streak"),
    [
        ([0, -1, -2], 3),
        ([-1, -2, -3], 3),  # today not done yet: yesterday's streak still counts
        ([0, -1, -3, -4], 2),  # a gap ends it
        ([-2, -3], 0),  # yesterday missed
        (list(range(-20, 1)), 21),
    ],
)
def test_streak(offsets: list[int], streak: int) -> None:
    assert summarise(rows(dict.fromkeys(offsets, 4))).streak == streak


def test_streak_and_week_across_the_dst_change() -> None:
    """Clocks went back in Brussels on 2026-10-25; local days still follow each other."""
    today = date(2026, 10, 27)
    checkins = rows(dict.fromkeys(range(-4, 1), 4), base=today)  # 23 Oct .. 27 Oct
    summary = summarise(checkins, today=today)
    assert summary.streak == 5
    assert summary.checkins == 5
    assert summary.week_start == date(2026, 10, 21)
    series = chart_series(today, checkins, [], days=14)
    assert series.days[-4:] == (
        date(2026, 10, 24),
        date(2026, 10, 25),
        date(2026, 10, 26),
        date(2026, 10, 27),
    )
    assert len(set(series.days)) == 14


# --- correlation ----------------------------------------------------------------------


def test_correlation_needs_five_days() -> None:
    four = rows({0: 2, -1: 4, -2: 6, -3: 8}, stress={0: 1, -1: 3, -2: 5, -3: 7})
    assert summarise(four).correlation is None
    five = rows({0: 2, -1: 4, -2: 6, -3: 8, -4: 5}, stress={0: 1, -1: 3, -2: 5, -3: 7, -4: 6})
    expected = statistics.correlation([6.0, 7, 5, 3, 1], [5.0, 8, 6, 4, 2])
    assert summarise(five).correlation == pytest.approx(expected)
    assert 0.5 < expected < 1


def test_correlation_only_uses_this_week() -> None:
    checkins = rows(
        {0: 1, -1: 2, -2: 3, -3: 4, -4: 5, -8: 9, -9: 0},
        stress={0: 1, -1: 2, -2: 3, -3: 4, -4: 5, -8: 0, -9: 9},
    )
    assert summarise(checkins).correlation == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("pains", "stresses"),
    [([4, 4, 4, 4, 4], [1, 5, 7, 2, 3]), ([1, 5, 7, 2, 3], [6, 6, 6, 6, 6])],
)
def test_correlation_none_without_variance(pains: list[int], stresses: list[int]) -> None:
    checkins = [DayRow(day(-i), p, s) for i, (p, s) in enumerate(zip(pains, stresses, strict=True))]
    assert summarise(checkins).correlation is None
    assert pearson(stresses, pains) is None


@pytest.mark.parametrize(
    ("r", "word"),
    [
        (None, None),
        (1.0, MOVED_TOGETHER),
        (0.5, MOVED_TOGETHER),
        (0.49, MOVED_SOMEWHAT),
        (0.3, MOVED_SOMEWHAT),
        (0.29, MOVED_LITTLE),
        (0.0, MOVED_LITTLE),
        (-0.9, MOVED_LITTLE),
    ],
)
def test_correlation_word(r: float | None, word: str | None) -> None:
    assert correlation_word(r) == word


@HYPO
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=2, max_size=30))
def test_pearson_is_bounded_and_symmetric(pairs: list[tuple[int, int]]) -> None:
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    r = pearson(xs, ys)
    if r is None:
        assert len(set(xs)) == 1 or len(set(ys)) == 1
    else:
        assert -1.0 <= r <= 1.0
        assert pearson(ys, xs) == pytest.approx(r)


# --- suggestions ----------------------------------------------------------------------


def full_week(
    pains: Sequence[int], stresses: Sequence[int], moved: str = "yes", offset: int = 0
) -> list[DayRow]:
    return [
        DayRow(day(offset - 6 + i), p, s, "good", moved)
        for i, (p, s) in enumerate(zip(pains, stresses, strict=True))
    ]


CALM = [4] * 7
STEADY = [5, 4, 5, 4, 5, 4, 5]


@pytest.mark.parametrize(
    ("checkins", "reminders", "suggestion"),
    [
        # Pain up by 2+ and staying up for two weeks: see a GP or physio.
        (
            full_week([3] * 7, CALM, offset=-14)
            + full_week([5] * 7, CALM, offset=-7)
            + full_week([5] * 7, CALM),
            [],
            SEE_GP,
        ),
        (
            full_week([2] * 7, CALM, offset=-14)
            + full_week([4] * 7, CALM, offset=-7)
            + full_week([6] * 7, CALM),
            [],
            SEE_GP,
        ),
        # Up this week only (no third week): pacing.
        (full_week([3] * 7, CALM, offset=-7) + full_week([5] * 7, CALM), [], PACING),
        # Up two weeks ago but this week back down: no GP, and not worse than last week.
        (
            full_week([3] * 7, CALM, offset=-14)
            + full_week([5] * 7, CALM, offset=-7)
            + full_week([3] * 7, CALM),
            [],
            KEEP_GOING,
        ),
        # Few check-ins: the evening reminder, or a habit if a reminder already comes.
        (full_week([3] * 7, CALM)[:3], [], EVENING_REMINDER),
        (full_week([3] * 7, CALM)[:3], [ReminderActionRow(TODAY, "checkin", None)], CHECKIN_HABIT),
        (
            full_week([3] * 7, CALM)[:3],
            [ReminderActionRow(TODAY, "exercise", "done")],
            EVENING_REMINDER,
        ),
        # Pain higher on the more stressful days: slow breathing at lunchtime.
        (full_week([3, 3, 6, 3, 7, 3, 6], [2, 3, 8, 2, 9, 3, 7]), [], BREATHING),
        # Stress varies, pain does not follow it.
        (full_week(STEADY, [2, 3, 8, 2, 9, 3, 7]), [], KEEP_GOING),
        # Little movement: short walks and movement breaks.
        (full_week(STEADY, CALM, moved="no"), [], MOVEMENT),
        (full_week(STEADY, CALM, moved="little"), [], KEEP_GOING),
        (full_week(STEADY, CALM), [], KEEP_GOING),
        ([], [], EVENING_REMINDER),
    ],
)
def test_suggestion_rules(
    checkins: list[DayRow], reminders: list[ReminderActionRow], suggestion: str
) -> None:
    assert summarise(checkins, reminders=reminders).suggestion == suggestion


def test_a_checkin_reminder_already_set_is_never_suggested_again() -> None:
    """Set yesterday, not sent yet this week: the habit tip, not "set up a reminder"."""
    few = full_week([3] * 7, CALM)[:3]
    result = compute_summary(TODAY, few, [], [], None, checkin_reminder_on=True)
    assert result.suggestion == CHECKIN_HABIT


def test_half_the_days_without_movement_is_enough() -> None:
    week = full_week(STEADY, CALM)
    moved = ["no", "no", "no", "yes", "little", None, None]
    checkins = [
        DayRow(r.local_day, r.pain, r.stress, r.sleep, m) for r, m in zip(week, moved, strict=True)
    ]
    assert summarise(checkins).suggestion == MOVEMENT


@pytest.mark.parametrize(
    ("pains", "stresses", "expected"),
    [
        ([3, 3, 6, 3, 7], [2, 3, 8, 2, 9], True),
        ([3, 3, 3, 3, 7], [2, 3, 3, 2, 9], False),  # one stressful day alone never decides
        ([5, 5, 5, 5, 5, 5], [1, 2, 3, 7, 8, 9], False),
        ([3, 3, 6, 3], [2, 3, 8, 9], False),  # fewer than 5 days
        ([4, 4, 5, 5, 5], [5, 5, 5, 5, 5], False),  # no variation in stress
    ],
)
def test_pain_higher_on_stressful_days(
    pains: list[int], stresses: list[int], expected: bool
) -> None:
    checkins = [DayRow(day(-i), p, s) for i, (p, s) in enumerate(zip(pains, stresses, strict=True))]
    assert pain_higher_on_stressful_days(checkins) is expected


# --- retake ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taken", "due", "due_now"),
    [
        (None, None, False),
        (date(2026, 11, 20), date(2026, 12, 18), False),
        (date(2026, 10, 29), date(2026, 11, 26), False),  # due tomorrow
        (date(2026, 10, 28), date(2026, 11, 25), True),  # due today
        (date(2026, 6, 1), date(2026, 6, 29), True),  # long past
    ],
)
def test_retake_due(taken: date | None, due: date | None, due_now: bool) -> None:
    test = None if taken is None else TestInfo(taken, "low", 4)
    summary = summarise(test=test)
    assert summary.retake_due == due
    assert summary.retake_due_now is due_now


# --- texts ----------------------------------------------------------------------------


def test_render_new_user() -> None:
    text = render_summary(summarise(), T)
    assert text == T("summary.nothing_yet")
    assert "/checkin" in text


@pytest.mark.parametrize("count", [1, 2])
def test_render_too_early(count: int) -> None:
    checkins = rows({0: 6, -1: 4}) if count == 2 else rows({0: 6})
    text = render_summary(summarise(checkins), T)
    assert T(f"summary.too_early.{'one' if count == 1 else 'other'}", count=count) in text
    assert "too early" in text
    assert "Pain: " + ("5.0" if count == 2 else "6.0") in text
    assert T("summary.suggestion.evening_reminder") in text
    assert T("summary.retake.no_test") in text
    assert "Tue 24 Nov" not in text  # no lowest/highest day from one or two check-ins


def test_render_full_weeks() -> None:
    before = full_week([6, 6, 7, 6, 6, 7, 6], [6] * 7, offset=-7)
    this = [
        DayRow(day(-6 + i), p, s, sl, m)
        for i, (p, s, sl, m) in enumerate(
            [
                (4, 5, "good", "yes"),
                (3, 4, "good", "yes"),
                (5, 6, "soso", "little"),
                (2, 3, "good", "yes"),
                (6, 6, "bad", "no"),
                (4, 5, "good", "yes"),
                (3, 4, "soso", "yes"),
            ]
        )
    ]
    exercises = [
        ExerciseRow(day(0), "breathing", "stress", True),
        ExerciseRow(day(-2), "walk", "movement", True),
    ]
    reminders = [ReminderActionRow(day(-i), "checkin", "done" if i % 2 else None) for i in range(5)]
    summary = summarise(before + this, exercises, reminders, TestInfo(date(2026, 11, 20), "low", 5))
    text = render_summary(summary, T)
    assert text.startswith("📅 Your week: Thu 19 Nov – Wed 25 Nov")
    assert "Pain: 3.9 on average (the week before: 6.3), better." in text
    assert "Stress: 4.7 on average (the week before: 6.0), about the same." in text
    assert "Your easiest day was Sun 22 Nov (pain 2), the hardest Mon 23 Nov (pain 6)." in text
    assert "Check-ins: 7 of 7 days." in text
    assert T("summary.gaps") not in text
    assert "Streak: 14 days in a row." in text
    assert "Sleep: good 4 · so-so 2 · bad 1" in text
    assert "Moving: yes 5 · a little 1 · no 1" in text
    assert "Exercises done this week:\n• Breathing and relaxation: 1\n• Movement" in text
    # The check-in was done every day, by the reminder's button or not.
    assert "Your reminders this week:\n• Daily check-in: done on 5 of 5 days" in text
    assert "Stress and pain this week: they moved together." in text
    assert T("summary.correlation_note") in text
    assert T("summary.suggestion_line", text=T("summary.suggestion.breathing_lunch")) in text
    assert "Your next back pain self-check is due on Fri 18 Dec." in text


def test_render_gaps_and_a_missing_week() -> None:
    gappy = summarise(rows({-6: 4, -3: 5, 0: 3, -7: 4, -9: 4, -12: 4}))
    text = render_summary(gappy, T)
    assert "Check-ins: 3 of 7 days." in text
    assert T("summary.gaps") in text
    assert "Streak" not in text  # a streak of one is not worth a line
    quiet = render_summary(summarise(rows({-7: 4, -9: 4, -12: 4})), T)
    assert T("summary.no_checkins_week") in quiet
    assert "Check-ins:" not in quiet
    gone = render_summary(summarise(rows({-20: 4, -25: 5})), T)
    assert T("summary.nothing_recent") in gone


# --- counting only what could have been done (issue 14, item 7) -------------------------

SUNDAY = date(2026, 11, 29)


def test_sunday_evening_before_the_checkin_is_not_a_missed_day() -> None:
    """The summary comes on Sunday at 19:00, before the 20:00 check-in."""
    monday_to_saturday = rows(dict.fromkeys(range(-6, 0), 4), base=SUNDAY)
    summary = summarise(monday_to_saturday, today=SUNDAY)
    assert (summary.checkins, summary.checkin_days) == (6, 6)
    text = render_summary(summary, T)
    assert "Check-ins: 6 of 6 days." in text
    assert T("summary.gaps") not in text
    done_today = summarise(rows(dict.fromkeys(range(-6, 1), 4), base=SUNDAY), today=SUNDAY)
    assert (done_today.checkins, done_today.checkin_days) == (7, 7)
    missed_friday = summarise(rows({-6: 4, -5: 4, -4: 4, -3: 4, -1: 4}, base=SUNDAY), today=SUNDAY)
    assert "Check-ins: 5 of 6 days." in render_summary(missed_friday, T)


def test_days_before_the_user_began_are_not_missed() -> None:
    began = day(-2)  # Monday, in a week ending on Wednesday
    summary = compute_summary(TODAY, rows({-2: 4, -1: 4}), [], [], None, first_day=began)
    assert (summary.checkins, summary.checkin_days) == (2, 2)
    # A forgotten yesterday filled in on the first day still counts.
    early = compute_summary(TODAY, rows({-3: 4, -1: 4, 0: 4}), [], [], None, first_day=began)
    assert (early.checkins, early.checkin_days) == (3, 4)
    assert "Check-ins: 3 of 4 days." in render_summary(early, T)
    first = compute_summary(TODAY, rows({0: 4}), [], [], None, first_day=TODAY)
    assert (first.checkins, first.checkin_days) == (1, 1)


WALKS_AND_BREATHING = [
    *[ExerciseRow(day(-i), "graded_walk", "pain", True) for i in range(5)],
    ExerciseRow(day(-1), "slow_breath", "stress", True),
    ExerciseRow(day(-1), "bridge", "movement", False),  # stopped early
]


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_exercises_are_named_by_their_kind_in_the_users_language(language: str) -> None:
    t = CATALOGUE.translator(language)
    text = render_summary(summarise(full_week(CALM, CALM), WALKS_AND_BREATHING), t)
    walking = t("summary.exercise_kind", kind=t("summary.exercise_kinds.pain"), count=5)
    calming = t("summary.exercise_kind", kind=t("summary.exercise_kinds.stress"), count=1)
    assert walking in text and calming in text
    assert t("summary.exercise_kinds.movement") not in text  # none done
    if language == "en":
        assert "for pain" not in text and "• Graded walking and pacing: 5" in text


def test_activity_told_to_the_coach_counts_as_activity_not_as_an_exercise() -> None:
    own = [
        ExerciseRow(day(-1), "own_activity", "own", True, minutes=30),
        ExerciseRow(day(-3), "own_activity", "own", True, minutes=20),
        ExerciseRow(day(-9), "own_activity", "own", True, minutes=45),  # the week before
    ]
    summary = summarise(full_week(CALM, CALM), own)
    assert summary.exercises.total == 0
    assert (summary.own_activity.times, summary.own_activity.minutes) == (2, 50)
    text = render_summary(summary, T)
    assert "Activity you told me about: 2 times, 50 min in all." in text
    assert T("summary.exercises_title") not in text


def test_reminders_are_reported_by_the_days_they_came_not_by_pushes() -> None:
    """An office worker's movement breaks: 9 pushes a day, every weekday."""
    pushes = [
        ReminderActionRow(day(-back), "movement", "done" if back in (1, 3) and hour == 2 else None)
        for back in range(6)
        for hour in range(9)
    ]
    walks = [ReminderActionRow(day(-back), "pain", None) for back in range(4)]
    exercises = [ExerciseRow(day(-2), "graded_walk", "pain", True)]  # walked without Start
    summary = summarise(full_week(CALM, CALM), exercises, [*pushes, *walks])
    assert summary.reminders.sent == 58  # still known, for the advice
    # Today's pushes are not counted yet: today isn't over and none was done.
    assert [(r.kind, r.days, r.done) for r in summary.reminder_days] == [
        ("movement", 5, 2),
        ("pain", 3, 1),
    ]
    text = render_summary(summary, T)
    assert "Your reminders this week:" in text
    assert "• Movement breaks: done on 2 of 5 days" in text
    assert "• Graded walk: done on 1 of 3 days" in text
    assert " of 58" not in text


def test_a_reminder_done_today_counts_today() -> None:
    pushes = [
        ReminderActionRow(day(0), "stress", "done"),
        ReminderActionRow(day(-1), "stress", None),
    ]
    summary = summarise(full_week(CALM, CALM), reminders=pushes)
    assert [(r.kind, r.days, r.done) for r in summary.reminder_days] == [("stress", 2, 1)]
    only_today = summarise(
        full_week(CALM, CALM), reminders=[ReminderActionRow(day(0), "posture", "skip")]
    )
    assert only_today.reminder_days == ()
    assert T("summary.reminders_title") not in render_summary(only_today, T)


def test_render_retake_due_now() -> None:
    summary = summarise(rows({0: 3}), test=TestInfo(date(2026, 9, 1), "medium", 6))
    assert T("summary.retake.due_now") in render_summary(summary, T)


def test_every_code_has_its_text() -> None:
    """Each trend, correlation and suggestion code resolves to text without placeholders."""
    for code in SUGGESTIONS:
        assert not placeholders(T(f"summary.suggestion.{code}"))
    for code in (BETTER, WORSE, ABOUT_THE_SAME, NOT_ENOUGH_DATA):
        assert T(f"summary.trend.{code}")
    for code in (MOVED_TOGETHER, MOVED_SOMEWHAT, MOVED_LITTLE):
        assert T(f"summary.correlation.{code}")


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (5.2, "en", "5.2"),
        (5.2, "nl", "5,2"),
        (5.2, "fr", "5,2"),
        (5.2, "de", "5,2"),
        (4.0, "en", "4.0"),
        (10 / 3, "en", "3.3"),
        (2 / 3, "nl", "0,7"),
    ],
)
def test_format_decimal(value: float, language: str, text: str) -> None:
    assert format_decimal(value, language) == text


def test_format_day() -> None:
    assert format_day(date(2026, 11, 24), "en") == "Tue 24 Nov"
    assert format_day(date(2026, 11, 24), "xx") == "Tue 24 Nov"  # unknown: falls back to en
    # Each language's own short form (a trial run found "Do. 19 Nov." in German).
    assert format_day(date(2026, 11, 19), "de") == "Do., 19. Nov."
    assert format_day(date(2026, 12, 23), "fr") == "mer. 23 déc."
    assert format_day(date(2026, 12, 23), "nl") == "wo 23 dec"


@HYPO
@given(
    st.dictionaries(
        st.integers(-27, 2), st.tuples(st.integers(0, 10), st.integers(0, 10)), max_size=30
    ),
    st.lists(
        st.tuples(
            st.integers(-10, 0), st.sampled_from(["stress", "pain", "movement"]), st.booleans()
        ),
        max_size=10,
    ),
)
def test_summary_never_breaks(
    days: dict[int, tuple[int, int]], exercises: list[tuple[int, str, bool]]
) -> None:
    checkins = [DayRow(day(off), p, s) for off, (p, s) in days.items()]
    ex = [ExerciseRow(day(off), "x", kind, done) for off, kind, done in exercises]
    summary = summarise(checkins, ex)
    assert 0 <= summary.checkins <= 7
    assert summary.suggestion in SUGGESTIONS
    if summary.lowest_pain and summary.highest_pain:
        assert summary.lowest_pain.value <= summary.highest_pain.value
    assert render_summary(summary, T)


# --- chart data -----------------------------------------------------------------------


def test_chart_series_keeps_gaps() -> None:
    checkins = rows(
        {0: 3, -1: 5, -4: 7, -13: 2, -14: 9}, stress={0: 4, -1: 6, -4: 8, -13: 1, -14: 9}
    )
    exercises = [
        ExerciseRow(day(-1), "walk", "movement", True),
        ExerciseRow(day(-2), "walk", "movement", False),
        ExerciseRow(day(-13), "breathing", "stress", True),
    ]
    data = chart_series(TODAY, checkins, exercises)
    assert data.days == tuple(day(-13 + i) for i in range(14))
    assert data.pain == (2, None, None, None, None, None, None, None, None, 7, None, None, 5, 3)
    assert data.stress == (1, None, None, None, None, None, None, None, None, 8, None, None, 6, 4)
    assert data.exercise == (True, *[False] * 11, True, False)
    assert data.has_checkins
    long = chart_series(TODAY, checkins, exercises, days=28)
    assert len(long.days) == len(long.pain) == len(long.exercise) == 28
    assert long.pain[-15] == 9
    assert not chart_series(TODAY, [], []).has_checkins
    with pytest.raises(ValueError, match="at least 1"):
        chart_series(TODAY, [], [], days=0)


def test_chart_labels() -> None:
    short = chart_labels(chart_series(TODAY, [], [], days=14), T, "en")
    assert (short.title, short.pain, short.stress, short.exercise) == (
        "Last 14 days",
        "Pain",
        "Stress",
        "Exercise done",
    )
    assert short.day_ticks[0] == "Thu\n12 Nov"
    assert short.day_ticks[1:3] == ("Fri\n13", "Sat\n14")
    assert short.day_ticks[-1] == "Wed\n25"
    long = chart_labels(chart_series(TODAY, [], [], days=28), T, "en")
    assert long.title == "Last 28 days"
    assert len(long.day_ticks) == 28
    assert long.day_ticks[-1] == "Wed\n25"
    assert long.day_ticks[0] == ""  # every other day, counted back from today
    assert long.day_ticks[1] == "Fri\n30 Oct"
    assert long.day_ticks[3] == "Sun\n1 Nov"  # the month changes
    assert sum(1 for tick in long.day_ticks if tick) == 14
    dutch = chart_labels(chart_series(TODAY, [], [], days=14), T, "nl")
    assert dutch.day_ticks[0] == "do\n12 nov"


# --- /history and CSV -----------------------------------------------------------------


def test_history_lines_newest_first() -> None:
    checkins = [
        DayRow(day(-1), 4, 6, "good", "a little"),
        DayRow(day(0), 3, 5, "soso", "no"),
        DayRow(day(-5), 7, 8),
        DayRow(day(-29), 1, 1, "bad", "yes"),
        DayRow(day(-30), 9, 9),  # outside the 30 days
        DayRow(day(1), 9, 9),  # after today
    ]
    assert history_lines(checkins, TODAY, T) == [
        "Wed 25 Nov · pain 3 · stress 5 · sleep so-so · moved no",
        "Tue 24 Nov · pain 4 · stress 6 · sleep good · moved a little",
        "Fri 20 Nov · pain 7 · stress 8",
        "Tue 27 Oct · pain 1 · stress 1 · sleep bad · moved yes",
    ]
    assert history_lines(checkins, TODAY, T, days=2) == history_lines(checkins, TODAY, T)[:2]
    assert history_lines([], TODAY, T) == []


def test_csv_round_trip() -> None:
    note = 'Long drive, then "stiff"\nbetter after a walk'
    checkins = [
        DayRow(day(0), 3, 5, "good", "yes", note),
        DayRow(day(-2), 6, 7, None, None, None),
        DayRow(day(-1), 4, 4, "soso", "little", "ok"),
    ]
    text = checkins_csv(checkins, T)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == [T(f"summary.csv_header.{column}") for column in CSV_HEADER]
    assert parsed[0] == ["day", "pain", "stress", "sleep", "moved", "note"]
    assert parsed[1:] == [
        [day(-2).isoformat(), "6", "7", "", "", ""],
        [day(-1).isoformat(), "4", "4", "so-so", "a little", "ok"],
        [day(0).isoformat(), "3", "5", "good", "yes", note],
    ]
    assert checkins_csv([], T).splitlines() == [",".join(parsed[0])]


@pytest.mark.parametrize("language", ["nl", "fr", "de"])
def test_csv_speaks_the_users_language_with_its_list_separator(language: str) -> None:
    """Belgian (and French, German) spreadsheets split on ';', because ',' is their
    decimal mark; headers and words come from the catalogue."""
    t = CATALOGUE.translator(language)
    text = checkins_csv([DayRow(day(0), 3, 5, "soso", "little", "a; b")], t)
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert parsed[0] == [t(f"summary.csv_header.{column}") for column in CSV_HEADER]
    assert parsed[0] != [CATALOGUE.translator("en")(f"summary.csv_header.{c}") for c in CSV_HEADER]
    assert parsed[1] == [
        day(0).isoformat(),
        "3",
        "5",
        t("summary.sleep_words.soso"),
        t("summary.moved_words.little"),
        "a; b",
    ]


@pytest.mark.parametrize("note", ['=HYPERLINK("http://x.example","click")', "+1", "-2", "@SUM(A1)"])
def test_csv_notes_never_run_as_spreadsheet_formulas(note: str) -> None:
    parsed = list(
        csv.reader(io.StringIO(checkins_csv([DayRow(day(0), 3, 5, None, None, note)], T)))
    )
    assert parsed[1][-1] == f"'{note}"


# --- advice that follows what happened to the reminders (issue 14, item 6) -------------


def pushes(actions: Sequence[str | None], kind: str = "movement") -> list[ReminderActionRow]:
    """Reminders spread over this week's seven days, with what was pressed on each."""
    return [ReminderActionRow(day(-(i % 7)), kind, action) for i, action in enumerate(actions)]


IGNORED_WEEK = pushes([None] * 13, "pain") + pushes([None] * 2, "stress")


@pytest.mark.parametrize(
    ("checkins", "reminders", "spaced", "suggestion"),
    [
        # The user: checks in every day, ignores every push. It used to be
        # "keep going as you are".
        (full_week(STEADY, CALM), IGNORED_WEEK, False, "reminders_ignored"),
        (full_week(STEADY, CALM), IGNORED_WEEK, True, "reminders_spaced"),
        # 4 of 5 unanswered is most; 3 of 5 is not.
        (full_week(STEADY, CALM), pushes([None] * 8 + ["done"] * 2), False, "reminders_ignored"),
        (full_week(STEADY, CALM), pushes([None] * 6 + ["skip"] * 4), False, KEEP_GOING),
        # Skip and snooze are answers too.
        (full_week(STEADY, CALM), pushes(["skip", "snooze15"] * 4), False, KEEP_GOING),
        # Too few reminders to say anything about them.
        (full_week(STEADY, CALM), pushes([None] * 6), True, KEEP_GOING),
        # Pain first: pacing stays the first advice.
        (
            full_week([3] * 7, CALM, offset=-7) + full_week([5] * 7, CALM),
            IGNORED_WEEK,
            True,
            PACING,
        ),
        # Few check-ins and every reminder ignored: the reminders, not "set one up".
        (full_week(STEADY, CALM)[:2], IGNORED_WEEK, False, "reminders_ignored"),
    ],
)
def test_the_advice_follows_what_happened_to_the_reminders(
    checkins: list[DayRow], reminders: list[ReminderActionRow], spaced: bool, suggestion: str
) -> None:
    result = compute_summary(TODAY, checkins, [], reminders, None, reminders_spaced=spaced)
    assert result.suggestion == suggestion
    assert suggestion in SUGGESTIONS


def test_the_store_rows_become_local_days_and_only_nudges_count_as_reminders() -> None:
    # 23:30 UTC on the 24th is 00:30 on the 25th in Brussels: the user's day counts.
    late = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    rows = SummaryRows(
        checkins=(DayRow(TODAY, 3, 4),),
        exercises=(
            ExerciseLogRow(late, "breathing", True, None),
            ExerciseLogRow(late, "own_activity", True, 30),
            ExerciseLogRow(late, "walking", False, 12),
        ),
        pushes=(
            PushRow(late, "movement", "done", DeliveryStatus.SENT),
            PushRow(late, "posture", None, DeliveryStatus.AMBIGUOUS),
            PushRow(late, "summary", None, DeliveryStatus.SENT),
            PushRow(late, "doctor_followup", None, DeliveryStatus.SENT),
            PushRow(late, "checkin", None, DeliveryStatus.CAPPED),
            PushRow(late, "stress", None, DeliveryStatus.SPACED),
        ),
        latest_test=SelfCheckRow.of(late, {"pain_now": 5}),
        reminders_on=frozenset({"checkin"}),
        began_at=late,
    )
    kinds = {"breathing": "stress", "own_activity": OWN_ACTIVITY_KIND, "walking": "movement"}
    inputs = inputs_from(rows, TODAY, "Europe/Brussels", kinds)
    assert inputs.checkins == [DayRow(TODAY, 3, 4)]
    assert inputs.exercises == [
        ExerciseRow(TODAY, "breathing", "stress", True, None),
        ExerciseRow(TODAY, "own_activity", OWN_ACTIVITY_KIND, True, 30),
        ExerciseRow(TODAY, "walking", "movement", False, None),  # minutes: told ones only
    ]
    assert inputs.actions == [
        ReminderActionRow(TODAY, "movement", "done"),
        ReminderActionRow(TODAY, "posture", None),
    ]
    assert inputs.reminders_spaced and inputs.checkin_reminder_on
    assert inputs.latest_test == TestInfo(TODAY, "low", 5)
    assert inputs.first_day == TODAY
    in_utc = inputs_from(rows, TODAY, "UTC", kinds)
    assert in_utc.first_day == TODAY - timedelta(days=1)
    assert {row.local_day for row in in_utc.exercises} == {TODAY - timedelta(days=1)}


def test_the_weekly_push_sees_its_own_nudge_of_the_fortnight() -> None:
    nudge = datetime(2026, 11, 15, 18, 0, tzinfo=UTC)
    rows = SummaryRows(
        (), (), (PushRow(nudge, "summary", None, DeliveryStatus.NUDGE),), None, frozenset(), nudge
    )
    inputs = inputs_from(rows, TODAY, "UTC", {})
    assert not inputs.has_data_this_week
    assert inputs.nudged_between(nudge - timedelta(days=1), nudge + timedelta(days=1))
    assert not inputs.nudged_between(nudge, nudge + timedelta(days=14))  # strictly after
    sent = replace(rows, pushes=(PushRow(nudge, "summary", None, DeliveryStatus.SENT),))
    assert not inputs_from(sent, TODAY, "UTC", {}).nudged_between(
        nudge - timedelta(days=1), nudge + timedelta(days=1)
    )
