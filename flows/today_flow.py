"""/today: what is left of today's programme session, one small step at a time.

A session is the check-in (if today's is not done), the day's lesson card, the exercise
block at the person's level, on some days a relaxation or stress skill, and the walking
goal (docs/CLINICAL.md, "The coaching programme"). People may do part of it and come
back later, so every part is its own step with "Skip for now" and "Later", what is done
is recorded as it happens, and ``/today`` always opens what is left.

The check-in and the exercises are the existing flows, run *inside* this one: their
state is kept in this flow's answers, every event goes to them while they run, and
their facts (a check-in, an exercise finished) are recorded as usual. When one ends,
the day is planned again with what it recorded, so a check-in that shows a flare-up
turns the rest of the day into the gentle flare-up plan at once.

This module decides which step comes next and what is recorded; the words and buttons
of each step are :mod:`flows.today_screens`. It stays one piece (about 400 lines)
because every step's decision reads the same re-planned day and the same inner-flow
state: split further, each part would have to re-derive them.

Facts: :class:`~flows.programme_day.ProgrammeChanged` (the state after planning, a
lesson read, a rating) and :class:`~flows.programme_day.SessionRecorded` (the day's
parts), plus those of the inner flows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from flows import programme_day as pd
from flows import today_screens as sc
from flows.checkin import CheckinFlow, CheckinRecorded
from flows.exercises.flow import ExerciseFlow
from flows.exercises.walking import parse_minutes
from flows.programme.calendar import position
from flows.programme.codec import choice
from flows.programme.goals import choose_goal, goal_of_week, suggest_goals
from flows.programme.keeping_up import engaged
from flows.programme.lessons import mark_read
from flows.programme.levels import after_block
from flows.programme.plan import DayPlan
from flows.programme.records import FEEDBACKS, PARTS, Part
from flows.runtime import (
    Choice,
    Context,
    Event,
    Flow,
    FlowState,
    Outcome,
    Press,
    Reply,
    Text,
    reask,
)
from flows.today_screens import GO, LATER, OK, SKIP, WALK_OPTIONS

NAME: Final = "today"

PART, INNER, FEEDBACK, GOAL = "part", "inner", "feedback", "goal"
STEPS: Final = (PART, INNER, FEEDBACK, GOAL)


INNER_FLOWS: Final[Mapping[str, Flow]] = {"checkin": CheckinFlow(), "exercise": ExerciseFlow()}


@dataclass
class _Turn:
    """What one event changes: the day as it now stands, the facts and the lines said
    before the next step. Facts of the inner flows come first, then the state and the
    session, each at most once, so the store writes every change once."""

    day: pd.Day
    stored: pd.Day
    facts: list[object] = field(default_factory=list)
    lead: list[Reply] = field(default_factory=list)

    def all_facts(self) -> tuple[object, ...]:
        facts = list(self.facts)
        if self.day.state is not None:
            facts += pd.changes(self.stored.state, self.day.state)
        session = self.day.session()
        if session is not None and session != self.stored.session():
            facts.append(pd.SessionRecorded(session.to_dict()))
        return tuple(facts)


class TodayFlow:
    """part (check-in | reassurance | review | lesson | exercises | skill | activity)
    -> inner flow (check-in, exercise) -> feedback -> ... -> done."""

    name = NAME
    needs_consent = True

    def start(self, ctx: Context) -> Outcome:
        day = pd.load_day(ctx)
        if not day.enrolled or day.state is None:
            t = ctx.t
            button = Choice(t("programme.ui.start"), command="programme_start")
            return Outcome(None, (Reply(t("programme.ui.today.not_enrolled"), ((button,),)),))
        work = _Turn(day.with_state(engaged(day.state)), day)
        plan = self._plan(work, ctx)
        if "paused" in plan.flags and work.day.state is not None:
            return self._paused(work, ctx)
        work.lead.insert(0, Reply(sc.header(plan, work.day, ctx)))
        state = FlowState(self.name, PART, {"day": day.today.isoformat(), "skipped": []})
        return self._next(state, work, ctx, plan)

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        day = pd.load_day(ctx)
        if state.step == INNER:
            inner = _inner_state(state)
            flow = INNER_FLOWS.get(inner.flow) if inner is not None else None
            if inner is not None and flow is not None:
                return flow.current(inner, ctx)
        if not day.enrolled or day.state is None:
            return self.start(ctx).replies
        work = _Turn(day, day)
        plan = self._plan(work, ctx)
        if state.step == FEEDBACK:
            return (sc.feedback_question(ctx),)
        if state.step == GOAL:
            return (sc.goal_question(_strings(state.answers.get("offered")), ctx),)
        return (
            sc.part_reply(str(state.answers.get("part")), _block_done(state), work.day, plan, ctx),
        )

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        day = pd.load_day(ctx)
        if (
            state.step not in STEPS
            or not day.enrolled
            or day.state is None
            or state.answers.get("day") != day.today.isoformat()
        ):
            return self.start(ctx)  # a new day, a left programme or an unreadable state
        work = _Turn(day.with_state(engaged(day.state)), day)
        value = event.value if isinstance(event, Press) else None
        if state.step == INNER:
            return self._handle_inner(state, event, work, ctx)
        if value == LATER:
            return Outcome(None, (Reply(ctx.t("programme.ui.today.later")),), work.all_facts())
        plan = self._plan(work, ctx)
        part = str(state.answers.get("part"))
        if state.step == FEEDBACK:
            return self._handle_feedback(state, value, work, plan, ctx)
        if state.step == GOAL:
            return self._handle_goal(state, value, work, ctx)
        if value == SKIP:
            skipped = [*_skipped(state), part]
            return self._next(state.at(PART, skipped=skipped), work, ctx)
        return self._handle_part(state, part, event, work, plan, ctx)

    def holds_unsaved(self, state: FlowState) -> bool:
        """Every part of the day is stored as it is done: leaving loses nothing."""
        return False

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/today, first part left", PART),
            ("", "/today, nothing left, paused or not enrolled", ""),
            (PART, "check-in / exercise / skill: start", INNER),
            (PART, "read / continue / minutes walked (part done)", PART),
            (PART, "skip for now", PART),
            (PART, "later", ""),
            (PART, "last part done", ""),
            (PART, "last part done, no goal this week yet", GOAL),
            (GOAL, "one of three goals (chosen) / skip for now", ""),
            (GOAL, "invalid", GOAL),
            (INNER, "inner flow's step", INNER),
            (INNER, "inner flow ended, more of the block", PART),
            (INNER, "inner flow ended, block done", FEEDBACK),
            (INNER, "inner flow ended", PART),
            (FEEDBACK, "too easy / fine / too hard (rated)", PART),
            (FEEDBACK, "invalid", FEEDBACK),
        ]

    # -- steps -----------------------------------------------------------------------

    def _handle_part(
        self,
        state: FlowState,
        part: str,
        event: Event,
        work: _Turn,
        plan: DayPlan,
        ctx: Context,
    ) -> Outcome:
        value = event.value if isinstance(event, Press) else None
        if part == "activity":
            minutes = _minutes(event)
            if minutes is not None:
                self._done(work, plan, "activity", walk=minutes)
                work.lead.append(Reply(ctx.t("programme.ui.today.walk_noted", minutes=minutes)))
                return self._next(state, work, ctx)
        elif value == GO and part in ("checkin", "exercises", "skill"):
            return self._open_inner(state, part, work, plan, ctx)
        elif value == OK and part in ("reassurance", "review", "lesson"):
            if part == "lesson" and plan.lesson is not None and work.day.state is not None:
                read = mark_read(work.day.state, plan.lesson.lesson_id, work.day.today)
                work.day = work.day.with_state(read)
            self._done(work, plan, choice(part, "part", PARTS))
            return self._next(state, work, ctx)
        if part not in plan.parts:
            return self._next(state, work, ctx)  # the plan moved on meanwhile
        key = (
            "programme.ui.today.walk_invalid" if part == "activity" else "common.please_use_buttons"
        )
        reply = sc.part_reply(part, _block_done(state), work.day, plan, ctx)
        return reask(state, (reply,), ctx.t(key), work.all_facts())

    def _open_inner(
        self, state: FlowState, part: str, work: _Turn, plan: DayPlan, ctx: Context
    ) -> Outcome:
        if part == "checkin":
            name, extra = "checkin", {}
        else:
            exercise = sc.next_exercise(_block_done(state), plan) if part == "exercises" else None
            if part == "skill" and plan.skill is not None:
                exercise = plan.skill.exercise_id
            if exercise is None:
                return self._next(state, work, ctx)
            name, extra = "exercise", {"exercise_id": exercise}
        flow = INNER_FLOWS[name]
        outcome = flow.start(_with_history(ctx, extra))
        opened = state.at(INNER, part=part, exercise=extra.get("exercise_id"))
        return self._after_inner(opened, name, outcome, work, ctx)

    def _handle_inner(self, state: FlowState, event: Event, work: _Turn, ctx: Context) -> Outcome:
        inner = _inner_state(state)
        flow = INNER_FLOWS.get(inner.flow) if inner is not None else None
        if inner is None or flow is None:
            return self._next(state.at(PART), work, ctx)
        outcome = flow.handle(inner, event, ctx)
        return self._after_inner(state, inner.flow, outcome, work, ctx)

    def _after_inner(
        self, state: FlowState, name: str, outcome: Outcome, work: _Turn, ctx: Context
    ) -> Outcome:
        """Pass the inner flow's replies and facts on; when it ends, carry on here."""
        work.facts.extend(outcome.facts)
        if outcome.state is not None:
            inner = {
                "flow": name,
                "step": outcome.state.step,
                "answers": dict(outcome.state.answers),
            }
            return Outcome(state.at(INNER, inner=inner), outcome.replies, work.all_facts())
        # Its closing words, without its own buttons ("another exercise"): the session
        # goes on here.
        work.lead.extend(
            Reply(reply.text, attachment=reply.attachment) for reply in outcome.replies
        )
        part = str(state.answers.get("part"))
        after = state.at(PART, inner=None)
        plan = self._plan(work, ctx)
        if part == "checkin":
            for fact in outcome.facts:
                if isinstance(fact, CheckinRecorded):
                    work.day = work.day.with_checkin(pd.day_rows([asdict(fact)])[0])
            # Checked in for yesterday, or kept today's: either way, not again now.
            return self._next(after.at(PART, skipped=[*_skipped(state), "checkin"]), work, ctx)
        if part == "skill":
            self._done(work, plan, "skill")
            return self._next(after, work, ctx)
        # Finished or stopped, the block moves on: the rating afterwards says how it went.
        block = [*_block_done(state), str(state.answers.get("exercise"))]
        after = after.at(PART, block=block)
        if sc.next_exercise(_block_done(after), plan) is not None:
            return self._next(after, work, ctx, plan)
        question = sc.feedback_question(ctx)
        return Outcome(after.at(FEEDBACK), (*work.lead, question), work.all_facts())

    def _handle_feedback(
        self, state: FlowState, value: str | None, work: _Turn, plan: DayPlan, ctx: Context
    ) -> Outcome:
        if value not in FEEDBACKS:
            note = ctx.t("common.please_use_buttons")
            return reask(state, (sc.feedback_question(ctx),), note, work.all_facts())
        feedback = next(f for f in FEEDBACKS if f == value)
        work.day = work.day.with_session(
            pd.session_with(work.day, plan.level, "exercises", feedback=feedback)
        )
        assert work.day.state is not None
        work.day = work.day.with_state(
            after_block(work.day.state, work.day.sessions, work.day.today)
        )
        work.lead.append(Reply(ctx.t(f"programme.ui.today.rated.{feedback}")))
        return self._next(state.at(PART, block=[]), work, ctx)

    def _handle_goal(
        self, state: FlowState, value: str | None, work: _Turn, ctx: Context
    ) -> Outcome:
        offered = _strings(state.answers.get("offered"))
        if value == SKIP:
            return Outcome(None, (Reply(ctx.t("programme.ui.today.goal_later")),), work.all_facts())
        if value not in offered or work.day.state is None:
            note = ctx.t("common.please_use_buttons")
            return reask(state, (sc.goal_question(offered, ctx),), note, work.all_facts())
        week = position(work.day.state, work.day.today).week
        work.day = work.day.with_state(choose_goal(work.day.state, week, str(value), offered))
        label = ctx.t(f"programme.goals.{value}")
        return Outcome(
            None, (Reply(ctx.t("programme.ui.today.goal_set", goal=label)),), work.all_facts()
        )

    # -- moving on -------------------------------------------------------------------

    def _next(
        self, state: FlowState, work: _Turn, ctx: Context, plan: DayPlan | None = None
    ) -> Outcome:
        """The next part left today, or the end of the session."""
        plan = plan or self._plan(work, ctx)
        left = [part for part in pd.left_today(plan, work.day) if part not in _skipped(state)]
        if not left:
            end = sc.end_reply(plan, work.day, ctx)
            offered = () if state.answers.get("goal_asked") else self._goals(work, ctx)
            if offered:  # the week's goal, once the day's parts are behind
                question = sc.goal_question(offered, ctx)
                ask = Reply(f"{end.text}\n\n{question.text}", question.choices)
                asking = state.at(GOAL, offered=list(offered), goal_asked=True)
                return Outcome(asking, (*work.lead, ask), work.all_facts())
            return Outcome(None, (*work.lead, end), work.all_facts())
        part = left[0]
        reply = sc.part_reply(part, _block_done(state), work.day, plan, ctx)
        return Outcome(state.at(PART, part=part), (*work.lead, reply), work.all_facts())

    def _plan(self, work: _Turn, ctx: Context) -> DayPlan:
        """Plan the day as it now stands; the plan's state becomes the day's, and what
        it changed (a level, a flare-up) is said once, before the next step."""
        plan = pd.plan_of(work.day, pd.content_of(ctx))
        work.day = work.day.with_state(plan.state)
        t = ctx.t
        for event in sorted(plan.events):
            if event == "level_up":
                work.lead.append(Reply(t("programme.ui.today.level_up", level=plan.level)))
            elif event == "level_down":
                work.lead.append(Reply(t("programme.ui.today.level_down", level=plan.level)))
            elif event == "flare_ended":
                work.lead.append(Reply(t("programme.flare.over")))
        return plan

    def _done(
        self,
        work: _Turn,
        plan: DayPlan,
        part: Part,
        *,
        walk: int | None = None,
    ) -> None:
        work.day = work.day.with_session(pd.session_with(work.day, plan.level, part, walk=walk))

    def _paused(self, work: _Turn, ctx: Context) -> Outcome:
        state = work.day.state
        assert state is not None and state.pause is not None
        button = Choice(ctx.t("programme.ui.resume"), command="programme")
        text = ctx.t("programme.ui.today.paused", date=pd.date_text(ctx, state.pause.end))
        return Outcome(None, (Reply(text, ((button,),)),), work.all_facts())

    def _goals(self, work: _Turn, ctx: Context) -> tuple[str, ...]:
        """Three goals to choose from, while this programme week has none (not in
        maintenance, where the week is one session). Asked at the end of a session, so
        it never stands between someone and their exercises."""
        state = work.day.state
        if state is None:
            return ()
        where = position(state, work.day.today)
        if where.maintenance or goal_of_week(state, where.week) is not None:
            return ()
        return suggest_goals(pd.content_of(ctx).goals, state, where.week)


def _with_history(ctx: Context, extra: Mapping[str, Any]) -> Context:
    if not extra:
        return ctx
    return Context(ctx.t, ctx.now, ctx.timezone, {**ctx.history, **extra})


def _inner_state(state: FlowState) -> FlowState | None:
    inner = state.answers.get("inner")
    if not isinstance(inner, Mapping):
        return None
    flow, step, answers = inner.get("flow"), inner.get("step"), inner.get("answers")
    if not isinstance(flow, str) or not isinstance(step, str) or not isinstance(answers, Mapping):
        return None
    return FlowState(flow, step, dict(answers))


def _strings(value: object) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [item for item in value if isinstance(item, str)]


def _skipped(state: FlowState) -> list[str]:
    return _strings(state.answers.get("skipped"))


def _block_done(state: FlowState) -> list[str]:
    return _strings(state.answers.get("block"))


def _minutes(event: Event) -> int | None:
    if isinstance(event, Press):
        return int(event.value) if event.value in {str(m) for m in WALK_OPTIONS} else None
    if isinstance(event, Text):
        return parse_minutes(event.text)
    return None
