"""The self-check's result screen: the personal profile, the comparison with last time
and the next steps, each in plain words.

Kept apart from the flow (:mod:`flows.pain_test`) because it is most of the text a
person reads about themselves; the flow only decides when it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flows import pain_test_questions as q
from flows import score_changes as changes
from flows import scoring as sc
from flows.advice import advise
from flows.i18n import Translator
from flows.runtime import Choice, Context, Reply

DURATION_LINES: Mapping[str, str] = {
    "acute": "pain_test.result.duration.acute",
    "subacute": "pain_test.result.duration.subacute",
    "chronic": "pain_test.result.duration.chronic",
    "recurrent": "pain_test.result.duration.recurrent",
}
"""By :data:`flows.scoring.DURATIONS`."""

RISK_LINES: Mapping[str, str] = {
    "low": "pain_test.result.risk.low",
    "medium": "pain_test.result.risk.medium",
    "high": "pain_test.result.risk.high",
}
"""By :data:`flows.instruments.RISKS`."""

STRESS_LINES: Mapping[str, str] = {
    "low": "pain_test.result.stress.low",
    "some": "pain_test.result.stress.some",
    "strong": "pain_test.result.stress.strong",
}
"""By :data:`flows.advice.STRESS_ROLES`."""

MOOD_LINES: Mapping[str, str] = {
    "normal": "pain_test.result.mood.normal",
    "mild": "pain_test.result.mood.mild",
    "moderate": "pain_test.result.mood.moderate",
    "severe": "pain_test.result.mood.severe",
}
"""By :data:`flows.instruments.PHQ4_BANDS`."""

CONFIDENCE_LINES: Mapping[str, str] = {
    "low": "pain_test.result.confidence.low",
    "moderate": "pain_test.result.confidence.moderate",
    "good": "pain_test.result.confidence.good",
}
"""By :data:`flows.instruments.PSEQ2_BANDS`."""

NEXT_STEP_LINES: Mapping[str, str] = {
    "gp_check": "pain_test.result.steps.gp_check",
    "crisis_lines": "pain_test.result.steps.crisis_lines",
    "talk_doctor": "pain_test.result.steps.talk_doctor",
    "physio": "pain_test.result.steps.physio",
    "physio_combined": "pain_test.result.steps.physio_combined",
    "stay_active": "pain_test.result.steps.stay_active",
    "movement_breaks": "pain_test.result.steps.movement_breaks",
    "breathing": "pain_test.result.steps.breathing",
    "walking": "pain_test.result.steps.walking",
    "checkin": "pain_test.result.steps.checkin",
    "help_now": "pain_test.result.steps.help_now",
}
"""By :data:`flows.scoring.NEXT_STEPS` (and the combined-care wording)."""


def _names(t: Translator, step_id: str, values: Sequence[str]) -> str:
    """Chosen options inside a result sentence: button labels are capitalised and often
    first person ("My fitness..."), so each option has its own in-sentence wording."""
    return ", ".join(t(f"pain_test.steps.{step_id}.summary.{v}") for v in values)


def result_replies(scores: sc.Scores, ctx: Context, taken_on: str) -> tuple[Reply, ...]:
    """The personal profile, the comparison with last time (``taken_on``: its date as
    shown, or "" when unknown), and the next steps."""
    t = ctx.t
    lines = [t("pain_test.result.title")]
    if scores.pain_now is not None and scores.pain_avg is not None:
        lines.append(t("pain_test.result.pain", now=scores.pain_now, avg=scores.pain_avg))
    if scores.areas:
        lines.append(t("pain_test.result.where", areas=_names(t, sc.WHERE, scores.areas)))
    if scores.duration:
        lines.append(t(DURATION_LINES[scores.duration]))
    if scores.aggravators:
        lines.append(t("pain_test.result.worse", items=_names(t, sc.WORSE, scores.aggravators)))
    lines.append(
        t("pain_test.result.physical", items=_names(t, sc.PHYSICAL, scores.physical_factors))
        if scores.physical_factors
        else t("pain_test.result.physical_none")
    )
    if scores.risk:
        lines.append(t(RISK_LINES[scores.risk]))
    role = advise(scores.to_dict()).stress_role  # the plan's stress reason follows it too
    if role:
        lines.append(t(STRESS_LINES[role]))
        reasons = _stress_reasons(scores, t)
        if reasons:
            lines.append(
                t(
                    "pain_test.result.stress_reasons",
                    reasons=t("pain_test.result.separator").join(reasons),
                )
            )
    if scores.phq4_band:
        lines.append(t(MOOD_LINES[scores.phq4_band]))
    if scores.talk_to_doctor:
        lines.append(t("pain_test.result.talk_to_doctor"))
    if scores.pseq2_band:
        lines.append(t(CONFIDENCE_LINES[scores.pseq2_band]))
    lines.append(t("pain_test.result.not_a_diagnosis"))
    replies = [Reply("\n\n".join(lines))]
    previous = changes.previous_scores(ctx.history.get("previous_test"))
    if previous is not None:
        text = changes.compare(previous, scores.to_dict(), t)
        if text:
            head = (
                t("pain_test.result.compare_since", date=taken_on)
                if taken_on
                else t("pain_test.result.compare_head")
            )
            replies.append(Reply(head + "\n" + text))
    numbers = q.help_lines(ctx)
    steps = "\n".join(
        t("pain_test.result.bullet", text=t(NEXT_STEP_LINES[s], **numbers))
        for s in sc.next_steps(scores)
    )
    replies.append(
        Reply(
            t("pain_test.result.steps_title") + "\n" + steps,
            (
                (Choice(t("programme.ui.start_button"), command="programme_start"),),
                (Choice(t("pain_test.result.plan_button"), command="plan"),),
                (Choice(t("pain_test.result.learn_button"), command="learn"),),
            ),
        )
    )
    return tuple(replies)


def _stress_reasons(scores: sc.Scores, t: Translator) -> list[str]:
    reasons = []
    if "stress" in scores.aggravators:
        reasons.append(t("pain_test.result.reason.stress_worse"))
    if scores.pss4_level in ("raised", "high"):
        high = scores.pss4_level == "high"
        reasons.append(
            t("pain_test.result.reason.pss_high" if high else "pain_test.result.reason.pss_raised")
        )
    if scores.life_events:
        reasons.append(
            t(
                "pain_test.result.reason.events",
                events=_names(t, sc.LIFE_EVENTS, scores.life_events),
            )
        )
    if scores.phq4_band in ("mild", "moderate", "severe"):
        reasons.append(t("pain_test.result.reason.mood"))
    return reasons
