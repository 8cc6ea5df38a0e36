"""A fake Telegram Bot API HTTP server for the backcoach test suite and benchmarks.

Why this exists
---------------
The bot talks to Telegram through python-telegram-bot's real networking stack
(``telegram.Bot`` + ``HTTPXRequest``).  Mocking ``Bot`` methods would hide the
exact class of bugs we care about: wrong parameter encoding, mis-handled HTTP
errors (429 / 403 / 5xx), retry storms, timeouts, duplicate sends, long-polling
edge cases.  So instead of patching PTB we run a small, deterministic HTTP server
that speaks the Bot API wire protocol and point a real ``Bot`` at it
(``base_url=f"{server.base_url}/bot"``).

The server is pure asyncio: tornado's ``HTTPServer`` runs on the current asyncio
loop (tornado comes with PTB's ``webhooks`` extra), so it lives inside the test's
event loop, needs no threads, and never blocks other requests, even while a long
poll or a simulated-latency answer is pending.

Every HTTP request, including refused ones (wrong token, injected faults, rate
limiting, validation errors), is appended to :attr:`FakeBotApi.calls` as a
:class:`Call`: what the client sent, the status answered and when.

Only the methods the bot calls are implemented (with result payloads PTB can
parse): getMe, getUpdates (long polling; 409 while a webhook is set or when a
newer getUpdates supersedes a pending one), setWebhook, deleteWebhook,
setMyCommands, sendMessage, sendPhoto, sendDocument, answerCallbackQuery,
editMessageText and editMessageReplyMarkup.  Every other method answers 404, so
a bot that starts using a new one fails loudly here until the fake learns it.

Telegram behaviours reproduced because real bots trip on them: method names are
case-insensitive; "message is not modified" (400) on no-op edits; 400 for
empty/too long texts and captions, callback_data over 64 bytes and invalid bot
commands; 403 for chats in :attr:`FakeBotApi.blocked_chats`; optional flood
limits (``enforce_limits=True``).  Updates of every kind a user can send (text,
commands, presses, stickers, photos, voice, edits, group messages) are built by
the update builders.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import itertools
import json
import logging
import math
import random
import re
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Final, TypeAlias

import httpx
import pytest_asyncio
import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

__all__ = [
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "MESSAGE_METHODS",
    "Call",
    "FakeBotApi",
    "UploadedFile",
    "fake_bot_api",
]

_LOGGER = logging.getLogger(__name__)

JSONDict: TypeAlias = dict[str, Any]
ChatKey: TypeAlias = int | str
CallPredicate: TypeAlias = Callable[["Call"], bool]

DEFAULT_TOKEN: Final = "123456:TEST-backcoach-fake-token"
BOT_USERNAME: Final = "backcoach_test_bot"
BOT_FIRST_NAME: Final = "BackCoach Test"

#: Methods that create a message in a chat.  They count as "sends" for
#: :meth:`FakeBotApi.sent_messages`, :meth:`FakeBotApi.delivered` and the flood limits.
MESSAGE_METHODS: Final[frozenset[str]] = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

#: Parameters that are plain strings on the wire; everything else sent as a form
#: field is JSON-decoded when possible (PTB JSON-encodes non-string values).
_STRING_PARAMS: Final[frozenset[str]] = frozenset(
    {
        "text",
        "caption",
        "url",
        "secret_token",
        "callback_query_id",
        "language_code",
        "photo",
        "document",
    }
)

_DEFAULT_DESCRIPTIONS: Final[dict[int, str]] = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}

_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
_BOT_COMMAND_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: Upper bound for any server-side wait, so a forgotten long poll can never hang a test.
_MAX_SERVER_WAIT: Final = 30.0
#: Status recorded for a long poll whose client went away before it was answered
#: (nginx's "client closed request"); nothing was actually sent back.
STATUS_CLIENT_GONE: Final = 499


@dataclasses.dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, kept as raw bytes so tests can compare content."""

    filename: str
    content_type: str
    data: bytes


@dataclasses.dataclass(frozen=True)
class Call:
    """One request received by the fake server.

    ``params`` are the decoded request parameters (JSON-encoded form fields such
    as ``reply_markup`` become Python objects), ``files`` the uploaded files by
    multipart field name, ``time`` the :func:`time.monotonic` time at which the
    server answered, ``status`` the HTTP status it answered (``499`` if the client
    abandoned a long poll first) and ``chat_id`` the target chat, if any.
    """

    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    time: float
    status: int
    chat_id: ChatKey | None
    result: Any = None
    """What the server answered in ``result`` (e.g. the sent Message), for successful calls."""

    @property
    def ok(self) -> bool:
        """Whether the server answered this call successfully."""
        return self.status == HTTPStatus.OK

    @property
    def text(self) -> str | None:
        """The message text or caption sent with this call, if any."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None


@dataclasses.dataclass(frozen=True)
class _Reply:
    status: int
    body: JSONDict


@dataclasses.dataclass
class _Fault:
    method: str
    status: int
    description: str | None
    retry_after: int
    remaining: int


@dataclasses.dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int


@dataclasses.dataclass
class _RandomFault:
    rate: float
    statuses: tuple[int, ...]
    rng: random.Random


@dataclasses.dataclass
class _RandomRefusal:
    rate: float
    window: float
    rng: random.Random


@dataclasses.dataclass
class _Request:
    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    chat_key: ChatKey | None
    client_gone: asyncio.Event


def _ok(result: Any) -> _Reply:
    return _Reply(200, {"ok": True, "result": result})


def _error(status: int, description: str | None = None, retry_after: int | None = None) -> _Reply:
    """An ``ok: false`` answer shaped like Telegram's (429 carries ``parameters.retry_after``)."""
    status = int(status)
    body: JSONDict = {"ok": False, "error_code": status}
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        seconds = max(1, retry_after or 1)
        body["description"] = description or f"Too Many Requests: retry after {seconds}"
        body["parameters"] = {"retry_after": seconds}
        return _Reply(status, body)
    if description is None:
        description = _DEFAULT_DESCRIPTIONS.get(status)
    if description is None:
        try:
            description = HTTPStatus(status).phrase
        except ValueError:
            description = f"Error {status}"
    body["description"] = description
    return _Reply(status, body)


def _bad_request(detail: str) -> _Reply:
    return _error(HTTPStatus.BAD_REQUEST, f"Bad Request: {detail}")


def _decode_value(key: str, value: Any) -> Any:
    """Undo PTB's form encoding: non-string values are sent JSON-encoded as strings."""
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _chat_key(value: Any) -> ChatKey | None:
    """Normalise a chat_id parameter (int, numeric string or ``@username``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value:
        try:
            return int(value)
        except ValueError:
            return value
    return None


def _as_int(value: Any, default: int | None = None) -> int | None:
    if value is None or isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _as_float(value: Any, default: float) -> float:
    if value is None or isinstance(value, bool):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _utf16_len(text: str) -> int:
    """Telegram measures text limits in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _check_inline_keyboard(markup: Any) -> str | None:
    """Validate reply_markup the way Telegram does for the common mistakes."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        return "can't parse reply keyboard markup JSON object"
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    if not isinstance(rows, list):
        return 'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array'
    for row in rows:
        if not isinstance(row, list):
            return (
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                return "text buttons are unallowed in the inline keyboard"
            data = button.get("callback_data")
            if isinstance(data, str) and not 1 <= len(data.encode()) <= 64:
                return "BUTTON_DATA_INVALID"
    return None


def _parse_http_request(
    request: tornado.httputil.HTTPServerRequest,
) -> tuple[JSONDict, dict[str, UploadedFile]]:
    """Decode PTB's urlencoded and multipart bodies (tornado parsed them) into params
    and files; non-string values arrive JSON-encoded."""
    params: JSONDict = {
        key: values[-1].decode("utf-8", "replace")
        for key, values in request.body_arguments.items()
        if values
    }
    files = {
        name: UploadedFile(
            filename=parts[-1].filename,
            content_type=parts[-1].content_type,
            data=bytes(parts[-1].body),
        )
        for name, parts in request.files.items()
        if parts
    }
    return {key: _decode_value(key, value) for key, value in params.items()}, files


def _quiet_log(handler: tornado.web.RequestHandler) -> None:
    """Keep tornado's access log at DEBUG: injected 4xx/5xx are expected, not errors."""
    request = handler.request
    _LOGGER.debug("%s %s -> %s", request.method, request.path, handler.get_status())


class _ApiHandler(tornado.web.RequestHandler):
    """Routes ``POST /bot{token}/{method}`` into :meth:`FakeBotApi._dispatch`."""

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api
        self.client_gone = asyncio.Event()

    def on_connection_close(self) -> None:
        self.client_gone.set()
        self.api._pulse()

    async def post(self, token: str, method: str) -> None:
        params, files = _parse_http_request(self.request)
        reply = await self.api._dispatch(token, method, params, files, self.client_gone)
        if self.client_gone.is_set():
            return
        if self.api._take_hang_up(method):
            # Carried out, but the answer never arrives: the connection just drops.
            self.request.connection.close()  # type: ignore[union-attr]
            self._finished = True
            return
        self.set_status(reply.status)
        self.set_header("Content-Type", "application/json")
        if self.api._maybe_refuse_for_a_while():
            self.set_header("Connection", "close")
        self.finish(json.dumps(reply.body))


class _FallbackHandler(tornado.web.RequestHandler):
    """Any other URL: 404 like Telegram, still recorded."""

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    def _answer(self) -> None:
        reply = _error(HTTPStatus.NOT_FOUND)
        self.api._record("", {"path": self.request.path}, {}, reply.status, None)
        self.set_status(reply.status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(reply.body))

    def get(self) -> None:
        self._answer()

    def post(self) -> None:
        self._answer()


class FakeBotApi:
    """In-process fake of the Telegram Bot API (see the module docstring for scope).

    Args:
        token: The only token the server accepts; others answer 401. The numeric
            prefix becomes the bot's user id.
        enforce_limits: Reproduce Telegram flood control for message sends:
            more than ``global_rate`` sends per rolling second overall, sends to one
            chat closer than ``1 / per_chat_rate`` seconds apart, or more than
            ``group_per_minute`` sends per rolling minute to a group chat answer
            429 (counted in ``stats["429"]`` and ``stats["rate_limited"]``).
        max_poll_wait: Cap for getUpdates' ``timeout`` so a test never waits long.

    Update builders (:meth:`user_message`, :meth:`command`, :meth:`callback`,
    :meth:`sticker`, :meth:`photo`, :meth:`voice`, :meth:`edited_message`,
    :meth:`group_message`) only build update dicts; nothing is queued until
    :meth:`push_update` (long polling) or :meth:`post_webhook` (webhook mode).
    Their only side effect is a realistic one: the message id is taken from the
    chat's counter shared with bot messages.  All methods must be called from the
    event loop's thread.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        enforce_limits: bool = False,
        global_rate: int = 30,
        per_chat_rate: float = 1.0,
        group_per_minute: int | None = 20,
        max_poll_wait: float = 5.0,
    ) -> None:
        bot_id, sep, _ = token.partition(":")
        if not sep or not bot_id.isdigit():
            raise ValueError("token must look like '<digits>:<secret>'")
        if per_chat_rate <= 0 or global_rate <= 0:
            raise ValueError("rates must be positive")
        self.token = token
        self.bot_id = int(bot_id)
        self.enforce_limits = enforce_limits
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.group_per_minute = group_per_minute
        self.max_poll_wait = min(max_poll_wait, _MAX_SERVER_WAIT)

        #: Every request received, in answer order.
        self.calls: list[Call] = []
        #: Answer counts by status code as string ("200", "429", ...) plus
        #: "rate_limited" for 429s produced by ``enforce_limits``.
        self.stats: Counter[str] = Counter()
        #: Chats whose sends answer 403 (user blocked the bot / bot kicked).
        self.blocked_chats: set[int] = set()
        #: Registered webhook ("" when none), as given to setWebhook.
        self.webhook_url: str = ""
        self.webhook_secret_token: str | None = None
        #: Bot commands by (scope as canonical JSON, language_code).
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}

        self._http: tornado.httpserver.HTTPServer | None = None
        self._port: int | None = None
        self._stopping = False
        self._changed = asyncio.Event()
        self._inflight = 0
        self._pending_polls = 0
        self._poll_generation = 0
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._hang_ups: list[_Delay] = []
        self._refusals: _RandomRefusal | None = None
        self._listening_again = asyncio.Event()
        self._listening_again.set()  # cleared while a random refusal window is open
        self._random_faults: dict[str, _RandomFault] = {}
        self._last_message_id: dict[ChatKey, int] = {}
        self._last_bot_message_id: dict[ChatKey, int] = {}
        self._last_user_message_id: dict[ChatKey, int] = {}
        self._bot_messages: dict[tuple[ChatKey, int], JSONDict] = {}
        self._known_chats: dict[ChatKey, JSONDict] = {}
        self._ids = itertools.count(1)
        self._global_sends: deque[float] = deque()
        self._last_chat_send: dict[ChatKey, float] = {}
        self._group_sends: dict[ChatKey, deque[float]] = {}
        self._methods: dict[str, Callable[[_Request], Awaitable[_Reply]]] = {
            "getMe": self._api_get_me,
            "getUpdates": self._api_get_updates,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "setMyCommands": self._api_set_my_commands,
            "sendMessage": self._api_send_message,
            "sendPhoto": self._api_send_photo,
            "sendDocument": self._api_send_document,
            "answerCallbackQuery": self._api_answer_callback_query,
            "editMessageText": self._api_edit_message_text,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
        }
        self._canonical = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeBotApi:
        """Bind 127.0.0.1 on a free port and serve on the running asyncio loop."""
        if self._http is not None:
            raise RuntimeError("FakeBotApi already started")
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]*)", _ApiHandler, {"api": self}),
                (r".*", _FallbackHandler, {"api": self}),
            ],
            log_function=_quiet_log,
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self._port = int(sockets[0].getsockname()[1])
        self._http = tornado.httpserver.HTTPServer(app)
        self._http.add_sockets(sockets)
        self._stopping = False
        return self

    async def refuse_connections(self) -> None:
        """Stop listening and drop open connections: clients get "connection refused"
        (or a dropped keep-alive) until :meth:`accept_connections`. The port is kept."""
        if self._http is None:
            raise RuntimeError("FakeBotApi is not started")
        self._stop_listening()
        await self._http.close_all_connections()

    def _stop_listening(self) -> None:
        """Close the listening sockets, first taking in every connection the kernel has
        already completed (closing a socket with a backlog would reset those, after
        their request may have been sent). Nothing runs between the two steps, so no
        request that left a client of this event loop is ever lost.

        Done by hand rather than with ``HTTPServer.stop()``, which works only once.
        """
        assert self._http is not None
        http: Any = self._http
        for fd, sock in list(http._sockets.items()):
            while True:
                try:
                    connection, address = sock.accept()
                except (BlockingIOError, InterruptedError):
                    break
                http._handle_connection(connection, address)
            http._handlers.pop(fd)()
            del http._sockets[fd]
            sock.close()

    def refuse_connections_randomly(
        self, rate: float, window: float = 0.02, seed: int | None = None
    ) -> None:
        """After a fraction ``rate`` of answers, close that connection and refuse every
        new one for ``window`` seconds, so the client's next connect is refused. Open
        keep-alive connections stay up: a request that reached the server is always
        answered. Deterministic for a given ``seed`` and call sequence; 0 disables."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        self._refusals = _RandomRefusal(rate, window, random.Random(seed)) if rate else None

    def _maybe_refuse_for_a_while(self) -> bool:
        """True when this answer ends its connection and opens a refusal window."""
        rule = self._refusals
        if rule is None or self._stopping or rule.rng.random() >= rule.rate:
            return False
        if self._listening_again.is_set():
            self._listening_again.clear()
            self.stats["refusal_windows"] += 1
            self._stop_listening()
            asyncio.get_running_loop().call_later(rule.window, self._listen_again)
        return True

    def _listen_again(self) -> None:
        if self._http is not None and self._port is not None and not self._stopping:
            self.accept_connections()
        self._listening_again.set()

    async def refusal_window_over(self) -> None:
        """Return once a random refusal window has ended and the port listens again."""
        await self._listening_again.wait()

    def accept_connections(self) -> None:
        """Listen again on the same port after :meth:`refuse_connections`."""
        if self._http is None or self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        self._http.add_sockets(tornado.netutil.bind_sockets(self._port, "127.0.0.1"))

    async def stop(self) -> None:
        """Stop listening, answer pending long polls/delays, close all connections."""
        if self._http is None:
            return
        http, self._http = self._http, None
        self._stopping = True
        http.stop()
        self._pulse()
        with contextlib.suppress(TimeoutError):
            await self._wait_until(lambda: self._inflight == 0, seconds=2.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(http.close_all_connections(), timeout=2.0)

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (only valid after :meth:`start`)."""
        if self._port is None:
            raise RuntimeError("FakeBotApi not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_user(self) -> JSONDict:
        """The bot's ``User`` object as Telegram returns it in messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }

    # ------------------------------------------------------------------ records

    def calls_to(self, method: str) -> list[Call]:
        """All recorded calls of ``method`` (any status)."""
        return [call for call in self.calls if call.method == method]

    def sent_messages(self, chat_id: ChatKey | None = None) -> list[Call]:
        """Successful message-creating calls (see :data:`MESSAGE_METHODS`), optionally per chat."""
        return [
            call
            for call in self.calls
            if call.ok
            and call.method in MESSAGE_METHODS
            and (chat_id is None or call.chat_id == chat_id)
        ]

    def delivered(self, chat_id: ChatKey | None = None) -> int:
        """How many messages were really delivered (429/403/... answers are not deliveries)."""
        return len(self.sent_messages(chat_id))

    def duplicate_sends(self) -> dict[tuple[ChatKey | None, str | None], int]:
        """Delivered (chat_id, text-or-caption) pairs that were delivered more than once."""
        counts = Counter((call.chat_id, call.text) for call in self.sent_messages())
        return {key: count for key, count in counts.items() if count > 1}

    def clear_calls(self) -> None:
        """Forget recorded calls and stats (e.g. after a warm-up phase of a benchmark)."""
        self.calls.clear()
        self.stats.clear()

    async def wait_for(
        self,
        predicate_or_method: str | CallPredicate,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - documented fixture API, like pytest's
        *,
        successful_only: bool = True,
    ) -> list[Call]:
        """Wait until ``count`` matching (by default successful) calls were recorded.

        Returns all matching calls (at least ``count``).  Raises ``TimeoutError``
        listing every recorded method and status otherwise, so a failing test
        shows what the bot actually did.
        """
        predicate: CallPredicate
        if isinstance(predicate_or_method, str):
            method = predicate_or_method
            description = repr(method)
            predicate = lambda call: call.method == method  # noqa: E731
        else:
            predicate = predicate_or_method
            description = getattr(predicate, "__name__", repr(predicate))

        found: list[Call] = []
        scanned = 0

        def enough() -> bool:
            # Incremental scan: benchmarks record many thousands of calls.
            nonlocal scanned
            if scanned > len(self.calls):  # clear_calls() was used meanwhile
                found.clear()
                scanned = 0
            for call in self.calls[scanned:]:
                if (call.ok or not successful_only) and predicate(call):
                    found.append(call)
            scanned = len(self.calls)
            return len(found) >= count

        try:
            await self._wait_until(enough, timeout)
        except TimeoutError:
            recorded = ", ".join(f"{c.method or '?'}[{c.status}]" for c in self.calls[-60:])
            raise TimeoutError(
                f"wait_for({description}, count={count}) timed out after {timeout}s: "
                f"{len(found)} matching {'successful ' if successful_only else ''}call(s). "
                f"Recorded calls ({len(self.calls)}): {recorded or 'none'}"
            ) from None
        return list(found)

    async def wait_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is pending (the bot is idle and listening)."""
        try:
            await self._wait_until(lambda: self._pending_polls > 0, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no getUpdates long poll became pending within {timeout}s"
            ) from None

    # ------------------------------------------------------------------ updates

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates (assigning ``update_id`` if missing); wake long polls."""
        if not isinstance(update, dict) or not set(update) - {"update_id"}:
            raise ValueError("an update needs a payload such as 'message' or 'callback_query'")
        queued = dict(update)
        update_id = _as_int(queued.get("update_id"))
        if update_id is None:
            queued["update_id"] = update_id = self._next_update_id
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._updates.append(queued)
        self._pulse()
        return queued

    @property
    def pending_update_count(self) -> int:
        """Updates queued and not yet confirmed through getUpdates' ``offset``."""
        return len(self._updates)

    async def post_webhook(
        self, update: JSONDict, secret_token: str | None = None, *, http_timeout: float = 5.0
    ) -> int:
        """POST ``update`` as JSON to the webhook URL registered by setWebhook.

        Sends ``X-Telegram-Bot-Api-Secret-Token`` only when ``secret_token`` is given
        (pass ``server.webhook_secret_token`` to behave like Telegram).
        Returns the HTTP status code the bot's webhook answered.
        """
        if not self.webhook_url:
            raise RuntimeError("no webhook registered: the bot has not called setWebhook")
        payload = dict(update)
        if "update_id" not in payload:
            payload["update_id"] = self._next_update_id
            self._next_update_id += 1
        headers = {}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with httpx.AsyncClient(timeout=http_timeout, trust_env=False) as client:
            response = await client.post(self.webhook_url, json=payload, headers=headers)
        return response.status_code

    # ------------------------------------------------------------------ update builders

    def _user(self, user_id: int, first_name: str, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def _incoming_chat(
        self, user_id: int, chat_id: int | None, chat_type: str, first_name: str
    ) -> JSONDict:
        key = user_id if chat_type == "private" and chat_id is None else chat_id
        if key is None:
            raise ValueError("chat_id is required for non-private chats")
        if chat_type == "private":
            chat: JSONDict = {"id": key, "type": "private", "first_name": first_name}
        else:
            chat = {"id": key, "type": chat_type, "title": f"Test {chat_type}"}
        self._known_chats[key] = chat
        return dict(chat)

    def _incoming_message(
        self,
        user_id: int,
        *,
        chat_id: int | None,
        chat_type: str,
        first_name: str,
        language_code: str | None,
        content: JSONDict,
    ) -> JSONDict:
        chat = self._incoming_chat(user_id, chat_id, chat_type, first_name)
        message_id = self._allocate_message_id(chat["id"])
        self._last_user_message_id[chat["id"]] = message_id
        return {
            "message_id": message_id,
            "from": self._user(user_id, first_name, language_code),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }

    def user_message(
        self,
        user_id: int,
        text: str,
        chat_type: str = "private",
        language_code: str = "en",
        first_name: str = "Test",
        *,
        chat_id: int | None = None,
        **extra: Any,
    ) -> JSONDict:
        """Build a ``message`` update with ``text``; ``extra`` fields go into the message."""
        message = self._incoming_message(
            user_id,
            chat_id=chat_id,
            chat_type=chat_type,
            first_name=first_name,
            language_code=language_code,
            content={"text": text, **extra},
        )
        return {"message": message}

    def command(
        self,
        user_id: int,
        command: str,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        language_code: str = "en",
        first_name: str = "Test",
    ) -> JSONDict:
        """Build a message update for ``/command [args]`` with its ``bot_command`` entity."""
        if not command.startswith("/"):
            raise ValueError("commands start with '/'")
        length = len(command.split(maxsplit=1)[0])
        entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(command[:length])}
        return self.user_message(
            user_id,
            command,
            chat_type=chat_type,
            language_code=language_code,
            first_name=first_name,
            chat_id=chat_id,
            entities=[entity],
        )

    def group_message(
        self, user_id: int, chat_id: int, text: str, *, first_name: str = "Test"
    ) -> JSONDict:
        """Build a message update from ``user_id`` in a group (supergroup if id is -100...)."""
        chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        return self.user_message(
            user_id, text, chat_type=chat_type, first_name=first_name, chat_id=chat_id
        )

    def edited_message(
        self,
        user_id: int,
        text: str,
        message_id: int | None = None,
        *,
        first_name: str = "Test",
        language_code: str = "en",
    ) -> JSONDict:
        """Build an ``edited_message`` update (defaults to the user's last message id)."""
        chat = self._incoming_chat(user_id, None, "private", first_name)
        if message_id is None:
            message_id = self._last_user_message_id.get(user_id) or self._allocate_message_id(
                user_id
            )
        now = int(time.time())
        return {
            "edited_message": {
                "message_id": message_id,
                "from": self._user(user_id, first_name, language_code),
                "chat": chat,
                "date": now - 1,
                "edit_date": now,
                "text": text,
            }
        }

    def callback(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        *,
        chat_id: int | None = None,
        first_name: str = "Test",
        language_code: str = "en",
    ) -> JSONDict:
        """Build a ``callback_query`` update for a button under a bot message.

        ``message_id`` defaults to the last message the bot sent to the chat
        (``chat_id`` defaults to the user's private chat).
        """
        chat_key = user_id if chat_id is None else chat_id
        if message_id is None:
            message_id = self._last_bot_message_id.get(chat_key)
            if message_id is None:
                raise ValueError(
                    f"the bot has not sent a message to chat {chat_key}; pass message_id"
                )
        stored = self._bot_messages.get((chat_key, message_id))
        if stored is not None:
            message = copy.deepcopy(stored)
        else:
            message = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat_object(chat_key),
                "date": int(time.time()),
            }
        return {
            "callback_query": {
                "id": f"{user_id}-{next(self._ids)}",
                "from": self._user(user_id, first_name, language_code),
                "chat_instance": str(abs(hash((self.bot_id, chat_key)))),
                "data": data,
                "message": message,
            }
        }

    def sticker(self, user_id: int, emoji: str = "\N{THUMBS UP SIGN}") -> JSONDict:
        """Build a message update carrying a (regular, static) sticker."""
        sticker = {
            **self._file_fields(16),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._media_update(user_id, {"sticker": sticker})

    def photo(self, user_id: int, caption: str | None = None) -> JSONDict:
        """Build a message update carrying a photo (two sizes, as Telegram sends)."""
        content: JSONDict = {"photo": self._photo_sizes(10)}
        if caption is not None:
            content["caption"] = caption
        return self._media_update(user_id, content)

    def voice(self, user_id: int, duration: int = 3) -> JSONDict:
        """Build a message update carrying a voice note."""
        voice = {**self._file_fields(13), "duration": duration, "mime_type": "audio/ogg"}
        return self._media_update(user_id, {"voice": voice})

    def _media_update(self, user_id: int, content: JSONDict) -> JSONDict:
        message = self._incoming_message(
            user_id,
            chat_id=None,
            chat_type="private",
            first_name="Test",
            language_code="en",
            content=content,
        )
        return {"message": message}

    def _file_fields(self, size: int) -> JSONDict:
        """The identity of a file on Telegram's side (nothing is stored: the bot never
        downloads what users send)."""
        number = next(self._ids)
        return {
            "file_id": f"fake-file-{number:06d}",
            "file_unique_id": f"fake-unique-{number:06d}",
            "file_size": size,
        }

    def _photo_sizes(self, size: int) -> list[JSONDict]:
        return [
            {**self._file_fields(size), "width": 320, "height": 180},
            {**self._file_fields(size), "width": 1280, "height": 720},
        ]

    # ------------------------------------------------------------------ fault injection

    def _check_method_name(self, method: str) -> str:
        if method == "*":
            return method
        canonical = self._canonical.get(method.lower())
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r} (use camelCase or '*')")
        return canonical

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` ("*" = any method) with an error.

        429 carries ``parameters.retry_after`` like Telegram; default descriptions
        are Telegram's ("Forbidden: bot was blocked by the user", "Bad Gateway", ...).
        """
        if status < 400:
            raise ValueError("fail_next needs an error status (>= 400)")
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after < 1:
            raise ValueError("Telegram always sends retry_after >= 1")
        self._faults.append(
            _Fault(self._check_method_name(method), status, description, retry_after, count)
        )

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next ``count`` calls of ``method`` ("*" = any) only after ``seconds``.

        The effect (e.g. the message being delivered) happens after the delay even
        if the client already gave up, which is how Telegram behaves on timeouts.
        """
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        self._delays.append(_Delay(self._check_method_name(method), seconds, count))

    def hang_up_next(self, method: str, count: int = 1) -> None:
        """Carry out the next ``count`` calls of ``method`` ("*" = any) — the message is
        delivered — then drop the connection without an answer, as when a network path
        breaks after the request went out. Clients see a protocol error, not a timeout."""
        self._hang_ups.append(_Delay(self._check_method_name(method), 0.0, count))

    def _take_hang_up(self, method: str) -> bool:
        canonical = self._canonical.get(method.lower(), method)
        for hang_up in self._hang_ups:
            if hang_up.remaining > 0 and hang_up.method in (canonical, "*"):
                hang_up.remaining -= 1
                self._hang_ups = [h for h in self._hang_ups if h.remaining > 0]
                return True
        return False

    def fail_randomly(
        self,
        method: str,
        rate: float,
        statuses: Iterable[int] = (429, 500),
        seed: int | None = None,
    ) -> None:
        """Fail a fraction ``rate`` of ``method`` calls ("*" = any) with one of ``statuses``.

        Deterministic for a given ``seed`` and call sequence. ``rate=0`` disables.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        name = self._check_method_name(method)
        if rate == 0:
            self._random_faults.pop(name, None)
            return
        chosen = tuple(statuses)
        if not chosen or any(status < 400 for status in chosen):
            raise ValueError("statuses must be error codes (>= 400)")
        self._random_faults[name] = _RandomFault(rate, chosen, random.Random(seed))

    def clear_faults(self) -> None:
        """Remove every pending injected failure and delay."""
        self._faults.clear()
        self._delays.clear()
        self._hang_ups.clear()
        self._random_faults.clear()
        self._refusals = None

    def _take_delay(self, method: str) -> float:
        for delay in self._delays:
            if delay.remaining > 0 and delay.method in (method, "*"):
                delay.remaining -= 1
                self._delays = [d for d in self._delays if d.remaining > 0]
                return delay.seconds
        return 0.0

    def _take_fault(self, method: str) -> _Reply | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (method, "*"):
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                return _error(fault.status, fault.description, fault.retry_after)
        for name in (method, "*"):
            rule = self._random_faults.get(name)
            if rule is not None and rule.rng.random() < rule.rate:
                return _error(rule.rng.choice(rule.statuses), retry_after=1)
        return None

    # ------------------------------------------------------------------ plumbing

    def _pulse(self) -> None:
        """Wake every waiter (long polls, wait_for, stop) to re-check its condition."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_until(self, condition: Callable[[], bool], seconds: float) -> None:
        """Event-driven wait (no polling): re-check ``condition`` on every state change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            event = self._changed
            if condition():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def _sleep(self, seconds: float) -> bool:
        """Simulated latency that ends early when the server stops; True if interrupted."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(seconds, _MAX_SERVER_WAIT)
        while not self._stopping:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return True

    def _record(
        self,
        method: str,
        params: JSONDict,
        files: dict[str, UploadedFile],
        status: int,
        chat_key: ChatKey | None,
        result: Any = None,
    ) -> None:
        self.calls.append(
            Call(
                method=method,
                params=params,
                files=files,
                time=time.monotonic(),
                status=int(status),
                chat_id=chat_key,
                result=result,
            )
        )
        self.stats[str(int(status))] += 1
        self._pulse()

    async def _dispatch(
        self,
        token: str,
        method: str,
        params: JSONDict,
        files: dict[str, UploadedFile],
        client_gone: asyncio.Event,
    ) -> _Reply:
        canonical = self._canonical.get(method.lower(), method)
        chat_key = _chat_key(params.get("chat_id"))
        self._inflight += 1
        try:
            request = _Request(canonical, params, files, chat_key, client_gone)
            reply = await self._answer(token, request)
        finally:
            self._inflight -= 1
        self._record(canonical, params, files, reply.status, chat_key, reply.body.get("result"))
        return reply

    async def _answer(self, token: str, request: _Request) -> _Reply:
        if token != self.token:
            return _error(HTTPStatus.UNAUTHORIZED)
        delay = self._take_delay(request.method)
        if delay and await self._sleep(delay):
            return _error(HTTPStatus.SERVICE_UNAVAILABLE, "Service Unavailable: server stopping")
        fault = self._take_fault(request.method)
        if fault is not None:
            return fault
        handler = self._methods.get(request.method)
        if handler is None:
            return _error(HTTPStatus.NOT_FOUND, "Not Found: method not found")
        if request.chat_key is not None and request.chat_key in self.blocked_chats:
            return _error(HTTPStatus.FORBIDDEN, self._blocked_description(request.chat_key))
        if request.method not in MESSAGE_METHODS:
            return await handler(request)
        if request.chat_key is None:
            return _bad_request("chat_id is empty")
        now = time.monotonic()
        retry_after = self._flood_retry_after(request.chat_key, now)
        if retry_after is not None:
            self.stats["rate_limited"] += 1
            return _error(HTTPStatus.TOO_MANY_REQUESTS, retry_after=retry_after)
        reply = await handler(request)
        if reply.status == HTTPStatus.OK:
            self._note_send(request.chat_key, now)
        return reply

    def _blocked_description(self, chat_key: ChatKey) -> str:
        chat_type = self._chat_object(chat_key)["type"]
        if chat_type == "private":
            return "Forbidden: bot was blocked by the user"
        if chat_type == "channel":
            return "Forbidden: bot is not a member of the channel chat"
        return f"Forbidden: bot was kicked from the {chat_type} chat"

    def _flood_retry_after(self, chat_key: ChatKey, now: float) -> int | None:
        if not self.enforce_limits:
            return None
        while self._global_sends and now - self._global_sends[0] >= 1.0:
            self._global_sends.popleft()
        if len(self._global_sends) >= self.global_rate:
            return 1
        last = self._last_chat_send.get(chat_key)
        interval = 1.0 / self.per_chat_rate
        if last is not None and now - last < interval:
            return max(1, math.ceil(interval - (now - last)))
        if self.group_per_minute is not None and self._is_group(chat_key):
            window = self._group_sends.setdefault(chat_key, deque())
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= self.group_per_minute:
                return max(1, math.ceil(60.0 - (now - window[0])))
        return None

    def _note_send(self, chat_key: ChatKey, now: float) -> None:
        if not self.enforce_limits:
            return
        self._global_sends.append(now)
        self._last_chat_send[chat_key] = now
        if self._is_group(chat_key):
            self._group_sends.setdefault(chat_key, deque()).append(now)

    def _is_group(self, chat_key: ChatKey) -> bool:
        return self._chat_object(chat_key)["type"] in ("group", "supergroup")

    # ------------------------------------------------------------------ chats & messages

    def _chat_object(self, chat_key: ChatKey) -> JSONDict:
        known = self._known_chats.get(chat_key)
        if known is not None:
            return dict(known)
        if isinstance(chat_key, str) or chat_key > 0:
            return {"id": chat_key, "type": "private", "first_name": "Test"}
        if str(chat_key).startswith("-100"):
            return {"id": chat_key, "type": "supergroup", "title": "Test supergroup"}
        return {"id": chat_key, "type": "group", "title": "Test group"}

    def _allocate_message_id(self, chat_key: ChatKey) -> int:
        message_id = self._last_message_id.get(chat_key, 0) + 1
        self._last_message_id[chat_key] = message_id
        return message_id

    def _new_bot_message(self, chat_key: ChatKey, content: JSONDict) -> JSONDict:
        message_id = self._allocate_message_id(chat_key)
        message: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._chat_object(chat_key),
            "date": int(time.time()),
            **content,
        }
        self._bot_messages[(chat_key, message_id)] = message
        self._last_bot_message_id[chat_key] = message_id
        return copy.deepcopy(message)

    @staticmethod
    def _keyboard(request: _Request) -> tuple[JSONDict, _Reply | None]:
        """The inline keyboard of a send (the only reply markup the bot uses), checked."""
        markup = request.params.get("reply_markup")
        markup_error = _check_inline_keyboard(markup)
        if markup_error:
            return {}, _bad_request(markup_error)
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return {"reply_markup": markup}, None
        return {}, None

    @staticmethod
    def _check_text(text: Any, *, caption: bool) -> _Reply | None:
        if caption and text is None:
            return None
        if not isinstance(text, str) or not text.strip():
            return _bad_request("message text is empty")
        length = _utf16_len(text)
        if caption and length > 1024:
            return _bad_request("message caption is too long")
        if not caption and length > 4096:
            return _bad_request("message is too long")
        return None

    def _message_for_edit(self, request: _Request) -> tuple[JSONDict | None, _Reply | None]:
        """Find the bot message an edit refers to, the way Telegram reports misses."""
        message_id = _as_int(request.params.get("message_id"))
        if request.chat_key is None:
            return None, _bad_request("chat_id is empty")
        if message_id is None:
            return None, _bad_request("message identifier is not specified")
        key = (request.chat_key, message_id)
        if message_id > self._last_message_id.get(key[0], 0):
            return None, _bad_request("message to edit not found")
        message = self._bot_messages.get(key)
        if message is None:
            # A message sent before this server existed (e.g. another test fixture):
            # accept the edit and start tracking it.
            message = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat_object(key[0]),
                "date": int(time.time()),
            }
            self._bot_messages[key] = message
        return message, None

    # ------------------------------------------------------------------ API methods

    async def _api_get_me(self, request: _Request) -> _Reply:
        return _ok(
            {
                **self.bot_user,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )

    def _confirm_updates(self, offset: int | None) -> None:
        while offset and self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    async def _api_get_updates(self, request: _Request) -> _Reply:
        if self.webhook_url:
            return _error(
                HTTPStatus.CONFLICT,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = request.params
        limit = min(max(_as_int(params.get("limit"), 100) or 100, 1), 100)
        timeout = min(max(_as_float(params.get("timeout"), 0.0), 0.0), self.max_poll_wait)
        self._confirm_updates(_as_int(params.get("offset")))
        self._poll_generation += 1
        generation = self._poll_generation
        self._pending_polls += 1
        self._pulse()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                event = self._changed
                if request.client_gone.is_set():
                    return _error(STATUS_CLIENT_GONE, "Client Closed Request")
                if generation != self._poll_generation:
                    return _error(HTTPStatus.CONFLICT)
                batch = [copy.deepcopy(u) for u in itertools.islice(self._updates, limit)]
                remaining = deadline - loop.time()
                if batch or self._stopping or remaining <= 0:
                    return _ok(batch)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            self._pending_polls -= 1
            self._pulse()

    async def _api_set_webhook(self, request: _Request) -> _Reply:
        params = request.params
        url = params.get("url")
        if not isinstance(url, str):
            return _bad_request('parameter "url" is required')
        secret = params.get("secret_token")
        if secret is not None and (
            not isinstance(secret, str) or not _SECRET_TOKEN_RE.match(secret)
        ):
            return _bad_request("secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            return _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        self.webhook_secret_token = secret if url else None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _ok(True)

    async def _api_delete_webhook(self, request: _Request) -> _Reply:
        self.webhook_url = ""
        self.webhook_secret_token = None
        if request.params.get("drop_pending_updates"):
            self._updates.clear()
        return _ok(True)

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str] | None:
        scope = params.get("scope") or {"type": "default"}
        language = params.get("language_code") or ""
        if not isinstance(scope, dict) or not isinstance(language, str):
            return None
        return json.dumps(scope, sort_keys=True), language

    async def _api_set_my_commands(self, request: _Request) -> _Reply:
        key = self._commands_key(request.params)
        commands = request.params.get("commands")
        if key is None or not isinstance(commands, list):
            return _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            return _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                return _bad_request("can't parse BotCommand")
            if not _BOT_COMMAND_RE.match(str(command.get("command", ""))):
                return _bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                return _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return _ok(True)

    async def _api_send_message(self, request: _Request) -> _Reply:
        assert request.chat_key is not None  # checked by _answer for MESSAGE_METHODS
        params = request.params
        error = self._check_text(params.get("text"), caption=False)
        if error is not None:
            return error
        content, error = self._keyboard(request)
        if error is not None:
            return error
        content["text"] = params["text"]
        return _ok(self._new_bot_message(request.chat_key, content))

    async def _api_edit_message_text(self, request: _Request) -> _Reply:
        """A question turned into its answer's reply: new text and keyboard (none when
        the edit names none, as Telegram does)."""
        error = self._check_text(request.params.get("text"), caption=False)
        if error is not None:
            return error
        markup = request.params.get("reply_markup")
        markup_error = _check_inline_keyboard(markup)
        if markup_error:
            return _bad_request(markup_error)
        message, error = self._message_for_edit(request)
        if message is None:
            return error or _bad_request("message to edit not found")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        text = request.params["text"]
        if message.get("text") == text and message.get("reply_markup") == new_markup:
            return _bad_request(_NOT_MODIFIED)
        message["text"] = text
        message.pop("caption", None)
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        return _ok(copy.deepcopy(message))

    async def _api_edit_message_reply_markup(self, request: _Request) -> _Reply:
        markup = request.params.get("reply_markup")
        markup_error = _check_inline_keyboard(markup)
        if markup_error:
            return _bad_request(markup_error)
        message, error = self._message_for_edit(request)
        if message is None:
            return error or _bad_request("message to edit not found")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("reply_markup") == new_markup:
            return _bad_request(_NOT_MODIFIED)
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = int(time.time())
        return _ok(copy.deepcopy(message))

    async def _api_answer_callback_query(self, request: _Request) -> _Reply:
        params = request.params
        if not params.get("callback_query_id"):
            return _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        return _ok(True)

    def _upload(
        self, request: _Request, field: str
    ) -> tuple[JSONDict, UploadedFile | None, _Reply | None]:
        """The checked caption and keyboard of a photo or document send, and its file
        (the bot always uploads: charts and exports are made per person)."""
        params = request.params
        error = self._check_text(params.get("caption"), caption=True)
        if error is not None:
            return {}, None, error
        content, error = self._keyboard(request)
        if error is not None:
            return content, None, error
        value = params.get(field)
        upload = request.files.get(field)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = request.files.get(value[len("attach://") :])
        if upload is None:
            return content, None, _bad_request(f"there is no {field} in the request")
        if isinstance(params.get("caption"), str):
            content["caption"] = params["caption"]
        return content, upload, None

    async def _api_send_photo(self, request: _Request) -> _Reply:
        assert request.chat_key is not None
        content, upload, error = self._upload(request, "photo")
        if error is not None or upload is None:
            return error or _bad_request("there is no photo in the request")
        content["photo"] = self._photo_sizes(len(upload.data))
        return _ok(self._new_bot_message(request.chat_key, content))

    async def _api_send_document(self, request: _Request) -> _Reply:
        assert request.chat_key is not None
        content, upload, error = self._upload(request, "document")
        if error is not None or upload is None:
            return error or _bad_request("there is no document in the request")
        content["document"] = {
            **self._file_fields(len(upload.data)),
            "file_name": upload.filename,
            "mime_type": upload.content_type,
        }
        return _ok(self._new_bot_message(request.chat_key, content))


@pytest_asyncio.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotApi]:
    """A started :class:`FakeBotApi` (token :data:`DEFAULT_TOKEN`), stopped after the test.

    Function-scoped on purpose: every test gets fresh records, queues and faults.
    Re-export it from ``tests/conftest.py`` with
    ``from tests.support.fakebotapi import fake_bot_api  # noqa: F401``.
    """
    async with FakeBotApi(token=DEFAULT_TOKEN) as server:
        yield server
