"""Logging that never leaks the bot token, message texts or raw user ids.

PTB logs the Bot API URL (which contains the token) at DEBUG and httpx logs every
request URL at INFO, so the token is redacted in every record, whatever its source.
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback

_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
_NOISY = ("httpx", "httpcore", "apscheduler", "tornado.access", "alembic.runtime.plugins")


class RedactTokenFilter(logging.Filter):
    """Replaces the configured token, and anything shaped like a token, with a mark."""

    def __init__(self, token: str = "") -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = message.replace(self._token, "<token>") if self._token else message
        cleaned = _TOKEN_SHAPE.sub("<token>", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Keep the exception type and where it happened, never its text: that may
            # quote a URL with the token or a user's message.
            where = "".join(traceback.format_tb(record.exc_info[2])).rstrip()
            record.msg = f"{cleaned} [{type(record.exc_info[1]).__name__}]\n{where}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


def configure_logging(level: str, token: str = "") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokenFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    install_redaction(token)
    for name in _NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def install_redaction(token: str) -> None:
    """Attach the redaction to every existing handler (tests capture logs their own way)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactTokenFilter) for f in handler.filters):
            handler.addFilter(RedactTokenFilter(token))


def user_ref(user_id: int) -> str:
    """A short stable pseudonym for logs: enough to follow one user's trail, not to
    find out who they are."""
    return hashlib.blake2b(str(user_id).encode(), digest_size=5, person=b"backcoach").hexdigest()
