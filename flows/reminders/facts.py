"""What the reminder settings flow records; the bot applies them in the same
transaction as the flow state, then recomputes ``next_due_at`` with
:func:`flows.schedule.next_due`.

Apart from the flow because the bot's recorders and the tests name them without
needing the flow's steps. The zone fact is :class:`flows.onboarding.TimezoneChosen`:
in settings it moves every reminder with it. While a suggested plan is being changed
("Change it first") nothing is recorded until "Save this plan", which records one
:class:`PlanAccepted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReminderUpserted:
    """Create or replace the user's reminder of ``kind`` (``rule`` is ``Rule.to_dict()``)."""

    kind: str
    rule: dict[str, Any]
    enabled: bool


@dataclass(frozen=True)
class ReminderToggled:
    """Switch the user's existing reminder of ``kind`` on or off, rule unchanged."""

    kind: str
    enabled: bool


@dataclass(frozen=True)
class RemindersPaused:
    """Pause every reminder until this ISO instant (UTC); None resumes them now."""

    until_iso: str | None


@dataclass(frozen=True)
class PlanAccepted:
    """The user's reminders become exactly these rules (dicts), each enabled; kinds not
    listed are switched off."""

    rules: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class DailyLimitChosen:
    """At most ``limit`` reminder pushes a day from now on (None: no limit); the menu
    and the plan always say what the limit lets through."""

    limit: int | None
