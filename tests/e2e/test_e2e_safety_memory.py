"""End to end over the fake Bot API: after the 112 advice /exercise shows the caution
first, and the next day the reminder dispatcher asks "Did you manage to see a doctor?"
once; after crisis words, "Did you manage to talk to someone?" once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.dispatcher import Dispatcher
from bot.runner import DISPATCHER, running
from bot.services import build_services
from tests.conftest import TEST_TOKEN, bot_settings
from tests.support.fakebotapi import FakeBotApi
from tests.support.telegram import USER, Harness, onboard

NEXT_MORNING = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
SEE_A_DOCTOR = "Did you manage to see a doctor?"
TALK_TO_SOMEONE = "Did you manage to talk to someone?"


@pytest.fixture
async def bot(sqlite_url: str, clock: ManualClock) -> AsyncIterator[tuple[Harness, Dispatcher]]:
    """The production start-up, and its dispatcher to tick by hand (its own job waits
    an hour between ticks)."""
    async with FakeBotApi(token=TEST_TOKEN) as server:
        services = build_services(bot_settings(sqlite_url, server), clock)
        try:
            async with running(services, poll_timeout=1, tick_seconds=3600) as app:
                yield Harness(server, services), app.bot_data[DISPATCHER]
        finally:
            services.store.dispose()


def count(h: Harness, words: str) -> int:
    return sum(words in (c.text or "") for c in h.server.sent_messages(USER))


async def ticks_over_the_next_days(h: Harness, dispatcher: Dispatcher, clock: ManualClock) -> None:
    """The morning it is due, then every six hours for two more days."""
    clock.set(NEXT_MORNING)
    for _ in range(9):
        await dispatcher.tick()
        clock.advance(timedelta(hours=6))


async def test_after_the_112_advice_exercise_cautions_first_and_the_doctor_is_asked_once(
    bot: tuple[Harness, Dispatcher], clock: ManualClock
) -> None:
    h, dispatcher = bot
    await onboard(h)
    test = await h.say(h.server.command(USER, "/test"), expect=2)
    ticked = await h.press(test[-1], "New bladder or bowel trouble", in_place=True)
    # The advice comes as a new message, never in place of the question.
    advice = await h.press(ticked[-1], "Done")
    assert "Call 112 now" in advice[0].text

    caution = await h.say(h.server.command(USER, "/exercise"))
    assert caution[0].text.startswith("Because of what you told me on Wed 25 Nov")
    assert "Has a doctor seen you, and said it's fine to go on?" in caution[0].text
    assert list(h.buttons(caution[0])) == ["Yes, I've been seen and it's fine", "Not yet"]
    await h.say(h.server.command(USER, "/cancel"))

    await ticks_over_the_next_days(h, dispatcher, clock)
    assert count(h, SEE_A_DOCTOR) == 1
    question = next(c for c in h.server.sent_messages(USER) if SEE_A_DOCTOR in (c.text or ""))
    assert list(h.buttons(question)) == [
        "Yes, I've seen a doctor",
        "Not yet",
        "I'm waiting for an appointment",
    ]
    answer = await h.press(question, "Yes, I've seen a doctor")
    assert "Exercises and plans are open again" in answer[0].text
    with h.services.store.view(USER, clock.now()) as tx:
        assert tx is not None and tx.open_caution() is None
    menu = await h.say(h.server.command(USER, "/exercise"))
    assert "💪 Gentle strength" in h.buttons(menu[0])
    assert count(h, SEE_A_DOCTOR) == 1 and count(h, TALK_TO_SOMEONE) == 0


async def test_crisis_words_are_followed_up_gently_the_next_day_once(
    bot: tuple[Harness, Dispatcher], clock: ManualClock
) -> None:
    h, dispatcher = bot
    await onboard(h)
    lines = await h.say(h.server.user_message(USER, "I don't want to be here anymore"))
    assert "1813" in lines[0].text
    await ticks_over_the_next_days(h, dispatcher, clock)
    assert count(h, TALK_TO_SOMEONE) == 1 and count(h, SEE_A_DOCTOR) == 0
    question = next(c for c in h.server.sent_messages(USER) if TALK_TO_SOMEONE in (c.text or ""))
    again = await h.press(question, "Not yet")
    assert again[0].text.startswith("That's okay.") and "1813" in again[0].text
