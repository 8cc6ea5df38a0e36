"""The dispatcher's queries: claiming due reminder slots across all users, recording how
each send ended, and the upkeep of old deliveries.

A slot is claimed by inserting ``(reminder, slot)`` into ``deliveries`` under a unique
key in the same transaction that moves ``next_due_at`` on, *before* anything is sent.
So a crash, a restart or a second worker can never send a claimed slot again; what a
crash costs is at most the messages in flight at that instant. On PostgreSQL, rows are
claimed with ``FOR UPDATE SKIP LOCKED`` so several workers share the load.

The rule interpretation (when is the next slot?) is pure logic that lives in ``flows``;
the caller passes it in as ``advance``, so this layer never imports it. So is the
screening (:mod:`data.screening`). Each function works in the session it is given; the
:class:`data.store.Store` method of the same name opens the transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from data.models import Delivery, Reminder, User
from data.screening import RoundScreen, Screening, day_facts
from flows.rows import ASK, SEND, SENT_STATUSES, DeliveryStatus

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
    withheld: Counter[DeliveryStatus]

    def __init__(self) -> None:
        super().__init__()
        self.withheld = Counter()


def claim_due(
    session: Session,
    now: datetime,
    *,
    limit: int,
    grace: timedelta,
    advance: Advance,
    stale_before: datetime | None = None,
    screening: Screening | None = None,
) -> ClaimBatch:
    """Claim up to ``limit`` slots due at ``now`` and move their reminders on.

    A slot older than ``grace`` is not sent late: the reminder jumps to its first slot
    inside the grace window (sent now) or, if none, to the future. So a restart never
    replays a backlog. Lateness is judged against ``stale_before`` (the start of the
    dispatcher's tick) so a crowd of reminders due at the same minute is not cut short
    just because sending them takes longer than the grace.

    With ``screening``, each slot is first put to its ``decide``: a slot it holds back
    is recorded with the status it gives (``skipped``, ``capped``, ``spaced``), never
    sent, and the reminder moves on as usual; :data:`flows.rows.ASK` marks the
    reminder asked and the claim as the question.
    """
    cutoff = stale_before if stale_before is not None else now - grace
    claims = ClaimBatch()
    query = (
        sa_select(Reminder, User, *day_facts(screening))
        .join(User, col(User.id) == Reminder.user_id)
        .where(col(Reminder.enabled).is_(True), col(Reminder.next_due_at) <= now)
        .order_by(col(Reminder.next_due_at))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Reminder)
    rows = session.execute(query).all()
    screen = RoundScreen.read(session, screening, rows, now, claims.withheld)
    for reminder, user, checkin_day, task_done in rows:
        claims.examined += 1
        claim = _claim_one(
            session, reminder, user, now, cutoff, advance, screen, (checkin_day, task_done)
        )
        if claim is not None:
            claims.append(claim)
    return claims


def _claim_one(
    session: Session,
    reminder: Reminder,
    user: User,
    now: datetime,
    cutoff: datetime,
    advance: Advance,
    screen: RoundScreen,
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
    status = DeliveryStatus.CLAIMED if answer in (SEND, ASK) else DeliveryStatus(answer)
    delivery_id = _insert_delivery(session, reminder, slot, now, status)
    reminder.next_due_at = following
    reminder.enabled = following is not None
    if delivery_id is not None and answer == ASK:
        reminder.asked_at = now
    session.add(reminder)
    if delivery_id is None:  # this slot was claimed before; never send it twice
        return None
    screen.record(reminder, slot, answer)
    if status != DeliveryStatus.CLAIMED:  # held back: recorded, never sent
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


def settle(session: Session, outcomes: list[tuple[int, DeliveryStatus]], now: datetime) -> None:
    """Record how each claimed send ended: sent, ambiguous, failed, blocked..."""
    for delivery_id, status in outcomes:
        session.execute(
            update(Delivery)
            .where(col(Delivery.id) == delivery_id)
            .values(status=str(status), sent_at=now if status in SENT_STATUSES else None)
        )


def prune_deliveries(session: Session, before: datetime, batch: int) -> int:
    """Forget up to ``batch`` delivery rows older than ``before``; how many went. Their
    only later use is the summary's four weeks and the fortnightly nudge check."""
    ids = (
        session.execute(sa_select(col(Delivery.id)).where(col(Delivery.slot) < before).limit(batch))
        .scalars()
        .all()
    )
    if ids:
        session.execute(delete(Delivery).where(col(Delivery.id).in_(ids)))
    return len(ids)


def prune_spent_one_offs(session: Session, before: datetime, batch: int) -> int:
    """Forget up to ``batch`` spent snoozes made before ``before``: their only slot is
    older still, and nothing else reads them."""
    spent = (
        session.execute(
            sa_select(col(Reminder.id))
            .where(
                col(Reminder.one_off).is_(True),
                col(Reminder.next_due_at).is_(None),
                # A snooze is due at most half an hour after it is made: a day's margin
                # keeps its delivery row until that one goes.
                col(Reminder.created_at) < before - timedelta(days=1),
            )
            .limit(batch)
        )
        .scalars()
        .all()
    )
    if spent:
        session.execute(delete(Reminder).where(col(Reminder.id).in_(spent)))
    return len(spent)


def delivery_exists(session: Session, delivery_id: int) -> bool:
    return session.get(Delivery, delivery_id) is not None


def deactivate_user(session: Session, user_id: int, refused_since: datetime) -> None:
    """Park a user who blocked the bot, unless they sent /start after ``refused_since``
    (when the refused send could have begun at the earliest): they unblocked the bot
    while the 403 was on its way back, and parking them would silently undo it."""
    session.execute(
        update(User)
        .where(
            col(User.id) == user_id,
            or_(col(User.restarted_at).is_(None), col(User.restarted_at) < refused_since),
        )
        .values(active=False)
    )


def _only_slot(slot: datetime) -> Advance:
    def advance(_rule: dict[str, Any], after: datetime) -> datetime | None:
        return slot if slot > after else None

    return advance


def _insert_delivery(
    session: Session, reminder: Reminder, slot: datetime, now: datetime, status: DeliveryStatus
) -> int | None:
    values = {
        "reminder_id": reminder.id,
        "user_id": reminder.user_id,
        "slot": slot,
        "claimed_at": now,
        "status": str(status),
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
