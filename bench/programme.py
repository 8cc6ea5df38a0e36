"""The coaching programme lived through (docs/ARCHITECTURE.md, "The simulation"): 1,000
people in six patterns through 12 weeks and 4 of maintenance by the product's own rules
on the injectable clock, with a restart through the store half-way, every rule checked;
then one dispatcher tick with 1,000 due among 1,000 and 100,000 enrolled (the same cost).
``python -m bench.programme [--users 1000] [--weeks 16] [--quick]``."""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time as wall
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy import text as sa_text

import bench.common as c
from bench.seed import REMINDER_COLUMNS, bulk_insert, seed_users, user_ids
from bot.clock import ManualClock
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.features.reminders import advance
from bot.programme_sender import prepare
from bot.services import build_services
from data.models import Programme, Reminder
from data.store import Store
from flows.i18n import default_catalogue
from flows.programme import pause as pause_rules
from flows.programme.calendar import PROGRAMME_WEEKS, position
from flows.programme.content import ProgrammeContent, programme_content
from flows.programme.flare import MODE_DAYS
from flows.programme.keeping_up import engaged, follow_up_time
from flows.programme.lessons import mark_read
from flows.programme.levels import UP_GAP_DAYS, InDayOrder, added, after_block, in_day_order
from flows.programme.nudges import NO_REPEAT_DAYS
from flows.programme.plan import DayPlan, is_done, plan_today, remaining
from flows.programme.records import Feedback, SessionRecord
from flows.programme.state import ProgrammeState
from flows.programme.tracks import enrol
from flows.programme_message import Decided, decide
from flows.rows import DayRow, DeliveryStatus
from flows.schedule import PROGRAMME, Rule

PATTERNS: Final = ("steady", "improving", "flare", "stress", "drifting", "holiday")
TIMES: Final = (time(8, 30), time(12, 30), time(19, 0))
ZONE: Final = "Europe/Brussels"
START: Final = date(2026, 1, 5)  # a Monday
RISKS: Final = ("low", "medium", "high")
HOLIDAY_DAY, HOLIDAY_DAYS = 42, 7  # the holiday pattern pauses for week 7
FLARE_DAYS: Final = range(28, 32)  # the flare pattern's bad days: early week 5
CHECKIN_WINDOW: Final = 14  # check-ins kept: the plan reads the last week and a day


@dataclass
class Person:
    """One simulated person and what happened to them."""

    user_id: int
    pattern: str
    state: ProgrammeState
    rng: random.Random
    sessions: InDayOrder = field(default_factory=InDayOrder)  # as the bot's Day keeps them
    checkins: list[DayRow] = field(default_factory=list)
    sent: list[tuple[date, str, str]] = field(default_factory=list)  # day, kind, key
    paused_messages: int = 0
    lessons: list[str] = field(default_factory=list)
    levels: list[tuple[date, int, int, str]] = field(default_factory=list)  # from, to, why
    flare_entry_days: list[int] = field(default_factory=list)
    saved_sessions: int = 0  # sessions already in the store (never changed afterwards)


@dataclass(frozen=True)
class Behaviour:
    """What the person does on a day of their pattern."""

    checkin: DayRow | None
    engages: bool
    after_follow_up: bool
    feedback: Feedback
    walk: int


def people(count: int) -> list[Person]:
    """``count`` people, patterns and daily times round-robin, each enrolled on START."""
    found = []
    for i, uid in enumerate(user_ids(count)):
        state = enrol(START, TIMES[i % len(TIMES)], RISKS[i % len(RISKS)]).state
        found.append(Person(uid, PATTERNS[i % len(PATTERNS)], state, random.Random(uid)))
    return found


def behaviour(person: Person, n: int, today: date) -> Behaviour:
    """Day ``n`` (0 at enrolment) of the person's pattern."""
    rng, pattern = person.rng, person.pattern
    pain, stress, sleep = 3 + rng.choice((-1, 0, 0, 1)), 3 + rng.randrange(2), "good"
    engage = rng.random() < 0.75
    feedback: Feedback = rng.choice(("fine", "fine", "fine", "too_easy"))
    if pattern == "improving":
        pain = max(1, 6 - n // 20 + rng.choice((-1, 0, 1)))
        engage = rng.random() < 0.85
        feedback = rng.choice(("fine", "too_easy"))
    elif pattern == "flare" and n in FLARE_DAYS:
        pain, feedback = 8, "too_hard"
    elif pattern == "stress":
        pain = 4 + rng.choice((-1, 0, 1))
        if n % 3 == 0:
            stress, sleep = 8, "bad"
        engage = rng.random() < 0.7
    elif pattern == "drifting":
        week = n // 7 + 1
        engage = rng.random() < (0.8 if week <= 3 else 0.3 if week <= 5 else 0.0)
        if week > 5:
            return Behaviour(None, False, False, feedback, 0)
    checkin = DayRow(today, max(0, min(10, pain)), stress, sleep)
    walk = 10 + rng.randrange(20)
    return Behaviour(checkin, engage, rng.random() < 0.3, feedback, walk)


def live_day(person: Person, n: int, today: date, content: ProgrammeContent) -> None:
    """The morning check-in, the plan, the daily message, the session, the follow-up."""
    act = behaviour(person, n, today)
    state = person.state
    if person.pattern == "holiday" and n == HOLIDAY_DAY:
        state = pause_rules.pause(state, today, HOLIDAY_DAYS)
    if act.checkin is not None:
        person.checkins = [*person.checkins[-CHECKIN_WINDOW:], act.checkin]
    plan = plan_today(
        state, person.checkins, person.sessions, today, content.library, content.lessons
    )
    if "flare_started" in plan.events:
        person.flare_entry_days.append(n)
    if plan.state.level != state.level:
        why = "flare_ended" if "flare_ended" in plan.events else "plan"
        person.levels.append((today, state.level, plan.state.level, why))
    state = plan.state
    paused = "paused" in plan.flags
    session: SessionRecord | None = None
    daily = decide(state, today, is_done(plan, session), content, follow_up=False)
    state = _sent(person, daily, today, paused)
    engage = act.engages and not paused
    if engage and not act.after_follow_up:
        state, session = _session(person, state, plan, act, today)
    if daily.kind == "daily" and follow_up_time(state.at) is not None:
        later = decide(state, today, is_done(plan, session), content, follow_up=True)
        state = _sent(person, later, today, paused)
    if engage and act.after_follow_up:
        state, session = _session(person, state, plan, act, today)
    person.state = state


def _sent(person: Person, decided: Decided, today: date, paused: bool) -> ProgrammeState:
    if decided.kind is not None and decided.key is not None:
        person.sent.append((today, decided.kind, decided.key))
        person.paused_messages += paused
    return decided.state


def _session(
    person: Person, state: ProgrammeState, plan: DayPlan, act: Behaviour, today: date
) -> tuple[ProgrammeState, SessionRecord]:
    """Everything left of today's plan, done; the block rated as the pattern rates it."""
    state = engaged(state)
    parts = frozenset(remaining(plan, None))
    if plan.lesson is not None and not plan.lesson.done:
        state = mark_read(state, plan.lesson.lesson_id, today)
        person.lessons.append(plan.lesson.lesson_id)
    rated = act.feedback if "exercises" in parts else None
    session = SessionRecord(today, plan.level, parts, rated, act.walk)
    person.sessions = added(person.sessions, session)
    before = state.level
    state = after_block(state, person.sessions, today)
    if state.level != before:
        person.levels.append((today, before, state.level, "too_hard"))
    return state, session


def seed_store(store: Store, crowd: Sequence[Person], now: datetime) -> None:
    """Each person as a consenting user enrolled through the store's own methods."""
    for person in crowd:
        with store.turn(person.user_id, now, language="en", timezone=ZONE) as tx:
            tx.give_consent(1)
            tx.enrol_programme(person.state.to_dict(), [])


def save_all(store: Store, crowd: Sequence[Person], now: datetime) -> None:
    """Every state and every session written, one transaction per person."""
    for person in crowd:
        with store.on_behalf(person.user_id, now) as tx:
            assert tx is not None
            tx.save_programme(person.state.to_dict())
            new = person.sessions[person.saved_sessions :]
            tx.save_programme_sessions([_session_row(s) for s in new])
        person.saved_sessions = len(person.sessions)


def _session_row(session: SessionRecord) -> dict[str, Any]:
    """A session as :meth:`data.turn.Turn.save_programme_sessions` takes it (field by
    field: ``dataclasses.asdict`` deep-copies, which cost more than the write)."""
    return {
        "day": session.day,
        "level": session.level,
        "parts": sorted(session.parts),
        "feedback": session.feedback,
        "walk_minutes": session.walk_minutes,
    }


def reload_all(store: Store, crowd: Sequence[Person], now: datetime) -> int:
    """Each person's state and sessions as the database returns them (the run goes on
    from these); returns how many differed from what was saved (must be 0)."""
    differ = 0
    for person in crowd:
        with store.view(person.user_id, now) as tx:
            assert tx is not None
            row = tx.programme()
            assert row is not None
            state = ProgrammeState.from_dict(row.state)
            sessions = in_day_order(
                SessionRecord.from_dict(s) for s in tx.programme_sessions(START)
            )
        differ += state != person.state or sessions != person.sessions
        person.state, person.sessions = state, sessions
    return differ


@dataclass
class Run:
    crowd: list[Person]
    days: int
    seconds: float
    restart_differences: int
    cpu_seconds: float = 0.0  # this process's: on a shared machine wall time is waiting


def simulate(count: int, weeks: int, store: Store | None, clock: ManualClock) -> Run:
    """``count`` people through ``weeks`` weeks; a restart through ``store`` half-way."""
    content = programme_content(default_catalogue())
    crowd = people(count)
    days = weeks * 7
    differ = 0
    began, cpu = wall.perf_counter(), wall.process_time()
    if store is not None:
        seed_store(store, crowd, clock.now())
    try:
        for n in range(days):
            # The crowd's records so far (every message, session and state of 1,000
            # people, which a bot keeps in its database, not in memory) are set aside
            # from the cyclic collector, which would otherwise walk them all again each
            # time the heap grew by a quarter: a cost of the bench's memory, not of the
            # rules (about 15% of the time at 1,000 people). Nothing else changes.
            gc.freeze()
            today = START + timedelta(days=n)
            clock.set(datetime.combine(today, time(23, 0), tzinfo=UTC))
            for person in crowd:
                live_day(person, n, today, content)
            if store is not None and n in (days // 2, days - 1):  # half-way and at the end
                save_all(store, crowd, clock.now())
                differ += reload_all(store, crowd, clock.now())
    finally:
        gc.unfreeze()  # the process (a test run) collects as usual again
    return Run(crowd, days, wall.perf_counter() - began, differ, wall.process_time() - cpu)


def repeats_within(sent: Sequence[tuple[date, str, str]], window: int) -> int:
    """Messages whose key was already used in the ``window`` days before."""
    last: dict[str, date] = {}
    repeats = 0
    for day, _kind, key in sent:
        if key in last and (day - last[key]).days < window:
            repeats += 1
        last[key] = day
    return repeats


def level_violations(person: Person) -> int:
    """Level steps up by more than one, or twice within a week; drops of more than one."""
    bad = 0
    last_up: date | None = None
    for day, before, after, _why in person.levels:
        if after > before:
            if after - before > 1 or (last_up and (day - last_up).days < UP_GAP_DAYS):
                bad += 1
            last_up = day
        elif before - after > 1:
            bad += 1
    return bad


def flare_violations(person: Person) -> int:
    """Closed flare-up modes longer than a week, or flare-ups where none belongs."""
    bad = sum(
        1
        for flare in person.state.flares
        if flare.ended_on is not None and (flare.ended_on - flare.started_on).days >= MODE_DAYS
    )
    if person.pattern == "flare" and not any(n in FLARE_DAYS for n in person.flare_entry_days):
        bad += 1  # the week-5 flare-up must open a flare-up mode
    if person.pattern == "steady" and person.flare_entry_days:
        bad += 1  # steady pain never is a flare-up
    return bad


def drifting_share(crowd: Sequence[Person]) -> float:
    """Messages per day to the drifting people once they stopped answering (weeks 7-12)."""
    first, last = START + timedelta(days=42), START + timedelta(days=7 * PROGRAMME_WEEKS - 1)
    drifting = [p for p in crowd if p.pattern == "drifting"]
    sent = sum(1 for p in drifting for day, _, _ in p.sent if first <= day <= last)
    days = (last - first).days + 1
    return sent / max(1, len(drifting) * days)


def figures(run: Run) -> dict[str, Any]:
    crowd = run.crowd
    per_day = Counter((p.user_id, day) for p in crowd for day, _, _ in p.sent)
    weekly = [(p, day) for p in crowd for day, kind, _ in p.sent if kind == "weekly"]
    maintenance = sum(1 for p, day in weekly if position(p.state, day).maintenance)
    messages = sum(len(p.sent) for p in crowd)
    return {
        "users": len(crowd),
        "days": run.days,
        "messages": messages,
        "messages_per_user_day": round(messages / max(1, len(crowd) * run.days), 3),
        "max_messages_per_user_day": max(per_day.values(), default=0),
        "weekly_messages_in_maintenance": maintenance,
        "repeated_lessons": sum(len(p.lessons) - len(set(p.lessons)) for p in crowd),
        "repeated_nudges_14d": sum(repeats_within(p.sent, NO_REPEAT_DAYS) for p in crowd),
        "messages_while_paused": sum(p.paused_messages for p in crowd),
        "flare_entries": sum(len(p.flare_entry_days) for p in crowd),
        "flare_rule_violations": sum(flare_violations(p) for p in crowd),
        "level_rule_violations": sum(level_violations(p) for p in crowd),
        "drifting_messages_per_day": round(drifting_share(crowd), 3),
        "restart_differences": run.restart_differences,
        "simulate_s": round(run.seconds, 2),
        "simulate_cpu_s": round(run.cpu_seconds, 2),
        "simulated_user_days_per_s": round(len(crowd) * run.days / max(run.seconds, 1e-9)),
    }


TICK_AT: Final = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # 08:30 in Brussels
DUE: Final = 1_000
TICKS: Final = 3


def seed_enrolled(engine: Engine, count: int) -> None:
    """``count`` enrolled users with their daily message; DUE of them due at TICK_AT,
    the rest spread over the other minutes of the day (none due at TICK_AT)."""
    ids = user_ids(count)
    now = TICK_AT - timedelta(days=1)
    seed_users(engine, ids, now)
    with engine.begin() as connection:  # everyone in one zone: one due minute for all
        connection.execute(sa_text("UPDATE users SET timezone = :zone"), {"zone": ZONE})
    state = enrol(now.date() - timedelta(days=20), time(8, 30), "medium").state.to_dict()
    programmes = ((uid, state, (), now) for uid in ids)
    bulk_insert(engine, Programme, ("user_id", "state", "replaced", "updated_at"), programmes)
    rule = Rule.at(PROGRAMME, ["08:30"], timezone=ZONE).to_dict()
    later = TICK_AT + timedelta(days=TICKS)

    def reminders() -> Iterator[tuple[Any, ...]]:
        for index, uid in enumerate(ids):
            # The others are due at other minutes, after the measured ticks: none of
            # them is claimed, and the index alone must keep them out of the way.
            due = TICK_AT if index < DUE else later + timedelta(minutes=index % 1380)
            yield (uid, PROGRAMME, rule, True, due, now, now)

    bulk_insert(engine, Reminder, REMINDER_COLUMNS, reminders())
    c.analyze(engine)


async def one_tick(url: str) -> tuple[float, float]:
    """Median seconds, wall and this process's CPU, of TICKS dispatcher ticks at 08:30 on
    consecutive days: the claims and each one's decision and writes (no network)."""
    clock = ManualClock(TICK_AT)
    services = build_services(c.make_settings(url, sentence_encoder="none"), clock)
    store = services.store

    async def send(claim: Any) -> DeliveryStatus | None:
        message = await asyncio.to_thread(prepare, services, claim)
        return None if message is not None else DeliveryStatus.SKIPPED

    dispatcher = Dispatcher(store, clock, send, advance, DispatchSettings(per_chat_interval=0.0))
    samples, cpu = [], []
    for day in range(TICKS):
        clock.set(TICK_AT + timedelta(days=day))
        began, began_cpu = wall.perf_counter(), wall.process_time()
        report = await dispatcher.tick()
        samples.append(wall.perf_counter() - began)
        cpu.append(wall.process_time() - began_cpu)
        assert report.claimed == DUE, report
    store.dispose()
    return sorted(samples)[TICKS // 2], sorted(cpu)[TICKS // 2]


def tick_cost(folder: Path, count: int) -> tuple[float, float]:
    with c.database("sqlite", folder, f"programme-{count}", None) as url:
        store = c.migrated_store(url)
        seed_enrolled(store.engine, count)
        store.dispose()
        return asyncio.run(one_tick(url))


WORST_OF: Final = (
    *("max_messages_per_user_day", "repeated_lessons", "repeated_nudges_14d"),
    *("messages_while_paused", "flare_rule_violations", "level_rule_violations"),
    "restart_differences",
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.programme")
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--weeks", type=int, default=PROGRAMME_WEEKS + 4)
    c.options(parser, "100 users, 10,000 for the tick")
    args = parser.parse_args(argv)
    users, big = (100, 10_000) if args.quick else (args.users, 100_000)
    postgres, began = c.postgres_of(args), datetime(2026, 1, 5, tzinfo=UTC)
    with c.bench_run("bench.programme", args.workdir, args.keep) as (folder, result):
        runs: dict[str, dict[str, Any]] = {}
        for kind in c.databases(postgres):
            with c.database(kind, folder, "programme-sim", postgres) as url:
                store = c.migrated_store(url)
                run = simulate(users, args.weeks, store, ManualClock(began))
                store.dispose()
            runs[kind] = figures(run)
            c.say(f"{kind}: {users} users x {run.days} days in {run.seconds:.1f} s")
        # SQLite's figures, with the worst of every check and the slower speed of both.
        result.update(runs["sqlite"])
        for key in WORST_OF:
            result[key] = max(found[key] for found in runs.values())
        speeds = [found["simulated_user_days_per_s"] for found in runs.values()]
        result["simulated_user_days_per_s"] = min(speeds)
        for kind, found in runs.items():
            result[f"{kind}_simulate_s"] = found["simulate_s"]
            result[f"{kind}_simulate_cpu_s"] = found["simulate_cpu_s"]
        small, large = tick_cost(folder, 1_000), tick_cost(folder, big)
        c.say(
            f"one tick, {DUE:,} due: {small[0]:.3f} s at 1k, {large[0]:.3f} s at {big:,} enrolled"
        )
        for what, index in (("tick_ms", 0), ("tick_cpu_ms", 1)):
            result[f"{what}_1k"] = round(small[index] * 1000, 1)
            result[f"{what}_{big // 1000}k"] = round(large[index] * 1000, 1)
        result["tick_ratio_100k_vs_1k"] = round(large[0] / small[0], 2)


if __name__ == "__main__":
    main()
