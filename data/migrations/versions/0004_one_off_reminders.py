"""One-off reminders (snoozes) marked by a column instead of a key inside ``rule``.

Before this, a snooze was a reminder whose JSON rule held ``once_at``, and both the
queue and the reminder feature had to know that key. Now ``one_off`` says it and the
slot is simply ``next_due_at``. The rows are rewritten in Python, in batches, so the
same code serves SQLite and PostgreSQL (their JSON functions differ).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import data.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ONCE_AT = "once_at"
BATCH = 1_000

reminders = sa.table(
    "reminders",
    sa.column("id", sa.Integer()),
    sa.column("rule", sa.JSON()),
    sa.column("one_off", sa.Boolean()),
    sa.column("next_due_at", data.types.UTCDateTime()),
    sa.column("created_at", data.types.UTCDateTime()),
)


def _rows(where: Any) -> Iterator[list[Any]]:
    """The matching rows, a batch at a time, ordered by id (keyset paging)."""
    bind = op.get_bind()
    last = 0
    while True:
        batch = list(
            bind.execute(
                sa.select(
                    reminders.c.id,
                    reminders.c.rule,
                    reminders.c.next_due_at,
                    reminders.c.created_at,
                )
                .where(where, reminders.c.id > last)
                .order_by(reminders.c.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return
        yield batch
        last = batch[-1].id


def upgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(
            sa.Column("one_off", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    bind = op.get_bind()
    for batch_rows in _rows(sa.true()):
        for row in batch_rows:
            rule = dict(row.rule or {})
            if ONCE_AT not in rule:
                continue
            rule.pop(ONCE_AT)
            bind.execute(
                reminders.update().where(reminders.c.id == row.id).values(rule=rule, one_off=True)
            )


def downgrade() -> None:
    bind = op.get_bind()
    for batch_rows in _rows(reminders.c.one_off.is_(True)):
        for row in batch_rows:
            # A spent snooze has no next slot left; any past instant keeps it spent.
            at: datetime = row.next_due_at or row.created_at
            rule = {**dict(row.rule or {}), ONCE_AT: at.isoformat()}
            bind.execute(reminders.update().where(reminders.c.id == row.id).values(rule=rule))
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("one_off")
