"""The /reminders and /plan flow: toggles, times, days, intervals, quiet hours, pause,
time zone, the suggested plan, and kind re-asking on anything unexpected."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.i18n import default_catalogue
from flows.onboarding import TimezoneChosen
from flows.plan import default_plan, default_rule, plan_dicts
from flows.reminders.draft import BACK, STEPS
from flows.reminders.facts import (
    DailyLimitChosen,
    PlanAccepted,
    RemindersPaused,
    ReminderToggled,
    ReminderUpserted,
)
from flows.reminders.settings_flow import ReminderSettingsFlow
from flows.runtime import Context, Event, FlowState, Outcome, Press, Reply, Text, mermaid
from flows.schedule import KINDS, Rule
from flows.timezones import COMMON_TIMEZONES
from flows.typed_answer import Picked, read

T = default_catalogue().translator("en")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday, 09:00 in Brussels
BXL = "Europe/Brussels"
FLOW = ReminderSettingsFlow()
PLEASE = T("common.please_use_buttons")
HYPO = settings(database=None, deadline=None)

STORED = [
    {
        "id": 1,
        "kind": "movement",
        "enabled": True,
        "rule": Rule.every("movement", 90, "09:00", "17:00", BXL).to_dict(),
    },
    {
        "id": 2,
        "kind": "stress",
        "enabled": True,
        "rule": Rule.at("stress", ["12:30"], BXL).to_dict(),
    },
    {
        "id": 3,
        "kind": "checkin",
        "enabled": False,
        "rule": Rule.at("checkin", ["20:00"], BXL).to_dict(),
    },
]


def make_ctx(history: Mapping[str, Any] | None = None, tz: str = BXL) -> Context:
    return Context(T, NOW, tz, dict(history if history is not None else {"reminders": STORED}))


def values(reply: Reply) -> list[str]:
    return [choice.value for choice in reply.buttons()]


def check(outcome: Outcome) -> Outcome:
    """What the bot relies on after every turn."""
    if outcome.state is not None:
        assert outcome.state.flow == "reminders"
        assert outcome.state.step in STEPS
        json.dumps(dict(outcome.state.answers))
    for reply in outcome.replies:
        assert reply.text.strip()
        for choice in reply.buttons():
            if choice.command is None:
                assert choice.value.isascii() and 0 < len(choice.value) <= 20
                assert "|" not in choice.value
    for fact in outcome.facts:
        json.dumps(asdict(fact))  # type: ignore[call-overload]
    return outcome


def run(events: Sequence[str | Event], ctx: Context | None = None) -> Outcome:
    """Start the flow and feed it ``events`` (strings are button presses)."""
    ctx = ctx or make_ctx()
    outcome = check(FLOW.start(ctx))
    for event in events:
        assert outcome.state is not None, f"flow ended before {event!r}"
        ev = Press(event) if isinstance(event, str) else event
        outcome = check(FLOW.handle(outcome.state, ev, ctx))
    return outcome


def last(outcome: Outcome) -> Reply:
    return outcome.replies[-1]


# -- the overview -------------------------------------------------------------------------


def test_menu_shows_one_line_per_kind_with_buttons() -> None:
    outcome = run([])
    assert outcome.state is not None and outcome.state.step == "menu"
    text = last(outcome).text
    assert "✅ Movement breaks: every 90 min, Mon-Fri 09:00-17:00" in text
    assert "✅ Breathing exercise: 12:30, every day" in text
    assert "➖ Daily check-in: off" in text
    assert "➖ Weekly summary: off" in text
    assert "Europe/Brussels (it's now 09:00 there)" in text
    assert values(last(outcome)) == [f"k:{kind}" for kind in KINDS] + [
        "pause",
        "tz",
        "limit",
        "done",
    ]
    assert T("reminders.flow.limit_line", count=4) in text


def test_menu_with_no_reminders_and_bad_rows() -> None:
    rows = [
        {"kind": "stress", "rule": {"kind": "stress", "times": ["99:99"]}},
        "junk",
        {"kind": "yoga", "rule": {}},
        {"kind": "pain", "rule": {"kind": "stress", "times": ["12:00"]}},
    ]
    text = last(run([], make_ctx({"reminders": rows}))).text
    assert text.count("off") == len(KINDS)


def test_done_ends_the_flow() -> None:
    outcome = run(["done"])
    assert outcome.state is None and outcome.facts == ()
    assert "/reminders" in last(outcome).text


# -- switching on and off ---------------------------------------------------------------------


def test_turn_off_an_enabled_reminder() -> None:
    outcome = run(["k:stress", "off"])
    assert outcome.facts == (ReminderToggled("stress", False),)
    assert "Breathing exercise turned off" in last(outcome).text
    assert values(last(outcome)) == ["on", "back"]


def test_turn_on_a_stored_but_disabled_reminder() -> None:
    outcome = run(["k:checkin", "on"])
    assert outcome.facts == (ReminderToggled("checkin", True),)
    assert last(outcome).text.startswith("Turned on: Daily check-in: 20:00, every day")


def test_turn_on_a_kind_never_stored_creates_it_with_its_default() -> None:
    outcome = run(["k:summary", "on"])
    rule = default_rule("summary", BXL)
    assert outcome.facts == (ReminderUpserted("summary", rule.to_dict(), True),)
    assert "Weekly summary: 19:00, Sun" in last(outcome).text
    back = run(["k:summary", "on", "back"])
    assert "✅ Weekly summary: 19:00, Sun" in last(back).text


def test_toggle_again_within_one_visit_is_a_toggle_not_a_second_create() -> None:
    outcome = run(["k:summary", "on", "off", "on"])
    assert outcome.facts == (ReminderToggled("summary", True),)


# -- changing a reminder ---------------------------------------------------------------------


def saved(outcome: Outcome) -> tuple[str, Rule, bool]:
    assert len(outcome.facts) == 1
    fact = outcome.facts[0]
    assert isinstance(fact, ReminderUpserted)
    return fact.kind, Rule.from_dict(fact.rule), fact.enabled


CHANGES: list[tuple[str, list[str | Event], str]] = [
    ("time by button", ["k:stress", "times", "t:0800"], "Breathing exercise: 08:00, every day"),
    ("time typed", ["k:stress", "times", Text(" 7.45 ")], "Breathing exercise: 07:45, every day"),
    (
        "two times typed",
        ["k:stress", "times", Text("15:00 and 10:30")],
        "Breathing exercise: 10:30 and 15:00, every day",
    ),
    ("weekdays", ["k:stress", "days", "d:wk"], "Breathing exercise: 12:30, Mon-Fri"),
    ("weekends", ["k:stress", "days", "d:we"], "Breathing exercise: 12:30, weekends"),
    (
        "every day",
        ["k:movement", "days", "d:all"],
        "Movement breaks: every 90 min, every day 09:00-17:00",
    ),
    (
        "interval by button",
        ["k:movement", "ivl", "i:45"],
        "Movement breaks: every 45 min, Mon-Fri 09:00-17:00",
    ),
    (
        "interval typed",
        ["k:movement", "ivl", Text("75 min")],
        "Movement breaks: every 75 min, Mon-Fri 09:00-17:00",
    ),
    (
        "working hours by button",
        ["k:movement", "win", "w:0800-1600"],
        "Movement breaks: every 90 min, Mon-Fri 08:00-16:00",
    ),
    (
        "working hours typed",
        ["k:movement", "win", Text("8.30 - 17")],
        "Movement breaks: every 90 min, Mon-Fri 08:30-17:00",
    ),
    (
        "quiet hours by button",
        ["k:stress", "quiet", "q:2200-0700"],
        "Breathing exercise: 12:30, every day, quiet 22:00-07:00",
    ),
    (
        "quiet hours typed",
        ["k:stress", "quiet", Text("21:30-6:30")],
        "Breathing exercise: 12:30, every day, quiet 21:30-06:30",
    ),
    (
        "quiet hours removed",
        ["k:stress", "quiet", "q:2200-0700", "quiet", "q:off"],
        "Breathing exercise: 12:30, every day",
    ),
]


@pytest.mark.parametrize(
    ("events", "expected"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_changes_are_recorded_and_confirmed_in_words(
    events: list[str | Event], expected: str
) -> None:
    outcome = run(events)
    kind, rule, enabled = saved(outcome)
    assert enabled
    assert outcome.state is not None and outcome.state.step == "kind"
    assert last(outcome).text == f"Saved: {expected}"
    assert kind == rule.kind


def test_each_day_is_a_toggle_so_mon_wed_fri_can_be_chosen() -> None:
    opened = run(["k:stress", "days"])
    labels = [c.label for c in last(opened).buttons()]
    assert labels[:7] == ["✅ Mon", "✅ Tue", "✅ Wed", "✅ Thu", "✅ Fri", "✅ Sat", "✅ Sun"]
    toggled = run(["k:stress", "days", "d:1", "d:3", "d:5", "d:6"])
    assert toggled.facts == ()  # nothing is saved while picking
    labels = [c.label for c in last(toggled).buttons()]
    assert labels[:7] == ["✅ Mon", "Tue", "✅ Wed", "Thu", "✅ Fri", "Sat", "Sun"]
    outcome = run(["k:stress", "days", "d:1", "d:3", "d:5", "d:6", "d:ok"])
    kind, rule, _ = saved(outcome)
    assert (kind, rule.days) == ("stress", (0, 2, 4))
    assert last(outcome).text == "Saved: Breathing exercise: 12:30, Mon, Wed, Fri"


@pytest.mark.parametrize("typed", ["Mon, Wed, Fri", "monday wednesday and friday", "mon/wed/fri"])
def test_days_can_be_typed_as_a_list(typed: str) -> None:
    _, rule, _ = saved(run(["k:stress", "days", Text(typed)]))
    assert rule.days == (0, 2, 4)


def test_days_typed_as_a_range_are_the_whole_range() -> None:
    _, rule, _ = saved(run(["k:stress", "days", Text("Tue-Thu")]))
    assert rule.days == (1, 2, 3)


def test_saving_no_day_at_all_asks_again() -> None:
    events: list[str | Event] = ["k:stress", "days", *(f"d:{day}" for day in range(7))]
    outcome = run([*events, "d:ok"])
    assert outcome.facts == () and outcome.state is not None
    assert outcome.state.step == "days"
    assert "at least one day" in last(outcome).text


def test_summary_days_offer_single_days() -> None:
    outcome = run(["k:summary", "on", "days"])
    assert values(last(outcome))[:7] == [f"d:{day}" for day in range(7)]
    outcome = run(["k:summary", "on", "days", "d:4"])
    assert last(outcome).text == "Saved: Weekly summary: 19:00, Fri"


def test_kind_screen_offers_what_fits_the_rule() -> None:
    assert values(last(run(["k:movement"]))) == ["ivl", "win", "days", "quiet", "off", "back"]
    assert values(last(run(["k:stress"]))) == ["times", "days", "quiet", "off", "back"]
    assert values(last(run(["k:pain"]))) == ["on", "back"]


def test_common_times_are_offered_as_buttons() -> None:
    assert values(last(run(["k:stress", "times"]))) == [
        "t:0730",
        "t:0800",
        "t:1230",
        "t:1800",
        "t:2000",
        "t:2100",
        "back",
    ]
    assert values(last(run(["k:movement", "ivl"]))) == ["i:45", "i:60", "i:90", "i:120", "back"]


def test_back_goes_up_one_level() -> None:
    assert run(["k:stress", "times", "back"]).state.step == "kind"  # type: ignore[union-attr]
    assert run(["k:stress", "back"]).state.step == "menu"  # type: ignore[union-attr]


def test_quiet_hours_that_swallow_every_slot_are_refused() -> None:
    outcome = run(["k:stress", "times", Text("23:00"), "quiet", "q:2200-0700"])
    assert outcome.facts == ()
    assert outcome.state is not None and outcome.state.step == "quiet"
    assert last(outcome).text.startswith(T("reminders.flow.quiet_never_fires"))


# -- invalid input re-asks kindly -------------------------------------------------------------

INVALID: list[tuple[str, list[str | Event], Event, str]] = [
    ("time 25:00", ["k:stress", "times"], Text("25:00"), "I couldn't read “25:00” as a time"),
    ("time 9:60", ["k:stress", "times"], Text("9:60"), "I couldn't read"),
    ("emoji time", ["k:stress", "times"], Text("🕘🕘"), "I couldn't read"),
    ("a very long text", ["k:stress", "times"], Text("9" * 4096), "I couldn't read"),
    ("a time not offered", ["k:stress", "times"], Press("t:0315"), PLEASE),
    ("a bogus time value", ["k:stress", "times"], Press("t:2599"), PLEASE),
    ("interval too short", ["k:movement", "ivl"], Text("5"), "I need a number of minutes"),
    ("interval junk", ["k:movement", "ivl"], Text("often"), "I need a number of minutes"),
    (
        "interval padded junk",
        ["k:movement", "ivl"],
        Text("60" + " " * 30 + "x"),
        "I need a number of minutes",
    ),
    ("interval not offered", ["k:movement", "ivl"], Press("i:7"), PLEASE),
    ("window junk", ["k:movement", "win"], Text("all day"), "I couldn't read “all day” as hours"),
    ("window equal ends", ["k:movement", "win"], Text("9-9"), "I couldn't read"),
    ("quiet junk", ["k:stress", "quiet"], Text("night"), "I couldn't read “night” as quiet"),
    ("days typed", ["k:stress", "days"], Text("someday"), PLEASE),
    ("days typed as words", ["k:stress", "days"], Text("Mon to Fri"), PLEASE),
    ("days bogus", ["k:stress", "days"], Press("d:9"), PLEASE),
    ("menu typed", [], Text("hello"), PLEASE),
    ("menu bogus kind", [], Press("k:yoga"), PLEASE),
    ("kind typed", ["k:stress"], Text("off"), PLEASE),
    ("times on an interval rule", ["k:movement"], Press("times"), PLEASE),
    ("settings of a reminder that is off", ["k:pain"], Press("days"), PLEASE),
    ("pause typed", ["pause"], Text("3"), PLEASE),
    ("pause bogus", ["pause"], Press("p:365"), PLEASE),
    ("zone unknown", ["tz"], Text("Mars/Olympus"), "I don't know the time zone “Mars/Olympus”"),
    ("zone index out of range", ["tz"], Press("z:99"), PLEASE),
    ("plan button without a plan", [], Press("plan"), PLEASE),
    ("save outside a draft", [], Press("save"), PLEASE),
]


@pytest.mark.parametrize(
    ("before", "event", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_input_reasks_kindly(before: list[str | Event], event: Event, message: str) -> None:
    ctx = make_ctx()
    state = run(before, ctx).state
    assert state is not None
    outcome = check(FLOW.handle(state, event, ctx))
    assert outcome.state == state
    assert outcome.facts == ()
    assert len(outcome.replies) == 1
    assert outcome.replies[0].text.startswith(message)
    assert outcome.replies[0].buttons()  # the question is asked again, with its buttons


def test_an_unreadable_state_starts_again() -> None:
    ctx = make_ctx()
    for state in (
        FlowState("reminders", "nowhere", {"items": {}}),
        FlowState("reminders", "menu", {"items": "junk"}),
        FlowState("reminders", "menu", {"items": {"stress": {"rule": {"kind": "x"}}}}),
    ):
        outcome = check(FLOW.handle(state, Press("done"), ctx))
        assert outcome.state is not None and outcome.state.step == "menu"
        assert FLOW.current(state, ctx)
    lost_kind = FlowState("reminders", "times", {"items": {}})
    assert check(FLOW.handle(lost_kind, Press("t:0800"), ctx)).state.step == "menu"  # type: ignore[union-attr]


# -- pause and resume -------------------------------------------------------------------------


@pytest.mark.parametrize(("button", "days"), [("p:1", 1), ("p:3", 3), ("p:7", 7)])
def test_pause_everything(button: str, days: int) -> None:
    outcome = run(["pause", button])
    until = NOW + timedelta(days=days)
    assert outcome.facts == (RemindersPaused(until.isoformat()),)
    assert outcome.state is not None and outcome.state.step == "menu"
    confirmation, menu = outcome.replies
    assert confirmation.text.startswith("Okay, I'll keep quiet for now. Paused until ")
    assert "09:00" in confirmation.text
    assert "⏸ All reminders: Paused until" in menu.text
    assert "resume" in values(menu) and "pause" not in values(menu)


def test_a_pause_of_everything_is_said_once_not_on_every_line() -> None:
    menu = last(run(["pause", "p:3"])).text
    assert menu.casefold().count("paused until") == 1
    assert "✅ Breathing exercise: 12:30, every day\n" in menu


def test_resume_now() -> None:
    outcome = run(["pause", "p:3", "resume"])
    assert outcome.facts == (RemindersPaused(None),)
    assert "pause" in values(last(outcome))
    assert "Paused" not in last(outcome).text


def test_a_running_pause_from_the_store_is_shown_and_kept_on_changes() -> None:
    until = NOW + timedelta(days=2)
    rows = [
        {
            "id": 1,
            "kind": "stress",
            "enabled": True,
            "rule": Rule("stress", BXL, times=("12:30",), paused_until=until).to_dict(),
        }
    ]
    ctx = make_ctx({"reminders": rows})
    assert "Paused until Fri 27 Nov, 09:00" in last(run([], ctx)).text
    _, rule, _ = saved(run(["k:stress", "times", "t:0800"], ctx))
    assert rule.paused_until == until
    created = run(["k:pain", "on"], ctx).facts[0]
    assert isinstance(created, ReminderUpserted) and created.rule["paused_until"] is not None


# -- time zone -------------------------------------------------------------------------------


def test_timezone_by_button_moves_every_reminder() -> None:
    index = COMMON_TIMEZONES.index("America/New_York")
    outcome = run(["tz", f"z:{index}"])
    # One fact: recording it moves every stored reminder (tests/bot/test_reminders.py).
    assert outcome.facts == (TimezoneChosen("America/New_York"),)
    assert outcome.replies[0].text.startswith("Time zone set to America/New_York (it's now 03:00")
    assert "Times are in America/New_York" in last(outcome).text


def test_timezone_typed_and_used_for_new_reminders() -> None:
    outcome = run(["tz", Text("asia/kolkata"), "k:pain", "on"])
    fact = outcome.facts[0]
    assert isinstance(fact, ReminderUpserted) and fact.rule["timezone"] == "Asia/Kolkata"


# -- the suggested plan ------------------------------------------------------------------------

SCORES = {
    "physical_factors": ["long_sitting"],
    "pss4": 10,
    "duration": "chronic",
    "risk": "medium",
    "stress_role": "strong",
}


def propose_ctx(
    plan: Any = None, mode: str | None = "propose", stored: list[dict[str, Any]] = STORED
) -> Context:
    history: dict[str, Any] = {
        "reminders": stored,
        "proposed_plan": plan_dicts(SCORES, BXL) if plan is None else plan,
    }
    if mode:
        history["mode"] = mode
    return make_ctx(history)


def test_propose_shows_the_plan_with_reasons() -> None:
    outcome = run([], propose_ctx(stored=[]))
    assert outcome.state is not None and outcome.state.step == "propose"
    text = last(outcome).text
    assert "✅ Movement breaks: every 60 min, Mon-Fri 09:00-17:00" in text
    assert T("reminders.reason.sitting") in text
    assert T("reminders.reason.stress") in text
    assert T("reminders.flow.changes_title") not in text  # nothing of theirs to change
    assert values(last(outcome)) == ["accept", "edit", "notnow"]


def test_propose_shows_what_would_change_in_the_users_own_reminders() -> None:
    outcome = run([], propose_ctx())
    text = last(outcome).text
    changes = text.split(T("reminders.flow.changes_title"))[1]
    changed = "🔁 Movement breaks: every 60 min, Mon-Fri 09:00-17:00 instead of every 90 min"
    assert changed in changes
    assert "➕ Graded walk: 17:30, every day" in changes
    assert "➕ Daily check-in: 20:00, every day" in changes  # it is off now
    assert "Breathing" not in changes  # 12:30 stays 12:30
    assert values(last(outcome)) == ["accept", "keepown", "edit", "notnow"]
    labels = [choice.label for choice in last(outcome).buttons()]
    assert labels[:2] == ["✅ Yes, change them", "➕ Keep mine, add the new ones"]


@pytest.mark.parametrize(("typed", "value"), [("yes", "accept"), ("no", "notnow")])
def test_a_typed_yes_or_no_answers_the_proposal_that_changes_own_reminders(
    typed: str, value: str
) -> None:
    """'Yes, change them' replaced 'Yes': it still means yes to the typed-answer matcher."""
    reply = last(run([], propose_ctx()))
    reading = read(typed, (reply,), T)
    assert isinstance(reading, Picked) and reading.choice.value == value


def test_accept_the_plan() -> None:
    outcome = run(["accept"], propose_ctx())
    assert outcome.state is None
    expected = tuple(rule.to_dict() for rule in default_plan(SCORES, BXL))
    assert outcome.facts == (PlanAccepted(expected),)
    assert last(outcome).text.startswith("Done! Your reminders are set:")
    assert "Graded walk: 17:30, every day" in last(outcome).text


def test_a_plan_of_bare_rule_dicts_works_too() -> None:
    plain = [rule.to_dict() for rule in default_plan(None, BXL)]
    outcome = run(["accept"], propose_ctx(plain))
    assert outcome.facts == (PlanAccepted(tuple(plain)),)


def test_not_now_records_nothing() -> None:
    outcome = run(["notnow"], propose_ctx(stored=[]))
    assert outcome.state is None and outcome.facts == ()
    assert last(outcome).text == T("reminders.flow.not_now")


@pytest.mark.parametrize("events", [["notnow"], ["edit", "notnow"]])
def test_not_now_with_reminders_on_says_they_stay(events: list[str | Event]) -> None:
    outcome = run(events, propose_ctx())
    assert outcome.state is None and outcome.facts == ()
    assert last(outcome).text == T("reminders.flow.not_now_kept")


def test_not_now_with_every_reminder_off_says_none_are_set() -> None:
    off = [{**row, "enabled": False} for row in STORED]
    assert last(run(["notnow"], propose_ctx(stored=off))).text == T("reminders.flow.not_now")


# The steps of issue 14: the walk moved to 18:00, then /plan.
OWN_WALK = [
    *STORED,
    {"id": 4, "kind": "pain", "enabled": True, "rule": Rule.at("pain", ["18:00"], BXL).to_dict()},
]


def _rules(fact: object) -> dict[str, Rule]:
    assert isinstance(fact, PlanAccepted)
    return {str(rule["kind"]): Rule.from_dict(rule) for rule in fact.rules}


def test_the_users_own_walk_time_is_shown_before_it_changes() -> None:
    text = last(run([], propose_ctx(stored=OWN_WALK))).text
    assert "🔁 Graded walk: 17:30, every day instead of 18:00, every day" in text


def test_yes_change_them_takes_the_plan() -> None:
    (fact,) = run(["accept"], propose_ctx(stored=OWN_WALK)).facts
    assert _rules(fact)["pain"].times == ("17:30",)


def test_keep_mine_keeps_the_users_own_rules_and_adds_the_new_ones() -> None:
    outcome = run(["keepown"], propose_ctx(stored=OWN_WALK))
    assert outcome.state is None
    rules = _rules(outcome.facts[0])
    assert rules["pain"].times == ("18:00",)
    assert rules["movement"].interval_minutes == 90  # theirs, not the plan's 60
    assert set(rules) == {"movement", "stress", "pain", "checkin", "summary"}
    assert last(outcome).text.startswith(T("reminders.flow.accepted_kept"))


def test_keep_mine_is_offered_only_when_it_differs_from_both_answers() -> None:
    # Nothing new to add (all planned kinds are on): keeping mine would be "not now".
    everything = [
        {"id": n, "kind": rule.kind, "enabled": True, "rule": rule.to_dict()}
        for n, rule in enumerate(default_plan(SCORES, BXL))
    ]
    everything[0]["rule"] = Rule.every("movement", 90, "09:00", "17:00", BXL).to_dict()
    assert values(last(run([], propose_ctx(stored=everything)))) == ["accept", "edit", "notnow"]
    # Only additions: nothing of theirs changes, so it is the plain "Sounds good".
    breathing = [row for row in STORED if row["kind"] == "stress"]
    reply = last(run([], propose_ctx(stored=breathing)))
    assert values(reply) == ["accept", "edit", "notnow"]
    assert reply.buttons()[0].label == T("reminders.flow.button_accept")


def test_a_plan_the_user_already_follows_changes_nothing() -> None:
    same = [
        {"id": n, "kind": rule.kind, "enabled": True, "rule": rule.to_dict()}
        for n, rule in enumerate(default_plan(SCORES, BXL))
    ]
    ctx = propose_ctx(stored=same)
    assert T("reminders.flow.no_changes") in last(run([], ctx)).text
    outcome = run(["accept"], ctx)
    assert outcome.facts == ()  # nothing recorded, so no slot is reset
    assert last(outcome).text == T("reminders.flow.accepted_unchanged")


def test_a_plan_accepted_during_a_pause_keeps_the_pause() -> None:
    until = NOW + timedelta(days=3)
    paused = [{**row, "rule": {**row["rule"], "paused_until": until.isoformat()}} for row in STORED]
    ctx = propose_ctx(stored=paused)
    assert "Breathing" not in last(run([], ctx)).text.split(T("reminders.flow.changes_title"))[1]
    for events in (["accept"], ["keepown"], ["edit", "save"]):
        (fact,) = run(events, ctx).facts
        assert {rule.paused_until for rule in _rules(fact).values()} == {until}, events


def test_edit_then_save_records_one_plan_with_the_changes() -> None:
    events: list[str | Event] = [
        "edit",
        "k:movement",
        "ivl",
        "i:45",
        "back",
        "k:pain",
        "off",
        "back",
        "k:stress",
        "times",
        Text("13:00"),
        "back",
    ]
    outcome = run(events, propose_ctx())
    assert outcome.facts == ()  # nothing is recorded while the plan is a draft
    assert outcome.state is not None and outcome.state.step == "menu"
    assert "This is your suggested plan" in last(outcome).text
    assert values(last(outcome))[-3:] == ["tz", "save", "notnow"]
    saved_plan = check(FLOW.handle(outcome.state, Press("save"), propose_ctx()))
    assert saved_plan.state is None
    (fact,) = saved_plan.facts
    assert isinstance(fact, PlanAccepted)
    rules = {rule["kind"]: Rule.from_dict(rule) for rule in fact.rules}
    assert list(rules) == ["movement", "stress", "checkin", "summary"]  # the walk was switched off
    assert rules["movement"].interval_minutes == 45
    assert rules["stress"].times == ("13:00",)


def test_draft_changes_are_confirmed_as_plan_changes() -> None:
    outcome = run(["edit", "k:stress", "times", "t:0800"], propose_ctx())
    assert outcome.facts == ()
    assert last(outcome).text == "Changed in your plan: Breathing exercise: 08:00, every day"


def test_draft_not_now_records_nothing() -> None:
    outcome = run(["edit", "notnow"], propose_ctx())
    assert outcome.state is None and outcome.facts == ()


def test_settings_mode_offers_the_suggested_plan() -> None:
    ctx = propose_ctx(mode=None)
    outcome = run([], ctx)
    assert outcome.state is not None and outcome.state.step == "menu"
    assert "plan" in values(last(outcome))
    opened = run(["plan"], ctx)
    assert opened.state is not None and opened.state.step == "propose"
    back = run(["plan", "notnow"], ctx)
    assert back.state is not None and back.state.step == "menu" and back.facts == ()
    assert run(["plan", "accept"], ctx).facts[0] == PlanAccepted(
        tuple(rule.to_dict() for rule in default_plan(SCORES, BXL))
    )


@pytest.mark.parametrize("plan", [[], "junk", [{"kind": "yoga"}, 3]])
def test_propose_without_a_usable_plan_shows_the_menu(plan: Any) -> None:
    outcome = run([], propose_ctx(plan))
    assert outcome.state is not None and outcome.state.step == "menu"
    assert "plan" not in values(last(outcome))


def test_propose_ignores_typed_text() -> None:
    ctx = propose_ctx()
    state = run([], ctx).state
    assert state is not None
    outcome = check(FLOW.handle(state, Text("yes please"), ctx))
    assert outcome.state == state and outcome.facts == ()
    assert last(outcome).text.startswith(PLEASE)


# -- the flow as a whole ----------------------------------------------------------------------


def test_protocol_attributes_and_diagram() -> None:
    assert FLOW.name == "reminders" and FLOW.needs_consent is True
    diagram = mermaid(FLOW)
    for step in STEPS:
        assert step in diagram
    targets = {target for _, _, target in FLOW.transitions()}
    sources = {source for source, _, _ in FLOW.transitions()}
    assert set(STEPS) <= sources and set(STEPS) <= targets | {"propose"}


def test_every_step_can_be_shown_again() -> None:
    ctx = propose_ctx()
    paths: list[list[str | Event]] = [
        [],
        ["edit"],
        ["edit", "k:stress"],
        ["edit", "k:stress", "times"],
        ["edit", "k:stress", "days"],
        ["edit", "k:movement", "ivl"],
        ["edit", "k:movement", "win"],
        ["edit", "k:stress", "quiet"],
        ["edit", "tz"],
    ]
    seen = set()
    for path in paths:
        state = run(path, ctx).state
        assert state is not None
        seen.add(state.step)
        replies = FLOW.current(state, ctx)
        assert replies and replies[-1].buttons()
    assert "pause" not in seen
    pause_state = run(["pause"]).state
    assert pause_state is not None and FLOW.current(pause_state, make_ctx())[0].buttons()


button_values = st.sampled_from(
    [
        "accept",
        "edit",
        "notnow",
        "save",
        "done",
        "back",
        "plan",
        "pause",
        "resume",
        "tz",
        "on",
        "off",
        "times",
        "days",
        "ivl",
        "win",
        "quiet",
        "q:off",
        "t:0800",
        "t:9999",
        "d:wk",
        "d:3",
        "i:60",
        "w:0900-1700",
        "q:2200-0700",
        "p:3",
        "z:0",
        "z:x",
        "",
        "k:",
        "|",
    ]
    + [f"k:{kind}" for kind in KINDS]
)
events = st.one_of(button_values.map(Press), st.text(max_size=60).map(Text))


@HYPO
@given(
    st.lists(events, max_size=25),
    st.booleans(),
    st.sampled_from([BXL, "Asia/Kolkata", "Not/AZone"]),
)
def test_random_input_never_raises(sequence: list[Event], propose: bool, tz: str) -> None:
    ctx = Context(
        T,
        NOW,
        tz,
        {
            "reminders": STORED,
            "proposed_plan": plan_dicts(SCORES, BXL),
            "mode": "propose" if propose else None,
        },
    )
    outcome = check(FLOW.start(ctx))
    for event in sequence:
        if outcome.state is None:
            break
        outcome = check(FLOW.handle(outcome.state, event, ctx))
        for fact in outcome.facts:
            if isinstance(fact, ReminderUpserted):
                assert Rule.from_dict(fact.rule).kind == fact.kind
            if isinstance(fact, PlanAccepted):
                assert all(Rule.from_dict(rule) for rule in fact.rules)


# -- the daily limit, and opening straight at a reminder (issue 14, item 6) ------------


@pytest.mark.parametrize(("press", "limit"), [("l:6", 6), ("l:2", 2), ("l:none", None)])
def test_the_daily_limit_is_chosen_from_the_menu(press: str, limit: int | None) -> None:
    outcome = run(["limit", press])
    assert outcome.facts == (DailyLimitChosen(limit),)
    assert outcome.state is not None and outcome.state.step == "menu"
    line = (
        T("reminders.flow.limit_line_none")
        if limit is None
        else T("reminders.flow.limit_line", count=limit)
    )
    assert outcome.replies[0].text == T("reminders.flow.limit_set", line=line)
    assert line in last(outcome).text  # the menu shows the new limit


@pytest.mark.parametrize("event", [Press("l:5"), Press("l:0"), Text("10")])
def test_the_daily_limit_takes_only_its_buttons(event: Event) -> None:
    outcome = run(["limit", event])
    assert outcome.facts == () and last(outcome).text.startswith(PLEASE)


def test_a_typed_back_leaves_the_daily_limit() -> None:
    reading = read("go back", (last(run(["limit"])),), T)
    assert isinstance(reading, Picked) and reading.choice.value == BACK


def test_the_menu_and_the_plan_say_the_users_own_limit() -> None:
    none = make_ctx({"reminders": STORED, "daily_limit": None})
    assert T("reminders.flow.limit_line_none") in last(run([], none)).text
    six = propose_ctx()
    six.history["daily_limit"] = 6
    assert T("reminders.flow.limit_line", count=6) in last(run([], six)).text
    assert T("reminders.flow.limit_line", count=4) in last(run([], propose_ctx())).text


def test_another_time_opens_that_reminder_at_once() -> None:
    outcome = run([], make_ctx({"reminders": STORED, "open_kind": "stress"}))
    assert outcome.state is not None and outcome.state.step == "kind"
    assert last(outcome).text == "Breathing exercise: 12:30, every day"
    assert "times" in values(last(outcome))


def test_zone_buttons_name_the_city_in_the_users_language() -> None:
    ctx = Context(default_catalogue().translator("fr"), NOW, BXL, {"reminders": STORED})
    outcome = run(["tz"], ctx)
    labels = {c.value: c.label for c in last(outcome).buttons()}
    assert labels[f"z:{COMMON_TIMEZONES.index('Europe/London')}"] == "Londres"
    assert labels[f"z:{COMMON_TIMEZONES.index('Europe/Brussels')}"] == "Bruxelles"
