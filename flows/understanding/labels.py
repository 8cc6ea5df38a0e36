"""What a typed sentence can mean to the coach: three kinds of alarm, the harmless
look-alikes that must never raise one, and the coach intents."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    CRISIS = "crisis"
    EMERGENCY = "emergency"
    SAMEDAY = "sameday"
    HARMLESS = "harmless"
    PAIN_REPORT = "pain_report"
    STRESS_REPORT = "stress_report"
    ACTIVITY_DONE = "activity_done"
    WANTS_EXERCISE = "wants_exercise"
    REMINDER_CHANGE = "reminder_change"
    TODAY_PLAN = "today_plan"
    WEEK_SUMMARY = "week_summary"
    GREETING = "greeting"
    THANKS = "thanks"
    BACK_QUESTION = "back_question"
    OTHER = "other"


ALARMS: frozenset[Label] = frozenset({Label.CRISIS, Label.EMERGENCY, Label.SAMEDAY})
"""Labels that stop the coaching and send the person to help."""

COACH_INTENTS: tuple[Label, ...] = (
    Label.PAIN_REPORT,
    Label.STRESS_REPORT,
    Label.ACTIVITY_DONE,
    Label.WANTS_EXERCISE,
    Label.REMINDER_CHANGE,
    Label.TODAY_PLAN,
    Label.WEEK_SUMMARY,
    Label.GREETING,
    Label.THANKS,
    Label.BACK_QUESTION,
)
"""Labels the coach answers with an action; ``harmless`` and ``other`` get the fallback."""
