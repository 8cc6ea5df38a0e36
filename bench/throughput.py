"""The check-in through the real PTB ``Application`` (docs/ARCHITECTURE.md, section 9),
every Bot API call answered in-process: CPU per press among ``bench.summary``'s data
(10,000 users x a year) against 100 users with no history (``flat_ratio``, target <= 1.2)
and against bare PTB making the same calls (``vs_bare_press``, target >= 0.29 SQLite,
>= 0.20 PostgreSQL); ``sends_per_step``, paced calls per press (goal 1). The first day
warms up. ``python -m bench.throughput [--quick]``, ~6 minutes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from logging.handlers import BufferingHandler
from typing import Any

from sqlalchemy import event
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

import bench.common as c
from bench.seed import seed_users, seed_year, user_ids
from bench.throughput_fakes import JsonDict, NullRequest, Sent, UpdateFactory
from bot.clock import ManualClock
from bot.logsafe import configure_logging
from bot.services import Services, build_services
from bot.telegram_app import application_builder, wire
from flows.exercises.library import load_library
from flows.i18n import default_catalogue

AnyApp = Application[Any, Any, Any, Any, Any, Any]
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
"""Noon UTC: the same local calendar day in every seeded zone (Brussels to Tokyo)."""
STEPS = ("pain", "stress", "sleep", "moved", "note")
PRESS_VALUES: dict[str, Callable[[random.Random], str]] = {
    "pain": lambda rng: str(rng.randrange(11)),
    "stress": lambda rng: str(rng.randrange(11)),
    "sleep": lambda rng: rng.choice(("good", "soso", "bad")),
    "moved": lambda rng: rng.choice(("yes", "little", "no")),
    "note": lambda _rng: "skip",
}
SECONDS_PER_TAP = 8  # the clock's move between two rounds of presses, as for a real user
FLAT_TARGET = 1.2
BARE_TARGETS = {"sqlite": 0.29, "postgres": 0.20}


@dataclass
class Rate:
    """CPU seconds (all threads) of batches of ``count`` updates; the median per update."""

    count: int
    timings: list[float] = field(default_factory=list)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(1000 * cpu / self.count for cpu in self.timings)


async def feed(app: AnyApp, updates: Sequence[JsonDict]) -> float:
    """The CPU seconds of ``updates`` processed one by one, decoded from JSON inside the
    timed region, as PTB's Updater does."""
    cpu = time.process_time()
    for data in updates:
        await app.process_update(Update.de_json(data, app.bot))
    return time.process_time() - cpu


ERRORS = BufferingHandler(capacity=10**9)  # a failed update is logged at ERROR, kept here
ERRORS.setLevel(logging.ERROR)


def check_no_errors(what: str) -> None:
    if failed := ERRORS.buffer:
        first = failed[0].getMessage()[:500]
        raise RuntimeError(f"{what}: {len(failed)} update(s) failed; first: {first}")


@dataclass
class Population:
    """One database and the users of it who check in."""

    name: str
    services: Services
    clock: ManualClock
    ids: list[int]
    request: NullRequest = field(default_factory=NullRequest)
    factory: UpdateFactory = field(default_factory=UpdateFactory)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    calls: Counter[str] = field(default_factory=Counter)  # of the timed days' presses
    statements: int = 0
    press_statements: int = 0
    presses: Rate = field(init=False)

    def __post_init__(self) -> None:
        self.presses = Rate(len(self.ids) * len(STEPS))
        event.listen(self.services.store.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def application(self) -> AnyApp:
        """``build_application``'s, minus the rate limiter, plus the null request."""
        builder = application_builder(self.services).request(self.request)
        return wire(builder.get_updates_request(NullRequest()).build(), self.services)

    def per_press(self, count: float) -> float:
        return count / (self.presses.count * len(self.presses.timings))


def pick(sent: Sent | None, value: str, user_id: int, step: str) -> str:
    """The callback data of the button for ``value`` in the bot's last message."""
    if sent is not None:
        for data in sent.callback_data():
            if data.endswith(f"|{value}"):
                return data
    shown = sent.text[:200] if sent else "nothing"
    raise RuntimeError(f"user {user_id} at {step}: no {value!r} button; the bot sent {shown!r}")


async def checkin_day(app: AnyApp, people: Population, day: int, timed: bool) -> Counter[str]:
    """Everyone opens /checkin, then presses five times (one round per step); returns
    the Bot API calls of the presses."""
    morning = START + timedelta(days=day)
    request = people.request
    request.reset()
    people.clock.set(morning)
    await feed(app, [people.factory.text(uid, "/checkin") for uid in people.ids])
    statements, command_calls = people.statements, request.calls.copy()
    presses = 0.0
    for index, step in enumerate(STEPS, start=1):
        people.clock.set(morning + timedelta(seconds=SECONDS_PER_TAP * index))
        updates = []
        for uid in people.ids:
            sent = request.last.get(uid)
            data = pick(sent, PRESS_VALUES[step](people.rng), uid, step)
            assert sent is not None
            updates.append(people.factory.press(uid, sent, data))
        presses += await feed(app, updates)
    # Finished: no question of the flow is left on screen (the result may still offer
    # an exercise, as a command button).
    unfinished = [uid for uid in people.ids if request.last[uid].flow_buttons()]
    if unfinished:
        last = request.last[unfinished[0]].text
        raise RuntimeError(f"{people.name}: {len(unfinished)} check-ins unfinished: {last!r}")
    check_no_errors(f"check-in, {people.name}")
    calls = request.calls - command_calls
    if timed:
        people.presses.timings.append(presses)
        people.press_statements += people.statements - statements
        people.calls.update(calls)
    return calls


SCORES = ([str(n) for n in range(6)], [str(n) for n in range(6, 11)])
BARE_KEYBOARD = [[{"text": v, "callback_data": f"f|abcd1234|{v}"} for v in row] for row in SCORES]
QUESTION = "How is your back pain right now?"
BARE_CALLS = ("answerCallbackQuery", "sendMessage", "editMessageText", "editMessageReplyMarkup")

PressCallback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def bare_press(calls: Counter[str]) -> PressCallback:
    """A handler that makes ``calls`` Bot API calls, in ``on_press``'s order, with no
    turn: what PTB alone costs a press on the wire."""
    unknown = set(calls) - set(BARE_CALLS)
    if unknown:
        raise RuntimeError(f"the bare press cannot make {sorted(unknown)} yet")
    markup = InlineKeyboardMarkup.de_json({"inline_keyboard": BARE_KEYBOARD}, None)

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        for _ in range(calls["answerCallbackQuery"]):
            await query.answer()
        for _ in range(calls["sendMessage"]):
            await context.bot.send_message(query.message.chat.id, QUESTION, reply_markup=markup)
        for _ in range(calls["editMessageText"]):
            await query.edit_message_text(QUESTION, reply_markup=markup)
        for _ in range(calls["editMessageReplyMarkup"]):
            await query.edit_message_reply_markup(reply_markup=None)

    return press


def bare_application(calls: Counter[str]) -> AnyApp:
    app = Application.builder().token(c.TEST_TOKEN).request(NullRequest())
    built = app.get_updates_request(NullRequest()).build()
    built.add_handler(CallbackQueryHandler(bare_press(calls)))
    return built


def bare_presses(ids: Sequence[int], count: int) -> list[JsonDict]:
    """``count`` presses on a question with the 11 score buttons, as Telegram sends them."""
    factory, sent = UpdateFactory(), Sent(7, QUESTION, BARE_KEYBOARD)
    return [factory.press(ids[i % len(ids)], sent, "f|abcd1234|5") for i in range(count)]


def population(db: str, url: str, opts: argparse.Namespace, large: bool) -> Population:
    """``opts.pressing`` users who check in, alone in the database with consent and
    nothing else, or (``large``) among ``bench.summary``'s data up to yesterday."""
    clock = ManualClock(START)
    services = build_services(c.make_settings(url, log_level="INFO"), clock)
    engine = services.store.engine
    if not large:
        ids = list(user_ids(opts.pressing))
        seed_users(engine, ids, START)
        c.analyze(engine)
        return Population(f"{db}, {opts.pressing} users, no history", services, clock, ids)
    name = f"{db}, {opts.users:,} users x {opts.history_days} days"
    c.say(f"[{name}] seeding")
    exercises = list(load_library(default_catalogue().translator("en")))
    seed_year(engine, opts.users, START - timedelta(days=1), exercises, days=opts.history_days)
    c.analyze(engine)
    pressing = sorted(random.Random(11).sample(list(user_ids(opts.users)), opts.pressing))
    return Population(name, services, clock, pressing)


async def measure(
    db: str, small_url: str, large_url: str, opts: argparse.Namespace
) -> dict[str, Any]:
    small, large = population(db, small_url, opts, False), population(db, large_url, opts, True)
    bare = Rate(small.presses.count)
    small_app, large_app = small.application(), large.application()
    try:
        async with small_app, large_app:
            # Day 0 warms up caches and pools, and tells which calls a press makes.
            await checkin_day(small_app, small, 0, timed=False)
            day0 = await checkin_day(large_app, large, 0, False)
            calls = +Counter({name: round(n / large.presses.count) for name, n in day0.items()})
            async with bare_application(calls) as bare_app:
                await feed(bare_app, bare_presses(small.ids, 300))
                for day in range(1, opts.days + 1):
                    await checkin_day(small_app, small, day, timed=True)
                    await checkin_day(large_app, large, day, timed=True)
                    bare.timings.append(await feed(bare_app, bare_presses(small.ids, bare.count)))
                    check_no_errors("bare press")
    finally:
        small.services.store.dispose()
        large.services.store.dispose()
    return report(db, small, large, bare, calls)


def report(
    db: str, small: Population, large: Population, bare: Rate, calls: Counter[str]
) -> dict[str, Any]:
    flat = large.presses.cpu_ms / small.presses.cpu_ms
    vs_bare = bare.cpu_ms / large.presses.cpu_ms
    paced = [n for name, n in large.calls.items() if name.startswith(("send", "edit"))]
    sends = sum(paced) - large.calls["sendChatAction"]  # sends and edits: each paced
    sends_per_step = large.per_press(sends)
    c.say(
        f"[{db}] CPU per press: {small.presses.cpu_ms:.3f} ms small, "
        f"{large.presses.cpu_ms:.3f} ms large ({flat:.2f}x, target <= {FLAT_TARGET}), "
        f"{bare.cpu_ms:.3f} ms bare ({vs_bare:.2f}, target >= {BARE_TARGETS[db]}); "
        f"sends per step {sends_per_step:.2f} (goal 1)"
    )
    return {
        f"flat_ratio_{db}": round(flat, 3),
        f"vs_bare_press_{db}": round(vs_bare, 3),
        f"{db}_detail": {
            "sends_per_step": round(sends_per_step, 3),
            "press_cpu_ms_small": round(small.presses.cpu_ms, 4),
            "press_cpu_ms_large": round(large.presses.cpu_ms, 4),
            "bare_press_cpu_ms": round(bare.cpu_ms, 4),
            "bot_api_calls_per_press": dict(calls),
            "sql_statements_per_press_large": round(large.per_press(large.press_statements), 2),
        },
    }


def setup_logging() -> None:
    """As production (``configure_logging`` at INFO), written nowhere, errors counted."""
    configure_logging("INFO", c.TEST_TOKEN)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open for the run)
    root.addHandler(ERRORS)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--users", type=int, help="large data users (10,000)")
    parser.add_argument("--history-days", type=int, help="their history (365)")
    parser.add_argument("--pressing", type=int, default=100, help="users who check in (100)")
    parser.add_argument("--days", type=int, help="timed check-in days (4)")
    c.options(parser, "1,000 users x 60 days, 2 days")
    sizes = {"users": (1_000, 10_000), "days": (2, 4), "history_days": (60, 365)}
    opts = c.sized(parser.parse_args(argv), **sizes)
    setup_logging()
    postgres = c.postgres_of(opts)
    with c.bench_run("bench.throughput", opts.workdir, opts.keep) as (workdir, figures):
        c.say(f"{opts.pressing} users check in on {opts.days} days (+1 warm-up day)")
        for db in c.databases(postgres):
            with (
                c.database(db, workdir, "throughput-small", postgres) as small_url,
                c.database(db, workdir, "throughput-large", postgres) as large_url,
            ):
                figures.update(asyncio.run(measure(db, small_url, large_url, opts)))
        # The bot's calls, whatever the database: counted on SQLite.
        figures["sends_per_step"] = figures["sqlite_detail"]["sends_per_step"]


if __name__ == "__main__":
    main()
