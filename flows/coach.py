"""The coach's answer to free text typed outside a question.

The classifier says what a sentence is about; this module decides what a coach would
say and offer next, as buttons into the bot's own flows. It is pure: the bot passes in
the exercises and lessons nearest in meaning, whether health data may be kept, and
runs the commands and flows the answer asks for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from flows.i18n import Translator
from flows.runtime import Choice, Reply
from flows.streaks import parse_score
from flows.time_input import find_time
from flows.understanding.labels import Label

PREFIX = "co"
"""Callback prefix of the coach's own buttons: ``co|ex|<id>``, ``co|card|<id>``,
``co|pain|<score>``, ``co|moved|<minutes>``."""

EXERCISE, CARD, PAIN, MOVED = "ex", "card", "pain", "moved"
MINUTE_CHOICES: tuple[tuple[str, int], ...] = (
    ("m10", 10),
    ("m20", 20),
    ("m30", 30),
    ("m45", 45),
    ("m60", 60),
)
MAX_ACTIVITY_MINUTES = 600
RELIEF_EXERCISES: tuple[str, ...] = ("slow_breath", "pelvic_tilt")
"""Offered after a pain report: gentle, safe on a bad day (see docs/CLINICAL.md)."""
CALM_CATEGORIES = frozenset({"breathing", "relaxation"})
"""Exercise categories offered when someone says they are stressed."""

_SCORE = re.compile(
    r"(?<![\d:.,])(10|[0-9])(?:\s*/\s*10|\s*(?:out of|op|sur|von)\s*10)?(?![\d:.,])"
)
_MINUTES = re.compile(r"(?<![\d:.,])(\d{1,3})\s*(?:min\w*|m\b|')", re.IGNORECASE)
_HOURS = re.compile(
    r"(?<![\d:.,])(\d{1,2}(?:[.,]5)?)\s*(?:h\b|hours?|hrs?|uur|uren|heure?s?|std\b|stunden?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Logged:
    """Minutes of the person's own activity (a walk, a swim) to keep for today."""

    minutes: int

    def __post_init__(self) -> None:
        if not 1 <= self.minutes <= MAX_ACTIVITY_MINUTES:
            raise ValueError(f"activity minutes out of range: {self.minutes!r}")


@dataclass(frozen=True)
class CoachAnswer:
    """Replies to show, facts to record, then at most one command or flow to run."""

    replies: tuple[Reply, ...] = ()
    facts: tuple[Logged, ...] = ()
    command: str | None = None
    flow: str | None = None
    flow_history: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Nearby:
    """What the bot found nearest in meaning to the message, best first."""

    exercises: Sequence[str] = ()
    lessons: Sequence[str] = ()
    exercise_titles: dict[str, str] = field(default_factory=dict)
    calm_exercises: Sequence[str] = ()


def main_menu(t: Translator) -> tuple[tuple[Choice, ...], ...]:
    """The main actions as buttons, so nobody is left with only "/help"."""
    return (
        (
            Choice(t("coach.menu.checkin"), command="checkin"),
            Choice(t("coach.menu.exercise"), command="exercise"),
        ),
        (
            Choice(t("coach.menu.plan"), command="plan"),
            Choice(t("coach.menu.summary"), command="summary"),
        ),
        (
            Choice(t("coach.menu.learn"), command="learn"),
            Choice(t("coach.menu.reminders"), command="reminders"),
        ),
    )


def typed_score(text: str) -> int | None:
    """A pain score said in a sentence ("it's a 7 today", "6/10"), only when there is
    exactly one number that can be a score: never a guess between two."""
    found = {int(m.group(1)) for m in _SCORE.finditer(text)}
    if len(found) != 1:
        return parse_score(text)
    return found.pop()


def typed_minutes(text: str) -> int | None:
    """Minutes of activity in a sentence ("walked 20 min", "an hour and a half" is not
    read: then the person is asked), only when one reading is possible."""
    minutes = {int(m.group(1)) for m in _MINUTES.finditer(text)}
    hours = {float(m.group(1).replace(",", ".")) for m in _HOURS.finditer(text)}
    values = minutes | {round(h * 60) for h in hours}
    if len(values) != 1:
        return None
    value = values.pop()
    return value if 1 <= value <= MAX_ACTIVITY_MINUTES else None


def answer(
    intent: Label,
    text: str,
    t: Translator,
    nearby: Nearby,
    *,
    can_keep: bool,
    first_name: str = "",
) -> CoachAnswer:
    """What the coach says to ``text``, read as ``intent``."""
    if intent is Label.PAIN_REPORT:
        return _pain(text, t, can_keep)
    if intent is Label.STRESS_REPORT:
        calm = list(nearby.calm_exercises)[:3] or list(RELIEF_EXERCISES[:1])
        return CoachAnswer((Reply(t("coach.stress_report"), _exercise_rows(calm, nearby)),))
    if intent is Label.ACTIVITY_DONE:
        return _activity(text, t, can_keep)
    if intent is Label.WANTS_EXERCISE:
        rows = _exercise_rows(list(nearby.exercises)[:3], nearby)
        rows += ((Choice(t("coach.more_exercises"), command="exercise"),),)
        return CoachAnswer((Reply(t("coach.wants_exercise"), rows),))
    if intent is Label.REMINDER_CHANGE:
        time = find_time(text)
        if time is not None:
            # The reminder settings ask which reminder if need be, then offer the time.
            return CoachAnswer(flow="reminders", flow_history={"offer_time": time})
        return CoachAnswer((Reply(t("coach.reminder_change")),), command="reminders")
    if intent is Label.TODAY_PLAN:
        return CoachAnswer(command="plan")
    if intent is Label.WEEK_SUMMARY:
        return CoachAnswer(command="summary")
    if intent is Label.GREETING:
        name = first_name.strip()[:64] or t("common.no_name")
        return CoachAnswer((Reply(t("coach.greeting", name=name), main_menu(t)),))
    if intent is Label.THANKS:
        return CoachAnswer((Reply(t("coach.thanks")),))
    if intent is Label.BACK_QUESTION and nearby.lessons:
        return CoachAnswer(
            (Reply(t("coach.back_question")),),
            flow="learn",
            flow_history={"open_card": nearby.lessons[0]},
        )
    return CoachAnswer((Reply(t("coach.fallback"), main_menu(t)),))


def _exercise_rows(ids: Sequence[str], nearby: Nearby) -> tuple[tuple[Choice, ...], ...]:
    return tuple(
        (Choice(nearby.exercise_titles.get(ex_id, ex_id), f"{EXERCISE}|{ex_id}"),) for ex_id in ids
    )


def _pain(text: str, t: Translator, can_keep: bool) -> CoachAnswer:
    relief = Choice(t("coach.relief_button"), f"{EXERCISE}|{RELIEF_EXERCISES[0]}")
    score = typed_score(text)
    if score is not None and can_keep:
        log = Choice(t("coach.pain_log_button", score=score), f"{PAIN}|{score}")
        return CoachAnswer((Reply(t("coach.pain_report_score", score=score), ((log,), (relief,))),))
    checkin = Choice(t("coach.checkin_button"), command="checkin")
    return CoachAnswer((Reply(t("coach.pain_report"), ((checkin,), (relief,))),))


def _activity(text: str, t: Translator, can_keep: bool) -> CoachAnswer:
    if not can_keep:
        return CoachAnswer(
            (Reply(f"{t('coach.activity_done')}\n\n{t('coach.activity_not_kept')}"),)
        )
    minutes = typed_minutes(text)
    if minutes is None:
        rows = tuple(
            (Choice(t(f"coach.minutes.{key}"), f"{MOVED}|{value}"),)
            for key, value in MINUTE_CHOICES
        )
        return CoachAnswer((Reply(t("coach.activity_how_long"), rows),))
    return CoachAnswer(
        (Reply(f"{t('coach.activity_done')} {t('coach.activity_logged', minutes=minutes)}"),),
        (Logged(minutes),),
    )
