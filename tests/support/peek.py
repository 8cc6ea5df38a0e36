"""What tests look at in the database beside the product's own paths: the saved state
(through a read-only view, as the product reads it), and plain counts and rows read
straight from the tables, so a proof of erasure never leans on the code it checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlmodel import Session, col

from data.models import PERSONAL_TABLES, Delivery
from data.store import Store
from data.values import SavedState

_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)
"""A view's ``now`` (reading the state does not depend on it)."""


def saved_state(store: Store, user_id: int) -> SavedState | None:
    """The user's place in a flow, None without one (or without the user)."""
    with store.view(user_id, _ANY_TIME) as tx:
        return None if tx is None else tx.state


def rows_about(store: Store, user_id: int) -> dict[str, int]:
    """How many rows each personal table holds about ``user_id`` (erasure proof)."""
    counts: dict[str, int] = {}
    with store.engine.connect() as connection:
        for model in PERSONAL_TABLES:
            table = cast(Table, model.__table__)  # type: ignore[attr-defined]
            owner: Any = table.c.id if table.name == "users" else table.c.user_id
            query = select(func.count()).select_from(table).where(owner == user_id)
            counts[table.name] = int(connection.execute(query).scalar_one())
    return counts


def deliveries(store: Store, user_id: int | None = None) -> list[Delivery]:
    """Delivery rows, oldest first."""
    with Session(store.engine, expire_on_commit=False) as session:
        query = select(Delivery).order_by(col(Delivery.id))
        if user_id is not None:
            query = query.where(col(Delivery.user_id) == user_id)
        return list(session.execute(query).scalars().all())
