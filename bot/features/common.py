"""Small helpers shared by the features' recorders and loaders."""

from __future__ import annotations

import re
from datetime import date, timedelta

from data.turn import Turn
from flows.onboarding import CONSENT_VERSION
from flows.streaks import local_day

DELIVERY_ID = re.compile(r"[0-9]{1,18}")
"""A delivery id in a button's callback data: ASCII digits that fit a 64-bit id;
anything else is forged or stale."""


class ConsentMissing(PermissionError):
    """A health fact arrived for a user without consent: a bug, never stored."""


def has_current_consent(tx: Turn) -> bool:
    return tx.user.has_consent and tx.user.consent_version == CONSENT_VERSION


def require_consent(tx: Turn) -> None:
    """Defence in depth: flows that store health data already need consent to the
    current text to start and to go on."""
    if not has_current_consent(tx):
        raise ConsentMissing("health data without current consent is never stored")


def today(tx: Turn) -> date:
    """The user's local day, from the injectable clock and their own time zone."""
    return local_day(tx.now, tx.user.timezone)


def yesterday(tx: Turn) -> date:
    return today(tx) - timedelta(days=1)
