"""The daily check-in (/checkin): pain, stress, sleep, movement and an optional note.

It must take a returning user under 30 seconds, so every step is one tap (five taps in
all, the last one "Skip") and typed numbers work too. One check-in per *local* day: a
second one the same day asks first and then updates it, and a forgotten yesterday can
still be filled in from the first question while today is not done yet. The closing
words answer what the numbers say (:mod:`flows.checkin_feedback`): slow breathing when
stress is high, a gentle plan for the day when pain is high, a word on a bad night or a
day without movement. The flow only decides; the bot stores :class:`CheckinRecorded` and passes
earlier days in ``ctx.history`` (see :func:`CheckinFlow.start` for the keys).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfoNotFoundError

from flows.checkin_feedback import checkin_row, closing, has_checkin
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, in_place, reask
from flows.streaks import (
    SCORE_MAX,
    SCORE_MIN,
    local_day,
    parse_day,
    parse_score,
    valid_score,
)

NAME = "checkin"
NOTE_LIMIT = 500
FALLBACK_TIMEZONE = "Europe/Brussels"

SLEEP_VALUES: tuple[str, ...] = ("good", "soso", "bad")
MOVED_VALUES: tuple[str, ...] = ("yes", "little", "no")
SCORE_VALUES: tuple[str, ...] = tuple(str(n) for n in range(SCORE_MIN, SCORE_MAX + 1))

TODAY = "today"
YESTERDAY = "yday"

# Button values (kept short: they travel in Telegram callback_data).
UPDATE = "update"
KEEP = "keep"
BACK = "back"
SKIP = "skip"

STEPS: tuple[str, ...] = ("confirm", "pain", "stress", "sleep", "moved", "note")
_QUESTIONS: Mapping[str, Mapping[bool, str]] = {
    # step: {for yesterday?: its question}
    "pain": {False: "checkin.pain.today", True: "checkin.pain.yesterday"},
    "stress": {False: "checkin.stress.today", True: "checkin.stress.yesterday"},
    "sleep": {False: "checkin.sleep.today", True: "checkin.sleep.yesterday"},
    "moved": {False: "checkin.moved.today", True: "checkin.moved.yesterday"},
    "note": {False: "checkin.note.today", True: "checkin.note.yesterday"},
}
_OPTION_LABELS: Mapping[str, Mapping[str, str]] = {
    "sleep": {
        "good": "checkin.sleep.good",
        "soso": "checkin.sleep.soso",
        "bad": "checkin.sleep.bad",
    },
    "moved": {
        "yes": "checkin.moved.yes",
        "little": "checkin.moved.little",
        "no": "checkin.moved.no",
    },
}
_PREVIOUS = {"stress": "pain", "sleep": "stress", "moved": "sleep", "note": "moved"}


@dataclass(frozen=True)
class CheckinRecorded:
    """A finished check-in for one local day; ``replaces_existing`` marks an update.

    Scores are checked again here, as the last line of defence before the database.
    """

    local_day: str
    pain: int
    stress: int
    sleep: str
    moved: str
    note: str | None
    replaces_existing: bool

    def __post_init__(self) -> None:
        for label, value in (("pain", self.pain), ("stress", self.stress)):
            if valid_score(value) is None:
                raise ValueError(f"{label} must be an int from 0 to 10, got {value!r}")
        if parse_day(self.local_day) is None or not isinstance(self.local_day, str):
            raise ValueError(f"local_day must be an ISO date, got {self.local_day!r}")
        if self.sleep not in SLEEP_VALUES:
            raise ValueError(f"sleep must be one of {SLEEP_VALUES}, got {self.sleep!r}")
        if self.moved not in MOVED_VALUES:
            raise ValueError(f"moved must be one of {MOVED_VALUES}, got {self.moved!r}")
        if self.note is not None and len(self.note) > NOTE_LIMIT:
            raise ValueError(f"note must be at most {NOTE_LIMIT} characters")


def clean_note(text: str) -> tuple[str | None, bool]:
    """A note safe to store and show: one line, no control characters, at most 500 chars.

    Line breaks and tabs become spaces and runs of whitespace collapse, so the note reads
    well in summaries and exports; other control characters (and lone surrogates, which
    cannot be encoded) are dropped. Returns (note or None when nothing is left, shortened).
    """
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" " if char.isspace() else "")
        elif category != "Cs":
            kept.append(char)
    note = " ".join("".join(kept).split())
    shortened = len(note) > NOTE_LIMIT
    if shortened:
        note = note[:NOTE_LIMIT].rstrip()
    return (note or None), shortened


class CheckinFlow:
    """[confirm] -> pain -> stress -> sleep -> moved -> note -> finished.

    ``ctx.history`` keys read (all optional):

    - ``today_checkin``: today's check-in dict (pain, stress, sleep, moved, note,
      local_day) or None; when present, start asks whether to update it.
    - ``yesterday_checkin``: the same for yesterday, or None; when both are None the
      first question offers to check in for yesterday instead.
    - ``recent``: ``[{"local_day": "YYYY-MM-DD", "pain": int, "stress": int}, ...]`` for
      the 30 local days before today, oldest first; feeds the average and the streak.
    - ``typed_pain``: a pain score the user typed in a sentence and confirmed; today's
      check-in then starts at the stress question (not when today is already done).
    """

    name = NAME
    needs_consent = True

    # -- protocol --------------------------------------------------------------------

    def start(self, ctx: Context) -> Outcome:
        today = self._today(ctx)
        existing = checkin_row(ctx.history.get("today_checkin"))
        base = {"today": today.isoformat(), "day": today.isoformat(), "when": TODAY}
        if existing is not None:
            shown = {
                "prev_pain": valid_score(existing.get("pain")),
                "prev_stress": valid_score(existing.get("stress")),
            }
            state = FlowState(
                self.name, "confirm", {**base, "replaces": True, "can_switch": False, **shown}
            )
        else:
            can_switch = checkin_row(ctx.history.get("yesterday_checkin")) is None
            state = FlowState(
                self.name, "pain", {**base, "replaces": False, "can_switch": can_switch}
            )
            typed = valid_score(ctx.history.get("typed_pain"))
            if typed is not None:  # said in a sentence and confirmed with a button
                state = state.at("stress", pain=typed, can_switch=False)
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        return (self._question(state, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        # Every answer's reply takes the place of the question answered: the check-in
        # is a short form, and its feedback at the end says what was recorded.
        return in_place(self._handle(state, event, ctx))

    def _handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        step = state.step
        if step not in STEPS or parse_day(state.answers.get("day")) is None:
            # A state this version cannot read: begin again rather than guess.
            return self.start(ctx)
        value = event.value if isinstance(event, Press) else None
        if value == BACK and step in _PREVIOUS:
            return self._ask(state.at(_PREVIOUS[step]), ctx)
        if step == "confirm":
            return self._handle_confirm(state, value, ctx)
        if step in ("pain", "stress"):
            return self._handle_score(state, event, ctx)
        if step in ("sleep", "moved"):
            return self._handle_option(state, event, ctx)
        return self._handle_note(state, event, ctx)

    def holds_unsaved(self, state: FlowState) -> bool:
        """Scores given but not stored: the check-in is recorded only when it ends."""
        return any(key in state.answers for key in ("pain", "stress", "sleep", "moved"))

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/checkin, today already done", "confirm"),
            ("", "/checkin", "pain"),
            ("", "pain score typed in a sentence", "stress"),
            ("confirm", "keep it", ""),
            ("confirm", "update today", "pain"),
            ("pain", "this is for yesterday / for today", "pain"),
            ("pain", "invalid score", "pain"),
            ("pain", "0-10", "stress"),
            ("stress", "invalid score", "stress"),
            ("stress", "back", "pain"),
            ("stress", "0-10", "sleep"),
            ("sleep", "back", "stress"),
            ("sleep", "good / so-so / bad", "moved"),
            ("moved", "back", "sleep"),
            ("moved", "yes / a little / no", "note"),
            ("note", "back", "moved"),
            ("note", "skip or note typed (check-in recorded)", ""),
        ]

    # -- steps -----------------------------------------------------------------------

    def _handle_confirm(self, state: FlowState, value: str | None, ctx: Context) -> Outcome:
        if value == UPDATE:
            return self._ask(state.at("pain"), ctx)
        if value == KEEP:
            return Outcome(None, (Reply(ctx.t("checkin.kept")),))
        return self._ask(state, ctx, ctx.t("common.please_use_buttons"))

    def _handle_score(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        step = state.step
        if isinstance(event, Press):
            switching = step == "pain" and state.answers.get("can_switch")
            if switching and event.value in (YESTERDAY, TODAY):
                return self._ask(self._switch_day(state, event.value, ctx), ctx)
            score = int(event.value) if event.value in SCORE_VALUES else None
        else:
            score = parse_score(event.text)
        if score is None:
            return self._ask(state, ctx, ctx.t("common.not_a_number", lo=0, hi=10))
        nxt = "stress" if step == "pain" else "sleep"
        return self._ask(state.at(nxt, **{step: score}), ctx)

    def _handle_option(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        step = state.step
        values = SLEEP_VALUES if step == "sleep" else MOVED_VALUES
        # Typed labels ("so-so") reach a flow as presses (flows.typed_answer).
        chosen = event.value if isinstance(event, Press) and event.value in values else None
        if chosen is None:
            return self._ask(state, ctx, ctx.t("common.please_use_buttons"))
        nxt = "moved" if step == "sleep" else "note"
        return self._ask(state.at(nxt, **{step: chosen}), ctx)

    def _handle_note(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        if isinstance(event, Press):
            if event.value == SKIP:
                return self._finish(state, ctx, None, shortened=False)
            return self._ask(state, ctx, ctx.t("common.please_use_buttons"))
        note, shortened = clean_note(event.text)
        if note is None:
            return self._ask(state, ctx, ctx.t("checkin.note.empty"))
        return self._finish(state, ctx, note, shortened=shortened)

    def _finish(
        self, state: FlowState, ctx: Context, note: str | None, *, shortened: bool
    ) -> Outcome:
        answers = state.answers
        pain = valid_score(answers.get("pain"))
        stress = valid_score(answers.get("stress"))
        sleep = answers.get("sleep")
        moved = answers.get("moved")
        # A state saved by an older version may lack an answer: ask for it, never guess.
        if pain is None:
            return self._ask(state.at("pain"), ctx)
        if stress is None:
            return self._ask(state.at("stress"), ctx)
        if sleep not in SLEEP_VALUES:
            return self._ask(state.at("sleep"), ctx)
        if moved not in MOVED_VALUES:
            return self._ask(state.at("moved"), ctx)
        day = parse_day(answers.get("day")) or self._today(ctx)
        replaces = bool(answers.get("replaces")) or has_checkin(day, self._today(ctx), ctx)
        fact = CheckinRecorded(
            day.isoformat(), pain, stress, str(sleep), str(moved), note, replaces
        )
        reply = closing(
            ctx,
            self._today(ctx),
            day,
            (pain, stress),
            str(sleep),
            str(moved),
            replaces=replaces,
            yesterday=answers.get("when") == YESTERDAY,
            shortened=shortened,
            note_limit=NOTE_LIMIT,
        )
        return Outcome(None, (reply,), (fact,))

    # -- questions -------------------------------------------------------------------

    def _question(self, state: FlowState, ctx: Context) -> Reply:
        t = ctx.t
        answers = state.answers
        yesterday = answers.get("when") == YESTERDAY
        back_row = (Choice(t("common.back"), BACK, means="back"),)
        step = state.step
        if step == "confirm":
            return Reply(
                t(
                    "checkin.already_today",
                    pain=_shown(answers.get("prev_pain")),
                    stress=_shown(answers.get("prev_stress")),
                ),
                (
                    (
                        Choice(t("checkin.update_today"), UPDATE, means="yes"),
                        Choice(t("checkin.keep_it"), KEEP, means="no"),
                    ),
                ),
            )
        if step == "stress":
            return Reply(t(_QUESTIONS[step][yesterday]), (*_score_rows(), back_row))
        if step in ("sleep", "moved"):
            values = SLEEP_VALUES if step == "sleep" else MOVED_VALUES
            options = tuple(Choice(t(_OPTION_LABELS[step][value]), value) for value in values)
            return Reply(t(_QUESTIONS[step][yesterday]), (options, back_row))
        if step == "note":
            return Reply(
                t(_QUESTIONS[step][yesterday]),
                ((Choice(t("common.skip"), SKIP, means="skip"),), back_row),
            )
        # "pain", and any unknown step: the first question is always a safe place.
        rows = _score_rows()
        if answers.get("can_switch"):
            switch = (
                Choice(t("checkin.pain.for_today"), TODAY)
                if yesterday
                else Choice(t("checkin.pain.for_yesterday"), YESTERDAY)
            )
            rows = (*rows, (switch,))
        return Reply(t(_QUESTIONS["pain"][yesterday]), rows)

    def _ask(self, state: FlowState, ctx: Context, note: str | None = None) -> Outcome:
        """Show ``state``'s question; with ``note`` (why we ask again) it is a re-ask."""
        question = (self._question(state, ctx),)
        return reask(state, question, note) if note else Outcome(state, question)

    def _switch_day(self, state: FlowState, when: str, ctx: Context) -> FlowState:
        """Point the check-in at yesterday or back at today (the day the flow began)."""
        today = parse_day(state.answers.get("today")) or self._today(ctx)
        day = today - timedelta(days=1) if when == YESTERDAY else today
        return state.at("pain", when=when, day=day.isoformat())

    @staticmethod
    def _today(ctx: Context) -> date:
        try:
            return local_day(ctx.now, ctx.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            # A stored zone always loads (onboarding validates it); this only guards
            # against a bad default so a check-in is never lost to a settings typo.
            return local_day(ctx.now, FALLBACK_TIMEZONE)


def _score_rows() -> tuple[tuple[Choice, ...], ...]:
    """0-10 as two rows (0-5, 6-10), small enough for a phone screen."""
    return (
        tuple(Choice(value, value) for value in SCORE_VALUES[:6]),
        tuple(Choice(value, value) for value in SCORE_VALUES[6:]),
    )


def _shown(score: int | None) -> str:
    return "?" if score is None else str(score)
