"""The coaching programme: one state row per user and one session row per programme day.

The 12-week programme (issue 16) remembers where someone is (its state, as versioned
JSON owned by ``flows.programme``) and what they did each day (parts done, level, how
the exercises felt, minutes walked). Both are health data: erased by /delete,
withdrawal and retention, and part of /export.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import data.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programmes",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("replaced", sa.JSON(), nullable=False),
        sa.Column("left_at", data.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", data.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "programme_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("feedback", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("walk_minutes", sa.Integer(), nullable=True),
        sa.Column("updated_at", data.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "feedback IS NULL OR feedback IN ('too_easy', 'fine', 'too_hard')",
            name="ck_programme_session_feedback",
        ),
        sa.CheckConstraint(
            "walk_minutes IS NULL OR walk_minutes BETWEEN 0 AND 600",
            name="ck_programme_session_walk",
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 20", name="ck_programme_session_level"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "local_day", name="uq_programme_session_user_day"),
    )


def downgrade() -> None:
    op.drop_table("programme_sessions")
    op.drop_table("programmes")
