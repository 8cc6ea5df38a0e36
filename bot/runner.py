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

from bot.services import Services
from bot.telegram_app import build_application, set_commands

log = logging.getLogger(__name__)

Mode = Literal["polling", "webhook"]


def webhook_path(webhook_url: str) -> str:
    """The path part of ``WEBHOOK_URL``: we serve it unchanged so a proxy can forward it."""
    return urlparse(webhook_url).path.lstrip("/")


@asynccontextmanager
async def running(
    services: Services, *, poll_timeout: float = 10.0
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    settings = services.settings
    app = build_application(services)
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
            if app.updater.running:
                await app.updater.stop()
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
