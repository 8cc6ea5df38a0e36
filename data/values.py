"""Plain frozen copies of the rows that leave the store (a user, their place in a flow,
one of their reminders): safe to pass between threads and layers, and never a live ORM
object that could lazy-load or write back behind a caller's back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from data.models import Reminder


@dataclass(frozen=True)
class UserInfo:
    """A plain copy of a user row, safe to pass between threads and layers."""

    id: int
    language: str
    timezone: str
    consent_version: int | None
    consent_at: datetime | None
    consent_refused_at: datetime | None
    active: bool
    created_at: datetime
    last_seen_at: datetime
    daily_limit: int | None = 4

    @property
    def has_consent(self) -> bool:
        return self.consent_version is not None and self.consent_at is not None

    @classmethod
    def of(cls, row: Any) -> UserInfo:
        """From a ``User`` object or a row with the same column names."""
        return cls(
            id=row.id,
            language=row.language,
            timezone=row.timezone,
            consent_version=row.consent_version,
            consent_at=row.consent_at,
            consent_refused_at=row.consent_refused_at,
            active=row.active,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            daily_limit=row.daily_limit,
        )


@dataclass(frozen=True)
class SavedState:
    """A user's stored place in a flow."""

    flow: str
    step: str
    answers: dict[str, Any]
    nonce: str
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> SavedState:
        """From a ``ConversationState`` object or a row with the same column names."""
        return cls(row.flow, row.step, dict(row.answers), row.nonce, row.updated_at)


@dataclass(frozen=True)
class ReminderInfo:
    """A plain copy of one of the user's reminder rows."""

    id: int
    kind: str
    rule: dict[str, Any]
    enabled: bool
    next_due_at: datetime | None
    one_off: bool = False
    asked_at: datetime | None = None

    @classmethod
    def of(cls, row: Reminder) -> ReminderInfo:
        return cls(
            row.id or 0,
            row.kind,
            dict(row.rule),
            row.enabled,
            row.next_due_at,
            row.one_off,
            row.asked_at,
        )
