"""The dispatcher over a real store and a real PTB bot against the fake Bot API:
never twice, bounded loss on a crash, grace window, and Telegram's errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import Application, ExtBot

from bot.clock import ManualClock
from bot.dispatcher import Dispatcher, DispatchSettings
from bot.telegram_app import smooth_rate_limiter
from data.engine import make_engine
from data.reminders import Claim
from data.store import Store
from flows.schedule import Rule
from tests.conftest import TEST_TOKEN, hourly, unthrottled_app
from tests.support import peek
from tests.support.fakebotapi import FakeBotApi
from tests.support.self_check import OFFICE_WORKER

EVERY = timedelta(hours=1)


def seed(store: Store, now: datetime, users: range, due: datetime) -> None:
    for uid in users:
        with store.turn(uid, now, language="en", timezone="Europe/Brussels") as tx:
            tx.give_consent(1)
            tx.upsert_reminder("movement", {"kind": "movement"}, enabled=True, next_due_at=due)


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeBotApi, ExtBot[Any]]]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        app = unthrottled_app(server, read_timeout=0.5)
        async with app:
            yield server, app.bot


def dispatcher(store: Store, clock: ManualClock, bot: ExtBot[Any], **settings: Any) -> Dispatcher:
    async def send(claim: Claim) -> None:
        await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")

    defaults: dict[str, Any] = {
        "backoff_first": 0.01,
        "backoff_cap": 0.05,
        "per_chat_interval": 0.0,
    }
    defaults.update(settings)
    return Dispatcher(store, clock, send, hourly, DispatchSettings(**defaults))


def statuses(store: Store) -> list[str]:
    return [d.status for d in peek.deliveries(store)]


async def test_each_due_slot_is_sent_once_and_moves_on(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 41), clock.now())
    report = await dispatcher(store, clock, bot, concurrency=8).tick()
    assert report.sent == 40 and report.max_in_flight == 8
    assert server.delivered() == 40 and not server.duplicate_sends()
    assert await dispatcher(store, clock, bot).tick() == type(report)()  # nothing left
    clock.advance(EVERY)
    assert (await dispatcher(store, clock, bot).tick()).sent == 40


async def test_a_crash_after_claiming_never_resends_and_costs_one_round_at_most(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 101), clock.now())
    settings = DispatchSettings(concurrency=10)
    # The process claims one round, then dies before sending anything.
    lost = store.claim_due(
        clock.now(), limit=settings.concurrency, grace=settings.grace, advance=hourly
    )
    assert len(lost) == settings.concurrency
    # A fresh process (new engine, same database) takes over.
    restarted = Store(make_engine(str(store.engine.url.render_as_string(hide_password=False))))
    report = await dispatcher(restarted, clock, bot, concurrency=10).tick()
    restarted.dispose()
    assert report.sent == 90
    assert server.delivered() == 90 and not server.duplicate_sends()
    assert statuses(store).count("claimed") == 10  # lost in flight, never sent twice


async def test_two_dispatchers_on_one_database_send_each_slot_once(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 301), clock.now())
    url = store.engine.url.render_as_string(hide_password=False)
    first, second = Store(make_engine(url)), Store(make_engine(url))
    reports = await asyncio.gather(
        dispatcher(first, clock, bot, concurrency=15).tick(),
        dispatcher(second, clock, bot, concurrency=15).tick(),
    )
    first.dispose()
    second.dispose()
    assert sum(r.sent for r in reports) == 300
    assert server.delivered() == 300 and not server.duplicate_sends()
    assert len({d.reminder_id for d in peek.deliveries(store)}) == 300


async def test_slots_missed_while_down_are_sent_late_only_within_grace(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    top = clock.now().replace(minute=0)
    seed(store, clock.now(), range(1, 3), top - timedelta(minutes=10))  # 10 min late: send
    seed(store, clock.now(), range(3, 5), top - timedelta(days=3))  # 3 days down: skip
    clock.set(top)
    report = await dispatcher(store, clock, bot).tick()
    # 1 and 2 were 10 minutes late, but the slot at `top` is due too: only the latest
    # is sent. 3 and 4 missed three days of slots: only the one inside the grace window.
    assert report.sent == 4
    assert sorted(c.chat_id for c in server.sent_messages()) == [1, 2, 3, 4]
    assert {d.slot for d in peek.deliveries(store)} == {top}


async def test_restart_after_days_down_does_not_replay_a_backlog(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    top = clock.now().replace(minute=0) + EVERY
    seed(store, clock.now(), range(1, 6), top)
    clock.set(top + timedelta(days=2, minutes=30))  # 48 slots missed, none within 20 min
    report = await dispatcher(store, clock, bot).tick()
    assert report.claimed == 0 and server.delivered() == 0
    with store.turn(1, clock.now(), language="en", timezone="UTC") as tx:
        upcoming = tx.reminders()[0].next_due_at
    assert upcoming is not None and upcoming > clock.now()


async def test_429_waits_and_retries_once_delivered(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 4), clock.now())
    server.fail_next("sendMessage", status=429, retry_after=1, count=2)
    report = await dispatcher(store, clock, bot).tick()
    assert report.sent == 3 and report.retries >= 2
    assert server.stats["429"] == 2
    assert server.delivered() == 3 and not server.duplicate_sends()


async def test_5xx_retries_with_backoff(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 2), clock.now())
    server.fail_next("sendMessage", status=502, count=3)
    report = await dispatcher(store, clock, bot).tick()
    assert report.sent == 1 and report.retries == 3
    assert server.delivered() == 1


async def test_persistent_5xx_gives_up_without_blocking_others(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 2), clock.now())
    server.fail_next("sendMessage", status=500, count=100)
    report = await dispatcher(store, clock, bot, max_attempts=3).tick()
    assert report.failed == 1 and statuses(store) == ["failed"]


async def test_read_timeout_counts_as_sent_and_is_never_resent(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 2), clock.now())
    server.delay_next("sendMessage", seconds=1.0)
    report = await dispatcher(store, clock, bot).tick()
    assert report.ambiguous == 1 and statuses(store) == ["ambiguous"]
    await server.wait_for("sendMessage")  # the slow request did reach "Telegram"
    assert len(server.calls_to("sendMessage")) == 1


async def test_a_connection_dropped_after_the_request_counts_as_sent_and_is_never_resent(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 3), clock.now())
    server.hang_up_next("sendMessage")  # delivered, but the answer never comes back
    report = await dispatcher(store, clock, bot).tick()
    assert report.ambiguous == 1 and report.sent == 1 and report.retries == 0
    assert server.delivered() == 2 and not server.duplicate_sends()


async def test_one_send_failing_in_our_own_code_never_stops_the_others(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 6), clock.now())

    async def send(claim: Claim) -> None:
        if claim.user_id == 1:
            raise RuntimeError("loading this user's summary failed")
        await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")

    report = await Dispatcher(
        store, clock, send, hourly, DispatchSettings(per_chat_interval=0.0)
    ).tick()
    assert report.failed == 1 and report.sent == 4 and server.delivered() == 4
    assert sorted(statuses(store)) == ["failed"] + ["sent"] * 4


async def test_a_failing_claim_lets_the_sends_in_flight_finish_and_be_recorded(
    store: Store,
    clock: ManualClock,
    telegram: tuple[FakeBotApi, ExtBot[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 11), clock.now())
    claim_due = store.claim_due
    rounds = 0

    def flaky_claim(*args: Any, **kwargs: Any) -> Any:
        nonlocal rounds
        rounds += 1
        if rounds > 1:
            raise OSError("the database went away")
        return claim_due(*args, **kwargs)

    monkeypatch.setattr(store, "claim_due", flaky_claim)
    server.delay_next("sendMessage", seconds=0.3, count=2)  # still in flight at the failure
    with pytest.raises(OSError):
        await dispatcher(store, clock, bot, concurrency=4).tick()
    assert server.delivered() == 4 and statuses(store) == ["sent"] * 4


async def test_a_user_who_erases_their_data_while_a_send_waits_gets_nothing(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 2), clock.now())
    erased = False

    async def send(claim: Claim) -> None:
        nonlocal erased
        if not erased:  # Telegram says "wait"; meanwhile the user types /delete
            with store.turn(1, clock.now(), language="en", timezone="UTC") as tx:
                tx.erase_everything()
            erased = True
            raise RetryAfter(0)
        await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")

    report = await Dispatcher(
        store, clock, send, hourly, DispatchSettings(per_chat_interval=0.0)
    ).tick()
    assert report.skipped == 1 and server.delivered() == 0 and peek.deliveries(store) == []


async def test_a_user_who_erases_their_data_while_a_second_message_waits_its_turn_gets_no_more(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    with store.turn(1, clock.now(), language="en", timezone="Europe/Brussels") as tx:
        tx.give_consent(1)
        for kind in ("movement", "posture"):  # both due now: the second waits a second
            tx.upsert_reminder(kind, {"kind": kind}, enabled=True, next_due_at=clock.now())

    async def send(claim: Claim) -> None:
        await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")
        with store.turn(1, clock.now(), language="en", timezone="UTC") as tx:
            tx.erase_everything()  # the user types /delete right after the first arrives

    report = await Dispatcher(
        store, clock, send, hourly, DispatchSettings(per_chat_interval=0.2)
    ).tick()
    assert server.delivered() == 1 and report.skipped == 1 and peek.deliveries(store) == []


async def test_a_database_error_before_a_retry_fails_that_send_only(
    store: Store,
    clock: ManualClock,
    telegram: tuple[FakeBotApi, ExtBot[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 4), clock.now())
    server.fail_next("sendMessage", status=502, count=1)  # the first send needs a retry

    def database_gone(_delivery_id: int) -> bool:
        raise OSError("connection lost")

    monkeypatch.setattr(store, "delivery_exists", database_gone)
    report = await dispatcher(store, clock, bot, concurrency=1).tick()
    assert report.failed == 1 and report.sent == 2 and server.delivered() == 2
    assert "claimed" not in statuses(store)


async def test_blocked_user_is_parked_and_gets_nothing_more(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 3), clock.now())
    server.blocked_chats.add(2)
    report = await dispatcher(store, clock, bot).tick()
    assert report.sent == 1 and report.blocked == 1
    user = store.get_user(2)
    assert user is not None and not user.active
    clock.advance(EVERY)
    report = await dispatcher(store, clock, bot).tick()
    assert report.sent == 1 and [c.chat_id for c in server.sent_messages()] == [1, 1]
    with store.view(2, clock.now()) as tx:
        assert tx is not None
        parked = [r.kind for r in tx.reminders() if r.enabled and r.next_due_at is None]
    assert parked == ["movement"]


async def test_a_user_who_sends_start_while_a_blocked_answer_is_on_its_way_stays_active(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 2), clock.now())
    server.blocked_chats.add(1)

    async def send(claim: Claim) -> None:
        try:
            await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")
        finally:
            # Telegram said 403; before we record it, the user unblocks us and sends /start.
            clock.advance(timedelta(seconds=1))
            with store.turn(1, clock.now(), language="en", timezone="UTC") as tx:
                tx.reactivate()

    report = await Dispatcher(
        store, clock, send, hourly, DispatchSettings(per_chat_interval=0.0)
    ).tick()
    assert report.blocked == 1
    user = store.get_user(1)
    assert user is not None and user.active
    # A 403 to a later send, with no /start since, parks them as before.
    clock.advance(EVERY)
    assert (await dispatcher(store, clock, bot).tick()).blocked == 1
    user = store.get_user(1)
    assert user is not None and not user.active


async def test_a_crowd_that_takes_longer_than_the_grace_window_is_still_sent(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    due = clock.now()
    for uid in range(1, 61):  # one-off slots, so no later slot falls due while we send
        with store.turn(uid, due, language="en", timezone="UTC") as tx:
            tx.give_consent(1)
            tx.add_one_off("movement", {"kind": "movement"}, due)

    async def slow_send(claim: Claim) -> None:
        clock.advance(timedelta(minutes=1))  # every send takes a minute of "real" time
        await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")

    dispatcher = Dispatcher(
        store, clock, slow_send, hourly, DispatchSettings(concurrency=5, per_chat_interval=0.0)
    )
    report = await dispatcher.tick()
    assert report.sent == 60 and server.delivered() == 60  # the last went out 60 min late


async def test_rows_parked_in_a_round_do_not_end_the_tick_early(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    seed(store, clock.now(), range(1, 31), clock.now())
    for uid in range(1, 21):  # the first twenty due rows belong to users who blocked us
        store.deactivate_user(uid, clock.now())
    report = await dispatcher(store, clock, bot, concurrency=10).tick()
    assert report.sent == 10 and sorted(c.chat_id for c in server.sent_messages()) == list(
        range(21, 31)
    )


async def test_old_delivery_rows_are_pruned_and_new_ones_kept(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    from bot.maintenance import DELIVERIES_KEPT, prune

    _server, bot = telegram
    seed(store, clock.now(), range(1, 4), clock.now())
    await dispatcher(store, clock, bot).tick()
    clock.advance(DELIVERIES_KEPT + timedelta(hours=1))
    await dispatcher(store, clock, bot).tick()  # today's slots for the same reminders
    assert len(peek.deliveries(store)) == 6
    assert await prune(store, clock) == 3
    assert len(peek.deliveries(store)) == 3


async def test_spent_snoozes_are_pruned_pending_ones_kept(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    from bot.maintenance import DELIVERIES_KEPT, prune

    _server, bot = telegram
    with store.turn(1, clock.now(), language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        tx.add_one_off("movement", {"kind": "movement"}, clock.now())  # fires now
    await dispatcher(store, clock, bot).tick()
    clock.advance(DELIVERIES_KEPT + timedelta(days=2))
    with store.turn(1, clock.now(), language="en", timezone="UTC") as tx:
        tx.add_one_off("movement", {"kind": "movement"}, clock.now() + timedelta(minutes=15))
    await prune(store, clock)
    with store.view(1, clock.now()) as tx:
        assert tx is not None
        left = tx.reminders()
    assert [(r.one_off, r.next_due_at is not None) for r in left] == [(True, True)]


async def test_refused_connections_are_retried_until_the_server_is_back(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    from telegram.error import NetworkError

    server, bot = telegram
    seed(store, clock.now(), range(1, 21), clock.now())
    refused = 0
    outage = asyncio.Event()

    async def send(claim: Claim) -> None:
        nonlocal refused
        try:
            await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")
        except NetworkError:
            refused += 1
            if refused >= 10:
                outage.set()
            raise

    await bot.get_me()  # a pooled keep-alive connection exists before the outage
    await server.refuse_connections()
    dispatcher = Dispatcher(
        store,
        clock,
        send,
        hourly,
        DispatchSettings(
            concurrency=5,
            backoff_first=0.01,
            backoff_cap=0.05,
            max_attempts=200,
            per_chat_interval=0.0,
        ),
    )
    tick = asyncio.create_task(dispatcher.tick())
    await outage.wait()
    server.accept_connections()
    report = await tick
    assert refused >= 10 and report.sent == 20 and report.retries >= 10
    assert server.delivered() == 20 and not server.duplicate_sends()


# -- a reminder whose task is done for the day is skipped (issue 14, item 5) -------------

BXL = "Europe/Brussels"
TUESDAY_20H = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)  # 20:00 in Brussels


def seed_checkins(store: Store, now: datetime, users: range) -> None:
    from bot.features.reminders import advance

    rule = Rule.at("checkin", ["20:00"], BXL).to_dict()
    for uid in users:
        with store.turn(uid, now, language="en", timezone=BXL) as tx:
            tx.give_consent(1)
            tx.upsert_reminder("checkin", rule, enabled=True, next_due_at=advance(rule, now))


def screened(store: Store, clock: ManualClock, bot: ExtBot[Any]) -> Dispatcher:
    from bot.features.reminders import advance, screening

    async def send(claim: Claim) -> None:
        await bot.send_message(claim.user_id, f"reminder {claim.delivery_id}")

    return Dispatcher(
        store, clock, send, advance, DispatchSettings(per_chat_interval=0.0), screening()
    )


async def test_the_evening_check_in_is_skipped_on_days_the_user_already_checked_in(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    server, bot = telegram
    clock.set(TUESDAY_20H - timedelta(hours=12))
    seed_checkins(store, clock.now(), range(1, 3))
    dispatcher = screened(store, clock, bot)
    # Tuesday: user 1 checks in at 19:00; user 2 does not.
    clock.set(TUESDAY_20H - timedelta(hours=1))
    with store.turn(1, clock.now(), language="en", timezone=BXL) as tx:
        tx.record_checkin(date(2026, 11, 24), pain=3, stress=2, sleep=None, moved=None, note=None)
    clock.set(TUESDAY_20H)
    report = await dispatcher.tick()
    assert report.sent == 1 and report.withheld == {"skipped": 1}
    assert [c.chat_id for c in server.sent_messages()] == [2]
    skipped = [d for d in peek.deliveries(store, 1)]
    assert [(d.status, d.sent_at) for d in skipped] == [("skipped", None)]
    # Its next slot moved on as usual: Wednesday 20:00 comes to both.
    with store.view(1, clock.now()) as tx:
        assert tx is not None
        assert tx.reminders()[0].next_due_at == TUESDAY_20H + timedelta(days=1)
    clock.set(TUESDAY_20H + timedelta(days=1))
    report = await dispatcher.tick()
    assert report.sent == 2 and report.withheld == {}
    assert sorted(c.chat_id for c in server.sent_messages()) == [1, 2, 2]


async def test_reading_what_was_done_today_costs_no_query_per_reminder(
    store: Store, clock: ManualClock
) -> None:
    from sqlalchemy import event

    from bot.features.reminders import advance, screening

    clock.set(TUESDAY_20H - timedelta(hours=12))
    seed_checkins(store, clock.now(), range(1, 41))
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(store.engine, "before_cursor_execute", count)
    selects = []
    for limit in (2, 30):
        clock.set(TUESDAY_20H + timedelta(days=len(selects)))
        statements.clear()
        claims = store.claim_due(
            clock.now(),
            limit=limit,
            grace=timedelta(minutes=20),
            advance=advance,
            screening=screening(),
        )
        assert len(claims) == limit
        selects.append(statements.count("SELECT"))
    event.remove(store.engine, "before_cursor_execute", count)
    assert selects[0] == selects[1]


# -- at most 4 pushes a day; ignored reminders asked about once (issue 14, item 6) -------


async def test_the_daily_limit_holds_day_after_day_on_both_databases(
    store: Store, clock: ManualClock, telegram: tuple[FakeBotApi, ExtBot[Any]]
) -> None:
    from bot.features.reminders import advance
    from flows.plan import default_plan

    server, bot = telegram
    clock.set(datetime(2026, 11, 22, 23, 0, tzinfo=UTC))  # Monday 00:00 in Brussels
    for uid, limit in ((1, 4), (2, None), (3, 2)):
        with store.turn(uid, clock.now(), language="en", timezone=BXL) as tx:
            tx.give_consent(1)
            tx.set_daily_limit(limit)
            for rule in default_plan(OFFICE_WORKER, BXL):
                data = rule.to_dict()
                tx.upsert_reminder(rule.kind, data, enabled=True, next_due_at=advance(data, tx.now))
    dispatcher = screened(store, clock, bot)
    for _ in range(3 * 24 * 4):  # Monday to Wednesday (nobody answers: from Thursday on,
        clock.advance(timedelta(minutes=15))  # spacing would thin them out further)
        await dispatcher.tick()
    sent = {uid: server.delivered(uid) for uid in (1, 2, 3)}
    assert sent == {1: 3 * 4, 2: 3 * 13, 3: 3 * 2}
    held = [d.status for d in peek.deliveries(store, 1) if d.status != "sent"]
    assert held == ["capped"] * 3 * (13 - 4)


async def test_a_reminder_ignored_three_days_is_asked_about_once_on_both_databases(
    store: Store, clock: ManualClock
) -> None:
    from bot.features.reminders import advance, screening

    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    rule = Rule.at("pain", ["17:30"], BXL).to_dict()
    with store.turn(1, clock.now(), language="en", timezone=BXL) as tx:
        tx.give_consent(1)
        tx.upsert_reminder("pain", rule, enabled=True, next_due_at=advance(rule, tx.now))
    seen = []
    for _ in range(6):
        clock.set(clock.now().replace(hour=16, minute=30))
        claims = store.claim_due(
            clock.now(),
            limit=5,
            grace=timedelta(minutes=20),
            advance=advance,
            screening=screening(),
        )
        store.settle([(c.delivery_id, "asked" if c.ask else "sent") for c in claims], clock.now())
        seen.append("ask" if claims and claims[0].ask else "sent" if claims else "-")
        clock.advance(timedelta(days=1))
    assert seen == ["sent", "sent", "sent", "ask", "-", "-"]
    with store.view(1, clock.now()) as tx:
        assert tx is not None
        assert tx.reminders()[0].asked_at == datetime(2026, 11, 26, 16, 30, tzinfo=UTC)
    assert [d.status for d in peek.deliveries(store, 1)][-2:] == ["spaced", "spaced"]


async def test_sends_held_back_by_a_429_resume_at_the_pace_not_all_at_once(
    store: Store, clock: ManualClock
) -> None:
    """A 429 pauses every send; the sends that queued up meanwhile must leave at the
    pace afterwards, or Telegram's own flood limit answers them with more 429s."""
    seed(store, clock.now(), range(1, 61), clock.now())
    async with FakeBotApi(token=TEST_TOKEN, enforce_limits=True, global_rate=30) as server:
        app = (
            Application.builder()
            .token(TEST_TOKEN)
            .base_url(f"{server.base_url}/bot")
            .rate_limiter(smooth_rate_limiter(30.0))  # what build_application uses
            .build()
        )
        async with app:
            server.fail_next("sendMessage", status=429, retry_after=1)
            report = await dispatcher(store, clock, app.bot, concurrency=25).tick()
    assert report.sent == 60 and server.delivered() == 60 and not server.duplicate_sends()
    assert server.stats["429"] == 1  # the injected one only
    assert server.stats["rate_limited"] == 0  # none from the flood limits


async def test_edits_take_their_turn_at_the_pace_like_sends() -> None:
    """Telegram counts an edit toward its 30 messages a second as it does a send, so a
    reply that takes the place of the pressed question waits its turn like any send."""
    limiter = smooth_rate_limiter(10.0)
    loop = asyncio.get_running_loop()
    made: list[float] = []

    async def call() -> bool:
        made.append(loop.time())
        return True

    methods = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "editMessageText")
    for method in methods:
        data = {"chat_id": 7, "message_id": 3, "text": "x"}
        await limiter.process_request(call, (), {}, method, data, None)
    assert len(made) == 4
    assert made[-1] - made[0] >= 0.3 - 0.01, "one every 1/10 s, edits included"
