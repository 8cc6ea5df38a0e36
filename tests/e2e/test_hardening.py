"""Hardening: hostile input through the real Application, kill -9 in the middle of a
reminder dispatch in a real bot process, Telegram faults during a dispatch, and
security (the token in logs, the webhook secret, one user's data against another).

Everything goes through real HTTP against the fake Bot API server; PTB's networking is
never patched. Bounded in time: no sleeps wait for events, the fake server's
``wait_for`` or a process's exit is awaited instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from telegram import Update
from telegram.error import NetworkError

from bot.clock import ManualClock, SystemClock
from bot.conversation import Outgoing
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.features.reminders import advance
from bot.reminder_sender import make_sender
from bot.runner import running
from bot.services import Services, build_services
from data.engine import make_engine
from data.models import Delivery, Reminder, User
from data.reminders import Claim
from data.store import Store
from data.turn import Turn
from data.values import UserInfo
from flows import helplines
from flows.onboarding import CONSENT_VERSION
from flows.schedule import Rule
from tests.conftest import TEST_TOKEN, bot_settings, make_settings
from tests.support import peek
from tests.support.fakebotapi import Call, FakeBotApi
from tests.support.hardening import (
    BURST,
    CHANNEL_ID,
    GROUP_ID,
    HOSTILE_KINDS,
    SEGMENT,
    SEND_METHODS,
    SMALL_GROUP_ID,
    Action,
    HostileRun,
    assert_no_token,
    assert_no_token_in_records,
    assert_states_loadable,
    assert_stored_values_in_range,
    buttons_of,
    error_texts,
    flatten,
    labelled_buttons,
    message_id,
    unthrottled_application,
)

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------- 1. hostile input


@pytest.fixture
async def hostile(sqlite_url: str, clock: ManualClock) -> AsyncIterator[HostileRun]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        services = build_services(
            make_settings(sqlite_url, telegram_api_base_url=server.base_url), clock
        )
        app = unthrottled_application(server, services)
        dispatcher = Dispatcher(
            services.store,
            clock,
            make_sender(app.bot, services),
            advance,
            DispatchSettings(per_chat_interval=0.0),
        )
        try:
            async with app:
                assert app.updater is not None
                await app.updater.start_polling(
                    poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
                )
                await app.start()
                try:
                    yield HostileRun(server, services, app, dispatcher, clock)
                finally:
                    await app.updater.stop()
                    await app.stop()
        finally:
            services.store.dispose()


async def test_hostile_updates_never_crash_and_never_store_nonsense(
    hostile: HostileRun, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    loop = asyncio.get_running_loop()
    run = hostile
    server, services = run.server, run.services
    kind_answers = error_texts(services)
    seen_in_flow = 0

    @settings(
        max_examples=7,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        segments=st.lists(SEGMENT, min_size=18, max_size=30),
        burst=st.lists(BURST, min_size=20, max_size=40),
    )
    def batch(segments: list[tuple[Any, ...]], burst: list[Action]) -> None:
        nonlocal seen_in_flow
        records_before = len(caplog.records)
        calls_before = len(server.calls)
        sequential = flatten(segments)
        users = asyncio.run_coroutine_threadsafe(run.run_batch(sequential, burst), loop).result(
            timeout=120
        )
        calls = server.calls[calls_before:]
        # No update reached the error handler, and nothing else failed loudly.
        errors = [r for r in caplog.records[records_before:] if r.levelno >= logging.ERROR]
        assert not errors, [f"{r.name}: {r.getMessage()[:300]}" for r in errors]
        sorry = [c for c in calls if c.method == "sendMessage" and c.text in kind_answers]
        assert not sorry, f"{len(sorry)} 'something went wrong' answers"
        # Every message the bot tried to send was valid for Telegram.
        refused = [
            f"{c.method}[{c.status}] {c.params.get('text', '')[:60]!r}"
            for c in calls
            if c.method in SEND_METHODS and not c.ok
        ]
        assert not refused, refused
        # Channels are never written to; groups only get the "talk to me privately" reply.
        assert not [c for c in calls if c.method in SEND_METHODS and c.chat_id == CHANNEL_ID]
        group_texts = {
            c.text
            for c in calls
            if c.method in SEND_METHODS and c.chat_id in (GROUP_ID, SMALL_GROUP_ID)
        }
        assert group_texts <= {
            services.catalogue.translator(lang)("common.group_reply")
            for lang in services.catalogue.languages
        }
        assert_stored_values_in_range(services.store)
        seen_in_flow += assert_states_loadable(services, users)

    await asyncio.to_thread(batch)
    assert run.updates >= 1000, f"only {run.updates} updates were fed"
    assert seen_in_flow, "no user was ever left inside a flow: the batches proved little"
    for kind in HOSTILE_KINDS:
        assert run.kinds[kind] >= 3, f"only {run.kinds[kind]} {kind!r} updates were drawn"

    # Every special text and media kind, to users caught inside each kind of flow.
    everyone = [u for block in range(1, run.block + 1) for u in run.users(block)]
    by_flow: dict[str, int] = {}
    for user in everyone:
        saved = peek.saved_state(services.store, user)
        if saved is not None:
            by_flow.setdefault(saved.flow, user)
    records_before = len(caplog.records)
    for user in by_flow.values():
        await run.everything_special(user)
    errors = [r for r in caplog.records[records_before:] if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()[:300]}" for r in errors]
    assert_stored_values_in_range(services.store)
    assert_states_loadable(services, everyone)
    assert_no_token_in_records(caplog.records, "the logs")


# ---------------------------------------------------------------- 2. kill -9 mid-dispatch

KILL_USERS = range(500_000, 501_000)
KINDS = ("movement", "posture", "stress", "checkin")


def seed_due_reminders(url: str, now: datetime) -> None:
    """Migrate, then 1,000 consenting users with one real-rule reminder each, due now.

    The rule's daily time sits twelve hours away, so no second slot of it can fall due
    while the test runs. One transaction through the product's own ``Turn`` methods
    (a thousand separate turns would spend seconds on commits alone)."""
    services = build_services(make_settings(url), SystemClock())
    try:
        local = now.astimezone(ZoneInfo("Europe/Brussels")) + timedelta(hours=12)
        at = local.strftime("%H:%M")
        with Session(services.store.engine, expire_on_commit=False) as session, session.begin():
            for index, user_id in enumerate(KILL_USERS):
                user = User(
                    id=user_id,
                    language="en",
                    timezone="Europe/Brussels",
                    created_at=now,
                    last_seen_at=now,
                )
                session.add(user)
                session.flush()
                tx = Turn(session, UserInfo.of(user), now, None)
                tx.give_consent(CONSENT_VERSION)
                kind = KINDS[index % len(KINDS)]
                rule = Rule.at(kind, [at], "Europe/Brussels").to_dict()
                tx.upsert_reminder(kind, rule, enabled=True, next_due_at=now)
    finally:
        services.store.dispose()


def delivery_rows(url: str) -> list[Delivery]:
    store = Store(make_engine(url))
    try:
        return peek.deliveries(store)
    finally:
        store.dispose()


def reminder_due_times(url: str) -> dict[int, datetime | None]:
    store = Store(make_engine(url))
    try:
        with Session(store.engine) as session:
            return {r.user_id: r.next_due_at for r in session.exec(select(Reminder)).all()}
    finally:
        store.dispose()


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")


def start_bot_process(tmp_path: Path, server: FakeBotApi, url: str, name: str) -> BotProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "DATABASE_URL": url,
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
        "LOG_LEVEL": "DEBUG",
        "NO_PROXY": "127.0.0.1,localhost",
        # The fake server has no 30/s limit; the kill must still land mid-dispatch.
        "TELEGRAM_MAX_SENDS_PER_SECOND": "300",
    }
    stdout, stderr = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=env,
            cwd=tmp_path,  # no developer's .env is read
            stdout=out,
            stderr=err,
        )
    return BotProcess(process, stdout, stderr)


async def wait_exit(bot: BotProcess, timeout: float) -> int:  # noqa: ASYNC109
    return await asyncio.to_thread(bot.process.wait, timeout)


async def while_alive(bot: BotProcess, waiting: Any) -> Any:
    """Await ``waiting`` (a fake-server wait), failing at once with the process's output
    if the bot process dies first instead of sitting out the whole timeout."""
    task = asyncio.ensure_future(waiting)
    exited = asyncio.ensure_future(asyncio.to_thread(bot.process.wait))
    try:
        done, _ = await asyncio.wait({task, exited}, return_when=asyncio.FIRST_COMPLETED)
        if task not in done:
            pytest.fail(f"the bot process exited early:\n{bot.output()[-3000:]}")
        return task.result()
    finally:
        task.cancel()
        if not exited.done():
            exited.cancel()  # the thread itself ends when the process does


async def test_kill_9_mid_dispatch_loses_at_most_one_round_and_never_sends_twice(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    seeded_at = SystemClock().now()
    await asyncio.to_thread(seed_due_reminders, url, seeded_at)
    concurrency = DispatchSettings().concurrency
    async with FakeBotApi(token=TEST_TOKEN) as server:
        # Slow "Telegram" a little, so requests are in flight when the kill lands.
        server.delay_next("sendMessage", 0.02, count=1_000_000)
        first = start_bot_process(tmp_path, server, url, "first")
        try:
            # 310: not a multiple of the round size, so the kill lands inside a round.
            await while_alive(first, server.wait_for("sendMessage", count=310, timeout=60))
            first.process.send_signal(signal.SIGKILL)
            assert await wait_exit(first, 10) == -signal.SIGKILL
        finally:
            if first.process.poll() is None:
                first.process.kill()
        server.clear_faults()
        delivered_at_kill = server.delivered()
        assert delivered_at_kill < len(KILL_USERS), "the kill came too late to prove anything"

        unclaimed = {
            user
            for user, due in (await asyncio.to_thread(reminder_due_times, url)).items()
            if due is not None and due <= seeded_at
        }
        in_flight = {
            d.user_id for d in await asyncio.to_thread(delivery_rows, url) if d.status == "claimed"
        }
        assert in_flight, "nothing was in flight at the kill: it proved nothing"
        assert len(in_flight) <= concurrency
        assert unclaimed, "the first process had claimed everything before the kill"

        second = start_bot_process(tmp_path, server, url, "second")
        try:
            await while_alive(
                second,
                server.wait_for(
                    lambda c: c.method == "sendMessage" and c.chat_id in unclaimed,
                    count=len(unclaimed),
                    timeout=90,
                ),
            )
            second.process.send_signal(signal.SIGTERM)
            assert await wait_exit(second, 30) == 0, second.output()[-2000:]
        finally:
            if second.process.poll() is None:
                second.process.kill()

    per_chat = Counter(call.chat_id for call in server.sent_messages())
    assert not server.duplicate_sends()
    assert max(per_chat.values()) == 1, per_chat.most_common(3)
    never = set(KILL_USERS) - set(per_chat)
    assert len(never) <= concurrency, f"{len(never)} users never got their reminder"
    rows = {d.user_id: d for d in await asyncio.to_thread(delivery_rows, url)}
    assert set(rows) == set(KILL_USERS), "every reminder's slot was claimed exactly once"
    for user in never:
        assert rows[user].status == "claimed", (user, rows[user].status)
    still_claimed = {user for user, row in rows.items() if row.status == "claimed"}
    assert still_claimed == in_flight, "only the kill's round is left unsettled"
    assert not (set(per_chat) - set(KILL_USERS))
    due = await asyncio.to_thread(reminder_due_times, url)
    assert all(at is not None and at > seeded_at for at in due.values())
    for bot in (first, second):
        output = bot.output()
        assert "bot started" in output, output[-2000:]
        assert_no_token(output, f"the {bot.stdout.stem} process's output")


# ----------------------------------------------------- 3. Telegram faults during a dispatch


def seed_with_turns(services: Services, users: Iterable[int]) -> None:
    """Consenting users with one real-rule reminder each, due now (one turn each)."""
    now = services.clock.now()
    at = (now.astimezone(ZoneInfo("Europe/Brussels")) + timedelta(hours=12)).strftime("%H:%M")
    for index, user_id in enumerate(users):
        with services.store.turn(user_id, now, language="en", timezone="Europe/Brussels") as tx:
            tx.give_consent(CONSENT_VERSION)
            kind = KINDS[index % len(KINDS)]
            rule = Rule.at(kind, [at], "Europe/Brussels").to_dict()
            tx.upsert_reminder(kind, rule, enabled=True, next_due_at=now)


@pytest.fixture
async def dispatch_world(
    sqlite_url: str, clock: ManualClock
) -> AsyncIterator[tuple[Services, FakeBotApi]]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        services = build_services(
            make_settings(sqlite_url, telegram_api_base_url=server.base_url), clock
        )
        try:
            yield services, server
        finally:
            services.store.dispose()


async def tick_until_idle(dispatcher: Dispatcher, limit: int = 5) -> list[Any]:
    reports = []
    for _ in range(limit):
        report = await dispatcher.tick()
        reports.append(report)
        if not report.claimed:
            return reports
    raise AssertionError(f"still claiming after {limit} ticks: {reports[-1]}")


async def test_random_429_5xx_and_refused_connections_during_a_dispatch_deliver_each_once(
    dispatch_world: tuple[Services, FakeBotApi], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    services, server = dispatch_world
    users = range(700_000, 700_200)
    blocked = {700_007, 700_123}
    await asyncio.to_thread(seed_with_turns, services, users)
    server.blocked_chats.update(blocked)
    server.fail_randomly("sendMessage", 0.3, statuses=(429, 500, 502), seed=20261125)
    server.refuse_connections_randomly(0.05, window=0.03, seed=20261126)
    app = unthrottled_application(server, services)
    refused = 0
    async with app:
        sender = make_sender(app.bot, services)

        async def send(claim: Claim) -> str | None:
            nonlocal refused
            try:
                return await sender(claim)
            except NetworkError as exc:
                refused += isinstance(exc.__cause__, httpx.ConnectError)
                raise

        dispatcher = Dispatcher(
            services.store,
            services.clock,
            send,
            advance,
            DispatchSettings(
                concurrency=200,
                backoff_first=0.01,
                backoff_cap=0.05,
                per_chat_interval=0.0,
                max_attempts=40,
            ),
        )
        reports = await tick_until_idle(dispatcher)
    assert reports[0].claimed == len(users) and reports[0].retries > 0
    assert all(server.stats[status] for status in ("429", "500", "502")), server.stats
    assert server.stats["refusal_windows"] and refused, (server.stats, refused)
    per_chat = Counter(call.chat_id for call in server.sent_messages())
    assert set(per_chat) == set(users) - blocked, "every reminder arrived"
    assert set(per_chat.values()) == {1} and not server.duplicate_sends()
    statuses = Counter(d.status for d in peek.deliveries(services.store))
    assert statuses == {"sent": len(users) - len(blocked), "blocked": len(blocked)}
    for user in blocked:
        info = services.store.get_user(user)
        assert info is not None and not info.active
    assert_no_token_in_records(caplog.records, "the logs")


async def test_answers_slower_than_the_read_timeout_count_as_sent_and_are_never_resent(
    dispatch_world: tuple[Services, FakeBotApi], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    services, server = dispatch_world
    users = range(800_000, 800_030)
    slow = 12
    await asyncio.to_thread(seed_with_turns, services, users)
    server.delay_next("sendMessage", 1.0, count=slow)
    app = unthrottled_application(server, services, read_timeout=0.3)
    async with app:
        dispatcher = Dispatcher(
            services.store,
            services.clock,
            make_sender(app.bot, services),
            advance,
            DispatchSettings(concurrency=50, per_chat_interval=0.0),
        )
        reports = await tick_until_idle(dispatcher)
        assert reports[0].ambiguous == slow and reports[0].sent == len(users) - slow
        # The slow requests did reach "Telegram": each chat got its message once.
        await server.wait_for("sendMessage", count=len(users), timeout=10)
        services.clock.advance(timedelta(minutes=5))
        assert not (await dispatcher.tick()).claimed
    assert len(server.calls_to("sendMessage")) == len(users), "nothing was sent again"
    assert Counter(c.chat_id for c in server.sent_messages()) == Counter(users)
    statuses = Counter(d.status for d in peek.deliveries(services.store))
    assert statuses == {"ambiguous": slow, "sent": len(users) - slow}
    assert all(d.sent_at is not None for d in peek.deliveries(services.store))
    assert_no_token_in_records(caplog.records, "the logs")


# ------------------------------------------------------------------------ 4. security

REPLY_METHODS = (*SEND_METHODS, "editMessageText")
"""What a user can read: new messages, and a question edited into its answer's reply."""
ALICE, BOB = 424_242, 515_151
ALICE_NOTE = "alice-private-note-4242"
SECRET = "hardening_Hook-secret_42"


@dataclass
class Chat:
    """The production start-up (``bot.runner.running``) against the fake server."""

    server: FakeBotApi
    services: Services
    app: Any

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand an update to the bot the way the current mode receives it."""
        if self.server.webhook_url:
            status = await self.server.post_webhook(update, self.server.webhook_secret_token)
            assert status == 200
        else:
            self.server.push_update(update)

    async def say(self, user: int, update: dict[str, Any], expect: int = 1) -> list[Call]:
        before = len(self.server.sent_messages(user))
        await self.deliver(update)
        calls = await self.server.wait_for(
            lambda c: c.method in SEND_METHODS and c.chat_id == user,
            count=before + expect,
            timeout=15,
        )
        return calls[before:]

    def help_text(self, user: int) -> str:
        """The /help answer this user gets: English, with their country's help lines."""
        t = self.services.catalogue.translator("en")
        known = self.services.store.get_user(user)
        zone = known.timezone if known is not None else self.services.settings.default_timezone
        return t("common.help.text", **helplines.fills(t, zone))

    async def settle(self, user: int) -> list[Call]:
        """Every update before it is handled once a /help behind them is answered
        (updates are handled one at a time, attachments included)."""
        before = len(self.server.calls)
        help_text = self.help_text(user)

        def is_help(call: Call) -> bool:
            return call.chat_id == user and call.text == help_text

        answered = len([c for c in self.server.calls if c.ok and is_help(c)])
        self.server.push_update(self.server.command(user, "/help"))
        await self.server.wait_for(is_help, count=answered + 1, timeout=15)
        return [c for c in self.server.calls[before:] if c.chat_id == user]

    async def press(
        self, user: int, call: Call, label: str, expect: int = 1, *, in_place: bool = False
    ) -> list[Call]:
        """Press a button under the message ``call`` sent or edited. ``in_place``: the
        first reply is that message edited into it, the others are new messages."""
        labels = labelled_buttons(call)
        data = next(d for text, d in labels.items() if text.startswith(label))
        update = self.server.callback(user, data, message_id(call))
        if not in_place:
            return await self.say(user, update, expect)

        def edit(c: Call) -> bool:
            return c.method == "editMessageText" and c.chat_id == user

        edits = len([c for c in self.server.calls if c.ok and edit(c)])
        sends = len(self.server.sent_messages(user))
        await self.deliver(update)
        edited = (await self.server.wait_for(edit, count=edits + 1, timeout=15))[-1]
        assert edited.params["message_id"] == message_id(call)
        if expect == 1:
            return [edited]
        calls = await self.server.wait_for(
            lambda c: c.method in SEND_METHODS and c.chat_id == user,
            count=sends + expect - 1,
            timeout=15,
        )
        return [edited, *calls[sends:]]

    async def forge(self, user: int, data: str, expect: int = 1) -> list[Call]:
        """A press with hand-made callback data under the user's own latest message."""
        own = self.server.sent_messages(user)
        mid = message_id(own[-1]) if own else 1
        return await self.say(user, self.server.callback(user, data, mid), expect)

    async def onboard(self, user: int, name: str) -> None:
        language = await self.say(user, self.server.command(user, "/start", first_name=name))
        welcome = await self.press(user, language[-1], "English", expect=2)
        consent = await self.press(user, welcome[-1], "Continue")
        zone = await self.press(user, consent[-1], "Yes, I agree")
        await self.press(user, zone[-1], "Yes, that's right", expect=2)

    async def checkin(self, user: int, pain: str, stress: str, note: str | None) -> None:
        """Each answer's reply takes the place of the question answered."""
        step = await self.say(user, self.server.command(user, "/checkin"))
        step = await self.press(user, step[-1], pain, in_place=True)
        step = await self.press(user, step[-1], stress, in_place=True)
        first = next(iter(labelled_buttons(step[-1])))
        step = await self.press(user, step[-1], first, in_place=True)
        first = next(iter(labelled_buttons(step[-1])))
        step = await self.press(user, step[-1], first, in_place=True)
        if note is None:
            await self.press(user, step[-1], "Skip", in_place=True)
        else:
            await self.say(user, self.server.user_message(user, note))


@contextlib.asynccontextmanager
async def production_bot(
    sqlite_url: str, clock: ManualClock, *, webhook: bool = False
) -> AsyncIterator[Chat]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        settings = bot_settings(
            sqlite_url,
            server,
            webhook_secret=SECRET if webhook else None,
            webhook_path="/hook/path",
        )
        services = build_services(settings, clock)
        try:
            async with running(services, poll_timeout=1, tick_seconds=3600) as app:
                yield Chat(server, services, app)
        finally:
            services.store.dispose()


@contextlib.contextmanager
def chatty_http_loggers() -> Any:
    """Let httpx, httpcore and PTB log everything (URLs with the token included), as a
    deployment with its own logging set-up might: redaction must still hold."""
    names = ("httpx", "httpcore", "telegram")
    levels = {name: logging.getLogger(name).level for name in names}
    try:
        for name in names:
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_the_token_is_in_no_log_line_even_with_chatty_http_loggers_and_faults(
    sqlite_url: str, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with production_bot(sqlite_url, clock) as chat:
        server = chat.server
        await chat.onboard(ALICE, "Alice")
        with chatty_http_loggers():
            server.fail_next("sendMessage", status=500)
            server.push_update(server.command(ALICE, "/help"))
            await server.wait_for(
                lambda c: c.method == "sendMessage" and c.status == 500, successful_only=False
            )
            server.fail_next("getUpdates", status=502)
            server.fail_next("sendMessage", status=429, retry_after=1)
            await chat.say(ALICE, server.command(ALICE, "/help"))
            server.blocked_chats.add(ALICE)
            server.push_update(server.command(ALICE, "/help"))
            await server.wait_for(
                lambda c: c.chat_id == ALICE and c.status == 403, successful_only=False
            )
    names = {record.name for record in caplog.records}
    assert "httpx" in names, "the HTTP client logged nothing: the test would prove nothing"
    assert any(r.name == "bot.telegram_app" and r.levelno == logging.ERROR for r in caplog.records)
    assert_no_token_in_records(caplog.records, "the logs")
    assert_no_token(caplog.text, "the formatted log output")


WRONG_SECRETS = (None, "", "wrong-secret", SECRET.upper(), SECRET[:-1], SECRET + "x")


async def test_webhook_refuses_a_missing_or_wrong_secret_without_side_effects(
    sqlite_url: str, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with production_bot(sqlite_url, clock, webhook=True) as chat:
        server, store = chat.server, chat.services.store
        assert server.webhook_secret_token == SECRET
        # Alice is a real user with data a forged update would love to reach.
        await chat.onboard(ALICE, "Alice")
        await chat.checkin(ALICE, "7", "9", ALICE_NOTE)
        alice_rows, alice_state = peek.rows_about(store, ALICE), peek.saved_state(store, ALICE)
        alice_user = store.get_user(ALICE)
        assert alice_rows["checkins"] == 1
        calls_before = len(server.calls)
        for secret in (*WRONG_SECRETS, f"{SECRET},{SECRET}"):
            for update in (
                server.command(ALICE, "/start"),
                server.command(ALICE, "/delete"),
                server.user_message(ALICE, "hello"),
                server.callback(ALICE, "c|delete_confirmed", 1),
                server.callback(ALICE, "c|export", 1),
                server.command(BOB, "/start"),
            ):
                assert await server.post_webhook(update, secret) == 403, secret
        assert store.get_user(BOB) is None
        assert (
            peek.rows_about(store, ALICE) == alice_rows
            and peek.saved_state(store, ALICE) == alice_state
        )
        assert store.get_user(ALICE) == alice_user
        assert server.calls[calls_before:] == [], "a refused update reached the Bot API"
        # The right secret is let in (so the refusals above were about the secret).
        replies = await chat.say(ALICE, server.command(ALICE, "/help"))
        assert [c.text for c in replies] == [chat.help_text(ALICE)]
        assert [c.method for c in server.calls[calls_before:]] == ["sendMessage"]
    assert_no_token_in_records(caplog.records, "the logs")


async def test_one_user_can_never_see_or_change_another_users_data(
    sqlite_url: str, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with production_bot(sqlite_url, clock) as chat:
        server, services, store = chat.server, chat.services, chat.services.store
        await chat.onboard(ALICE, "Alice")
        await chat.onboard(BOB, "Bob")
        await chat.checkin(ALICE, "7", "9", ALICE_NOTE)
        await chat.checkin(BOB, "2", "1", None)
        # Alice gets a reminder with its buttons, and is in the middle of the self-check.
        with store.turn(ALICE, clock.now(), language="en", timezone="UTC") as tx:
            rule = Rule.at("stress", ["12:30"]).to_dict()
            tx.upsert_reminder("stress", rule, enabled=True, next_due_at=clock.now())
        await chat.app.bot_data["dispatcher"].tick()
        nudge = (
            await server.wait_for(
                lambda c: c.chat_id == ALICE and "r|" in json.dumps(c.params.get("reply_markup"))
            )
        )[-1]
        delivery = peek.deliveries(store, ALICE)[0]
        assert delivery.action is None
        question = await chat.say(ALICE, server.command(ALICE, "/test"), expect=2)
        alice_state = peek.saved_state(store, ALICE)
        assert alice_state is not None
        alice_rows = peek.rows_about(store, ALICE)
        alice_reminders = {(r.kind, r.next_due_at) for r in reminders_of(store, ALICE)}
        alice_messages = len(server.sent_messages(ALICE))
        alice_calls = len([c for c in server.calls if c.chat_id == ALICE])

        # Bob presses Alice's reminder buttons (each action code) and her flow's buttons.
        gone = services.catalogue.translator("en")("reminders.ack.gone")
        for data in buttons_of(nudge) + [f"r|{delivery.id}|{c}" for c in ("d", "k", "x")]:
            replies = await chat.forge(BOB, data)
            assert [r.text for r in replies] == [gone], data
        for data in buttons_of(question[-1]):
            replies = await chat.forge(BOB, data)
            assert "older message" in replies[0].text, data
        # Bob asks for everything he may see, and opens every flow there is.
        mark = len(server.calls)
        for command in (
            "/export",
            "/summary",
            "/history",
            "/stats",
            "/privacy",
            "/reminders",
            "/plan",
            "/exercise",
            "/learn",
            "/language",
            "/test",
            "/resume",
            "/cancel",
        ):
            server.push_update(server.command(BOB, command))
        # ... and presses command buttons (which always act on whoever presses them).
        for data in ("c|export", "c|summary", "c|plan", "c|reminders", "c|resume"):
            server.push_update(server.callback(BOB, data, 1))
        server.push_update(server.command(BOB, "/cancel"))  # out of any flow those opened
        await chat.settle(BOB)
        seen_by_bob = [c for c in server.calls[mark:] if c.chat_id == BOB]
        listing = next(c for c in seen_by_bob if c.text and "pain 2" in c.text)
        await chat.press(BOB, listing, "Download")
        await chat.settle(BOB)
        # ... and finally erases his own data.
        ask = await chat.say(BOB, server.command(BOB, "/delete"))
        await chat.press(BOB, ask[-1], "Yes, erase")

        bob_calls = [c for c in server.calls if c.chat_id == BOB and c.method in REPLY_METHODS]
        bob_text = "\n".join(c.text or "" for c in bob_calls)
        files = [f.data.decode("utf-8", "replace") for c in bob_calls for f in c.files.values()]
        for leak in (ALICE_NOTE, str(ALICE), "Alice", "pain 7", "stress 9"):
            assert leak not in bob_text and not any(leak in f for f in files), leak
        export = json.loads(next(f for f in files if f.lstrip().startswith("{")))
        owners = {row.get("user_id", row.get("id")) for rows in export.values() for row in rows}
        assert owners == {BOB}, owners
        csv_texts = [f for f in files if f.lstrip("\ufeff").startswith("day,")]
        assert csv_texts
        for csv_text in csv_texts:
            assert ",7,9," not in csv_text and ",2,1," in csv_text

        # Alice's data, reminder answers and flow are exactly as they were; nothing was
        # sent to her meanwhile.
        assert peek.deliveries(store, ALICE)[0].action is None
        assert peek.saved_state(store, ALICE) == alice_state
        assert peek.rows_about(store, ALICE) == alice_rows
        assert {(r.kind, r.next_due_at) for r in reminders_of(store, ALICE)} == alice_reminders
        assert len(server.sent_messages(ALICE)) == alice_messages
        assert len([c for c in server.calls if c.chat_id == ALICE]) == alice_calls
        assert set(peek.rows_about(store, BOB).values()) == {0}
        assert not [c for c in server.calls if c.method in REPLY_METHODS and not c.ok]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert_no_token_in_records(caplog.records, "the logs")


def reminders_of(store: Store, user: int) -> list[Reminder]:
    with Session(store.engine) as session:
        return list(session.exec(select(Reminder).where(Reminder.user_id == user)).all())


# --------------------------------------------------------- product bugs found (pinned)


async def forged_press_answer(url: str, clock: ManualClock, data: str) -> tuple[str, list[str]]:
    """What a user gets for a press with ``data`` on the production bot, and any ERROR
    log lines it caused."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep(logging.ERROR)
    logging.getLogger().addHandler(keep)
    try:
        async with production_bot(url, clock) as chat:
            replies = await chat.forge(BOB, data)
    finally:
        logging.getLogger().removeHandler(keep)
    return replies[0].text or "", [r.getMessage().splitlines()[0] for r in records]


GONE = "That reminder is no longer there, so I've let it be."


@pytest.mark.parametrize("data", ["r|²|d", "r|99999999999999999999|d"])
async def test_forged_reminder_ids_that_are_not_64_bit_integers_get_the_gone_answer(
    database_url: str, clock: ManualClock, data: str
) -> None:
    text, errors = await forged_press_answer(database_url, clock, data)
    assert not errors, errors
    assert text == GONE


async def test_forged_reminder_id_beyond_32_bits_on_postgresql_gets_the_gone_answer(
    postgres_url: str, clock: ManualClock
) -> None:
    text, errors = await forged_press_answer(postgres_url, clock, "r|2147483648|d")
    assert not errors, errors
    assert text == GONE


def test_erasing_in_the_middle_of_a_flow_does_not_resume_the_erased_flow(
    services: Services,
) -> None:
    from bot.conversation import Incoming

    def say(kind: str, **fields: Any) -> list[Outgoing]:
        return services.conversations.handle(
            Incoming(ALICE, kind, language_code="en", first_name="Alice", **fields)  # type: ignore[arg-type]
        ).replies

    def buttons(replies: list[Outgoing]) -> dict[str, str]:
        return {b.label: b.data for r in replies for row in r.buttons for b in row}

    replies = say("command", command="start")
    for label in ("English", "Continue", "Yes, I agree", "Yes, that's right"):
        replies = say("press", callback=buttons(replies)[label])
    replies = say("command", command="checkin")
    for label in ("7", "9"):
        replies = say("press", callback=buttons(replies)[label])
    replies = say("press", callback=next(iter(buttons(replies).values())))
    replies = say("press", callback=next(iter(buttons(replies).values())))
    say("press", callback=buttons(replies)["Skip"])
    assert "pain 7" in say("command", command="checkin")[0].text  # "Update it?" is open
    ask = say("command", command="delete")
    erased = say("press", callback=buttons(ask)["Yes, erase everything"])
    assert set(peek.rows_about(services.store, ALICE).values()) == {0}
    assert [r.text for r in erased] == [
        services.catalogue.translator("en")("privacy.delete_done")
    ], [r.text[:60] for r in erased]
