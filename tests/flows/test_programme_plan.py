"""plan_today's adapting rules, table by table: the pain zones at their edges, the
level rules, flare-ups from start to restart, and the red-flag review."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.programme import flare
from flows.programme.lessons import mark_read
from flows.programme.levels import added, after_block, in_day_order
from flows.programme.plan import DayPlan
from flows.programme.records import Feedback, SessionRecord
from flows.programme.state import ProgrammeState
from flows.rows import DayRow
from tests.support.programme_fixtures import LIBRARY, day, new_state, pains, plan, row, session

TODAY = 10  # week 2, day 4: the walking baseline is settled, the 7 days before are full


def history(values: list[int]) -> list[DayRow]:
    """Check-ins on the days just before TODAY, the last value yesterday."""
    return pains(TODAY - len(values), values)


# -- zones: green, amber, red at their edges -------------------------------------------

ZONES = [
    # (pains of the days before, today's pain, zone)
    ([2] * 7, 2, "green"),  # at the median
    ([2] * 7, 3, "green"),  # exactly median + 1
    ([2] * 7, 4, "amber"),  # exactly median + 2
    ([2] * 7, 5, "amber"),  # exactly median + 3
    ([2] * 7, 6, "red"),  # exactly median + 4
    ([0] * 7, 4, "red"),  # + 4 from zero
    ([6] * 7, 7, "red"),  # a score of 7 is red even at median + 1
    ([6] * 7, 6, "green"),  # high but usual
    ([3] * 7, 0, "green"),  # below the median
    ([1, 1, 1, 5, 5, 5, 5], 6, "green"),  # the median (5), not the mean (3.3)
    ([2, 2, 3, 3], 3, "green"),  # median 2.5: + 0.5
    ([2, 2, 3, 3], 4, "amber"),  # + 1.5 is past green
    ([2, 2, 3, 3], 6, "amber"),  # + 3.5 is short of red
    ([2, 2], 6, "green"),  # two days give no median: only 7+ is red
    ([2, 2], 7, "red"),
    ([], 9, "red"),
]


@pytest.mark.parametrize(("before", "pain", "zone"), ZONES)
def test_zone_against_the_own_median(before: list[int], pain: int, zone: str) -> None:
    state = new_state(walk_baseline=20)
    result = plan(state, [*history(before), row(TODAY, pain)], TODAY)
    assert result.zone == zone
    assert zone in result.flags
    assert ("flare" in result.flags) == (zone == "red")
    assert ("flare_started" in result.events) == (zone == "red")


def test_green_amber_red_days_differ_as_the_rules_say() -> None:
    state = new_state(walk_baseline=20)  # week 2 quota: 70% of 20 = 14 minutes
    green = plan(state, [*history([2] * 7), row(TODAY, 3)], TODAY)
    amber = plan(state, [*history([2] * 7), row(TODAY, 4)], TODAY)
    red = plan(state, [*history([2] * 7), row(TODAY, 6)], TODAY)
    assert green.activity is not None and green.activity.minutes == 14
    assert amber.activity is not None and amber.activity.minutes == 11  # 25% less, half up
    assert 5 <= minutes(green) <= 8
    assert 4 <= minutes(amber) <= 6
    assert red.parts == ("reassurance", "lesson", "exercises", "skill", "activity")
    assert minutes(red) <= 5
    assert all(LIBRARY[ex].category in ("movement", "mobility") for ex in red.exercises)
    assert all(LIBRARY[ex].level == 1 for ex in red.exercises)
    assert red.activity is not None and red.activity.short_walks
    assert red.activity.minutes == 5
    assert red.state.flare is not None and red.state.flare.reference == 2.0


def minutes(result: DayPlan) -> int:
    return sum(LIBRARY[ex].minutes for ex in result.exercises)


# -- levels ------------------------------------------------------------------------------

LEVEL_RULES = [
    # (level, changed on day, sessions (day, level, feedback), today's pain, new level)
    (1, None, [(7, 1, "fine"), (8, 1, "fine"), (9, 1, "fine")], 2, 2),
    (1, None, [(7, 1, "fine"), (8, 1, "too_easy"), (9, 1, "fine")], 3, 2),
    (1, None, [(8, 1, "fine"), (9, 1, "fine")], 2, 1),  # only two
    (1, None, [(7, 1, "fine"), (8, 1, "fine"), (9, 1, "fine")], 4, 1),  # amber holds
    (1, None, [(7, 1, "fine"), (8, 1, "fine"), (9, 1, "fine")], None, 1),  # no check-in yet
    (1, None, [(6, 1, "fine"), (7, 1, "fine"), (8, 1, "fine"), (9, 1, "too_hard")], 2, 1),
    (2, 5, [(7, 2, "fine"), (8, 2, "fine"), (9, 2, "fine")], 2, 2),  # changed 5 days ago
    (2, 3, [(7, 2, "fine"), (8, 2, "fine"), (9, 2, "fine")], 2, 3),  # changed 7 days ago
    (3, None, [(7, 3, "fine"), (8, 3, "fine"), (9, 3, "fine")], 2, 3),  # the top level
    (1, None, [(0, 1, "fine"), (1, 1, "fine"), (2, 1, "fine")], 2, 1),  # over a week ago
    (2, 1, [(2, 1, "fine"), (8, 2, "fine"), (9, 2, "fine")], 2, 2),  # one at another level
    (2, None, [(8, 2, "too_hard"), (9, 2, "too_hard")], 2, 1),  # too hard twice
    (2, None, [(8, 2, "too_hard"), (9, 2, "too_hard")], 5, 1),  # on an amber day too
    (2, None, [(7, 2, "too_hard"), (8, 2, "fine"), (9, 2, "too_hard")], 2, 2),  # not in a row
    (2, None, [(7, 2, "too_hard"), (8, 2, None), (9, 2, "too_hard")], 2, 1),  # unrated between
    (1, None, [(8, 1, "too_hard"), (9, 1, "too_hard")], 2, 1),  # level 1 is the floor
    (2, 8, [(7, 3, "too_hard"), (9, 2, "too_hard")], 2, 2),  # one before the last change
]


@pytest.mark.parametrize(("level", "changed", "done", "pain", "expected"), LEVEL_RULES)
def test_level_rules(
    level: int,
    changed: int | None,
    done: list[tuple[int, int, Feedback | None]],
    pain: int | None,
    expected: int,
) -> None:
    state = new_state(level=level, level_changed_on=None if changed is None else day(changed))
    checkins = history([2] * 7) + ([row(TODAY, pain)] if pain is not None else [])
    sessions = [session(n, lvl, feedback) for n, lvl, feedback in done]
    result = plan(state, checkins, TODAY, sessions)
    assert result.state.level == expected
    assert result.level == expected
    assert ("level_up" in result.events) == (expected > level)
    assert ("level_down" in result.events) == (expected < level)
    if expected != level:
        assert result.state.level_changed_on == day(TODAY)
    assert all(LIBRARY[ex].level <= expected for ex in result.exercises)
    again = plan(result.state, checkins, TODAY, sessions)
    assert again.state == result.state  # the same day planned twice moves nothing twice


def test_after_block_drops_at_once_after_the_second_too_hard() -> None:
    state = new_state(level=3)
    sessions = [session(8, 3, "too_hard")]
    assert after_block(state, sessions, day(8)) == state
    sessions.append(session(9, 3, "too_hard"))
    dropped = after_block(state, sessions, day(9))
    assert (dropped.level, dropped.level_changed_on) == (2, day(9))
    assert after_block(dropped, sessions, day(9)) == dropped  # counted once


def test_up_block_uses_the_new_level() -> None:
    sessions = [session(n, 1, "fine") for n in (7, 8, 9)]
    result = plan(new_state(), [*history([2] * 7), row(TODAY, 2)], TODAY, sessions)
    assert any(LIBRARY[ex].level == 2 for ex in result.exercises)


# -- flare-ups -------------------------------------------------------------------------


def spans(state: ProgrammeState) -> list[tuple[date, date | None]]:
    return [(past.started_on, past.ended_on) for past in state.flares]


def flare_started(level: int = 2) -> tuple[ProgrammeState, list[DayRow]]:
    """A flare-up opened on TODAY against a usual pain of 2."""
    checkins = [*history([2] * 7), row(TODAY, 8)]
    result = plan(new_state(level=level), checkins, TODAY)
    assert result.state.flare is not None
    return result.state, checkins


@pytest.mark.parametrize(
    ("pains_after", "open_on_last"),
    [
        ([6], True),  # + 4 against the usual pain: still red
        ([None], True),  # no check-in yet: stay gentle
        ([7, None, 8], True),
        ([5], False),  # + 3 (amber) is no longer red: it ends
        ([3], False),
        ([6, 6, 2], False),
    ],
)
def test_flare_continues_while_red_and_ends_on_the_first_day_that_is_not(
    pains_after: list[int | None], open_on_last: bool
) -> None:
    state, checkins = flare_started(level=2)
    result: DayPlan | None = None
    for offset, pain in enumerate(pains_after, start=1):
        if pain is not None:
            checkins.append(row(TODAY + offset, pain))
        result = plan(state, checkins, TODAY + offset)
        state = result.state
    assert result is not None
    last = TODAY + len(pains_after)
    assert ("flare" in result.flags) == open_on_last
    if open_on_last:
        assert result.state.level == 2 and "reassurance" in result.parts
    else:
        assert spans(result.state) == [(day(TODAY), day(last - 1))]
        assert result.state.level == 1  # restarts one level lower
        assert result.events == frozenset({"flare_ended", "level_down"})
        assert "reassurance" not in result.parts


@pytest.mark.parametrize(("level", "after"), [(3, 2), (2, 1), (1, 1)])
def test_flare_restarts_one_level_lower(level: int, after: int) -> None:
    state, checkins = flare_started(level=level)
    checkins.append(row(TODAY + 1, 2))
    result = plan(state, checkins, TODAY + 1)
    assert (result.state.level, result.state.level_changed_on) == (after, day(TODAY + 1))


def test_flare_mode_lasts_at_most_seven_days() -> None:
    state, checkins = flare_started(level=3)
    for n in range(TODAY + 1, TODAY + 7):  # days 2-7 of the flare-up, all red
        checkins.append(row(n, 8))
        state = plan(state, checkins, n).state
        assert state.flare is not None and state.level == 3
    timed_out = plan(state, checkins, TODAY + 7)  # day 8, no check-in yet
    assert timed_out.state.flare is None and "flare" not in timed_out.flags
    assert spans(timed_out.state) == [(day(TODAY), day(TODAY + 6))]
    assert timed_out.state.level == 2
    checkins.append(row(TODAY + 7, 8))  # still red: a new mode in the same episode
    again = plan(timed_out.state, checkins, TODAY + 7)
    assert again.state.flare is not None
    assert again.state.flare.episode_start == day(TODAY)
    assert again.state.flare.reference == 2.0  # the usual pain from before the episode
    assert again.state.flare.level_before == 2
    assert flare.entries(again.state) == 2


def test_flare_timed_out_and_red_on_the_same_day() -> None:
    state, checkins = flare_started(level=3)
    checkins += [row(n, 8) for n in range(TODAY + 1, TODAY + 8)]
    for n in range(TODAY + 1, TODAY + 8):
        state = plan(state, checkins, n).state
    assert state.flare is not None and state.flare.started_on == day(TODAY + 7)
    assert state.level == 2


def test_flare_undone_when_the_days_check_in_is_corrected() -> None:
    state, checkins = flare_started(level=2)
    corrected = [*checkins[:-1], row(TODAY, 2)]
    result = plan(state, corrected, TODAY)
    assert result.state.flare is None and result.state.flares == ()
    assert result.state.level == 2 and result.state.level_changed_on is None


def test_no_step_up_in_the_week_after_a_flare() -> None:
    state, checkins = flare_started(level=2)
    checkins.append(row(TODAY + 1, 2))
    state = plan(state, checkins, TODAY + 1).state  # ends, level 1
    sessions = [session(n, 1, "fine") for n in range(TODAY + 1, TODAY + 7)]
    for n in range(TODAY + 2, TODAY + 8):
        checkins.append(row(n, 2))
        state = plan(state, checkins, n, sessions).state
        assert state.level == 1, n
    checkins.append(row(TODAY + 8, 2))
    assert plan(state, checkins, TODAY + 8, sessions).state.level == 2


# -- the red-flag review ----------------------------------------------------------------


def test_long_flare_episode_brings_the_review_once_after_14_days() -> None:
    state, checkins = flare_started()
    reviewed = []
    for n in range(TODAY + 1, TODAY + 20):
        checkins.append(row(n, 8))
        result = plan(state, checkins, n)
        if "review" in result.flags:
            reviewed.append(n - TODAY + 1)  # the day of the episode
            assert "review" in plan(result.state, checkins, n).flags  # all that day
            assert result.parts.index("review") < result.parts.index("exercises")
        state = result.state
    assert reviewed == [15]  # "longer than 14 days"


def test_new_symptoms_bring_the_review_on_any_day() -> None:
    state = new_state()
    checkins = [*history([2] * 7), row(TODAY, 2)]
    result = plan(state, checkins, TODAY, new_symptoms=True)
    assert "review" in result.flags and "review" in result.parts
    assert "review" in plan(result.state, checkins, TODAY).flags  # the same day
    checkins.append(row(TODAY + 1, 2))
    assert "review" not in plan(result.state, checkins, TODAY + 1).flags


def test_a_review_for_new_symptoms_does_not_cancel_the_long_flare_one() -> None:
    state, checkins = flare_started()
    for n in range(TODAY + 1, TODAY + 15):
        checkins.append(row(n, 8))
        state = plan(state, checkins, n, new_symptoms=n == TODAY + 3).state
    assert state.last_review_on == day(TODAY + 14)


# -- whatever happens: levels move by one, ups a week apart, a day planned twice is stable


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=42, max_size=42),
    st.lists(st.sampled_from(["too_easy", "fine", "fine", "too_hard", None]), min_size=42),
)
def test_levels_move_by_the_rules_whatever_the_days(
    day_pains: list[int], feedbacks: list[Feedback | None]
) -> None:
    state = new_state()
    checkins: list[DayRow] = []
    sessions: list[SessionRecord] = []
    ups: list[int] = []
    for n, (pain, feedback) in enumerate(zip(day_pains, feedbacks, strict=False)):
        checkins.append(row(n, pain))
        result = plan(state, checkins, n, sessions)
        assert plan(result.state, checkins, n, sessions).state == result.state
        assert abs(result.state.level - state.level) <= 1
        if "level_up" in result.events:
            assert result.zone == "green"
            ups.append(n)
        state = result.state
        if result.lesson is not None:
            state = mark_read(state, result.lesson.lesson_id, day(n))
        if result.exercises:
            sessions.append(session(n, result.level, feedback))
            state = after_block(state, sessions, day(n))
    assert all(later - earlier >= 7 for earlier, later in pairwise(ups))


@given(st.lists(st.integers(0, 30), max_size=12), st.integers(0, 30))
def test_a_session_added_keeps_the_day_order_a_sort_gives(days: list[int], new: int) -> None:
    ordered = in_day_order(SessionRecord(day(n), 1, walk_minutes=i) for i, n in enumerate(days))
    record = SessionRecord(day(new), 2)
    assert added(ordered, record) == in_day_order((*ordered, record))
