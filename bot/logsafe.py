"""Logging that never leaks the bot token, message texts or raw user ids.

PTB logs the Bot API URL (which holds the token) and every request's parameters
(message texts) at DEBUG, and httpx logs request URLs at INFO. So: those loggers are
capped, and every record is redacted where it is made, whatever handler receives it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import traceback
from typing import Any

_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# Logger -> the lowest level it may log at: below it, these dump payloads or URLs.
_CAPS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "tornado.access": logging.WARNING,
    "alembic.runtime.plugins": logging.WARNING,
}
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "<token>")
    return _TOKEN_SHAPE.sub("<token>", text)


def _make_record_factory(previous: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Keep the exception type and where it happened, never its text: that may
            # quote a URL with the token or a user's message.
            where = "".join(traceback.format_tb(record.exc_info[2])).rstrip()
            record.msg = f"{record.getMessage()} [{type(record.exc_info[1]).__name__}]\n{where}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return record

    return factory


def harden_logging(token: str = "") -> None:
    """Redact ``token`` everywhere and cap the loggers that dump payloads. Idempotent."""
    global _installed
    if token:
        _secrets.add(token)
        set_ref_key(token)
    if not _installed:
        logging.setLogRecordFactory(_make_record_factory(logging.getLogRecordFactory()))
        _installed = True
    for name, floor in _CAPS.items():
        logger = logging.getLogger(name)
        if logger.level < floor:
            logger.setLevel(floor)


def configure_logging(level: str, token: str = "") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    harden_logging(token)


_ref_key = secrets.token_bytes(32)


def set_ref_key(secret: str) -> None:
    """Key the log pseudonyms with a secret of the deployment (derived from the token),
    so they are stable across restarts yet cannot be reversed by trying every id."""
    global _ref_key
    if secret:
        _ref_key = hashlib.blake2b(
            secret.encode(), digest_size=32, person=b"backcoach-ref"
        ).digest()


def user_ref(user_id: int) -> str:
    """A short stable pseudonym for logs: enough to follow one user's trail, not to
    find out who they are (a keyed hash: Telegram ids are too few to hide otherwise)."""
    return hashlib.blake2b(str(user_id).encode(), digest_size=6, key=_ref_key).hexdigest()
