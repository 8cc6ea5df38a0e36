"""What each step of the exercise flow shows: the menus, the guide's steps, the graded
walk's questions and the closing rating. The flow (:mod:`flows.exercises.flow`) decides
which step comes next; these functions only draw it.
"""

from __future__ import annotations

from collections.abc import Mapping

from flows import caution as cn
from flows.exercises.library import Exercise
from flows.exercises.state import (
    BACK,
    CATEGORY,
    CLOSE,
    LESS,
    LONGER,
    NAME,
    NEXT,
    NOT_WALKED,
    RATE,
    SAME,
    SCORE_VALUES,
    SKIP,
    STOP,
    UP,
    WALK_BASE,
    WALK_DONE,
    WALK_LEVEL,
    categories,
    caution,
    walk_options,
    walk_plan,
)
from flows.exercises.walking import (
    DAYS_BEFORE_RAISE,
    WALK_BASELINES,
    WALK_ID,
    half_walk,
    walk_durations,
    walk_minutes,
)
from flows.runtime import Choice, Context, FlowState, Reply

CATEGORY_LABELS: Mapping[str, str] = {
    "breathing": "exercises.categories.breathing",
    "relaxation": "exercises.categories.relaxation",
    "movement": "exercises.categories.movement",
    "mobility": "exercises.categories.mobility",
    "strength": "exercises.categories.strength",
    "pacing": "exercises.categories.pacing",
}
"""Each category's menu label (one per :data:`flows.exercises.library.CATEGORIES`)."""

RATE_QUESTIONS: Mapping[str, str] = {
    "stress": "exercises.rate.stress",
    "movement": "exercises.rate.movement",
    "pain": "exercises.rate.pain",
}
"""The closing question per kind: tension after a calming one, pain after the others."""


def another(ctx: Context) -> tuple[tuple[Choice, ...], ...]:
    """The button that ends every exercise: the way back to the list."""
    return ((Choice(ctx.t("exercises.another"), command=NAME),),)


def question(state: FlowState, library: Mapping[str, Exercise], ctx: Context) -> Reply:
    """The question of every step but the guide itself; a step missing what it needs shows
    the menu, which is always a safe place."""
    t = ctx.t
    step = state.step
    stop_row = (Choice(t("exercises.stop"), STOP, means="stop"),)
    if step == CATEGORY and state.answers.get("category") in categories(library, state):
        category = str(state.answers["category"])
        rows = [
            (Choice(menu_label(ex, ctx), ex.id),)
            for ex in library.values()
            if ex.category == category
        ]
        rows.append((Choice(t("exercises.back"), BACK, means="back"),))
        text = t("exercises.category_prompt", category=t(CATEGORY_LABELS[category]))
        return Reply(text, tuple(rows))
    exercise = library.get(str(state.answers.get("exercise")))
    if step == WALK_BASE and exercise is not None:
        buttons = tuple(
            Choice(t("exercises.walk.minutes_button", minutes=minutes), str(minutes))
            for minutes in WALK_BASELINES
        )
        return Reply(f"{exercise.title}\n\n{t('exercises.walk.baseline')}", (buttons, stop_row))
    if step == WALK_LEVEL and exercise is not None:
        return Reply(
            f"{exercise.title}\n\n{walk_text(state, ctx)}",
            (*walk_rows(state, ctx), stop_row),
        )
    if step == WALK_DONE and exercise is not None:
        return Reply(exercise.closing, walked_rows(state, ctx))
    if step == RATE and exercise is not None:
        scale = (
            tuple(Choice(value, value) for value in SCORE_VALUES[:6]),
            tuple(Choice(value, value) for value in SCORE_VALUES[6:]),
            (Choice(t("common.skip"), SKIP, means="skip"),),
        )
        return Reply(t(RATE_QUESTIONS[exercise.kind]), scale)
    # MENU, and any step without what it needs: the menu is always a safe place.
    menu = [
        (Choice(t(CATEGORY_LABELS[category]), category),) for category in categories(library, state)
    ]
    menu.append((Choice(t("exercises.close"), CLOSE, means="stop"),))
    calm_only = caution(state) is not None
    return Reply(t("caution.calm_menu" if calm_only else "exercises.menu"), tuple(menu))


def intro(exercise: Exercise, state: FlowState, ctx: Context) -> Reply:
    """How long it takes first (today's walk for the graded walk), then when to stop."""
    t = ctx.t
    level = walk_minutes(state.answers.get("level"))
    minutes = level if level is not None else exercise.duration_min
    parts = [t("exercises.header", title=exercise.title, minutes=minutes), exercise.intro]
    if level is not None:
        parts.append(t("exercises.walk.today", minutes=level, half=half_walk(level)))
    if exercise.safety:
        parts.append(t("exercises.safety_marker") + exercise.safety)
    open_caution = caution(state)
    if open_caution is not None:
        parts.append(cn.line(open_caution, ctx))
    return Reply("\n\n".join(parts))


def guide_step(exercise: Exercise, index: int, ctx: Context) -> Reply:
    """One step at a time, each one tap away, so nobody has to read a wall of text."""
    t = ctx.t
    progress = t("exercises.progress", number=index + 1, total=len(exercise.steps))
    return Reply(
        f"{progress}\n\n{exercise.steps[index]}",
        (
            (
                Choice(t("exercises.next"), NEXT, means="continue"),
                Choice(t("exercises.stop"), STOP, means="stop"),
            ),
        ),
    )


def menu_label(exercise: Exercise, ctx: Context) -> str:
    """An exercise's button, with its length: a short one someone does beats a long one."""
    if exercise.id == WALK_ID:
        return exercise.title  # its length is the user's own level, not a fixed time
    return ctx.t("exercises.menu_minutes", title=exercise.title, minutes=exercise.duration_min)


def walk_text(state: FlowState, ctx: Context) -> str:
    """Today's plan and why: up by plan after enough days, else the same."""
    prev, days, planned = walk_plan(state)
    if planned > prev:
        return ctx.t("exercises.walk.propose_up", current=prev, days=days, next=planned)
    return ctx.t("exercises.walk.propose_same", current=prev, days=days, needed=DAYS_BEFORE_RAISE)


def walk_rows(state: FlowState, ctx: Context) -> tuple[tuple[Choice, ...], ...]:
    """A button per option of :func:`flows.exercises.state.walk_options`."""
    options = walk_options(state)
    labels = {
        UP: "exercises.walk.go_up",
        SAME: "exercises.walk.keep_same" if UP in options else "exercises.walk.go_same",
        LESS: "exercises.walk.a_bit_less",
    }
    return tuple(
        (Choice(ctx.t(labels[value], minutes=minutes), value),)
        for value, minutes in options.items()
    )


def walked_rows(state: FlowState, ctx: Context) -> tuple[tuple[Choice, ...], ...]:
    """A button per duration (the plan first), then "longer" and "I didn't walk"."""
    t = ctx.t
    planned = walk_minutes(state.answers.get("level")) or WALK_BASELINES[0]
    durations = tuple(
        Choice(
            t(
                "exercises.walk.walked_planned_button"
                if minutes == planned
                else "exercises.walk.minutes_button",
                minutes=minutes,
            ),
            str(minutes),
        )
        for minutes in walk_durations(planned)
    )
    rows = (
        durations[:1],
        durations[1:],
        (Choice(t("exercises.walk.walked_longer"), LONGER),),
        (Choice(t("exercises.walk.walked_none"), NOT_WALKED),),
    )
    return tuple(row for row in rows if row)
