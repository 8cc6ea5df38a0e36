"""Tests for the fake Bot API server, driven through a real ``telegram.Bot``.

Why: every other bot test trusts this fake, so it must speak the wire protocol
PTB really uses (form-encoded / multipart bodies, JSON replies, HTTP status codes
mapped to PTB exceptions).  No PTB networking is patched here; requests go through
``HTTPXRequest`` over a real socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import warnings
from collections.abc import AsyncIterator

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.support.fakebotapi import (
    BOT_USERNAME,
    DEFAULT_TOKEN,
    Call,
    FakeBotApi,
    fake_bot_api,  # noqa: F401  (fixture)
)

# PTB itself reads RetryAfter.retry_after while building the exception message.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ]
    ]
)
KEYBOARD_JSON = {
    "inline_keyboard": [
        [{"text": "Yes", "callback_data": "yes"}, {"text": "No", "callback_data": "no"}]
    ]
}


def retry_seconds(exc: RetryAfter) -> float:
    """PTB 22 returns int or timedelta depending on PTB_TIMEDELTA (and warns about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def real_bot(server: FakeBotApi, token: str = DEFAULT_TOKEN) -> Bot:
    """A plain ``telegram.Bot`` pointed at the fake exactly as the application will do it."""
    return Bot(token, base_url=f"{server.base_url}/bot")


@pytest.fixture
async def server(fake_bot_api: FakeBotApi) -> FakeBotApi:  # noqa: F811
    return fake_bot_api


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with real_bot(server) as initialized:
        yield initialized


# --------------------------------------------------------------------------- basics


async def test_fixture_serves_on_localhost(server: FakeBotApi) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}"
    assert server.port > 0
    assert server.token == DEFAULT_TOKEN


async def test_get_me(bot: Bot, server: FakeBotApi) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.id == 123456
    assert me.username == BOT_USERNAME
    assert me.first_name
    assert server.calls_to("getMe")
    assert all(call.status == 200 and call.chat_id is None for call in server.calls_to("getMe"))


async def test_send_message_records_inline_keyboard(bot: Bot, server: FakeBotApi) -> None:
    message = await bot.send_message(42, "Hello", reply_markup=KEYBOARD)
    second = await bot.send_message(42, "Again")
    other_chat = await bot.send_message(43, "Other")

    assert message.text == "Hello"
    assert message.chat.id == 42
    assert message.chat.type == "private"
    assert message.from_user is not None and message.from_user.username == BOT_USERNAME
    assert message.reply_markup == KEYBOARD
    assert (message.message_id, second.message_id, other_chat.message_id) == (1, 2, 1)

    [call, call2] = server.sent_messages(42)
    assert call.method == "sendMessage"
    assert call.params["chat_id"] == 42
    assert call.params["text"] == "Hello"
    assert call.params["reply_markup"] == KEYBOARD_JSON
    assert call.chat_id == 42 and call.status == 200 and call.files == {}
    assert "reply_markup" not in call2.params
    assert server.delivered() == 3
    assert server.delivered(43) == 1


async def test_send_photo_and_document_multipart(bot: Bot, server: FakeBotApi) -> None:
    png = b"\x89PNG\r\n\x1a\nfake image bytes"
    message = await bot.send_photo(42, photo=png, caption="Your chart", reply_markup=KEYBOARD)

    [call] = server.sent_messages(42)
    assert call.method == "sendPhoto"
    assert call.files["photo"].data == png
    assert call.params["caption"] == "Your chart"
    assert call.params["chat_id"] == 42
    assert call.params["reply_markup"] == KEYBOARD_JSON  # JSON field decoded from multipart
    assert message.caption == "Your chart"
    assert len(message.photo) == 2
    assert message.reply_markup == KEYBOARD

    assert message.photo[-1].file_size == len(png)

    csv = b"day,pain\n1,4\n"
    document = await bot.send_document(
        42, document=InputFile(csv, filename="report.csv"), caption="Export"
    )
    doc_call = server.sent_messages(42)[-1]
    assert doc_call.method == "sendDocument"
    assert doc_call.files["document"].filename == "report.csv"
    assert doc_call.files["document"].data == csv
    assert document.document is not None and document.document.file_name == "report.csv"
    assert document.document.file_size == len(csv)


# --------------------------------------------------------------------------- updates


async def test_long_poll_wakes_up_on_pushed_update(bot: Bot, server: FakeBotApi) -> None:
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await server.wait_polling()
    assert not poll.done()

    pushed_at = loop.time()
    queued = server.push_update(server.user_message(7, "hi there", first_name="Ann"))
    updates = await asyncio.wait_for(poll, timeout=3)

    assert loop.time() - pushed_at < 2.0  # woken by the push, not by the 5 s timeout
    assert [update.update_id for update in updates] == [queued["update_id"]]
    message = updates[0].message
    assert message is not None and message.text == "hi there"
    assert message.from_user is not None and message.from_user.id == 7
    assert message.from_user.language_code == "en"
    assert message.chat.id == 7 and message.chat.type == "private"


async def test_long_poll_returns_empty_after_timeout(bot: Bot, server: FakeBotApi) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    updates = await bot.get_updates(timeout=1)
    elapsed = loop.time() - started
    assert updates == ()
    assert 0.9 <= elapsed < 3.0
    assert server.calls_to("getUpdates")[-1].params["timeout"] == 1


async def test_offset_confirms_updates(bot: Bot, server: FakeBotApi) -> None:
    ids = [server.push_update(server.user_message(7, f"m{i}"))["update_id"] for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3

    assert [u.update_id for u in await bot.get_updates()] == ids
    assert server.pending_update_count == 3  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(limit=1)] == ids[:1]

    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert server.pending_update_count == 2
    assert await bot.get_updates(offset=ids[-1] + 1) == ()
    assert server.pending_update_count == 0

    explicit = server.push_update({"update_id": 500, **server.user_message(7, "explicit")})
    assert explicit["update_id"] == 500
    assert server.push_update(server.user_message(7, "next"))["update_id"] == 501


async def test_second_poller_conflicts_with_first(server: FakeBotApi) -> None:
    async with real_bot(server) as first, real_bot(server) as second:
        first_poll = asyncio.create_task(first.get_updates(timeout=5))
        await server.wait_polling()
        second_poll = asyncio.create_task(second.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first_poll, timeout=3)
        server.push_update(server.user_message(9, "to the survivor"))
        updates = await asyncio.wait_for(second_poll, timeout=3)
        assert [u.message.text for u in updates if u.message] == ["to the survivor"]
    assert [call.status for call in server.calls_to("getUpdates")] == [409, 200]


async def test_builders_produce_updates_ptb_can_parse(bot: Bot, server: FakeBotApi) -> None:
    sent = await bot.send_message(42, "Pick one", reply_markup=KEYBOARD)
    server.push_update(server.callback(42, "yes"))
    server.push_update(server.command(42, "/start ref_abc"))
    server.push_update(server.sticker(42))
    server.push_update(server.photo(42, caption="my desk"))
    voice_update = server.push_update(server.voice(42, duration=4))
    server.push_update(server.edited_message(42, "fixed typo"))
    server.push_update(server.group_message(42, -1001234, "hello group"))

    updates = await bot.get_updates()
    assert len(updates) == 7
    callback, command, sticker, photo, voice, edited, group = updates

    query = callback.callback_query
    assert query is not None and query.data == "yes" and query.from_user.id == 42
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.message.chat.id == 42
    assert await bot.answer_callback_query(query.id) is True

    assert command.message is not None
    assert command.message.text == "/start ref_abc"
    assert command.message.entities == (
        MessageEntity(MessageEntity.BOT_COMMAND, offset=0, length=len("/start")),
    )
    assert sticker.message is not None and sticker.message.sticker is not None
    assert photo.message is not None and photo.message.photo and photo.message.caption == "my desk"
    assert voice.message is not None and voice.message.voice is not None
    assert voice_update["message"]["voice"]["duration"] == 4
    assert edited.edited_message is not None and edited.edited_message.text == "fixed typo"
    assert group.message is not None and group.message.chat.type == "supergroup"
    assert group.message.chat.id == -1001234 and group.message.from_user is not None

    # message ids are per chat and shared between user and bot messages, like Telegram
    user_ids = [u.message.message_id for u in (command, sticker, photo, voice) if u.message]
    assert user_ids == sorted(user_ids) and user_ids[0] > sent.message_id


async def test_callback_without_a_bot_message_is_an_error(server: FakeBotApi) -> None:
    with pytest.raises(ValueError, match="pass message_id"):
        server.callback(5, "x")
    assert server.callback(5, "x", message_id=3)["callback_query"]["message"]["message_id"] == 3


# --------------------------------------------------------------------------- errors


async def test_fail_next_429_raises_retry_after(bot: Bot, server: FakeBotApi) -> None:
    server.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "first try")
    assert retry_seconds(caught.value) == 3

    await bot.send_message(42, "second try")
    assert [c.status for c in server.calls_to("sendMessage")] == [429, 200]
    assert [c.params["text"] for c in server.sent_messages()] == ["second try"]
    assert server.stats["429"] == 1
    assert server.delivered() == 1


async def test_forbidden_when_blocked(bot: Bot, server: FakeBotApi) -> None:
    server.fail_next("sendMessage", status=403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "hello")

    server.blocked_chats.add(99)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(99, "hello")
    with pytest.raises(Forbidden):
        await bot.send_photo(99, photo=b"\x89PNG")
    assert await bot.send_message(42, "still fine")
    assert server.delivered(99) == 0
    assert [c.status for c in server.calls if c.chat_id == 99] == [403, 403]


@pytest.mark.parametrize(
    ("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")]
)
async def test_server_errors_raise_network_error(
    bot: Bot, server: FakeBotApi, status: int, description: str
) -> None:
    server.fail_next("*", status=status)
    with pytest.raises(NetworkError, match=description) as caught:
        await bot.send_message(42, "hello")
    assert not isinstance(caught.value, TimedOut | RetryAfter)
    assert server.calls[-1].status == status
    assert server.delivered() == 0


async def test_delay_causes_timed_out_but_still_delivers(server: FakeBotApi) -> None:
    loop = asyncio.get_running_loop()
    server.delay_next("sendMessage", 1.5)
    async with Bot(
        server.token, base_url=f"{server.base_url}/bot", request=HTTPXRequest(read_timeout=0.2)
    ) as bot:
        started = loop.time()
        with pytest.raises(TimedOut):
            await bot.send_message(42, "slow")
        assert loop.time() - started < 1.0

        # The slow request must not block the server for anyone else: getMe is
        # answered while sendMessage is still being "processed".
        await bot.get_me()
        assert server.calls_to("sendMessage") == []

        # Like Telegram, the message is delivered even though the client gave up.
        [call] = await server.wait_for("sendMessage", timeout=3)
        assert call.params["text"] == "slow"
        assert server.delivered(42) == 1


async def test_wrong_token_is_unauthorized(server: FakeBotApi) -> None:
    async with real_bot(server) as good:
        assert await good.get_me()
    bad = real_bot(server, token="999:WRONG")
    try:
        with pytest.raises(InvalidToken, match="rejected"):
            await bad.initialize()  # what Application.initialize() does first
    finally:
        await bad.shutdown()
    last = server.calls[-1]
    assert (last.method, last.status) == ("getMe", 401)

    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.base_url}/bot999:WRONG/sendMessage")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404(bot: Bot, server: FakeBotApi) -> None:
    with pytest.raises(EndPointNotFound, match="sendTelepathicMessage"):
        await bot.do_api_request("sendTelepathicMessage", api_kwargs={"chat_id": 1})
    assert server.calls[-1].status == 404
    assert server.calls[-1].method == "sendTelepathicMessage"


async def test_fail_randomly_is_deterministic(bot: Bot, server: FakeBotApi) -> None:
    async def outcomes() -> list[int]:
        server.fail_randomly("sendMessage", 0.5, statuses=(429, 500), seed=1234)
        before = len(server.calls)
        for i in range(12):
            with contextlib.suppress(RetryAfter, NetworkError):
                await bot.send_message(42, f"m{i}")
        return [call.status for call in server.calls[before:]]

    first = await outcomes()
    second = await outcomes()
    assert first == second
    assert set(first) == {200, 429, 500}
    server.fail_randomly("sendMessage", 0)
    assert await bot.send_message(42, "calm again")


async def test_length_and_button_validation(bot: Bot, server: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(42, " ")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        await bot.send_message(42, "too much data", reply_markup=markup)
    assert await bot.send_message(42, "x" * 4096)
    assert server.delivered() == 1


# --------------------------------------------------------------------------- edits


async def test_editing_the_keyboard_away(bot: Bot, server: FakeBotApi) -> None:
    sent = await bot.send_message(42, "Question?", reply_markup=KEYBOARD)
    without_keyboard = await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id)
    assert not isinstance(without_keyboard, bool) and without_keyboard.reply_markup is None
    assert without_keyboard.edit_date is not None
    assert without_keyboard.message_id == sent.message_id
    assert server.calls_to("editMessageReplyMarkup")[-1].status == 200

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(chat_id=42, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=42, message_id=999)


async def test_editing_a_question_into_the_next(bot: Bot, server: FakeBotApi) -> None:
    sent = await bot.send_message(42, "Question?", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text(
        "Next question?", chat_id=42, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Next question?" and edited.edit_date is not None
    assert edited.message_id == sent.message_id and edited.reply_markup == KEYBOARD
    assert server.calls_to("editMessageText")[-1].status == 200
    # A later press under it carries the message as it now reads.
    pressed = server.callback(42, "x", sent.message_id)["callback_query"]["message"]
    assert pressed["text"] == "Next question?" and "reply_markup" in pressed

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Next question?", chat_id=42, message_id=sent.message_id, reply_markup=KEYBOARD
        )
    done = await bot.edit_message_text("Saved.", chat_id=42, message_id=sent.message_id)
    assert not isinstance(done, bool) and done.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("late", chat_id=42, message_id=999)
    assert server.delivered() == 1, "an edit is not a new message"


# --------------------------------------------------------------------------- rate limits


async def test_rate_limit_per_chat() -> None:
    async with FakeBotApi(enforce_limits=True) as limited, real_bot(limited) as bot:
        await bot.send_message(1, "first")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1, "second")
        assert retry_seconds(caught.value) == 1
        await bot.send_message(2, "other chat is fine")

        assert limited.stats["429"] == 1
        assert limited.stats["rate_limited"] == 1
        assert limited.delivered(1) == 1
        assert limited.delivered() == 2
        assert [c.status for c in limited.calls_to("sendMessage")] == [200, 429, 200]


async def test_rate_limit_global_and_duplicates() -> None:
    async with FakeBotApi(enforce_limits=True, global_rate=3) as limited:
        async with real_bot(limited) as bot:
            results = await asyncio.gather(
                *(bot.send_message(chat, "daily tip") for chat in range(1, 6)),
                return_exceptions=True,
            )
        rejected = [r for r in results if isinstance(r, RetryAfter)]
        assert len(rejected) == 2
        assert limited.delivered() == 3
        assert limited.stats["429"] == 2
        assert limited.duplicate_sends() == {}

    async with FakeBotApi() as unlimited, real_bot(unlimited) as bot:
        await bot.send_message(7, "same")
        await bot.send_message(7, "same")
        assert unlimited.duplicate_sends() == {(7, "same"): 2}


# --------------------------------------------------------------------------- webhooks & commands


class _WebhookReceiver(tornado.web.RequestHandler):
    """Minimal webhook endpoint checking the secret header, like PTB's webhook server."""

    def initialize(self, received: list[tuple[dict[str, object], str | None]]) -> None:
        self.received = received

    def post(self) -> None:
        secret = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((json.loads(self.request.body), secret))
        self.set_status(200 if secret == "s3cr3t" else 403)


async def test_webhook_roundtrip(bot: Bot, server: FakeBotApi) -> None:
    received: list[tuple[dict[str, object], str | None]] = []
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    receiver = tornado.httpserver.HTTPServer(
        tornado.web.Application([(r"/hook", _WebhookReceiver, {"received": received})])
    )
    receiver.add_sockets(sockets)
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook"
    try:
        server.push_update(server.user_message(7, "old"))
        assert await bot.set_webhook(url, secret_token="s3cr3t", drop_pending_updates=True)
        assert server.webhook_url == url
        assert server.webhook_secret_token == "s3cr3t"
        assert server.calls_to("setWebhook")[-1].params["secret_token"] == "s3cr3t"
        assert server.pending_update_count == 0  # dropped
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()

        update = server.user_message(7, "via webhook")
        assert await server.post_webhook(update, secret_token="s3cr3t") == 200
        assert await server.post_webhook(update) == 403
        (body, secret), (_, no_secret) = received
        assert secret == "s3cr3t" and no_secret is None
        assert body["message"] == update["message"] and isinstance(body["update_id"], int)

        assert await bot.delete_webhook()
        assert server.webhook_url == ""
        with pytest.raises(RuntimeError, match="no webhook registered"):
            await server.post_webhook(update)
    finally:
        receiver.stop()
        await receiver.close_all_connections()


async def test_commands_per_scope_and_language(bot: Bot, server: FakeBotApi) -> None:
    private = BotCommandScopeAllPrivateChats()
    commands = [BotCommand("start", "Begin"), BotCommand("pain", "Log pain")]
    assert await bot.set_my_commands(commands, scope=private, language_code="fr")
    assert await bot.set_my_commands([BotCommand("start", "Start")])

    assert server.commands == {
        ('{"type": "all_private_chats"}', "fr"): [
            {"command": "start", "description": "Begin"},
            {"command": "pain", "description": "Log pain"},
        ],
        ('{"type": "default"}', ""): [{"command": "start", "description": "Start"}],
    }
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])


# --------------------------------------------------------------------------- raw wire formats


async def test_form_bodies_are_decoded(server: FakeBotApi) -> None:
    api = f"{server.base_url}/bot{DEFAULT_TOKEN}"
    async with httpx.AsyncClient() as client:
        as_form = await client.post(
            f"{api}/sendMessage",
            data={"chat_id": "5", "text": "123", "reply_markup": json.dumps(KEYBOARD_JSON)},
        )

    assert as_form.status_code == 200 and as_form.json()["result"]["message_id"] == 1

    [form_call] = server.sent_messages(5)
    assert form_call.params["text"] == "123"  # text stays a string even if it looks numeric
    assert form_call.params["chat_id"] == 5
    assert form_call.params["reply_markup"] == KEYBOARD_JSON


# --------------------------------------------------------------------------- helpers


async def test_wait_for_counts_and_reports(bot: Bot, server: FakeBotApi) -> None:
    sends = asyncio.gather(*(bot.send_message(42, f"tip {i}") for i in range(3)))
    calls = await server.wait_for("sendMessage", count=3)
    await sends
    assert sorted(call.params["text"] for call in calls) == ["tip 0", "tip 1", "tip 2"]

    def to_chat_42(call: Call) -> bool:
        return call.chat_id == 42

    assert len(await server.wait_for(to_chat_42, count=3)) == 3

    with pytest.raises(TimeoutError, match=r"sendPhoto.*getMe\[200\].*sendMessage\[200\]"):
        await server.wait_for("sendPhoto", timeout=0.2)
    with pytest.raises(ValueError, match="unknown Bot API method"):
        server.fail_next("send_message")


async def test_stop_releases_pending_long_poll() -> None:
    loop = asyncio.get_running_loop()
    fake = FakeBotApi()
    await fake.start()
    async with real_bot(fake) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await fake.wait_polling()
        started = loop.time()
        await fake.stop()
        assert await asyncio.wait_for(poll, timeout=3) == ()
        assert loop.time() - started < 2.5


async def test_ptb_application_polls_and_replies(server: FakeBotApi) -> None:
    """The way the bot really runs: Application + Updater long polling against the fake."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("welcome")

    app = Application.builder().token(server.token).base_url(f"{server.base_url}/bot").build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        await server.wait_polling()
        server.push_update(server.command(5, "/start"))
        [reply] = await server.wait_for("sendMessage")
        await app.updater.stop()
        await app.stop()

    assert reply.params == {"chat_id": 5, "text": "welcome"}
    assert server.pending_update_count == 0  # the updater confirmed the update on stop
    polls = server.calls_to("getUpdates")
    assert polls[0].params["timeout"] == 10
    assert {call.status for call in polls} <= {200, 499}  # 499: poll abandoned at shutdown


# ------------------------------------------------------------------ refused connections


async def test_refusing_connections_can_be_switched_on_and_off_again(server: FakeBotApi) -> None:
    url = f"{server.base_url}/bot{server.token}/getMe"
    for _ in range(2):  # a second outage works like the first
        await server.refuse_connections()
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.post(url)
        server.accept_connections()
        async with httpx.AsyncClient() as client:
            assert (await client.post(url)).status_code == 200


async def test_a_random_refusal_answers_first_then_refuses_new_connections(
    server: FakeBotApi,
) -> None:
    url = f"{server.base_url}/bot{server.token}/getMe"
    server.refuse_connections_randomly(1.0, window=0.2, seed=1)
    async with httpx.AsyncClient() as client:
        first = await client.post(url)  # answered in full, then the door closes
        assert first.status_code == 200 and first.headers["connection"] == "close"
        with pytest.raises(httpx.ConnectError):
            await client.post(url)  # a new connection: refused
    server.refuse_connections_randomly(0.0)
    await asyncio.wait_for(server.refusal_window_over(), timeout=5)
    async with httpx.AsyncClient() as client:
        assert (await client.post(url)).status_code == 200
    assert server.stats["refusal_windows"] == 1
