"""The tables. Every row that is about a person carries ``user_id``, so erasure can be
proven table by table; instants are UTC (:class:`data.types.UTCDateTime`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from data.types import UTCDateTime
from flows.rows import DeliveryStatus


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _user_fk(primary_key: bool = False) -> Any:
    return Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=primary_key,
            nullable=False,
            index=not primary_key,
        )
    )


class User(SQLModel, table=True):
    """A Telegram user. Consent fields say whether health data may be stored."""

    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    language: str = Field(default="en", max_length=8)
    timezone: str = Field(default="Europe/Brussels", max_length=64)
    consent_version: int | None = Field(default=None)
    consent_at: datetime | None = _utc(nullable=True)
    consent_refused_at: datetime | None = _utc(nullable=True)
    active: bool = Field(default=True)
    created_at: datetime = _utc()
    last_seen_at: datetime = _utc()
    retention_warned_at: datetime | None = _utc(nullable=True)
    restarted_at: datetime | None = _utc(nullable=True)
    """The last /start: a 403 answered for a send begun before it parks nobody."""
    daily_limit: int | None = Field(default=4, sa_column_kwargs={"server_default": "4"})
    """At most this many reminder pushes a local day (None: no limit)."""


class ConversationState(SQLModel, table=True):
    """One user's place in a flow; written in the same transaction as the step's facts."""

    __tablename__ = "conversation_states"

    user_id: int = _user_fk(primary_key=True)
    flow: str = Field(max_length=32)
    step: str = Field(max_length=64)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    nonce: str = Field(max_length=16)
    updated_at: datetime = _utc()


class CheckIn(SQLModel, table=True):
    """One daily check-in per user and local day; a second one the same day updates it."""

    __tablename__ = "checkins"
    __table_args__ = (
        # The unique constraint is also the (user, local day) index the summary reads.
        UniqueConstraint("user_id", "local_day", name="uq_checkin_user_day"),
        CheckConstraint("pain BETWEEN 0 AND 10", name="ck_checkin_pain_range"),
        CheckConstraint("stress BETWEEN 0 AND 10", name="ck_checkin_stress_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    local_day: date
    pain: int = Field(ge=0, le=10)
    stress: int = Field(ge=0, le=10)
    sleep: str | None = Field(default=None, max_length=16)
    moved: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class TestResult(SQLModel, table=True):
    """A finished pain self-check: every answer and the computed scores."""

    __tablename__ = "test_results"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk()
    taken_at: datetime = _utc()
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    outcome: str = Field(default="complete", max_length=32)


class Reminder(SQLModel, table=True):
    """A recurring nudge. ``rule`` is interpreted by the pure schedule code in ``flows``;
    ``next_due_at`` is the only thing the dispatcher's tick queries (indexed)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "enabled", "next_due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk()
    kind: str = Field(max_length=32)
    rule: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    enabled: bool = Field(default=True)
    one_off: bool = Field(default=False)
    """A single extra slot (a snooze) at ``next_due_at``, beside the kind's own rule."""
    next_due_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    """When the rule was last set (by the user, a plan, a pause, a zone): what came
    before no longer says whether this reminder is ignored."""
    asked_at: datetime | None = _utc(nullable=True)
    """When the bot asked whether to change or drop this reminder, after it was ignored
    three days running: asked once for each setting (``updated_at``)."""


class Delivery(SQLModel, table=True):
    """A claimed reminder slot. The unique key makes "never twice" a database fact."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("reminder_id", "slot", name="uq_delivery_slot"),
        Index("ix_deliveries_user_slot", "user_id", "slot"),
    )

    # Every reminder ever sent gets a row: 64-bit ids (SQLite's INTEGER key already is).
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    reminder_id: int = Field(
        sa_column=Column(ForeignKey("reminders.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = _user_fk()
    slot: datetime = _utc()
    claimed_at: datetime = _utc()
    sent_at: datetime | None = _utc(nullable=True)
    status: str = Field(default=DeliveryStatus.CLAIMED.value, max_length=16)
    """A :class:`flows.rows.DeliveryStatus`, stored as its string."""
    action: str | None = Field(default=None, max_length=16)
    action_at: datetime | None = _utc(nullable=True)


class ExerciseLog(SQLModel, table=True):
    """A guided exercise that was started, and how the user felt afterwards."""

    __tablename__ = "exercise_logs"
    __table_args__ = (
        CheckConstraint(
            "rating_after IS NULL OR rating_after BETWEEN 0 AND 10", name="ck_exercise_rating_range"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk()
    exercise: str = Field(max_length=48)
    started_at: datetime = _utc()
    finished_at: datetime | None = _utc(nullable=True)
    rating_after: int | None = Field(default=None, ge=0, le=10)
    level: int | None = Field(default=None)


class LessonRead(SQLModel, table=True):
    """A lesson the user has read, once per lesson (the first time), so /learn can mark
    it. Stored only with consent; erased with everything else."""

    __tablename__ = "lesson_reads"
    __table_args__ = (UniqueConstraint("user_id", "card", name="uq_lesson_read_user_card"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    card: str = Field(max_length=48)
    read_at: datetime = _utc()


class MedicalCaution(SQLModel, table=True):
    """Advice to see a doctor that the bot gave (``emergency``: call the emergency number
    now; ``see_doctor``: have it checked within days), with its date.

    Open while ``cleared_at`` is empty: until the user says a doctor has seen them and it
    is fine to go on, exercises and plans carry a caution. At most one is open per user;
    cleared ones stay as the record of what was said, until erasure.
    """

    __tablename__ = "medical_cautions"
    __table_args__ = (
        CheckConstraint("kind IN ('emergency', 'see_doctor')", name="ck_caution_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk()
    kind: str = Field(max_length=16)
    raised_at: datetime = _utc()
    cleared_at: datetime | None = _utc(nullable=True)


class Programme(SQLModel, table=True):
    """One person's coaching programme: its state as versioned JSON (written and read by
    ``flows.programme``; this layer only keeps it), one row per user.

    ``left_at`` is set when the person leaves the programme: the row stays (leaving
    keeps the data) but nothing is sent. ``replaced`` lists the reminder kinds the
    programme's daily message switched off at enrolment, so leaving can switch them on
    again.
    """

    __tablename__ = "programmes"

    user_id: int = _user_fk(primary_key=True)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    replaced: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    left_at: datetime | None = _utc(nullable=True)
    updated_at: datetime = _utc()


class ProgrammeSession(SQLModel, table=True):
    """What someone did of one programme day: the parts done (a JSON list), the exercise
    level, how the block felt and the minutes walked. One row per user and local day;
    kept beside the state so the state stays small however long someone stays."""

    __tablename__ = "programme_sessions"
    __table_args__ = (
        UniqueConstraint("user_id", "local_day", name="uq_programme_session_user_day"),
        CheckConstraint(
            "feedback IS NULL OR feedback IN ('too_easy', 'fine', 'too_hard')",
            name="ck_programme_session_feedback",
        ),
        CheckConstraint(
            "walk_minutes IS NULL OR walk_minutes BETWEEN 0 AND 600",
            name="ck_programme_session_walk",
        ),
        CheckConstraint("level BETWEEN 1 AND 20", name="ck_programme_session_level"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    local_day: date
    level: int
    parts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    feedback: str | None = Field(default=None, max_length=16)
    walk_minutes: int | None = Field(default=None)
    updated_at: datetime = _utc()


PERSONAL_TABLES: tuple[type[SQLModel], ...] = (
    User,
    ConversationState,
    CheckIn,
    TestResult,
    Reminder,
    Delivery,
    ExerciseLog,
    LessonRead,
    MedicalCaution,
    Programme,
    ProgrammeSession,
)
"""Every table that holds data about a person; erasure walks this and a test checks
that no table of the schema is missing from it."""
