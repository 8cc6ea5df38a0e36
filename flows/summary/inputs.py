"""What the weekly summary reads: its input rows, built from the store's typed rows.

The store hands over :class:`flows.rows.SummaryRows` (instants, exercise ids, delivery
statuses); here they become the user's local days, exercise kinds and the reminder
pushes that count, in one pure function the bot and the benchmark share. Check-ins are
:class:`flows.rows.DayRow` as they come from the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flows.rows import DayRow, DeliveryStatus, ExerciseLogRow, PushRow, SummaryRows
from flows.schedule import KINDS as REMINDER_KINDS

if TYPE_CHECKING:
    from flows.programme_day import WeekReport

WEEK_DAYS = 7
WEEKS_LOADED = 4
"""The summary compares two weeks; a third and fourth allow the two-week trend rule and
the 28-day chart. Nothing older is loaded."""
CHECKIN_REMINDER_KIND = "checkin"
"""The reminder kind that asks for the daily check-in (decides which suggestion fits)."""
OWN_ACTIVITY_KIND = "own"
"""The kind of activity people told the coach about (a walk, a swim): counted as activity
and for movement reminders, never as a guided exercise."""
SUMMARY_KIND = "summary"
"""The weekly summary's own reminder kind: not a nudge, so never counted as one."""
ANSWERABLE = frozenset({DeliveryStatus.SENT, DeliveryStatus.AMBIGUOUS})
"""Reminder pushes that reached the user as a nudge with buttons to answer."""
SPACED_OR_ASKED = frozenset({DeliveryStatus.SPACED, DeliveryStatus.ASKED})
"""A reminder began to come less often (``flows.pacing``)."""

# The check-in flow stores "soso" and "little"; other spellings are read as the same.
_ALIASES = {
    "so-so": "soso",
    "so so": "soso",
    "so_so": "soso",
    "a little": "little",
    "a_little": "little",
    "a-little": "little",
}


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


@dataclass(frozen=True)
class SummaryInputs:
    """One user's week as the summary reads it, on their local days."""

    today: date
    checkins: list[DayRow]
    exercises: list[ExerciseRow]
    actions: list[ReminderActionRow]
    latest_test: TestInfo | None
    checkin_reminder_on: bool = False
    first_day: date | None = None
    reminders_spaced: bool = False
    """This week an unanswered reminder began to come less often (flows.pacing)."""
    programme: WeekReport | None = None
    """The coaching programme's week, for someone in it."""
    pushes: tuple[PushRow, ...] = field(default=(), repr=False)
    """Every push of the window as stored (the weekly push's fortnightly nudge reads it)."""

    @property
    def has_data_this_week(self) -> bool:
        start = self.today - timedelta(days=WEEK_DAYS - 1)
        return any(row.local_day >= start for row in self.checkins) or any(
            row.local_day >= start for row in self.exercises
        )

    def nudged_between(self, start: datetime, end: datetime) -> bool:
        """A week without data was nudged about (strictly) between the two instants."""
        return any(
            push.kind == SUMMARY_KIND
            and push.status == DeliveryStatus.NUDGE
            and start < push.slot < end
            for push in self.pushes
        )


def window_start(today: date) -> date:
    """The first local day the summary reads."""
    return today - timedelta(days=WEEK_DAYS * WEEKS_LOADED - 1)


def inputs_from(
    rows: SummaryRows, today: date, timezone: str, kinds: Mapping[str, str]
) -> SummaryInputs:
    """The summary's inputs from the store's rows: instants become the user's local days,
    exercise ids their kind (``kinds``; unknown ones count as movement), and only
    reminders that came as a nudge count as reminders (not the summary itself, not
    safety follow-ups)."""
    zone = ZoneInfo(timezone)
    exercises = [
        _exercise(row, zone, kinds.get(row.exercise, "movement")) for row in rows.exercises
    ]
    actions = [
        ReminderActionRow(push.slot.astimezone(zone).date(), push.kind, push.action)
        for push in rows.pushes
        if push.status in ANSWERABLE and push.kind in REMINDER_KINDS and push.kind != SUMMARY_KIND
    ]
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    spaced = any(
        push.status in SPACED_OR_ASKED and push.slot.astimezone(zone).date() >= week_start
        for push in rows.pushes
    )
    test = rows.latest_test
    latest = (
        TestInfo(test.taken_at.astimezone(zone).date(), test.risk or "low", test.pain_now)
        if test is not None and test.pain_now is not None
        else None
    )
    return SummaryInputs(
        today,
        list(rows.checkins),
        exercises,
        actions,
        latest,
        CHECKIN_REMINDER_KIND in rows.reminders_on,
        # Days before the user's consent could not have been done: a check-in needs it.
        rows.began_at.astimezone(zone).date(),
        spaced,
        pushes=rows.pushes,
    )


def _exercise(row: ExerciseLogRow, zone: ZoneInfo, kind: str) -> ExerciseRow:
    minutes = row.level if kind == OWN_ACTIVITY_KIND else None
    return ExerciseRow(
        row.started_at.astimezone(zone).date(), row.exercise, kind, row.finished, minutes
    )


def canonical(value: str | None) -> str | None:
    """A stored sleep/moved answer in the check-in flow's spelling."""
    if value is None:
        return None
    cleaned = value.strip().lower()
    return _ALIASES.get(cleaned, cleaned)


def by_day(checkins: Iterable[DayRow], today: date) -> dict[date, DayRow]:
    """One check-in per local day up to ``today``; for one day the last row wins."""
    rows: dict[date, DayRow] = {}
    for row in checkins:
        if row.local_day <= today:
            rows[row.local_day] = row
    return rows
