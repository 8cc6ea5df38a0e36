"""A person's programme day as the flows see it: read from the history the bot loaded,
planned by :func:`flows.programme.plan.plan_today`, and changed only through facts.

``/programme``, ``/today`` and the daily message all need the same things: the state,
the sessions, the check-ins, today's local date, today's plan and the few lines that
describe where someone is ("Week 3 · Day 2", "2 of 7 days this week"). They live here
once, so the three cannot tell a person different things. Nothing here queries or
sends: the bot passes the rows in ``ctx.history`` and records the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any, Final

from flows import caution as cn
from flows.formatting import format_day, format_time
from flows.i18n import Translator
from flows.programme.calendar import PROGRAMME_WEEKS, DayLabel, position, week_dates
from flows.programme.content import ProgrammeContent, programme_content, week_key
from flows.programme.flare import flare_days
from flows.programme.levels import in_day_order
from flows.programme.plan import DayPlan, is_done, plan_today, remaining
from flows.programme.records import Feedback, Part, SessionRecord
from flows.programme.state import ProgrammeState
from flows.programme.streak import weekly_streak
from flows.rows import DayRow
from flows.runtime import Context
from flows.streaks import local_day, parse_day, valid_score

PROGRAMME: Final = "programme"
"""History key: the stored state dict, or None when the person never enrolled."""
LEFT: Final = "programme_left"
"""History key: True when the person left the programme (the state is kept)."""
SESSIONS: Final = "programme_sessions"
"""History key: the session dicts since enrolment, oldest first."""
RISK: Final = "risk"
"""History key: the latest self-check's risk band (low, medium, high), or None."""
REMINDER_KINDS: Final = "reminder_kinds"
"""History key: the kinds of the person's reminders that are switched on."""
REPLACED_KINDS: Final = ("checkin", "stress", "pain")
"""The reminders the programme's one daily message replaces: the check-in, the
breathing and relaxation exercises and the walk. Movement breaks and posture nudges
stay, opt-in, as the issue asks."""
CAUTION: Final = "caution"
"""History key: the open caution (:class:`flows.caution.Caution` as a dict), or None."""
TODAY_CHECKIN: Final = "today_checkin"
RECENT: Final = "recent"
"""The check-in flow's own history keys: the programme reads the same rows."""


# -- facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeEnrolled:
    """A programme starts (or starts again from week 1) with this state."""

    state: Mapping[str, Any]


@dataclass(frozen=True)
class ProgrammeChanged:
    """The programme's state after a step (a plan, a lesson read, a pause, a new time)."""

    state: Mapping[str, Any]


@dataclass(frozen=True)
class ProgrammeLeft:
    """The person left the programme: messages stop, the data stays."""


@dataclass(frozen=True)
class SessionRecorded:
    """The whole of today's session so far (``SessionRecord.to_dict``), parts done
    earlier included; the store keeps one row per day."""

    record: Mapping[str, Any]


# -- the day -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """What the flows know of one person's programme on their local ``today``."""

    today: date
    state: ProgrammeState | None
    left: bool
    sessions: tuple[SessionRecord, ...]
    checkins: tuple[DayRow, ...]
    risk: str | None
    caution_on: date | None = None
    """The local day of the open caution (advice to see a doctor), if any."""

    @property
    def enrolled(self) -> bool:
        return self.state is not None and not self.left

    def session(self) -> SessionRecord | None:
        return next((s for s in self.sessions if s.day == self.today), None)

    def with_state(self, state: ProgrammeState) -> Day:
        return replace(self, state=state)

    def with_session(self, record: SessionRecord) -> Day:
        kept = tuple(s for s in self.sessions if s.day != record.day)
        return replace(self, sessions=in_day_order((*kept, record)))

    def with_checkin(self, row: DayRow) -> Day:
        kept = tuple(r for r in self.checkins if r.local_day != row.local_day)
        return replace(self, checkins=(*kept, row))


def load_day(ctx: Context) -> Day:
    """The day from ``ctx.history``; a stored state that no longer reads (a bug, or a
    shape from a newer version) raises ValueError rather than planning from a guess."""
    raw = ctx.history.get(PROGRAMME)
    state = ProgrammeState.from_dict(raw) if raw is not None else None
    sessions = in_day_order(
        SessionRecord.from_dict(item) for item in ctx.history.get(SESSIONS) or ()
    )
    rows = [ctx.history.get(TODAY_CHECKIN), *(ctx.history.get(RECENT) or ())]
    risk = ctx.history.get(RISK)
    caution = cn.Caution.of(ctx.history.get(CAUTION))
    return Day(
        today=local_day(ctx.now, ctx.timezone),
        state=state,
        left=bool(ctx.history.get(LEFT)),
        sessions=sessions,
        checkins=tuple(day_rows(rows)),
        risk=risk if isinstance(risk, str) else None,
        caution_on=None if caution is None else local_day(caution.raised_at, ctx.timezone),
    )


def day_rows(rows: Iterable[object]) -> list[DayRow]:
    """Check-in dicts as the plan reads them; unreadable rows are left out (history
    rows are forgiven, as everywhere else in the check-ins' readers)."""
    found: list[DayRow] = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        day = parse_day(row.get("local_day"))
        pain, stress = valid_score(row.get("pain")), valid_score(row.get("stress"))
        if day is None or pain is None or stress is None:
            continue
        sleep = row.get("sleep")
        found.append(DayRow(day, pain, stress, sleep if isinstance(sleep, str) else None))
    return found


def content_of(ctx: Context) -> ProgrammeContent:
    return programme_content(ctx.t.catalogue)


def plan_of(day: Day, content: ProgrammeContent) -> DayPlan:
    """Today's plan; the caller saves ``plan.state`` when it differs from ``day.state``."""
    assert day.state is not None
    return plan_today(
        day.state,
        day.checkins,
        day.sessions,
        day.today,
        content.library,
        content.lessons,
        new_symptoms=new_symptoms(day),
    )


def new_symptoms(day: Day) -> bool:
    """Whether the person reported new symptoms since the red flags were last looked at.

    The source is the medical caution: the safety layer opens one when the self-check's
    red-flag questions or words typed anywhere showed emergency or same-day signs, and
    it stays open until the person says a doctor has seen them. That is the one record
    of symptoms the person actually reported; a check-in holds only scores, and a high
    pain score is already the flare-up rule's to judge. A caution raised since
    enrolment and after the last review brings the review once (the plan marks the day
    reviewed, so the review stays on all that day and not after); one still open from
    before enrolment was already advised on by the caution itself.
    """
    state, raised = day.state, day.caution_on
    if state is None or raised is None or raised < state.enrolled_on:
        return False
    return state.last_review_on is None or raised > state.last_review_on


def left_today(plan: DayPlan, day: Day) -> tuple[Part, ...]:
    return remaining(plan, day.session())


def done_today(plan: DayPlan, day: Day) -> bool:
    return is_done(plan, day.session())


def changes(before: ProgrammeState | None, after: ProgrammeState) -> tuple[object, ...]:
    """The fact that saves ``after``, or nothing when it did not change."""
    return () if before == after else (ProgrammeChanged(after.to_dict()),)


def session_with(
    day: Day,
    level: int,
    part: Part,
    *,
    feedback: Feedback | None = None,
    walk: int | None = None,
) -> SessionRecord:
    """Today's session with ``part`` done (and the block's rating or the walk noted)."""
    current = day.session()
    if current is None:
        current = SessionRecord(day.today, level)
    return SessionRecord(
        day.today,
        level if part == "exercises" else current.level,
        current.parts | {part},
        feedback if feedback is not None else current.feedback,
        walk if walk is not None else current.walk_minutes,
    )


# -- shared lines ------------------------------------------------------------------------


def label_text(ctx: Context, label: DayLabel) -> str:
    return ctx.t(label.key, **label.fills())


def theme_text(ctx: Context, week: int) -> str:
    return ctx.t(f"programme.weeks.{week_key(week)}.theme")


def streak_text(ctx: Context, day: Day) -> str:
    """ "2 of 7 days this week" (and the weeks in a row, once there are some)."""
    assert day.state is not None
    streak = weekly_streak(day.state, day.sessions, day.today)
    line = ctx.t("programme.ui.streak", done=streak.done, days=streak.days)
    if streak.weeks > 1:
        line += " " + ctx.t("programme.ui.streak_weeks", weeks=streak.weeks)
    return line


def part_names(ctx: Context, parts: Sequence[Part]) -> str:
    return ", ".join(ctx.t(f"programme.ui.parts.{part}") for part in parts)


def time_text(ctx: Context, at: time) -> str:
    return format_time(at, ctx.t.language)


def date_text(ctx: Context, day: date) -> str:
    """ "Fri 28 Nov", the short date the reminders write too."""
    return format_day(day, ctx.t.language)


# -- the weekly summary's part -----------------------------------------------------------


@dataclass(frozen=True)
class WeekReport:
    """The programme in the weekly summary: where someone is, the sessions and flare-up
    days of this programme week, the level, and next week's theme (None in maintenance)."""

    label: DayLabel
    week: int
    level: int
    done: int
    days: int
    flare_days: int
    next_week: int | None


def week_report(day: Day, content: ProgrammeContent) -> WeekReport | None:
    """The summary's numbers, from the state as planned today (nothing is saved)."""
    if not day.enrolled or day.state is None:
        return None
    plan = plan_of(day, content)
    state = plan.state
    where = position(state, day.today)
    streak = weekly_streak(state, day.sessions, day.today)
    this_week = set(week_dates(state, where.week, day.today))
    flared = len(this_week & flare_days(state, day.today))
    following = None if where.week >= PROGRAMME_WEEKS else where.week + 1
    return WeekReport(
        plan.label, where.week, plan.level, streak.done, streak.days, flared, following
    )


def week_text(t: Translator, report: WeekReport) -> str:
    """The summary's programme part, in the user's language."""
    theme = t(f"programme.weeks.{week_key(report.week)}.theme")
    lines = [
        t(
            "programme.ui.summary.title",
            label=t(report.label.key, **report.label.fills()),
            theme=theme,
        ),
        t("programme.ui.summary.sessions", done=report.done, days=report.days),
        t("programme.ui.status_level", level=report.level),
    ]
    if report.flare_days:
        lines.append(t("programme.ui.summary.flare_days", days=report.flare_days))
    if report.next_week is not None:
        lines.append(
            t(
                "programme.ui.summary.next",
                theme=t(f"programme.weeks.{week_key(report.next_week)}.theme"),
            )
        )
    return "\n".join(lines)
