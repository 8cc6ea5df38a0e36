"""The programme lived through by a crowd with the injectable clock (``bench.programme``):
people for 12 weeks and 4 of maintenance (1,000 in the benchmark), each following a pattern (steady,
improving, a flare-up in week 5, stress peaks, drifting away, a holiday), with a restart
through the store half-way. The rules must hold for every one of them."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.programme import PATTERNS, figures, simulate
from bot.clock import ManualClock
from data.store import Store
from flows.programme.calendar import PROGRAMME_WEEKS

WEEKS = PROGRAMME_WEEKS + 4


def test_a_crowd_lives_through_the_programme_by_its_rules(store: Store) -> None:
    # Every pattern, thirty times over, on each database: the rules are the same for
    # every person, and the whole suite must stay under five minutes on two CPUs.
    # Writing a person's sessions in one statement made room for thirty (it was
    # twenty in the same time). `python -m bench.programme` runs the 1,000.
    users = 30 * len(PATTERNS)
    run = simulate(users, WEEKS, store, ManualClock(datetime(2026, 1, 5, tzinfo=UTC)))
    found = figures(run)
    assert found["users"] == users and found["days"] == WEEKS * 7
    assert found["max_messages_per_user_day"] == 2  # a daily message and one follow-up
    assert found["repeated_lessons"] == 0
    assert found["repeated_nudges_14d"] == 0
    assert found["messages_while_paused"] == 0
    assert found["flare_rule_violations"] == 0 and found["level_rule_violations"] == 0
    assert found["flare_entries"] >= users // len(PATTERNS)  # at least the week-5 flare-ups
    assert found["weekly_messages_in_maintenance"] > 0
    assert found["drifting_messages_per_day"] < 0.5  # spaced out, not daily
    assert found["restart_differences"] == 0  # the store gave back exactly what it got
    lessons = {p.user_id: len(p.lessons) for p in run.crowd if p.pattern == "improving"}
    assert min(lessons.values()) >= 40  # the themes were really read, week after week
