"""Proposed changes, measured: ``python -m bench.throughput --variants``.

Each variant is patched into THIS process only (classes and the backend's wiring are
restored afterwards; no product file changes) and measured against a baseline run made
just before it, with fresh users, the same seeded history and the same presses, so the
bot must answer the very same words (the transcript digests are compared). Figures are
CPU milliseconds per press (all threads), which other load on the machine disturbs
least, plus wall presses/s.
"""

from __future__ import annotations

import asyncio
import statistics
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot.conversation import Outgoing
from bot.telegram_app import _incoming, _services, keyboard, send_attachment, send_replies

Say = Callable[[str], None]
AnyApp = Any
Prepare = Callable[[AnyApp], None] | None
Patch = Callable[[Any], AbstractContextManager[Prepare]]
RunCheckin = Callable[..., Awaitable[Any]]


# The database variants measured first (history loaded lazily, the check-in history in
# one column query, the state row selected once, last-seen written hourly) are now part
# of the product, so they are the baseline here and no longer copied in as patches.


# -- 5. PostgreSQL: no pool pre-ping ----------------------------------------------------


@contextmanager
def no_pre_ping(backend: Any) -> Iterator[Prepare]:
    pool: Any = backend.services.store.engine.pool
    original = pool._pre_ping
    pool._pre_ping = False
    try:
        yield None
    finally:
        pool._pre_ping = original


# -- 6. two Bot API calls per press instead of three ------------------------------------


async def on_press_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``on_press`` that turns the pressed message into the next question
    (editMessageText with the new keyboard) instead of sending a new message and then
    removing the old keyboard: answerCallbackQuery + editMessageText, 2 calls not 3."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE or not isinstance(query.data, str):
        await query.answer()
        return
    await query.answer()
    services = _services(context)
    incoming = _incoming(update, kind="press", callback=query.data)
    result = await asyncio.to_thread(services.conversations.handle, incoming)
    replies = result.replies
    if replies and replies[0].attachment is None:
        await query.edit_message_text(replies[0].text, reply_markup=keyboard(replies[0]))
        rest = replies[1:]
    else:
        await query.edit_message_reply_markup(reply_markup=None)
        rest = replies
    await send_replies(context, message.chat.id, rest)


@contextmanager
def edit_in_place(_backend: Any) -> Iterator[Prepare]:
    def prepare(app: AnyApp) -> None:
        for handlers in app.handlers.values():
            for handler in handlers:
                if isinstance(handler, CallbackQueryHandler):
                    handler.callback = on_press_edit

    yield prepare


# -- 6b. Bot API calls without building or parsing PTB objects ------------------------


def _raw_markup(reply: Outgoing) -> dict[str, Any] | None:
    if not reply.buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": b.label, "callback_data": b.data} for b in row] for row in reply.buttons
        ]
    }


async def on_press_raw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``on_press`` with the same three calls sent through ``Bot.do_api_request`` with
    ``return_type=None``: the keyboard is a plain dict (no InlineKeyboardButton objects)
    and the returned Message JSON is not parsed into PTB objects (we never read it)."""
    query = update.callback_query
    assert query is not None
    bot = context.bot
    message = query.message
    await bot.do_api_request("answerCallbackQuery", {"callback_query_id": query.id})
    if message is None or message.chat.type != ChatType.PRIVATE or not isinstance(query.data, str):
        return
    services = _services(context)
    incoming = _incoming(update, kind="press", callback=query.data)
    result = await asyncio.to_thread(services.conversations.handle, incoming)
    chat_id = message.chat.id
    for reply in result.replies:
        kwargs: dict[str, Any] = {"chat_id": chat_id, "text": reply.text}
        markup = _raw_markup(reply)
        if markup is not None:
            kwargs["reply_markup"] = markup
        await bot.do_api_request("sendMessage", kwargs)
        if reply.attachment is not None:
            await send_attachment(bot, chat_id, reply.attachment)
    with suppress(BadRequest):
        await bot.do_api_request(
            "editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message.message_id}
        )


@contextmanager
def raw_bot_calls(_backend: Any) -> Iterator[Prepare]:
    def prepare(app: AnyApp) -> None:
        for handlers in app.handlers.values():
            for handler in handlers:
                if isinstance(handler, CallbackQueryHandler):
                    handler.callback = on_press_raw

    with warnings.catch_warnings():
        # do_api_request warns that Bot.send_message exists; that is the point here.
        warnings.filterwarnings("ignore", message="Please use 'Bot.")
        yield prepare


# -- 7. (information) the turn inline, no thread hop ------------------------------------


@contextmanager
def inline_turn(_backend: Any) -> Iterator[Prepare]:
    from bench.throughput_profile import inline_to_thread

    with inline_to_thread():
        yield None


# -- 8. one dedicated database thread instead of asyncio's default pool ----------------


@contextmanager
def db_thread(_backend: Any) -> Iterator[Prepare]:
    """``asyncio.to_thread`` replaced by a single long-lived worker thread: the turn
    always runs on the same thread (warm caches, one SQLite connection in use)."""
    from concurrent.futures import ThreadPoolExecutor

    original = asyncio.to_thread
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")

    async def on_db_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, lambda: func(*args, **kwargs))

    asyncio.to_thread = on_db_thread
    try:
        yield None
    finally:
        asyncio.to_thread = original
        pool.shutdown()


# -- the variants ------------------------------------------------------------------------


def combine(*patches: Patch) -> Patch:
    @contextmanager
    def patch(backend: Any) -> Iterator[Prepare]:
        with ExitStack() as stack:
            prepares = [stack.enter_context(p(backend)) for p in patches]

            def prepare(app: AnyApp) -> None:
                for item in prepares:
                    if item is not None:
                        item(app)

            yield prepare

    return patch


@dataclass(frozen=True)
class Variant:
    key: str
    what: str
    patch: Patch
    backends: tuple[str, ...] = ("sqlite", "postgres")
    same_words: bool = True
    """Whether the bot must send exactly the baseline's texts."""


VARIANTS: list[Variant] = [
    Variant("no_pre_ping", "pool_pre_ping=False (PostgreSQL)", no_pre_ping, ("postgres",)),
    Variant("edit_in_place", "2 Bot API calls per press (edit question in place)", edit_in_place),
    Variant(
        "raw_bot_calls",
        "same 3 calls via do_api_request: dict keyboard, result not parsed",
        raw_bot_calls,
    ),
    Variant("inline_turn", "(info) turn run inline, no asyncio.to_thread", inline_turn),
    Variant("db_thread", "one dedicated database thread instead of to_thread", db_thread),
]


def _median(values: list[float]) -> float:
    return statistics.median(values)


async def run_variants(
    backend: Any,
    users: int,
    days: int,
    run_checkin: RunCheckin,
    say: Say,
    pairs: int = 3,
    only: list[str] | None = None,
) -> dict[str, Any]:
    """Each variant against baseline runs interleaved with it (B V B V ...; sequential,
    the product's setting); the saving is the median of the paired savings."""
    say("")
    say(
        f"== variants on {backend.name}: sequential, {users} users x {days} day(s) per run, "
        f"{pairs} baseline/variant pairs interleaved; CPU-ms per press, median"
    )
    figures: dict[str, Any] = {}
    for variant in VARIANTS:
        if backend.name not in variant.backends or (only and variant.key not in only):
            continue
        patch = variant.patch
        bases, news = [], []
        for _ in range(pairs):
            bases.append(await run_checkin(backend, users, days, 1, warmup=False))
            with patch(backend) as prepare:
                news.append(await run_checkin(backend, users, days, 1, prepare, warmup=False))
        same = all(b.transcript == n.transcript for b, n in zip(bases, news, strict=True))
        words_kept = variant.key != "edit_in_place"
        verdict = (
            ("same replies" if same else "DIFFERENT REPLIES")
            if words_kept
            else ("same texts" if same else "texts differ")
        )
        base_ms = _median([b.presses.cpu_ms for b in bases])
        new_ms = _median([n.presses.cpu_ms for n in news])
        saving = _median(
            [1 - n.presses.cpu_ms / b.presses.cpu_ms for b, n in zip(bases, news, strict=True)]
        )
        base_wall = _median([b.presses.per_wall_second for b in bases])
        new_wall = _median([n.presses.per_wall_second for n in news])
        figures[variant.key] = {
            "what": variant.what,
            "base_cpu_ms_per_press": round(base_ms, 3),
            "cpu_ms_per_press": round(new_ms, 3),
            "cpu_saving_pct": round(100 * saving, 1),
            "cpu_saving_pct_runs": [
                round(100 * (1 - n.presses.cpu_ms / b.presses.cpu_ms), 1)
                for b, n in zip(bases, news, strict=True)
            ],
            "base_presses_per_s": round(base_wall, 1),
            "presses_per_s": round(new_wall, 1),
            "base_sql_statements_per_press": round(bases[0].statements_per_press, 2),
            "sql_statements_per_press": round(news[0].statements_per_press, 2),
            "bot_api_calls_per_press": round(news[0].api_calls_per_press, 2),
            "same_replies": same,
        }
        runs = ", ".join(f"{v:+.0f}" for v in figures[variant.key]["cpu_saving_pct_runs"])
        say(
            f"{variant.key:<18} {base_ms:6.3f} -> {new_ms:6.3f} CPU-ms/press, saving "
            f"{100 * saving:+5.1f}% (pairs {runs}); {base_wall:4.0f} -> {new_wall:4.0f} "
            f"presses/s wall; SQL/press {bases[0].statements_per_press:.1f} -> "
            f"{news[0].statements_per_press:.1f}; API/press {news[0].api_calls_per_press:.1f};"
            f" {verdict}"
        )
        say(f"{'':<18} [{variant.what}]")
    return figures
