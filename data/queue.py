"""Reminders as a queue: rows with an indexed ``next_due_at``, claimed slot by slot.

A slot is claimed by inserting ``(reminder, slot)`` into ``deliveries`` under a unique
key in the same transaction that moves ``next_due_at`` on, *before* anything is sent.
So a crash, a restart or a second worker can never send a claimed slot again; what a
crash costs is at most the messages in flight at that instant. On PostgreSQL, rows are
claimed with ``FOR UPDATE SKIP LOCKED`` so several workers share the load.

The rule interpretation (when is the next slot?) is pure logic that lives in ``flows``;
the caller passes it in as ``advance``, so this layer never imports ``flows``. So is
the screening (is this slot worth a push: task done, daily limit, spacing): the claim
only reads the facts it needs, for a whole round at once, and records what it answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Engine, case, delete, func, null, or_, type_coerce, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from data.models import CheckIn, Delivery, ExerciseLog, Reminder, User
from data.types import UTCDateTime

ASKED = "asked"
"""The status of a push that carried the question about an ignored reminder."""
SENT_STATUSES = ("sent", "ambiguous", "nudge", ASKED)
"""Outcomes in which a message (may have) reached the user."""
PUSHED_STATUSES = ("claimed", *SENT_STATUSES)
"""...and the claims still on their way: what a screen counts as pushed."""

Advance = Callable[[dict[str, Any], datetime], datetime | None]
"""(rule, after) -> the first slot strictly after ``after``, or None when there is none."""


@dataclass(frozen=True)
class Claim:
    """A slot this worker now owns and must try to send exactly once."""

    delivery_id: int
    reminder_id: int
    user_id: int
    kind: str
    rule: dict[str, Any]
    slot: datetime
    language: str
    timezone: str
    ask: bool = False
    """Send the question about this ignored reminder instead of its nudge."""


class ClaimBatch(list[Claim]):
    """The claims of one call, and how many due rows it looked at: rows that were parked
    or skipped yield no claim, so fewer claims than asked does not mean none are left.
    ``withheld`` counts the slots recorded without a send, by status."""

    examined: int = 0
    withheld: Counter[str]

    def __init__(self) -> None:
        super().__init__()
        self.withheld = Counter()


SEND = "send"
"""What a screen answers for a slot that goes out; anything else is the status the
slot is recorded with instead, and nothing is sent..."""
ASK = "ask"
"""...except this one: the slot goes out as a question about its reminder, which
remembers when it was asked (``reminders.asked_at``)."""


@dataclass(frozen=True)
class RegularRow:
    """One of the user's reminders that are on, as a screen sees it."""

    kind: str
    rule: dict[str, Any]
    set_at: datetime
    asked_at: datetime | None


@dataclass(frozen=True)
class PushedRow:
    """A push of the user's in the look-back window and the button pressed on it."""

    kind: str
    slot: datetime
    one_off: bool
    action: str | None


@dataclass(frozen=True)
class DueSlot:
    """A due slot and the facts about its user the claim read with it, so a screen can
    decide without a query of its own: the latest check-in's local day, the latest
    finished exercise that does this kind's task (None when there is none), the daily
    limit, the user's reminders that are on and their pushes of the look-back window
    (oldest first, this round's earlier claims included)."""

    kind: str
    rule: dict[str, Any]
    slot: datetime
    one_off: bool
    timezone: str
    last_checkin_day: date | None
    last_task_done: datetime | None
    daily_limit: int | None = None
    regular: tuple[RegularRow, ...] = ()
    pushed: tuple[PushedRow, ...] = ()


@dataclass(frozen=True)
class Screening:
    """The bot's rule for which due slots are sent (pure logic from ``flows``, passed in
    like :data:`Advance`), which exercises count as a kind's task for the day, and how
    far back pushes are read for it."""

    decide: Callable[[DueSlot], str]
    task_exercises: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    look_back: timedelta = timedelta(days=28)


@dataclass(frozen=True)
class ReminderInfo:
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


class ReminderOps:
    """The turn user's own reminders (mixed into :class:`data.store.Turn`)."""

    _session: Session
    _user_id: int
    now: datetime

    def reminders(self) -> list[ReminderInfo]:
        rows = self._session.exec(
            select(Reminder).where(Reminder.user_id == self._user_id).order_by(col(Reminder.id))
        ).all()
        return [ReminderInfo.of(r) for r in rows]

    def upsert_reminder(
        self, kind: str, rule: dict[str, Any], *, enabled: bool, next_due_at: datetime | None
    ) -> None:
        """One reminder per kind and user: setting a kind again replaces its rule."""
        rows = self._session.exec(
            select(Reminder)
            .where(Reminder.user_id == self._user_id, Reminder.kind == kind)
            .order_by(col(Reminder.id))
        ).all()
        row = next((r for r in rows if not r.one_off), None)
        if row is None:
            row = Reminder(user_id=self._user_id, kind=kind, created_at=self.now)
        row.rule, row.enabled, row.next_due_at = dict(rule), enabled, next_due_at
        row.updated_at = self.now
        self._session.add(row)

    def add_one_off(self, kind: str, rule: dict[str, Any], due_at: datetime) -> None:
        """A single extra slot (a snooze) at ``due_at``, kept apart from the kind's
        regular rule; ``rule`` only carries what the nudge needs (its kind of text)."""
        self._session.add(
            Reminder(
                user_id=self._user_id,
                kind=kind,
                rule=dict(rule),
                enabled=True,
                one_off=True,
                next_due_at=due_at,
                created_at=self.now,
                updated_at=self.now,
            )
        )

    def drop_pending_one_offs(self, kind: str | None = None) -> None:
        """Cancel snoozes not yet sent (of one kind, or all): a pause, switching a kind
        off or "skip today" must hold them back too."""
        query = update(Reminder).where(
            col(Reminder.user_id) == self._user_id,
            col(Reminder.one_off).is_(True),
            col(Reminder.next_due_at).is_not(None),
        )
        if kind is not None:
            query = query.where(col(Reminder.kind) == kind)
        self._session.execute(query.values(enabled=False, next_due_at=None, updated_at=self.now))

    def delivery_of(self, delivery_id: int) -> tuple[Delivery, Reminder] | None:
        """A delivery and its reminder, only when both belong to the turn's user."""
        delivery = self._session.get(Delivery, delivery_id)
        if delivery is None or delivery.user_id != self._user_id:
            return None
        reminder = self._session.get(Reminder, delivery.reminder_id)
        if reminder is None or reminder.user_id != self._user_id:
            return None
        return delivery, reminder

    def act_on_delivery(self, delivery_id: int, action: str) -> bool:
        """Record Done / Skip / Snooze once; False when it is not this user's or already
        answered (a second press of an old button changes nothing)."""
        found = self.delivery_of(delivery_id)
        if found is None or found[0].action is not None:
            return False
        delivery = found[0]
        delivery.action, delivery.action_at = action, self.now
        self._session.add(delivery)
        return True

    def deliveries_since(self, instant: datetime) -> list[tuple[datetime, str, str | None, str]]:
        """(slot, kind, action, status) of the user's reminders since ``instant``."""
        rows = self._session.exec(
            select(Delivery.slot, Reminder.kind, Delivery.action, Delivery.status)
            .join(Reminder, col(Reminder.id) == Delivery.reminder_id)
            .where(Delivery.user_id == self._user_id, Delivery.slot >= instant)
            .order_by(col(Delivery.slot), col(Delivery.id))
        ).all()
        return [(slot, kind, action, status) for slot, kind, action, status in rows]

    def set_reminder_next_due(self, reminder_id: int, next_due_at: datetime | None) -> None:
        self._session.execute(
            update(Reminder)
            .where(col(Reminder.id) == reminder_id, col(Reminder.user_id) == self._user_id)
            .values(next_due_at=next_due_at, updated_at=self.now)
        )


class QueueOps:
    """Claiming and settling due slots across all users (mixed into the Store)."""

    engine: Engine

    def _write(self) -> AbstractContextManager[Session]:  # provided by the Store
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Session]:  # provided by the Store
        raise NotImplementedError

    def claim_due(
        self,
        now: datetime,
        *,
        limit: int,
        grace: timedelta,
        advance: Advance,
        stale_before: datetime | None = None,
        screening: Screening | None = None,
    ) -> ClaimBatch:
        """Claim up to ``limit`` slots due at ``now`` and move their reminders on.

        A slot older than ``grace`` is not sent late: the reminder jumps to its first
        slot inside the grace window (sent now) or, if none, to the future. So a
        restart never replays a backlog. Lateness is judged against ``stale_before``
        (the start of the dispatcher's tick) so a crowd of reminders due at the same
        minute is not cut short just because sending them takes longer than the grace.

        With ``screening``, each slot is first put to its ``decide``: a slot it holds
        back is recorded with the status it gives (``skipped``, ``capped``, ``spaced``),
        never sent, and the reminder moves on as usual; :data:`ASK` marks the reminder
        asked and the claim as the question. The day's facts come with the due rows in
        the same query, the users' reminders and recent pushes in two more for the
        whole round: never a query per reminder.
        """
        cutoff = stale_before if stale_before is not None else now - grace
        claims = ClaimBatch()
        with self._write() as session:
            query = (
                sa_select(Reminder, User, *_day_facts(screening))
                .join(User, col(User.id) == Reminder.user_id)
                .where(col(Reminder.enabled).is_(True), col(Reminder.next_due_at) <= now)
                .order_by(col(Reminder.next_due_at))
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=Reminder)
            rows = session.execute(query).all()
            screen = _RoundScreen.read(session, screening, rows, now, claims.withheld)
            for reminder, user, checkin_day, task_done in rows:
                claims.examined += 1
                facts = (checkin_day, task_done)
                claim = self._claim_one(
                    session, reminder, user, now, cutoff, advance, screen, facts
                )
                if claim is not None:
                    claims.append(claim)
        return claims

    def _claim_one(
        self,
        session: Session,
        reminder: Reminder,
        user: User,
        now: datetime,
        cutoff: datetime,
        advance: Advance,
        screen: _RoundScreen,
        facts: tuple[date | None, datetime | None],
    ) -> Claim | None:
        rule = dict(reminder.rule)
        slot = reminder.next_due_at
        assert slot is not None
        if reminder.one_off:
            # A one-off's only slot is the one it was stored with.
            advance = _only_slot(slot)
        if not user.active or user.consent_at is None:
            # Parked until the user comes back (/start recomputes the next slot).
            reminder.next_due_at = None
            session.add(reminder)
            return None
        if slot < cutoff:
            slot = advance(rule, cutoff - timedelta(microseconds=1))
        if slot is None or slot > now:
            reminder.next_due_at = slot
            reminder.enabled = slot is not None
            session.add(reminder)
            return None
        # Of several slots due now (a short outage), only the latest is worth sending.
        following = advance(rule, slot)
        while following is not None and following <= now:
            slot, following = following, advance(rule, following)
        answer = screen.decide(reminder, user, slot, facts)
        status = answer if answer not in (SEND, ASK) else CLAIMED
        delivery_id = _insert_delivery(session, reminder, slot, now, status)
        reminder.next_due_at = following
        reminder.enabled = following is not None
        if delivery_id is not None and answer == ASK:
            reminder.asked_at = now
        session.add(reminder)
        if delivery_id is None:  # this slot was claimed before; never send it twice
            return None
        screen.record(reminder, slot, answer)
        if status != CLAIMED:  # held back: recorded, never sent
            return None
        return Claim(
            delivery_id,
            reminder.id or 0,
            reminder.user_id,
            reminder.kind,
            rule,
            slot,
            user.language,
            user.timezone,
            ask=answer == ASK,
        )

    def settle(self, outcomes: list[tuple[int, str]], now: datetime) -> None:
        """Record how each claimed send ended: sent, ambiguous, failed or blocked."""
        if not outcomes:
            return
        with self._write() as session:
            for delivery_id, status in outcomes:
                session.execute(
                    update(Delivery)
                    .where(col(Delivery.id) == delivery_id)
                    .values(status=status, sent_at=now if status in SENT_STATUSES else None)
                )

    def prune_deliveries(self, before: datetime, batch: int = 5_000) -> int:
        """Forget delivery rows older than ``before`` (one batch per transaction, so a
        large purge never holds the write lock for long). Their only later use is the
        summary's four weeks and the fortnightly nudge check. Spent snoozes made before
        then go too: their only slot is older still, and nothing else reads them."""
        removed = 0
        while True:
            with self._write() as session:
                ids = session.exec(
                    select(Delivery.id).where(col(Delivery.slot) < before).limit(batch)
                ).all()
                if not ids:
                    break
                session.execute(delete(Delivery).where(col(Delivery.id).in_(ids)))
                removed += len(ids)
        while True:
            with self._write() as session:
                spent = session.exec(
                    select(Reminder.id)
                    .where(
                        col(Reminder.one_off).is_(True),
                        col(Reminder.next_due_at).is_(None),
                        # A snooze is due at most half an hour after it is made: a
                        # day's margin keeps its delivery row until that one goes.
                        col(Reminder.created_at) < before - timedelta(days=1),
                    )
                    .limit(batch)
                ).all()
                if not spent:
                    return removed
                session.execute(delete(Reminder).where(col(Reminder.id).in_(spent)))

    def delivery_exists(self, delivery_id: int) -> bool:
        """False once the user erased their data (``/delete``, retention) after the
        claim: a retry must then not send anything."""
        with self._read() as session:
            return session.get(Delivery, delivery_id) is not None

    def deactivate_user(self, user_id: int, refused_since: datetime) -> None:
        """The user blocked the bot: nothing more is sent until they /start again.

        ``refused_since`` is when the refused send could have begun at the earliest. A
        /start after it means the user unblocked the bot while the 403 was on its way
        back; parking them then would silently undo that /start.
        """
        with self._write() as session:
            session.execute(
                update(User)
                .where(
                    col(User.id) == user_id,
                    or_(col(User.restarted_at).is_(None), col(User.restarted_at) < refused_since),
                )
                .values(active=False)
            )

    def deliveries(self, user_id: int | None = None) -> list[Delivery]:
        """Delivery rows, oldest first (for tests, the admin counts and exports)."""
        with self._read() as session:
            query = select(Delivery).order_by(col(Delivery.id))
            if user_id is not None:
                query = query.where(Delivery.user_id == user_id)
            return list(session.exec(query).all())

    def parked_reminders(self, user_id: int) -> list[ReminderInfo]:
        """Enabled reminders without a next slot (parked while the user was away)."""
        with self._read() as session:
            rows = session.exec(
                select(Reminder).where(
                    Reminder.user_id == user_id,
                    col(Reminder.enabled).is_(True),
                    col(Reminder.next_due_at).is_(None),
                )
            ).all()
            return [ReminderInfo.of(r) for r in rows]


CLAIMED = "claimed"


def _day_facts(screening: Screening | None) -> tuple[Any, Any]:
    """Two columns beside each due row: the user's latest check-in day, and the latest
    finished exercise that does the row's kind's task (correlated subqueries, so the
    screen's facts cost no query of their own)."""
    if screening is None:
        return null().label("checkin_day"), null().label("task_done")
    checkin_day = (
        sa_select(func.max(CheckIn.local_day))
        .where(col(CheckIn.user_id) == Reminder.user_id)
        .scalar_subquery()
    )
    branches = [
        (
            col(Reminder.kind) == kind,
            sa_select(func.max(ExerciseLog.finished_at))
            .where(
                col(ExerciseLog.user_id) == Reminder.user_id,
                col(ExerciseLog.exercise).in_(exercises),
            )
            .scalar_subquery(),
        )
        for kind, exercises in screening.task_exercises.items()
        if exercises
    ]
    task_done = case(*branches, else_=null()) if branches else null()
    # The aggregates keep their columns' types, so SQLite's text comes back as a date
    # and an aware UTC instant like any other read.
    return (
        type_coerce(checkin_day, Date).label("checkin_day"),
        type_coerce(task_done, UTCDateTime).label("task_done"),
    )


@dataclass
class _RoundScreen:
    """The screening of one claim round: what it read about the round's users (their
    reminders that are on, their recent pushes: two queries for the whole round), and
    the pushes this round adds, so a second slot of a user sees the first."""

    screening: Screening | None
    regular: dict[int, list[RegularRow]]
    pushed: dict[int, list[PushedRow]]
    withheld: Counter[str]

    @classmethod
    def read(
        cls,
        session: Session,
        screening: Screening | None,
        rows: Sequence[Any],
        now: datetime,
        withheld: Counter[str],
    ) -> _RoundScreen:
        regular: dict[int, list[RegularRow]] = {}
        pushed: dict[int, list[PushedRow]] = {}
        users = {user.id for _, user, _, _ in rows if user.active and user.consent_at is not None}
        if screening is None or not users:
            return cls(screening, regular, pushed, withheld)
        for user_id, kind, rule, set_at, asked_at in session.execute(
            sa_select(
                col(Reminder.user_id),
                col(Reminder.kind),
                col(Reminder.rule),
                col(Reminder.updated_at),
                col(Reminder.asked_at),
            ).where(
                col(Reminder.user_id).in_(users),
                col(Reminder.one_off).is_(False),
                col(Reminder.enabled).is_(True),
            )
        ):
            regular.setdefault(user_id, []).append(RegularRow(kind, dict(rule), set_at, asked_at))
        for user_id, kind, one_off, slot, action in session.execute(
            sa_select(
                col(Delivery.user_id),
                col(Reminder.kind),
                col(Reminder.one_off),
                col(Delivery.slot),
                col(Delivery.action),
            )
            .join(Reminder, col(Reminder.id) == Delivery.reminder_id)
            .where(
                col(Delivery.user_id).in_(users),
                col(Delivery.slot) >= now - screening.look_back,
                col(Delivery.status).in_(PUSHED_STATUSES),
            )
            .order_by(col(Delivery.slot), col(Delivery.id))
        ):
            pushed.setdefault(user_id, []).append(PushedRow(kind, slot, one_off, action))
        return cls(screening, regular, pushed, withheld)

    def decide(
        self,
        reminder: Reminder,
        user: User,
        slot: datetime,
        facts: tuple[date | None, datetime | None],
    ) -> str:
        if self.screening is None:
            return SEND
        due = DueSlot(
            kind=str(reminder.rule.get("kind") or reminder.kind),
            rule=dict(reminder.rule),
            slot=slot,
            one_off=reminder.one_off,
            timezone=user.timezone,
            last_checkin_day=facts[0],
            last_task_done=facts[1],
            daily_limit=user.daily_limit,
            regular=tuple(self.regular.get(user.id, ())),
            pushed=tuple(self.pushed.get(user.id, ())),
        )
        return self.screening.decide(due)

    def record(self, reminder: Reminder, slot: datetime, answer: str) -> None:
        """What this round did with a slot, for the user's later slots in it."""
        if answer not in (SEND, ASK):
            self.withheld[answer] += 1
            return
        user_id = reminder.user_id
        self.pushed.setdefault(user_id, []).append(
            PushedRow(reminder.kind, slot, reminder.one_off, None)
        )
        if answer == ASK:
            self.regular[user_id] = [
                RegularRow(row.kind, row.rule, row.set_at, reminder.asked_at)
                if row.kind == reminder.kind
                else row
                for row in self.regular.get(user_id, [])
            ]


def _only_slot(slot: datetime) -> Advance:
    def advance(_rule: dict[str, Any], after: datetime) -> datetime | None:
        return slot if slot > after else None

    return advance


def _insert_delivery(
    session: Session, reminder: Reminder, slot: datetime, now: datetime, status: str
) -> int | None:
    values = {
        "reminder_id": reminder.id,
        "user_id": reminder.user_id,
        "slot": slot,
        "claimed_at": now,
        "status": status,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Delivery)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["reminder_id", "slot"])
        .returning(col(Delivery.id))
    )
    row = session.execute(statement).first()
    return int(row[0]) if row else None
