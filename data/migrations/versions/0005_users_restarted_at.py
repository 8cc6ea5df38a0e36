"""When a user last sent /start, so a "blocked" answer from before it cannot park them.

A reminder send that Telegram refuses with 403 parks the user. If they unblock the bot
and send /start while that answer is still on its way back, the late park would undo
their /start and leave their reminders silent. The dispatcher now parks only users
whose last /start came before its tick began.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import data.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("restarted_at", data.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("restarted_at")
