"""Starting and stopping the bot, the same way in production and in tests.

``running`` is an async context manager rather than PTB's ``run_polling``: it lets the
tests drive exactly the production start-up (migrations done, command menu set,
polling or webhook started) inside their own event loop.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, Literal
from urllib.parse import urlparse

from telegram import Update
from telegram.ext import Application

from bot.dispatcher import Dispatcher
from bot.features.reminders import advance, screening
from bot.maintenance import prune, run_retention
from bot.reminder_sender import make_sender
from bot.services import Services
from bot.telegram_app import build_application, set_commands

log = logging.getLogger(__name__)

Mode = Literal["polling", "webhook"]
TICK_SECONDS = 20.0
MAINTENANCE_SECONDS = 6 * 3600.0
DISPATCHER = "dispatcher"


def schedule_reminders(
    app: Application[Any, Any, Any, Any, Any, Any],
    services: Services,
    tick_seconds: float = TICK_SECONDS,
) -> Dispatcher:
    """One repeating APScheduler job for all reminders of all users.

    Missed runs are ours to judge (the grace window in the store), so APScheduler may
    coalesce them and never runs two ticks at once.
    """
    dispatcher = Dispatcher(
        services.store,
        services.clock,
        make_sender(app.bot, services),
        advance,
        screening=screening(),
    )
    app.bot_data[DISPATCHER] = dispatcher

    async def tick(_context: Any) -> None:
        await dispatcher.tick()

    assert app.job_queue is not None
    app.job_queue.run_repeating(
        tick,
        interval=tick_seconds,
        first=1.0,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    return dispatcher


def schedule_maintenance(
    app: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> None:
    """The retention policy runs a few times a day; it is idempotent."""

    async def warn(user_id: int) -> None:
        user = await asyncio.to_thread(services.store.get_user, user_id)
        language = user.language if user else services.conversations.default_language
        t = services.catalogue.translator(language)
        await app.bot.send_message(user_id, t("privacy.retention_warning"))

    async def upkeep(_context: Any) -> None:
        await run_retention(
            services.store, services.clock, services.settings.retention_months, warn
        )
        await prune(services.store, services.clock)

    assert app.job_queue is not None
    app.job_queue.run_repeating(
        upkeep,
        interval=MAINTENANCE_SECONDS,
        first=30.0,
        name="maintenance",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )


def webhook_path(webhook_url: str) -> str:
    """The path part of ``WEBHOOK_URL``: we serve it unchanged so a proxy can forward it."""
    return urlparse(webhook_url).path.lstrip("/")


@asynccontextmanager
async def running(
    services: Services, *, poll_timeout: float = 10.0, tick_seconds: float = TICK_SECONDS
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    settings = services.settings
    app = build_application(services)
    schedule_reminders(app, services, tick_seconds)
    schedule_maintenance(app, services)
    mode: Mode = "webhook" if settings.webhook_url else "polling"
    await app.initialize()
    try:
        await set_commands(app)
        assert app.updater is not None
        if mode == "webhook":
            await app.updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=webhook_path(settings.webhook_url),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret or None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await app.bot.delete_webhook()
            await app.updater.start_polling(
                poll_interval=0.0, timeout=int(poll_timeout), allowed_updates=Update.ALL_TYPES
            )
        await app.start()
        log.info("bot started (%s)", mode)
        try:
            yield app
        finally:
            # Each step runs even if the one before failed, so shutdown never meets a
            # still-running application.
            try:
                if app.updater.running:
                    await app.updater.stop()
            finally:
                if app.running:
                    await app.stop()
    finally:
        await app.shutdown()
        log.info("bot stopped")


async def serve_forever(services: Services) -> None:
    """Run until SIGINT or SIGTERM, then shut down cleanly (in-flight turns finish)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with running(services):
        await stop.wait()
