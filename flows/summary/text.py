"""The weekly summary as a short, kind message in the user's language.

Only words: every number comes from :mod:`flows.summary.numbers`, so a change of wording
never changes what the summary says about someone's week.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cache

from flows.formatting import format_day, format_decimal, locale_for
from flows.i18n import Translator
from flows.summary.numbers import (
    MIN_DAYS_FOR_TREND,
    MOVED_LITTLE,
    NOT_ENOUGH_DATA,
    correlation_word,
)
from flows.summary.results import MovedPattern, SleepPattern, Summary

locale = cache(locale_for)
"""Babel's locale of a language, parsed once."""


def _plural(t: Translator, key: str, count: int, **params: object) -> str:
    """``key.one`` / ``key.other`` (or any CLDR category a language adds) for ``count``."""
    category = locale(t.language).plural_form(count)
    chosen = f"{key}.{category}" if t.has(f"{key}.{category}") else f"{key}.other"
    return t(chosen, count=count, **params)


def render_summary(summary: Summary, t: Translator) -> str:
    """The weekly summary as a short, kind message in the user's language."""
    lang = t.language
    if summary.days_recorded == 0:
        return t("summary.nothing_yet")
    title = t(
        "summary.title",
        start=format_day(summary.week_start, lang),
        end=format_day(summary.today, lang),
    )
    recent = summary.checkins + summary.checkins_before
    if recent == 0:
        body = [t("summary.nothing_recent")]
    elif recent < MIN_DAYS_FOR_TREND:
        body = [_plural(t, "summary.too_early", recent), *_score_lines(summary, t)]
    elif summary.checkins == 0:
        body = [t("summary.no_checkins_week")]
    else:
        body = [*_score_lines(summary, t), *_week_lines(summary, t)]
    closing = [
        t("summary.suggestion_line", text=t(f"summary.suggestion.{summary.suggestion}")),
        _retake_line(summary, t),
    ]
    return "\n\n".join([title, "\n".join(line for line in body if line), "\n".join(closing)])


def _score_lines(summary: Summary, t: Translator) -> list[str]:
    lines = []
    for label, trend in ((t("summary.pain"), summary.pain), (t("summary.stress"), summary.stress)):
        if trend.latest is None:
            continue
        average = format_decimal(trend.latest, t.language)
        if trend.word == NOT_ENOUGH_DATA or trend.earlier is None:
            lines.append(t("summary.score_only", label=label, average=average))
        else:
            lines.append(
                t(
                    "summary.score_compare",
                    label=label,
                    average=average,
                    before=format_decimal(trend.earlier, t.language),
                    trend=t(f"summary.trend.{trend.word}"),
                )
            )
    return lines


def _week_lines(summary: Summary, t: Translator) -> list[str]:
    lang = t.language
    lines: list[str] = []
    low, high = summary.lowest_pain, summary.highest_pain
    if low is not None and high is not None and low.value != high.value:
        lines.append(
            t(
                "summary.low_high",
                low_day=format_day(low.day, lang),
                low=low.value,
                high_day=format_day(high.day, lang),
                high=high.value,
            )
        )
    lines.append(_plural(t, "summary.checkins", summary.checkin_days, done=summary.checkins))
    if summary.checkins < summary.checkin_days:
        lines.append(t("summary.gaps"))
    if summary.streak > 1:
        lines.append(_plural(t, "summary.streak", summary.streak))
    if summary.sleep.answered:
        lines.append(t("summary.sleep_line", **_counts(summary.sleep)))
    if summary.moved.answered:
        lines.append(t("summary.moved_line", **_counts(summary.moved)))
    lines.extend(_activity_lines(summary, t))
    if summary.reminder_days:
        lines.append(t("summary.reminders_title"))
        for item in summary.reminder_days:
            kind = t(f"reminders.kinds.{item.kind}")
            lines.append(_plural(t, "summary.reminder_days", item.days, kind=kind, done=item.done))
    word = correlation_word(summary.correlation)
    if word is not None:
        lines.append(t("summary.correlation_line", words=t(f"summary.correlation.{word}")))
        if word != MOVED_LITTLE:
            lines.append(t("summary.correlation_note"))
    return lines


def _counts(pattern: SleepPattern | MovedPattern) -> dict[str, int]:
    return asdict(pattern)


def _activity_lines(summary: Summary, t: Translator) -> list[str]:
    """Exercises by their kind in the user's words, then activity told to the coach."""
    lines: list[str] = []
    counts = asdict(summary.exercises)
    kinds = [kind for kind in ("stress", "movement", "pain") if counts[kind]]
    if kinds:
        lines.append(t("summary.exercises_title"))
        lines.extend(
            t("summary.exercise_kind", kind=t(f"summary.exercise_kinds.{kind}"), count=counts[kind])
            for kind in kinds
        )
    own = summary.own_activity
    if own.times:
        lines.append(_plural(t, "summary.own_activity", own.times, minutes=own.minutes))
    return lines


def _retake_line(summary: Summary, t: Translator) -> str:
    if summary.retake_due is None:
        return t("summary.retake.no_test")
    if summary.retake_due_now:
        return t("summary.retake.due_now")
    return t("summary.retake.due_on", day=format_day(summary.retake_due, t.language))
