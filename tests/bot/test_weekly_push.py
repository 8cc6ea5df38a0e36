"""The weekly summary push: once a week at the user's time, across restarts; a gentle
nudge instead for a week without data, at most once a fortnight."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot.clock import ManualClock
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.features.reminders import advance
from bot.reminder_sender import make_sender
from bot.services import Services, build_services
from flows import onboarding
from flows.schedule import Rule
from tests.conftest import TEST_TOKEN, make_settings, unthrottled_app
from tests.support import peek
from tests.support.engine import USER, command, drive, onboard
from tests.support.fakebotapi import FakeBotApi

SUNDAY_NOON = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)  # Sunday 12:00 in Brussels


@pytest.fixture
async def bot() -> AsyncIterator[tuple[FakeBotApi, ExtBot[Any]]]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        app = unthrottled_app(server)
        async with app:
            yield server, app.bot


def fresh(sqlite_url: str, clock: ManualClock, bot: ExtBot[Any]) -> tuple[Services, Dispatcher]:
    """A process start: new services and dispatcher on the same database file."""
    services = build_services(make_settings(sqlite_url), clock)
    return services, Dispatcher(
        services.store,
        clock,
        make_sender(bot, services),
        advance,
        DispatchSettings(per_chat_interval=0.0),
    )


async def live_hours(clock: ManualClock, dispatcher: Dispatcher, hours: int) -> None:
    for _ in range(hours * 4):
        clock.advance(timedelta(minutes=15))
        await dispatcher.tick()


def subscribe(services: Services) -> None:
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("summary", ["19:00"], "Europe/Brussels", days=(6,)).to_dict()
        tx.upsert_reminder("summary", rule, enabled=True, next_due_at=advance(rule, tx.now))


async def test_summary_push_once_a_week_across_a_restart(
    sqlite_url: str, clock: ManualClock, bot: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, ext_bot = bot
    clock.set(SUNDAY_NOON - timedelta(days=6))
    services, dispatcher = fresh(sqlite_url, clock, ext_bot)
    onboard(services)
    subscribe(services)
    for _ in range(6):  # a check-in every day of the week
        drive(services, command(services, "checkin"))
        clock.advance(timedelta(days=1))
    await live_hours(clock, dispatcher, 12)  # Sunday 12:00 -> 24:00: 19:00 passes
    assert len(server.calls_to("sendPhoto")) == 1
    summaries = [c for c in server.sent_messages(USER) if c.method == "sendMessage"]
    assert any("pain" in (c.text or "").lower() for c in summaries)
    # Sent on Sunday at 19:00, before Sunday's check-in: Sunday is not a missed day.
    summary_text = "\n".join(c.text or "" for c in summaries)
    assert "Check-ins: 6 of 6 days." in summary_text
    assert "not counted as zero" not in summary_text
    services.store.dispose()

    services, dispatcher = fresh(sqlite_url, clock, ext_bot)  # restart
    await live_hours(clock, dispatcher, 24 * 6)  # the rest of the week: nothing more
    assert len(server.calls_to("sendPhoto")) == 1
    assert len(peek.deliveries(services.store, USER)) == 1
    services.store.dispose()


async def test_a_week_without_data_gets_one_nudge_a_fortnight(
    sqlite_url: str, clock: ManualClock, bot: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, ext_bot = bot
    clock.set(SUNDAY_NOON)
    services, dispatcher = fresh(sqlite_url, clock, ext_bot)
    onboard(services)
    subscribe(services)
    statuses = []
    for _week in range(4):
        await live_hours(clock, dispatcher, 24 * 7)
    statuses = [d.status for d in peek.deliveries(services.store, USER)]
    assert statuses == ["nudge", "skipped", "nudge", "skipped"]
    assert not server.calls_to("sendPhoto")
    nudges = [c for c in server.sent_messages(USER) if "quiet week" in (c.text or "")]
    assert len(nudges) == 2
    services.store.dispose()


async def test_no_summary_is_pushed_to_someone_whose_consent_is_to_an_older_text(
    sqlite_url: str,
    clock: ManualClock,
    bot: tuple[FakeBotApi, ExtBot[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, ext_bot = bot
    clock.set(SUNDAY_NOON - timedelta(days=6))
    services, dispatcher = fresh(sqlite_url, clock, ext_bot)
    onboard(services)
    subscribe(services)
    for _ in range(6):
        drive(services, command(services, "checkin"))
        clock.advance(timedelta(days=1))
    monkeypatch.setattr(onboarding, "CONSENT_VERSION", 2)  # the consent text changed
    await live_hours(clock, dispatcher, 12)
    assert [d.status for d in peek.deliveries(services.store, USER)] == ["skipped"]
    assert not server.calls_to("sendPhoto")
    assert not [c for c in server.sent_messages(USER) if c.method == "sendMessage"]
    services.store.dispose()
