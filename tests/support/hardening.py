"""The hostile-input harness of ``tests/e2e/test_hardening.py``: what a hostile crowd
sends (hypothesis strategies for texts, commands, forged presses, media, edits, groups,
channels and clock ticks), ``HostileRun``, which feeds it to a running Application and
tracks the keyboards it was shown, and the checks that nothing stored is out of range.

It lives apart from the tests so that the file of tests starts with its tests.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from sqlmodel import Session, select
from telegram import Update

from bot.clock import ManualClock
from bot.conversation import Outgoing, to_outgoing
from bot.dispatcher import Dispatcher
from bot.logsafe import harden_logging
from bot.services import Services
from bot.telegram_app import SERVICES, register_handlers
from bot.wiring import build_wiring
from data.models import CheckIn, ExerciseLog
from data.models import TestResult as SelfCheckResult
from data.store import Store
from flows.checkin import MOVED_VALUES, SLEEP_VALUES
from flows.instruments import PHQ4_BANDS, PSEQ2_BANDS, PSS4_LEVELS, RISKS
from flows.pain_test_questions import INDEX as PAIN_TEST_INDEX
from flows.pain_test_questions import STEPS as PAIN_TEST_STEPS
from flows.runtime import Context, FlowState
from tests.conftest import TEST_TOKEN, TOKEN_SECRET, unthrottled_app
from tests.support import hardening_updates as hu
from tests.support import peek
from tests.support.fakebotapi import Call, FakeBotApi
from tests.support.telegram import message_id

SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")


# ----------------------------------------------------------------------------- helpers


def assert_no_token(text: str, where: str) -> None:
    assert TEST_TOKEN not in text, f"the bot token appears in {where}"
    assert TOKEN_SECRET not in text, f"the token's secret part appears in {where}"


def assert_no_token_in_records(records: Iterable[logging.LogRecord], where: str) -> None:
    for record in records:
        line = record.getMessage()
        if record.exc_text:
            line += record.exc_text
        assert_no_token(line, f"{where} ({record.name}: {line[:80]!r})")


def error_texts(services: Services) -> set[str]:
    """The kind 'something went wrong' answer of the error handler, in every language."""
    return {
        services.catalogue.translator(language)("common.error")
        for language in services.catalogue.languages
    }


def buttons_of(call: Call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def labelled_buttons(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def unthrottled_application(
    server: FakeBotApi, services: Services, *, read_timeout: float | None = None
) -> Any:
    """The production handlers (``register_handlers``) on an Application whose limiter
    does not hold sends to Telegram's 30 a second: thousands of updates must fit in
    seconds here. Everything else (real Bot, real HTTPXRequest) is as in production."""
    harden_logging(TEST_TOKEN)
    app = unthrottled_app(server, read_timeout)
    app.bot_data[SERVICES] = services
    register_handlers(app)
    return app


def score_in(value: Any, lo: int, hi: int) -> bool:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
    )


def assert_stored_values_in_range(store: Store) -> None:
    """Every stored check-in, self-check score and exercise rating is within its range."""
    with Session(store.engine) as session:
        for checkin in session.exec(select(CheckIn)).all():
            assert 0 <= checkin.pain <= 10 and 0 <= checkin.stress <= 10, checkin
            assert checkin.sleep in (None, *SLEEP_VALUES), checkin
            assert checkin.moved in (None, *MOVED_VALUES), checkin
            assert checkin.note is None or len(checkin.note) <= 500
        for log in session.exec(select(ExerciseLog)).all():
            assert score_in(log.rating_after, 0, 10), log
        for result in session.exec(select(SelfCheckResult)).all():
            assert_answers_valid(result.answers)
            scores = result.scores
            assert score_in(scores.get("pain_now"), 0, 10), scores
            assert score_in(scores.get("pain_avg"), 0, 10), scores
            assert score_in(scores.get("startback_total"), 0, 9), scores
            assert score_in(scores.get("startback_psych"), 0, 5), scores
            assert score_in(scores.get("phq4_total"), 0, 12), scores
            assert score_in(scores.get("phq4_anxiety"), 0, 6), scores
            assert score_in(scores.get("phq4_mood"), 0, 6), scores
            assert score_in(scores.get("pss4"), 0, 16), scores
            assert score_in(scores.get("pseq2"), 0, 12), scores
            assert scores.get("risk") in (None, *RISKS), scores
            assert scores.get("phq4_band") in (None, *PHQ4_BANDS), scores
            assert scores.get("pss4_level") in (None, *PSS4_LEVELS), scores
            assert scores.get("pseq2_band") in (None, *PSEQ2_BANDS), scores


def assert_answers_valid(answers: dict[str, Any]) -> None:
    """Every stored self-check answer is one its question offers."""
    for key, value in answers.items():
        if key not in PAIN_TEST_INDEX:
            continue
        step = PAIN_TEST_STEPS[PAIN_TEST_INDEX[key]]
        if step.kind == "scale":
            assert score_in(value, step.lo, step.hi), (key, value)
        elif step.kind == "single":
            assert value in step.options, (key, value)
        else:
            assert isinstance(value, list) and set(value) <= set(step.options), (key, value)


def assert_states_loadable(services: Services, user_ids: Iterable[int]) -> int:
    """Each stored conversation state names a known flow that can ask its question
    again; returns how many users were in a flow."""
    flows = build_wiring().flows
    loaders = services.conversations.wiring.history
    now = services.clock.now()
    in_flow = 0
    for user_id in user_ids:
        saved = peek.saved_state(services.store, user_id)
        if saved is None:
            continue
        in_flow += 1
        flow = flows.get(saved.flow)
        assert flow is not None, f"user {user_id} is in an unknown flow {saved.flow!r}"
        user = services.store.get_user(user_id)
        assert user is not None
        history: dict[str, Any] = {"first_name": "Test"}
        with services.store.view(user_id, now) as tx:
            assert tx is not None
            loader = loaders.get(flow.name)
            if loader is not None:
                history.update(loader(tx))
        ctx = Context(services.catalogue.translator(user.language), now, user.timezone, history)
        replies = flow.current(FlowState(saved.flow, saved.step, saved.answers), ctx)
        assert replies, f"{saved.flow}/{saved.step} has nothing to ask"
        for reply in replies:
            shown: Outgoing = to_outgoing(reply, nonce=saved.nonce)
            assert shown.text.strip() and len(shown.text) <= 4096
    return in_flow


# ------------------------------------------------------ what a hostile crowd sends

USERS_PER_EXAMPLE = 5
GROUP_ID = -1001234567890
SMALL_GROUP_ID = -4242
CHANNEL_ID = -1009876543210
SENTINEL = 99_999
COMMANDS = (
    "start",
    "test",
    "checkin",
    "cancel",
    "help",
    "reminders",
    "plan",
    "summary",
    "history",
    "export",
    "delete",
    "language",
    "stats",
    "learn",
    "exercise",
    "privacy",
    "resume",
)
SPECIAL_TEXTS = (
    "x" * 4096,
    "é" * 4096,
    "😀" * 2048,
    "👨‍👩‍👧‍👦" * 100,
    "\x00\x01\x02\x1b[31m\x7f",
    "\u202eevil\u202c",
    "\u200b" * 50,
    "line\nbreaks\r\nand\ttabs",
    "   ",
    "0",
    "10",
    "11",
    "-1",
    "7/10",
    "½",
    "٣",
    "⁵",
    "1e3",
    "NaN",
    " 5 ",
    "Europe/Brussels",
    "America/Argentina/ComodRivadavia",
    "Mars/Olympus_Mons",
    "I want to kill myself",
    "I can't feel my legs and can't control my bladder",
    "'; DROP TABLE users; --",
    "%s %(name)s {name} {0}",
    "<b>bold</b> *md* _x_ [l](http://x)",
    "/start",
    "/checkin@backcoach_test_bot",
)
LANGUAGES = st.sampled_from([None, "en", "nl", "fr", "de", "nl-BE", "pt-br", "xx", "EN_us"])
FIRST_NAMES = st.sampled_from(["Ann", "", " ", "\u202eevil", "x" * 64, "<b>Bo</b>", "😀" * 8])
SHORT_TEXT = st.text(max_size=24)
TEXTS = st.one_of(SHORT_TEXT, st.sampled_from(SPECIAL_TEXTS))
NUDGE_CODES = st.sampled_from(["d", "k", "s15", "s30", "x", "", "zz", "d|x"])
FOLLOW_UP_ANSWERS = st.sampled_from(["seen", "notyet", "waiting", "talked", "private", "", "d"])
# Delivery ids: small real-looking ones, huge ones and Unicode digits (all must be safe).
DELIVERY_IDS = st.one_of(
    st.integers(0, 50).map(str),
    st.integers(0, 10**25).map(str),
    st.sampled_from(["²", "٣", "-1", "1e9", " 7", "0x1"]),
)


def _cap64(data: str) -> str:
    return data.encode("utf-8")[:64].decode("utf-8", "ignore")


FORGED = st.one_of(
    SHORT_TEXT,
    st.builds(lambda a, b: f"f|{a}|{b}", SHORT_TEXT, SHORT_TEXT),
    st.builds(lambda a, b: f"r|{a}|{b}", DELIVERY_IDS, NUDGE_CODES),
    st.builds(lambda a, b: f"u|{a}|{b}", DELIVERY_IDS, FOLLOW_UP_ANSWERS),
    st.builds(lambda a: f"c|{a}", SHORT_TEXT),
    st.builds(
        lambda a: f"c|{a}",
        st.sampled_from(
            [*COMMANDS, "start!", "checkin!", "delete_kept", "history_csv", "test!", ""]
        ),
    ),
    st.sampled_from(["|", "||", "f|", "r|", "c", "c|", "r|1", "f|a|b|c", "r||d", "u|", "u|1"]),
).map(_cap64)
UID = st.integers(0, USERS_PER_EXAMPLE - 1)


def _command_text(name: str, suffix: int, args: str) -> str:
    word = [name, name.upper(), f"{name}@backcoach_test_bot", f"{name}@other_bot"][suffix]
    return f"/{word} {args}".rstrip()


COMMAND_TEXT = st.builds(
    _command_text,
    st.one_of(
        st.sampled_from(COMMANDS),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=40),
    ),
    st.integers(0, 3),
    st.sampled_from(["", "payload", "x" * 200]),
)

Action = tuple[Any, ...]
GUIDED_LABELS = (
    "Continue",
    "English",
    "Yes, I agree",
    "Yes, that's right",
    "None of these",
    "Sounds good",
    "Done",
    "Skip",
    "Keep",
    "Next",
)
STALE = st.tuples(st.just("stale"), UID, st.integers(0, 10_000))
TEXT_ACTION = st.tuples(st.just("text"), UID, TEXTS, LANGUAGES, FIRST_NAMES)
COMMAND_ACTION = st.tuples(st.just("command"), UID, COMMAND_TEXT, LANGUAGES, FIRST_NAMES)
FORGED_ACTION = st.tuples(st.just("forged"), UID, FORGED, LANGUAGES)
MEDIA_ACTION = st.tuples(
    st.just("media"), UID, st.sampled_from(["sticker", "photo", "voice", "document", "location"])
)
EDIT_ACTION = st.tuples(st.just("edited"), UID, TEXTS)
GROUP_ACTION = st.tuples(
    st.just("group"),
    UID,
    st.sampled_from([GROUP_ID, SMALL_GROUP_ID]),
    st.one_of(TEXTS, COMMAND_TEXT, st.just("@backcoach_test_bot hi")),
)
GROUP_PRESS = st.tuples(st.just("group_press"), UID, FORGED)
CHANNEL_ACTION = st.tuples(st.just("channel"), TEXTS, st.booleans())
INLINE_ACTION = st.tuples(st.just("inline"), UID, st.one_of(st.none(), FORGED))
TICK_ACTION = st.tuples(st.just("tick"), st.one_of(st.integers(1, 90), st.just(25 * 60)))

HOSTILE = st.one_of(
    STALE,
    TEXT_ACTION,
    COMMAND_ACTION,
    FORGED_ACTION,
    MEDIA_ACTION,
    EDIT_ACTION,
    GROUP_ACTION,
    GROUP_PRESS,
    CHANNEL_ACTION,
    INLINE_ACTION,
    TICK_ACTION,
)
OPENERS = st.sampled_from(
    [
        "/start",
        "/start",
        "/checkin",
        "/checkin",
        "/test",
        "/exercise",
        "/learn",
        "/reminders",
        "/plan",
        "/language",
        "/summary",
        "/history",
        "/delete",
        "/export",
        "/cancel",
        None,
    ]
)
# A segment: one user opens something, then presses buttons (mostly like someone who
# knows where they are going, sometimes anywhere), while hostile updates from anyone
# arrive in between.
SEGMENT = st.tuples(
    UID,
    OPENERS,
    LANGUAGES,
    st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=2, max_size=12),
    st.lists(st.tuples(st.integers(0, 12), HOSTILE), max_size=4),
)


def flatten(segments: list[tuple[Any, ...]]) -> list[Action]:
    actions: list[Action] = []
    for user, opener, language, presses, hostile in segments:
        steps: list[Action] = [("press", user, index, guided) for index, guided in presses]
        for position, action in sorted(hostile, key=lambda item: item[0]):
            steps.insert(min(position, len(steps)), action)
        if opener is not None:
            actions.append(("command", user, opener, language, "Ann"))
        actions.extend(steps)
    return actions


HOSTILE_KINDS = (
    "stale",
    "text",
    "command",
    "forged",
    "media",
    "edited",
    "group",
    "group_press",
    "channel",
    "inline",
)
BURST = st.one_of(
    TEXT_ACTION,
    COMMAND_ACTION,
    FORGED_ACTION,
    MEDIA_ACTION,
    EDIT_ACTION,
    GROUP_ACTION,
    CHANNEL_ACTION,
)


@dataclass
class HostileRun:
    """One started Application (polling, production handlers) and what it has seen."""

    server: FakeBotApi
    services: Services
    app: Any
    dispatcher: Dispatcher
    clock: ManualClock
    updates: int = 0
    block: int = 0
    update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(10_000_000))
    guided: dict[int, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    keyboards: dict[int, tuple[int, dict[str, str]]] = field(default_factory=dict)
    pool: list[tuple[int, int, str]] = field(default_factory=list)
    scanned: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def users(self, block: int) -> list[int]:
        return [100_000 + block * 10 + i for i in range(USERS_PER_EXAMPLE)]

    async def process(self, update: dict[str, Any]) -> None:
        """Hand one update to the running Application and wait until it is handled."""
        update = {"update_id": next(self.update_ids), **update}
        self.updates += 1
        await self.app.process_update(Update.de_json(update, self.app.bot))

    def scan(self) -> None:
        """Take note of the keyboards the bot sent since the last look (incrementally:
        scanning every call again for every press would make a batch quadratic)."""
        calls = self.server.calls
        for call in calls[self.scanned :]:
            if call.ok and call.method == "sendMessage" and isinstance(call.chat_id, int):
                labels = labelled_buttons(call)
                if labels:
                    mid = message_id(call)
                    self.keyboards[call.chat_id] = (mid, labels)
                    self.pool.extend((call.chat_id, mid, data) for data in labels.values())
        self.scanned = len(calls)

    def last_keyboard(self, chat_id: int) -> tuple[int, dict[str, str]] | None:
        self.scan()
        return self.keyboards.get(chat_id)

    def build(self, action: Action, users: list[int], pool_start: int | None) -> Any:
        server = self.server
        kind = action[0]
        self.kinds[kind] += 1
        if kind == "press":
            user = users[action[1]]
            found = self.last_keyboard(user)
            if found is None:
                return hu.command_message(server, user, "/start")
            mid, labels = found
            data = list(labels.values())
            choice = data[action[2] % len(data)]
            seen = (mid, tuple(labels))
            if action[3] and self.guided.get(user) != seen:
                # A user who knows where they are going: "Yes", "Done", "Skip"... unless
                # that just led back to the same question (a pick is needed first).
                for wanted in GUIDED_LABELS:
                    hit = next((d for label, d in labels.items() if label.startswith(wanted)), None)
                    if hit is not None:
                        choice = hit
                        break
            self.guided[user] = seen
            return server.callback(user, choice, mid)
        if kind == "stale":
            user = users[action[1]]
            own = self.last_keyboard(user)
            pool = self.pool[pool_start or 0 :]
            if not pool:
                return hu.command_message(server, user, "/help")
            chat, mid, data = pool[action[2] % len(pool)]
            if chat != user:
                mid = own[0] if own else 1
            return server.callback(user, data, mid)
        if kind == "text":
            return hu.text_message(
                server, users[action[1]], action[2], language_code=action[3], first_name=action[4]
            )
        if kind == "command":
            return hu.command_message(
                server, users[action[1]], action[2], language_code=action[3], first_name=action[4]
            )
        if kind == "forged":
            user = users[action[1]]
            own = self.last_keyboard(user)
            return hu.private_callback(
                server, user, action[2], own[0] if own else None, language_code=action[3]
            )
        if kind == "media":
            user = users[action[1]]
            builders: dict[str, Callable[[], Any]] = {
                "sticker": lambda: server.sticker(user),
                "photo": lambda: server.photo(user, caption="my back"),
                "voice": lambda: server.voice(user),
                "document": lambda: hu.document(server, user),
                "location": lambda: hu.location(server, user),
            }
            self.kinds[f"media:{action[2]}"] += 1
            return builders[action[2]]()
        if kind == "edited":
            return server.edited_message(users[action[1]], action[2] or "edited")
        if kind == "group":
            return server.group_message(users[action[1]], action[2], action[3] or "hi")
        if kind == "group_press":
            return hu.group_callback(server, users[action[1]], GROUP_ID, action[2])
        if kind == "channel":
            return hu.channel_post(server, CHANNEL_ID, action[1] or "post", edited=action[2])
        if kind == "inline":
            return hu.inline_callback(server, users[action[1]], action[2])
        raise AssertionError(f"unknown action {kind}")

    async def everything_special(self, user: int) -> None:
        """A floor under the random mix: every special text (as a message and as an
        edit), every kind of media and a forged press, from someone with no language
        code, so each is certain to have been sent at least once whatever was drawn."""
        server = self.server
        for text in SPECIAL_TEXTS:
            await self.process(hu.text_message(server, user, text, language_code=None))
            await self.process(server.edited_message(user, text))
            self.kinds["special"] += 1
        for media in ("sticker", "photo", "voice", "document", "location"):
            await self.process(self.build(("media", 0, media), [user], None))
        await self.process(hu.private_callback(server, user, "f|00000000|x", None))

    async def run_batch(self, sequential: list[Action], burst: list[Action]) -> list[int]:
        self.block += 1
        users = self.users(self.block)
        self.scan()
        pool_start = len(self.pool)  # stale buttons: from this batch's messages
        for action in sequential:
            if action[0] == "tick":
                self.clock.advance(timedelta(minutes=action[1]))
                await self.dispatcher.tick()
                continue
            update = self.build(action, users, pool_start)
            await self.process(update)
        # The same kinds of updates again, all at once through the long poll; a
        # sentinel's /help answered means every update before it was handled.
        for action in burst:
            self.server.push_update(self.build(action, users, None))
            self.updates += 1
        answered = len(self.server.sent_messages(SENTINEL))
        self.server.push_update(self.server.command(SENTINEL, "/help"))
        await self.server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == SENTINEL,
            count=answered + 1,
            timeout=60,
        )
        return users
