"""/history and the check-ins' CSV file (/history and /export): the user's own days,
listed or written out in their language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from datetime import date, timedelta

from flows.checkin import MOVED_VALUES, SLEEP_VALUES
from flows.formatting import format_day, list_separator
from flows.i18n import Translator
from flows.rows import DayRow
from flows.summary.inputs import by_day, canonical

CSV_HEADER: tuple[str, ...] = ("local_day", "pain", "stress", "sleep", "moved", "note")
"""The CSV columns; each is named in the user's language by ``summary.csv_header.<column>``."""


def history_lines(
    checkins: Iterable[DayRow], today: date, t: Translator, days: int = 30
) -> list[str]:
    """One compact line per checked-in day of the last ``days`` days, newest first."""
    start = today - timedelta(days=days - 1)
    checked = by_day(checkins, today)
    separator = t("summary.history.separator")
    lines = []
    for day in sorted((d for d in checked if d >= start), reverse=True):
        row = checked[day]
        parts = [
            t(
                "summary.history.line",
                day=format_day(day, t.language),
                pain=row.pain,
                stress=row.stress,
            )
        ]
        sleep, moved = canonical(row.sleep), canonical(row.moved)
        if sleep in SLEEP_VALUES:
            parts.append(t("summary.history.sleep", value=t(f"summary.sleep_words.{sleep}")))
        if moved in MOVED_VALUES:
            parts.append(t("summary.history.moved", value=t(f"summary.moved_words.{moved}")))
        lines.append(separator.join(parts))
    return lines


CSV_ENCODING = "utf-8-sig"
"""With a byte-order mark, so spreadsheet programs read accented notes correctly."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain_cell(text: str) -> str:
    """A note that a spreadsheet would run as a formula (``=HYPERLINK(...)``) is kept as
    text by a leading apostrophe, the usual guard against CSV injection."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _word(row_value: str | None, known: Collection[str], section: str, t: Translator) -> str:
    """A stored sleep/moved value as the user's word; an unknown one is kept as stored."""
    value = canonical(row_value)
    if value in known:
        return t(f"summary.{section}.{value}")
    return row_value or ""


def checkins_csv(checkins: Iterable[DayRow], t: Translator) -> str:
    """All check-ins as CSV (oldest first) for /history and /export, in the user's
    language and with the list separator their spreadsheet splits on; notes are quoted
    by the csv module and never start like a formula. Encode with :data:`CSV_ENCODING`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=list_separator(t.language))
    writer.writerow([t(f"summary.csv_header.{column}") for column in CSV_HEADER])
    for row in sorted(checkins, key=lambda r: r.local_day):
        writer.writerow(
            [
                row.local_day.isoformat(),
                row.pain,
                row.stress,
                _word(row.sleep, SLEEP_VALUES, "sleep_words", t),
                _word(row.moved, MOVED_VALUES, "moved_words", t),
                _plain_cell(row.note or ""),
            ]
        )
    return out.getvalue()
