"""Throughput of one user turn through the real PTB ``Application`` (docs/ARCHITECTURE.md,
"Database access from async code": "measure the choice with the throughput benchmark").

Run by hand, never by pytest::

    .venv/bin/python -m bench.throughput                 # about 4-5 minutes
    .venv/bin/python -m bench.throughput --quick         # smoke run, about a minute
    .venv/bin/python -m bench.throughput --profile       # + py-spy and pyinstrument (2 min)
    .venv/bin/python -m bench.throughput --variants      # + proposed changes (10 min)

``--profile`` needs ``pip install py-spy pyinstrument`` in the venv (not in pyproject);
``--variants`` patches proposed changes into this process only
(``bench/throughput_variants.py``), never into the product's files.

Every Bot API call is answered in-process by :class:`bench.throughput_fakes.NullRequest`
(a Message for sendMessage / editMessageReplyMarkup, ``true`` for answerCallbackQuery,
the bot for getMe), so only our code and PTB are measured. Updates are JSON dicts turned
into ``Update`` objects (``Update.de_json``) inside the timed region, then processed by
``Application.process_update``: awaited one by one when the Application processes
updates sequentially (PTB's default and the product's), or as concurrent tasks through
``Application.update_processor`` when it allows more (``concurrent_updates(True)`` = 256),
exactly as PTB's own update fetcher does.

The product's Application is rebuilt as ``bot.telegram_app.build_application`` builds it
(token, base URLs, ``register_handlers``, services in ``bot_data``) but WITHOUT its
``AIORateLimiter``, which would cap everything at Telegram's 30 messages/s: the question
here is CPU throughput of our code against bare PTB, not Telegram's limits.

Measured in one run:

- echo: an Application with one MessageHandler that sends the text back (baseline);
- press: a bare PTB callback handler doing what ``on_press`` does on the wire (answer,
  send a message with a keyboard, remove the pressed keyboard) with no turn: PTB's share;
- check-in: users with consent and 30 days of earlier check-ins open /checkin (timed
  separately) then press pain, stress, sleep, moved and "skip" with the callback data the
  bot really sent (read back from the captured sendMessage reply_markup). One round is
  every user pressing once; a user's next press needs the previous reply. Several
  "days" (the clock moves one day) after one warm-up day;
- the same on PostgreSQL, in a fresh database created and dropped here.

Every rate is given twice: per wall second and per CPU second (``time.process_time``,
all threads; the event-loop thread's share from ``time.thread_time``). On a shared
machine wall time also counts waiting for a core other processes hold; CPU time does
not, so ratios and savings are read on CPU time. The echo and bare-press figures tell
the ceiling: with ``on_press``'s three Bot API calls, a press costs at least the bare
press even if the turn were free.

The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib
import io
import itertools
import json
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench.seed import (
    FIRST_USER_ID,
    create_postgres_database,
    drop_postgres_database,
    fresh_sqlite_url,
    postgres_reachable,
    seed_checkins,
    seed_users,
)
from bench.throughput_fakes import JsonDict, NullRequest, Sent, UpdateFactory
from bench.throughput_floor import WAYS, core_turn, prepare, store_floor
from bot.clock import ManualClock
from bot.config import Settings
from bot.logsafe import configure_logging
from bot.services import Services, build_services
from bot.telegram_app import application_builder, build_application, wire

# tests.conftest is imported at run time only: it is test code, outside mypy's packages.
_conftest = importlib.import_module("tests.conftest")
TEST_TOKEN: str = _conftest.TEST_TOKEN
POSTGRES_ADMIN_URL: str = _conftest.POSTGRES_ADMIN_URL

AnyApp = Application[Any, Any, Any, Any, Any, Any]
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""Noon UTC: the same local calendar day in every seeded zone (Brussels to Tokyo)."""
HISTORY_DAYS = 30
CONCURRENT = 256
"""What ``ApplicationBuilder.concurrent_updates(True)`` means in PTB 22."""
TARGET_RATIO = 0.5
STEPS = ("pain", "stress", "sleep", "moved", "note")


def say(line: str = "") -> None:
    print(line, flush=True)


def make_settings(database_url: str, **overrides: object) -> Settings:
    """The test suite's settings, at the production log level (INFO) unless told."""
    values: dict[str, object] = {"log_level": "INFO", **overrides}
    settings: Settings = _conftest.make_settings(database_url, **values)
    return settings


def mode_name(concurrency: int) -> str:
    return "sequential" if concurrency <= 1 else f"concurrent_{concurrency}"


# -- applications --------------------------------------------------------------------


def product_app(services: Services, request: NullRequest, concurrency: int) -> AnyApp:
    """``build_application``'s builder and handlers, minus the rate limiter, plus the null
    request."""
    builder = application_builder(services)
    app = (
        builder.request(request)
        .get_updates_request(NullRequest())
        .concurrent_updates(concurrency)
        .build()
    )
    return wire(app, services)


PressCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def bare_app(
    request: NullRequest,
    concurrency: int,
    *,
    press: bool = False,
    on_press: PressCallback | None = None,
) -> AnyApp:
    """Bare PTB with the product's builder settings and one handler."""
    app = (
        Application.builder()
        .token(TEST_TOKEN)
        .base_url("https://api.telegram.org/bot")
        .base_file_url("https://api.telegram.org/file/bot")
        .request(request)
        .get_updates_request(NullRequest())
        .concurrent_updates(concurrency)
        .build()
    )
    if press:
        app.add_handler(CallbackQueryHandler(on_press or _bare_press))
    else:
        app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await context.bot.send_message(message.chat_id, message.text)


BARE_SCORES = ([str(n) for n in range(6)], [str(n) for n in range(6, 11)])


async def _bare_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``on_press`` on the wire without the turn: answer, reply with a keyboard (the
    same 11 score buttons the check-in sends), remove the pressed keyboard."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"f|abcd1234|{label}") for label in row]
            for row in BARE_SCORES
        ]
    )
    await context.bot.send_message(
        query.message.chat.id, "How is your back pain right now?", reply_markup=markup
    )
    await query.edit_message_reply_markup(reply_markup=None)


# The floor: the least any button-driven reply can cost in PTB, with no turn at all.


def _score_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"f|abcd1234|{label}") for label in row]
            for row in BARE_SCORES
        ]
    )


async def _floor_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Only answerCallbackQuery: what Telegram requires of every press."""
    query = update.callback_query
    assert query is not None
    await query.answer()


async def _floor_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """answer + editMessageText with the next question's 11 buttons (PTB objects)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text("How stressed do you feel today?", reply_markup=_score_markup())


async def _raw_answer(bot: Bot, query: CallbackQuery) -> None:
    with warnings.catch_warnings():
        # do_api_request warns that Bot.answer_callback_query exists; that is the point.
        warnings.simplefilter("ignore", PTBUserWarning)
        await bot.do_api_request("answerCallbackQuery", {"callback_query_id": query.id})


async def _raw_edit(bot: Bot, query: CallbackQuery) -> None:
    assert query.message is not None
    keyboard = [
        [{"text": label, "callback_data": f"f|abcd1234|{label}"} for label in row]
        for row in BARE_SCORES
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        await bot.do_api_request(
            "editMessageText",
            {
                "chat_id": query.message.chat.id,
                "message_id": query.message.message_id,
                "text": "How stressed do you feel today?",
                "reply_markup": {"inline_keyboard": keyboard},
            },
        )


async def _floor_edit_raw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The same two calls through ``Bot.do_api_request``: a dict keyboard, the returned
    Message left unparsed (the least PTB work possible for one reply)."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await _raw_answer(context.bot, query)
    await _raw_edit(context.bot, query)


def leanest_press(engine: Engine, user_ids: Sequence[int]) -> PressCallback:
    """The cheapest press that stores anything while keeping to docs/ARCHITECTURE.md: the two raw
    Bot API calls of ``_floor_edit_raw`` around the minimal Core turn of
    ``bench.throughput_floor`` (one transaction: read user + state, write state), run
    through ``asyncio.to_thread`` so the loop never waits on the database. No flow, no
    texts, no keyboard objects: if even this stays under the target, no real press can
    reach it on this stack."""
    turn = core_turn(engine)
    presses = itertools.count()

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None and query.from_user
        await _raw_answer(context.bot, query)
        uid = user_ids[query.from_user.id % len(user_ids)]
        await asyncio.to_thread(turn, uid, next(presses))
        await _raw_edit(context.bot, query)

    return press


FLOORS: list[tuple[str, str, PressCallback]] = [
    ("answer_only", "answerCallbackQuery only", _floor_answer),
    ("answer_edit", "answer + editMessageText with 11 buttons", _floor_edit),
    ("answer_edit_raw", "the same via do_api_request, result unparsed", _floor_edit_raw),
]


@dataclass
class Timing:
    """Wall seconds, process CPU seconds (all threads) and event-loop-thread CPU seconds.

    CPU time is what the comparison rests on: it does not count time spent waiting for a
    core that other processes hold, which wall time on a shared machine does.
    """

    wall: float = 0.0
    cpu: float = 0.0
    loop_cpu: float = 0.0

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu, self.loop_cpu + other.loop_cpu)


async def feed(app: AnyApp, updates: Sequence[JsonDict]) -> Timing:
    """Process ``updates`` as PTB's update fetcher would, timed."""
    bot = app.bot
    wall, cpu, loop_cpu = time.perf_counter(), time.process_time(), time.thread_time()
    if app.concurrent_updates <= 1:
        for data in updates:
            await app.process_update(Update.de_json(data, bot))
    else:
        processor = app.update_processor

        async def one(data: JsonDict) -> None:
            update = Update.de_json(data, bot)
            await processor.process_update(update, app.process_update(update))

        await asyncio.gather(*(one(data) for data in updates))
    return Timing(
        time.perf_counter() - wall, time.process_time() - cpu, time.thread_time() - loop_cpu
    )


class ErrorCounter(logging.Handler):
    """Counts ERROR records (a failed update is logged by PTB or our error handler)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if not self.first:
            self.first = record.getMessage()[:500]


ERRORS = ErrorCounter()


def check_no_errors(what: str) -> None:
    if ERRORS.count:
        raise RuntimeError(f"{what}: {ERRORS.count} update(s) failed; first: {ERRORS.first}")


# -- bare PTB baselines --------------------------------------------------------------


@dataclass
class Rate:
    """Several timed runs of ``count`` updates each; figures are medians over runs."""

    count: int
    timings: list[Timing] = field(default_factory=list)

    @property
    def per_wall_second(self) -> float:
        return statistics.median(self.count / t.wall for t in self.timings)

    @property
    def per_cpu_second(self) -> float:
        return statistics.median(self.count / t.cpu for t in self.timings)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(1000 * t.cpu / self.count for t in self.timings)

    @property
    def loop_cpu_ms(self) -> float:
        return statistics.median(1000 * t.loop_cpu / self.count for t in self.timings)

    def describe(self) -> str:
        walls = ", ".join(f"{self.count / t.wall:,.0f}" for t in self.timings)
        return (
            f"{self.per_wall_second:,.0f}/s wall (runs {walls}); {self.per_cpu_second:,.0f}/CPU-s "
            f"= {self.cpu_ms:.3f} CPU-ms each ({self.loop_cpu_ms:.3f} on the event loop thread)"
        )

    def figures(self) -> dict[str, float]:
        return {
            "per_s": round(self.per_wall_second, 1),
            "per_cpu_s": round(self.per_cpu_second, 1),
            "cpu_ms": round(self.cpu_ms, 4),
            "loop_cpu_ms": round(self.loop_cpu_ms, 4),
        }


async def run_echo(updates: int, concurrency: int, repeat: int, users: int) -> Rate:
    request = NullRequest()
    app = bare_app(request, concurrency)
    factory = UpdateFactory()
    rate = Rate(updates)
    await app.initialize()
    try:
        ids = [FIRST_USER_ID + i for i in range(users)]
        await feed(app, [factory.text(ids[i % users], f"hello {i}") for i in range(500)])
        for _ in range(repeat):
            batch = [factory.text(ids[i % users], f"hello {i}") for i in range(updates)]
            rate.timings.append(await feed(app, batch))
        assert request.calls["sendMessage"] == 500 + updates * repeat
    finally:
        await app.shutdown()
    check_no_errors("echo")
    return rate


async def run_bare_press(
    updates: int,
    concurrency: int,
    repeat: int,
    users: int,
    on_press: PressCallback | None = None,
) -> Rate:
    request = NullRequest()
    app = bare_app(request, concurrency, press=True, on_press=on_press)
    factory = UpdateFactory()
    rate = Rate(updates)
    await app.initialize()
    try:
        ids = [FIRST_USER_ID + i for i in range(users)]
        # The pressed message as Telegram embeds it in the update: with its 11 buttons,
        # like a check-in question (parsing them is part of every press).
        keyboard = [
            [{"text": label, "callback_data": f"f|abcd1234|{label}"} for label in row]
            for row in BARE_SCORES
        ]
        sent = Sent(7, "How is your back pain right now?", keyboard)

        def batch(n: int) -> list[JsonDict]:
            return [factory.press(ids[i % users], sent, "f|abcd1234|5") for i in range(n)]

        await feed(app, batch(300))
        for _ in range(repeat):
            rate.timings.append(await feed(app, batch(updates)))
        assert request.calls["answerCallbackQuery"] == 300 + updates * repeat
    finally:
        await app.shutdown()
    check_no_errors("bare press")
    return rate


# -- the check-in ---------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    url: str
    services: Services
    clock: ManualClock
    cleanup: Callable[[], None]
    next_user: int = FIRST_USER_ID
    statements: int = 0

    def new_users(self, count: int) -> list[int]:
        """``count`` fresh users with consent and 30 days of earlier check-ins."""
        ids = list(range(self.next_user, self.next_user + count))
        # Multiples of 4 apart, so every run's user i lives in the same zone.
        self.next_user += (count + 1000 + 3) // 4 * 4
        engine = self.services.store.engine
        seed_users(engine, ids, START)
        seed_checkins(engine, ids, START.date() - timedelta(days=1), HISTORY_DAYS)
        return ids


def open_backend(name: str, url: str, cleanup: Callable[[], None]) -> Backend:
    clock = ManualClock(START)
    services = build_services(make_settings(url), clock)  # migrations included
    backend = Backend(name, url, services, clock, cleanup)

    def count(*_args: Any) -> None:
        backend.statements += 1

    event.listen(services.store.engine, "before_cursor_execute", count)
    return backend


def close_backend(backend: Backend) -> None:
    backend.services.store.dispose()
    backend.cleanup()


@dataclass
class CheckinResult:
    presses: Rate
    commands: Rate
    statements_per_press: float
    statements_per_command: float
    api_calls_per_press: float
    step_cpu_ms: dict[str, float]
    transcript: str
    """A digest of every text the bot sent on the timed days, in order: two sequential
    runs with the same settings answer the same words, whatever the code path."""

    def describe(self) -> str:
        return (
            f"presses {self.presses.describe()}\n  /checkin {self.commands.describe()}\n"
            f"  {self.statements_per_press:.1f} SQL statements and "
            f"{self.api_calls_per_press:.1f} Bot API calls per press "
            f"({self.statements_per_command:.1f} statements per /checkin)"
        )


PRESS_VALUES: dict[str, Callable[[random.Random], str]] = {
    "pain": lambda rng: str(rng.randrange(11)),
    "stress": lambda rng: str(rng.randrange(11)),
    "sleep": lambda rng: rng.choice(("good", "soso", "bad")),
    "moved": lambda rng: rng.choice(("yes", "little", "no")),
    "note": lambda _rng: "skip",
}
SECONDS_PER_TAP = 8
"""The clock moves this much between two rounds of taps, as it would for a real user:
``last_seen_at`` and the state's ``updated_at`` really change on every press."""


def pick(sent: Sent | None, value: str, user_id: int, step: str) -> str:
    """The callback data of the button for ``value`` in the bot's last message."""
    if sent is not None:
        for data in sent.callback_data():
            if data.endswith(f"|{value}"):
                return data
    shown = sent.text[:200] if sent else "nothing"
    raise RuntimeError(f"user {user_id} at {step}: no {value!r} button; the bot sent {shown!r}")


@dataclass
class Day:
    command: Timing
    presses: Timing
    per_step: dict[str, Timing]
    command_statements: int
    press_statements: int
    api_calls: int
    texts: list[str]


async def checkin_day(
    app: AnyApp,
    request: NullRequest,
    backend: Backend,
    ids: Sequence[int],
    factory: UpdateFactory,
    rng: random.Random,
    morning: datetime,
) -> Day:
    """One day: everyone opens /checkin, then presses five times (one round per step)."""
    request.reset()
    backend.clock.set(morning)
    before = backend.statements
    command = await feed(app, [factory.text(uid, "/checkin") for uid in ids])
    command_statements = backend.statements - before
    command_calls = sum(request.calls.values())
    per_step: dict[str, Timing] = {}
    before = backend.statements
    for index, step in enumerate(STEPS, start=1):
        backend.clock.set(morning + timedelta(seconds=SECONDS_PER_TAP * index))
        updates = []
        for uid in ids:
            sent = request.last.get(uid)
            data = pick(sent, PRESS_VALUES[step](rng), uid, step)
            assert sent is not None
            updates.append(factory.press(uid, sent, data))
        per_step[step] = await feed(app, updates)
    press_statements = backend.statements - before
    for uid in ids:
        last = request.last[uid]
        if last.keyboard:
            raise RuntimeError(f"user {uid}: check-in not finished, the bot said {last.text!r}")
    check_no_errors(f"check-in on {backend.name}")
    total = Timing()
    for timing in per_step.values():
        total = total + timing
    return Day(
        command,
        total,
        per_step,
        command_statements,
        press_statements,
        sum(request.calls.values()) - command_calls,
        list(request.transcript),
    )


async def run_checkin(
    backend: Backend,
    users: int,
    days: int,
    concurrency: int,
    prepare: Callable[[AnyApp], None] | None = None,
    *,
    warmup: bool = True,
) -> CheckinResult:
    """``users`` fresh users each check in on ``days`` timed days, after a warm-up day
    unless ``warmup`` is False (the process is warm already: engine, compiled SQL)."""
    ids = backend.new_users(users)
    request = NullRequest()
    app = product_app(backend.services, request, concurrency)
    if prepare is not None:
        prepare(app)
    factory = UpdateFactory()
    rng = random.Random(7)
    presses, commands = Rate(len(ids) * len(STEPS)), Rate(len(ids))
    step_cpu = dict.fromkeys(STEPS, 0.0)
    statements_cmd = statements_press = calls = 0
    digest = hashlib.sha256()
    await app.initialize()
    try:
        first = 0 if warmup else 1
        for day in range(first, days + 1):  # day 0 warms up caches and pools
            morning = START + timedelta(days=day)
            result = await checkin_day(app, request, backend, ids, factory, rng, morning)
            if day == 0:
                continue
            presses.timings.append(result.presses)
            commands.timings.append(result.command)
            statements_cmd += result.command_statements
            statements_press += result.press_statements
            calls += result.api_calls
            digest.update("\x00".join(result.texts).encode())
            for step, timing in result.per_step.items():
                step_cpu[step] += timing.cpu
        stored = count_checkins(backend, ids, (START + timedelta(days=days)).date())
        if stored != len(ids):
            raise RuntimeError(f"{backend.name}: {stored} check-ins stored for {len(ids)} users")
    finally:
        await app.shutdown()
    n_presses = len(ids) * len(STEPS) * days
    return CheckinResult(
        presses=presses,
        commands=commands,
        statements_per_press=statements_press / n_presses,
        statements_per_command=statements_cmd / (len(ids) * days),
        api_calls_per_press=calls / n_presses,
        step_cpu_ms={s: 1000 * v / (len(ids) * days) for s, v in step_cpu.items()},
        transcript=digest.hexdigest()[:16],
    )


def count_checkins(backend: Backend, ids: Sequence[int], day: date) -> int:
    with backend.services.store.engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM checkins"
                    " WHERE local_day = :d AND user_id BETWEEN :a AND :b"
                ),
                {"d": day, "a": min(ids), "b": max(ids)},
            ).scalar_one()
        )


# -- backends -------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_backend(workdir: Path) -> Iterator[Backend]:
    url = fresh_sqlite_url(workdir / "throughput.db")
    backend = open_backend("sqlite", url, lambda: None)
    try:
        yield backend
    finally:
        close_backend(backend)


@contextlib.contextmanager
def postgres_backend(admin_url: str) -> Iterator[Backend]:
    url = create_postgres_database(admin_url, prefix="backcoach_tp")

    def drop() -> None:
        drop_postgres_database(admin_url, url)

    try:
        backend = open_backend("postgres", url, drop)
    except BaseException:
        drop()
        raise
    try:
        yield backend
    finally:
        close_backend(backend)


# -- the run ---------------------------------------------------------------------------


@dataclass
class Options:
    users: int
    days: int
    echo_updates: int
    repeat: int
    concurrency: list[int]
    postgres_url: str | None
    profile: bool
    variants: bool
    variant_users: int
    variant_days: int
    pairs: int
    only: list[str]
    profile_variant: str
    workdir: Path


def product_setting() -> dict[str, Any]:
    """What ``build_application`` itself configures (it makes no network call)."""
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(make_settings(f"sqlite:///{tmp}/probe.db"), migrate=False)
        app = build_application(services)
        limiter = app.bot.rate_limiter if hasattr(app.bot, "rate_limiter") else None
        services.store.dispose()
        return {
            "concurrent_updates": app.concurrent_updates,
            "rate_limiter": type(limiter).__name__ if limiter else None,
            "rate_limiter_is_aio": isinstance(limiter, AIORateLimiter),
        }


def ratio(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole else 0.0


async def measure(opts: Options, figures: dict[str, Any]) -> None:
    setting = product_setting()
    figures["product_setting"] = setting
    say(
        f"product: build_application uses concurrent_updates={setting['concurrent_updates']}"
        f" and {setting['rate_limiter']}; measured here WITHOUT the rate limiter"
    )
    echo_rates: dict[str, Rate] = {}
    press_rates: dict[str, Rate] = {}
    figures["echo"], figures["bare_press"] = {}, {}
    for concurrency in opts.concurrency:
        mode = mode_name(concurrency)
        echo = await run_echo(opts.echo_updates, concurrency, opts.repeat, opts.users)
        echo_rates[mode] = echo
        figures["echo"][mode] = echo.figures()
        say(f"echo [{mode}]: {echo.describe()}")
        press = await run_bare_press(opts.echo_updates // 2, concurrency, opts.repeat, opts.users)
        press_rates[mode] = press
        figures["bare_press"][mode] = press.figures()
        ceiling = ratio(press.per_cpu_second, echo.per_cpu_second)
        figures["bare_press"][mode]["ratio_vs_echo_cpu"] = ceiling
        say(f"bare PTB press (answer + send + edit, no turn) [{mode}]: {press.describe()}")
        say(
            f"  => with on_press's 3 Bot API calls and a FREE turn, a press could reach at most"
            f" {ceiling:.2f} of echo (CPU)"
        )
        if mode != mode_name(1):
            continue
        figures["floor"] = {}
        budget = echo.cpu_ms / TARGET_RATIO
        say(
            f"floor of any button reply in PTB, no turn (target {TARGET_RATIO} of echo ="
            f" {budget:.3f} CPU-ms per press in all):"
        )
        for key, what, callback in FLOORS:
            floor = await run_bare_press(
                opts.echo_updates // 2, concurrency, opts.repeat, opts.users, callback
            )
            left = budget - floor.cpu_ms
            of_echo = ratio(floor.per_cpu_second, echo.per_cpu_second)
            figures["floor"][key] = {
                **floor.figures(),
                "ratio_vs_echo_cpu": of_echo,
                "cpu_ms_left_for_the_turn_at_target": round(left, 4),
            }
            say(
                f"  {what}: {floor.cpu_ms:.3f} CPU-ms = {of_echo:.2f} of echo;"
                f" leaves {left:.3f} CPU-ms for store + flow at the target"
            )

    backends: list[tuple[str, Callable[[], AbstractContextManager[Backend]]]] = [
        ("sqlite", lambda: sqlite_backend(opts.workdir))
    ]
    if opts.postgres_url:
        reason = postgres_reachable(opts.postgres_url)
        if reason is None:
            admin = opts.postgres_url
            backends.append(("postgres", lambda: postgres_backend(admin)))
        else:
            say(f"postgres: skipped, {reason}")
    for name, opener in backends:
        entry: dict[str, Any] = {}
        figures[name] = entry
        with opener() as backend:
            for concurrency in opts.concurrency:
                mode = mode_name(concurrency)
                result = await run_checkin(backend, opts.users, opts.days, concurrency)
                echo = echo_rates[mode]
                wall_ratio = ratio(result.presses.per_wall_second, echo.per_wall_second)
                cpu_ratio = ratio(result.presses.per_cpu_second, echo.per_cpu_second)
                vs_press = ratio(result.presses.per_cpu_second, press_rates[mode].per_cpu_second)
                entry[mode] = {
                    "checkin_press": result.presses.figures(),
                    "checkin_command": result.commands.figures(),
                    "ratio_vs_echo_wall": wall_ratio,
                    "ratio_vs_echo_cpu": cpu_ratio,
                    "meets_target_wall": wall_ratio >= TARGET_RATIO,
                    "meets_target_cpu": cpu_ratio >= TARGET_RATIO,
                    "ratio_vs_bare_press_cpu": vs_press,
                    "sql_statements_per_press": round(result.statements_per_press, 2),
                    "sql_statements_per_command": round(result.statements_per_command, 2),
                    "bot_api_calls_per_press": round(result.api_calls_per_press, 2),
                    "cpu_ms_per_press_by_step": {
                        k: round(v, 3) for k, v in result.step_cpu_ms.items()
                    },
                }
                say(f"check-in {name} [{mode}]: {result.describe()}")
                say(
                    f"  ratio check-in press / echo: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}"
                    f" (target >= {TARGET_RATIO}); / bare PTB press: CPU {vs_press:.2f}"
                )
                say(
                    "  CPU-ms per press by step: "
                    + ", ".join(f"{k} {v:.2f}" for k, v in result.step_cpu_ms.items())
                )
            least = store_floor(backend.services.store.engine, backend.new_users(50), 2000)
            entry["store_floor_cpu_ms"] = least
            say(
                f"  floor of a minimal turn on {name} (read user + state, write state, commit):"
                + ",".join(f" {what} {least[key]:.3f} CPU-ms" for key, what, _ in WAYS)
            )
            sequential_echo = echo_rates.get(mode_name(1))
            if sequential_echo is not None:  # measured against sequential echo, like the floors
                await measure_leanest_press(opts, name, backend, sequential_echo, entry)
            if opts.variants:
                from bench.throughput_variants import run_variants

                figures.setdefault("variants", {})[name] = await run_variants(
                    backend,
                    opts.variant_users,
                    opts.variant_days,
                    run_checkin,
                    say,
                    opts.pairs,
                    opts.only,
                )
    if opts.profile:
        from bench.throughput_profile import profile_checkin

        with sqlite_backend(opts.workdir / "profile") as backend:
            figures["profile"] = await profile_checkin(
                backend, opts.users, max(opts.days, 3), run_checkin, say, opts.profile_variant
            )
    figures["loadavg_end"] = os.getloadavg()[0]


async def measure_leanest_press(
    opts: Options, name: str, backend: Backend, echo: Rate, entry: dict[str, Any]
) -> None:
    """The leanest press DESIGN allows (:func:`leanest_press`), against sequential echo."""
    lean_users = backend.new_users(50)
    prepare(backend.services.store.engine, lean_users)
    lean = await run_bare_press(
        opts.echo_updates // 2,
        1,
        opts.repeat,
        opts.users,
        leanest_press(backend.services.store.engine, lean_users),
    )
    lean_ratio = ratio(lean.per_cpu_second, echo.per_cpu_second)
    entry["leanest_press"] = {**lean.figures(), "ratio_vs_echo_cpu": lean_ratio}
    say(
        f"  leanest press DESIGN allows on {name} (raw answer + Core minimal turn in a"
        f" thread + raw edit; no flow, no texts) [sequential]: {lean.cpu_ms:.3f} CPU-ms"
        f" = {lean_ratio:.2f} of echo (target {TARGET_RATIO})"
    )


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=200, help="users per check-in run")
    parser.add_argument("--days", type=int, default=3, help="timed check-in days per run")
    parser.add_argument("--echo-updates", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3, help="echo runs (median kept)")
    parser.add_argument(
        "--concurrency",
        default=f"1,{CONCURRENT}",
        help="comma-separated concurrent_updates values (1 = sequential, the product's)",
    )
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--profile", action="store_true", help="py-spy + pyinstrument")
    parser.add_argument("--variants", action="store_true", help="measure proposed changes")
    parser.add_argument("--variant-users", type=int, default=120)
    parser.add_argument("--variant-days", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=3, help="baseline/variant pairs")
    parser.add_argument("--only", default="", help="comma-separated variant keys to measure")
    parser.add_argument(
        "--profile-variant", default="", help="profile with this variant patched in"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.days, args.echo_updates, args.repeat = 60, 1, 1000, 1
        args.variant_users, args.variant_days, args.pairs = 40, 1, 1
    workdir = Path(tempfile.mkdtemp(prefix="backcoach_throughput_"))
    return Options(
        users=args.users,
        days=args.days,
        echo_updates=args.echo_updates,
        repeat=args.repeat,
        concurrency=[int(c) for c in args.concurrency.split(",") if c.strip()],
        postgres_url=None if args.no_postgres else args.postgres_url,
        profile=args.profile,
        variants=args.variants,
        variant_users=args.variant_users,
        variant_days=args.variant_days,
        pairs=args.pairs,
        only=[key.strip() for key in args.only.split(",") if key.strip()],
        profile_variant=args.profile_variant,
        workdir=workdir,
    )


def setup_logging() -> None:
    """As production (``configure_logging`` at INFO), written nowhere, errors counted."""
    configure_logging("INFO", TEST_TOKEN)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(_Discard())
    root.addHandler(ERRORS)


class _Discard(io.TextIOBase):
    def write(self, s: str) -> int:
        return len(s)


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    setup_logging()
    figures: dict[str, Any] = {
        "python": sys.version.split()[0],
        "users": opts.users,
        "days": opts.days,
        "rate_limiter": "none (AIORateLimiter removed on purpose: it caps at 30/s)",
        "target_ratio": TARGET_RATIO,
        "cpus": os.cpu_count(),
        "loadavg_start": os.getloadavg()[0],
    }
    say(
        f"throughput: {opts.users} users x {len(STEPS)} presses x {opts.days} days "
        f"(+1 warm-up day); echo {opts.echo_updates} updates x {opts.repeat}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work on this "
        "machine slows wall time: compare CPU time)"
    )
    try:
        asyncio.run(measure(opts, figures))
    finally:
        shutil.rmtree(opts.workdir, ignore_errors=True)
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
