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
import itertools
import json
import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
from telegram.ext import AIORateLimiter, Application

from bot.clock import ManualClock, SystemClock
from bot.conversation import Outgoing, to_outgoing
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.features.reminders import advance
from bot.logsafe import harden_logging
from bot.reminder_sender import make_sender
from bot.runner import running
from bot.services import Services, build_services
from bot.telegram_app import SERVICES, register_handlers
from bot.wiring import build_wiring
from data.engine import make_engine
from data.models import CheckIn, Delivery, ExerciseLog, Reminder, User
from data.models import TestResult as SelfCheckResult
from data.queue import Claim
from data.store import Store, Turn, UserInfo
from flows import helplines
from flows.checkin import MOVED_VALUES, SLEEP_VALUES
from flows.onboarding import CONSENT_VERSION
from flows.pain_test import INDEX as PAIN_TEST_INDEX
from flows.pain_test import STEPS as PAIN_TEST_STEPS
from flows.runtime import Context, FlowState
from flows.schedule import Rule
from flows.scoring import PHQ4_BANDS, PSEQ2_BANDS, PSS4_LEVELS, RISKS
from tests import hardening_updates as hu
from tests.conftest import TEST_TOKEN, TOKEN_SECRET, bot_settings, make_settings
from tests.fakebotapi import Call, FakeBotApi

REPO = Path(__file__).resolve().parent.parent
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
REPLY_METHODS = (*SEND_METHODS, "editMessageText")
"""What a user can read: new messages, and a question edited into its answer's reply."""


# ----------------------------------------------------------------------------- helpers


def assert_no_token(text: str, where: str) -> None:
    assert TEST_TOKEN not in text, f"the bot token appears in {where}"
    assert TOKEN_SECRET not in text, f"the token's secret part appears in {where}"


def assert_no_token_in_records(records: Iterable[logging.LogRecord], where: str) -> None:
    for record in records:
        line = record.getMessage()
        if record.exc_text:
            line += record.exc_text
        assert_no_token(line, f"{where} ({record.name}: {line[:80]!r})")


def error_texts(services: Services) -> set[str]:
    """The kind 'something went wrong' answer of the error handler, in every language."""
    return {
        services.catalogue.translator(language)("common.error")
        for language in services.catalogue.languages
    }


def buttons_of(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def labelled_buttons(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def message_id(call: Call) -> int:
    assert isinstance(call.result, dict), call
    return int(call.result["message_id"])


def unthrottled_application(
    server: FakeBotApi, services: Services, *, read_timeout: float | None = None
) -> Any:
    """The production handlers (``register_handlers``) on an Application whose limiter
    does not hold sends to Telegram's 30 a second: thousands of updates must fit in
    seconds here. Everything else (real Bot, real HTTPXRequest) is as in production."""
    harden_logging(TEST_TOKEN)
    app_builder = (
        Application.builder()
        .token(TEST_TOKEN)
        .base_url(f"{server.base_url}/bot")
        .base_file_url(f"{server.base_url}/file/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0))
    )
    if read_timeout is not None:
        app_builder = app_builder.read_timeout(read_timeout)
    app = app_builder.build()
    app.bot_data[SERVICES] = services
    register_handlers(app)
    return app


def score_in(value: Any, lo: int, hi: int) -> bool:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
    )


def assert_stored_values_in_range(store: Store) -> None:
    """Every stored check-in, self-check score and exercise rating is within its range."""
    with Session(store.engine) as session:
        for checkin in session.exec(select(CheckIn)).all():
            assert 0 <= checkin.pain <= 10 and 0 <= checkin.stress <= 10, checkin
            assert checkin.sleep in (None, *SLEEP_VALUES), checkin
            assert checkin.moved in (None, *MOVED_VALUES), checkin
            assert checkin.note is None or len(checkin.note) <= 500
        for log in session.exec(select(ExerciseLog)).all():
            assert score_in(log.rating_after, 0, 10), log
        for result in session.exec(select(SelfCheckResult)).all():
            assert_answers_valid(result.answers)
            scores = result.scores
            assert score_in(scores.get("pain_now"), 0, 10), scores
            assert score_in(scores.get("pain_avg"), 0, 10), scores
            assert score_in(scores.get("startback_total"), 0, 9), scores
            assert score_in(scores.get("startback_psych"), 0, 5), scores
            assert score_in(scores.get("phq4_total"), 0, 12), scores
            assert score_in(scores.get("phq4_anxiety"), 0, 6), scores
            assert score_in(scores.get("phq4_mood"), 0, 6), scores
            assert score_in(scores.get("pss4"), 0, 16), scores
            assert score_in(scores.get("pseq2"), 0, 12), scores
            assert scores.get("risk") in (None, *RISKS), scores
            assert scores.get("phq4_band") in (None, *PHQ4_BANDS), scores
            assert scores.get("pss4_level") in (None, *PSS4_LEVELS), scores
            assert scores.get("pseq2_band") in (None, *PSEQ2_BANDS), scores


def assert_answers_valid(answers: dict[str, Any]) -> None:
    """Every stored self-check answer is one its question offers."""
    for key, value in answers.items():
        if key not in PAIN_TEST_INDEX:
            continue
        step = PAIN_TEST_STEPS[PAIN_TEST_INDEX[key]]
        if step.kind == "scale":
            assert score_in(value, step.lo, step.hi), (key, value)
        elif step.kind == "single":
            assert value in step.options, (key, value)
        else:
            assert isinstance(value, list) and set(value) <= set(step.options), (key, value)


def assert_states_loadable(services: Services, user_ids: Iterable[int]) -> int:
    """Each stored conversation state names a known flow that can ask its question
    again; returns how many users were in a flow."""
    flows = build_wiring().flows
    loaders = services.conversations.wiring.history
    now = services.clock.now()
    in_flow = 0
    for user_id in user_ids:
        saved = services.store.get_state(user_id)
        if saved is None:
            continue
        in_flow += 1
        flow = flows.get(saved.flow)
        assert flow is not None, f"user {user_id} is in an unknown flow {saved.flow!r}"
        user = services.store.get_user(user_id)
        assert user is not None
        history: dict[str, Any] = {"first_name": "Test"}
        with services.store.view(user_id, now) as tx:
            assert tx is not None
            loader = loaders.get(flow.name)
            if loader is not None:
                history.update(loader(tx))
        ctx = Context(services.catalogue.translator(user.language), now, user.timezone, history)
        replies = flow.current(FlowState(saved.flow, saved.step, saved.answers), ctx)
        assert replies, f"{saved.flow}/{saved.step} has nothing to ask"
        for reply in replies:
            shown: Outgoing = to_outgoing(reply, nonce=saved.nonce)
            assert shown.text.strip() and len(shown.text) <= 4096
    return in_flow


# ------------------------------------------------------------------ 1. hostile input

USERS_PER_EXAMPLE = 5
GROUP_ID = -1001234567890
SMALL_GROUP_ID = -4242
CHANNEL_ID = -1009876543210
SENTINEL = 99_999
COMMANDS = (
    "start",
    "test",
    "checkin",
    "cancel",
    "help",
    "reminders",
    "plan",
    "summary",
    "history",
    "export",
    "delete",
    "language",
    "stats",
    "learn",
    "exercise",
    "privacy",
    "resume",
)
SPECIAL_TEXTS = (
    "x" * 4096,
    "é" * 4096,
    "😀" * 2048,
    "👨‍👩‍👧‍👦" * 100,
    "\x00\x01\x02\x1b[31m\x7f",
    "\u202eevil\u202c",
    "\u200b" * 50,
    "line\nbreaks\r\nand\ttabs",
    "   ",
    "0",
    "10",
    "11",
    "-1",
    "7/10",
    "½",
    "٣",
    "⁵",
    "1e3",
    "NaN",
    " 5 ",
    "Europe/Brussels",
    "America/Argentina/ComodRivadavia",
    "Mars/Olympus_Mons",
    "I want to kill myself",
    "I can't feel my legs and can't control my bladder",
    "'; DROP TABLE users; --",
    "%s %(name)s {name} {0}",
    "<b>bold</b> *md* _x_ [l](http://x)",
    "/start",
    "/checkin@backcoach_test_bot",
)
LANGUAGES = st.sampled_from([None, "en", "nl", "fr", "de", "nl-BE", "pt-br", "xx", "EN_us"])
FIRST_NAMES = st.sampled_from(["Ann", "", " ", "\u202eevil", "x" * 64, "<b>Bo</b>", "😀" * 8])
SHORT_TEXT = st.text(max_size=24)
TEXTS = st.one_of(SHORT_TEXT, st.sampled_from(SPECIAL_TEXTS))
NUDGE_CODES = st.sampled_from(["d", "k", "s15", "s30", "x", "", "zz", "d|x"])
FOLLOW_UP_ANSWERS = st.sampled_from(["seen", "notyet", "waiting", "talked", "private", "", "d"])
# Delivery ids: small real-looking ones, huge ones and Unicode digits (all must be safe).
DELIVERY_IDS = st.one_of(
    st.integers(0, 50).map(str),
    st.integers(0, 10**25).map(str),
    st.sampled_from(["²", "٣", "-1", "1e9", " 7", "0x1"]),
)


def _cap64(data: str) -> str:
    return data.encode("utf-8")[:64].decode("utf-8", "ignore")


FORGED = st.one_of(
    SHORT_TEXT,
    st.builds(lambda a, b: f"f|{a}|{b}", SHORT_TEXT, SHORT_TEXT),
    st.builds(lambda a, b: f"r|{a}|{b}", DELIVERY_IDS, NUDGE_CODES),
    st.builds(lambda a, b: f"u|{a}|{b}", DELIVERY_IDS, FOLLOW_UP_ANSWERS),
    st.builds(lambda a: f"c|{a}", SHORT_TEXT),
    st.builds(
        lambda a: f"c|{a}",
        st.sampled_from(
            [*COMMANDS, "start!", "checkin!", "delete_kept", "history_csv", "test!", ""]
        ),
    ),
    st.sampled_from(["|", "||", "f|", "r|", "c", "c|", "r|1", "f|a|b|c", "r||d", "u|", "u|1"]),
).map(_cap64)
UID = st.integers(0, USERS_PER_EXAMPLE - 1)


def _command_text(name: str, suffix: int, args: str) -> str:
    word = [name, name.upper(), f"{name}@backcoach_test_bot", f"{name}@other_bot"][suffix]
    return f"/{word} {args}".rstrip()


COMMAND_TEXT = st.builds(
    _command_text,
    st.one_of(
        st.sampled_from(COMMANDS),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=40),
    ),
    st.integers(0, 3),
    st.sampled_from(["", "payload", "x" * 200]),
)

Action = tuple[Any, ...]
GUIDED_LABELS = (
    "Continue",
    "English",
    "Yes, I agree",
    "Yes, that's right",
    "None of these",
    "Sounds good",
    "Done",
    "Skip",
    "Keep",
    "Next",
)
STALE = st.tuples(st.just("stale"), UID, st.integers(0, 10_000))
TEXT_ACTION = st.tuples(st.just("text"), UID, TEXTS, LANGUAGES, FIRST_NAMES)
COMMAND_ACTION = st.tuples(st.just("command"), UID, COMMAND_TEXT, LANGUAGES, FIRST_NAMES)
FORGED_ACTION = st.tuples(st.just("forged"), UID, FORGED, LANGUAGES)
MEDIA_ACTION = st.tuples(
    st.just("media"), UID, st.sampled_from(["sticker", "photo", "voice", "document", "location"])
)
EDIT_ACTION = st.tuples(st.just("edited"), UID, TEXTS)
GROUP_ACTION = st.tuples(
    st.just("group"),
    UID,
    st.sampled_from([GROUP_ID, SMALL_GROUP_ID]),
    st.one_of(TEXTS, COMMAND_TEXT, st.just("@backcoach_test_bot hi")),
)
GROUP_PRESS = st.tuples(st.just("group_press"), UID, FORGED)
CHANNEL_ACTION = st.tuples(st.just("channel"), TEXTS, st.booleans())
INLINE_ACTION = st.tuples(st.just("inline"), UID, st.one_of(st.none(), FORGED))
TICK_ACTION = st.tuples(st.just("tick"), st.one_of(st.integers(1, 90), st.just(25 * 60)))

HOSTILE = st.one_of(
    STALE,
    TEXT_ACTION,
    COMMAND_ACTION,
    FORGED_ACTION,
    MEDIA_ACTION,
    EDIT_ACTION,
    GROUP_ACTION,
    GROUP_PRESS,
    CHANNEL_ACTION,
    INLINE_ACTION,
    TICK_ACTION,
)
OPENERS = st.sampled_from(
    [
        "/start",
        "/start",
        "/checkin",
        "/checkin",
        "/test",
        "/exercise",
        "/learn",
        "/reminders",
        "/plan",
        "/language",
        "/summary",
        "/history",
        "/delete",
        "/export",
        "/cancel",
        None,
    ]
)
# A segment: one user opens something, then presses buttons (mostly like someone who
# knows where they are going, sometimes anywhere), while hostile updates from anyone
# arrive in between.
SEGMENT = st.tuples(
    UID,
    OPENERS,
    LANGUAGES,
    st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=2, max_size=12),
    st.lists(st.tuples(st.integers(0, 12), HOSTILE), max_size=4),
)


def flatten(segments: list[tuple[Any, ...]]) -> list[Action]:
    actions: list[Action] = []
    for user, opener, language, presses, hostile in segments:
        steps: list[Action] = [("press", user, index, guided) for index, guided in presses]
        for position, action in sorted(hostile, key=lambda item: item[0]):
            steps.insert(min(position, len(steps)), action)
        if opener is not None:
            actions.append(("command", user, opener, language, "Ann"))
        actions.extend(steps)
    return actions


HOSTILE_KINDS = (
    "stale",
    "text",
    "command",
    "forged",
    "media",
    "edited",
    "group",
    "group_press",
    "channel",
    "inline",
)
BURST = st.one_of(
    TEXT_ACTION,
    COMMAND_ACTION,
    FORGED_ACTION,
    MEDIA_ACTION,
    EDIT_ACTION,
    GROUP_ACTION,
    CHANNEL_ACTION,
)


@dataclass
class HostileRun:
    """One started Application (polling, production handlers) and what it has seen."""

    server: FakeBotApi
    services: Services
    app: Any
    dispatcher: Dispatcher
    clock: ManualClock
    updates: int = 0
    block: int = 0
    update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(10_000_000))
    guided: dict[int, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    keyboards: dict[int, tuple[int, dict[str, str]]] = field(default_factory=dict)
    pool: list[tuple[int, int, str]] = field(default_factory=list)
    scanned: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def users(self, block: int) -> list[int]:
        return [100_000 + block * 10 + i for i in range(USERS_PER_EXAMPLE)]

    async def process(self, update: dict[str, Any]) -> None:
        """Hand one update to the running Application and wait until it is handled."""
        update = {"update_id": next(self.update_ids), **update}
        self.updates += 1
        await self.app.process_update(Update.de_json(update, self.app.bot))

    def scan(self) -> None:
        """Take note of the keyboards the bot sent since the last look (incrementally:
        scanning every call again for every press would make a batch quadratic)."""
        calls = self.server.calls
        for call in calls[self.scanned :]:
            if call.ok and call.method == "sendMessage" and isinstance(call.chat_id, int):
                labels = labelled_buttons(call)
                if labels:
                    mid = message_id(call)
                    self.keyboards[call.chat_id] = (mid, labels)
                    self.pool.extend((call.chat_id, mid, data) for data in labels.values())
        self.scanned = len(calls)

    def last_keyboard(self, chat_id: int) -> tuple[int, dict[str, str]] | None:
        self.scan()
        return self.keyboards.get(chat_id)

    def build(self, action: Action, users: list[int], pool_start: int | None) -> Any:
        server = self.server
        kind = action[0]
        self.kinds[kind] += 1
        if kind == "press":
            user = users[action[1]]
            found = self.last_keyboard(user)
            if found is None:
                return hu.command_message(server, user, "/start")
            mid, labels = found
            data = list(labels.values())
            choice = data[action[2] % len(data)]
            seen = (mid, tuple(labels))
            if action[3] and self.guided.get(user) != seen:
                # A user who knows where they are going: "Yes", "Done", "Skip"... unless
                # that just led back to the same question (a pick is needed first).
                for wanted in GUIDED_LABELS:
                    hit = next((d for label, d in labels.items() if label.startswith(wanted)), None)
                    if hit is not None:
                        choice = hit
                        break
            self.guided[user] = seen
            return server.callback(user, choice, mid)
        if kind == "stale":
            user = users[action[1]]
            own = self.last_keyboard(user)
            pool = self.pool[pool_start or 0 :]
            if not pool:
                return hu.command_message(server, user, "/help")
            chat, mid, data = pool[action[2] % len(pool)]
            if chat != user:
                mid = own[0] if own else 1
            return server.callback(user, data, mid)
        if kind == "text":
            return hu.text_message(
                server, users[action[1]], action[2], language_code=action[3], first_name=action[4]
            )
        if kind == "command":
            return hu.command_message(
                server, users[action[1]], action[2], language_code=action[3], first_name=action[4]
            )
        if kind == "forged":
            user = users[action[1]]
            own = self.last_keyboard(user)
            return hu.private_callback(
                server, user, action[2], own[0] if own else None, language_code=action[3]
            )
        if kind == "media":
            user = users[action[1]]
            builders: dict[str, Callable[[], Any]] = {
                "sticker": lambda: server.sticker(user),
                "photo": lambda: server.photo(user, caption="my back"),
                "voice": lambda: server.voice(user),
                "document": lambda: hu.document(server, user),
                "location": lambda: hu.location(server, user),
            }
            self.kinds[f"media:{action[2]}"] += 1
            return builders[action[2]]()
        if kind == "edited":
            return server.edited_message(users[action[1]], action[2] or "edited")
        if kind == "group":
            return server.group_message(users[action[1]], action[2], action[3] or "hi")
        if kind == "group_press":
            return hu.group_callback(server, users[action[1]], GROUP_ID, action[2])
        if kind == "channel":
            return hu.channel_post(server, CHANNEL_ID, action[1] or "post", edited=action[2])
        if kind == "inline":
            return hu.inline_callback(server, users[action[1]], action[2])
        raise AssertionError(f"unknown action {kind}")

    async def everything_special(self, user: int) -> None:
        """A floor under the random mix: every special text (as a message and as an
        edit), every kind of media and a forged press, from someone with no language
        code, so each is certain to have been sent at least once whatever was drawn."""
        server = self.server
        for text in SPECIAL_TEXTS:
            await self.process(hu.text_message(server, user, text, language_code=None))
            await self.process(server.edited_message(user, text))
            self.kinds["special"] += 1
        for media in ("sticker", "photo", "voice", "document", "location"):
            await self.process(self.build(("media", 0, media), [user], None))
        await self.process(hu.private_callback(server, user, "f|00000000|x", None))

    async def run_batch(self, sequential: list[Action], burst: list[Action]) -> list[int]:
        self.block += 1
        users = self.users(self.block)
        self.scan()
        pool_start = len(self.pool)  # stale buttons: from this batch's messages
        for action in sequential:
            if action[0] == "tick":
                self.clock.advance(timedelta(minutes=action[1]))
                await self.dispatcher.tick()
                continue
            update = self.build(action, users, pool_start)
            await self.process(update)
        # The same kinds of updates again, all at once through the long poll; a
        # sentinel's /help answered means every update before it was handled.
        for action in burst:
            self.server.push_update(self.build(action, users, None))
            self.updates += 1
        answered = len(self.server.sent_messages(SENTINEL))
        self.server.push_update(self.server.command(SENTINEL, "/help"))
        await self.server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == SENTINEL,
            count=answered + 1,
            timeout=60,
        )
        return users


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
        saved = services.store.get_state(user)
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
        return store.deliveries()
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
    statuses = Counter(d.status for d in services.store.deliveries())
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
    statuses = Counter(d.status for d in services.store.deliveries())
    assert statuses == {"ambiguous": slow, "sent": len(users) - slow}
    assert all(d.sent_at is not None for d in services.store.deliveries())
    assert_no_token_in_records(caplog.records, "the logs")


# ------------------------------------------------------------------------ 4. security

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
        alice_rows, alice_state = store.rows_about(ALICE), store.get_state(ALICE)
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
        assert store.rows_about(ALICE) == alice_rows and store.get_state(ALICE) == alice_state
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
        delivery = store.deliveries(ALICE)[0]
        assert delivery.action is None
        question = await chat.say(ALICE, server.command(ALICE, "/test"), expect=2)
        alice_state = store.get_state(ALICE)
        assert alice_state is not None
        alice_rows = store.rows_about(ALICE)
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
        assert store.deliveries(ALICE)[0].action is None
        assert store.get_state(ALICE) == alice_state
        assert store.rows_about(ALICE) == alice_rows
        assert {(r.kind, r.next_due_at) for r in reminders_of(store, ALICE)} == alice_reminders
        assert len(server.sent_messages(ALICE)) == alice_messages
        assert len([c for c in server.calls if c.chat_id == ALICE]) == alice_calls
        assert set(store.rows_about(BOB).values()) == {0}
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
    assert set(services.store.rows_about(ALICE).values()) == {0}
    assert [r.text for r in erased] == [
        services.catalogue.translator("en")("privacy.delete_done")
    ], [r.text[:60] for r in erased]
