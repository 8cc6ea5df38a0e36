"""Reminders end to end: the plan from the self-check, settings, the real rules in the
dispatcher (DST, pause, quiet hours, snooze, skip), and the buttons under a nudge."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import ExtBot

from bot.clock import ManualClock
from bot.conversation import Incoming, TurnResult
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.features import reminders as feat
from bot.features.reminders import advance
from bot.reminder_sender import make_sender
from bot.services import Services, build_services
from flows import pacing
from flows.i18n import default_catalogue
from flows.reminders import facts
from flows.schedule import Rule
from flows.schedule import next_due_after_today as _next_after_today
from tests.conftest import TEST_TOKEN, make_settings, unthrottled_app
from tests.support import peek
from tests.support.engine import USER, command, drive, onboard, press_data
from tests.support.fakebotapi import FakeBotApi
from tests.support.self_check import OFFICE_WORKER


def labels(result: TurnResult) -> dict[str, str]:
    return {b.label: b.data for r in result.replies for row in r.buttons for b in row}


def reminders(services: Services) -> dict[str, Any]:
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        return {r.kind: r for r in tx.reminders() if not r.one_off}


@pytest.fixture
async def world(
    sqlite_url: str, clock: ManualClock
) -> AsyncIterator[tuple[Services, FakeBotApi, Dispatcher]]:
    services = build_services(make_settings(sqlite_url), clock)
    async with FakeBotApi(token=TEST_TOKEN) as server:
        app = unthrottled_app(server)
        async with app:
            bot: ExtBot[Any] = app.bot
            dispatcher = Dispatcher(
                services.store,
                clock,
                make_sender(bot, services),
                advance,
                DispatchSettings(per_chat_interval=0.0),
                feat.screening(),  # as in production (bot.runner)
            )
            yield services, server, dispatcher
    services.store.dispose()


def accept_plan(services: Services) -> None:
    result = command(services, "plan")
    accept = next(data for label, data in labels(result).items() if "Sounds good" in label)
    press_data(services, accept)


def test_plan_after_the_self_check_follows_its_result(services: Services) -> None:
    onboard(services)
    drive(services, command(services, "test"))
    assert "based on your self-check" in command(services, "plan").replies[-1].text
    accept_plan(services)
    stored = reminders(services)
    assert {"movement", "checkin", "summary"} <= set(stored)
    assert all(r.enabled and r.next_due_at is not None for r in stored.values())
    summary_rule = Rule.from_dict(stored["summary"].rule)
    assert summary_rule.days == (6,) and summary_rule.times == ("19:00",)


def test_skipping_the_test_still_gets_a_sensible_plan(services: Services) -> None:
    onboard(services)
    proposal = command(services, "plan").replies[-1].text
    assert "based on your self-check" not in proposal and "/test" in proposal
    accept_plan(services)
    assert {"movement", "stress", "checkin", "summary"} <= set(reminders(services))


def test_switching_a_kind_off_stops_its_slots(services: Services) -> None:
    onboard(services)
    accept_plan(services)
    result = command(services, "reminders")
    kinds = labels(result)
    movement = next(data for label, data in kinds.items() if "ovement" in label)
    result = press_data(services, movement)
    off = next(
        data
        for label, data in labels(result).items()
        if "off" in label.lower() or "Turn off" in label
    )
    press_data(services, off)
    assert not reminders(services)["movement"].enabled


async def test_brussels_spring_forward_fires_once_at_three(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("stress", ["02:30"], "Europe/Brussels").to_dict()
        tx.upsert_reminder("stress", rule, enabled=True, next_due_at=advance(rule, tx.now))
    # Live through the night minute by minute.
    for _ in range(24 * 60 // 5):
        clock.advance(timedelta(minutes=5))
        await dispatcher.tick()
    deliveries = peek.deliveries(services.store, USER)
    assert [d.slot for d in deliveries] == [datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]
    assert server.delivered(USER) == 1


async def test_brussels_fall_back_fires_once(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    clock.set(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("posture", ["02:30"], "Europe/Brussels").to_dict()
        tx.upsert_reminder("posture", rule, enabled=True, next_due_at=advance(rule, tx.now))
    for _ in range(24 * 60 // 5):
        clock.advance(timedelta(minutes=5))
        await dispatcher.tick()
    assert [d.slot for d in peek.deliveries(services.store, USER)] == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30, still summer time
    ]
    assert server.delivered(USER) == 1


async def test_pause_quiet_hours_snooze_and_skip_through_the_buttons(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))  # Monday 08:00 in Brussels
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.every("movement", 60, "09:00", "17:00", "Europe/Brussels").to_dict()
        rule["quiet_start"], rule["quiet_end"] = "12:00", "13:30"
        rule = Rule.from_dict(rule).to_dict()
        tx.upsert_reminder("movement", rule, enabled=True, next_due_at=advance(rule, tx.now))
        tx.set_daily_limit(None)  # every slot, to see the schedule's own rules at work

    brussels = ZoneInfo("Europe/Brussels")

    async def run_until(hour: int, minute: int = 0) -> None:
        """Tick minute by minute until this local time of the current local day."""
        local = clock.now().astimezone(brussels)
        target = local.replace(hour=hour, minute=minute).astimezone(UTC)
        while clock.now() < target:
            clock.advance(timedelta(minutes=1))
            await dispatcher.tick()

    def buttons_of_last() -> dict[str, str]:
        nudge = server.sent_messages(USER)[-1]
        markup = nudge.params["reply_markup"]["inline_keyboard"]
        return {b["text"]: b["callback_data"] for row in markup for b in row}

    await run_until(11, 30)  # 09:00, 10:00, 11:00
    assert server.delivered(USER) == 3
    # Snooze the last one for 15 minutes: it comes back once, and a second press of the
    # same button changes nothing.
    snooze = buttons_of_last()["⏰ Snooze 15 min"]
    assert "remind you again at 11:45" in press_data(services, snooze).replies[0].text
    assert "already answered" in press_data(services, snooze).replies[0].text
    await run_until(12, 0)
    assert server.delivered(USER) == 4
    # Quiet hours 12:00-13:30 drop the 12:00 and 13:00 slots; 14:00 comes.
    await run_until(13, 59)
    assert server.delivered(USER) == 4
    await run_until(14, 30)
    assert server.delivered(USER) == 5
    # Skip today: nothing more until tomorrow.
    assert (
        "no more of these today"
        in press_data(services, buttons_of_last()["Skip today"]).replies[0].text
    )
    await run_until(23)
    assert server.delivered(USER) == 5
    # Pause for a day from the settings: Tuesday stays quiet, Wednesday resumes.
    result = command(services, "reminders")
    pause = next(data for label, data in labels(result).items() if "ause" in label)
    result = press_data(services, pause)
    one_day = next(data for label, data in labels(result).items() if label.startswith("1"))
    press_data(services, one_day)
    clock.advance(timedelta(hours=10))  # Tuesday 09:00: paused
    await run_until(23)
    assert server.delivered(USER) == 5
    clock.advance(timedelta(hours=11))  # Wednesday 10:00
    await run_until(10, 30)
    assert server.delivered(USER) == 6


async def test_start_on_a_stress_reminder_opens_an_exercise_and_logs_it(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("stress", ["12:30"], "Europe/Brussels").to_dict()
        tx.upsert_reminder("stress", rule, enabled=True, next_due_at=clock.now())
    await dispatcher.tick()
    nudge = server.sent_messages(USER)[-1]
    start = nudge.params["reply_markup"]["inline_keyboard"][0][0]
    assert start["text"] == "▶ Start"
    result = press_data(services, start["callback_data"])
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "exercise"
    drive(services, result)
    assert peek.rows_about(services.store, USER)["exercise_logs"] == 1


def test_nobody_can_press_another_users_reminder(services: Services, clock: ManualClock) -> None:
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("stress", ["12:30"]).to_dict()
        tx.upsert_reminder("stress", rule, enabled=True, next_due_at=clock.now())
    claims = services.store.claim_due(
        clock.now(), limit=5, grace=timedelta(minutes=20), advance=advance
    )
    stranger = services.conversations.handle(
        Incoming(USER + 1, "press", callback=f"r|{claims[0].delivery_id}|d")
    )
    assert "no longer there" in stranger.replies[0].text
    assert peek.deliveries(services.store, USER)[0].action is None


def test_a_new_time_zone_moves_every_reminder_once(services: Services) -> None:
    onboard(services)
    accept_plan(services)
    result = command(services, "reminders")
    zone = next(data for label, data in labels(result).items() if "ime zone" in label)
    result = press_data(services, zone)
    new_york = next(data for label, data in labels(result).items() if "New York" in label)
    press_data(services, new_york)
    stored = reminders(services)
    assert stored and all(r.rule["timezone"] == "America/New_York" for r in stored.values())
    user = services.store.get_user(USER)
    assert user is not None and user.timezone == "America/New_York"
    checkin = Rule.from_dict(stored["checkin"].rule)
    due = stored["checkin"].next_due_at
    assert due is not None and due.astimezone(checkin.zone).strftime("%H:%M") == "20:00"


# -- snoozes follow pause, switch-off and skip today --------------------------------

BXL = ZoneInfo("Europe/Brussels")


def _nudge_buttons(server: FakeBotApi) -> dict[str, str]:
    markup = server.sent_messages(USER)[-1].params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in markup for b in row}


def _movement_every_hour(services: Services, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))  # Monday 08:00 Brussels
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.every("movement", 60, "09:00", "17:00", "Europe/Brussels").to_dict()
        tx.upsert_reminder("movement", rule, enabled=True, next_due_at=advance(rule, tx.now))


async def _run_until(
    clock: ManualClock, dispatcher: Dispatcher, hour: int, minute: int = 0
) -> None:
    local = clock.now().astimezone(BXL)
    target = local.replace(hour=hour, minute=minute).astimezone(UTC)
    while clock.now() < target:
        clock.advance(timedelta(minutes=1))
        await dispatcher.tick()


async def test_pausing_all_reminders_holds_back_a_pending_snooze(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    _movement_every_hour(services, clock)
    await _run_until(clock, dispatcher, 9, 5)
    assert server.delivered(USER) == 1
    press_data(services, _nudge_buttons(server)["⏰ Snooze 30 min"])  # back at 09:35
    # "Pause all reminders" for a day, at 09:10
    until = (clock.now() + timedelta(days=1)).isoformat()
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        feat.record_pause(tx, facts.RemindersPaused(until_iso=until))
    await _run_until(clock, dispatcher, 16, 0)
    # Paused: nothing arrives, the pending snooze included.
    assert server.delivered(USER) == 1, [c.text for c in server.sent_messages(USER)]


async def test_switching_a_kind_off_also_drops_its_snooze(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    _movement_every_hour(services, clock)
    await _run_until(clock, dispatcher, 9, 5)
    press_data(services, _nudge_buttons(server)["⏰ Snooze 30 min"])
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        feat.record_toggle(tx, facts.ReminderToggled(kind="movement", enabled=False))
    await _run_until(clock, dispatcher, 16, 0)
    assert server.delivered(USER) == 1, [c.text for c in server.sent_messages(USER)]


async def test_skip_today_on_a_snoozed_nudge_skips_today(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    _movement_every_hour(services, clock)
    await _run_until(clock, dispatcher, 9, 5)
    press_data(services, _nudge_buttons(server)["⏰ Snooze 15 min"])  # back at 09:20
    await _run_until(clock, dispatcher, 9, 25)
    assert server.delivered(USER) == 2
    reply = press_data(services, _nudge_buttons(server)["Skip today"]).replies[0].text
    assert "no more of these today" in reply
    await _run_until(clock, dispatcher, 23, 0)
    # "No more of these today": 10:00 ... 16:00 stay quiet.
    assert server.delivered(USER) == 2, len(server.sent_messages(USER))


# -- /plan never overwrites the user's own changes unseen (issue 14, item 4) ----------


def _change_walk_to_18(services: Services) -> None:
    result = command(services, "reminders")
    walk = next(data for label, data in labels(result).items() if "Graded walk" in label)
    result = press_data(services, walk)
    result = press_data(services, labels(result)["🕒 Time"])
    result = services.conversations.handle(Incoming(USER, "text", text="18:00"))
    assert "Saved: Graded walk: 18:00, every day" in result.replies[0].text
    press_data(services, labels(command(services, "reminders"))["Done"])


def test_plan_shows_and_asks_before_it_changes_the_users_own_walk(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        tx.record_test({}, {"duration": "chronic", "risk": "medium"}, "complete")
    accept_plan(services)
    assert Rule.from_dict(reminders(services)["pain"].rule).times == ("17:30",)
    _change_walk_to_18(services)
    # /plan again: the proposal says what saying yes would do to the 18:00 walk.
    proposal = command(services, "plan")
    text = proposal.replies[-1].text
    assert "🔁 Graded walk: 17:30, every day instead of 18:00, every day" in text
    assert "Sounds good" not in " ".join(labels(proposal))
    # "Not now" leaves it, and says so.
    reply = press_data(services, labels(proposal)["Not now"]).replies[-1].text
    assert "left your reminders as they are" in reply and "Whenever you want" not in reply
    assert Rule.from_dict(reminders(services)["pain"].rule).times == ("18:00",)
    # Only a clear yes changes it.
    press_data(services, labels(command(services, "plan"))["✅ Yes, change them"])
    assert Rule.from_dict(reminders(services)["pain"].rule).times == ("17:30",)


def test_accepting_a_plan_keeps_todays_skip_of_a_reminder_it_does_not_change(
    services: Services, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))  # Monday 08:00 in Brussels
    onboard(services)
    accept_plan(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        checkin = next(r for r in tx.reminders() if r.kind == "checkin")
        tomorrow = _next_after_today(Rule.from_dict(checkin.rule), tx.now)
        tx.set_reminder_next_due(checkin.id, tomorrow)  # "Skip today" on the check-in
    # The plan now also switches on something new; the check-in stays as it was.
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        stress = next(r for r in tx.reminders() if r.kind == "stress")
        feat.record_toggle(tx, facts.ReminderToggled(kind="stress", enabled=False))
        assert stress.enabled
    press_data(services, labels(command(services, "plan"))["✅ Sounds good"])
    stored = reminders(services)
    assert stored["stress"].enabled
    assert stored["checkin"].next_due_at == tomorrow


# -- a reminder whose task is done for the day is skipped (issue 14, item 5) ----------


def _daily(services: Services, clock: ManualClock, kinds: dict[str, str]) -> None:
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        for kind, at in kinds.items():
            rule = Rule.at(kind, [at], "Europe/Brussels").to_dict()
            tx.upsert_reminder(kind, rule, enabled=True, next_due_at=advance(rule, tx.now))


async def _live_until(
    clock: ManualClock, dispatcher: Dispatcher, day: int, hour: int, minute: int = 0
) -> None:
    """Tick every five minutes until ``day`` November 2026, ``hour:minute`` in Brussels."""
    target = datetime(2026, 11, day, hour, minute, tzinfo=BXL).astimezone(UTC)
    while clock.now() < target:
        clock.advance(timedelta(minutes=5))
        await dispatcher.tick()


def _log(services: Services, exercise: str) -> None:
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        tx.log_exercise(exercise, finished=True, rating_after=None, level=None)


async def test_reminders_whose_task_is_done_that_day_are_skipped_across_a_week(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))  # Monday 08:00 in Brussels
    onboard(services)
    _daily(services, clock, {"stress": "12:30", "pain": "17:30", "checkin": "20:00"})
    statuses = lambda: [d.status for d in peek.deliveries(services.store, USER)]  # noqa: E731
    # Monday: nothing done, all three come.
    await _live_until(clock, dispatcher, 23, 23)
    assert server.delivered(USER) == 3
    # Tuesday: breathing in the morning, a check-in at 19:00: only the walk comes.
    await _live_until(clock, dispatcher, 24, 9)
    _log(services, "long_exhale")
    await _live_until(clock, dispatcher, 24, 19)
    drive(services, command(services, "checkin"))
    await _live_until(clock, dispatcher, 24, 23)
    assert server.delivered(USER) == 3 + 1  # only the 17:30 walk
    assert statuses()[-3:] == ["skipped", "sent", "skipped"]
    # Wednesday: a graded walk at 10:00 skips the 17:30 walk; a pacing plan would not.
    await _live_until(clock, dispatcher, 25, 10)
    _log(services, "graded_walk")
    await _live_until(clock, dispatcher, 25, 23)
    assert statuses()[-3:] == ["sent", "skipped", "sent"]
    await _live_until(clock, dispatcher, 26, 10)
    _log(services, "pacing_chore")
    # Thursday 20:00: snooze the check-in, then check in before the snooze comes back.
    await _live_until(clock, dispatcher, 26, 20, 5)
    assert statuses()[-3:] == ["sent", "sent", "sent"]
    press_data(services, _nudge_buttons(server)["⏰ Snooze 30 min"])
    drive(services, command(services, "checkin"))
    await _live_until(clock, dispatcher, 26, 23)
    assert statuses()[-1] == "skipped"  # the snooze, at 20:35
    # Friday: a new day, nothing done yet: all three come again.
    before = server.delivered(USER)
    await _live_until(clock, dispatcher, 27, 23)
    assert server.delivered(USER) == before + 3
    assert statuses().count("skipped") == 4
    assert not server.duplicate_sends()


# -- at most 4 pushes a day; ignored reminders spaced out and asked about once ----------
# (issue 14, item 6)


async def _live_to(
    clock: ManualClock, dispatcher: Dispatcher, until: datetime, step: int = 15
) -> None:
    """Tick every ``step`` minutes until the Brussels wall time ``until``."""
    target = until.replace(tzinfo=BXL).astimezone(UTC)
    while clock.now() < target:
        clock.advance(timedelta(minutes=step))
        await dispatcher.tick()


async def _live_days(
    services: Services,
    server: FakeBotApi,
    dispatcher: Dispatcher,
    first: datetime,
    days: int,
    *,
    check_in: bool = True,
) -> list[list[Any]]:
    """Live ``days`` days from the Brussels midnight ``first``, ticking every 15
    minutes, checking in at 19:00 by command (a user who keeps a diary but ignores
    every push), and return the messages each day brought."""
    clock = services.clock
    assert isinstance(clock, ManualClock)
    per_day: list[list[Any]] = []
    for offset in range(days):
        midnight = first + timedelta(days=offset)
        seen = len(server.sent_messages(USER))
        await _live_to(clock, dispatcher, midnight.replace(hour=19))
        if check_in:
            drive(services, command(services, "checkin"))
        await _live_to(clock, dispatcher, midnight + timedelta(days=1))
        per_day.append(server.sent_messages(USER)[seen:])
    return per_day


def _texts(calls: list[Any]) -> list[str]:
    return [str(call.params.get("text") or call.params.get("caption") or "") for call in calls]


async def test_an_office_workers_plan_sends_at_most_4_a_day_and_ignored_ones_fade(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    t = services.catalogue.translator("en")
    clock.set(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # Monday 00:00 in Brussels
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        tx.record_test({}, OFFICE_WORKER, "complete")
    accept_plan(services)
    rules = [Rule.from_dict(r.rule) for r in reminders(services).values()]
    monday = datetime(2026, 11, 23)
    slots = [s for rule in rules for s in pacing.day_slots(rule, monday.date(), "Europe/Brussels")]
    assert len(slots) == 13  # what the plan asks for on a weekday

    week = await _live_days(services, server, dispatcher, monday, 7)
    # Never more than 4 a day; Monday's are the ones that matter most, spread out
    # (the 20:00 check-in is skipped: the user checked in at 19:00).
    assert all(len(day) <= 4 for day in week)
    kinds = {
        text: kind
        for kind in ("movement", "stress", "pain")
        for text in t.list(f"reminders.messages.{kind}")
    }
    assert [kinds.get(text) for text in _texts(week[0])] == ["movement", "stress", "pain"]
    # Three days unanswered: Thursday's first push of each is the question instead.
    question = {
        kind: t("reminders.review.ask", kind=t(f"reminders.kinds.{kind}"))
        for kind in ("movement", "stress", "pain")
    }
    assert _texts(week[3]) == [question["movement"], question["stress"], question["pain"]]
    buttons = week[3][0].params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in buttons] == [
        "🕒 Another time",
        "👍 Less often is fine",
        "🛑 Stop it",
    ]
    # Spaced out from then on: Friday brings none of them.
    assert not set(_texts(week[4])) & set(kinds)
    # The summary on Sunday says what happened, not "keep going as you are".
    summary = next(text for text in _texts(week[6]) if text.startswith("📅"))
    assert t("summary.suggestion.reminders_spaced") in summary
    assert t("summary.suggestion.keep_going") not in summary

    # Two more weeks of ignoring: the question came once per reminder, pushes thin out.
    weeks = week + await _live_days(services, server, dispatcher, monday + timedelta(days=7), 14)
    every_text = [text for day in weeks for text in _texts(day)]
    for kind in ("movement", "stress", "pain", "posture"):
        assert (
            every_text.count(
                question.get(kind, t("reminders.review.ask", kind=t(f"reminders.kinds.{kind}")))
            )
            == 1
        ), kind
    per_week = [sum(len(day) for day in weeks[n : n + 7]) for n in (0, 7, 14)]
    assert per_week[2] < per_week[0] and all(len(day) <= 4 for day in weeks)
    statuses = [d.status for d in peek.deliveries(services.store, USER)]
    assert {"capped", "spaced", "asked", "skipped"} <= set(statuses)


async def test_the_question_about_an_ignored_reminder_is_answered_with_its_buttons(
    world: tuple[Services, FakeBotApi, Dispatcher], clock: ManualClock
) -> None:
    services, server, dispatcher = world
    t = services.catalogue.translator("en")
    clock.set(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # Monday 00:00 in Brussels
    onboard(services)
    _daily(services, clock, {"stress": "12:30", "pain": "17:30", "checkin": "20:00"})
    monday = datetime(2026, 11, 23)
    week = await _live_days(services, server, dispatcher, monday, 4, check_in=False)
    questions = {
        call.params["text"]: {
            b[0]["text"]: b[0]["callback_data"]
            for b in call.params["reply_markup"]["inline_keyboard"]
        }
        for call in week[3]
    }
    ask = {
        kind: t("reminders.review.ask", kind=t(f"reminders.kinds.{kind}"))
        for kind in ("stress", "pain", "checkin")
    }
    assert set(questions) == set(ask.values())
    # The walk: stop it.
    reply = press_data(services, questions[ask["pain"]]["🛑 Stop it"]).replies[-1].text
    assert reply == t("reminders.review.stopped", kind="Graded walk")
    assert not reminders(services)["pain"].enabled
    # Breathing: another time opens its settings; 13:00 it is.
    result = press_data(services, questions[ask["stress"]]["🕒 Another time"])
    assert result.replies[-1].text == "Breathing exercise: 12:30, every day"
    result = press_data(services, labels(result)["🕒 Time"])
    services.conversations.handle(Incoming(USER, "text", text="13:00"))
    # The check-in: less often is fine.
    reply = (
        press_data(services, questions[ask["checkin"]]["👍 Less often is fine"]).replies[-1].text
    )
    assert reply == t("reminders.review.kept")
    # Friday: breathing comes at its new time, a fresh start; the walk never again;
    # the check-in is spaced out (not today).
    friday = await _live_days(
        services, server, dispatcher, monday + timedelta(days=4), 1, check_in=False
    )
    assert _texts(friday[0]) and len(friday[0]) == 1
    assert friday[0][0].params["text"] in t.list("reminders.messages.stress")


def test_every_reminder_button_has_its_label_in_every_language() -> None:
    assert set(feat.LABELS) == set(feat.ACTION_CODES)
    catalogue = default_catalogue()
    for language in catalogue.languages:
        keys = set(catalogue.keys(language))
        assert set(feat.LABELS.values()) <= keys, language
