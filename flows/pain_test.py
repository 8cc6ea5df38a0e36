"""The back pain self-check (``/test``): a guided questionnaire driven by step specs.

Why a generic engine over data: the questions are a list of :class:`Step` specs (id,
kind, option values, number range) whose texts live in ``content/<lang>/pain_test.toml``
under ``pain_test.steps.<id>``. One small engine asks them, validates answers, goes
back, shows progress and draws its own diagram, so adding or reordering a question is a
one-line change and every question behaves the same way.

Safety comes before the self-check and interrupts it: emergency signs end it at once,
same-day signs advise a doctor and let the person choose, and any sign of hopelessness
or self-harm shows the crisis lines before anything else is asked. Scoring lives in
:mod:`flows.scoring`; the questions and the safety screens in
:mod:`flows.pain_test_questions`, the result screen in :mod:`flows.pain_test_result`;
this module routes the answers to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows import caution as cn
from flows import pain_test_questions as q
from flows import scoring as sc
from flows.formatting import format_long_date
from flows.i18n import Translator
from flows.pain_test_questions import (
    BACK,
    CONTINUE,
    CRISIS,
    DONE,
    INDEX,
    NONE,
    SEE_DOCTOR,
    STEPS,
    STOP,
    Step,
)
from flows.pain_test_result import result_replies
from flows.runtime import Context, Event, FlowState, Outcome, Press, Reply, Text, in_place, reask

NAME = "pain_test"

# -- facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PainTestCompleted:
    """The self-check ended: outcome "complete", "emergency" or "see_doctor".

    "see_doctor" also covers stopping after the crisis lines (``scores["crisis"]`` is
    then true). ``answers`` and ``scores`` are JSON-ready; scores may be partial on an
    early exit.
    """

    answers: dict[str, Any]
    scores: dict[str, Any]
    outcome: str
    recommended_cards: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CrisisShown:
    """The crisis lines were shown: the bot follows up gently the next day."""


@dataclass(frozen=True)
class DoctorAdvised:
    """The self-check told the user to see a doctor: ``kind`` is "emergency" (call the
    emergency number now) or "see_doctor" (today or within days). Recorded the moment the
    advice shows, whether the user then stops, carries on or walks away."""

    kind: str


# -- the flow ------------------------------------------------------------------------


class PainTestFlow:
    """red flags -> pain -> physical -> psychological -> result, with safety exits."""

    name = NAME
    needs_consent = True

    def start(self, ctx: Context) -> Outcome:
        state = FlowState(self.name, STEPS[0].id, {})
        intro = Reply(ctx.t("pain_test.intro", total=len(STEPS)))
        return Outcome(state, (intro, *self.current(state, ctx)))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        if state.step == SEE_DOCTOR:
            return (q.see_doctor_reply(ctx),)
        if state.step == CRISIS:
            return q.crisis_replies(ctx, str(state.answers.get("crisis_reason", "")))
        return (q.question(q.step_of(state), state.answers, ctx.t),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        outcome = self._handle(state, event, ctx)
        return in_place(outcome) if _replaces_question(state, outcome) else outcome

    def _handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        t = ctx.t
        if state.step not in INDEX and state.step not in (SEE_DOCTOR, CRISIS):
            fresh = FlowState(self.name, STEPS[0].id, {})  # saved by an older version
            return Outcome(fresh, self.current(fresh, ctx))
        if isinstance(event, Text) and state.step != CRISIS and q.mentions_crisis(event.text, t):
            nxt = state.at(
                CRISIS, crisis_reason="typed", crisis_resume=state.step, crisis_shown=True
            )
            return Outcome(nxt, self.current(nxt, ctx), (CrisisShown(),))
        if state.step in (SEE_DOCTOR, CRISIS):
            return self._interlude(state, event, ctx)
        step = STEPS[INDEX[state.step]]
        token = q.token(step, event)
        if token == BACK and INDEX[step.id] > 0:
            prev = state.at(STEPS[INDEX[step.id] - 1].id)
            return Outcome(prev, self.current(prev, ctx))
        if step.kind == "multi":
            return self._multi(state, step, token, ctx)
        value = q.value_of(step, token)
        if value is None:
            # Multi steps were handled above: this is a scale or a single choice.
            key = "common.not_a_number" if step.kind == "scale" else "pain_test.invalid.single"
            return self._reask(state, ctx, key, lo=step.lo, hi=step.hi)
        return self._answered(state.at(state.step, **{step.id: value}), step, ctx)

    def holds_unsaved(self, state: FlowState) -> bool:
        """Answers given: the self-check is stored only when it ends."""
        return any(step.id in state.answers for step in STEPS)

    def transitions(self) -> list[tuple[str, str, str]]:
        edges: list[tuple[str, str, str]] = [("", "/test", STEPS[0].id)]
        for i, step in enumerate(STEPS):
            following = STEPS[i + 1].id if i + 1 < len(STEPS) else ""
            if step.kind == "multi":
                edges.append((step.id, "toggle an option", step.id))
            if i > 0:
                edges.append((step.id, "back", STEPS[i - 1].id))
            if step.id == sc.RED_EMERGENCY:
                edges += [
                    (step.id, "emergency sign: call 112 (outcome emergency)", ""),
                    (step.id, "none of these", following),
                ]
            elif step.id == sc.RED_SAMEDAY:
                edges += [
                    (step.id, "same-day sign: see a doctor", SEE_DOCTOR),
                    (step.id, "none of these", following),
                    (SEE_DOCTOR, "stop (outcome see_doctor)", ""),
                    (SEE_DOCTOR, "continue", following),
                ]
            elif step.id == sc.PHQ4_KEYS[3]:
                edges += [
                    (step.id, "nearly every day: crisis lines", CRISIS),
                    (CRISIS, "continue after the mood question", following),
                    (step.id, "answered", following),
                ]
            elif step.id == sc.SAFETY:
                edges += [
                    (step.id, "yes: crisis lines", CRISIS),
                    (CRISIS, "continue after the safety question", following),
                    (step.id, "no", following),
                ]
            else:
                edges.append(
                    (
                        step.id,
                        "answered" if following else "answered: profile (outcome complete)",
                        following,
                    )
                )
        edges += [
            (CRISIS, "stop (outcome see_doctor)", ""),
            ("any_question", "typed words of despair", CRISIS),
            (CRISIS, "continue after typed words", "any_question"),
        ]
        return edges

    # -- answering -------------------------------------------------------------------

    def _multi(self, state: FlowState, step: Step, token: str | None, ctx: Context) -> Outcome:
        picked = q.selection(state.answers.get(step.id), step)
        if token in step.options:
            toggled = [o for o in step.options if (o in picked) != (o == token)]
            nxt = state.at(step.id, **{step.id: toggled})
            return Outcome(nxt, self.current(nxt, ctx))
        if token == NONE and step.none and picked:
            # Contradicts the ticks: on the red-flag screens, never drop a tick silently.
            return self._reask(state, ctx, "pain_test.invalid.none_but_picked")
        if token == NONE and step.none:
            return self._answered(state.at(step.id, **{step.id: []}), step, ctx)
        if token == DONE and picked:
            return self._answered(state.at(step.id, **{step.id: picked}), step, ctx)
        if token == DONE:
            key = "pain_test.invalid.pick_or_none" if step.none else "pain_test.invalid.pick_one"
            return self._reask(state, ctx, key)
        return self._reask(state, ctx, "pain_test.invalid.multi")

    def _answered(self, state: FlowState, step: Step, ctx: Context) -> Outcome:
        """Route after a valid answer: safety exits first, then the next question."""
        value = state.answers.get(step.id)
        i = INDEX[step.id]
        following = STEPS[i + 1].id if i + 1 < len(STEPS) else ""
        if step.id == sc.RED_EMERGENCY and value:
            advice = (Reply(ctx.t("pain_test.advice.emergency", **q.help_lines(ctx))),)
            ended = self._end(state.answers, "emergency", advice)
            return Outcome(None, ended.replies, (*ended.facts, DoctorAdvised(cn.EMERGENCY)))
        if step.id == sc.RED_SAMEDAY and value:
            nxt = state.at(SEE_DOCTOR)
            return Outcome(nxt, self.current(nxt, ctx), (DoctorAdvised(cn.SEE_DOCTOR),))
        hopeless = step.id == sc.PHQ4_KEYS[3] and value == 3
        if (step.id == sc.SAFETY and value == sc.YES) or hopeless:
            reason = "hopeless" if hopeless else "safety"
            nxt = state.at(CRISIS, crisis_reason=reason, crisis_resume=following, crisis_shown=True)
            return Outcome(nxt, self.current(nxt, ctx), (CrisisShown(),))
        return self._go(state, following, ctx)

    def _go(self, state: FlowState, step_id: str, ctx: Context) -> Outcome:
        if not step_id:
            return self._finish(state.answers, ctx)
        if step_id not in INDEX and step_id != SEE_DOCTOR:
            step_id = STEPS[0].id
        nxt = state.at(step_id)
        return Outcome(nxt, self.current(nxt, ctx))

    def _interlude(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        """The see-a-doctor and crisis screens: carry on with the self-check, or stop."""
        t = ctx.t
        token = event.value if isinstance(event, Press) else None
        if state.step == SEE_DOCTOR:
            if token == CONTINUE:
                return self._go(
                    state.at(SEE_DOCTOR, see_doctor_continued=True),
                    STEPS[INDEX[sc.RED_SAMEDAY] + 1].id,
                    ctx,
                )
            if token == STOP:
                stop = Reply(t("pain_test.advice.see_doctor_stop", **q.help_lines(ctx)))
                return self._end(state.answers, "see_doctor", (stop,))
            return self._reask(state, ctx, "common.please_use_buttons")
        if token == CONTINUE:
            resume = state.answers.get("crisis_resume", STEPS[0].id)  # "" means the end
            return self._go(state, str(resume), ctx)
        if token == STOP:
            stop = Reply(t("pain_test.crisis.stop", **q.help_lines(ctx)))
            return self._end(state.answers, "see_doctor", (stop,))
        return self._reask(state, ctx, "pain_test.crisis.reask")

    def _reask(self, state: FlowState, ctx: Context, key: str, **params: Any) -> Outcome:
        return reask(state, self.current(state, ctx), ctx.t(key, **params))

    # -- endings ---------------------------------------------------------------------

    def _end(self, answers: Mapping[str, Any], outcome: str, replies: tuple[Reply, ...]) -> Outcome:
        scores = sc.score_answers(answers)
        cards = ("when_to_see_doctor",) if scores.red_flags else ()
        fact = PainTestCompleted(dict(answers), scores.to_dict(), outcome, cards)
        return Outcome(None, replies, (fact,))

    def _finish(self, answers: Mapping[str, Any], ctx: Context) -> Outcome:
        scores = sc.score_answers(answers)
        cards = sc.recommended_cards(scores)
        fact = PainTestCompleted(dict(answers), scores.to_dict(), "complete", cards)
        taken_on = _taken_on(ctx.history.get("previous_test_taken_at"), ctx.timezone, ctx.t)
        return Outcome(None, result_replies(scores, ctx, taken_on), (fact,))


def _replaces_question(before: FlowState, outcome: Outcome) -> bool:
    """Whether the reply takes the place of the question answered: from a question to
    the next one (or the same, ticked) or to the profile, which restates the answers.
    Advice to see a doctor and the crisis lines come as new messages, and a press on
    the advice's own buttons leaves it where it is: those stay in the chat."""
    if before.step not in INDEX:
        return False
    if outcome.state is not None:
        return outcome.state.step in INDEX
    return any(isinstance(f, PainTestCompleted) and f.outcome == "complete" for f in outcome.facts)


def _taken_on(value: object, timezone: str, t: Translator) -> str:
    """ "3 November 2026" in the user's zone from an ISO instant, or "" if unreadable."""
    if not isinstance(value, str) or len(value) > 64:
        return ""
    try:
        when = datetime.fromisoformat(value)
        zone = ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return format_long_date(when.astimezone(zone).date(), t.language)
