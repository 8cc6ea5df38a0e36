"""Pacing reminders: a daily limit per user, and when the bot asked about a reminder.

A default plan sent an office worker 13 pushes a weekday, and one who ignored them all
kept getting every one. Now at most ``daily_limit`` pushes reach a user a day (4 unless
they choose otherwise; NULL means no limit), and a reminder ignored three days running
is spaced out, with one question whether to change or drop it: ``asked_at`` remembers
that question, so it is asked once for each setting of the reminder.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import data.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("daily_limit", sa.Integer(), nullable=True, server_default=sa.text("4"))
        )
    with op.batch_alter_table("reminders") as batch:
        batch.add_column(sa.Column("asked_at", data.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("asked_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("daily_limit")
