"""The in-process Bot API of ``bench.throughput``: :class:`NullRequest` answers every call
at once with a realistic result, the parameters encoded as PTB's ``HTTPXRequest`` does,
and keeps each chat's last message and keyboard so the benchmark presses the buttons
the bot really offered; updates are built as the JSON ``getUpdates`` delivers."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_ID = 123456789
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Backcoach",
    "username": "backcoach_bench_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
DATE = 1_795_000_000  # a fixed Unix time for every message (2026-11-18); PTB only parses it

JsonDict = dict[str, Any]


def user_json(user_id: int) -> JsonDict:
    name = f"User{user_id % 1000}"
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "en"}


def message_json(message_id: int, chat_id: int, sender: JsonDict, text: str) -> JsonDict:
    """A text message in the private chat with ``chat_id``."""
    chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id % 1000}"}
    return {"message_id": message_id, "date": DATE, "chat": chat, "from": sender, "text": text}


@dataclass
class Sent:
    """The last message the bot sent to one chat (as the fake server stored it)."""

    message_id: int
    text: str
    keyboard: list[list[JsonDict]] = field(default_factory=list)

    def callback_data(self) -> list[str]:
        return [str(b.get("callback_data", "")) for row in self.keyboard for b in row]

    def flow_buttons(self) -> list[str]:
        """The callback data of buttons that answer a flow's question (``f|...``)."""
        return [data for data in self.callback_data() if data.startswith("f|")]

    def as_message(self, chat_id: int) -> JsonDict:
        """The message as Telegram would embed it in a callback query."""
        message = message_json(self.message_id, chat_id, BOT_USER, self.text)
        if self.keyboard:
            message["reply_markup"] = {"inline_keyboard": self.keyboard}
        return message


class NullRequest(BaseRequest):
    """Answers every Bot API call in-process, at once, with a realistic result."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.last: dict[int, Sent] = {}
        self._message_ids = count(1)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def reset(self) -> None:
        self.calls.clear()
        self.last.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        # What HTTPXRequest sends as the form body: every parameter JSON-encoded.
        params = request_data.json_parameters if request_data is not None else {}
        result: Any
        if endpoint in ("sendMessage", "editMessageText"):
            result = self._message(params, edited=endpoint == "editMessageText")
        elif endpoint == "editMessageReplyMarkup":
            result = self._edit_markup(params)
        elif endpoint == "getMe":
            result = BOT_USER
        else:  # answerCallbackQuery, setMyCommands, deleteWebhook, ...
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict[str, str], *, edited: bool) -> JsonDict:
        """A new message, or the pressed one edited into the next question (text and
        keyboard replaced); either is the chat's last message from now on."""
        chat_id = int(params["chat_id"])
        markup = json.loads(params["reply_markup"]) if "reply_markup" in params else None
        keyboard = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        number = int(params["message_id"]) if edited else next(self._message_ids)
        sent = self.last[chat_id] = Sent(number, params.get("text", ""), keyboard)
        message = sent.as_message(chat_id)
        if edited:
            message["edit_date"] = DATE
        return message

    def _edit_markup(self, params: dict[str, str]) -> JsonDict:
        chat_id, message_id = int(params.get("chat_id", "0")), int(params.get("message_id", "0"))
        return message_json(message_id, chat_id, BOT_USER, "(edited)") | {"edit_date": DATE}


class UpdateFactory:
    """Telegram-shaped update dicts with increasing ``update_id``."""

    def __init__(self) -> None:
        self._ids = count(1)

    def text(self, user_id: int, text: str) -> JsonDict:
        update_id = next(self._ids)
        message = message_json(1_000_000 + update_id, user_id, user_json(user_id), text)
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": update_id, "message": message}

    def press(self, user_id: int, sent: Sent, data: str) -> JsonDict:
        update_id = next(self._ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cq{update_id}",
                "from": user_json(user_id),
                "chat_instance": f"ci{user_id}",
                "message": sent.as_message(user_id),
                "data": data,
            },
        }
