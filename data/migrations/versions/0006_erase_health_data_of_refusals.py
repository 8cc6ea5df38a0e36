"""Erase the health data of users whose last answer to consent was no.

Until now a "no" on the consent review kept every check-in, note, self-check, exercise
log and reminder, while the bot told the user it stored nothing about their health; a
later consent brought it all back. A refusal now erases that data in its own
transaction (``Turn.refuse_consent``). This does the same, once, for the refusals given
before, so what those users were told becomes true.

The table names are written out, not taken from the models: a migration stays what it
was when it ran. Nothing comes back on downgrade.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

HEALTH_TABLES = ("deliveries", "reminders", "exercise_logs", "test_results", "checkins")
"""Children first. The conversation state stays: a refused user can only be in a flow
that stores nothing (onboarding, a lesson, the language), and erasing it would break
the question they are answering."""
REFUSED = "SELECT id FROM users WHERE consent_refused_at IS NOT NULL AND consent_at IS NULL"


def upgrade() -> None:
    for table in HEALTH_TABLES:
        op.execute(f"DELETE FROM {table} WHERE user_id IN ({REFUSED})")


def downgrade() -> None:
    """Erased data cannot be restored."""
