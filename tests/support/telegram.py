"""One user talking to the running bot over the fake Bot API, polling or webhook:
send an update and await the replies, press a button by its label, onboard.
Shared by the end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services import Services
from tests.support.fakebotapi import Call, FakeBotApi

USER = 5150


@dataclass
class Harness:
    server: FakeBotApi
    services: Services

    async def say(self, update: dict[str, Any], expect: int = 1) -> list[Call]:
        """Send an update the way the current mode receives it; await ``expect`` replies."""
        before = len(self.server.sent_messages(USER))
        if self.server.webhook_url:
            status = await self.server.post_webhook(update, self.server.webhook_secret_token)
            assert status == 200
        else:
            self.server.push_update(update)
        calls = await self.server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == USER, count=before + expect
        )
        return calls[before:]

    def buttons(self, call: Call) -> dict[str, str]:
        markup = call.params.get("reply_markup") or {}
        return {
            b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
        }

    async def press(self, call: Call, label: str, expect: int = 1) -> list[Call]:
        data = self.buttons(call)[label]
        return await self.say(self.server.callback(USER, data, message_id(call)), expect)


def message_id(call: Call) -> int | None:
    """The id of the message a send call created (None: the chat's latest)."""
    result = getattr(call, "result", None)
    return int(result["message_id"]) if isinstance(result, dict) else None


async def onboard(h: Harness) -> None:
    language = await h.say(h.server.command(USER, "/start", first_name="Ann"))
    assert "English" in h.buttons(language[0])
    welcome = await h.press(language[0], "English", expect=2)
    assert welcome[0].text.startswith("Hi Test!")  # the name the press came with
    consent = await h.press(welcome[1], "Continue")
    assert "Do you agree" in consent[0].text
    zone = await h.press(consent[0], "Yes, I agree")
    assert "Europe/Brussels" in zone[0].text
    done = await h.press(zone[0], "Yes, that's right", expect=2)
    assert "All set" in done[1].text


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
