"""Small helpers shared by the features' recorders and loaders."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.consent import has_current_consent
from data.turn import Turn
from flows.streaks import local_day

DELIVERY_ID = re.compile(r"[0-9]{1,18}")
"""A delivery id in a button's callback data: ASCII digits that fit a 64-bit id;
anything else is forged or stale."""


class ConsentMissing(PermissionError):
    """A health fact arrived for a user without consent: a bug, never stored."""


def require_consent(tx: Turn) -> None:
    """Defence in depth: flows that store health data already need consent to the
    current text to start and to go on."""
    if not has_current_consent(tx.user):
        raise ConsentMissing("health data without current consent is never stored")


def today(tx: Turn) -> date:
    """The user's local day, from the injectable clock and their own time zone."""
    return local_day(tx.now, tx.user.timezone)


def yesterday(tx: Turn) -> date:
    return today(tx) - timedelta(days=1)
