"""``python -m bot chat``: the same flows and store as Telegram, in a terminal.

Buttons are shown with letters; typing a letter presses it. Numbers are not used for
that, so a typed "6" means 6 here exactly as it does in Telegram (a score, minutes).
Anyone can try the bot in ten seconds without a Telegram token.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.charts import render_chart
from bot.conversation import Button, Conversations, Incoming, Outgoing
from flows.i18n import Translator
from flows.runtime import Attachment, Chart

CONSOLE_USER_ID = 1
QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})


def save_attachment(attachment: Attachment, folder: Path) -> Path:
    """Charts and files cannot be shown in a terminal: they are saved and named."""
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(attachment, Chart):
        path = folder / "backcoach-summary.png"
        path.write_bytes(render_chart(attachment.data, attachment.labels))
    else:
        path = folder / Path(attachment.filename).name
        path.write_bytes(attachment.content)
    return path


def render(
    replies: list[Outgoing], t: Translator, folder: Path | None = None
) -> tuple[str, list[Button]]:
    """Text for the terminal and the buttons in the order they were numbered."""
    lines: list[str] = []
    numbered: list[Button] = []
    for reply in replies:
        lines.append(reply.text)
        if reply.attachment is not None:
            saved = save_attachment(reply.attachment, folder or Path(tempfile.gettempdir()))
            lines.append(t("common.console_saved", path=str(saved)))
        for row in reply.buttons:
            cells = []
            for button in row:
                numbered.append(button)
                cells.append(f"[{button_key(len(numbered) - 1)}] {button.label}")
            lines.append("   ".join(cells))
        lines.append("")
    return "\n".join(lines), numbered


def button_key(index: int) -> str:
    """a, b, ... z, aa, ab, ...: the letters that press the ``index``-th button."""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("a") + rest) + key
    return key


def to_incoming(line: str, buttons: list[Button], user_id: int, language: str | None) -> Incoming:
    text = line.strip().lower()
    keys = {button_key(i): button for i, button in enumerate(buttons)}
    if text in keys:
        return Incoming(user_id, "press", callback=keys[text].data, language_code=language)
    if text.startswith("/"):
        name = text.split(maxsplit=1)[0].lstrip("/").lower()
        return Incoming(user_id, "command", command=name, language_code=language)
    return Incoming(user_id, "text", text=line, language_code=language)


def chat(
    conversations: Conversations,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    *,
    user_id: int = CONSOLE_USER_ID,
    language: str | None = None,
) -> None:
    write(_translator(conversations, user_id, language)("common.console_intro") + "\n")
    buttons: list[Button] = []
    pending: Incoming | None = Incoming(user_id, "command", command="start", language_code=language)
    while True:
        if pending is not None:
            result = conversations.handle(pending)
            # After the turn: the user may just have picked another language.
            text, buttons = render(result.replies, _translator(conversations, user_id, language))
            write(text)
        try:
            line = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if line.strip().lower() in QUIT_WORDS:
            return
        pending = to_incoming(line, buttons, user_id, language) if line.strip() else None


def _translator(conversations: Conversations, user_id: int, language: str | None) -> Translator:
    """The stored user's language, else the one asked for on the command line."""
    user = conversations.store.get_user(user_id)
    if user is not None:
        return conversations.translator_for(user)
    catalogue = conversations.catalogue
    return catalogue.translator(catalogue.pick_language(language, conversations.default_language))
