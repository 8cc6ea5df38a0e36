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
from flows import reminder_settings as rs
from flows.schedule import Rule
from flows.schedule import next_due_after_today as _next_after_today
from tests.conftest import TEST_TOKEN, make_settings, unthrottled_app
from tests.fakebotapi import FakeBotApi
from tests.test_flows_through_engine import USER, command, drive, onboard, press_data


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
    deliveries = services.store.deliveries(USER)
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
    assert [d.slot for d in services.store.deliveries(USER)] == [
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
    state = services.store.get_state(USER)
    assert state is not None and state.flow == "exercise"
    drive(services, result)
    assert services.store.rows_about(USER)["exercise_logs"] == 1


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
    assert services.store.deliveries(USER)[0].action is None


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
        feat.record_pause(tx, rs.RemindersPaused(until_iso=until))
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
        feat.record_toggle(tx, rs.ReminderToggled(kind="movement", enabled=False))
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
        feat.record_toggle(tx, rs.ReminderToggled(kind="stress", enabled=False))
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
    statuses = lambda: [d.status for d in services.store.deliveries(USER)]  # noqa: E731
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
