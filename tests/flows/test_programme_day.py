"""What a planned day holds: the check-in, the lesson (never repeated), the exercise
block and its rotation, the skill, the walking goal, the label, pauses and maintenance."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows import programme_day as pd
from flows.exercises.library import load_library
from flows.i18n import default_catalogue
from flows.programme.activity import quota
from flows.programme.calendar import is_paused, position, week_dates
from flows.programme.content import ProgrammeContent
from flows.programme.lessons import THEMES, check_book, mark_read
from flows.programme.library import ExerciseSpec
from flows.programme.plan import DayPlan, is_done, remaining
from flows.programme.records import Shown, Span, Track
from flows.programme.state import ProgrammeState
from flows.programme.tracks import PROFILES
from flows.rows import DayRow
from tests.support.programme_fixtures import (
    BOOK,
    LIBRARY,
    RELAXATION_SKILLS,
    START,
    STRESS_SKILLS,
    THEME_OF,
    day,
    new_state,
    pains,
    plan,
    row,
    session,
)

WEEK2_DAY4 = 10  # a skill day of the full track (days 2, 4, 6)
WEEK2_DAY5 = 11  # not a skill day


def calm_week(until: int) -> list[DayRow]:
    """A week of usual pain 2 before day ``until``."""
    return pains(until - 7, [2] * 7)


# -- the check-in part -------------------------------------------------------------------


def test_checkin_part_only_while_todays_is_missing() -> None:
    state = new_state(walk_baseline=10)
    before = plan(state, calm_week(WEEK2_DAY4), WEEK2_DAY4)
    after = plan(state, [*calm_week(WEEK2_DAY4), row(WEEK2_DAY4, 2)], WEEK2_DAY4)
    assert before.parts[0] == "checkin" and before.zone is None
    assert "checkin" not in after.parts and after.zone == "green"


# -- skills ----------------------------------------------------------------------------

SKILLS = [
    # (track, day, today's stress, skill kind or None, stress_skill flag)
    ("full", WEEK2_DAY5, 7, "stress", True),  # exactly 7: a stress skill on any day
    ("full", WEEK2_DAY5, 10, "stress", True),
    ("full", WEEK2_DAY5, 6, None, False),  # 6 on a day without a skill: none
    ("full", WEEK2_DAY4, 6, "relaxation", False),  # the track's skill day
    ("full", WEEK2_DAY4, 8, "stress", True),  # stress wins over relaxation
    ("light", WEEK2_DAY4, 3, None, False),  # light: days 3 and 6 only
    ("light", WEEK2_DAY4, 9, "stress", True),
    ("full_psych", WEEK2_DAY5, 2, "relaxation", False),  # high risk: every day
]


@pytest.mark.parametrize(("track", "n", "stress", "kind", "flagged"), SKILLS)
def test_skill_of_the_day(
    track: Track, n: int, stress: int, kind: str | None, flagged: bool
) -> None:
    result = plan(new_state(track), [*calm_week(n), row(n, 2, stress=stress)], n)
    if kind is None:
        assert result.skill is None and "skill" not in result.parts
    else:
        assert result.skill is not None and result.skill.kind == kind
        pool = STRESS_SKILLS if kind == "stress" else RELAXATION_SKILLS
        assert result.skill.exercise_id in pool
        assert 2 <= LIBRARY[result.skill.exercise_id].minutes <= 4
    assert ("stress_skill" in result.flags) == flagged


def test_flare_day_has_a_stress_skill_when_stressed_and_relaxation_otherwise() -> None:
    calm = plan(new_state(), [*calm_week(WEEK2_DAY5), row(WEEK2_DAY5, 8, stress=3)], WEEK2_DAY5)
    tense = plan(new_state(), [*calm_week(WEEK2_DAY5), row(WEEK2_DAY5, 8, stress=7)], WEEK2_DAY5)
    assert calm.skill is not None and calm.skill.kind == "relaxation"
    assert tense.skill is not None and tense.skill.kind == "stress"


def test_skill_falls_back_to_the_other_kind_when_none_is_short() -> None:
    only_breathing = {k: v for k, v in LIBRARY.items() if v.category != "relaxation"}
    result = plan(new_state("full_psych"), [row(3, 2)], 3, library=only_breathing)
    assert result.skill is not None and result.skill.kind == "stress"
    assert "stress_skill" not in result.flags  # not a stressful day, just what there was


# -- the sleep card ----------------------------------------------------------------------


def sleep_nights(n: int, bad: set[int]) -> list[DayRow]:
    return [row(d, 2, sleep="bad" if d in bad else "good") for d in range(n - 9, n + 1)]


@pytest.mark.parametrize(
    ("bad", "card"),
    [
        ({8, 9, 10}, True),  # three poor nights this week, last night among them
        ({4, 6, 9}, True),  # the 7 days up to today include day 4
        ({6, 9}, False),  # two are not enough
        ({2, 3, 10}, False),  # days 2 and 3 are more than a week ago
    ],
)
def test_sleep_card_after_three_poor_nights(bad: set[int], card: bool) -> None:
    result = plan(new_state(), sleep_nights(10, bad), 10)
    assert result.lesson is not None
    assert ("sleep_card" in result.flags) == card
    assert (THEME_OF[result.lesson.lesson_id] == "sleep") == card


def test_sleep_card_at_most_once_a_week() -> None:
    read = new_state(lessons=(Shown("sleep_1", day(7)),))
    again = plan(read, sleep_nights(10, {8, 9, 10}), 10)
    assert again.lesson is not None and THEME_OF[again.lesson.lesson_id] != "sleep"
    later = new_state(lessons=(Shown("sleep_1", day(3)),))
    assert plan(later, sleep_nights(10, {8, 9, 10}), 10).lesson == replace(
        again.lesson, lesson_id="sleep_2", sleep_card=True
    )


# -- lessons -----------------------------------------------------------------------------


def lesson_of(result: DayPlan) -> str | None:
    return None if result.lesson is None else result.lesson.lesson_id


def read_all(state_theme: str) -> tuple[Shown, ...]:
    return tuple(Shown(lesson, day(0)) for lesson in BOOK[state_theme])


def test_lessons_follow_the_week_theme_and_catch_up_but_never_read_ahead() -> None:
    assert lesson_of(plan(new_state(), [], 0)) == "hurt_not_harm_1"
    week1_done = new_state(lessons=read_all("hurt_not_harm"))
    assert plan(week1_done, [], 6).lesson is None  # week 2's theme waits for week 2
    assert "lesson" not in plan(week1_done, [], 6).parts
    four_read = tuple(Shown(f"alarm_and_stress_{n}", day(8)) for n in range(1, 5))
    walked = tuple(Shown(f"walking_{n}", day(15)) for n in range(1, 6))
    catching_up = new_state(lessons=(*read_all("hurt_not_harm"), *four_read, *walked))
    assert lesson_of(plan(catching_up, [], 16)) == "alarm_and_stress_5"


def test_a_lesson_read_today_stays_todays_and_is_not_offered_again() -> None:
    first = plan(new_state(), [], 0)
    assert first.lesson is not None
    state = mark_read(first.state, first.lesson.lesson_id, day(0))
    assert mark_read(state, first.lesson.lesson_id, day(0)) == state
    same_day = plan(state, [], 0)
    assert same_day.lesson == replace(first.lesson, done=True)
    assert "lesson" not in remaining(same_day, None)
    assert lesson_of(plan(state, [], 1)) == "hurt_not_harm_2"


def test_flare_day_brings_the_flare_plan_lessons_first() -> None:
    result = plan(new_state(), [row(3, 9)], 3)
    assert result.lesson is not None and THEME_OF[result.lesson.lesson_id] == "flare_plan"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 10), min_size=112, max_size=112),
    st.lists(st.sampled_from(["good", "soso", "bad"]), min_size=112, max_size=112),
    st.lists(st.booleans(), min_size=112, max_size=112),
)
def test_no_lesson_is_repeated_in_twelve_weeks_and_maintenance(
    day_pains: list[int], nights: list[str], opened: list[bool]
) -> None:
    state, checkins, shown = new_state(), [], []
    for n in range(112):
        checkins.append(row(n, day_pains[n], sleep=nights[n]))
        result = plan(state, checkins, n)
        state = result.state
        lesson = result.lesson
        if lesson is not None and not lesson.done and opened[n]:
            assert lesson.lesson_id not in shown
            theme = THEMES.index(THEME_OF[lesson.lesson_id])
            week = position(state, day(n)).week
            assert theme < week or lesson.sleep_card or "flare" in result.flags
            shown.append(lesson.lesson_id)
            state = mark_read(state, lesson.lesson_id, day(n))
    assert len(shown) == len(set(shown))


def test_the_book_needs_every_theme_with_five_lessons() -> None:
    check_book(BOOK)
    with pytest.raises(ValueError, match="themes without lessons: sleep"):
        check_book({k: v for k, v in BOOK.items() if k != "sleep"})
    with pytest.raises(ValueError, match="needs 5 lessons"):
        check_book({**BOOK, "sleep": BOOK["sleep"][:4]})
    with pytest.raises(ValueError, match="repeats"):
        check_book({**BOOK, "sleep": [*BOOK["sleep"][:4], "walking_1"]})


# -- the exercise block -----------------------------------------------------------------


@pytest.mark.parametrize("track", ["light", "full", "full_psych"])
@pytest.mark.parametrize("level", [1, 2, 3])
@pytest.mark.parametrize("pain", [2, 4])
def test_block_size_and_level(track: Track, level: int, pain: int) -> None:
    profile = PROFILES[track]
    low, high = profile.block_minutes
    if pain == 4:  # amber: about 25% less
        low, high = round(low * 0.75 + 0.01), round(high * 0.75 + 0.01)
    for n in range(14, 28):
        checkins = [*pains(n - 7, [2] * 7), row(n, pain)]
        result = plan(new_state(track, level=level), checkins, n)
        ids = result.exercises
        assert profile.block_exercises[0] <= len(ids) <= profile.block_exercises[1]
        assert low <= sum(LIBRARY[ex].minutes for ex in ids) <= high
        assert all(LIBRARY[ex].level <= level for ex in ids)
        assert any(LIBRARY[ex].level == level for ex in ids)
        assert all(LIBRARY[ex].category in ("movement", "mobility", "strength") for ex in ids)


def test_exercises_rotate_within_the_level() -> None:
    blocks = [plan(new_state(level=2), [row(n, 2)], n).exercises for n in range(7, 13)]
    assert all(a != b for a, b in pairwise(blocks))
    used = Counter(ex for block in blocks for ex in block if LIBRARY[ex].level == 2)
    assert set(used) == {"mob_c", "str_a", "str_b"}


def test_block_from_the_real_library() -> None:
    real = load_library(default_catalogue().translator("en"))
    specs = {ex.id: ExerciseSpec(ex.category, ex.duration_min, 1) for ex in real.values()}
    for n in range(14):
        result = plan(new_state(), [row(n, 2, stress=8)], n, library=specs)
        assert 2 <= len(result.exercises) <= 4
        assert 5 <= sum(specs[ex].minutes for ex in result.exercises) <= 8
        assert result.skill is not None and result.skill.exercise_id == "long_exhale"


# -- walking -------------------------------------------------------------------------------


def test_walking_starts_at_70_percent_of_week_one_and_rises_10_percent_a_week() -> None:
    week_one = [session(n, walk=w) for n, w in ((1, 10), (3, 20), (5, 30))]
    first = plan(new_state(), [row(2, 2)], 2, week_one)
    assert first.activity is not None and first.activity.baseline_week
    assert first.activity.minutes is None and "baseline_week" in first.flags
    week2 = plan(new_state(), [row(7, 2)], 7, week_one)
    assert week2.state.walk_baseline == 20 and week2.activity is not None
    assert week2.activity.minutes == 14  # 70% of 20
    later = week2.state
    expected = {14: 15, 21: 17, 28: 19, 77: 36, 84: 36, 120: 36}  # +10% a week, then kept
    for n, minutes in expected.items():
        result = plan(later, [row(n, 2)], n, week_one)
        assert result.activity is not None and result.activity.minutes == minutes, n


def test_walking_baseline_without_data_and_the_hour_ceiling() -> None:
    assert plan(new_state(), [row(7, 2)], 7).state.walk_baseline == 10
    assert quota(10, 2) == 7
    assert quota(200, 12) == 60


# -- label, pause, maintenance, done ----------------------------------------------------


def test_label_counts_weeks_and_days_without_paused_days() -> None:
    assert (plan(new_state(), [], 15).label.key, plan(new_state(), [], 15).label.fills()) == (
        "programme.label.day",
        {"week": 3, "day": 2},
    )
    paused = new_state(pauses=(Span(day(3), day(6)),))
    assert plan(paused, [], 19).label.fills() == {"week": 3, "day": 2}
    assert plan(new_state(), [], 84).label.key == "programme.label.maintenance"
    assert plan(new_state(), [], 91).label.fills() == {"week": 2}


def test_a_paused_day_plans_nothing_and_the_programme_picks_up_after() -> None:
    state = new_state(pause=Span(day(10), day(13)))
    for n in range(10, 14):
        result = plan(state, [row(n, 9)], n, new_symptoms=True)
        assert result.parts == () and result.flags == frozenset({"paused"})
        assert result.state == state  # no flare-up, no review while paused
    back = plan(state, [], 14)
    assert back.state.pause is None and back.state.pauses == (Span(day(10), day(13)),)
    assert back.label.fills() == {"week": 2, "day": 4}


def test_maintenance_is_one_session_and_one_checkin_a_week() -> None:
    state = new_state(walk_baseline=20)
    first = plan(state, [], 84)
    assert "maintenance" in first.flags and first.parts[0] == "checkin"
    assert "exercises" in first.parts
    done = [session(84, parts=("checkin", "exercises"))]
    rest = plan(state, [row(84, 2)], 85, done)
    assert rest.parts == () and "rest" in rest.flags and is_done(rest, None)
    no_checkin = plan(state, [], 86, done)
    assert no_checkin.parts == ("checkin",)
    next_week = plan(state, [row(84, 2)], 91, done)
    assert "exercises" in next_week.parts and "checkin" in next_week.parts


def test_done_once_the_block_is_done_and_remaining_lists_the_rest() -> None:
    result = plan(new_state(), [row(10, 2)], 10)
    assert not is_done(result, None)
    half = session(10, parts=("lesson",))
    assert not is_done(result, half)
    assert remaining(result, half) == tuple(p for p in result.parts if p != "lesson")
    assert is_done(result, session(10, parts=("exercises",)))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 120),
    st.lists(st.integers(0, 10), min_size=0, max_size=9),
    st.integers(1, 3),
    st.sampled_from(["light", "full", "full_psych"]),
)
def test_planning_a_day_twice_gives_the_same_plan(
    n: int, recent: list[int], level: int, track: Track
) -> None:
    checkins = pains(max(0, n - len(recent) + 1), recent) if recent else []
    first = plan(new_state(track, level=level), checkins, n)
    second = plan(first.state, checkins, n)
    assert replace(second, events=frozenset()) == replace(first, events=frozenset())
    assert second.events == frozenset()


def test_before_enrolment_is_a_bug() -> None:
    with pytest.raises(ValueError, match="before enrolment"):
        plan(new_state(), [], -1)


def test_a_flare_up_in_a_maintenance_week_already_done_still_gets_its_plan() -> None:
    done = [session(84, parts=("checkin", "exercises"))]
    result = plan(new_state(walk_baseline=20), [row(84, 2), row(85, 8)], 85, done)
    assert "flare" in result.flags and "rest" not in result.flags
    assert result.parts[0] == "reassurance" and "exercises" in result.parts


def _week_dates_by_walking(state: ProgrammeState, week: int, today: date) -> tuple[date, ...]:
    """The definition, day by day from enrolment: what the fast version must equal."""
    first_index = (week - 1) * 7
    found: list[date] = []
    index, day = 0, state.enrolled_on
    while day <= today and index < first_index + 7:
        if not is_paused(state, day):
            if index >= first_index:
                found.append(day)
            index += 1
        day += timedelta(days=1)
    return tuple(found)


@settings(max_examples=300, deadline=None)
@given(
    gaps=st.lists(st.tuples(st.integers(0, 20), st.integers(1, 14)), max_size=5),
    current=st.booleans(),
    week=st.integers(1, 20),
    offset=st.integers(0, 200),
)
def test_week_dates_match_the_day_by_day_definition_with_any_pauses(
    gaps: list[tuple[int, int]], current: bool, week: int, offset: int
) -> None:
    spans, start = [], START
    for gap, length in gaps:
        first = start + timedelta(days=gap)
        spans.append(Span(first, first + timedelta(days=length - 1)))
        start = first + timedelta(days=length)
    pause = spans.pop() if current and spans else None
    state = ProgrammeState(START, "full", time(18, 0), pause=pause, pauses=tuple(spans))
    today = START + timedelta(days=offset)
    assert week_dates(state, week, today) == _week_dates_by_walking(state, week, today)


# -- new symptoms: a caution opened since the last review brings the red flags back -------


def caution_day(n: int, raised: int | None, state: ProgrammeState) -> pd.Day:
    return pd.Day(
        day(n),
        state,
        left=False,
        sessions=(),
        checkins=tuple(calm_week(n)),
        risk="medium",
        caution_on=None if raised is None else day(raised),
    )


CONTENT = ProgrammeContent(LIBRARY, BOOK, (), (), (), ())


@pytest.mark.parametrize(
    ("raised", "last_review", "expected"),
    [
        (None, None, False),  # no caution
        (9, None, True),  # raised today, never reviewed
        (7, None, True),  # raised two days ago, still open and never reviewed
        (7, 8, False),  # reviewed after it was raised
        (9, 9, False),  # reviewed today already (the plan keeps the review all day)
        (9, 7, True),  # raised after the last review
        (-3, None, False),  # open from before enrolment: the caution itself advised
    ],
)
def test_new_symptoms_come_from_a_caution_raised_since_the_last_review(
    raised: int | None, last_review: int | None, expected: bool
) -> None:
    state = new_state(
        walk_baseline=10, last_review_on=None if last_review is None else day(last_review)
    )
    assert pd.new_symptoms(caution_day(9, raised, state)) is expected


def test_a_caution_brings_the_review_into_the_plan_once() -> None:
    state = new_state(walk_baseline=10)
    assert "review" not in pd.plan_of(caution_day(9, None, state), CONTENT).flags
    today = pd.plan_of(caution_day(9, 9, state), CONTENT)
    assert "review" in today.flags and "review" in today.parts
    assert today.state.last_review_on == day(9)
    again = pd.plan_of(caution_day(9, 9, today.state), CONTENT)
    assert "review" in again.flags  # the same plan however often today is opened
    tomorrow = pd.plan_of(caution_day(10, 9, today.state), CONTENT)
    assert "review" not in tomorrow.flags
