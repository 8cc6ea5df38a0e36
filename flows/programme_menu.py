"""/programme: start the 12-week programme, see where you are, pause, restart or leave.

People stay with a programme they chose and can steer (docs/CLINICAL.md, "The coaching
programme"): so starting asks for the time of the one daily message, the status says
plainly where someone is and what is left today, and pausing for illness or a holiday,
changing the time, starting again and leaving are each one button away. Leaving keeps
the data; the daily message stops and the reminders it replaced come back.

The flow decides; the bot records :class:`~flows.programme_day.ProgrammeEnrolled`,
:class:`~flows.programme_day.ProgrammeChanged`, :class:`DailyTimeChosen` and
:class:`~flows.programme_day.ProgrammeLeft`, and passes the stored programme in
``ctx.history`` (see :mod:`flows.programme_day` for the keys; ``mode`` is ``start``
when the self-check's button opened it, ``time`` for "another time?", and ``suggest``
with ``suggested`` (``HH:MM``) for the later time offered after repeated snoozes, which
changes the time only when the person says yes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Final

from flows import programme_day as pd
from flows.programme import pause as pause_rules
from flows.programme.calendar import label, position
from flows.programme.goals import goal_of_week
from flows.programme.keeping_up import confirm_time, engaged
from flows.programme.state import MAX_PAUSE_DAYS, ProgrammeState
from flows.programme.tracks import enrol
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, Text, reask
from flows.time_input import parse_hhmm

NAME: Final = "programme"

OFFER, TIME, STATUS, PAUSE, RESTART, LEAVE = "offer", "time", "status", "pause", "restart", "leave"
SUGGEST: Final = "suggest"
STEPS: Final = (OFFER, TIME, STATUS, PAUSE, RESTART, LEAVE, SUGGEST)

START, CLOSE, YES, NO = "start", "close", "yes", "no"
DO_PAUSE, DO_RESUME, DO_TIME, DO_RESTART, DO_LEAVE = "pause", "resume", "time", "restart", "leave"

TIMES_OF_DAY: Final[dict[str, time]] = {
    "morning": time(8, 30),
    "lunch": time(12, 30),
    "evening": time(19, 0),
}
"""Three ready-made times: before work, at lunch, after dinner; any other can be typed."""
PAUSE_OPTIONS: Final = (1, 3, 7, 14)
MODE: Final = "mode"
"""History key: ``start`` (from the self-check's button), ``time`` (change the time) or
``suggest`` (confirm the time in :data:`SUGGESTED`)."""
SUGGESTED: Final = "suggested"


@dataclass(frozen=True)
class DailyTimeChosen:
    """The daily message's local time (``HH:MM``): the bot moves its reminder."""

    at: str


def hhmm(at: time) -> str:
    return at.strftime("%H:%M")


class ProgrammeFlow:
    """offer -> time -> (enrolled); status -> pause | time | restart | leave."""

    name = NAME
    needs_consent = True

    def start(self, ctx: Context) -> Outcome:
        day = pd.load_day(ctx)
        mode = ctx.history.get(MODE)
        if not day.enrolled:
            if mode == START:
                return self._ask(FlowState(self.name, TIME, {"enrol": True}), ctx)
            return self._ask(FlowState(self.name, OFFER), ctx)
        if mode == DO_TIME:
            return self._ask(FlowState(self.name, TIME, {"enrol": False}), ctx)
        suggested = parse_hhmm(str(ctx.history.get(SUGGESTED) or ""))
        if mode == SUGGEST and suggested is not None:
            return self._ask(FlowState(self.name, SUGGEST, {SUGGESTED: suggested}), ctx)
        return self._status(day, ctx)

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        if state.step == STATUS:
            return self._status(pd.load_day(ctx), ctx).replies
        return (self._question(state, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        day = pd.load_day(ctx)
        value = event.value if isinstance(event, Press) else None
        if state.step not in STEPS or (state.step not in (OFFER, TIME) and not day.enrolled):
            return self.start(ctx)
        if value == CLOSE or (value == NO and state.step in (RESTART, LEAVE)):
            return Outcome(None, (Reply(ctx.t("programme.ui.closed")),))
        if state.step == OFFER:
            if value == START:
                return self._ask(state.at(TIME, enrol=True), ctx)
            return self._ask(state, ctx, ctx.t("common.please_use_buttons"))
        if state.step == TIME:
            return self._handle_time(state, event, day, ctx)
        assert day.state is not None
        if state.step == SUGGEST:
            return self._handle_suggest(state, value, day, ctx)
        if state.step == PAUSE:
            return self._handle_pause(state, event, day, ctx)
        if state.step == RESTART and value == YES:
            return self._enrolled(day, day.state.at, ctx, restarted=True)
        if state.step == LEAVE and value == YES:
            return Outcome(None, (Reply(ctx.t("programme.ui.left")),), (pd.ProgrammeLeft(),))
        if state.step == STATUS:
            return self._handle_status(state, value, day, ctx)
        return self._ask(state, ctx, ctx.t("common.please_use_buttons"))

    def holds_unsaved(self, state: FlowState) -> bool:
        """Each setting is stored when it is chosen: nothing here waits to be saved."""
        return False

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/programme, not enrolled", OFFER),
            ("", "the self-check's button, not enrolled", TIME),
            ("", "/programme, enrolled", STATUS),
            ("", "another time? (from the daily message)", TIME),
            ("", "a later time, after repeated snoozes", SUGGEST),
            (SUGGEST, "yes (time changed)", ""),
            (SUGGEST, "no (time kept)", ""),
            (OFFER, "start", TIME),
            (OFFER, "not now", ""),
            (TIME, "morning / lunch / evening / typed time (enrolled or time changed)", ""),
            (TIME, "invalid time", TIME),
            (STATUS, "pause", PAUSE),
            (STATUS, "resume (state saved)", ""),
            (STATUS, "change the time", TIME),
            (STATUS, "start again", RESTART),
            (STATUS, "leave", LEAVE),
            (STATUS, "close", ""),
            (PAUSE, "1-14 days (state saved)", ""),
            (PAUSE, "invalid", PAUSE),
            (RESTART, "yes (enrolled again)", ""),
            (RESTART, "no", ""),
            (LEAVE, "yes (left, data kept)", ""),
            (LEAVE, "no", ""),
        ]

    # -- steps -----------------------------------------------------------------------

    def _handle_time(self, state: FlowState, event: Event, day: pd.Day, ctx: Context) -> Outcome:
        at: time | None = None
        if isinstance(event, Press) and event.value in TIMES_OF_DAY:
            at = TIMES_OF_DAY[event.value]
        elif isinstance(event, Text):
            typed = parse_hhmm(event.text)
            at = time.fromisoformat(typed) if typed else None
        if at is None:
            return self._ask(state, ctx, ctx.t("programme.ui.time_invalid"))
        if state.answers.get("enrol") or not day.enrolled:
            return self._enrolled(day, at, ctx, restarted=False)
        assert day.state is not None
        changed = confirm_time(day.state, at)
        facts = (*pd.changes(day.state, changed), DailyTimeChosen(hhmm(at)))
        return Outcome(
            None, (Reply(ctx.t("programme.ui.time_changed", time=pd.time_text(ctx, at))),), facts
        )

    def _handle_suggest(
        self, state: FlowState, value: str | None, day: pd.Day, ctx: Context
    ) -> Outcome:
        """Yes moves the daily message to the offered time; no keeps it (the offer was
        noted when it was made, so it is not made again for a fortnight)."""
        assert day.state is not None
        if value == NO:
            text = ctx.t("programme.ui.suggest_kept", time=pd.time_text(ctx, day.state.at))
            return Outcome(None, (Reply(text),))
        if value != YES:
            return self._ask(state, ctx, ctx.t("common.please_use_buttons"))
        at = time.fromisoformat(str(state.answers[SUGGESTED]))
        changed = confirm_time(day.state, at)
        facts = (*pd.changes(day.state, changed), DailyTimeChosen(hhmm(at)))
        return Outcome(
            None, (Reply(ctx.t("programme.ui.time_changed", time=pd.time_text(ctx, at))),), facts
        )

    def _enrolled(self, day: pd.Day, at: time, ctx: Context, *, restarted: bool) -> Outcome:
        t = ctx.t
        enrolment = enrol(day.today, at, day.risk)
        key = "programme.ui.restarted" if restarted else "programme.ui.enrolled"
        lines = [t(key, time=pd.time_text(ctx, at))]
        kinds = ctx.history.get(pd.REMINDER_KINDS) or ()
        if not restarted and any(kind in pd.REPLACED_KINDS for kind in kinds):
            lines.append(t("programme.ui.replaced"))
        rows: list[tuple[Choice, ...]] = [
            (Choice(t("programme.ui.today_button"), command="today"),)
        ]
        if enrolment.suggest_self_check:
            lines.append(t("programme.ui.suggest_test"))
            rows.append((Choice(t("programme.ui.take_test"), command="test"),))
        facts = (pd.ProgrammeEnrolled(enrolment.state.to_dict()), DailyTimeChosen(hhmm(at)))
        return Outcome(None, (Reply("\n\n".join(lines), tuple(rows)),), facts)

    def _handle_status(
        self, state: FlowState, value: str | None, day: pd.Day, ctx: Context
    ) -> Outcome:
        assert day.state is not None
        if value == DO_PAUSE:
            return self._ask(state.at(PAUSE), ctx)
        if value == DO_TIME:
            return self._ask(state.at(TIME, enrol=False), ctx)
        if value == DO_RESTART:
            return self._ask(state.at(RESTART), ctx)
        if value == DO_LEAVE:
            return self._ask(state.at(LEAVE), ctx)
        if value == DO_RESUME:
            resumed = engaged(pause_rules.resume(day.state, day.today))
            where = label(position(resumed, day.today))
            text = ctx.t("programme.ui.resumed", label=pd.label_text(ctx, where))
            return Outcome(None, (Reply(text),), pd.changes(day.state, resumed))
        status = self._status(day, ctx)
        assert status.state is not None
        return reask(status.state, status.replies, ctx.t("common.please_use_buttons"), status.facts)

    def _handle_pause(self, state: FlowState, event: Event, day: pd.Day, ctx: Context) -> Outcome:
        assert day.state is not None
        text = event.value if isinstance(event, Press) else event.text.strip()
        days = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else 0
        if not 1 <= days <= MAX_PAUSE_DAYS:
            return self._ask(state, ctx, ctx.t("programme.ui.pause_invalid"))
        paused = pause_rules.pause(day.state, day.today, days)
        assert paused.pause is not None
        reply = Reply(ctx.t("programme.ui.paused", date=pd.date_text(ctx, paused.pause.end)))
        return Outcome(None, (reply,), pd.changes(day.state, paused))

    # -- what is shown ---------------------------------------------------------------

    def _status(self, day: pd.Day, ctx: Context) -> Outcome:
        """Where the person is, what is left today, and the buttons to steer."""
        assert day.state is not None
        t = ctx.t
        plan = pd.plan_of(day, pd.content_of(ctx))
        state: ProgrammeState = plan.state
        where = position(state, day.today)
        lines = [
            t(
                "programme.ui.status_head",
                label=pd.label_text(ctx, plan.label),
                theme=pd.theme_text(ctx, where.week),
            ),
            t("programme.ui.status_level", level=plan.level),
            pd.streak_text(ctx, day.with_state(state)),
        ]
        paused = pause_rules.paused_today(state, day.today)
        if paused and state.pause is not None:
            lines.append(t("programme.ui.status_paused", date=pd.date_text(ctx, state.pause.end)))
        else:
            left = pd.left_today(plan, day)
            if pd.done_today(plan, day) or not left:
                lines.append(t("programme.ui.status_done"))
            else:
                lines.append(t("programme.ui.status_next", parts=pd.part_names(ctx, left)))
        goal = goal_of_week(state, where.week)
        if goal is not None:
            lines.append(t("programme.ui.status_goal", goal=t(f"programme.goals.{goal}")))
        lines.append(t("programme.ui.status_time", time=pd.time_text(ctx, state.at)))
        rows: list[tuple[Choice, ...]] = []
        if not paused:
            rows.append((Choice(t("programme.ui.today_button"), command="today!"),))
        rows += [
            (
                Choice(t("programme.ui.resume"), DO_RESUME)
                if paused
                else Choice(t("programme.ui.pause"), DO_PAUSE),
            ),
            (Choice(t("programme.ui.change_time"), DO_TIME),),
            (
                Choice(t("programme.ui.restart"), DO_RESTART),
                Choice(t("programme.ui.leave"), DO_LEAVE),
            ),
            (Choice(t("programme.ui.close"), CLOSE),),
        ]
        reply = Reply("\n".join(lines), tuple(rows))
        return Outcome(FlowState(self.name, STATUS), (reply,), pd.changes(day.state, state))

    def _question(self, state: FlowState, ctx: Context) -> Reply:
        t = ctx.t
        if state.step == OFFER:
            return Reply(
                self._offer_text(ctx),
                (
                    (Choice(t("programme.ui.start"), START),),
                    (Choice(t("programme.ui.not_now"), CLOSE),),
                ),
            )
        if state.step == TIME:
            options = tuple(
                Choice(t(f"programme.ui.times.{name}", time=pd.time_text(ctx, at)), name)
                for name, at in TIMES_OF_DAY.items()
            )
            return Reply(t("programme.ui.time_question"), tuple((option,) for option in options))
        if state.step == SUGGEST:
            at = pd.time_text(ctx, time.fromisoformat(str(state.answers[SUGGESTED])))
            return Reply(
                t("programme.ui.suggest_question", time=at),
                (
                    (Choice(t("programme.ui.suggest_yes", time=at), YES, means="yes"),),
                    (Choice(t("programme.ui.suggest_no"), NO, means="no"),),
                ),
            )
        if state.step == PAUSE:
            options = tuple(
                Choice(
                    t("programme.ui.pause_one")
                    if days == 1
                    else t("programme.ui.pause_days", days=days),
                    str(days),
                )
                for days in PAUSE_OPTIONS
            )
            return Reply(
                t("programme.ui.pause_question"),
                (options, (Choice(t("programme.ui.close"), CLOSE),)),
            )
        if state.step == RESTART:
            question, yes = "programme.ui.restart_question", "programme.ui.restart_yes"
        else:
            question, yes = "programme.ui.leave_question", "programme.ui.leave_yes"
        return Reply(
            t(question),
            ((Choice(t(yes), YES),), (Choice(t("programme.ui.keep_going"), NO),)),
        )

    def _offer_text(self, ctx: Context) -> str:
        day = pd.load_day(ctx)
        t = ctx.t
        lines = [t("programme.ui.offer_again") if day.left else t("programme.ui.offer")]
        track = enrol(day.today, TIMES_OF_DAY["morning"], day.risk)
        if track.suggest_self_check:
            lines.append(t("programme.ui.offer_no_test"))
        else:
            lines.append(t(f"programme.ui.offer_track.{track.state.track}"))
        return "\n\n".join(lines)

    def _ask(self, state: FlowState, ctx: Context, note: str | None = None) -> Outcome:
        """The step's question, with ``note`` (why it is asked again) on top if any:
        :func:`flows.runtime.reask`."""
        question = (self._question(state, ctx),)
        return reask(state, question, note) if note else Outcome(state, question)
