"""The self-check's questions: the step specs, how an answer is read, how a question
and the safety screens between questions are shown.

Why a generic engine over data: the questions are a list of :class:`Step` specs (id,
kind, option values, number range) whose texts live in ``content/<lang>/pain_test.toml``
under ``pain_test.steps.<id>``, so adding or reordering a question is a one-line change
and every question behaves the same way. The flow (:mod:`flows.pain_test`) decides
where each answer leads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flows import helplines
from flows import scoring as sc
from flows.i18n import Translator
from flows.runtime import Choice, Context, Event, FlowState, Press, Reply
from flows.safety import Signal, screen_of

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


def step_of(state: FlowState) -> Step:
    """The question a state is on; a step this version does not know is the first."""
    return STEPS[INDEX.get(state.step, 0)]


_NUMBER = re.compile(r"([0-9]{1,2})(?:\s*/\s*([0-9]{1,2}))?")


def token(step: Step, event: Event) -> str | None:
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


def value_of(step: Step, token: str | None) -> str | int | None:
    """A valid stored answer for a single or scale step, or None: never out of range."""
    if token is None:
        return None
    if step.kind == "scale":
        if token.isascii() and token.isdigit() and len(token) <= 2:
            number = int(token)
            return number if step.lo <= number <= step.hi else None
        return None
    return token if token in step.options else None


def selection(value: object, step: Step) -> list[str]:
    """The stored ticks of a multi step, in option order, ignoring anything unknown."""
    if not isinstance(value, list):
        return []
    return [o for o in step.options if o in value]


def mentions_crisis(text: str, t: Translator) -> bool:
    """Typed words of despair or self-harm: the safety screen's own list
    (``safety.crisis_words``), so there is one list to keep complete.

    The conversation engine screens every typed message before a flow sees it; this
    check keeps the self-check safe on its own too (the flow is pure and may be driven
    without the engine). It is the engine's own screen, for this language's lists, so
    both read a sentence the same way ("skills" never matches "kill").
    """
    return screen_of([t]).check(text) is Signal.CRISIS


# -- rendering questions -------------------------------------------------------------


def question(step: Step, answers: Mapping[str, Any], t: Translator) -> Reply:
    """A question with its progress, its earlier answer ticked and a way back, so a
    person can correct themselves without starting again."""
    i = INDEX[step.id]
    text = "\n\n".join(
        (
            t("pain_test.progress", step=i + 1, total=len(STEPS)),
            t(f"pain_test.steps.{step.id}.question"),
        )
    )
    if step.kind == "multi":
        text += "\n\n" + t("pain_test.multi_hint")
    back = (Choice(t("common.back"), BACK, means="back"),) if i > 0 else ()
    rows: list[tuple[Choice, ...]]
    if step.kind == "multi":
        picked = selection(answers.get(step.id), step)
        rows = [
            (_choice(t(f"pain_test.steps.{step.id}.options.{o}"), o, o in picked, t),)
            for o in step.options
        ]
        if step.none:
            rows.append((Choice(t("pain_test.buttons.none"), NONE, means="none"),))
        rows.append((*back, Choice(t("common.done"), DONE, means="done")))
        return Reply(text, tuple(rows))
    chosen = answers.get(step.id)
    if step.kind == "single":
        rows = [
            (_choice(t(f"pain_test.steps.{step.id}.options.{o}"), o, o == chosen, t),)
            for o in step.options
        ]
    elif step.labels:
        names = t.list(f"pain_test.scales.{step.labels}")
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
    shown = t("pain_test.checked", label=label) if checked else label
    return Choice(shown, value, means=_MEANS.get(value, ""))


def help_lines(ctx: Context) -> dict[str, str]:
    """Help-line numbers for the user's country, for the texts that show them."""
    return helplines.fills(ctx.t, ctx.timezone)


def see_doctor_reply(ctx: Context) -> Reply:
    """Same-day signs: the advice first, then the person chooses to carry on or stop."""
    t = ctx.t
    return Reply(
        t("pain_test.advice.see_doctor", **help_lines(ctx)),
        (
            (Choice(t("pain_test.buttons.cont"), CONTINUE, means="continue"),),
            (Choice(t("pain_test.buttons.stop"), STOP, means="stop"),),
        ),
    )


CRISIS_INTROS: Mapping[str, str] = {
    "safety": "pain_test.crisis.safety",
    "hopeless": "pain_test.crisis.hopeless",
    "typed": "pain_test.crisis.typed",
}
"""What the crisis screen says first, by what brought the person there."""


def crisis_replies(ctx: Context, reason: str) -> tuple[Reply, ...]:
    """The crisis lines before anything else is asked, then carry on or stop."""
    t = ctx.t
    intro = CRISIS_INTROS.get(reason, "pain_test.crisis.safety")
    return (
        Reply(t(intro) + "\n\n" + t("pain_test.crisis.lines", **help_lines(ctx))),
        Reply(
            t("pain_test.crisis.choose"),
            (
                (Choice(t("pain_test.buttons.cont"), CONTINUE, means="continue"),),
                (Choice(t("pain_test.buttons.stop"), STOP, means="stop"),),
            ),
        ),
    )
