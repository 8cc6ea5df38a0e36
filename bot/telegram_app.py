"""The PTB ``Application``: handlers that turn updates into engine events and engine
replies into Telegram messages. Nothing here knows what a flow asks."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.charts import render_chart_async
from bot.conversation import Incoming, Outgoing
from bot.logsafe import harden_logging, user_ref
from bot.rate_limit import PacedRateLimiter
from bot.services import Services
from flows.i18n import Translator
from flows.runtime import Attachment, Chart

log = logging.getLogger(__name__)

SERVICES = "services"

PRIVATE = filters.ChatType.PRIVATE
NEW_MESSAGE = filters.UpdateType.MESSAGE


def application_builder(services: Services) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """Token and ``TELEGRAM_API_BASE_URL``, with the token kept out of the logs; the rate
    limiter and the network are added by :func:`build_application` (the throughput
    benchmark adds its own instead)."""
    settings = services.settings
    harden_logging(settings.telegram_bot_token)
    base = settings.telegram_api_base_url
    return (
        Application.builder()
        .token(settings.require_token())
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
    )


def wire(
    app: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> Application[Any, Any, Any, Any, Any, Any]:
    """Services in ``bot_data`` and every handler."""
    app.bot_data[SERVICES] = services
    register_handlers(app)
    return app


def build_application(services: Services) -> Application[Any, Any, Any, Any, Any, Any]:
    """The real Application, pointed at ``TELEGRAM_API_BASE_URL``."""
    limiter = smooth_rate_limiter(services.settings.telegram_max_sends_per_second)
    return wire(application_builder(services).rate_limiter(limiter).build(), services)


def smooth_rate_limiter(per_second: float = 30.0) -> PacedRateLimiter:
    """Telegram's 30 messages a second, as one message every 1/30 s.

    PTB's default (30 per 1 s) lets a burst of 30 through on top of the steady rate
    after any pause; Telegram answers that with 429 and the limiter then halts every
    send. Spacing the tokens evenly keeps the same rate without the bursts, also after
    a 429's pause (see :mod:`bot.rate_limit`; measured with ``python -m bench.reminders``).
    20 a minute per group stays as it was.
    """
    return PacedRateLimiter(per_second=per_second, max_retries=3)


def register_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & filters.COMMAND, on_command))
    app.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE & filters.TEXT, on_text))
    app.add_handler(MessageHandler(PRIVATE & NEW_MESSAGE, on_media))
    app.add_handler(CallbackQueryHandler(on_press))
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS
            & NEW_MESSAGE
            & (filters.COMMAND | filters.Regex(r"^/") | filters.Entity("mention")),
            on_group,
        )
    )
    # Everything else (edited messages, channel posts, group chatter, member updates)
    # is ignored on purpose: it is not addressed to the coach.
    app.add_error_handler(on_error)


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services: Services = context.application.bot_data[SERVICES]
    return services


def _incoming(update: Update, **fields: Any) -> Incoming:
    user = update.effective_user
    assert user is not None
    return Incoming(
        user_id=user.id, language_code=user.language_code, first_name=user.first_name, **fields
    )


async def _run_turn(
    update: Update, context: ContextTypes.DEFAULT_TYPE, incoming: Incoming
) -> list[Outgoing]:
    result = await asyncio.to_thread(_services(context).conversations.handle, incoming)
    chat = update.effective_chat
    assert chat is not None
    await send_replies(context, chat.id, result.replies)
    return result.replies


async def send_replies(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Outgoing]
) -> None:
    for reply in replies:
        await context.bot.send_message(chat_id, reply.text, reply_markup=keyboard(reply))
        if reply.attachment is not None:
            await send_attachment(context.bot, chat_id, reply.attachment)


async def send_attachment(bot: Bot, chat_id: int, attachment: Attachment) -> None:
    """Send a chart or file after its text. If it fails, the text has already arrived,
    so the user still has the words; the failure is only logged."""
    try:
        if isinstance(attachment, Chart):
            png = await render_chart_async(attachment.data, attachment.labels)
            await bot.send_photo(chat_id, InputFile(png, filename="summary.png"))
        else:
            await bot.send_document(
                chat_id,
                InputFile(attachment.content, filename=attachment.filename),
                caption=attachment.caption or None,
            )
    except Exception as exc:  # Telegram refused it, or drawing the chart failed
        log.warning("could not send an attachment: %s", type(exc).__name__)


def keyboard(reply: Outgoing) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in reply.buttons
        ]
    )


def command_name(text: str) -> str:
    """``/Start@backcoach_bot args`` -> ``start``."""
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    return word.lstrip("/").split("@", 1)[0].lower()[:32]


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await _run_turn(
        update, context, _incoming(update, kind="command", command=command_name(message.text))
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await _run_turn(update, context, _incoming(update, kind="text", text=message.text))


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE or not isinstance(query.data, str):
        await query.answer()
        return
    # Telegram refuses answers to queries older than a few seconds (after downtime, or
    # behind a queue): the press itself must still count.
    with suppress(BadRequest):
        await query.answer()
    incoming = _incoming(update, kind="press", callback=query.data)
    result = await asyncio.to_thread(_services(context).conversations.handle, incoming)
    replies = result.replies
    chat_id, message_id = message.chat.id, message.message_id
    # The answer to the question on screen takes its place: one paced call per step
    # instead of a new message plus an edit taking the old buttons off.
    first = replies[0] if replies else None
    if first is not None and first.in_place and first.attachment is None and not result.stale:
        # Refused (older than Telegram allows to edit, or deleted): the answer comes as
        # a new message. The old buttons stay, and a press on them is a stale one.
        edited = await edit_in_place(context.bot, chat_id, message_id, first)
        await send_replies(context, chat_id, replies[1:] if edited else replies)
        return
    await send_replies(context, chat_id, replies)
    # Tidy the chat: the pressed question's buttons are used up either way.
    with suppress(BadRequest):  # the message is too old to edit, or had no buttons left
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def edit_in_place(bot: Bot, chat_id: int, message_id: int, reply: Outgoing) -> bool:
    """Turn the pressed message into ``reply``; False when Telegram refuses to edit it
    (a bot may edit its messages for 48 hours; the user may have deleted it), so the
    caller sends it instead. "Not modified" means the message already reads so.

    Only a plain text takes the place (a chart or a file comes as its own message after
    its text; the caller sends those). An edit is paced like a send and a 429 is waited
    out and retried by the rate limiter (:mod:`bot.rate_limit`); a timeout propagates
    as a send's does, never followed by a second copy.
    """
    try:
        await bot.edit_message_text(
            reply.text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard(reply)
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True
        log.info("could not edit the pressed message (%s): sending the reply", exc.message)
        return False
    return True


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    stored = await asyncio.to_thread(services.store.get_user, user.id)
    t = services.catalogue.translator(stored.language) if stored else _guess(update, services)
    await context.bot.send_message(chat.id, t("common.media_reply"))


def _guess(update: Update, services: Services) -> Translator:
    """The language Telegram reports for the sender, for answers outside a turn."""
    user = update.effective_user
    return services.catalogue.translator(
        services.catalogue.pick_language(
            user.language_code if user else None, services.conversations.default_language
        )
    )


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    message = update.effective_message
    assert message is not None
    await message.reply_text(_guess(update, services)("common.group_reply"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the update id and the exception type only, then tell the user kindly."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "update %s failed: %s",
        update_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return
    services = _services(context)
    user = update.effective_user
    t = _guess(update, services)
    try:
        await context.bot.send_message(update.effective_chat.id, t("common.error"))
    except TelegramError:
        log.warning("could not tell user %s about an error", user_ref(user.id) if user else "?")


async def set_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu, in every language we speak (and the default without a code)."""
    services: Services = app.bot_data[SERVICES]
    catalogue = services.catalogue
    default = services.conversations.default_language
    for language in [None, *catalogue.languages]:
        described = catalogue.section(language or default, "common.commands")
        commands = [BotCommand(name, str(text)) for name, text in described.items()]
        await app.bot.set_my_commands(commands, language_code=language)
