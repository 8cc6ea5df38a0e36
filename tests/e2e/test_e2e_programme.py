"""End to end over the fake Bot API: the 12-week programme through the production
start-up. Enrolment from the end of the self-check, a day's session in small steps,
the next morning's one message opening /today, a flare-up day, and a pause during which
nothing is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.dispatcher import Dispatcher
from bot.runner import DISPATCHER, running
from bot.services import build_services
from flows.pain_test_questions import INDEX, STEPS
from tests.conftest import TEST_TOKEN, bot_settings
from tests.support import peek
from tests.support.fakebotapi import Call, FakeBotApi
from tests.support.self_check import CALM, presses_for
from tests.support.telegram import USER, Harness, onboard

START_SESSION = "▶ Start today's session"


@pytest.fixture
async def bot(sqlite_url: str, clock: ManualClock) -> AsyncIterator[tuple[Harness, Dispatcher]]:
    """The production start-up, and its dispatcher to tick by hand."""
    async with FakeBotApi(token=TEST_TOKEN) as server:
        services = build_services(bot_settings(sqlite_url, server), clock)
        try:
            async with running(services, poll_timeout=1, tick_seconds=3600) as app:
                yield Harness(server, services), app.bot_data[DISPATCHER]
        finally:
            services.store.dispose()


async def tap(
    h: Harness, call: Call, label: str, expect: int = 1, *, in_place: bool = False
) -> list[Call]:
    return await h.press(call, label, expect, in_place=in_place)


async def self_check(h: Harness) -> list[Call]:
    """The whole self-check over Telegram with calm answers; returns the profile. Each
    answer's reply takes the place of the question answered, the profile too."""
    replies = await h.say(h.server.command(USER, "/test"), expect=2)
    last_step = STEPS[-1].id
    while (state := peek.saved_state(h.services.store, USER)) is not None:
        presses = presses_for(STEPS[INDEX[state.step]], CALM[state.step])
        for number, value in enumerate(presses, start=1):
            nonce = peek.saved_state(h.services.store, USER).nonce  # type: ignore[union-attr]
            final = state.step == last_step and number == len(presses)
            update = h.server.callback(USER, f"f|{nonce}|{value}")
            replies = await h.say_in_place(update, expect=2 if final else 1)
    return replies


async def enrol_from_programme(h: Harness) -> None:
    offer = await h.say(h.server.command(USER, "/programme"))
    asked = await tap(h, offer[-1], "Start the programme")
    done = await tap(h, asked[-1], "🌅 Morning, 08:30")
    assert "Week 1 · Day 1" in done[-1].text


async def check_in(h: Harness, call: Call, pain: str) -> list[Call]:
    """From the session's check-in prompt to what comes after it (two messages: the
    check-in's own closing words, then the next part)."""
    question = await tap(h, call, "Check in")
    for label in (pain, "3", "😴 Good", "Yes"):  # each in place of the question answered
        question = await tap(h, question[-1], label, in_place=True)
    return await tap(h, question[-1], "Skip", expect=2)


async def exercise_block(h: Harness, call: Call) -> list[Call]:
    """Through every exercise of the block, up to "how did it feel?"."""
    replies = await tap(h, call, "▶ Start", expect=2)
    for _ in range(40):
        buttons = h.buttons(replies[-1])
        if "Fine" in buttons:
            return replies
        if "Next ▶" in buttons:
            replies = await tap(h, replies[-1], "Next ▶")
        elif "Skip" in buttons:  # the "how do you feel now?" rating
            replies = await tap(h, replies[-1], "Skip", expect=2)
        else:
            replies = await tap(h, replies[-1], "▶ Next exercise", expect=2)
    raise AssertionError("the block did not end")


def programme_messages(h: Harness) -> list[Call]:
    return [c for c in h.server.sent_messages(USER) if START_SESSION in h.buttons(c)]


async def tick_at(dispatcher: Dispatcher, clock: ManualClock, when: datetime) -> None:
    clock.set(when)
    await dispatcher.tick()


async def test_enrolment_after_the_self_check_a_day_in_steps_and_the_next_mornings_message(
    bot: tuple[Harness, Dispatcher], clock: ManualClock
) -> None:
    h, dispatcher = bot
    await onboard(h)
    profile = await self_check(h)
    asked = await tap(h, profile[-1], "🗓 Start the 12-week programme")
    assert "When would you like your daily message?" in asked[-1].text
    enrolled = await tap(h, asked[-1], "🌅 Morning, 08:30")
    assert "Week 1 · Day 1" in enrolled[-1].text and "08:30" in enrolled[-1].text

    opened = await tap(h, enrolled[-1], "▶ Today's session", expect=2)
    assert opened[0].text.startswith("📅 Week 1 · Day 1: Hurt doesn't mean harm")
    lesson = await check_in(h, opened[-1], "4")
    assert "saved" in lesson[0].text.lower()  # the check-in's own closing words
    assert "📖 Hurt doesn't mean harm" in lesson[-1].text
    block = await tap(h, lesson[-1], "✓ Got it")
    assert "Today's exercises" in block[-1].text and "level 1" in block[-1].text
    rated = await exercise_block(h, block[-1])
    walk = await tap(h, rated[-1], "Fine", expect=2)
    assert "Walking this week" in walk[-1].text
    done = await tap(h, walk[-1], "20 min", expect=2)
    assert "That's today's session done" in done[-1].text and "1 of 7 days" in done[-1].text

    # The next morning at 8:30 in Brussels: one message, whose button opens /today.
    await tick_at(dispatcher, clock, datetime(2026, 11, 26, 7, 30, tzinfo=UTC))
    (message,) = programme_messages(h)
    session = await tap(h, message, START_SESSION, expect=2)
    assert session[0].text.startswith("📅 Week 1 · Day 2")
    assert "quick check-in" in session[-1].text
    # Answered: no follow-up three hours later, and nothing more that day.
    await tick_at(dispatcher, clock, datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    await tick_at(dispatcher, clock, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    assert len(programme_messages(h)) == 1


async def test_a_flare_up_day_over_telegram(
    bot: tuple[Harness, Dispatcher], clock: ManualClock
) -> None:
    h, _ = bot
    await onboard(h)
    await enrol_from_programme(h)
    opened = await h.say(h.server.command(USER, "/today"), expect=2)
    after = await check_in(h, opened[-1], "9")
    assert "It sounds like your back is flaring up" in after[-1].text
    lesson = await tap(h, after[-1], "Continue")
    routine = await tap(h, lesson[-1], "✓ Got it")
    assert "Today's gentle routine" in routine[-1].text
    with h.services.store.view(USER, clock.now()) as tx:
        assert tx is not None
        row = tx.programme()
        assert row is not None and row.state["flare"]["started_on"] == "2026-11-25"


async def test_a_pause_sends_nothing_until_it_ends(
    bot: tuple[Harness, Dispatcher], clock: ManualClock
) -> None:
    h, dispatcher = bot
    await onboard(h)
    await enrol_from_programme(h)
    status = await h.say(h.server.command(USER, "/programme"))
    asked = await tap(h, status[-1], "⏸ Pause (ill or on holiday)")
    paused = await tap(h, asked[-1], "7 days")
    assert "Paused until Tue 1 Dec" in paused[-1].text
    first = datetime(2026, 11, 26, 7, 30, tzinfo=UTC)  # 8:30 in Brussels
    for day in range(6):  # Thursday 26 November to Tuesday 1 December
        for hours in (0, 3, 6, 12):
            await tick_at(dispatcher, clock, first + timedelta(days=day, hours=hours))
    assert programme_messages(h) == []
    for hours in (0, 3, 6, 12):  # Wednesday 2 December: back, and one follow-up at most
        await tick_at(dispatcher, clock, first + timedelta(days=6, hours=hours))
    assert 1 <= len(programme_messages(h)) <= 2  # the day's message, and its follow-up
