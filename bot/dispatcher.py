"""The reminder dispatcher: one tick claims due slots and sends them, never twice.

One APScheduler job (PTB's ``JobQueue``) calls :meth:`Dispatcher.tick`; no job is
created per user, so start-up cost and memory stay flat however many users there are.
Claims are taken in rounds no larger than the send concurrency: a crash can cost at
most the messages in flight at that instant, never a whole batch.

Telegram errors: ``RetryAfter`` waits as long as told and tries again (the rate
limiter, :mod:`bot.rate_limit`, also pauses every other send meanwhile); 5xx answers and requests
that never left (refused connection, connect timeout, no free pooled connection) retry
with capped backoff; anything that may have reached Telegram without an answer coming
back (read timeout, dropped connection) is ambiguous and counts as sent (Telegram has
no idempotency key, and we choose never-twice); ``Forbidden`` means the user blocked
the bot, who is then parked until they ``/start`` again. Any other failure of one send
is recorded as failed and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.clock import Clock
from bot.logsafe import user_ref
from data.reminders import Advance, Claim
from data.screening import Screening
from data.store import Store
from flows.rows import DeliveryStatus

log = logging.getLogger(__name__)

Send = Callable[[Claim], Awaitable[DeliveryStatus | None]]
"""Sends one claim's message(s) through PTB and raises PTB's errors untouched. It may
return a status of its own (nudge, asked, skipped); None means sent."""
Outcome = tuple[int, DeliveryStatus]
"""(delivery id, how its send ended)."""


@dataclass(frozen=True)
class DispatchSettings:
    concurrency: int = 25
    grace: timedelta = timedelta(minutes=20)
    max_attempts: int = 6
    backoff_first: float = 0.5
    backoff_cap: float = 8.0
    per_chat_interval: float = 1.05
    """Seconds between two messages to one private chat (Telegram allows about 1/s)."""


@dataclass
class DispatchReport:
    claimed: int = 0
    retries: int = 0
    rounds: int = 0
    max_in_flight: int = 0
    """Never above the concurrency: the most a crash can cost."""
    statuses: dict[int, DeliveryStatus] = field(default_factory=dict)
    """How each send of the tick ended, by delivery id."""
    ended: Counter[DeliveryStatus] = field(default_factory=Counter)
    """...counted by status."""
    withheld: Counter[DeliveryStatus] = field(default_factory=Counter)
    """Slots the screening held back at claim (by status): recorded, never sent."""

    def add(self, delivery_id: int, status: DeliveryStatus) -> None:
        self.statuses[delivery_id] = status
        self.ended[status] += 1

    @property
    def sent(self) -> int:
        return self.ended[DeliveryStatus.SENT]

    @property
    def ambiguous(self) -> int:
        return self.ended[DeliveryStatus.AMBIGUOUS]

    @property
    def failed(self) -> int:
        return self.ended[DeliveryStatus.FAILED]

    @property
    def blocked(self) -> int:
        return self.ended[DeliveryStatus.BLOCKED]

    @property
    def skipped(self) -> int:
        return self.ended[DeliveryStatus.SKIPPED]


class Dispatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        send: Send,
        advance: Advance,
        settings: DispatchSettings | None = None,
        screening: Screening | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.send = send
        self.advance = advance
        self.screening = screening
        self.settings = settings or DispatchSettings()
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._chat_last: dict[int, float] = {}
        self._tick_lock = asyncio.Lock()
        self._tick_started = clock.now()

    async def tick(self) -> DispatchReport:
        """Send everything due now; a second overlapping tick just waits.

        A sliding window: at most ``concurrency`` claims are in flight, and as sends
        finish, more slots are claimed, so the pipe to Telegram never runs dry between
        rounds while a crash still costs at most what is in flight.
        """
        report = DispatchReport()
        async with self._tick_lock:
            self._tick_started = self.clock.now()
            in_flight: dict[asyncio.Task[Outcome], Claim] = {}
            try:
                await self._run(in_flight, report)
            except Exception:
                # Claiming or settling failed (the database went away): what is already
                # on its way still finishes and is recorded if possible, so no claim is
                # left running unwatched; the next tick starts afresh.
                await self._finish(in_flight, report)
                raise
            self._forget_idle_chats()
        return report

    async def _run(
        self, in_flight: dict[asyncio.Task[Outcome], Claim], report: DispatchReport
    ) -> None:
        exhausted = False
        stale_before = self.clock.now() - self.settings.grace
        refill_at = max(1, self.settings.concurrency // 2)
        while True:
            free = self.settings.concurrency - len(in_flight)
            if not exhausted and (free >= refill_at or not in_flight):
                claims = await asyncio.to_thread(
                    self.store.claim_due,
                    self.clock.now(),
                    limit=free,
                    grace=self.settings.grace,
                    advance=self.advance,
                    stale_before=stale_before,
                    screening=self.screening,
                )
                exhausted = claims.examined < free
                report.withheld.update(claims.withheld)
                if claims:
                    report.rounds += 1
                    report.claimed += len(claims)
                for claim in claims:
                    in_flight[asyncio.create_task(self._deliver(claim, report))] = claim
                report.max_in_flight = max(report.max_in_flight, len(in_flight))
                if not in_flight and not exhausted:
                    continue  # every row looked at was parked or skipped: look again
            if not in_flight:
                break
            done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            finished = [(in_flight.pop(task), task.result()) for task in done]
            await self._settle(finished, report)

    async def _finish(
        self, in_flight: dict[asyncio.Task[Outcome], Claim], report: DispatchReport
    ) -> None:
        if not in_flight:
            return
        await asyncio.wait(in_flight)
        finished = [
            (
                claim,
                (claim.delivery_id, DeliveryStatus.FAILED) if task.exception() else task.result(),
            )
            for task, claim in in_flight.items()
        ]
        in_flight.clear()
        try:
            await self._settle(finished, report)
        except Exception as exc:  # still unreachable: they stay "claimed", never resent
            log.warning("could not record %d sends: %s", len(finished), type(exc).__name__)

    async def _settle(self, finished: list[tuple[Claim, Outcome]], report: DispatchReport) -> None:
        outcomes = [outcome for _, outcome in finished]
        await asyncio.to_thread(self.store.settle, outcomes, self.clock.now())
        for claim, (delivery_id, status) in finished:
            report.add(delivery_id, status)
            if status == DeliveryStatus.BLOCKED:
                await asyncio.to_thread(
                    self.store.deactivate_user, claim.user_id, self._tick_started
                )

    async def _deliver(self, claim: Claim, report: DispatchReport) -> Outcome:
        delay = self.settings.backoff_first
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                if attempt > 1 and not await asyncio.to_thread(
                    self.store.delivery_exists, claim.delivery_id
                ):
                    # Erased while we waited to retry (/delete): nothing may reach them.
                    return claim.delivery_id, DeliveryStatus.SKIPPED
                status = await self._paced(claim)
                return claim.delivery_id, status or DeliveryStatus.SENT
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                log.warning("429 from Telegram: waiting %.1fs before retrying", wait)
                report.retries += 1
                await asyncio.sleep(wait)
            except Forbidden:
                log.info(
                    "user %s blocked the bot; parking their reminders", user_ref(claim.user_id)
                )
                return claim.delivery_id, DeliveryStatus.BLOCKED
            except (BadRequest, ChatMigrated) as exc:
                log.warning(
                    "reminder %s refused by Telegram: %s", claim.delivery_id, type(exc).__name__
                )
                return claim.delivery_id, DeliveryStatus.FAILED
            except NetworkError as exc:  # TimedOut included
                if not _safe_to_retry(exc):
                    # The request may have reached Telegram: count it as sent, never resend.
                    log.info("reminder %s: no answer, counted as sent", claim.delivery_id)
                    return claim.delivery_id, DeliveryStatus.AMBIGUOUS
                log.warning(
                    "network error sending reminder (attempt %d): %s", attempt, type(exc).__name__
                )
                report.retries += 1
            except TelegramError as exc:
                log.warning("reminder %s failed: %s", claim.delivery_id, type(exc).__name__)
                return claim.delivery_id, DeliveryStatus.FAILED
            except Exception as exc:  # our own code (loading a summary, a chart): not retried
                log.warning(
                    "reminder %s could not be prepared: %s", claim.delivery_id, type(exc).__name__
                )
                return claim.delivery_id, DeliveryStatus.FAILED
            if attempt < self.settings.max_attempts:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.backoff_cap)
        return claim.delivery_id, DeliveryStatus.FAILED

    async def _paced(self, claim: Claim) -> DeliveryStatus | None:
        """At most one message a second per chat; PTB's limiter handles the 30/s overall."""
        lock = self._chat_locks.setdefault(claim.user_id, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            last = self._chat_last.get(claim.user_id)
            if last is not None:
                wait = last + self.settings.per_chat_interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                    if not await asyncio.to_thread(self.store.delivery_exists, claim.delivery_id):
                        return DeliveryStatus.SKIPPED  # erased (/delete) while it waited its turn
            try:
                return await self.send(claim)
            finally:
                self._chat_last[claim.user_id] = loop.time()

    def _forget_idle_chats(self) -> None:
        """Keep the pacing memory to the chats of the last second, not every user ever."""
        now = asyncio.get_running_loop().time()
        idle = [
            chat
            for chat, last in self._chat_last.items()
            if now - last > self.settings.per_chat_interval
        ]
        for chat in idle:
            self._chat_last.pop(chat, None)
            lock = self._chat_locks.get(chat)
            if lock is not None and not lock.locked():
                self._chat_locks.pop(chat, None)


NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures before a single byte of the request left."""


def _safe_to_retry(exc: NetworkError) -> bool:
    """True only when Telegram surely did not act on the request: it never left (PTB
    chains the httpx error as the cause), or Telegram answered with an error status
    (PTB raises those with no transport cause)."""
    cause = exc.__cause__
    if isinstance(cause, NEVER_SENT):
        return True
    if isinstance(exc, TimedOut):
        return "Pool timeout" in str(exc)  # PTB's words when no connection was free
    return cause is None or isinstance(cause, TelegramError)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
