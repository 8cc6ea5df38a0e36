"""/summary through the real engine and store: days before the user began are not
missed, and activity told to the coach is counted as activity, not as an exercise."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.services import Services
from tests.bot.test_graded_walk import walk
from tests.support.engine import command, drive, onboard, press_data


def summary_text(services: Services) -> str:
    return "\n".join(reply.text for reply in command(services, "summary").replies)


def test_days_before_the_user_began_are_not_counted_as_missed(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)  # a Wednesday: the week shown runs from Thursday to Wednesday
    for _ in range(3):
        drive(services, command(services, "checkin"))
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(hours=-2))  # Friday evening, before Friday's check-in
    text = summary_text(services)
    assert "Check-ins: 3 of 3 days." in text
    assert "not counted as zero" not in text


def test_activity_told_to_the_coach_is_activity_not_an_exercise(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    for _ in range(3):
        clock.advance(timedelta(days=1))
        drive(services, command(services, "checkin"))
    press_data(services, "co|moved|30")  # "I swam for half an hour"
    walk(services, "10")
    text = summary_text(services)
    assert "Activity you told me about: 1 time, 30 min in all." in text
    assert "• Graded walking and pacing: 1" in text
    assert "Movement, mobility and strength" not in text
