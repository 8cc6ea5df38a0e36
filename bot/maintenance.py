"""Daily upkeep: the retention policy. Users unseen for RETENTION_MONTHS are erased,
after one warning a week before; any message from them in between keeps their data."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram.error import TelegramError

from bot.clock import Clock
from data.store import Store

log = logging.getLogger(__name__)

NOTICE = timedelta(days=7)
DELIVERIES_KEPT = timedelta(weeks=8)
"""Delivery rows feed the summary (4 weeks) and the fortnightly nudge; older ones go."""


async def prune(store: Store, clock: Clock) -> int:
    return await asyncio.to_thread(store.prune_deliveries, clock.now() - DELIVERIES_KEPT)


def retention_period(months: int) -> timedelta:
    return timedelta(days=round(months * 365 / 12))


@dataclass
class RetentionReport:
    warned: int = 0
    erased: int = 0


async def run_retention(
    store: Store, clock: Clock, months: int, warn: Callable[[int], Awaitable[None]]
) -> RetentionReport:
    now = clock.now()
    keep = retention_period(months)
    report = RetentionReport()
    while True:
        to_warn = await asyncio.to_thread(store.claim_retention_warnings, now, keep, NOTICE)
        if not to_warn:
            break
        for user_id in to_warn:
            try:
                await warn(user_id)
            except TelegramError as exc:
                # Blocked or gone: the warning counts as given; erasure follows all the same.
                log.info("retention warning not delivered: %s", type(exc).__name__)
        report.warned += len(to_warn)
    while erased := await asyncio.to_thread(store.erase_unseen, now, keep, NOTICE):
        report.erased += erased
    if report.warned or report.erased:
        log.info("retention: %d warned, %d erased", report.warned, report.erased)
    return report
