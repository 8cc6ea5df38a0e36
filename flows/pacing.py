"""Which due reminder slots are worth a push: the rules the dispatcher applies at claim.

**Done for the day.** A reminder that comes after the person already did what it asks
for teaches them to ignore reminders (docs/CLINICAL.md: people want a reminder only when the
day's task is not done yet). So a slot whose task is done for the user's local day is
skipped: the evening check-in after a check-in at 19:00, the breathing reminder after a
breathing exercise that morning, the walk after a graded walk. Movement breaks and
changes of position are not a task for the day but a rhythm through it, so they never
count as done; the weekly summary is not a task either.

**A daily limit.** A default plan for someone who sits at work had 13 pushes a weekday.
At most :data:`DEFAULT_DAILY_LIMIT` pushes a local day reach a user unless they choose
otherwise. Which ones is decided for the whole day at once, so the evening check-in is
not crowded out by the morning's breaks: the summary, the check-in, the walk and
breathing come first, then movement breaks and changes of position fill the largest
gaps between them. Each slot is judged when it falls due against the day's remaining
slots and the pushes already sent, which gives the same answer all day long.

**Ignored reminders are spaced out.** A reminder whose pushes went unanswered three
days running (no button pressed, not even Skip) comes less often: once on every second
day, and a day further apart for each further ignored day, up to once a week. The first
push after the third ignored day is a question instead: change it, keep it less often,
or stop it; asked once for each setting of the reminder. Answering any of its pushes
brings the reminder back to its usual rhythm; so does changing it.

**The programme's daily message** (issue 16) takes the place of the check-in, exercise
and walk reminders for an enrolled user, so it is the day's most useful push: it counts
as one of the day's pushes, is ranked first when the day is planned (so movement and
posture nudges fill what is left of the limit), and is never held back by the limit or
the spacing here, because the programme's own rules already decided it (nothing while
paused or once the session is done, spaced out when ignored). Its one follow-up is a
one-off slot, and like a snooze it is outside the count: it only comes when the day's
message went unanswered, and never when messages are already spaced out.

A snooze the user asked for is never held back by the limit or the spacing (a done task
still skips it), and safety follow-ups (``flows.follow_up``) are not reminders: nothing
here ever holds them back or counts them. Nothing here knows SQL or Telegram: the store
reads the facts with the due rows and asks :func:`decide` what to do with the slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.rows import (
    ASK,
    SEND,
    DeliveryStatus,
    DueRow,
    PushedRow,
    RegularRow,
)
from flows.schedule import (
    DEFAULT_TIMEZONE,
    KINDS,
    PROGRAMME,
    RULE_KINDS,
    Rule,
    resolve_local,
    slots_between,
)

DONE: Final = DeliveryStatus.SKIPPED
"""Recorded as the delivery's status: the day's task was already done, nothing sent."""
CAPPED: Final = DeliveryStatus.CAPPED
"""Recorded as the status: the day's limit keeps this slot back."""
SPACED: Final = DeliveryStatus.SPACED
"""Recorded as the status: an ignored reminder that is spaced out stays quiet."""

TASK_KINDS: Final = ("checkin", "stress", "pain")
"""Kinds that ask for one thing a day; a check-in, a breathing or relaxation exercise,
the graded walk."""

DAILY_LIMITS: Final = (2, 3, 4, 6, 8)
"""The limits a user can choose (besides none)."""
IGNORED_DAYS: Final = 3
MAX_GAP_DAYS: Final = 7
LOOK_BACK: Final = timedelta(days=28)
"""How far back pushes are read: enough for the widest spacing to see its history."""
SPACED_KINDS: Final = ("movement", "posture", "stress", "pain", "checkin")
"""The weekly summary has no buttons to answer it with, so it is never spaced."""
PRIORITY: Final = {PROGRAMME: -1, "summary": 0, "checkin": 1, "pain": 2, "stress": 3}
"""Which pushes a full day keeps first; everything else is a break (movement, posture).
The programme's daily message comes before all: it stands for the day's tasks."""

Candidate = tuple[str, datetime]
"""(kind, slot): one planned push of the day."""

_ALL_DAY: Final = timedelta(days=1)


@dataclass(frozen=True)
class Regular:
    """One of the user's reminders that are on, its rule read (:func:`readable`): its
    rule, when it was last set, and when the bot asked about it."""

    rule: Rule
    set_at: datetime | None = None
    asked_at: datetime | None = None

    @property
    def asked(self) -> bool:
        """Asked about since it was last set (a new setting may be asked about again)."""
        return self.asked_at is not None and (self.set_at is None or self.asked_at >= self.set_at)


def readable(rows: Iterable[RegularRow]) -> tuple[Regular, ...]:
    """The stored reminders with their rules read; a rule this version cannot read
    plans no push."""
    regular = []
    for row in rows:
        try:
            regular.append(Regular(Rule.from_dict(row.rule), row.set_at, row.asked_at))
        except ValueError:
            continue
    return tuple(regular)


@cache
def zone_of(timezone: str) -> ZoneInfo:
    """The user's zone (the default for one this machine does not know); cached, as
    every push of a month of history is put into it at each decision."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def local_day(instant: datetime, timezone: str) -> date:
    """The user's calendar day of ``instant``: what "today" means for a task."""
    return instant.astimezone(zone_of(timezone)).date()


def task_done(due: DueRow) -> bool:
    """Whether the task a reminder of ``due.kind`` asks for is done on the slot's day."""
    if due.kind not in TASK_KINDS:
        return False
    day = local_day(due.slot, due.timezone)
    if due.kind == "checkin":
        return due.last_checkin_day is not None and due.last_checkin_day >= day
    done = due.last_task_done
    return done is not None and local_day(done, due.timezone) >= day


# -- ignored reminders ------------------------------------------------------------------


def ignored_days(
    kind: str, pushed: Iterable[PushedRow], today: date, timezone: str, since: datetime | None
) -> int:
    """How many days running the pushes of ``kind`` went unanswered, counted back from
    yesterday over the days it was pushed (days without a push are passed over).

    0 as soon as one of today's pushes is answered. Pushes before ``since`` (when the
    reminder was last set) do not count: a new time deserves a fresh start.
    """
    answered: dict[date, bool] = {}
    for push in pushed:
        if push.kind != kind or (since is not None and push.slot < since):
            continue
        day = local_day(push.slot, timezone)
        answered[day] = answered.get(day, False) or push.answered
    if answered.get(today):
        return 0
    streak = 0
    for day in sorted((d for d in answered if d < today), reverse=True):
        if answered[day]:
            break
        streak += 1
    return streak


def gap_days(ignored: int) -> int:
    """Days between two pushes of a reminder ignored ``ignored`` days running: every
    day below :data:`IGNORED_DAYS`, then every second day, one day more for each
    further ignored day, at most a week."""
    return 1 if ignored < IGNORED_DAYS else min(MAX_GAP_DAYS, ignored - 1)


NORMAL: Final = "normal"
ASKING: Final = "asking"
ONCE: Final = "once"
QUIET: Final = "quiet"


def rhythm(regular: Regular, pushed: Sequence[PushedRow], today: date, timezone: str) -> str:
    """How a reminder comes on ``today``: :data:`NORMAL`; :data:`ASKING` (ignored three
    days running and not asked yet: its first slot carries the question); :data:`ONCE`
    (spaced out, and today is one of its days: its first slot only); :data:`QUIET`."""
    kind = regular.rule.kind
    if kind not in SPACED_KINDS:
        return NORMAL
    ignored = ignored_days(kind, pushed, today, timezone, regular.set_at)
    if ignored < IGNORED_DAYS:
        return NORMAL
    if not regular.asked:
        return ASKING
    since = regular.set_at
    earlier = [
        local_day(p.slot, timezone)
        for p in pushed
        if p.kind == kind and (since is None or p.slot >= since)
    ]
    last = max((day for day in earlier if day < today), default=None)
    if last is None or (today - last).days >= gap_days(ignored):
        return ONCE
    return QUIET


# -- the daily limit ---------------------------------------------------------------------


def day_slots(rule: Rule, day: date, timezone: str) -> list[datetime]:
    """The rule's slots on the user's local ``day`` (pause and quiet hours honoured)."""
    zone = zone_of(timezone)
    midnight = datetime.combine(day, time())
    start = resolve_local(midnight, zone)
    end = resolve_local(midnight + _ALL_DAY, zone)
    tiny = timedelta(microseconds=1)
    return [slot for slot in slots_between(rule, start - tiny, end - tiny) if slot < end]


def day_candidates(
    regular: Iterable[Regular], rhythms: dict[str, str], day: date, timezone: str
) -> list[Candidate]:
    """Every push the user's reminders plan for ``day``, spaced-out ones thinned."""
    found: list[Candidate] = []
    for reminder in regular:
        kind = reminder.rule.kind
        slots = day_slots(reminder.rule, day, timezone)
        mode = rhythms.get(kind, NORMAL)
        if mode == QUIET:
            continue
        if mode in (ASKING, ONCE):
            slots = slots[:1]
        found.extend((kind, slot) for slot in slots)
    return found


def ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The day's pushes, most worth keeping first: by :data:`PRIORITY` (then time), then
    the breaks, each placed in the largest gap left by those ranked before it (the
    earliest on a tie), so a few breaks spread over the day."""
    firm = sorted(
        (c for c in candidates if c[0] in PRIORITY), key=lambda c: (PRIORITY[c[0]], c[1], c[0])
    )
    breaks = sorted((c for c in candidates if c[0] not in PRIORITY), key=lambda c: (c[1], c[0]))
    order = list(firm)
    while breaks:
        rooms = [_room(c, order) for c in breaks]
        best = breaks.pop(rooms.index(max(rooms)))  # index() finds the earliest
        order.append(best)
    return order


def _room(candidate: Candidate, placed: Sequence[Candidate]) -> timedelta:
    """How far ``candidate`` lies from the nearest push already placed."""
    return min((abs(candidate[1] - other[1]) for other in placed), default=_ALL_DAY)


def within_limit(
    due: Candidate, candidates: Iterable[Candidate], sent_today: int, limit: int | None
) -> bool:
    """Whether ``due`` is among the day's pushes the limit keeps: the best
    ``limit - sent_today`` of those still to come (``due`` included)."""
    if limit is None:
        return True
    budget = limit - sent_today
    if budget <= 0:
        return False
    later = [c for c in candidates if c[1] >= due[1]]
    if due not in later:  # not planned by a rule we know: judge by the count alone
        return True
    if len(later) <= budget:  # room for every one still to come
        return True
    remaining = [c for c in ranked(candidates) if c[1] >= due[1]]
    return due in remaining[:budget]


def sent_on(day: date, pushed: Iterable[PushedRow], timezone: str) -> int:
    """Pushes of the user's reminders that count against ``day``'s limit, the
    programme's daily message included: not snoozes (the user asked for them), not the
    programme's follow-up, not safety follow-ups."""
    return sum(
        1
        for p in pushed
        if p.kind in RULE_KINDS and not p.one_off and local_day(p.slot, timezone) == day
    )


# -- the decision ----------------------------------------------------------------------


def decide(due: DueRow) -> str:
    """:data:`SEND` or :data:`ASK`, or the status to record instead of sending
    (:data:`DONE`, :data:`SPACED`, :data:`CAPPED`)."""
    if due.kind == PROGRAMME:  # decided by the programme's rules; counted, never held
        return SEND
    if due.kind not in KINDS:  # a safety follow-up: always sent, never counted
        return SEND
    if task_done(due):
        return DONE
    if due.one_off:  # a snooze the user asked for
        return SEND
    today = local_day(due.slot, due.timezone)
    regular = readable(due.regular)
    rhythms = {r.rule.kind: rhythm(r, due.pushed, today, due.timezone) for r in regular}
    candidates = day_candidates(regular, rhythms, today, due.timezone)
    mode = rhythms.get(due.kind, NORMAL)
    if mode == QUIET:
        return SPACED
    if mode in (ASKING, ONCE):
        first = next((slot for kind, slot in candidates if kind == due.kind), None)
        if first is not None and first != due.slot:
            return SPACED
    sent = sent_on(today, due.pushed, due.timezone)
    if not within_limit((due.kind, due.slot), candidates, sent, due.daily_limit):
        return CAPPED
    return ASK if mode == ASKING else SEND
