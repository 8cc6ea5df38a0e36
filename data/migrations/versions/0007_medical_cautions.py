"""Medical cautions: the advice to see a doctor that the bot gave, with its date.

After an emergency sign (call 112) or a sign to have checked within days, the bot used
to coach on as if nothing had been said. A caution stays open until the user says a
doctor has seen them and it is fine to go on; exercises and plans ask about it first.
The follow-up message the next day is a one-off reminder row, so it needs no table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import data.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "medical_cautions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("raised_at", data.types.UTCDateTime(), nullable=False),
        sa.Column("cleared_at", data.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('emergency', 'see_doctor')", name="ck_caution_kind"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("medical_cautions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_medical_cautions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("medical_cautions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medical_cautions_user_id"))
    op.drop_table("medical_cautions")
