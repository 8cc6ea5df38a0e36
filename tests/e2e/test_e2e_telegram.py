"""End to end through real HTTP: the production start-up (``bot.runner.running``) with
PTB's real client, against the fake Bot API server, in polling and webhook mode."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.runner import running
from bot.services import build_services
from flows.i18n import default_catalogue
from flows.pain_test import INDEX
from tests.conftest import TEST_TOKEN, bot_settings
from tests.support import peek
from tests.support.fakebotapi import Call, FakeBotApi
from tests.support.telegram import USER, Harness, message_id, onboard

SECRET = "s3cret-Hook_token"
CANT_SEE = default_catalogue().translator("en")("common.media_reply")


async def start_harness(
    sqlite_url: str, clock: ManualClock, *, webhook: bool, tick_seconds: float = 60.0
) -> AsyncIterator[Harness]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        settings = bot_settings(
            sqlite_url, server, webhook_secret=SECRET if webhook else None, webhook_path="/tg/hook"
        )
        services = build_services(settings, clock)
        try:
            async with running(services, poll_timeout=1, tick_seconds=tick_seconds):
                yield Harness(server, services)
        finally:
            services.store.dispose()


@pytest.fixture
async def polling(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    async for harness in start_harness(sqlite_url, clock, webhook=False):
        yield harness


@pytest.fixture
async def webhook(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    async for harness in start_harness(sqlite_url, clock, webhook=True):
        yield harness


async def test_polling_start_consent_stores_the_user(polling: Harness) -> None:
    await onboard(polling)
    user = polling.services.store.get_user(USER)
    assert user is not None and user.has_consent and user.consent_version == 1
    assert polling.server.calls_to("deleteWebhook")
    # The pressed question's buttons are removed, so old messages stay tidy.
    assert polling.server.calls_to("editMessageReplyMarkup")
    assert polling.server.calls_to("answerCallbackQuery")


async def test_command_menu_is_set_for_every_language(polling: Harness) -> None:
    calls = polling.server.calls_to("setMyCommands")
    languages = {c.params.get("language_code") for c in calls}
    assert None in languages and "en" in languages
    names = {cmd["command"] for cmd in calls[0].params["commands"]}
    assert {"start", "help", "cancel"} <= names


async def test_webhook_start_consent_stores_the_user(webhook: Harness) -> None:
    assert webhook.server.webhook_url.endswith("/tg/hook")
    assert webhook.server.webhook_secret_token == SECRET
    await onboard(webhook)
    user = webhook.services.store.get_user(USER)
    assert user is not None and user.has_consent


async def test_media_edits_and_groups_get_kind_answers_or_are_ignored(polling: Harness) -> None:
    for update in (
        polling.server.sticker(USER),
        polling.server.photo(USER),
        polling.server.voice(USER),
    ):
        reply = await polling.say(update)
        assert "can't look at pictures" in reply[0].text
    # Updates are handled in order: the edit is ignored on purpose, so exactly one
    # reply follows, and it answers the long message behind it.
    before = len(polling.server.sent_messages(USER))
    polling.server.push_update(polling.server.edited_message(USER, "changed my mind"))
    reply = await polling.say(polling.server.user_message(USER, "x" * 4096))
    assert "/help" in reply[0].text
    assert len(polling.server.sent_messages(USER)) == before + 1


async def test_group_command_is_answered_with_a_request_to_talk_privately(
    polling: Harness,
) -> None:
    group_id = -100777
    polling.server.push_update(polling.server.group_message(USER, group_id, "/start"))
    calls = await polling.server.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == group_id
    )
    assert "one-to-one" in calls[0].text
    assert polling.services.store.get_user(USER) is None


async def test_logs_hold_no_message_text(
    sqlite_url: str, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async for h in start_harness(sqlite_url, clock, webhook=False):
        await onboard(h)
        await h.say(h.server.user_message(USER, "my private note about my back"))
        h.server.fail_next("sendMessage", status=500)
        h.server.push_update(h.server.command(USER, "/help"))
        await h.server.wait_for(
            lambda c: c.method == "sendMessage" and not c.ok, successful_only=False
        )
    assert caplog.records, "nothing was logged: the test would prove nothing"
    # The token: every log line of every test (conftest) and test_hardening's chatty loggers.
    text = caplog.text
    assert "my private note" not in text and "Do you agree" not in text


async def test_checkin_through_telegram_and_a_stale_button(polling: Harness) -> None:
    await onboard(polling)
    first = await polling.say(polling.server.command(USER, "/checkin"))
    assert "0" in polling.buttons(first[-1]) and "10" in polling.buttons(first[-1])
    # Each answer's reply takes the place of the question answered.
    stress = await polling.press(first[-1], "6", in_place=True)
    assert stress[0].text.startswith("How stressed")
    # The pain question's button pressed again (a second tap, before the edit showed):
    # it has moved on, nothing is rewritten, and the question comes again, as new.
    stale = await polling.press(first[-1], "2", expect=2)
    assert "moved on" in stale[0].text
    assert stale[1].text == stress[-1].text
    assert polling.buttons(stale[1]) == polling.buttons(stress[-1])
    sleep = await polling.press(stale[1], "3", in_place=True)
    moved = await polling.press(sleep[-1], next(iter(polling.buttons(sleep[-1]))), in_place=True)
    note = await polling.press(moved[-1], next(iter(polling.buttons(moved[-1]))), in_place=True)
    skip = next(label for label in polling.buttons(note[-1]) if "kip" in label)
    done = await polling.press(note[-1], skip, in_place=True)
    assert "in a row" in done[-1].text or "first" in done[-1].text
    store = polling.services.store
    with store.turn(USER, polling.services.clock.now(), language="en", timezone="UTC") as tx:
        recent = [row for row in tx.checkin_rows() if row.local_day == tx.now.date()]
    assert len(recent) == 1 and recent[0].pain == 6 and recent[0].stress == 3


async def calls_until_answered(h: Harness, mark: int) -> Counter[str]:
    """The Bot API calls since ``calls[mark]``, once a /help behind them is answered
    (updates are handled one at a time), the /help's own send included."""
    await h.say(h.server.command(USER, "/help"))
    return Counter(c.method for c in h.server.calls[mark:] if c.method != "getUpdates")


async def test_a_checkin_step_costs_one_paced_call(polling: Harness) -> None:
    """Telegram's 30 messages a second: a step that sent the next question and then
    edited the old one's buttons away spent two, and halved how many people one bot
    serves at a peak. Now the pressed question becomes the next one (issue 15)."""
    await onboard(polling)
    step = await polling.say(polling.server.command(USER, "/checkin"))
    mark = len(polling.server.calls)
    for label in ("4", "3", "😐 So-so", "A little", "Skip"):
        step = await polling.press(step[-1], label, in_place=True)
    assert step[0].text.startswith("Saved, thank you.")
    assert await calls_until_answered(polling, mark) == {
        "answerCallbackQuery": 5,
        "editMessageText": 5,
        "sendMessage": 1,  # the /help
    }
    assert all(c.status == 200 for c in polling.server.calls[mark:])


async def test_a_stale_press_on_a_question_turned_into_the_next_is_answered_safely(
    polling: Harness,
) -> None:
    """A second tap on the pain question's old buttons, after its message became the
    stress question: nothing is recorded or rewritten; the note and the question again
    come as new messages, and the pressed message's buttons are taken off, as before."""
    await onboard(polling)
    store = polling.services.store
    first = await polling.say(polling.server.command(USER, "/checkin"))
    stress = await polling.press(first[-1], "6", in_place=True)
    state = peek.saved_state(store, USER)
    mark = len(polling.server.calls)
    stale = await polling.press(first[-1], "2", expect=2)
    assert [c.text for c in stale] == [
        polling.services.catalogue.translator("en")("common.stale_button"),
        stress[0].text,
    ]
    assert (
        peek.saved_state(store, USER) == state and state is not None and state.answers["pain"] == 6
    )
    assert await calls_until_answered(polling, mark) == {
        "answerCallbackQuery": 1,
        "sendMessage": 3,  # the note, the question again, the /help
        "editMessageReplyMarkup": 1,
    }
    tidied = polling.server.calls_to("editMessageReplyMarkup")[-1]
    assert tidied.params["message_id"] == message_id(first[-1])
    assert "reply_markup" not in tidied.params


async def test_an_answer_comes_as_a_new_message_when_the_question_cannot_be_edited(
    polling: Harness,
) -> None:
    """Telegram lets a bot edit its messages for 48 hours: a question answered later is
    refused, and the reply is sent instead, once, with the answer kept."""
    await onboard(polling)
    first = await polling.say(polling.server.command(USER, "/checkin"))
    polling.server.fail_next(
        "editMessageText", status=400, description="Bad Request: message can't be edited"
    )
    mark = len(polling.server.calls)
    stress = await polling.press(first[-1], "6")
    assert stress[0].text.startswith("How stressed")
    assert await calls_until_answered(polling, mark) == {
        "answerCallbackQuery": 1,
        "editMessageText": 1,  # refused: 400
        "sendMessage": 2,  # the stress question, the /help
    }
    state = peek.saved_state(polling.services.store, USER)
    assert state is not None and state.step == "stress" and state.answers["pain"] == 6
    # The question sent instead is answered in place, as any other.
    sleep = await polling.press(stress[0], "3", in_place=True)
    assert sleep[0].text.startswith("How did you sleep")


async def test_a_429_on_an_edit_is_waited_out_and_the_edit_made_once(polling: Harness) -> None:
    await onboard(polling)
    first = await polling.say(polling.server.command(USER, "/checkin"))
    polling.server.fail_next("editMessageText", status=429, retry_after=1)
    mark = len(polling.server.calls)
    stress = await polling.press(first[-1], "6", in_place=True)
    assert stress[0].text.startswith("How stressed")
    edits = [c for c in polling.server.calls[mark:] if c.method == "editMessageText"]
    assert [c.status for c in edits] == [429, 200]
    assert edits[1].time - edits[0].time >= 1.0, "retry_after was honoured"
    assert await calls_until_answered(polling, mark) == {
        "answerCallbackQuery": 1,
        "editMessageText": 2,
        "sendMessage": 1,  # the /help: the question was neither lost nor sent twice
    }


async def test_not_modified_is_an_edit_done(polling: Harness) -> None:
    """Telegram answers "message is not modified" when the message already reads so:
    nothing is sent again."""
    await onboard(polling)
    first = await polling.say(polling.server.command(USER, "/checkin"))
    polling.server.fail_next(
        "editMessageText",
        status=400,
        description="Bad Request: message is not modified: specified new message content "
        "and reply markup are exactly the same as a current content and reply markup of "
        "the message",
    )
    mark = len(polling.server.calls)
    polling.server.push_update(polling.server.callback(USER, polling.buttons(first[-1])["6"]))
    assert await calls_until_answered(polling, mark) == {
        "answerCallbackQuery": 1,
        "editMessageText": 1,
        "sendMessage": 1,  # the /help only
    }


async def checkin_via_buttons(h: Harness, pain: str, stress: str) -> None:
    first = await h.say(h.server.command(USER, "/checkin"))
    step = await h.press(first[-1], pain, in_place=True)
    step = await h.press(step[-1], stress, in_place=True)
    for _ in range(3):  # sleep, moved, note: take the first / skip
        labels = list(h.buttons(step[-1]))
        skip = [label for label in labels if "kip" in label]
        step = await h.press(step[-1], skip[0] if skip else labels[0], in_place=True)


async def test_summary_arrives_as_text_and_a_png_chart(polling: Harness) -> None:
    await onboard(polling)
    for pain, stress in [("6", "7"), ("5", "5"), ("4", "3")]:
        await checkin_via_buttons(polling, pain, stress)
        polling.services.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    text = await polling.say(polling.server.command(USER, "/summary"))
    assert "pain" in text[0].text.lower()
    photos = await polling.server.wait_for("sendPhoto")
    png = next(iter(photos[0].files.values())).data
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and 10_000 < len(png) < 150_000


async def test_summary_text_still_arrives_when_the_photo_fails(polling: Harness) -> None:
    await onboard(polling)
    await checkin_via_buttons(polling, "6", "7")
    polling.server.fail_next("sendPhoto", status=500, count=10)
    text = await polling.say(polling.server.command(USER, "/summary"))
    assert text[0].text
    await polling.server.wait_for("sendPhoto", successful_only=False)
    # The bot is still answering afterwards.
    reply = await polling.say(polling.server.command(USER, "/help"))
    assert "/checkin" in reply[0].text


async def test_history_offers_a_csv_of_all_checkins(polling: Harness) -> None:
    await onboard(polling)
    await checkin_via_buttons(polling, "3", "8")
    listing = await polling.say(polling.server.command(USER, "/history"))
    assert "pain 3" in listing[0].text and "stress 8" in listing[0].text
    await polling.press(listing[0], "Download all as a CSV file")
    documents = await polling.server.wait_for("sendDocument")
    csv_bytes = next(iter(documents[0].files.values())).data.decode("utf-8-sig")
    assert csv_bytes.splitlines()[0].startswith("day,pain,stress")
    assert ",3,8," in csv_bytes


async def test_the_job_queue_tick_sends_due_reminders(sqlite_url: str, clock: ManualClock) -> None:
    from bot.features.reminders import advance
    from flows.schedule import Rule

    async for h in start_harness(sqlite_url, clock, webhook=False, tick_seconds=0.2):
        await onboard(h)
        with h.services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
            rule = Rule.at("movement", ["10:00"]).to_dict()
            tx.upsert_reminder("movement", rule, enabled=True, next_due_at=clock.now())
        nudge = await h.server.wait_for(
            lambda c: c.method == "sendMessage" and "✅ Done" in str(c.params.get("reply_markup"))
        )
        ack = await h.press(nudge[0], "✅ Done")
        assert "Nicely done" in ack[0].text
        assert peek.deliveries(h.services.store, USER)[0].action == "done"
        assert advance(rule, clock.now()) is not None


@pytest.mark.parametrize("language", ["nl", "fr"])
async def test_onboarding_a_test_question_and_summary_in_the_users_language(
    polling: Harness, language: str
) -> None:
    from flows.i18n import default_catalogue

    t = default_catalogue().translator(language)
    server = polling.server
    chooser = await polling.say(server.command(USER, "/start", language_code=language))
    # The language Telegram reported comes first.
    first = chooser[0].params["reply_markup"]["inline_keyboard"][0][0]["text"]
    assert first == t(f"onboarding.language_names.{language}")
    welcome = await polling.press(chooser[0], first, expect=2)
    assert welcome[1].text == t("onboarding.what_i_do")
    consent = await polling.press(welcome[1], t("common.continue"))
    assert consent[0].text.startswith(t("onboarding.consent")[:40])
    zone = await polling.press(consent[0], t("onboarding.consent_yes"))
    await polling.press(zone[0], t("onboarding.timezone_keep"), expect=2)
    test = await polling.say(server.command(USER, "/test", language_code=language), expect=2)
    assert all(label in polling.buttons(test[-1]) for label in [t("pain_test.buttons.none")])
    second = await polling.press(test[-1], t("pain_test.buttons.none"), in_place=True)
    assert "2/" in second[-1].text
    summary = await polling.say(server.command(USER, "/summary", language_code=language))
    assert t("summary.nothing_yet") in summary[0].text
    user = polling.services.store.get_user(USER)
    assert user is not None and user.language == language
    commands = {c.params.get("language_code"): c for c in server.calls_to("setMyCommands")}
    described = {
        cmd["command"]: cmd["description"] for cmd in commands[language].params["commands"]
    }
    assert described["checkin"] == t("common.commands.checkin")


async def test_the_whole_self_check_through_telegram_then_a_retake(polling: Harness) -> None:
    """Every question answered with real button presses over HTTP, result stored, and a
    retake shows the comparison."""
    await onboard(polling)
    preferred = ("None of these", "Done")

    server = polling.server

    async def press_all(call: Call, label: str) -> list[Call]:
        """Press; every reply to it has come once a sticker sent after it is answered
        (updates are handled one at a time). The replies: edits and new messages."""
        mark = len(server.calls)
        server.push_update(server.callback(USER, polling.buttons(call)[label], message_id(call)))
        stickers = len([c for c in server.sent_messages(USER) if c.text == CANT_SEE])
        server.push_update(server.sticker(USER))
        await server.wait_for(lambda c: c.chat_id == USER and c.text == CANT_SEE, stickers + 1)
        replies = ("sendMessage", "editMessageText")
        return [
            c
            for c in server.calls[mark:]
            if c.ok and c.chat_id == USER and c.method in replies and c.text != CANT_SEE
        ]

    async def run_test() -> list[Call]:
        step = await polling.say(server.command(USER, "/test"), expect=2)
        for _ in range(60):
            if peek.saved_state(polling.services.store, USER) is None:
                return step
            question = next(c for c in reversed(step) if polling.buttons(c))
            labels = [label for label in polling.buttons(question) if "Back" not in label]
            state = peek.saved_state(polling.services.store, USER)
            picked = next((p for p in preferred if p in labels), labels[0])
            step = await press_all(question, picked)
            after = peek.saved_state(polling.services.store, USER)
            unchanged = (
                state and after and (after.step, after.answers) == (state.step, state.answers)
            )
            if state and after and not unchanged and {state.step, after.step} <= set(INDEX):
                # From a question to the next (or the same, ticked): the pressed message
                # becomes it, and nothing else is sent or edited.
                assert [(c.method, c.params["message_id"]) for c in step] == [
                    ("editMessageText", message_id(question))
                ]
            if unchanged:  # "Done" needs a pick first
                question = next(c for c in reversed(step) if polling.buttons(c))
                step = await press_all(question, labels[0])
        raise AssertionError("the self-check did not end")

    first = await run_test()
    assert any("next steps" in (c.text or "").lower() for c in first)
    assert peek.rows_about(polling.services.store, USER)["test_results"] == 1
    second = await run_test()
    assert any("→" in (c.text or "") for c in second)
    assert peek.rows_about(polling.services.store, USER)["test_results"] == 2
