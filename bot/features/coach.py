"""Free text understood by meaning: the coach's buttons, the safety questions' buttons,
and the activity a person tells us they did."""

from __future__ import annotations

from bot.consent import has_current_consent
from bot.conversation.registry import StartFlow, Wiring
from bot.features.common import require_consent
from data.turn import Turn
from flows import coach
from flows.i18n import Translator
from flows.runtime import Reply
from flows.streaks import valid_score

OWN_ACTIVITY = "own_activity"
"""The exercise log's name for activity people did on their own (a walk, a swim): kept
with the guided exercises, where the summary and /export already look."""


def record_activity(tx: Turn, fact: coach.Logged) -> None:
    require_consent(tx)
    tx.log_exercise(OWN_ACTIVITY, finished=True, rating_after=None, level=fact.minutes)


def on_coach_press(tx: Turn, parts: list[str], t: Translator) -> list[Reply | StartFlow]:
    if len(parts) != 2:
        return [Reply(t("common.stale_button_no_flow"))]
    action, value = parts
    if action == coach.EXERCISE:
        return [StartFlow("exercise", {"exercise_id": value})]
    if action == coach.CARD:
        return [StartFlow("learn", {"open_card": value})]
    if action == coach.PAIN and value.isdigit() and valid_score(int(value)) is not None:
        return [StartFlow("checkin", {"typed_pain": int(value)})]
    if action == coach.MOVED and value.isdigit():
        minutes = int(value)
        if 1 <= minutes <= coach.MAX_ACTIVITY_MINUTES:
            if not has_current_consent(tx.user):
                return [Reply(t("coach.not_kept_without_consent"))]
            record_activity(tx, coach.Logged(minutes))
            return [Reply(t("coach.activity_logged", minutes=minutes))]
    return [Reply(t("common.stale_button_no_flow"))]


def register(wiring: Wiring) -> None:
    wiring.add_press(coach.PREFIX, on_coach_press)
    wiring.add_recorder(coach.Logged, record_activity)
