"""Guided exercises (/exercise): breathing, relaxation, movement, pacing, step by step.

Guidelines for non-specific back pain favour staying active and calming the stress that
turns pain up (docs/CLINICAL.md), and a short exercise someone actually does beats a long
one they skip. So each exercise is a few one-tap steps with a "Next" button, states its
duration first, and ends with an optional 0-10 "how do you feel now?". This module
decides what each answer leads to; the screens draw it (:mod:`flows.exercises.screens`)
and the bot records the facts (:mod:`flows.exercises.facts`).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any

from flows import caution as cn
from flows import typed_answer
from flows.exercises.facts import ExerciseFinished
from flows.exercises.library import CATEGORIES, Exercise, load_library
from flows.exercises.screens import another, guide_step, intro, question
from flows.exercises.state import (
    BACK,
    CATEGORY,
    CAUTION,
    CLOSE,
    GUIDE,
    LONGER,
    MENU,
    NAME,
    NEXT,
    NOT_WALKED,
    RATE,
    SCORE_VALUES,
    SKIP,
    STEPS,
    STOP,
    WALK_BASE,
    WALK_DONE,
    WALK_LEVEL,
    categories,
    caution,
    keeps,
    kept_from_start,
    step_index,
    walk_options,
)
from flows.exercises.walking import (
    BASELINE_VALUES,
    WALK_ID,
    history_days,
    history_level,
    parse_minutes,
    walk_durations,
    walk_minutes,
)
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, Text, reask
from flows.streaks import parse_score


class ExerciseFlow:
    """menu -> category -> [walk_base | walk_level] -> guide (step n/N) -> rate -> done.

    ``ctx.history`` keys read at :meth:`start` (all optional; copied into the state so
    later turns do not depend on them):

    - ``exercise_id``: str, an exercise id; set when a reminder's "Start" button opens
      the flow, which then skips the menu. An unknown id shows the menu with a note.
    - ``walking_level``: int minutes of the last completed graded walk, or None (first
      time: ask for a baseline).
    - ``walking_days_at_level``: int, local days before today with a completed graded
      walk at that level (:func:`flows.exercises.walking.days_before`).
    - ``caution``: ``{"kind", "raised_at"}`` of advice to see a doctor that still stands
      (:class:`flows.caution.Caution`). The flow then asks first whether a doctor has
      seen the user; until they say yes, only calm exercises are offered and each one
      carries the caution.
    - ``caution_answered``: True when the user has just answered "not yet" elsewhere
      (the plan), so the calm exercises come without asking again.
    - ``keeps_log``: False when the user has not agreed to storing data. The exercises
      stay open to them (they need nothing stored); the flow then records nothing, asks
      for no rating and says so at the end.

    Facts (only while ``keeps_log``, :mod:`flows.exercises.facts`): ``ExerciseFinished``
    when the guided steps end (rated, skipped or stopped early);
    :class:`flows.caution.CautionCleared` when the user says a doctor has seen them.
    """

    name = NAME
    needs_consent = False

    # -- protocol ------------------------------------------------------------------------

    def start(self, ctx: Context) -> Outcome:
        caution = cn.Caution.of(ctx.history.get("caution"))
        base: dict[str, Any] = {
            "walk_prev": history_level(ctx.history.get("walking_level")),
            "walk_days": history_days(ctx.history.get("walking_days_at_level")),
            "caution": caution.to_dict() if caution else None,
            "keep": ctx.history.get("keeps_log") is not False,
        }
        wanted = ctx.history.get("exercise_id")
        if caution is not None and ctx.history.get("caution_answered") is not True:
            kept = wanted if isinstance(wanted, str) else None
            asking = FlowState(self.name, CAUTION, {**base, "wanted": kept})
            return Outcome(asking, (cn.question(caution, ctx),))
        return self._start_at(FlowState(self.name, MENU, base), wanted, ctx)

    def _start_at(self, state: FlowState, wanted: object, ctx: Context) -> Outcome:
        """The exercise asked for (a reminder's Start), or else the menu."""
        library = load_library(ctx.t)
        exercise = library.get(wanted) if isinstance(wanted, str) else None
        if exercise is not None and exercise.category in categories(library, state):
            return self._open(state, exercise, ctx)
        note = ctx.t("exercises.unknown_exercise") if wanted and exercise is None else None
        return self._ask(state, ctx, note)

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        open_caution = caution(state)
        if state.step == CAUTION and open_caution is not None:
            return (cn.question(open_caution, ctx),)
        library = load_library(ctx.t)
        exercise = library.get(str(state.answers.get("exercise")))
        if state.step == GUIDE and exercise is not None:
            index = step_index(state, exercise)
            if index == 0:
                return (intro(exercise, state, ctx), guide_step(exercise, index, ctx))
            return (guide_step(exercise, index, ctx),)
        return (question(state, library, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        library = load_library(ctx.t)
        step = state.step
        exercise = library.get(str(state.answers.get("exercise")))
        if step not in STEPS or (
            step in (WALK_BASE, WALK_LEVEL, GUIDE, WALK_DONE, RATE) and (exercise is None)
        ):
            # A state this version cannot read (content renamed, old format): pick again.
            return self._ask(
                FlowState(self.name, MENU, kept_from_start(state)),
                ctx,
                ctx.t("exercises.restarted"),
            )
        if step == CAUTION:
            return self._handle_caution(state, event, ctx)
        if step == MENU:
            return self._handle_menu(state, event, ctx)
        if step == CATEGORY:
            return self._handle_category(state, event, library, ctx)
        assert exercise is not None
        if step == WALK_BASE:
            return self._handle_walk_base(state, event, exercise, ctx)
        if step == WALK_LEVEL:
            return self._handle_walk_level(state, event, exercise, ctx)
        if step == GUIDE:
            return self._handle_guide(state, event, exercise, ctx)
        if step == WALK_DONE:
            return self._handle_walk_done(state, event, exercise, ctx)
        return self._handle_rate(state, event, exercise, ctx)

    def holds_unsaved(self, state: FlowState) -> bool:
        """An exercise under way: it is logged (and a walk counts towards the next step)
        only when it ends. Its first step, the menus and the walk's length lose nothing."""
        index = state.answers.get("index")
        under_way = state.step == GUIDE and isinstance(index, int) and index > 0
        return keeps(state) and (under_way or state.step == RATE)

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/exercise", MENU),
            ("", "reminder Start (exercise_id)", GUIDE),
            ("", "reminder Start, graded walk, first time", WALK_BASE),
            ("", "reminder Start, graded walk", WALK_LEVEL),
            ("", "/exercise or Start while a caution is open", CAUTION),
            (CAUTION, "seen by a doctor, fine to go on (caution cleared)", MENU),
            (CAUTION, "seen by a doctor, the reminder's exercise", GUIDE),
            (CAUTION, "not yet: calm exercises only", MENU),
            (CAUTION, "invalid input", CAUTION),
            (MENU, "category", CATEGORY),
            (MENU, "not now", ""),
            (MENU, "invalid input", MENU),
            (CATEGORY, "back", MENU),
            (CATEGORY, "exercise picked (started)", GUIDE),
            (CATEGORY, "graded walk, first time", WALK_BASE),
            (CATEGORY, "graded walk, level known", WALK_LEVEL),
            (CATEGORY, "invalid input", CATEGORY),
            (WALK_BASE, "baseline minutes (started)", GUIDE),
            (WALK_BASE, "invalid input", WALK_BASE),
            (WALK_BASE, "stop", ""),
            (WALK_LEVEL, "step up / keep the same / a bit less (started)", GUIDE),
            (WALK_LEVEL, "invalid input", WALK_LEVEL),
            (WALK_LEVEL, "stop", ""),
            (GUIDE, "next", GUIDE),
            (GUIDE, "next on the last step", RATE),
            (GUIDE, "next on the last step of the graded walk", WALK_DONE),
            (GUIDE, "next on the last step, no consent: nothing kept, no rating", ""),
            (GUIDE, "invalid input", GUIDE),
            (GUIDE, "stop (finished, not completed)", ""),
            (WALK_DONE, "minutes walked, at most the plan", RATE),
            (WALK_DONE, "didn't walk (finished, not completed)", ""),
            (WALK_DONE, "invalid input", WALK_DONE),
            (RATE, "0-10 or skip (finished, completed)", ""),
            (RATE, "invalid input", RATE),
        ]

    # -- steps ---------------------------------------------------------------------------

    def _handle_caution(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        caution = cn.Caution.of(state.answers.get("caution"))
        wanted = state.answers.get("wanted")
        rest = {key: value for key, value in state.answers.items() if key != "wanted"}
        if caution is None:  # nothing left to ask about
            return self._start_at(
                FlowState(self.name, MENU, {**rest, "caution": None}), wanted, ctx
            )
        choice = cn.answer(event, ctx)
        if choice == cn.SEEN:
            going_on = FlowState(self.name, MENU, {**rest, "caution": None})
            outcome = self._start_at(going_on, wanted, ctx)
            return _preface(outcome, cn.cleared(ctx), cn.CautionCleared())
        if choice == cn.NOT_YET:
            outcome = self._start_at(FlowState(self.name, MENU, rest), wanted, ctx)
            return _preface(outcome, cn.advice(caution, ctx))
        return reask(state, (cn.question(caution, ctx),), ctx.t("caution.reask"))

    def _handle_menu(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        choice = self._pressed(event, (*CATEGORIES, CLOSE))
        if choice == CLOSE:
            return Outcome(None, (Reply(ctx.t("exercises.closed")),))
        if choice in categories(load_library(ctx.t), state):
            return self._ask(state.at(CATEGORY, category=choice), ctx)
        return self._ask(state, ctx, ctx.t("common.please_use_buttons"))

    def _handle_category(
        self, state: FlowState, event: Event, library: Mapping[str, Exercise], ctx: Context
    ) -> Outcome:
        category = state.answers.get("category")
        if category not in categories(library, state):
            return self._ask(state.at(MENU), ctx)
        in_category = {ex.id: ex for ex in library.values() if ex.category == category}
        choice = self._pressed(event, (BACK,))
        if choice == BACK:
            return self._ask(state.at(MENU), ctx)
        if isinstance(event, Press) and event.value in in_category:
            return self._open(state, in_category[event.value], ctx)
        return self._ask(state, ctx, ctx.t("common.please_use_buttons"))

    def _handle_walk_base(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        if self._is_stop(event):
            return Outcome(None, (Reply(ctx.t("exercises.stopped_before_start")),))
        minutes: int | None = None
        if isinstance(event, Press):
            minutes = int(event.value) if event.value in BASELINE_VALUES else None
        else:
            minutes = parse_minutes(event.text) or walk_minutes(
                typed_answer.number(event.text, ctx.t)
            )
        if minutes is None:
            return self._ask(state, ctx, ctx.t("exercises.walk.baseline_invalid"))
        return self._begin(state, exercise, minutes, ctx)

    def _handle_walk_level(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        if self._is_stop(event):
            return Outcome(None, (Reply(ctx.t("exercises.stopped_before_start")),))
        options = walk_options(state)
        value = event.value if isinstance(event, Press) else None
        if value in options:
            return self._begin(state, exercise, options[value], ctx)
        return self._ask(state, ctx, ctx.t("common.please_use_buttons"))

    def _handle_guide(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        level = walk_minutes(state.answers.get("level"))
        if self._is_stop(event):
            lines = [ctx.t("exercises.stopped")]
            if exercise.safety:
                lines.append(ctx.t("exercises.safety_marker") + exercise.safety)
            fact = ExerciseFinished(exercise.id, None, completed=False, level=level)
            return Outcome(None, (Reply("\n\n".join(lines)),), (fact,) if keeps(state) else ())
        choice = self._pressed(event, (NEXT,))
        if choice != NEXT:
            return self._ask(state, ctx, ctx.t("exercises.use_buttons_guide"))
        index = step_index(state, exercise) + 1
        if index < len(exercise.steps):
            nxt = state.at(GUIDE, index=index)
            return Outcome(nxt, (guide_step(exercise, index, ctx),))
        if not keeps(state):  # nothing is kept, so no rating to keep either
            text = f"{exercise.closing}\n\n{ctx.t('exercises.rate.not_kept')}"
            return Outcome(None, (Reply(text, another(ctx)),))
        if exercise.id == WALK_ID and level is not None:
            return self._ask(state.at(WALK_DONE), ctx)  # its closing asks how long it was
        return self._ask(state.at(RATE), ctx, exercise.closing)

    def _handle_walk_done(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        """How long the walk really was: only that is counted, never the plan by itself.
        Longer than planned counts as the plan: the plan, not a good day, steps it up."""
        t = ctx.t
        planned = walk_minutes(state.answers.get("level"))
        if planned is None:  # a walk without today's plan cannot be counted against it
            return self._ask(
                FlowState(self.name, MENU, kept_from_start(state)), ctx, t("exercises.restarted")
            )
        # A typed button label arrives as a press (flows.typed_answer, in the engine).
        choice = event.value if isinstance(event, Press) else None
        if choice == NOT_WALKED:
            fact = ExerciseFinished(exercise.id, None, completed=False, level=planned)
            another = Choice(t("exercises.another"), command=NAME)
            return Outcome(None, (Reply(t("exercises.walk.not_walked"), ((another,),)),), (fact,))
        walked: int | None = planned
        if choice != LONGER and isinstance(event, Press):
            durations = {str(minutes): minutes for minutes in walk_durations(planned)}
            walked = durations.get(event.value)
        elif choice != LONGER and isinstance(event, Text):
            walked = parse_minutes(event.text)
        if walked is None:
            return self._ask(state, ctx, t("exercises.walk.walked_invalid"))
        if choice == LONGER or walked > planned:
            key, walked = "exercises.walk.walked_more", planned
        elif walked == planned:
            key = "exercises.walk.walked_planned"
        else:
            key = "exercises.walk.walked_less"
        said = t(key, walked=walked, planned=planned)
        return self._ask(state.at(RATE, walked=walked), ctx, said)

    def _handle_rate(
        self, state: FlowState, event: Event, exercise: Exercise, ctx: Context
    ) -> Outcome:
        t = ctx.t
        level = walk_minutes(state.answers.get("level"))
        if exercise.id == WALK_ID:
            level = walk_minutes(state.answers.get("walked"))
            if level is None:  # a state from before "how long was it?": ask it now
                return self._ask(state.at(WALK_DONE), ctx)
        rating: int | None = None
        if isinstance(event, Press):
            if event.value != SKIP:
                rating = int(event.value) if event.value in SCORE_VALUES else None
                if rating is None:
                    return self._ask(state, ctx, t("common.not_a_number", lo=0, hi=10))
        else:
            rating = parse_score(event.text)
            if rating is None:
                return self._ask(state, ctx, t("common.not_a_number", lo=0, hi=10))
        lines = [
            t("exercises.rate.saved", rating=rating)
            if rating is not None
            else t("exercises.rate.skipped"),
            t("exercises.rate.well_done"),
        ]
        if exercise.id == WALK_ID:
            lines.append(t("exercises.walk.finished"))
        fact = ExerciseFinished(exercise.id, rating, completed=True, level=level)
        return Outcome(None, (Reply(" ".join(lines), another(ctx)),), (fact,))

    # -- moving between steps --------------------------------------------------------------

    def _open(self, state: FlowState, exercise: Exercise, ctx: Context) -> Outcome:
        """Go into ``exercise``: graded walking first settles today's minutes."""
        if exercise.id == WALK_ID:
            prev = walk_minutes(state.answers.get("walk_prev"))
            step = WALK_BASE if prev is None else WALK_LEVEL
            return self._ask(state.at(step, exercise=exercise.id), ctx)
        return self._begin(state, exercise, None, ctx)

    def _begin(
        self, state: FlowState, exercise: Exercise, level: int | None, ctx: Context
    ) -> Outcome:
        nxt = state.at(GUIDE, exercise=exercise.id, index=0, level=level)
        return Outcome(nxt, self.current(nxt, ctx))

    def _ask(self, state: FlowState, ctx: Context, note: str | None = None) -> Outcome:
        """Show ``state``'s question, after ``note`` (why we ask again, or what came
        before it) if any: the note is said in the question's message (runtime.reask)."""
        replies = self.current(state, ctx)
        return reask(state, replies, note) if note else Outcome(state, replies)

    @staticmethod
    def _pressed(event: Event, options: Container[str]) -> str | None:
        """The option a press picks; typed labels arrive as presses (flows.typed_answer)."""
        return event.value if isinstance(event, Press) and event.value in options else None

    def _is_stop(self, event: Event) -> bool:
        return self._pressed(event, (STOP,)) == STOP


def _preface(outcome: Outcome, text: str, *facts: object) -> Outcome:
    """``outcome`` with ``text`` said first and ``facts`` recorded first."""
    return Outcome(outcome.state, (Reply(text), *outcome.replies), (*facts, *outcome.facts))
