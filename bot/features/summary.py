"""/summary and /history: the week against the week before, in words and as a chart,
and the last 30 days as a list or a CSV file. Numbers come from ``flows.summary``."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.conversation.registry import Wiring
from bot.features.coach import OWN_ACTIVITY
from bot.features.common import today
from bot.features.programme import day_history
from data.turn import Turn
from flows import programme_day as pd
from flows.exercises.library import load_library
from flows.i18n import Translator
from flows.runtime import Chart, Choice, Context, File, Reply
from flows.summary.chart_data import chart_labels, chart_series
from flows.summary.history import CSV_ENCODING, checkins_csv, history_lines
from flows.summary.inputs import OWN_ACTIVITY_KIND, SummaryInputs, inputs_from, window_start
from flows.summary.numbers import compute_summary
from flows.summary.text import render_summary

HISTORY_DAYS = 30
"""/history lists the check-ins of the last 30 local days."""


def load_inputs(tx: Turn, t: Translator) -> SummaryInputs:
    """What /summary and its weekly push show: the store's typed rows
    (:meth:`data.turn.Turn.summary_inputs`, where its SQL is) on the user's local days,
    and the programme's week for someone in it."""
    day = today(tx)
    rows = tx.summary_inputs(window_start(day), day)
    kinds = {ex_id: ex.kind for ex_id, ex in load_library(t).items()}
    kinds[OWN_ACTIVITY] = OWN_ACTIVITY_KIND
    inputs = inputs_from(rows, day, tx.user.timezone, kinds)
    return replace(inputs, programme=_programme_week(tx, t))


def _programme_week(tx: Turn, t: Translator) -> pd.WeekReport | None:
    row = tx.programme()
    if row is None or not row.enrolled:
        return None
    ctx = Context(t, tx.now, tx.user.timezone, day_history(tx, row))
    return pd.week_report(pd.load_day(ctx), pd.content_of(ctx))


def summary_replies(inputs: SummaryInputs, t: Translator, *, days: int = 14) -> list[Reply]:
    result = compute_summary(
        inputs.today,
        inputs.checkins,
        inputs.exercises,
        inputs.actions,
        inputs.latest_test,
        checkin_reminder_on=inputs.checkin_reminder_on,
        first_day=inputs.first_day,
        reminders_spaced=inputs.reminders_spaced,
    )
    text = render_summary(result, t)
    data = chart_series(inputs.today, inputs.checkins, inputs.exercises, days=days)
    chart = Chart(data, chart_labels(data, t, t.language)) if data.has_checkins else None
    if inputs.programme is not None:
        text = f"{text}\n\n{pd.week_text(t, inputs.programme)}"
    return [Reply(text, attachment=chart)]


def summary_command(tx: Turn, t: Translator) -> list[Reply]:
    return summary_replies(load_inputs(tx, t), t)


def history_command(tx: Turn, t: Translator) -> list[Reply]:
    day = today(tx)
    rows = tx.checkin_rows(day - timedelta(days=HISTORY_DAYS - 1))
    lines = history_lines(rows, day, t, days=HISTORY_DAYS)
    if not lines:
        return [Reply(t("summary.history.empty"))]
    text = "\n".join([t("summary.history.title"), *lines])
    return [Reply(text, ((Choice(t("summary.history.csv_button"), command="history_csv"),),))]


def history_csv_command(tx: Turn, t: Translator) -> list[Reply]:
    content = checkins_csv(tx.checkin_rows(), t).encode(CSV_ENCODING)
    return [
        Reply(t("summary.history.csv_ready"), attachment=File("backcoach-checkins.csv", content))
    ]


def register(wiring: Wiring) -> None:
    # Health data shown back: consent to the current text first, checked by the engine.
    wiring.add_command("summary", summary_command, needs_consent=True)
    wiring.add_command("history", history_command, needs_consent=True)
    wiring.add_command("history_csv", history_csv_command, needs_consent=True)
