"""What the weekly summary found: one frozen value per part, computed by
:mod:`flows.summary.numbers` and put into words by :mod:`flows.summary.text`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flows.summary.inputs import WEEK_DAYS


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
