"""/summary and /history: the week against the week before, in words and as a chart,
and the last 30 days as a list or a CSV file. Numbers come from ``flows.summary``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.conversation import Wiring
from bot.features.coach import OWN_ACTIVITY
from bot.features.common import today
from bot.features.programme import day_history
from data.queue import ASKED
from data.store import Turn
from flows import pacing
from flows import programme_day as pd
from flows import summary as s
from flows.exercises import load_library
from flows.i18n import Translator
from flows.runtime import Chart, Choice, Context, File, Reply
from flows.schedule import KINDS

WEEKS_LOADED = 4
"""The summary compares two weeks; a third and fourth allow the two-week trend rule and
the 28-day chart. Nothing older is loaded."""


@dataclass(frozen=True)
class SummaryInputs:
    today: date
    checkins: list[s.DayRow]
    exercises: list[s.ExerciseRow]
    actions: list[s.ReminderActionRow]
    latest_test: s.TestInfo | None
    checkin_reminder_on: bool = False
    first_day: date | None = None
    reminders_spaced: bool = False
    """This week an unanswered reminder began to come less often (flows.pacing)."""
    programme: pd.WeekReport | None = None
    """The coaching programme's week, for someone in it."""

    @property
    def has_data_this_week(self) -> bool:
        start = self.today - timedelta(days=6)
        return any(row.local_day >= start for row in self.checkins) or any(
            row.local_day >= start for row in self.exercises
        )


def _day_row(row: dict[str, object]) -> s.DayRow:
    return s.DayRow(
        local_day=date.fromisoformat(str(row["local_day"])),
        pain=int(str(row["pain"])),
        stress=int(str(row["stress"])),
        sleep=str(row["sleep"]) if row.get("sleep") else None,
        moved=str(row["moved"]) if row.get("moved") else None,
        note=str(row["note"]) if row.get("note") else None,
    )


def load_inputs(tx: Turn, t: Translator) -> SummaryInputs:
    day = today(tx)
    zone = ZoneInfo(tx.user.timezone)
    window_start = day - timedelta(days=7 * WEEKS_LOADED - 1)
    since = datetime.combine(window_start, time(), tzinfo=zone)
    checkins = [
        _day_row(r) for r in tx.checkins_before(day + timedelta(days=1), days=7 * WEEKS_LOADED)
    ]
    kinds = {ex_id: ex.kind for ex_id, ex in load_library(t).items()}
    kinds[OWN_ACTIVITY] = s.OWN_ACTIVITY_KIND
    exercises = [
        s.ExerciseRow(
            started.astimezone(zone).date(),
            ex_id,
            kinds.get(ex_id, "movement"),
            done,
            level if ex_id == OWN_ACTIVITY else None,
        )
        for started, ex_id, done, level in tx.exercises_since(since)
    ]
    deliveries = tx.deliveries_since(since)
    actions = [
        s.ReminderActionRow(slot.astimezone(zone).date(), kind, action)
        for slot, kind, action, status in deliveries
        # Reminders only: the summary itself and safety follow-ups are not nudges.
        if status in ("sent", "ambiguous") and kind in KINDS and kind != "summary"
    ]
    week_start = day - timedelta(days=s.WEEK_DAYS - 1)
    spaced = any(
        status in (pacing.SPACED, ASKED) and slot.astimezone(zone).date() >= week_start
        for slot, _kind, _action, status in deliveries
    )
    latest = tx.latest_test()
    test = None
    if latest is not None and latest[1].get("pain_now") is not None:
        taken_at, scores = latest
        test = s.TestInfo(
            taken_at.astimezone(zone).date(),
            str(scores.get("risk") or "low"),
            int(scores["pain_now"]),
        )
    reminder_on = any(
        r.kind == s.CHECKIN_REMINDER_KIND and r.enabled and not r.one_off for r in tx.reminders()
    )
    # Days before the user's consent could not have been done: a check-in needs it.
    began = tx.user.consent_at or tx.user.created_at
    first_day = began.astimezone(zone).date()
    return SummaryInputs(
        day,
        checkins,
        exercises,
        actions,
        test,
        reminder_on,
        first_day,
        spaced,
        _programme_week(tx, t),
    )


def _programme_week(tx: Turn, t: Translator) -> pd.WeekReport | None:
    row = tx.programme()
    if row is None or not row.enrolled:
        return None
    ctx = Context(t, tx.now, tx.user.timezone, day_history(tx, row))
    return pd.week_report(pd.load_day(ctx), pd.content_of(ctx))


def summary_replies(inputs: SummaryInputs, t: Translator, *, days: int = 14) -> list[Reply]:
    result = s.compute_summary(
        inputs.today,
        inputs.checkins,
        inputs.exercises,
        inputs.actions,
        inputs.latest_test,
        checkin_reminder_on=inputs.checkin_reminder_on,
        first_day=inputs.first_day,
        reminders_spaced=inputs.reminders_spaced,
    )
    text = s.render_summary(result, t)
    data = s.chart_series(inputs.today, inputs.checkins, inputs.exercises, days=days)
    chart = Chart(data, s.chart_labels(data, t, t.language)) if data.has_checkins else None
    if inputs.programme is not None:
        text = f"{text}\n\n{pd.week_text(t, inputs.programme)}"
    return [Reply(text, attachment=chart)]


def summary_command(tx: Turn, t: Translator) -> list[Reply]:
    if not tx.user.has_consent:
        return [Reply(t("common.need_consent"))]
    return summary_replies(load_inputs(tx, t), t)


def history_command(tx: Turn, t: Translator) -> list[Reply]:
    if not tx.user.has_consent:
        return [Reply(t("common.need_consent"))]
    day = today(tx)
    rows = [_day_row(r) for r in tx.checkins_before(day + timedelta(days=1), days=30)]
    lines = s.history_lines(rows, day, t, days=30)
    if not lines:
        return [Reply(t("summary.history.empty"))]
    text = "\n".join([t("summary.history.title"), *lines])
    return [Reply(text, ((Choice(t("summary.history.csv_button"), command="history_csv"),),))]


def history_csv_command(tx: Turn, t: Translator) -> list[Reply]:
    if not tx.user.has_consent:
        return [Reply(t("common.need_consent"))]
    rows = [_day_row(r) for r in tx.all_checkins()]
    content = s.checkins_csv(rows, t).encode(s.CSV_ENCODING)
    return [
        Reply(t("summary.history.csv_ready"), attachment=File("backcoach-checkins.csv", content))
    ]


def register(wiring: Wiring) -> None:
    wiring.commands["summary"] = summary_command
    wiring.commands["history"] = history_command
    wiring.commands["history_csv"] = history_csv_command
