"""What /today shows: the words and buttons of each step of a day's session.

Kept apart from :mod:`flows.today_flow`, which decides which step comes next and what
is recorded: these functions only turn a planned day into replies (the header, each
part's card, the exercise block, the questions at the end), so the flow's logic reads
without the wording in the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from flows import helplines
from flows import programme_day as pd
from flows.exercises.library import load_library
from flows.programme.calendar import position
from flows.programme.content import lesson_keys, week_key
from flows.programme.plan import DayPlan
from flows.programme.records import FEEDBACKS
from flows.runtime import Choice, Context, Reply

GO, OK, SKIP, LATER = "go", "ok", "skip", "later"
WALK_OPTIONS: Final = (5, 10, 15, 20, 30, 45)
"""Minutes walked, as buttons; any other number from 1 to 60 can be typed."""


def end_reply(plan: DayPlan, day: pd.Day, ctx: Context) -> Reply:
    """The session's last words: a rest day, done (with the streak), or parts skipped."""
    t = ctx.t
    if "rest" in plan.flags:
        return Reply(t("programme.ui.today.rest"))
    if pd.done_today(plan, day):
        return Reply(t("programme.ui.today.done", streak=pd.streak_text(ctx, day)))
    return Reply(t("programme.ui.today.skipped_end"))


def header(plan: DayPlan, day: pd.Day, ctx: Context) -> str:
    """Where the person is ("Week 3 · Day 2", the theme), with the week's introduction
    on its first day."""
    assert day.state is not None
    t = ctx.t
    where = position(day.state, day.today)
    head = t(
        "programme.ui.status_head",
        label=pd.label_text(ctx, plan.label),
        theme=pd.theme_text(ctx, where.week),
    )
    if day.session() is None and where.day == 1:
        if where.maintenance and where.week == 13:
            return f"{head}\n\n{t('programme.maintenance.intro')}"
        if not where.maintenance:
            return f"{head}\n\n{t(f'programme.weeks.{week_key(where.week)}.intro')}"
    return head


def part_reply(
    part: str, block_done: Sequence[str], day: pd.Day, plan: DayPlan, ctx: Context
) -> Reply:
    """The step for one part of the day, with "Skip for now" and "Later"."""
    t = ctx.t
    later = (
        Choice(t("programme.ui.today.skip"), SKIP),
        Choice(t("programme.ui.today.later_button"), LATER),
    )
    if part == "checkin":
        return choice_reply(
            t("programme.ui.today.checkin"),
            Choice(t("programme.ui.today.checkin_button"), GO),
            later,
        )
    if part == "reassurance":
        flare = day.state.flare if day.state is not None else None
        first = flare is not None and flare.started_on == day.today
        text = t("programme.flare.intro" if first else "programme.flare.day")
        return choice_reply(text, Choice(t("programme.ui.today.continue"), OK), later)
    if part == "review":
        lines = t("programme.ui.today.review", **helplines.fills(t, ctx.timezone))
        signs = Choice(t("programme.ui.today.review_button"), command="test!")
        return Reply(
            f"{t('programme.flare.long')}\n\n{lines}",
            ((signs,), (Choice(t("programme.ui.today.continue"), OK),), later),
        )
    if part == "lesson" and plan.lesson is not None:
        title, text = lesson_keys(plan.lesson.lesson_id)
        card = f"📖 {t(title)}\n\n{t(text)}"
        if plan.lesson.sleep_card:
            card = f"{t('programme.ui.today.sleep_card')}\n\n{card}"
        return choice_reply(card, Choice(t("programme.ui.today.read"), OK), later)
    if part == "exercises":
        return exercises_reply(block_done, plan, ctx, later)
    if part == "skill" and plan.skill is not None:
        exercise = load_library(t)[plan.skill.exercise_id]
        text = t("programme.ui.today.skill", title=exercise.title, minutes=exercise.duration_min)
        if "stress_skill" in plan.flags:
            text = f"{t('programme.cards.stress.title')}\n\n{t('programme.cards.stress.text')}"
        return choice_reply(text, Choice(t("programme.ui.today.start_button"), GO), later)
    if part == "activity" and plan.activity is not None:
        goal = plan.activity
        if goal.short_walks:
            text = t("programme.ui.today.walk_flare", minutes=goal.minutes)
        elif goal.minutes is None:
            text = t("programme.ui.today.walk_baseline")
        else:
            text = t("programme.ui.today.walk_goal", minutes=goal.minutes)
        options = [Choice(t("programme.ui.today.walked", minutes=m), str(m)) for m in WALK_OPTIONS]
        rows = tuple(tuple(options[i : i + 3]) for i in range(0, len(options), 3))
        return Reply(text, (*rows, later))
    return Reply(t("common.please_use_buttons"), (later,))


def exercises_reply(
    block_done: Sequence[str], plan: DayPlan, ctx: Context, later: tuple[Choice, ...]
) -> Reply:
    """The block's list before it starts; the next exercise once it is under way."""
    t = ctx.t
    library = load_library(t)
    upcoming = next_exercise(block_done, plan)
    if block_done and upcoming is not None:
        exercise = library[upcoming]
        text = t(
            "programme.ui.today.exercise_next", title=exercise.title, minutes=exercise.duration_min
        )
        return choice_reply(text, Choice(t("programme.ui.today.next_button"), GO), later)
    listed = "\n".join(
        t(
            "programme.ui.today.exercise_line",
            title=library[e].title,
            minutes=library[e].duration_min,
        )
        for e in plan.exercises
        if e in library
    )
    minutes = sum(library[e].duration_min for e in plan.exercises if e in library)
    key = (
        "programme.ui.today.exercises_flare"
        if "flare" in plan.flags
        else "programme.ui.today.exercises"
    )
    text = t(key, minutes=minutes, level=plan.level, exercises=listed)
    return choice_reply(text, Choice(t("programme.ui.today.start_button"), GO), later)


def goal_question(offered: Sequence[str], ctx: Context) -> Reply:
    t = ctx.t
    rows = tuple((Choice(t(f"programme.goals.{goal}"), goal),) for goal in offered)
    return Reply(
        t("programme.ui.today.goal_question"),
        (*rows, (Choice(t("programme.ui.today.skip"), SKIP),)),
    )


def feedback_question(ctx: Context) -> Reply:
    t = ctx.t
    options = tuple(Choice(t(f"programme.ui.today.feedback.{value}"), value) for value in FEEDBACKS)
    return Reply(t("programme.ui.today.feedback_question"), (options,))


def next_exercise(block_done: Sequence[str], plan: DayPlan) -> str | None:
    """The block's first exercise not done yet."""
    done = set(block_done)
    return next((e for e in plan.exercises if e not in done), None)


def choice_reply(text: str, main: Choice, later: tuple[Choice, ...]) -> Reply:
    """A card with its one main button above "Skip for now" and "Later"."""
    return Reply(text, ((main,), later))
