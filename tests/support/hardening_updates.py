"""Update builders the fake Bot API server does not offer, for tests/e2e/test_hardening.py.

Every builder starts from one of :class:`tests.support.fakebotapi.FakeBotApi`'s own builders, so
message ids and chats stay consistent with what the server has recorded; only
the shape of the update is changed (a document instead of text, a channel post, a
callback from an inline message, ...).
"""

from __future__ import annotations

from typing import Any

from tests.support.fakebotapi import FakeBotApi

JSONDict = dict[str, Any]


def text_message(
    server: FakeBotApi,
    user_id: int,
    text: str,
    *,
    language_code: str | None = "en",
    first_name: str = "Test",
) -> JSONDict:
    """A private text message; ``language_code=None`` leaves the field out entirely."""
    return server.user_message(
        user_id, text, language_code=language_code or "", first_name=first_name
    )


def command_message(
    server: FakeBotApi,
    user_id: int,
    text: str,
    *,
    language_code: str | None = "en",
    first_name: str = "Test",
) -> JSONDict:
    """``/command args`` with its bot_command entity (any language code, or none)."""
    return server.command(user_id, text, language_code=language_code or "", first_name=first_name)


def document(server: FakeBotApi, user_id: int, name: str = "scan.pdf") -> JSONDict:
    """A private message carrying a document (the bot never downloads what users send)."""
    update = server.user_message(user_id, "placeholder")
    message = update["message"]
    del message["text"]
    file_id = f"doc-{user_id}-{message['message_id']}"
    message["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": name,
        "mime_type": "application/pdf",
        "file_size": 8,
    }
    message["caption"] = "my MRI"
    return update


def location(server: FakeBotApi, user_id: int) -> JSONDict:
    """A private message with a location (no text, no media)."""
    update = server.user_message(user_id, "placeholder")
    message = update["message"]
    del message["text"]
    message["location"] = {"latitude": 50.85, "longitude": 4.35}
    return update


def channel_post(
    server: FakeBotApi, channel_id: int, text: str, *, edited: bool = False
) -> JSONDict:
    """A post in a channel the bot is in: no ``from``, a channel chat."""
    update = server.user_message(1, text, chat_type="channel", chat_id=channel_id)
    message = update.pop("message")
    message.pop("from", None)
    message["sender_chat"] = dict(message["chat"])
    return {"edited_channel_post" if edited else "channel_post": message}


def group_callback(server: FakeBotApi, user_id: int, group_id: int, data: str) -> JSONDict:
    """A button pressed under a bot message in a group."""
    server.group_message(user_id, group_id, "hello")  # makes the group chat known
    return server.callback(user_id, data, message_id=1, chat_id=group_id)


def inline_callback(server: FakeBotApi, user_id: int, data: str | None) -> JSONDict:
    """A button of an inline message: no ``message``; ``data=None`` is a game button."""
    query: JSONDict = {
        "id": f"inline-{user_id}-{len(server.calls)}",
        "from": {"id": user_id, "is_bot": False, "first_name": "Test"},
        "chat_instance": "inline",
        "inline_message_id": "AAAAinline",
    }
    if data is None:
        query["game_short_name"] = "backgame"
    else:
        query["data"] = data
    return {"callback_query": query}


def private_callback(
    server: FakeBotApi,
    user_id: int,
    data: str | None,
    message_id: int | None,
    *,
    language_code: str | None = "en",
) -> JSONDict:
    """A button pressed in the user's private chat (``data=None``: a game button)."""
    if message_id is None:
        message_id = 1
    update = server.callback(user_id, data or "x", message_id, language_code=language_code or "")
    if data is None:
        query = update["callback_query"]
        del query["data"]
        query["game_short_name"] = "backgame"
    return update
