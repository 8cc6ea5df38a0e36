"""Privacy and the safety net: consent and re-consent, export, erasure of every table,
retention with a warning, admin gating, and the safety screen inside and outside flows."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.clock import ManualClock
from bot.conversation import Conversations, Incoming, TurnResult
from bot.features.reminders import advance
from bot.maintenance import run_retention
from bot.services import Services, build_services
from data.store import Store
from flows import follow_up as fu
from flows import helplines, onboarding
from flows.schedule import Rule
from tests.conftest import make_settings
from tests.support import peek
from tests.support.engine import USER, command, drive, onboard, pick, press_data

ADMIN = 999


def fill_every_table(services: Services) -> None:
    """Give the user rows in every personal table, through the product's own paths."""
    onboard(services)
    drive(services, command(services, "test"))
    drive(services, command(services, "checkin"))
    drive(services, command(services, "exercise"))
    lessons = command(services, "learn")  # a lesson read, then Done
    drive(services, press_data(services, pick(lessons.replies[-1], preferred=False)))
    # The programme, with a day whose lesson was read (and its daily message).
    offer = command(services, "programme")
    press_label(services, press_label(services, offer, "Start the programme"), "🌅 Morning, 08:30")
    press_label(services, command(services, "today"), "✓ Got it")
    # The emergency advice opens a caution (and schedules its follow-up).
    services.conversations.handle(Incoming(USER, "text", text="I lost bladder control"))
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("stress", ["12:30"]).to_dict()
        tx.upsert_reminder("stress", rule, enabled=True, next_due_at=services.clock.now())
    services.store.claim_due(
        services.clock.now(), limit=5, grace=timedelta(minutes=20), advance=advance
    )
    command(services, "checkin")  # leaves a conversation state behind
    counts = peek.rows_about(services.store, USER)
    assert all(counts.values()), f"some table has no row for the user: {counts}"


def with_newer_consent_text(services: Services, monkeypatch: pytest.MonkeyPatch) -> Conversations:
    """The same bot after the consent text changed (version 2): the version is read
    wherever consent is checked, so one change reaches the engine and every feature."""
    monkeypatch.setattr(onboarding, "CONSENT_VERSION", 2)
    return services.conversations


def test_delete_asks_then_erases_every_row_in_every_table(services: Services) -> None:
    fill_every_table(services)
    other = USER + 1
    services.conversations.handle(Incoming(other, "command", command="start"))
    before = peek.rows_about(services.store, USER)
    ask = command(services, "delete")
    assert "can't be undone" in ask.replies[0].text
    labels = {b.label: b.data for row in ask.replies[0].buttons for b in row}
    kept = press_data(services, labels["No, keep it"])
    assert "nothing was erased" in kept.replies[0].text
    # Everything stays but the open question /delete replaced (nothing was answered).
    assert peek.rows_about(services.store, USER) == {**before, "conversation_states": 0}
    # The question was answered: its "Yes" is stale now and erases nothing.
    assert press_data(services, labels["Yes, erase everything"]).stale
    assert peek.rows_about(services.store, USER) == {**before, "conversation_states": 0}
    ask = command(services, "delete")
    labels = {b.label: b.data for row in ask.replies[0].buttons for b in row}
    done = press_data(services, labels["Yes, erase everything"])
    assert "has been erased" in done.replies[0].text
    assert set(peek.rows_about(services.store, USER).values()) == {0}
    assert peek.rows_about(services.store, other)["users"] == 1
    # Nothing is pending for the erased user any more.
    claims = services.store.claim_due(
        services.clock.now() + timedelta(days=2), limit=50, grace=timedelta(days=3), advance=advance
    )
    assert all(c.user_id != USER for c in claims)


def test_export_holds_everything_about_the_user_and_nobody_else(services: Services) -> None:
    fill_every_table(services)
    services.conversations.handle(Incoming(USER + 1, "command", command="start"))
    result = command(services, "export")
    files = [r.attachment for r in result.replies if r.attachment is not None]
    names = [f.filename for f in files]  # type: ignore[union-attr]
    assert names == ["backcoach-export.json", "backcoach-checkins.csv"]
    data = json.loads(files[0].content)  # type: ignore[union-attr]
    assert set(data) == {t for t in peek.rows_about(services.store, USER)}
    for table, rows in data.items():
        assert len(rows) == peek.rows_about(services.store, USER)[table], table
        owner = "id" if table == "users" else "user_id"
        assert {row[owner] for row in rows} == {USER}
    assert data["test_results"][0]["scores"]["risk"] in ("low", "medium", "high")
    csv_text = files[1].content.decode("utf-8-sig")  # type: ignore[union-attr]
    assert csv_text.startswith("day,pain,stress")


def test_consent_text_change_asks_again_before_storing(
    sqlite_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(make_settings(sqlite_url), clock)
    onboard(services)
    newer = with_newer_consent_text(services, monkeypatch)
    result = newer.handle(Incoming(USER, "command", command="checkin"))
    assert "read it again" in result.replies[0].text
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "onboarding"
    assert peek.rows_about(services.store, USER)["checkins"] == 0
    services.store.dispose()


async def test_retention_warns_a_week_before_then_erases(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    drive(services, command(services, "checkin"))
    warned: list[int] = []

    async def warn(user_id: int) -> None:
        warned.append(user_id)

    clock.advance(timedelta(days=300))
    assert (await run_retention(services.store, clock, 12, warn)).warned == 0
    clock.advance(timedelta(days=60))  # 360 days unseen: a week's notice
    report = await run_retention(services.store, clock, 12, warn)
    assert report.warned == 1 and warned == [USER] and report.erased == 0
    clock.advance(timedelta(days=3))
    assert (await run_retention(services.store, clock, 12, warn)).erased == 0
    clock.advance(timedelta(days=5))
    report = await run_retention(services.store, clock, 12, warn)
    assert report.erased == 1 and warned == [USER]
    assert set(peek.rows_about(services.store, USER).values()) == {0}


async def test_coming_back_after_the_warning_keeps_the_data(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)

    async def warn(user_id: int) -> None:
        return None

    clock.advance(timedelta(days=360))
    assert (await run_retention(services.store, clock, 12, warn)).warned == 1
    command(services, "help")  # any message resets the clock
    clock.advance(timedelta(days=8))
    report = await run_retention(services.store, clock, 12, warn)
    assert report.erased == 0 and peek.rows_about(services.store, USER)["users"] == 1


def test_stats_are_for_admins_only_and_hold_counts(sqlite_url: str, clock: ManualClock) -> None:
    services = build_services(make_settings(sqlite_url, admin_ids=str(ADMIN)), clock)
    onboard(services)
    drive(services, command(services, "checkin"))
    stranger = command(services, "stats")
    unknown = command(services, "frobnicate")
    assert stranger.replies[0].text == unknown.replies[0].text
    services.conversations.handle(Incoming(ADMIN, "command", command="help"))
    admin = services.conversations.handle(Incoming(ADMIN, "command", command="stats"))
    text = admin.replies[0].text
    assert "users: 2" in text and "check-ins in the last 7 days: 1" in text
    assert not re.search(rf"\b{USER}\b", text)  # no user id (7754 sentences is not one)
    services.store.dispose()


def test_stats_are_counted_after_the_admins_turn_has_committed(
    sqlite_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting every user under the admin's write lock would make every other writer on
    SQLite wait: while the counts run, another connection can still start writing."""
    services = build_services(make_settings(sqlite_url, admin_ids=str(USER)), clock)
    onboard(services)
    command(services, "checkin")  # mid-flow: the counts come before the offer to go on
    counts = services.store.stats
    writable_during_counts: list[bool] = []

    def stats_while_checking_the_lock(now: Any) -> dict[str, Any]:
        other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            writable_during_counts.append(True)
        except sqlite3.OperationalError:  # database is locked
            writable_during_counts.append(False)
        finally:
            other.close()
        return counts(now)

    monkeypatch.setattr(services.store, "stats", stats_while_checking_the_lock)
    texts = [reply.text for reply in command(services, "stats").replies]
    assert writable_during_counts == [True]
    assert "users: 1" in texts[0]
    assert len(texts) > 1 and all(texts) and not any("users:" in text for text in texts[1:])
    services.store.dispose()


CRISIS = [
    "I feel hopeless",
    "HOPELESS",
    "i want to die",
    "I can’t go on anymore",
    "Honestly I've been thinking about suicide",
    # Everyday ways of saying it, found missing by a trial run.
    "I don't want to live anymore",
    "life isn't worth living",
    "I wish I was dead",
    "I'd rather be dead",
    "I'm thinking about ending it all",
    "what's the point of living",
]
EMERGENCY = [
    "since this morning I can't pee",
    "Numbness between my legs",
    "foot drop?",
    "I have numbness in the saddle area",
    "I lost bladder control",
    "I can't feel anything between my legs",
    "my legs are numb and I can't control my bladder",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_words_outside_a_flow_show_the_lines(services: Services, text: str) -> None:
    result = services.conversations.handle(Incoming(USER, "text", text=text))
    assert "1813" in result.replies[0].text and "0800 32 123" in result.replies[0].text


@pytest.mark.parametrize("text", EMERGENCY)
def test_emergency_signs_get_the_emergency_advice(services: Services, text: str) -> None:
    result = services.conversations.handle(Incoming(USER, "text", text=text))
    assert "112" in result.replies[0].text and "emergency" in result.replies[0].text


def test_inside_a_flow_the_lines_come_first_and_the_flow_waits(services: Services) -> None:
    onboard(services)
    first = command(services, "checkin")
    before = peek.saved_state(services.store, USER)
    result = services.conversations.handle(Incoming(USER, "text", text="I feel hopeless"))
    assert "1813" in result.replies[0].text
    assert "carry on" in result.replies[1].text
    assert peek.saved_state(services.store, USER) == before
    # "Continue" brings the same question back, when the user is ready.
    carry_on = result.replies[1].buttons[0][0]
    again = press_data(services, carry_on.data)
    assert again.replies[-1].text == first.replies[-1].text
    assert peek.saved_state(services.store, USER) == before
    # The question is still answerable with its own buttons.
    data = next(b.data for row in first.replies[-1].buttons for b in row if b.label == "4")
    assert not press_data(services, data).stale


def test_a_hopeless_note_in_the_checkin_is_not_stored_silently(services: Services) -> None:
    onboard(services)
    result = command(services, "checkin")
    for _ in range(4):
        result = press_data(
            services,
            next(
                b.data
                for row in result.replies[-1].buttons
                for b in row
                if b.label not in ("◀ Back",)
            ),
        )
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.step == "note"
    result = services.conversations.handle(Incoming(USER, "text", text="everything feels hopeless"))
    assert "1813" in result.replies[0].text
    assert peek.rows_about(services.store, USER)["checkins"] == 0


def test_a_refusal_is_short_and_keeps_only_the_refusal_even_after_commands(
    services: Services,
) -> None:
    result = command(services, "start")
    for label in ("English", "Continue", "No, thanks"):
        result = press_label(services, result, label)
    # A first refusal is short: no confirmation (nothing to erase), what is kept and
    # what is still open without consent.
    assert peek.saved_state(services.store, USER) is None
    assert "language and time zone" in result.replies[0].text
    assert "/learn" in result.replies[0].text and "/exercise" in result.replies[0].text
    user = services.store.get_user(USER)
    assert user is not None and not user.has_consent and user.consent_refused_at is not None
    counts = peek.rows_about(services.store, USER)
    assert counts.pop("users") == 1 and set(counts.values()) == {0}
    for name in ("checkin", "test", "exercise", "reminders", "summary", "export"):
        command(services, name)
    counts = peek.rows_about(services.store, USER)
    # The exercise menu is open (exercises need no consent, and keep nothing).
    state = peek.saved_state(services.store, USER)
    assert counts.pop("conversation_states") == 1 and state is not None
    assert (state.flow, state.step, state.answers["keep"]) == ("exercise", "menu", False)
    assert counts.pop("users") == 1 and set(counts.values()) == {0}


def test_no_user_can_reach_another_users_data(services: Services) -> None:
    fill_every_table(services)
    other = USER + 5
    for name in ("summary", "history", "history_csv"):
        result = services.conversations.handle(Incoming(other, "command", command=name))
        assert "okay to store" in result.replies[0].text
        assert all(r.attachment is None for r in result.replies)
    # Their own export holds only their own first-contact row.
    result = services.conversations.handle(Incoming(other, "command", command="export"))
    data = json.loads(result.replies[0].attachment.content)  # type: ignore[union-attr]
    assert [row["id"] for row in data["users"]] == [other]
    assert all(rows == [] for table, rows in data.items() if table != "users")


SCREEN_CASES = [
    # (language of the user, typed text, signal) — capitals and accents on purpose
    ("en", "I feel HOPELESS", "crisis"),
    ("nl", "Ik voel me HOPELOOS", "crisis"),
    ("nl", "ik denk aan SUÏCIDE", "crisis"),
    ("fr", "Je suis DÉSESPÉRÉ", "crisis"),
    ("fr", "j'ai envie de mourir", "crisis"),
    ("de", "Ich fühle mich HOFFNUNGSLOS", "crisis"),
    ("de", "Ich will nicht mehr leben", "crisis"),
    ("en", "I can't pee since this morning", "emergency"),
    ("nl", "Ik kan niet PLASSEN", "emergency"),
    ("fr", "je ne peux plus uriner", "emergency"),
    ("de", "Ich kann nicht pinkeln", "emergency"),
    ("de", "Taub zwischen den Beinen", "emergency"),
    ("fr", "Je ne veux plus vivre", "crisis"),
    ("fr", "j'ai des idées noires", "crisis"),
    ("de", "Alles ist sinnlos", "crisis"),
    ("nl", "Het heeft allemaal geen zin", "crisis"),
]
HARMLESS = [
    "j'ai mal à mourir dans le dos",
    "ik kan niet meer zitten",
    "my back kills me",
    "my back is killing me",
    "Ich habe Stress",
    "hope this helps",
    "this exercise is pointless",
    "what's the point of this exercise?",
]


@pytest.mark.parametrize(("language", "text", "signal"), SCREEN_CASES)
@pytest.mark.parametrize("in_flow", [False, True])
def test_safety_screen_in_every_language_inside_and_outside_flows(
    services: Services, language: str, text: str, signal: str, in_flow: bool
) -> None:
    user = 3000 + SCREEN_CASES.index((language, text, signal))
    handle = services.conversations.handle
    if in_flow:  # the user is in the middle of onboarding, in their own language
        handle(Incoming(user, "command", command="start", language_code=language))
    before = peek.saved_state(services.store, user)
    result = handle(Incoming(user, "text", text=text, language_code=language))
    t = services.catalogue.translator(language)
    render = helplines.crisis_text if signal == "crisis" else helplines.emergency_text
    assert result.replies[0].text == render(t, "Europe/Brussels")  # the default zone
    assert peek.saved_state(services.store, user) == before  # the flow waits
    if in_flow:
        assert result.replies[1].text == t("safety.paused")


@pytest.mark.parametrize("text", HARMLESS)
def test_everyday_back_pain_talk_does_not_raise_an_alarm(services: Services, text: str) -> None:
    result = services.conversations.handle(Incoming(USER, "text", text=text))
    assert "1813" not in result.replies[0].text and "112" not in result.replies[0].text


async def test_a_user_who_answers_the_warning_at_once_is_kept(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)

    async def warn_and_they_reply(user_id: int) -> None:
        command(services, "help")  # they write back while the job is still running

    clock.advance(timedelta(days=360))
    report = await run_retention(services.store, clock, 12, warn_and_they_reply)
    assert report.warned == 1
    clock.advance(timedelta(days=8))  # still within a year of their reply

    async def no_warning(user_id: int) -> None:
        raise AssertionError("nobody is due a warning")

    report = await run_retention(services.store, clock, 12, no_warning)
    assert report.erased == 0 and peek.rows_about(services.store, USER)["users"] == 1
    # A year after that reply they get a fresh warning before anything is erased.
    clock.advance(timedelta(days=360))
    warned: list[int] = []

    async def record(user_id: int) -> None:
        warned.append(user_id)

    report = await run_retention(services.store, clock, 12, record)
    assert warned == [USER] and report.erased == 0


def test_a_new_consent_text_mid_flow_stops_the_flow_before_anything_is_stored(
    sqlite_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = build_services(make_settings(sqlite_url), clock)
    onboard(services)
    started = command(services, "checkin")
    pain = next(b.data for row in started.replies[-1].buttons for b in row if b.label == "3")
    newer = with_newer_consent_text(services, monkeypatch)
    result = newer.handle(Incoming(USER, "press", callback=pain))
    assert "read it again" in result.replies[0].text
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "onboarding"
    assert peek.rows_about(services.store, USER)["checkins"] == 0
    services.store.dispose()


@pytest.mark.parametrize("name", ["summary", "history", "history_csv"])
def test_a_new_consent_text_asks_again_before_the_summary_shows_health_data(
    sqlite_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    services = build_services(make_settings(sqlite_url), clock)
    onboard(services)
    drive(services, command(services, "checkin"))
    newer = with_newer_consent_text(services, monkeypatch)
    result = newer.handle(Incoming(USER, "command", command=name))
    assert "read it again" in result.replies[0].text
    assert all(r.attachment is None for r in result.replies)
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "onboarding"
    services.store.dispose()


def test_parked_reminders_resume_on_start_after_an_older_consent_like_the_queue_sends_them(
    sqlite_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one deliberate exception to the current-consent rule (bot.features.reminders
    .unpark): reminders show no health data, and their Start asks the new text."""
    services = build_services(make_settings(sqlite_url), clock)
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("stress", ["12:30"]).to_dict()
        tx.upsert_reminder("stress", rule, enabled=True, next_due_at=None)  # parked
    newer = with_newer_consent_text(services, monkeypatch)
    newer.handle(Incoming(USER, "command", command="start"))
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        assert [r.next_due_at is not None for r in tx.reminders()] == [True]
    services.store.dispose()


def checkin_with_note(services: Services, note: str) -> None:
    """Today's check-in through the product's own path, with ``note`` typed at the end."""
    result = command(services, "checkin")
    while (state := peek.saved_state(services.store, USER)) is not None and state.step != "note":
        result = press_data(services, pick(result.replies[-1]))
    services.conversations.handle(Incoming(USER, "text", text=note))
    assert peek.saved_state(services.store, USER) is None
    assert peek.rows_about(services.store, USER)["checkins"] == 1


def withdraw_consent(services: Services, *, confirm: str = "Erase and withdraw") -> TurnResult:
    """/start, review consent, answer no, and press ``confirm`` on the question that
    follows (when one follows): the steps of the issue, as a user takes them."""
    result = command(services, "start")
    if peek.saved_state(services.store, USER) is None:  # welcomed back, outside any flow
        result = press_label(services, result, "Review consent, language and time zone")
    for label in ("English", "Continue", "No, thanks"):
        result = press_label(services, result, label)
    if confirm:
        result = press_label(services, result, confirm)
    return result


def press_label(services: Services, result: TurnResult, label: str) -> TurnResult:
    data = [b.data for r in result.replies for row in r.buttons for b in row if b.label == label]
    assert data, f"no button {label!r} in {[r.text[:40] for r in result.replies]}"
    return press_data(services, data[-1])


HEALTH_TABLES = {
    "conversation_states",
    "checkins",
    "test_results",
    "reminders",
    "deliveries",
    "exercise_logs",
    "lesson_reads",
    "medical_cautions",
    "programmes",
    "programme_sessions",
}


def test_withdrawing_consent_erases_every_health_table_on_each_database(
    database_url: str, clock: ManualClock
) -> None:
    """The issue's steps: withdrawing consent kept everything, /export still held it and a
    new consent brought it all back into /history."""
    services = build_services(make_settings(database_url), clock)
    try:
        fill_every_table(services)
        with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
            # The safety memory is health data too: the caution and tomorrow's follow-up.
            assert tx.open_caution() is not None
            assert [r.kind for r in tx.reminders() if r.one_off] == [fu.DOCTOR]
        other = USER + 1
        services.conversations.handle(Incoming(other, "command", command="start"))
        before_other = peek.rows_about(services.store, other)
        done = withdraw_consent(services)
        text = done.replies[0].text
        assert "erased" in text and "check-ins: 1" in text and "self-check results: 1" in text
        assert "advised you to see a doctor: 1" in text and "reminders: 3" in text
        assert "your 12-week programme (where you are in it): 1" in text
        assert "days of the programme you did: 1" in text
        assert "lessons you read: 1" in text
        counts = peek.rows_about(services.store, USER)
        assert set(counts) == HEALTH_TABLES | {"users"}, "a new table needs a decision here"
        assert counts.pop("users") == 1 and set(counts.values()) == {0}, counts
        user = services.store.get_user(USER)
        assert user is not None and not user.has_consent and user.consent_refused_at == clock.now()
        assert (user.language, user.timezone) == ("en", "Europe/Brussels")
        assert peek.rows_about(services.store, other) == before_other  # nobody else is touched
        export = json.loads(command(services, "export").replies[0].attachment.content)  # type: ignore[union-attr]
        assert all(rows == [] for table, rows in export.items() if table != "users")
        onboard(services)  # consenting again starts from nothing
        empty = services.catalogue.translator("en")("summary.history.empty")
        assert command(services, "history").replies[0].text == empty
        counts = peek.rows_about(services.store, USER)
        assert (counts["checkins"], counts["test_results"], counts["exercise_logs"]) == (0, 0, 0)
    finally:
        services.store.dispose()


def test_withdrawal_is_confirmed_first_and_export_keeps_the_question(
    services: Services,
) -> None:
    fill_every_table(services)
    asked = withdraw_consent(services, confirm="")
    question = asked.replies[-1]
    assert "check-ins: 1" in question.text and "reminders: 3" in question.text  # + two
    assert "exercises" in question.text and "self-check results: 1" in question.text
    assert all(peek.rows_about(services.store, USER).values())  # nothing erased yet
    exported = press_label(services, asked, "Export first")
    assert [r.attachment.filename for r in exported.replies if r.attachment] == [  # type: ignore[union-attr]
        "backcoach-export.json",
        "backcoach-checkins.csv",
    ]
    assert exported.replies[-1].text == question.text  # the question stays answerable
    kept = press_label(services, exported, "Keep my consent")
    user = services.store.get_user(USER)
    assert user is not None and user.has_consent
    assert all(peek.rows_about(services.store, USER).values())
    assert "time zone" in kept.replies[0].text
    # The question has moved on: its old button erases nothing.
    assert press_label(services, exported, "Erase and withdraw").stale
    assert all(peek.rows_about(services.store, USER).values())


def raw_files(url: str) -> bytes:
    """The SQLite database file and its write-ahead log, byte for byte, as they lie on
    disk while the bot runs (what ``strings bot.db`` would read)."""
    path = Path(url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


MARKER = "zebra-marker-7f3a9c"


def as_on_a_sqlite_without_secure_delete(store: Store) -> None:
    """Many SQLite builds leave ``secure_delete`` off (Debian's has it on): new
    connections start with it off here, as they would there, before the engine's own
    settings run, so the test shows what the engine itself does."""
    store.engine.dispose()

    @event.listens_for(store.engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        connection = sqlite3.connect(*cargs, **cparams)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection


@pytest.mark.parametrize("erasure", ["withdrawal", "delete", "retention"])
async def test_an_erased_note_is_gone_from_the_sqlite_files(
    services: Services, sqlite_url: str, clock: ManualClock, erasure: str
) -> None:
    as_on_a_sqlite_without_secure_delete(services.store)
    onboard(services)
    checkin_with_note(services, f"my note {MARKER} today")
    # The test can see the note where it lies: without secure_delete and a checkpoint it
    # would still be there after the erasure (the free page and the log keep it).
    assert MARKER.encode() in raw_files(sqlite_url)
    if erasure == "withdrawal":
        withdraw_consent(services)
    elif erasure == "delete":
        press_label(services, command(services, "delete"), "Yes, erase everything")
    else:

        async def warn(user_id: int) -> None:
            return None

        clock.advance(timedelta(days=360))
        await run_retention(services.store, clock, 12, warn)
        clock.advance(timedelta(days=8))
        assert (await run_retention(services.store, clock, 12, warn)).erased == 1
    assert peek.rows_about(services.store, USER)["checkins"] == 0
    assert MARKER.encode() not in raw_files(sqlite_url)
