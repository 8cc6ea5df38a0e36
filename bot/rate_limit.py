"""Telegram's flood limits, kept on our side: messages spaced evenly at 30 a second,
20 a minute per group, and a 429's ``retry_after`` honoured by every send.

A message is any call addressed to a chat: a send, and an edit too (Telegram counts
edits, so a reply that takes the place of the pressed question waits its turn like a
new message). Answers to callback queries name no chat and are not paced.

PTB's ``AIORateLimiter`` does not suit a dispatcher that keeps many sends in flight: a
send takes its token first and only then waits out a 429's pause, so every send that
queues during the pause leaves in the same instant when it ends (up to the dispatcher's
concurrency at once), on top of the steady pace, and Telegram answers that burst with
more 429s; and any send that finishes meanwhile ends the pause for all. Here a send
waits out the pause before it takes its token, takes another if a new pause began while
it waited, and a pause lasts until the latest ``retry_after`` is over, so sends resume
at the pace (measured with ``python -m bench.reminders``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import suppress
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]

MARGIN = 0.1
"""Seconds added to ``retry_after``, as PTB does, so the first send after a pause is not
early by a clock tick."""


class PacedRateLimiter(BaseRateLimiter[int]):
    """``AIORateLimiter``'s limits and retries, without a burst after a pause."""

    def __init__(
        self, per_second: float = 30.0, group_per_minute: int = 20, max_retries: int = 3
    ) -> None:
        # One token at a time: the same rate as 30 per second, with no burst allowance.
        self._overall = AsyncLimiter(max_rate=1, time_period=1 / per_second)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._resume_at = 0.0  # event loop time at which the current pause is over
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._timer: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        retries = rate_limit_args or self._max_retries
        chat_id = data.get("chat_id")
        group = _group(chat_id)
        for attempt in range(retries + 1):
            if group is not None:
                await self._group_limiter(group).acquire()
            await self._turn(paced=chat_id is not None)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == retries:
                    raise
                self._pause(exc.retry_after)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _turn(self, paced: bool) -> None:
        """Wait out any pause, then take a token (sends to a chat only, as PTB does);
        a pause that began while we waited for the token sends us back to waiting."""
        while True:
            await self._pause_over()
            if not paced:
                return
            await self._overall.acquire()
            if not self._paused():
                return

    async def _pause_over(self) -> None:
        await self._resumed.wait()

    def _paused(self) -> bool:
        return not self._resumed.is_set()

    def _pause(self, retry_after: int | timedelta) -> None:
        """Pause every send until this ``retry_after`` is over, unless a pause already
        lasts longer; only the timer ends a pause, never another send finishing."""
        seconds = retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds + MARGIN
        if until <= self._resume_at:
            return
        self._resume_at = until
        self._resumed.clear()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(until, self._resumed.set)

    def _group_limiter(self, group: int | str) -> AsyncLimiter:
        limiter = self._groups.get(group)
        if limiter is None:
            if len(self._groups) > 512:  # forget groups whose minute has passed
                idle = [g for g, lim in self._groups.items() if lim.has_capacity(lim.max_rate)]
                for key in idle:
                    del self._groups[key]
            limiter = self._groups[group] = AsyncLimiter(self._group_per_minute, 60)
        return limiter


def _group(chat_id: object) -> int | str | None:
    """Groups and channels (negative ids, ``@username``) have their own limit."""
    with suppress(ValueError, TypeError):
        chat_id = int(chat_id)  # type: ignore[call-overload]
    if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
        return chat_id
    return None
