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

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand an update to the bot the way the current mode receives it."""
        if self.server.webhook_url:
            status = await self.server.post_webhook(update, self.server.webhook_secret_token)
            assert status == 200
        else:
            self.server.push_update(update)

    async def say(self, update: dict[str, Any], expect: int = 1) -> list[Call]:
        """Send an update the way the current mode receives it; await ``expect`` replies."""
        before = len(self.server.sent_messages(USER))
        await self.deliver(update)
        calls = await self.server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == USER, count=before + expect
        )
        return calls[before:]

    def buttons(self, call: Call) -> dict[str, str]:
        markup = call.params.get("reply_markup") or {}
        return {
            b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
        }

    async def press(
        self, call: Call, label: str, expect: int = 1, *, in_place: bool = False
    ) -> list[Call]:
        """Press ``label`` under the message ``call`` sent or edited; await ``expect``
        replies. ``in_place``: the first reply is that message edited into it (one
        ``editMessageText``), the others are new messages; else all are new messages."""
        data = self.buttons(call)[label]
        update = self.server.callback(USER, data, message_id(call))
        if not in_place:
            return await self.say(update, expect)
        return await self.say_in_place(update, expect)

    async def say_in_place(self, press: dict[str, Any], expect: int = 1) -> list[Call]:
        """Send a press; await its ``expect`` replies, the first of them the pressed
        message edited into it, the others new messages."""
        pressed = press["callback_query"]["message"]["message_id"]
        edits, sends = len(self.edits()), len(self.server.sent_messages(USER))
        await self.deliver(press)
        edited = await self.server.wait_for(is_edit, count=edits + 1)
        assert edited[-1].params["message_id"] == pressed
        if expect == 1:
            return [edited[-1]]
        calls = await self.server.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == USER, count=sends + expect - 1
        )
        return [edited[-1], *calls[sends:]]

    def edits(self) -> list[Call]:
        return [c for c in self.server.calls if c.ok and is_edit(c)]


def is_edit(call: Call) -> bool:
    """A message of the user's chat edited into a reply (a question's answer in place)."""
    return call.method == "editMessageText" and call.chat_id == USER


def message_id(call: Call) -> int | None:
    """The id of the message a send or edit call left (None: the chat's latest)."""
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
