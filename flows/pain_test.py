"""The back pain self-check (``/test``): a guided questionnaire driven by step specs.

Why a generic engine over data: the questions are a list of :class:`Step` specs (id,
kind, option values, number range) whose texts live in ``content/<lang>/pain_test.toml``
under ``pain_test.steps.<id>``. One small engine asks them, validates answers, goes
back, shows progress and draws its own diagram, so adding or reordering a question is a
one-line change and every question behaves the same way.

Safety comes before the self-check and interrupts it: emergency signs end it at once,
same-day signs advise a doctor and let the person choose, and any sign of hopelessness
or self-harm shows the crisis lines before anything else is asked. Scoring lives in
:mod:`flows.scoring`; this module only asks, stores and renders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows import caution as cn
from flows import helplines
from flows import scoring as sc
from flows.advice import advise
from flows.formatting import format_long_date
from flows.i18n import Translator
from flows.runtime import (
    Choice,
    Context,
    Event,
    FlowState,
    Outcome,
    Press,
    Reply,
    Text,
    in_place,
)
from flows.safety import normalise

NAME = "pain_test"
P = "pain_test"

Kind = Literal["single", "multi", "scale"]

BACK, DONE, NONE, CONTINUE, STOP = "back", "done", "none", "cont", "stop"
SEE_DOCTOR, CRISIS = "see_doctor", "crisis"


@dataclass(frozen=True)
class Step:
    """One question. Texts: ``pain_test.steps.<id>.question``, ``.options.<value>``
    and, where the result lists the choices, ``.summary.<value>``.

    ``scale`` steps take whole numbers ``lo``..``hi``; with ``labels`` (a list key under
    ``pain_test.scales``) each number gets a labelled button of its own.
    """

    id: str
    kind: Kind
    options: tuple[str, ...] = ()
    none: bool = False
    lo: int = 0
    hi: int = 10
    labels: str = ""


def _agree(step_id: str) -> Step:
    return Step(step_id, "single", (sc.AGREE, sc.DISAGREE))


STEPS: tuple[Step, ...] = (
    Step(sc.RED_EMERGENCY, "multi", sc.EMERGENCY_FLAGS, none=True),
    Step(sc.RED_SAMEDAY, "multi", sc.SAMEDAY_FLAGS, none=True),
    Step(sc.WHERE, "multi", sc.AREAS),
    Step(sc.PAIN_NOW, "scale"),
    Step(sc.PAIN_AVG, "scale"),
    Step(sc.SINCE, "single", sc.SINCE_OPTIONS),
    Step(sc.WORSE, "multi", sc.AGGRAVATORS, none=True),
    Step(sc.PHYSICAL, "multi", sc.PHYSICAL_FACTORS, none=True),
    Step(sc.FUNCTION, "multi", sc.FUNCTION_ITEMS, none=True),
    Step(sc.BOTHER, "scale", lo=0, hi=4, labels="bother"),
    _agree(sc.UNSAFE),
    _agree(sc.TERRIBLE),
    *(Step(key, "scale", lo=0, hi=4, labels="pss") for key in sc.PSS4_KEYS),
    Step(sc.LIFE_EVENTS, "multi", sc.EVENTS, none=True),
    *(Step(key, "scale", lo=0, hi=3, labels="phq") for key in sc.PHQ4_KEYS),
    Step(sc.SAFETY, "single", (sc.NO, sc.YES)),
    *(Step(key, "scale", lo=0, hi=6) for key in sc.PSEQ2_KEYS),
)
INDEX: dict[str, int] = {step.id: i for i, step in enumerate(STEPS)}
RESERVED = frozenset({BACK, DONE, NONE, CONTINUE, STOP})

MAX_TYPED = 200
"""Typed answers longer than this are never a number or an option: re-ask at once."""


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
        intro = Reply(ctx.t(f"{P}.intro", total=len(STEPS)))
        return Outcome(state, (intro, *self.current(state, ctx)))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        if state.step == SEE_DOCTOR:
            return (_see_doctor_reply(ctx),)
        if state.step == CRISIS:
            return _crisis_replies(ctx, str(state.answers.get("crisis_reason", "")))
        return (_question(_step(state), state.answers, ctx.t),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        outcome = self._handle(state, event, ctx)
        return in_place(outcome) if _replaces_question(state, outcome) else outcome

    def _handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        t = ctx.t
        if state.step not in INDEX and state.step not in (SEE_DOCTOR, CRISIS):
            fresh = FlowState(self.name, STEPS[0].id, {})  # saved by an older version
            return Outcome(fresh, self.current(fresh, ctx))
        if isinstance(event, Text) and state.step != CRISIS and _mentions_crisis(event.text, t):
            nxt = state.at(
                CRISIS, crisis_reason="typed", crisis_resume=state.step, crisis_shown=True
            )
            return Outcome(nxt, self.current(nxt, ctx), (CrisisShown(),))
        if state.step in (SEE_DOCTOR, CRISIS):
            return self._interlude(state, event, ctx)
        step = STEPS[INDEX[state.step]]
        token = _token(step, event)
        if token == BACK and INDEX[step.id] > 0:
            prev = state.at(STEPS[INDEX[step.id] - 1].id)
            return Outcome(prev, self.current(prev, ctx))
        if step.kind == "multi":
            return self._multi(state, step, token, ctx)
        value = _value(step, token)
        if value is None:
            key = "common.not_a_number" if step.kind == "scale" else f"{P}.invalid.{step.kind}"
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
        picked = _selection(state.answers.get(step.id), step)
        if token in step.options:
            toggled = [o for o in step.options if (o in picked) != (o == token)]
            nxt = state.at(step.id, **{step.id: toggled})
            return Outcome(nxt, self.current(nxt, ctx))
        if token == NONE and step.none and picked:
            # Contradicts the ticks: on the red-flag screens, never drop a tick silently.
            return self._reask(state, ctx, f"{P}.invalid.none_but_picked")
        if token == NONE and step.none:
            return self._answered(state.at(step.id, **{step.id: []}), step, ctx)
        if token == DONE and picked:
            return self._answered(state.at(step.id, **{step.id: picked}), step, ctx)
        if token == DONE:
            key = f"{P}.invalid.pick_or_none" if step.none else f"{P}.invalid.pick_one"
            return self._reask(state, ctx, key)
        return self._reask(state, ctx, f"{P}.invalid.multi")

    def _answered(self, state: FlowState, step: Step, ctx: Context) -> Outcome:
        """Route after a valid answer: safety exits first, then the next question."""
        value = state.answers.get(step.id)
        i = INDEX[step.id]
        following = STEPS[i + 1].id if i + 1 < len(STEPS) else ""
        if step.id == sc.RED_EMERGENCY and value:
            advice = (Reply(ctx.t(f"{P}.advice.emergency", **_lines(ctx))),)
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
                stop = Reply(t(f"{P}.advice.see_doctor_stop", **_lines(ctx)))
                return self._end(state.answers, "see_doctor", (stop,))
            return self._reask(state, ctx, "common.please_use_buttons")
        if token == CONTINUE:
            resume = state.answers.get("crisis_resume", STEPS[0].id)  # "" means the end
            return self._go(state, str(resume), ctx)
        if token == STOP:
            stop = Reply(t(f"{P}.crisis.stop", **_lines(ctx)))
            return self._end(state.answers, "see_doctor", (stop,))
        return self._reask(state, ctx, f"{P}.crisis.reask")

    def _reask(self, state: FlowState, ctx: Context, key: str, **params: Any) -> Outcome:
        return Outcome(state, (Reply(ctx.t(key, **params)), *self.current(state, ctx)))

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
        return Outcome(None, result_replies(scores, ctx), (fact,))


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


# -- reading events ------------------------------------------------------------------


def _step(state: FlowState) -> Step:
    return STEPS[INDEX.get(state.step, 0)]


_NUMBER = re.compile(r"([0-9]{1,2})(?:\s*/\s*([0-9]{1,2}))?")


def _token(step: Step, event: Event) -> str | None:
    """The button value an event stands for, or None when it means nothing here.

    Typed labels, "yes"/"no" and number words arrive as presses (flows.typed_answer);
    the flow itself reads only a score out of the scale's own maximum ("3/4").
    """
    if isinstance(event, Press):
        return event.value
    if step.kind == "scale" and len(event.text) <= MAX_TYPED:
        match = _NUMBER.fullmatch(event.text.strip())
        if match and (match.group(2) is None or int(match.group(2)) == step.hi):
            return match.group(1)
    return None


def _value(step: Step, token: str | None) -> str | int | None:
    """A valid stored answer for a single or scale step, or None: never out of range."""
    if token is None:
        return None
    if step.kind == "scale":
        if token.isascii() and token.isdigit() and len(token) <= 2:
            number = int(token)
            return number if step.lo <= number <= step.hi else None
        return None
    return token if token in step.options else None


def _selection(value: object, step: Step) -> list[str]:
    """The stored ticks of a multi step, in option order, ignoring anything unknown."""
    if not isinstance(value, list):
        return []
    return [o for o in step.options if o in value]


def _words(text: str) -> str:
    """Case, accents and punctuation folded the same way as the safety screen."""
    return f" {normalise(text)} "


def _mentions_crisis(text: str, t: Translator) -> bool:
    """Typed words of despair or self-harm: the safety screen's own list
    (``safety.crisis_words``), so there is one list to keep complete.

    The conversation engine screens every typed message before a flow sees it; this
    check keeps the self-check safe on its own too (the flow is pure and may be driven
    without the engine). Whole words only, so "skills" never matches "kill".
    """
    typed = _words(text)
    return any(_words(phrase) in typed for phrase in t.list("safety.crisis_words"))


# -- rendering questions -------------------------------------------------------------


def _question(step: Step, answers: Mapping[str, Any], t: Translator) -> Reply:
    i = INDEX[step.id]
    base = f"{P}.steps.{step.id}"
    text = "\n\n".join((t(f"{P}.progress", step=i + 1, total=len(STEPS)), t(f"{base}.question")))
    if step.kind == "multi":
        text += "\n\n" + t(f"{P}.multi_hint")
    back = (Choice(t("common.back"), BACK, means="back"),) if i > 0 else ()
    rows: list[tuple[Choice, ...]]
    if step.kind == "multi":
        picked = _selection(answers.get(step.id), step)
        rows = [(_choice(t(f"{base}.options.{o}"), o, o in picked, t),) for o in step.options]
        if step.none:
            rows.append((Choice(t(f"{P}.buttons.none"), NONE, means="none"),))
        rows.append((*back, Choice(t("common.done"), DONE, means="done")))
        return Reply(text, tuple(rows))
    chosen = answers.get(step.id)
    if step.kind == "single":
        rows = [(_choice(t(f"{base}.options.{o}"), o, o == chosen, t),) for o in step.options]
    elif step.labels:
        names = t.list(f"{P}.scales.{step.labels}")
        rows = [
            (_choice(f"{n} · {names[n - step.lo]}", str(n), n == chosen, t),)
            for n in range(step.lo, step.hi + 1)
        ]
    else:
        numbers = [_choice(str(n), str(n), n == chosen, t) for n in range(step.lo, step.hi + 1)]
        rows = [tuple(numbers[:6]), tuple(numbers[6:])] if len(numbers) > 7 else [tuple(numbers)]
    if back:
        rows.append(back)
    return Reply(text, tuple(rows))


_MEANS = {sc.AGREE: "yes", sc.DISAGREE: "no", sc.YES: "yes", sc.NO: "no"}
"""Options a typed "yes" or "no" answers (flows.typed_answer)."""


def _choice(label: str, value: str, checked: bool, t: Translator) -> Choice:
    shown = t(f"{P}.checked", label=label) if checked else label
    return Choice(shown, value, means=_MEANS.get(value, ""))


def _lines(ctx: Context) -> dict[str, str]:
    """Help-line numbers for the user's country, for the texts that show them."""
    return helplines.fills(ctx.t, ctx.timezone)


def _see_doctor_reply(ctx: Context) -> Reply:
    t = ctx.t
    return Reply(
        t(f"{P}.advice.see_doctor", **_lines(ctx)),
        (
            (Choice(t(f"{P}.buttons.cont"), CONTINUE, means="continue"),),
            (Choice(t(f"{P}.buttons.stop"), STOP, means="stop"),),
        ),
    )


def _crisis_replies(ctx: Context, reason: str) -> tuple[Reply, ...]:
    t = ctx.t
    intro = reason if reason in ("safety", "hopeless", "typed") else "safety"
    return (
        Reply(t(f"{P}.crisis.{intro}") + "\n\n" + t(f"{P}.crisis.lines", **_lines(ctx))),
        Reply(
            t(f"{P}.crisis.choose"),
            (
                (Choice(t(f"{P}.buttons.cont"), CONTINUE, means="continue"),),
                (Choice(t(f"{P}.buttons.stop"), STOP, means="stop"),),
            ),
        ),
    )


# -- rendering the result ------------------------------------------------------------


def _names(t: Translator, step_id: str, values: Sequence[str]) -> str:
    """Chosen options inside a result sentence: button labels are capitalised and often
    first person ("My fitness..."), so each option has its own in-sentence wording."""
    return ", ".join(t(f"{P}.steps.{step_id}.summary.{v}") for v in values)


def result_replies(scores: sc.Scores, ctx: Context) -> tuple[Reply, ...]:
    """The personal profile, the comparison with last time, and the next steps."""
    t = ctx.t
    r = f"{P}.result"
    lines = [t(f"{r}.title")]
    if scores.pain_now is not None and scores.pain_avg is not None:
        lines.append(t(f"{r}.pain", now=scores.pain_now, avg=scores.pain_avg))
    if scores.areas:
        lines.append(t(f"{r}.where", areas=_names(t, sc.WHERE, scores.areas)))
    if scores.duration:
        lines.append(t(f"{r}.duration.{scores.duration}"))
    if scores.aggravators:
        lines.append(t(f"{r}.worse", items=_names(t, sc.WORSE, scores.aggravators)))
    lines.append(
        t(f"{r}.physical", items=_names(t, sc.PHYSICAL, scores.physical_factors))
        if scores.physical_factors
        else t(f"{r}.physical_none")
    )
    if scores.risk:
        lines.append(t(f"{r}.risk.{scores.risk}"))
    role = advise(scores.to_dict()).stress_role  # the plan's stress reason follows it too
    if role:
        lines.append(t(f"{r}.stress.{role}"))
        reasons = _stress_reasons(scores, t)
        if reasons:
            lines.append(t(f"{r}.stress_reasons", reasons=t(f"{r}.separator").join(reasons)))
    if scores.phq4_band:
        lines.append(t(f"{r}.mood.{scores.phq4_band}"))
    if scores.talk_to_doctor:
        lines.append(t(f"{r}.talk_to_doctor"))
    if scores.pseq2_band:
        lines.append(t(f"{r}.confidence.{scores.pseq2_band}"))
    lines.append(t(f"{r}.not_a_diagnosis"))
    replies = [Reply("\n\n".join(lines))]
    previous = _previous(ctx.history.get("previous_test"))
    if previous is not None:
        text = compare(previous, scores.to_dict(), t)
        if text:
            when = _taken_on(ctx.history.get("previous_test_taken_at"), ctx.timezone, t)
            head = t(f"{r}.compare_since", date=when) if when else t(f"{r}.compare_head")
            replies.append(Reply(head + "\n" + text))
    numbers = _lines(ctx)
    steps = "\n".join(
        t(f"{r}.bullet", text=t(f"{r}.steps.{s}", **numbers)) for s in sc.next_steps(scores)
    )
    replies.append(
        Reply(
            t(f"{r}.steps_title") + "\n" + steps,
            (
                (Choice(t("programme.ui.start_button"), command="programme_start"),),
                (Choice(t(f"{r}.plan_button"), command="plan"),),
                (Choice(t(f"{r}.learn_button"), command="learn"),),
            ),
        )
    )
    return tuple(replies)


def _stress_reasons(scores: sc.Scores, t: Translator) -> list[str]:
    r = f"{P}.result.reason"
    reasons = []
    if "stress" in scores.aggravators:
        reasons.append(t(f"{r}.stress_worse"))
    if scores.pss4_level in ("raised", "high"):
        reasons.append(t(f"{r}.pss_{scores.pss4_level}"))
    if scores.life_events:
        reasons.append(t(f"{r}.events", events=_names(t, sc.LIFE_EVENTS, scores.life_events)))
    if scores.phq4_band in ("mild", "moderate", "severe"):
        reasons.append(t(f"{r}.mood"))
    return reasons


def compare(
    previous_scores: Mapping[str, Any], current_scores: Mapping[str, Any], t: Translator
) -> str:
    """One line per score both results hold, e.g. "Pain now: 6 → 4 (better)"."""
    c = f"{P}.compare"
    lines = []
    for delta in sc.compare_scores(previous_scores, current_scores):
        before, after = delta.before, delta.after
        if delta.key in ("risk", "stress_role"):
            before = t(f"{c}.levels.{delta.before}")
            after = t(f"{c}.levels.{delta.after}")
        lines.append(
            t(
                f"{c}.line",
                name=t(f"{c}.names.{delta.key}"),
                before=before,
                after=after,
                trend=t(f"{c}.trends.{delta.trend}"),
            )
        )
    return "\n".join(lines)


def _previous(value: object) -> Mapping[str, Any] | None:
    """The earlier scores from the bot, as a dict or its JSON text; junk is ignored."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None


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
