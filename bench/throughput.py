"""The check-in through the real PTB ``Application``: is a press's cost flat in users and
history, and how does it compare with a bare PTB press making the same Bot API calls?

Run by hand: ``python -m bench.throughput [--quick]`` (10,000 users x a year; ~6 minutes).
Every Bot API call is answered in-process (:class:`bench.throughput_fakes.NullRequest`),
so only our code and PTB are measured; the Application is ``build_application``'s builder
and handlers without the rate limiter, processing updates one by one as the product does.
On SQLite and PostgreSQL, day by day (the first day warms up), 100 users open /checkin
and press their way through it with the callback data the bot really sent:

- **small**: 100 users with no history, alone in their database;
- **large**: ``bench.summary``'s data (10,000 users with a year of history); 100 of them;
- **bare press**: bare PTB, one handler making the Bot API calls a check-in press made.

Figures are CPU time (all threads): ``flat_ratio`` large / small (target <= 1.2);
``vs_bare_press`` bare / large (target >= 0.29 SQLite, >= 0.20 PostgreSQL);
``sends_per_step``, calls that send or edit a message per press (each paced; goal 1).
"""

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
from typing import Any

from sqlalchemy import event
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from bench.common import (
    TEST_TOKEN,
    analyze,
    bench_run,
    database,
    databases,
    make_settings,
    options,
    postgres_of,
    say,
)
from bench.seed import History, seed_users, seed_year, user_ids
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
SECONDS_PER_TAP = 8
"""The clock moves this much between two rounds of presses, as it would for a real user."""
FLAT_TARGET = 1.2
BARE_TARGETS = {"sqlite": 0.29, "postgres": 0.20}


# -- timing ----------------------------------------------------------------------------


@dataclass
class Rate:
    """CPU seconds (all threads) of batches of ``count`` updates each; the figure is the
    median over batches."""

    count: int
    timings: list[float] = field(default_factory=list)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(1000 * cpu / self.count for cpu in self.timings)


async def feed(app: AnyApp, updates: Sequence[JsonDict]) -> float:
    """Process ``updates`` one by one as PTB's update fetcher does; the CPU seconds (the
    JSON is turned into ``Update`` objects inside the timed region, as the Updater does)."""
    cpu = time.process_time()
    for data in updates:
        await app.process_update(Update.de_json(data, app.bot))
    return time.process_time() - cpu


class ErrorCounter(logging.Handler):
    """Counts ERROR records: a failed update is logged by PTB or our error handler."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.first = self.first or record.getMessage()[:500]


ERRORS = ErrorCounter()


def check_no_errors(what: str) -> None:
    if ERRORS.count:
        raise RuntimeError(f"{what}: {ERRORS.count} update(s) failed; first: {ERRORS.first}")


# -- the check-in ----------------------------------------------------------------------


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
    calls: Counter[str] = field(default_factory=Counter)
    """Bot API calls of the presses on the timed days."""
    statements: int = 0
    press_statements: int = 0
    presses: Rate = field(init=False)

    def __post_init__(self) -> None:
        self.presses = Rate(len(self.ids) * len(STEPS))
        event.listen(self.services.store.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.statements += 1

    def application(self) -> AnyApp:
        """``build_application``'s builder and handlers, minus the rate limiter, plus
        the null request."""
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


# -- bare PTB --------------------------------------------------------------------------

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
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in BARE_KEYBOARD
        ]
    )

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
    app = Application.builder().token(TEST_TOKEN).request(NullRequest())
    built = app.get_updates_request(NullRequest()).build()
    built.add_handler(CallbackQueryHandler(bare_press(calls)))
    return built


def bare_presses(ids: Sequence[int], count: int) -> list[JsonDict]:
    """``count`` presses on a question with the 11 score buttons, as Telegram sends them."""
    factory, sent = UpdateFactory(), Sent(7, QUESTION, BARE_KEYBOARD)
    return [factory.press(ids[i % len(ids)], sent, "f|abcd1234|5") for i in range(count)]


def sends_or_edits(method: str) -> bool:
    """Whether a Bot API method sends or edits a message (each is paced at 30/s)."""
    return method.startswith(("send", "edit")) and method != "sendChatAction"


def rounded(calls: Counter[str], presses: int) -> Counter[str]:
    """The Bot API calls of one press, on average, rounded."""
    return +Counter({name: round(count / presses) for name, count in calls.items()})


# -- one database ----------------------------------------------------------------------


def small_population(db: str, url: str, opts: argparse.Namespace) -> Population:
    """``opts.pressing`` users with consent and nothing else, alone in the database."""
    clock = ManualClock(START)
    services = build_services(make_settings(url, log_level="INFO"), clock)
    ids = list(user_ids(opts.pressing))
    seed_users(services.store.engine, ids, START)
    analyze(services.store.engine)
    return Population(f"{db}, {opts.pressing} users, no history", services, clock, ids)


def large_population(db: str, url: str, opts: argparse.Namespace) -> Population:
    """``bench.summary``'s data up to yesterday; ``opts.pressing`` of its users check in."""
    name = f"{db}, {opts.users:,} users x {opts.history_days} days"
    say(f"[{name}] seeding")
    clock = ManualClock(START)
    services = build_services(make_settings(url, log_level="INFO"), clock)
    exercises = list(load_library(default_catalogue().translator("en")))
    history = History(days=opts.history_days)
    engine = services.store.engine
    seed_year(engine, opts.users, START - timedelta(days=1), exercises, history)
    analyze(engine)
    pressing = sorted(random.Random(11).sample(list(user_ids(opts.users)), opts.pressing))
    return Population(name, services, clock, pressing)


async def measure(
    db: str, small_url: str, large_url: str, opts: argparse.Namespace
) -> dict[str, Any]:
    small = small_population(db, small_url, opts)
    large = large_population(db, large_url, opts)
    bare = Rate(small.presses.count)
    small_app, large_app = small.application(), large.application()
    try:
        async with small_app, large_app:
            # Day 0 warms up caches and pools, and tells which calls a press makes.
            await checkin_day(small_app, small, 0, timed=False)
            calls = rounded(await checkin_day(large_app, large, 0, False), large.presses.count)
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
    sends = sum(n for name, n in large.calls.items() if sends_or_edits(name))
    sends_per_step = large.per_press(sends)
    say(
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


# -- the run ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--users", type=int, default=None, help="large data users (10,000)")
    parser.add_argument("--history-days", type=int, default=None, help="their history (365)")
    parser.add_argument("--pressing", type=int, default=100, help="users who check in (100)")
    parser.add_argument("--days", type=int, default=None, help="timed check-in days (4)")
    options(parser, "1,000 users x 60 days, 2 days")
    args = parser.parse_args(argv)
    args.users = args.users or (1_000 if args.quick else 10_000)
    args.days = args.days or (2 if args.quick else 4)
    args.history_days = args.history_days or (60 if args.quick else 365)
    return args


def setup_logging() -> None:
    """As production (``configure_logging`` at INFO), written nowhere, errors counted."""
    configure_logging("INFO", TEST_TOKEN)
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open for the run)
    root.addHandler(ERRORS)


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    setup_logging()
    postgres = postgres_of(opts)
    with bench_run("bench.throughput", opts.workdir, opts.keep) as (workdir, figures):
        say(f"{opts.pressing} users check in on {opts.days} days (+1 warm-up day)")
        for db in databases(postgres):
            with (
                database(db, workdir, "throughput-small", postgres) as small_url,
                database(db, workdir, "throughput-large", postgres) as large_url,
            ):
                figures.update(asyncio.run(measure(db, small_url, large_url, opts)))
        # The bot's calls, whatever the database: counted on SQLite.
        figures["sends_per_step"] = figures["sqlite_detail"]["sends_per_step"]


if __name__ == "__main__":
    main()
