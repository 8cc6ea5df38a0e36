"""The pure rules of which due reminder slots are sent (flows.pacing), table by table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from flows import pacing
from flows.rows import DueRow

BXL = "Europe/Brussels"
# Tuesday 24 November 2026, 20:00 in Brussels (19:00 UTC).
EVENING = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
TUESDAY = date(2026, 11, 24)


# -- a task done for the day (issue 14, item 5) --------------------------------------

DONE_CASES: list[tuple[str, DueRow, str]] = [
    (
        "check-in today: the evening nudge is skipped",
        DueRow("checkin", EVENING, BXL, last_checkin_day=TUESDAY),
        pacing.DONE,
    ),
    (
        "check-in yesterday: it is sent",
        DueRow("checkin", EVENING, BXL, last_checkin_day=date(2026, 11, 23)),
        pacing.SEND,
    ),
    ("never checked in: it is sent", DueRow("checkin", EVENING, BXL), pacing.SEND),
    (
        "a snoozed check-in after checking in: skipped too",
        DueRow("checkin", EVENING, BXL, one_off=True, last_checkin_day=TUESDAY),
        pacing.DONE,
    ),
    (
        "breathing exercise this morning: skipped",
        DueRow("stress", EVENING, BXL, last_task_done=datetime(2026, 11, 24, 7, 0, tzinfo=UTC)),
        pacing.DONE,
    ),
    (
        "breathing exercise last night: sent",
        DueRow("stress", EVENING, BXL, last_task_done=datetime(2026, 11, 23, 21, 0, tzinfo=UTC)),
        pacing.SEND,
    ),
    # 23:30 UTC on the 23rd is already the 24th in Brussels: the user's day counts.
    (
        "the walk after local midnight counts for the local day",
        DueRow("pain", EVENING, BXL, last_task_done=datetime(2026, 11, 23, 23, 30, tzinfo=UTC)),
        pacing.DONE,
    ),
    (
        "... but not in London, where it was still the 23rd",
        DueRow(
            "pain",
            EVENING,
            "Europe/London",
            last_task_done=datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
        ),
        pacing.SEND,
    ),
    (
        "movement breaks are a rhythm, not a task: never skipped",
        DueRow("movement", EVENING, BXL, last_checkin_day=TUESDAY, last_task_done=EVENING),
        pacing.SEND,
    ),
    (
        "changes of position: never skipped",
        DueRow("posture", EVENING, BXL, last_task_done=EVENING),
        pacing.SEND,
    ),
    (
        "the weekly summary: never skipped",
        DueRow("summary", EVENING, BXL, last_checkin_day=TUESDAY),
        pacing.SEND,
    ),
    (
        "a doctor follow-up: never skipped",
        DueRow("doctor_followup", EVENING, BXL, one_off=True, last_checkin_day=TUESDAY),
        pacing.SEND,
    ),
    (
        "a crisis follow-up: never skipped",
        DueRow("crisis_followup", EVENING, BXL, one_off=True, last_task_done=EVENING),
        pacing.SEND,
    ),
]


@pytest.mark.parametrize(
    ("due", "expected"), [c[1:] for c in DONE_CASES], ids=[c[0] for c in DONE_CASES]
)
def test_a_reminder_whose_task_is_done_today_is_skipped(due: DueRow, expected: str) -> None:
    assert pacing.decide(due) == expected


# -- at most a few pushes a day, the most useful ones (issue 14, item 6) ----------------

from collections.abc import Callable  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import timedelta  # noqa: E402

from flows.pacing import Regular  # noqa: E402
from flows.plan import default_plan  # noqa: E402
from flows.rows import DEFAULT_DAILY_LIMIT, PushedRow, RegularRow  # noqa: E402
from flows.schedule import Rule  # noqa: E402
from tests.support.self_check import OFFICE_WORKER  # noqa: E402

MONDAY = date(2026, 11, 23)


def hhmm(slot: datetime) -> str:
    return slot.astimezone(pacing.zone_of(BXL)).strftime("%H:%M")


def live(
    regular: list[Regular],
    days: int,
    limit: int | None = DEFAULT_DAILY_LIMIT,
    answer: Callable[[str, date], str | None] = lambda kind, day: None,
    start: date = MONDAY,
) -> dict[date, list[tuple[str, str, str]]]:
    """The dispatcher's view of ``days`` days: every slot of every rule in time order,
    put to decide() with the pushes so far; (time, kind, verdict) of those that went out
    or carried the question, per day."""
    pushed: list[PushedRow] = []
    reminders = list(regular)
    log: dict[date, list[tuple[str, str, str]]] = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        slots = sorted(
            (slot, r.rule.kind) for r in reminders for slot in pacing.day_slots(r.rule, day, BXL)
        )
        log[day] = []
        for slot, kind in slots:
            due = DueRow(
                kind,
                slot,
                BXL,
                daily_limit=limit,
                regular=tuple(map(stored, reminders)),
                pushed=tuple(pushed),
            )
            verdict = pacing.decide(due)
            if verdict in (pacing.SEND, pacing.ASK):
                pushed.append(PushedRow(kind, slot, action=answer(kind, day)))
                log[day].append((hhmm(slot), kind, verdict))
            if verdict == pacing.ASK:
                reminders = [
                    replace(r, asked_at=slot) if r.rule.kind == kind else r for r in reminders
                ]
    return log


def stored(regular: Regular) -> RegularRow:
    """``regular`` as the store hands it over: its rule as JSON."""
    return RegularRow(regular.rule.kind, regular.rule.to_dict(), regular.set_at, regular.asked_at)


def office_plan() -> list[Regular]:
    return [Regular(rule) for rule in default_plan(OFFICE_WORKER, BXL)]


def test_the_office_workers_default_plan_had_13_pushes_a_weekday() -> None:
    assert len(live(office_plan(), 1, limit=None)[MONDAY]) == 13


LIMITS: list[tuple[int | None, list[str]]] = [
    (2, ["17:30", "20:00"]),  # the walk and the check-in
    (3, ["12:30", "17:30", "20:00"]),  # and breathing
    (4, ["09:00", "12:30", "17:30", "20:00"]),  # and one break, in the widest gap
    (5, ["09:00", "12:30", "15:00", "17:30", "20:00"]),  # the next break, the next gap
    (6, ["09:00", "10:45", "12:30", "15:00", "17:30", "20:00"]),
]


@pytest.mark.parametrize(("limit", "times"), LIMITS)
def test_a_daily_limit_keeps_the_most_useful_pushes_spread_over_the_day(
    limit: int, times: list[str]
) -> None:
    week = live(office_plan(), 7, limit=limit)
    assert [at for at, _, _ in week[MONDAY]] == times
    assert all(len(pushes) <= limit for pushes in week.values())


def test_sunday_keeps_the_weekly_summary_first() -> None:
    sunday = live(office_plan(), 7)[MONDAY + timedelta(days=6)]
    assert [(at, kind) for at, kind, _ in sunday] == [
        ("12:30", "stress"),
        ("17:30", "pain"),
        ("19:00", "summary"),
        ("20:00", "checkin"),
    ]


def test_a_task_done_early_frees_its_place_for_a_break() -> None:
    plan = office_plan()
    morning = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    pushed: list[PushedRow] = []
    sent = []
    day = sorted((s, r.rule.kind) for r in plan for s in pacing.day_slots(r.rule, MONDAY, BXL))
    for slot, kind in day:
        due = DueRow(
            kind,
            slot,
            BXL,
            last_task_done=morning,
            regular=tuple(map(stored, plan)),
            pushed=tuple(pushed),
        )
        if pacing.decide(due) == pacing.SEND:
            pushed.append(PushedRow(kind, slot))
            sent.append(hhmm(slot))
    # Breathing (12:30) and the walk (17:30) were done that morning: breathing's place
    # goes to the next break; the walk's is known only at 17:30, when no break is left.
    assert sent == ["09:00", "15:00", "20:00"]


SNOOZE = DueRow(
    "checkin",
    EVENING,
    BXL,
    one_off=True,
    daily_limit=1,
    pushed=(PushedRow("stress", EVENING - timedelta(hours=7)),),
)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (SNOOZE, pacing.SEND),  # a snooze the user asked for: the limit does not hold it
        (replace(SNOOZE, one_off=False), pacing.CAPPED),
        # Follow-ups are never held back, and never count against the limit.
        (
            DueRow(
                "doctor_followup", EVENING, BXL, one_off=True, daily_limit=1, pushed=SNOOZE.pushed
            ),
            pacing.SEND,
        ),
        (
            replace(
                SNOOZE,
                one_off=False,
                pushed=(
                    PushedRow("crisis_followup", EVENING - timedelta(hours=9), one_off=True),
                    PushedRow("checkin", EVENING - timedelta(hours=8), one_off=True),
                ),
            ),
            pacing.SEND,
        ),
        (replace(SNOOZE, one_off=False, daily_limit=None), pacing.SEND),
    ],
)
def test_snoozes_and_follow_ups_are_outside_the_limit(due: DueRow, expected: str) -> None:
    assert pacing.decide(due) == expected


# -- the programme's daily message (issue 16): counted, ranked first, never held ----------

PROGRAMME_MESSAGE = Regular(Rule.at("programme", ("08:30",), BXL))


def enrolled_plan() -> list[Regular]:
    """An enrolled office worker: the programme's message replaced the check-in, the
    breathing and the walk; the movement breaks and posture nudges stay."""
    kept = [r for r in office_plan() if r.rule.kind not in ("checkin", "stress", "pain")]
    return [PROGRAMME_MESSAGE, *kept]


@pytest.mark.parametrize("limit", [2, 3, 4])
def test_the_programme_message_counts_as_one_of_the_days_pushes_and_goes_first(
    limit: int,
) -> None:
    week = live(enrolled_plan(), 7, limit=limit)
    for pushes in week.values():
        assert pushes[0] == ("08:30", "programme", pacing.SEND)
        assert len(pushes) <= limit  # unanswered breaks are spaced out from Thursday
    assert len(week[MONDAY]) == limit  # the breaks fill what the message leaves
    assert pacing.ranked([("movement", EVENING), ("programme", EVENING)])[0][0] == "programme"


def test_the_programme_message_is_never_held_back_by_the_limit() -> None:
    morning = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    breaks = tuple(PushedRow("movement", morning - timedelta(hours=h)) for h in (1, 2))
    due = DueRow(
        "programme",
        morning,
        BXL,
        daily_limit=2,
        regular=tuple(map(stored, enrolled_plan())),
        pushed=breaks,
    )
    assert pacing.decide(due) == pacing.SEND
    # Once it went, it takes a place: the next break is over the limit of 3.
    after = replace(
        due,
        kind="movement",
        slot=morning + timedelta(hours=1),
        daily_limit=3,
        pushed=(*breaks, PushedRow("programme", morning)),
    )
    assert pacing.decide(after) == pacing.CAPPED
    # Its follow-up is a one-off slot: outside the count, like a snooze.
    follow_up = PushedRow("programme", morning + timedelta(hours=3), one_off=True)
    assert pacing.sent_on(TUESDAY, (*breaks, follow_up), BXL) == 2


# -- reminders ignored three days running are spaced out, and asked about once ----------

D = [MONDAY + timedelta(days=n) for n in range(14)]


def at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hour)


IGNORED: list[tuple[str, list[PushedRow], date, datetime | None, int]] = [
    ("nothing pushed", [], D[3], None, 0),
    ("three days unanswered", [PushedRow("pain", at(d)) for d in D[:3]], D[3], None, 3),
    ("only other kinds count", [PushedRow("stress", at(d)) for d in D[:3]], D[3], None, 0),
    (
        "an answer breaks the run",
        [
            PushedRow("pain", at(D[0])),
            PushedRow("pain", at(D[1]), action="skip"),
            PushedRow("pain", at(D[2])),
        ],
        D[3],
        None,
        1,
    ),
    (
        "a snooze pressed is an answer",
        [PushedRow("pain", at(D[0])), PushedRow("pain", at(D[1]), action="snooze30")],
        D[2],
        None,
        0,
    ),
    (
        "answered today: back to normal at once",
        [*(PushedRow("pain", at(d)) for d in D[:3]), PushedRow("pain", at(D[3], 8), action="done")],
        D[3],
        None,
        0,
    ),
    (
        "one answered push of several that day is enough",
        [
            PushedRow("movement", at(D[0], h), action="done" if h == 9 else None)
            for h in (9, 10, 11)
        ],
        D[1],
        None,
        0,
    ),
    (
        "days without a push are passed over (spaced, paused)",
        [PushedRow("pain", at(d)) for d in (D[0], D[2], D[6])],
        D[8],
        None,
        3,
    ),
    (
        "'keep it, less often' is no answer to the reminder",
        [*(PushedRow("pain", at(d)) for d in D[:3]), PushedRow("pain", at(D[3]), action="keep")],
        D[4],
        None,
        4,
    ),
    (
        "a new setting starts afresh",
        [PushedRow("pain", at(d)) for d in D[:3]],
        D[3],
        at(D[2], 18),
        0,
    ),
]


@pytest.mark.parametrize(
    ("pushed", "today", "since", "expected"), [c[1:] for c in IGNORED], ids=[c[0] for c in IGNORED]
)
def test_ignored_days(
    pushed: list[PushedRow], today: date, since: datetime | None, expected: int
) -> None:
    kind = "movement" if pushed and pushed[0].kind == "movement" else "pain"
    assert pacing.ignored_days(kind, pushed, today, "UTC", since) == expected


@pytest.mark.parametrize(
    ("ignored", "gap"), [(0, 1), (2, 1), (3, 2), (4, 3), (6, 5), (8, 7), (30, 7)]
)
def test_gap_days(ignored: int, gap: int) -> None:
    assert pacing.gap_days(ignored) == gap


WALK = Regular(Rule.at("pain", ("17:30",), BXL))


def test_a_walk_ignored_every_day_is_asked_about_once_and_spaced_out() -> None:
    days = live([WALK], 28)
    pushes = [(day, verdict) for day, log in days.items() for _, _, verdict in log]
    # Every day, the question, then 3, 4, 5 and 6 days apart (a week is the widest).
    assert [day.day for day, _ in pushes] == [23, 24, 25, 26, 29, 3, 8, 14]
    assert [verdict for _, verdict in pushes].count(pacing.ASK) == 1
    assert pushes[3] == (date(2026, 11, 26), pacing.ASK)  # the day after the third


def test_an_answered_push_brings_the_reminder_back_to_every_day() -> None:
    answered_on = date(2026, 11, 29)  # the first spaced push: the user taps Done
    days = live([WALK], 10, answer=lambda kind, day: "done" if day == answered_on else None)
    sent = [day.day for day, log in days.items() if log]
    assert sent == [23, 24, 25, 26, 29, 30, 1, 2]  # daily again from the 30th


def test_movement_breaks_ignored_come_once_on_their_days() -> None:
    breaks = Regular(Rule.every("movement", 60, "09:00", "17:00", BXL, (0, 1, 2, 3, 4, 5, 6)))
    days = live([breaks], 8, limit=None)
    per_day = [len(log) for log in days.values()]
    assert per_day == [8, 8, 8, 1, 0, 0, 1, 0]  # asked on day 4, then 3 days apart


def test_a_new_setting_after_the_question_gets_a_fresh_start() -> None:
    asked = replace(WALK, asked_at=at(D[3]), set_at=at(D[0], 6))
    pushed = tuple(PushedRow("pain", at(d)) for d in D[:4])
    due = DueRow("pain", at(D[4]), "UTC", regular=(stored(asked),), pushed=pushed)
    assert pacing.decide(due) == pacing.SPACED
    changed = replace(asked, set_at=at(D[4], 9))  # the user picked another time
    assert pacing.decide(replace(due, regular=(stored(changed),))) == pacing.SEND
