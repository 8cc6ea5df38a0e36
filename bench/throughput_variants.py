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
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import conversation
from bot.conversation import Outgoing
from bot.features.common import today
from bot.telegram_app import _incoming, _services, keyboard, send_attachment, send_replies
from data.engine import is_sqlite
from data.models import CheckIn, ConversationState, User
from data.store import SavedState, Store, Turn
from flows.runtime import Context, Flow

Say = Callable[[str], None]
AnyApp = Any
Prepare = Callable[[AnyApp], None] | None
Patch = Callable[[Any], AbstractContextManager[Prepare]]
RunCheckin = Callable[..., Awaitable[Any]]


# -- 1. history only when the flow reads it --------------------------------------------


class LazyHistory(Mapping[str, Any]):
    """``ctx.history`` that runs the feature's loader on first read, not on every turn.

    The check-in reads history when it starts and when it finishes (feedback, streak),
    never for the pain/stress/sleep/moved answers in between.
    """

    def __init__(
        self,
        first: dict[str, Any],
        load: Callable[[], Mapping[str, Any]] | None,
        extra: Mapping[str, Any] | None,
    ) -> None:
        self._first = first
        self._load = load
        self._extra = extra
        self._data: dict[str, Any] | None = None

    def _loaded(self) -> dict[str, Any]:
        if self._data is None:
            data = dict(self._first)
            if self._load is not None:
                data.update(self._load())
            if self._extra:
                data.update(self._extra)
            self._data = data
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


@contextmanager
def lazy_history(_backend: Any) -> Iterator[Prepare]:
    cls: Any = conversation._TurnSession
    original = cls._context

    def _context(self: Any, flow: Flow, extra: Mapping[str, Any] | None = None) -> Context:
        loader = self.wiring.history.get(flow.name)
        tx = self.tx
        load = (lambda: loader(tx)) if loader is not None else None
        first = {"first_name": self.incoming.first_name or ""}
        return Context(self.t, tx.now, self.user.timezone, LazyHistory(first, load, extra))

    cls._context = _context
    try:
        yield None
    finally:
        cls._context = original


# -- 2. the check-in history in one query of plain columns ----------------------------

_CHECKIN_COLUMNS = (
    col(CheckIn.local_day),
    col(CheckIn.pain),
    col(CheckIn.stress),
    col(CheckIn.sleep),
    col(CheckIn.moved),
    col(CheckIn.note),
)


def one_query_history(tx: Turn) -> dict[str, Any]:
    """``bot.features.checkin.history`` as ONE query (today and the 30 days before) of
    plain columns, no ORM objects: the same three keys, the same dicts."""
    day = today(tx)
    session: Session = tx._session
    rows = session.execute(
        sa_select(*_CHECKIN_COLUMNS)
        .where(
            col(CheckIn.user_id) == tx._user.id,
            col(CheckIn.local_day) >= day - timedelta(days=30),
            col(CheckIn.local_day) <= day,
        )
        .order_by(col(CheckIn.local_day))
    ).all()
    by_day: dict[date, dict[str, Any]] = {
        row[0]: {
            "local_day": row[0].isoformat(),
            "pain": row[1],
            "stress": row[2],
            "sleep": row[3],
            "moved": row[4],
            "note": row[5],
        }
        for row in rows
    }
    todays = by_day.pop(day, None)
    return {
        "today_checkin": todays,
        "yesterday_checkin": by_day.get(day - timedelta(days=1)),
        "recent": list(by_day.values()),
    }


@contextmanager
def one_query(backend: Any) -> Iterator[Prepare]:
    history = backend.services.conversations.wiring.history
    original = history["checkin"]
    history["checkin"] = one_query_history
    try:
        yield None
    finally:
        history["checkin"] = original


# -- 2b. keep the state row alive for the turn ---------------------------------------


@contextmanager
def keep_state_row(_backend: Any) -> Iterator[Prepare]:
    """``Turn.state`` keeps a reference to the row it read. Today the row is dropped
    at once, the Session's identity map holds it only weakly, so ``save_state``'s
    ``session.get`` selects the same row again (2 SELECTs of conversation_states)."""
    original = Turn.__dict__["state"]

    def state(self: Any) -> SavedState | None:
        row = self._session.get(ConversationState, self._user.id)
        self._kept_state_row = row
        if row is None:
            return None
        return SavedState(row.flow, row.step, dict(row.answers), row.nonce, row.updated_at)

    setattr(Turn, "state", property(state))  # noqa: B010
    try:
        yield None
    finally:
        setattr(Turn, "state", original)  # noqa: B010


# -- 3 and 4. Store.turn: user and state in one SELECT; last_seen_at at most hourly -----

SEEN_GRANULARITY = timedelta(hours=1)


def make_turn(*, join_state: bool, seen_hourly: bool) -> Callable[..., Any]:
    @contextmanager
    def turn(
        self: Store, user_id: int, now: datetime, *, language: str, timezone: str
    ) -> Iterator[Turn]:
        with self._write() as session:
            user: User | None
            if join_state:
                # The state row lands in the identity map: Turn.state's session.get
                # then finds it without a query.
                joined = (
                    select(User, ConversationState)
                    .outerjoin(ConversationState, col(ConversationState.user_id) == col(User.id))
                    .where(col(User.id) == user_id)
                )
                if not is_sqlite(self.engine):
                    joined = joined.with_for_update(of=User)
                row = session.exec(joined).first()
                user = row[0] if row is not None else None
            else:
                query = select(User).where(col(User.id) == user_id)
                if not is_sqlite(self.engine):
                    query = query.with_for_update()
                user = session.exec(query).first()
            if user is None:
                user = User(
                    id=user_id,
                    language=language,
                    timezone=timezone,
                    created_at=now,
                    last_seen_at=now,
                )
                session.add(user)
                session.flush()
            elif (
                not seen_hourly
                or user.retention_warned_at is not None
                or now - user.last_seen_at >= SEEN_GRANULARITY
            ):
                user.last_seen_at = now
                user.retention_warned_at = None
                session.add(user)
            yield Turn(session, user, now)

    return turn


def patch_turn(*, join_state: bool, seen_hourly: bool) -> Patch:
    @contextmanager
    def patch(_backend: Any) -> Iterator[Prepare]:
        original = Store.turn
        setattr(Store, "turn", make_turn(join_state=join_state, seen_hourly=seen_hourly))  # noqa: B010
        try:
            yield None
        finally:
            setattr(Store, "turn", original)  # noqa: B010

    return patch


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


DB_ONLY = combine(
    lazy_history,
    one_query,
    patch_turn(join_state=True, seen_hourly=True),
)

VARIANTS: list[Variant] = [
    Variant("lazy_history", "history loaded only when the flow reads it", lazy_history),
    Variant("one_query_history", "check-in history: 1 query of columns, not 3 ORM", one_query),
    Variant(
        "keep_state_row",
        "Turn.state keeps its row: save_state stops re-selecting it",
        keep_state_row,
    ),
    Variant(
        "join_user_state",
        "Store.turn selects user + state in one query (row kept)",
        patch_turn(join_state=True, seen_hourly=False),
    ),
    Variant(
        "last_seen_hourly",
        "UPDATE users.last_seen_at only if older than 1 h",
        patch_turn(join_state=False, seen_hourly=True),
    ),
    Variant("no_pre_ping", "pool_pre_ping=False (PostgreSQL)", no_pre_ping, ("postgres",)),
    Variant("edit_in_place", "2 Bot API calls per press (edit question in place)", edit_in_place),
    Variant(
        "raw_bot_calls",
        "same 3 calls via do_api_request: dict keyboard, result not parsed",
        raw_bot_calls,
    ),
    Variant("inline_turn", "(info) turn run inline, no asyncio.to_thread", inline_turn),
    Variant("db_all", "lazy_history + one_query_history + join + last_seen_hourly", DB_ONLY),
    Variant(
        "db_all_no_ping",
        "db_all + no_pre_ping (PostgreSQL)",
        combine(DB_ONLY, no_pre_ping),
        ("postgres",),
    ),
    Variant(
        "db_all_raw_calls",
        "db_all (+ no_pre_ping on PG) + raw_bot_calls",
        combine(DB_ONLY, raw_bot_calls),
    ),
]


def _median(values: list[float]) -> float:
    return statistics.median(values)


async def run_variants(
    backend: Any, users: int, days: int, run_checkin: RunCheckin, say: Say, pairs: int = 3
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
        if backend.name not in variant.backends:
            continue
        patch = variant.patch
        if variant.key == "db_all_raw_calls" and backend.name == "postgres":
            patch = combine(DB_ONLY, no_pre_ping, raw_bot_calls)
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
