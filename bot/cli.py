"""Command line: ``python -m bot [run|chat|migrate|flows]``.

With no sub-command the bot runs on Telegram when a token is configured and opens the
terminal chat otherwise, so the README's one start command works for everyone.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.logsafe import configure_logging
from flows.i18n import CatalogueError, default_catalogue

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run on Telegram (polling, or webhook when WEBHOOK_URL is set)")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user-id", type=int, default=1, help="which local user to be")
    chat.add_argument("--language", default=None, help="language code, e.g. nl")
    sub.add_parser("migrate", help="bring the database schema up to date")
    flows = sub.add_parser("flows", help="print the flows as Mermaid diagrams")
    flows.add_argument("--mermaid", action="store_true", default=True)
    sub.add_parser(
        "vectors",
        help="encode the phrase bank into the cache shipped with the package (after editing it)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        command = args.command or ("run" if settings.telegram_bot_token.strip() else "chat")
        # In the terminal chat, log lines would interleave with the conversation.
        level = (
            "WARNING" if command == "chat" and settings.log_level == "INFO" else settings.log_level
        )
        configure_logging(level, settings.telegram_bot_token)
        if command == "run":
            return _run(settings)
        if command == "chat":
            return _chat(settings, getattr(args, "user_id", 1), getattr(args, "language", None))
        if command == "migrate":
            return _migrate(settings)
        if command == "vectors":
            return _vectors(settings)
        return _flows()
    except (ConfigError, CatalogueError) as exc:
        # One sentence a deployer can act on; a traceback would bury it.
        print(f"backcoach: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(settings: Settings) -> int:
    from bot.runner import serve_forever

    settings.require_token()
    services = _build(settings)
    try:
        asyncio.run(serve_forever(services))
    finally:
        services.store.dispose()
    return 0


def _build(settings: Settings) -> Services:
    from bot.services import build_services
    from data.migrate import DatabaseUnavailable

    try:
        return build_services(settings)
    except DatabaseUnavailable as exc:
        raise ConfigError(
            f"DATABASE_URL cannot be reached ({exc}); check that the "
            "database server runs and the URL is right"
        ) from None


def _chat(settings: Settings, user_id: int, language: str | None) -> int:
    from bot.console import chat

    services = _build(settings)
    try:
        chat(services.conversations, user_id=user_id, language=language)
    finally:
        services.store.dispose()
    return 0


def _migrate(settings: Settings) -> int:
    services = _build(settings)
    services.store.dispose()
    print("backcoach: the database schema is up to date.")
    return 0


def _vectors(settings: Settings) -> int:
    """Rebuild the shipped vector cache after the phrase bank, an exercise or a lesson
    changed; sentences already encoded are reused, the old file is removed."""
    from bot.understanding import (
        DEFAULT_ENCODER,
        SHIPPED_CACHE,
        build_understanding,
        user_cache_dir,
    )

    # The package ships the cache of its own encoder only; another encoder's cache goes
    # to the user's cache folder, where the bot finds it at start.
    shipped = settings.sentence_encoder == DEFAULT_ENCODER
    folder = SHIPPED_CACHE if shipped else user_cache_dir()
    print(f"backcoach: encoding what changed in the phrase bank into {folder} ...")
    before = set(folder.glob("*.npz"))
    built = build_understanding(settings.sentence_encoder, default_catalogue(), cache_dirs=[folder])
    if not built.available:
        print(f"backcoach: {built.status}", file=sys.stderr)
        return 1
    current = folder / f"{built.cache_key}.npz"
    for stale in before - {current} if shipped else ():
        stale.unlink()
    print(f"backcoach: {current.name} is up to date")
    return 0


def _flows() -> int:
    from bot.wiring import build_wiring
    from flows.runtime import mermaid

    for flow in build_wiring().flows.values():
        print(f"%% {flow.name}\n{mermaid(flow)}\n")
    return 0
