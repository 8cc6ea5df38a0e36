"""Lesson reads: which /learn lessons a user has read, so the menu can mark them.

Reading a lesson used to leave no trace, so the menu could never show what was read.
One row per user and lesson (the first time it was read), kept only with consent and
erased with everything else (/delete, withdrawal, retention).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import data.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("card", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("read_at", data.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "card", name="uq_lesson_read_user_card"),
    )


def downgrade() -> None:
    op.drop_table("lesson_reads")
