"""Reminders: the plan and its settings (/plan, /reminders), the nudge each claimed slot
becomes, and what its buttons do (Done, Snooze, Skip today, Start).

The rules themselves are pure (``flows.schedule``); the dispatcher claims and sends;
this module is the glue between them and the store.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversation.messages import SEP, Outgoing, to_outgoing
from bot.conversation.registry import StartFlow, Wiring
from bot.features import caution
from bot.features.common import DELIVERY_ID, require_consent
from data.reminders import Claim
from data.screening import Screening
from data.turn import Turn
from flows import onboarding, pacing, plan, reminder_words, schedule
from flows.exercises.library import exercises_for_kind
from flows.exercises.walking import WALK_ID
from flows.formatting import format_time
from flows.i18n import Catalogue, Translator
from flows.reminders import facts, settings_flow
from flows.rows import REVIEW_ANSWERS
from flows.runtime import Choice, Reply
from flows.schedule import Rule

PRESS_PREFIX = "r"
ACTION_CODES = {
    "done": "d",
    "skip": "k",
    "snooze15": "s15",
    "snooze30": "s30",
    "start": "x",
    # The question about a reminder ignored three days running (flows.pacing).
    "change": "rc",
    "keep": "rk",
    "stop": "rs",
}
CODES_TO_ACTION = {code: action for action, code in ACTION_CODES.items()}
LABELS = {
    "done": "reminders.actions.done",
    "skip": "reminders.actions.skip",
    "snooze15": "reminders.actions.snooze15",
    "snooze30": "reminders.actions.snooze30",
    "start": "reminders.actions.start",
    "change": "reminders.review.change",
    "keep": "reminders.review.keep",
    "stop": "reminders.review.stop",
}
"""Each button's label, by action (every action has one: a test checks)."""


def advance(rule: dict[str, Any], after: datetime) -> datetime | None:
    """The next slot of a stored rule strictly after ``after`` (the dispatcher's rule;
    one-off snoozes never get here, the queue knows their single slot)."""
    return schedule.next_due(Rule.from_dict(rule), after)


def task_exercises() -> dict[str, tuple[str, ...]]:
    """Exercises whose finished log does a reminder kind's task for the day: any
    breathing or relaxation exercise for the breathing reminder, the graded walk for
    the walk (not the pacing plan or the fear ladder, which are not that walk)."""
    return {"stress": tuple(exercises_for_kind("stress")), "pain": (WALK_ID,)}


def screening() -> Screening:
    """What the dispatcher puts every due slot to before sending it."""
    return Screening(pacing.decide, task_exercises(), pacing.LOOK_BACK)


# -- the settings flow ---------------------------------------------------------------


def history(tx: Turn) -> dict[str, Any]:
    latest = tx.latest_test()
    scores = dict(latest.scores) if latest else None
    return {
        "reminders": [
            {"id": r.id, "kind": r.kind, "enabled": r.enabled, "rule": r.rule}
            for r in tx.reminders()
            if not r.one_off
        ],
        "proposed_plan": plan.plan_dicts(scores, tx.user.timezone),
        "plan_from_test": scores is not None,
        "daily_limit": tx.user.daily_limit,
        **caution.history(tx),
    }


def save_reminder(tx: Turn, kind: str, rule: dict[str, Any], enabled: bool) -> None:
    """The one way a reminder's rule is stored: validated, with its next slot from now
    (none while switched off, and its pending snoozes dropped)."""
    clean = Rule.from_dict(rule).to_dict()  # validates, and drops the plan's "reason"
    due = advance(clean, tx.now) if enabled else None
    tx.upsert_reminder(kind, clean, enabled=enabled, next_due_at=due)
    if not enabled:
        tx.drop_pending_one_offs(kind)


def record_upsert(tx: Turn, fact: facts.ReminderUpserted) -> None:
    require_consent(tx)
    save_reminder(tx, fact.kind, fact.rule, fact.enabled)


def record_toggle(tx: Turn, fact: facts.ReminderToggled) -> None:
    require_consent(tx)
    for reminder in tx.reminders():
        if reminder.kind == fact.kind and not reminder.one_off:
            save_reminder(tx, reminder.kind, reminder.rule, fact.enabled)


def record_pause(tx: Turn, fact: facts.RemindersPaused) -> None:
    require_consent(tx)
    until = datetime.fromisoformat(fact.until_iso) if fact.until_iso else None
    if until is not None:
        for kind in schedule.KINDS:  # a safety follow-up is not a reminder: it stays
            tx.drop_pending_one_offs(kind)
    for reminder in tx.reminders():
        if reminder.one_off:
            continue
        rule = dataclasses.replace(Rule.from_dict(reminder.rule), paused_until=until)
        save_reminder(tx, reminder.kind, rule.to_dict(), reminder.enabled)


def record_plan(tx: Turn, fact: facts.PlanAccepted) -> None:
    """Only kinds the plan changes are saved: one it leaves as it is keeps its next
    slot (a "skip today" holds) and its history."""
    require_consent(tx)
    chosen = {str(rule["kind"]): rule for rule in fact.rules}
    stored = {r.kind: r for r in tx.reminders() if not r.one_off}
    for kind, rule in chosen.items():
        same = kind in stored and stored[kind].enabled and _same_rule(stored[kind].rule, rule)
        if not same:
            save_reminder(tx, kind, rule, True)
    for kind, reminder in stored.items():
        # Only the kinds a plan can hold: the programme's daily message is not one.
        if kind in schedule.KINDS and kind not in chosen and reminder.enabled:
            save_reminder(tx, kind, reminder.rule, False)


def _same_rule(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    try:
        return Rule.from_dict(stored) == Rule.from_dict(new)
    except ValueError:
        return False


def record_limit(tx: Turn, fact: facts.DailyLimitChosen) -> None:
    require_consent(tx)
    tx.set_daily_limit(fact.limit)


def move_to_timezone(tx: Turn, fact: onboarding.TimezoneChosen) -> None:
    """A new zone moves every reminder with it, so 12:30 stays 12:30 where the user is."""
    tx.set_timezone(fact.timezone)
    for reminder in tx.reminders():
        if reminder.one_off:
            continue
        rule = dataclasses.replace(Rule.from_dict(reminder.rule), timezone=fact.timezone)
        save_reminder(tx, reminder.kind, rule.to_dict(), reminder.enabled)


# -- the nudge a claimed slot becomes ------------------------------------------------


def nudge(claim: Claim, catalogue: Catalogue) -> Outgoing:
    """The message for one claimed slot, in the user's language, with its buttons."""
    t = catalogue.translator(claim.language)
    kind = str(claim.rule.get("kind") or claim.kind)
    actions = reminder_words.nudge_actions(kind)
    buttons = tuple(
        Choice(t(LABELS[action]), f"{claim.delivery_id}{SEP}{ACTION_CODES[action]}")
        for action in actions
    )
    rows = tuple(buttons[i : i + 2] for i in range(0, len(buttons), 2))
    reply = Reply(reminder_words.nudge_text(kind, claim.slot, t), rows)
    return to_outgoing(reply, prefix=PRESS_PREFIX)


def review(claim: Claim, catalogue: Catalogue) -> Outgoing:
    """The question that replaces a nudge once its reminder went unanswered three days
    running: another time, less often, or stop (asked once per setting)."""
    t = catalogue.translator(claim.language)
    kind = str(claim.rule.get("kind") or claim.kind)
    buttons = tuple(
        (Choice(t(LABELS[answer]), f"{claim.delivery_id}{SEP}{ACTION_CODES[answer]}"),)
        for answer in REVIEW_ANSWERS
    )
    text = t("reminders.review.ask", kind=t(f"reminders.kinds.{kind}"))
    return to_outgoing(Reply(text, buttons), prefix=PRESS_PREFIX)


# -- what the nudge's buttons do -----------------------------------------------------


def on_press(tx: Turn, parts: list[str], t: Translator) -> list[Reply | StartFlow]:
    """``r|<delivery id>|<action code>``: only ever the pressing user's own delivery."""
    if len(parts) != 2 or not DELIVERY_ID.fullmatch(parts[0]) or parts[1] not in CODES_TO_ACTION:
        return [Reply(t("reminders.ack.gone"))]
    found = tx.delivery_of(int(parts[0]))
    if found is None:
        return [Reply(t("reminders.ack.gone"))]
    delivery, reminder = found
    action = CODES_TO_ACTION[parts[1]]
    kind = str(reminder.rule.get("kind") or reminder.kind)
    if action == "start":
        tx.act_on_delivery(int(parts[0]), "done")
        return [_start_for(kind, delivery.slot)]
    if not tx.act_on_delivery(int(parts[0]), action):
        return [Reply(t("reminders.ack.already"))]
    if action in REVIEW_ANSWERS:
        return _on_review(tx, reminder.kind, action, t)
    if action in reminder_words.SNOOZE_MINUTES:
        due = schedule.snooze(tx.now, reminder_words.SNOOZE_MINUTES[action])
        tx.add_one_off(reminder.kind, {"kind": kind}, due)
        local = due.astimezone(ZoneInfo(tx.user.timezone))
        return [Reply(t("reminders.ack.snoozed", time=format_time(local.time(), t.language)))]
    if action == "skip":
        # On a snoozed nudge too: the kind's own rule moves on to tomorrow.
        for regular in tx.reminders():
            if regular.kind == reminder.kind and not regular.one_off and regular.enabled:
                rule = Rule.from_dict(regular.rule)
                tx.set_reminder_next_due(regular.id, schedule.next_due_after_today(rule, tx.now))
        tx.drop_pending_one_offs(reminder.kind)
        return [Reply(t("reminders.ack.skip"))]
    return [Reply(t("reminders.ack.done") if action == "done" else t("reminders.ack.skip"))]


def _on_review(tx: Turn, kind: str, answer: str, t: Translator) -> list[Reply | StartFlow]:
    """Another time opens that reminder's settings; "less often" keeps it spaced (it
    is no answer to the reminder itself); stop switches it off, snoozes included."""
    if answer == "change":
        return [StartFlow(settings_flow.NAME, {"open_kind": kind})]
    if answer == "stop":
        record_toggle(tx, facts.ReminderToggled(kind=kind, enabled=False))
        return [Reply(t("reminders.review.stopped", kind=t(f"reminders.kinds.{kind}")))]
    return [Reply(t("reminders.review.kept"))]


def _start_for(kind: str, slot: datetime) -> StartFlow:
    if kind == "checkin":
        return StartFlow("checkin")
    if kind == "summary":
        return StartFlow("summary")
    if kind == "pain":
        return StartFlow("exercise", {"exercise_id": WALK_ID})
    choices = exercises_for_kind(kind) or exercises_for_kind("movement")
    # Vary the exercise by day, like the nudge texts.
    return StartFlow("exercise", {"exercise_id": choices[slot.toordinal() % len(choices)]})


def unpark(tx: Turn) -> None:
    """Back after blocking the bot (or after consent): reminders resume from now.

    Consent to any text, not only the current one (:func:`bot.consent.has_current_consent`),
    on purpose: the reminder queue's claim sends to everyone who has consented to
    some text, and a nudge shows no health data; its Start button meets the
    engine's consent gate, which asks the new text. This restores what the queue would
    have sent had they not blocked the bot, and keeps no health data. Waiting for the
    new consent would leave the reminders parked until some later /start: giving
    consent does not unpark them.
    """
    if not tx.user.has_consent:
        return
    for reminder in tx.reminders():
        if reminder.enabled and reminder.next_due_at is None and not reminder.one_off:
            save_reminder(tx, reminder.kind, reminder.rule, True)


def register(wiring: Wiring) -> None:
    wiring.add_start_hook(unpark)
    flow = settings_flow.ReminderSettingsFlow()
    wiring.add_flow(flow, title="common.flows.reminders", history=history)
    wiring.add_command_flow("reminders", flow.name)
    wiring.add_command_flow("plan", flow.name, history={"mode": "propose"})
    wiring.add_recorder(facts.ReminderUpserted, record_upsert)
    wiring.add_recorder(facts.ReminderToggled, record_toggle)
    wiring.add_recorder(facts.RemindersPaused, record_pause)
    wiring.add_recorder(facts.PlanAccepted, record_plan)
    wiring.add_recorder(facts.DailyLimitChosen, record_limit)
    wiring.add_press(PRESS_PREFIX, on_press)
