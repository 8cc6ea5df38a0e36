"""Keeping people going: the daily message and its one follow-up, spacing after ignored
messages, pauses, nudge wording without repeats, a better time after snoozes, the
weekly streak, weekly goals, and the track chosen at enrolment."""

from __future__ import annotations

from collections.abc import Collection
from datetime import time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.instruments import RISKS
from flows.programme import keeping_up as ku
from flows.programme.goals import choose_goal, goal_of_week, suggest_goals
from flows.programme.nudges import MIN_POOL, NO_REPEAT_DAYS, pick_nudge, record_nudge
from flows.programme.pause import pause, resume, settle
from flows.programme.records import Flare, Snooze, Span
from flows.programme.state import ProgrammeState
from flows.programme.streak import weekly_streak
from flows.programme.tracks import enrol, track_for
from tests.support.programme_fixtures import AT, START, day, new_state, session

# -- the daily message and its follow-up -------------------------------------------------


def run(state: ProgrammeState, days: range, done: Collection[int] = ()) -> dict[int, list[str]]:
    """Messages sent per day when the person answers none of them."""
    sent: dict[int, list[str]] = {}
    for n in days:
        today = day(n)
        daily = ku.decide_daily(state, today, n in done)
        if daily.kind is not None:
            state = ku.record_daily(state, today, daily)
            sent.setdefault(n, []).append(daily.kind + ("+ask" if daily.ask_time else ""))
        follow = ku.decide_follow_up(state, today, n in done)
        if follow.kind is not None:
            state = ku.record_follow_up(state, today)
            sent.setdefault(n, []).append(follow.kind)
    return sent


def test_ignored_messages_are_spaced_out_every_other_day_then_weekly() -> None:
    sent = run(new_state(), range(40))
    assert sorted(sent) == [0, 1, 2, 4, 6, 8, 15, 22, 29, 36]
    assert [n for n, kinds in sent.items() if "follow_up" in kinds] == [0, 1, 2]
    assert [n for n, kinds in sent.items() if "daily+ask" in kinds] == [4]  # asked once
    assert max(len(kinds) for kinds in sent.values()) == 2


@pytest.mark.parametrize(
    ("kwargs", "done", "reason"),
    [
        ({}, False, "send"),
        ({}, True, "done"),
        ({"pause": Span(day(9), day(12))}, False, "paused"),
    ],
)
def test_daily_message_only_while_todays_session_is_not_done(
    kwargs: dict[str, Any], done: bool, reason: str
) -> None:
    decision = ku.decide_daily(new_state(**kwargs), day(10), done)
    assert decision.reason == reason
    assert (decision.kind == "daily") == (reason == "send")


def test_one_daily_message_and_one_follow_up_a_day() -> None:
    state = new_state()
    assert ku.decide_follow_up(state, day(10), False).reason == "not_sent"
    decision = ku.decide_daily(state, day(10), False)
    state = ku.record_daily(state, day(10), decision)
    assert ku.decide_daily(state, day(10), False).reason == "already_sent"
    assert ku.decide_follow_up(state, day(10), True).reason == "done"
    assert ku.decide_follow_up(state, day(10), False).kind == "follow_up"
    state = ku.record_follow_up(state, day(10))
    assert ku.decide_follow_up(state, day(10), False).reason == "already_sent"


def test_no_follow_up_once_the_person_answered() -> None:
    state = ku.record_daily(new_state(), day(10), ku.Decision("daily", "send"))
    assert ku.decide_follow_up(ku.engaged(state), day(10), False).reason == "not_sent"


def test_answering_resets_the_spacing() -> None:
    state = new_state()
    for n in range(5):
        state = ku.record_daily(state, day(n), ku.decide_daily(state, day(n), False))
    assert ku.decide_daily(state, day(5), False).reason == "spaced"
    assert ku.decide_daily(ku.engaged(state), day(5), False).kind == "daily"


@pytest.mark.parametrize(
    ("at", "follow"),
    [
        (time(18, 0), time(21, 0)),
        (time(18, 1), None),
        (time(8, 30), time(11, 30)),
        (time(22), None),
    ],
)
def test_follow_up_three_hours_later_but_never_late(at: time, follow: time | None) -> None:
    assert ku.follow_up_time(at) == follow
    state = ku.record_daily(new_state(at=at), day(3), ku.Decision("daily", "send"))
    assert (ku.decide_follow_up(state, day(3), False).kind is None) == (follow is None)


def test_maintenance_gets_one_gentle_message_a_week() -> None:
    sent = run(new_state(), range(84, 105))
    assert sent == {84: ["weekly"], 91: ["weekly"], 98: ["weekly"]}
    assert run(new_state(), range(84, 98), done={84, 85, 86}) == {87: ["weekly"], 91: ["weekly"]}


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.integers(1, 14), st.sets(st.integers(0, 90)))
def test_paused_users_get_nothing(start: int, days: int, done: set[int]) -> None:
    state = pause(new_state(), day(start), days)
    sent = run(state, range(start, 91), done)
    assert not any(start <= n < start + days for n in sent)
    assert all(len(kinds) <= 2 for kinds in sent.values())
    if start + days not in done:
        assert start + days in sent  # back to the day's message at once


# -- pauses --------------------------------------------------------------------------------


def test_pause_bounds_and_resuming() -> None:
    for wrong in (0, 15, True):
        with pytest.raises(ValueError, match="days"):
            pause(new_state(), day(3), wrong)
    paused = pause(new_state(), day(3), 14)
    assert paused.pause == Span(day(3), day(16))
    assert resume(paused, day(3)).pause is None and resume(paused, day(3)).pauses == ()
    early = resume(paused, day(6))
    assert early.pause is None and early.pauses == (Span(day(3), day(5)),)
    assert settle(paused, day(16)) == paused
    assert settle(paused, day(17)).pauses == (Span(day(3), day(16)),)
    again = pause(paused, day(5), 2)
    assert again.pauses == (Span(day(3), day(4)),) and again.pause == Span(day(5), day(6))


# -- nudge wording --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(MIN_POOL, MIN_POOL + 12), st.lists(st.integers(0, 2), min_size=90))
def test_no_nudge_text_repeats_within_14_days(pool: int, per_day: list[int]) -> None:
    keys = [f"nudge_{n}" for n in range(pool)]
    state, sent = new_state(), []
    for n, count in enumerate(per_day[:90]):
        for _ in range(count):
            key = pick_nudge(keys, state, day(n))
            assert key is not None
            sent.append((n, key))
            state = record_nudge(state, key, day(n))
            window = timedelta(days=NO_REPEAT_DAYS)
            assert all(day(n) - shown.day < window for shown in state.nudges)
    last: dict[str, int] = {}
    for n, key in sent:
        assert n - last.get(key, -NO_REPEAT_DAYS) >= NO_REPEAT_DAYS, (key, n)
        last[key] = n


def test_nudges_pick_never_used_keys_first_and_none_when_all_are_recent() -> None:
    keys = ["a", "b", "c", "d"]
    state = record_nudge(record_nudge(new_state(), "a", day(0)), "b", day(5))
    assert pick_nudge(keys, state, day(13)) == "c"  # a (day 0) is still within 14 days
    assert pick_nudge(["a", "b"], state, day(13)) is None
    assert pick_nudge(["a", "b"], state, day(14)) == "a"  # 14 days later it is free
    state = record_nudge(record_nudge(state, "c", day(15)), "d", day(15))
    assert [shown.key for shown in state.nudges] == ["b", "c", "d"]  # a was dropped
    assert pick_nudge(keys, state, day(16)) == "a"
    state = record_nudge(state, "a", day(16))
    assert pick_nudge(keys, state, day(18)) is None
    assert pick_nudge(keys, state, day(19)) == "b"  # 14 days after day 5


# -- a better time after snoozes --------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "snoozes", "offered", "expected"),
    [
        (time(18), [(8, 30), (9, 30), (10, 30)], None, time(18, 30)),
        (time(18), [(8, 15), (9, 15), (10, 30)], None, time(18, 15)),
        (time(18), [(9, 20), (10, 20), (10, 20)], None, time(18, 30)),  # up to a quarter
        (time(18), [(9, 30), (10, 30)], None, None),  # two are not enough
        (time(18), [(2, 30), (9, 30), (10, 30)], None, None),  # one over a week ago
        (time(18), [(8, 30), (9, 30), (10, 30)], 1, None),  # offered 9 days ago
        (time(18), [(8, 30), (9, 30), (10, 30)], -4, time(18, 30)),  # 14 days ago
        (time(23, 30), [(8, 60), (9, 60), (10, 60)], None, time(23, 45)),
        (time(23, 45), [(8, 60), (9, 60), (10, 60)], None, None),
    ],
)
def test_a_later_time_is_offered_after_three_snoozes_in_a_week(
    at: time, snoozes: list[tuple[int, int]], offered: int | None, expected: time | None
) -> None:
    state = new_state(at=at, time_offer_on=None if offered is None else day(offered))
    for n, minutes in snoozes:
        state = ku.snoozed(state, day(n), minutes)
    assert ku.suggested_time(state, day(10)) == expected


def test_the_time_changes_only_when_confirmed() -> None:
    state = new_state()
    for n in (8, 9, 10):
        state = ku.snoozed(state, day(n), 30)
    offered = ku.offered_time(state, day(10))
    assert offered.at == AT and ku.suggested_time(offered, day(11)) is None
    confirmed = ku.confirm_time(offered, time(18, 30))
    assert confirmed.at == time(18, 30) and confirmed.snoozes == ()
    with pytest.raises(ValueError, match="whole minutes"):
        ku.confirm_time(state, time(18, 30, 5))


def test_snoozes_older_than_a_week_are_dropped() -> None:
    state = ku.snoozed(new_state(snoozes=(Snooze(day(1), 30),)), day(9), 15)
    assert state.snoozes == (Snooze(day(9), 15),)


# -- the weekly streak ----------------------------------------------------------------------


def test_weekly_streak_counts_days_of_this_week_and_weeks_in_a_row() -> None:
    sessions = [session(n) for n in (0, 2, 4, 7, 9, 15, 16, 17)]
    streak = weekly_streak(new_state(), sessions, day(17))
    # week 3 reached 3 of 7; week 2 (days 7 and 9 only) fell short and broke the run
    assert (streak.done, streak.days, streak.frozen, streak.weeks) == (3, 7, 0, 1)
    assert weekly_streak(new_state(), [*sessions[:5], session(11)], day(13)).weeks == 2
    assert weekly_streak(new_state(), [session(0, parts=("lesson",))], day(1)).done == 0


def test_a_pause_keeps_the_streak() -> None:
    sessions = [session(n) for n in (0, 2, 4, 7, 8, 19)]  # days 9-17 paused
    state = new_state(pauses=(Span(day(9), day(17)),))
    streak = weekly_streak(state, sessions, day(19))
    assert (streak.done, streak.weeks) == (3, 2)  # days 7, 8 and 19 are one programme week


def test_a_flare_up_week_that_fell_short_neither_counts_nor_breaks() -> None:
    flare = Flare(day(8), day(8), 2, 2.0, ended_on=day(11))
    state = new_state(flares=(flare,))
    sessions = [session(n) for n in (0, 2, 4, 8, 14, 15, 16)]
    streak = weekly_streak(state, sessions, day(16))
    assert (streak.done, streak.weeks) == (3, 2)
    assert weekly_streak(state, sessions, day(10)).frozen == 3


# -- weekly goals ----------------------------------------------------------------------------

GOALS = [f"goal_{n}" for n in range(8)]


def test_three_goal_suggestions_rotate_and_leave_out_last_weeks() -> None:
    first = suggest_goals(GOALS, new_state(), 1)
    second = suggest_goals(GOALS, new_state(), 2)
    assert len(set(first)) == 3 and len(set(second)) == 3 and set(first) != set(second)
    state = choose_goal(new_state(), 1, first[0], first)
    assert goal_of_week(state, 1) == first[0] and goal_of_week(state, 2) is None
    for week in range(2, 12):
        assert first[0] not in suggest_goals(GOALS, state, week)
    with pytest.raises(ValueError, match="not one of the suggestions"):
        choose_goal(state, 2, "goal_7", suggest_goals(GOALS, state, 2)[:2])


# -- tracks and enrolment --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "track", "suggest"),
    [
        ("low", "light", False),
        ("medium", "full", False),
        ("high", "full_psych", False),
        (None, "light", True),
        ("unknown", "light", True),
    ],
)
def test_track_from_the_self_checks_risk(risk: str | None, track: str, suggest: bool) -> None:
    assert (track_for(risk).track, track_for(risk).suggest_self_check) == (track, suggest)
    enrolment = enrol(START, time(7, 30, 12), risk)
    assert enrolment.state.track == track and enrolment.suggest_self_check == suggest
    assert enrolment.state.at == time(7, 30) and enrolment.state.level == 1


def test_every_risk_band_has_its_own_track() -> None:
    assert {track_for(risk).track for risk in RISKS} == {"light", "full", "full_psych"}
