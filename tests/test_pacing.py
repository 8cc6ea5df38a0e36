"""The pure rules of which due reminder slots are sent (flows.pacing), table by table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from flows import pacing
from flows.pacing import Due

BXL = "Europe/Brussels"
# Tuesday 24 November 2026, 20:00 in Brussels (19:00 UTC).
EVENING = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
TUESDAY = date(2026, 11, 24)


# -- a task done for the day (issue 14, item 5) --------------------------------------

DONE_CASES: list[tuple[str, Due, str]] = [
    (
        "check-in today: the evening nudge is skipped",
        Due("checkin", EVENING, BXL, last_checkin_day=TUESDAY),
        pacing.DONE,
    ),
    (
        "check-in yesterday: it is sent",
        Due("checkin", EVENING, BXL, last_checkin_day=date(2026, 11, 23)),
        pacing.SEND,
    ),
    ("never checked in: it is sent", Due("checkin", EVENING, BXL), pacing.SEND),
    (
        "a snoozed check-in after checking in: skipped too",
        Due("checkin", EVENING, BXL, one_off=True, last_checkin_day=TUESDAY),
        pacing.DONE,
    ),
    (
        "breathing exercise this morning: skipped",
        Due("stress", EVENING, BXL, last_task_done=datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        pacing.DONE,
    ),
    (
        "breathing exercise last night: sent",
        Due("stress", EVENING, BXL, last_task_done=datetime(2026, 11, 23, 21, 0, tzinfo=UTC)),
        pacing.SEND,
    ),
    # 23:30 UTC on the 23rd is already the 24th in Brussels: the user's day counts.
    (
        "the walk after local midnight counts for the local day",
        Due("pain", EVENING, BXL, last_task_done=datetime(2026, 11, 23, 23, 30, tzinfo=UTC)),
        pacing.DONE,
    ),
    (
        "... but not in London, where it was still the 23rd",
        Due(
            "pain",
            EVENING,
            "Europe/London",
            last_task_done=datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
        ),
        pacing.SEND,
    ),
    (
        "movement breaks are a rhythm, not a task: never skipped",
        Due("movement", EVENING, BXL, last_checkin_day=TUESDAY, last_task_done=EVENING),
        pacing.SEND,
    ),
    (
        "changes of position: never skipped",
        Due("posture", EVENING, BXL, last_task_done=EVENING),
        pacing.SEND,
    ),
    (
        "the weekly summary: never skipped",
        Due("summary", EVENING, BXL, last_checkin_day=TUESDAY),
        pacing.SEND,
    ),
    (
        "a doctor follow-up: never skipped",
        Due("doctor_followup", EVENING, BXL, one_off=True, last_checkin_day=TUESDAY),
        pacing.SEND,
    ),
    (
        "a crisis follow-up: never skipped",
        Due("crisis_followup", EVENING, BXL, one_off=True, last_task_done=EVENING),
        pacing.SEND,
    ),
]


@pytest.mark.parametrize(
    ("due", "expected"), [c[1:] for c in DONE_CASES], ids=[c[0] for c in DONE_CASES]
)
def test_a_reminder_whose_task_is_done_today_is_skipped(due: Due, expected: str) -> None:
    assert pacing.decide(due) == expected
