"""Several bot processes on one PostgreSQL database: any of them may get any update,
and reminder slots are shared out with SKIP LOCKED so each is sent exactly once."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text

from bot.clock import ManualClock
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.features.reminders import advance
from bot.reminder_sender import make_sender
from bot.runner import running
from bot.services import Services, build_services
from data.engine import make_engine
from data.migrate import upgrade
from data.models import Reminder, User
from data.store import Store
from flows.schedule import Rule
from tests.conftest import TEST_TOKEN, bot_settings, make_settings, unthrottled_app
from tests.support import peek
from tests.support.fakebotapi import Call, FakeBotApi

pytestmark = pytest.mark.postgres
USER = 6060
SECRET = "shared-Secret_1"


class Worker:
    update_ids = itertools.count(1)

    def __init__(self, services: Services, url: str) -> None:
        self.services = services
        self.url = url

    async def post(self, update: dict[str, Any]) -> None:
        payload = {"update_id": next(self.update_ids), **update}
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.post(
                self.url, json=payload, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
        assert response.status_code == 200


@pytest.fixture
async def two_workers(
    postgres_url: str, clock: ManualClock
) -> AsyncIterator[tuple[FakeBotApi, list[Worker]]]:
    async with FakeBotApi(token=TEST_TOKEN) as server, AsyncExitStack() as stack:
        workers = []
        for _ in range(2):
            settings = bot_settings(postgres_url, server, webhook_secret=SECRET, log_level="INFO")
            url = settings.webhook_url
            services = build_services(settings, clock)
            stack.callback(services.store.dispose)
            await stack.enter_async_context(running(services, tick_seconds=3600))
            workers.append(Worker(services, url))
        yield server, workers


async def test_a_flow_continues_on_whichever_worker_gets_the_next_update(
    two_workers: tuple[FakeBotApi, list[Worker]],
) -> None:
    server, workers = two_workers
    turn = 0

    async def say(update: dict[str, Any], expect: int = 1) -> list[Call]:
        nonlocal turn
        before = len(server.sent_messages(USER))
        await workers[turn % 2].post(update)  # alternate between the two processes
        turn += 1
        calls = await server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == USER, count=before + expect
        )
        return calls[before:]

    async def answer(update: dict[str, Any]) -> list[Call]:
        """A check-in answer: the pressed question becomes the next (one edit of it)."""
        nonlocal turn

        def edit(c: Call) -> bool:
            return c.method == "editMessageText" and c.chat_id == USER

        before = len([c for c in server.calls if c.ok and edit(c)])
        await workers[turn % 2].post(update)  # alternate between the two processes
        turn += 1
        calls = await server.wait_for(edit, count=before + 1)
        assert calls[-1].params["message_id"] == update["callback_query"]["message"]["message_id"]
        return calls[before:]

    def press(call: Call, label: str) -> dict[str, Any]:
        markup = call.params["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in markup for b in row if b["text"] == label)
        return server.callback(USER, data, call.result["message_id"])

    language = await say(server.command(USER, "/start"))
    welcome = await say(press(language[0], "English"), expect=2)
    consent = await say(press(welcome[1], "Continue"))
    zone = await say(press(consent[0], "Yes, I agree"))
    await say(press(zone[0], "Yes, that's right"), expect=2)
    step = await say(server.command(USER, "/checkin"))
    step = await answer(press(step[-1], "5"))
    step = await answer(press(step[-1], "4"))
    for _ in range(3):  # sleep, moved: the first answer; the note: skip
        buttons = [
            b["text"]
            for row in step[-1].params["reply_markup"]["inline_keyboard"]
            for b in row
            if "Back" not in b["text"]
        ]
        step = await answer(press(step[-1], next((b for b in buttons if "kip" in b), buttons[0])))
    assert "in a row" in step[-1].text or "first" in step[-1].text
    store = workers[0].services.store
    with store.turn(USER, workers[0].services.clock.now(), language="en", timezone="UTC") as tx:
        assert tx.now.date() in [row.local_day for row in tx.checkin_rows()]
    assert peek.saved_state(store, USER) is None


async def test_two_dispatchers_share_thousands_of_slots_each_sent_once(
    postgres_url: str, clock: ManualClock
) -> None:
    seeding = build_services(make_settings(postgres_url), clock)
    users = range(1, 2001)
    now = clock.now()
    rule = Rule.at("movement", ["10:00"]).to_dict()
    with seeding.store.engine.begin() as conn:  # bulk seeding, not the code under test
        conn.execute(
            insert(User),
            [
                {
                    "id": uid,
                    "language": "en",
                    "timezone": "UTC",
                    "consent_version": 1,
                    "consent_at": now,
                    "active": True,
                    "created_at": now,
                    "last_seen_at": now,
                }
                for uid in users
            ],
        )
        conn.execute(
            insert(Reminder),
            [
                {
                    "user_id": uid,
                    "kind": "movement",
                    "rule": rule,
                    "enabled": True,
                    "next_due_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for uid in users
            ],
        )
    seeding.store.dispose()

    async with FakeBotApi(token=TEST_TOKEN) as server:
        app = unthrottled_app(server)
        async with app:
            services = [
                build_services(make_settings(postgres_url), clock, migrate=False) for _ in range(2)
            ]
            dispatchers = [
                Dispatcher(
                    s.store,
                    clock,
                    make_sender(app.bot, s),
                    advance,
                    DispatchSettings(concurrency=25, per_chat_interval=0.0),
                )
                for s in services
            ]
            reports = await asyncio.gather(*(d.tick() for d in dispatchers))
            for s in services:
                s.store.dispose()
    assert all(r.sent > 0 for r in reports), "both workers took a share"
    assert sum(r.sent for r in reports) == len(users)
    assert server.delivered() == len(users) and not server.duplicate_sends()
    assert sorted(c.chat_id for c in server.sent_messages()) == list(users)


def test_a_users_turn_never_blocks_the_claim_of_their_reminder(postgres_url: str) -> None:
    """The turn locks the user row; the claim's delivery insert checks its foreign key
    against that row. Had the turn locked it FOR UPDATE, the claim would wait for the
    turn, and a turn that then changes the reminder (Skip today) would deadlock."""
    store = Store(make_engine(postgres_url))
    upgrade(store.engine)
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    with store.turn(USER, now, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        tx.upsert_reminder("movement", {"kind": "movement"}, enabled=True, next_due_at=now)
    claimed: list[int] = []

    def claim() -> None:
        batch = store.claim_due(
            now, limit=5, grace=timedelta(minutes=20), advance=lambda _rule, after: None
        )
        claimed.extend(c.reminder_id for c in batch)

    try:
        with store.turn(USER, now, language="en", timezone="UTC") as tx:
            reminder_id = tx.reminders()[0].id
            claimer = threading.Thread(target=claim)
            claimer.start()
            claimer.join(timeout=10)
            assert not claimer.is_alive(), "the claim waited for the user's turn"
            tx.set_reminder_next_due(reminder_id, now + timedelta(days=1))
        assert claimed == [reminder_id]
    finally:
        store.dispose()


def _wait_until_a_turn_waits_for_a_lock(store: Store) -> None:
    """Ask PostgreSQL, rather than sleeping, until another session waits on a lock."""
    with store.engine.connect() as conn:
        for _ in range(1000):
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()"
                )
            ).scalar_one()
            if waiting:
                return
            conn.rollback()
            threading.Event().wait(0.01)
    raise AssertionError("the second turn never waited for the first")


@pytest.mark.parametrize("first_turn", ["inserts", "moves on", "clears"])
def test_a_turn_that_waited_for_the_user_sees_what_the_turn_before_committed(
    postgres_url: str, first_turn: str
) -> None:
    """Two workers, one user: B's turn waits for A's lock and must then see A's state
    (a double tap handled twice, or a state row inserted twice, otherwise)."""
    store = Store(make_engine(postgres_url))
    upgrade(store.engine)
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    with store.turn(USER, now, language="en", timezone="UTC") as tx:  # the user exists
        if first_turn != "inserts":
            tx.save_state("checkin", "pain", {}, "n1")
    seen: dict[str, Any] = {}

    def second_turn() -> None:
        try:
            with store.turn(USER, now, language="en", timezone="UTC") as tx:
                seen["state"] = tx.state
                tx.save_state("checkin", "sleep", {"pain": 3}, "n3")
        except Exception as exc:
            seen["error"] = type(exc).__name__

    try:
        with store.turn(USER, now, language="en", timezone="UTC") as tx:
            if first_turn == "clears":
                tx.clear_state()
            else:
                tx.save_state("checkin", "stress", {"pain": 3}, "n2")
            waiting = threading.Thread(target=second_turn)
            waiting.start()
            _wait_until_a_turn_waits_for_a_lock(store)
        waiting.join(timeout=10)
        assert "error" not in seen, seen
        state = seen["state"]
        if first_turn == "clears":
            assert state is None
        else:
            assert state is not None and (state.step, state.nonce) == ("stress", "n2")
        final = peek.saved_state(store, USER)
        assert final is not None and final.step == "sleep"
    finally:
        store.dispose()
