"""The least a press's database work can cost, measured on the benchmark's own database.

One "minimal turn" is what any button press must do at the very least: in one write
transaction, read the user with their conversation state, write the new state, commit.
It is timed three ways on the same tables, rows and engine settings as the product:

- ``driver``: the DB-API connection underneath SQLAlchemy, plain SQL strings (the
  floor of the database itself, with no Python library in between);
- ``core``: SQLAlchemy Core on the product's engine (its ``BEGIN IMMEDIATE`` hook, pool
  and type processing), the cheapest way the required stack offers;
- ``orm``: a SQLModel ``Session`` loading and changing the two rows as objects (how
  ``Store.turn`` worked until the floor showed what it cost; it now uses Core).

Together with the PTB floor (``bench.throughput``) this says how much of the target's
budget is left for everything else a press does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlmodel import Session

from data.engine import is_sqlite
from data.models import ConversationState, User

STATES = ConversationState.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def prepare(engine: Engine, user_ids: Sequence[int]) -> None:
    """Give every user a conversation state row to read and rewrite."""
    with engine.begin() as conn:
        conn.execute(STATES.delete().where(STATES.c.user_id.in_(list(user_ids))))
        conn.execute(
            insert(STATES),
            [
                {
                    "user_id": uid,
                    "flow": "checkin",
                    "step": "pain",
                    "answers": {},
                    "nonce": "abcd1234",
                    "updated_at": NOW,
                }
                for uid in user_ids
            ],
        )


def _driver_turn(engine: Engine) -> Callable[[int, int], None]:
    raw: Any = engine.raw_connection()
    sqlite = is_sqlite(engine)
    mark = "?" if sqlite else "%s"
    lock = "" if sqlite else " FOR UPDATE OF u"
    read = (
        "SELECT u.id, u.language, u.timezone, u.consent_version, s.flow, s.step, s.answers,"
        " s.nonce FROM users u LEFT JOIN conversation_states s ON s.user_id = u.id"
        f" WHERE u.id = {mark}{lock}"
    )
    write = (
        f"UPDATE conversation_states SET step = {mark}, answers = {mark}, nonce = {mark},"
        f" updated_at = {mark} WHERE user_id = {mark}"
    )
    stamp = NOW.replace(tzinfo=None)

    def turn(uid: int, n: int) -> None:
        cursor = raw.cursor()
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(read, (uid,))
        cursor.fetchone()
        cursor.execute(write, ("stress", f'{{"pain": {n % 11}}}', f"{n:08x}", stamp, uid))
        raw.commit() if not sqlite else cursor.execute("COMMIT")
        cursor.close()

    turn.close = raw.close  # type: ignore[attr-defined]
    return turn


def core_turn(engine: Engine) -> Callable[[int, int], None]:
    read = (
        select(
            USERS.c.id,
            USERS.c.language,
            USERS.c.timezone,
            USERS.c.consent_version,
            STATES.c.flow,
            STATES.c.step,
            STATES.c.answers,
            STATES.c.nonce,
        )
        .select_from(USERS.outerjoin(STATES, STATES.c.user_id == USERS.c.id))
        .where(USERS.c.id == 0)
    )

    def turn(uid: int, n: int) -> None:
        query = read.where(USERS.c.id == uid)
        if not is_sqlite(engine):
            query = query.with_for_update(of=USERS)
        with engine.begin() as conn:
            conn.execute(query).first()
            conn.execute(
                update(STATES)
                .where(STATES.c.user_id == uid)
                .values(step="stress", answers={"pain": n % 11}, nonce=f"{n:08x}", updated_at=NOW)
            )

    return turn


def _orm_turn(engine: Engine) -> Callable[[int, int], None]:
    def turn(uid: int, n: int) -> None:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            query = select(User).where(User.id == uid)  # type: ignore[arg-type]
            if not is_sqlite(engine):
                query = query.with_for_update()
            session.execute(query).scalar_one()
            state = session.get(ConversationState, uid)
            assert state is not None
            state.step, state.answers, state.nonce = "stress", {"pain": n % 11}, f"{n:08x}"
            state.updated_at = NOW
            session.add(state)

    return turn


WAYS: list[tuple[str, str, Callable[[Engine], Callable[[int, int], None]]]] = [
    ("driver", "DB-API driver, plain SQL", _driver_turn),
    ("core", "SQLAlchemy Core on the product's engine", core_turn),
    ("orm", "SQLModel Session with row objects", _orm_turn),
]


def store_floor(engine: Engine, user_ids: Sequence[int], turns: int) -> dict[str, float]:
    """CPU milliseconds of one minimal turn, each way (median of three runs)."""
    prepare(engine, user_ids)
    figures: dict[str, float] = {}
    for key, _what, make in WAYS:
        turn = make(engine)
        for n in range(200):  # warm caches and the statement cache
            turn(user_ids[n % len(user_ids)], n)
        runs = []
        for _ in range(3):
            start = time.process_time()
            for n in range(turns):
                turn(user_ids[n % len(user_ids)], n)
            runs.append(1000 * (time.process_time() - start) / turns)
        closer = getattr(turn, "close", None)
        if closer is not None:
            closer()
        figures[key] = round(sorted(runs)[1], 4)
    return figures
