"""The command line as a person meets it: clear one-sentence errors, and a terminal
chat that completes onboarding from the keyboard."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import button_key, chat, render, to_incoming
from bot.conversation import Button, Outgoing
from bot.services import Services
from data.engine import make_engine
from data.store import Store
from flows.runtime import File

ROOT = Path(__file__).resolve().parents[2]


def run_bot(
    args: list[str], tmp_path: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "DEFAULT_", "LOG_"))
    }
    clean.update({"XDG_DATA_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(ROOT)})
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], setting: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]


def test_run_without_token_says_so_in_one_sentence(tmp_path: Path) -> None:
    assert_one_sentence(run_bot(["run"], tmp_path), "TELEGRAM_BOT_TOKEN")


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"DATABASE_URL": "mysql://localhost/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "::not a url::"}, "DATABASE_URL"),
        ({"DEFAULT_TIMEZONE": "Europe/Atlantis"}, "DEFAULT_TIMEZONE"),
        ({"WEBHOOK_PORT": "eighty"}, "WEBHOOK_PORT"),
        ({"TELEGRAM_API_BASE_URL": "ftp://example"}, "TELEGRAM_API_BASE_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TELEGRAM_MAX_SENDS_PER_SECOND": "0"}, "TELEGRAM_MAX_SENDS_PER_SECOND"),
    ],
)
def test_malformed_settings_stop_with_one_sentence(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    assert_one_sentence(run_bot(["run"], tmp_path, {"TELEGRAM_BOT_TOKEN": "1:x", **env}), setting)


def test_unreachable_database_is_named(tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
    }
    assert_one_sentence(run_bot(["run"], tmp_path, env), "DATABASE_URL")


@pytest.mark.parametrize("command", ["run", "chat"])
def test_broken_content_stops_start_up_with_one_sentence(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Telegram and the terminal chat both refuse broken content before they touch the
    database. In-process, because the content folder is the package's own."""
    import bot.cli
    import bot.services
    from flows.i18n import CONTENT_DIR, Catalogue

    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    nl = root / "nl" / "checkin.toml"
    nl.write_text('stray_key = "x"\n' + nl.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(bot.services, "default_catalogue", lambda: Catalogue.load(root))
    monkeypatch.setattr(bot.cli, "configure_logging", lambda *_args: None)  # keep pytest's
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "bot.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x" if command == "run" else "")

    assert bot.cli.main([command]) == 2
    err = capsys.readouterr().err
    assert err == (
        "backcoach: the content in flows/content is broken, so the bot does not start: "
        "nl has the key checkin.stray_key, which en does not\n"
    )
    assert not database.exists()


def test_settings_come_from_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_TIMEZONE=Mars/Base\n")
    assert_one_sentence(run_bot(["chat"], tmp_path), "DEFAULT_TIMEZONE")


def test_chat_completes_onboarding_from_the_keyboard(tmp_path: Path) -> None:
    # Continue, keep English, agree, keep the zone, then leave.
    result = run_bot(["chat"], tmp_path, stdin="a\na\na\na\n/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Do you agree" in result.stdout and "All set" in result.stdout
    store = Store(make_engine(f"sqlite:///{tmp_path / 'xdg' / 'backcoach' / 'backcoach.db'}"))
    user = store.get_user(1)
    store.dispose()
    assert user is not None and user.has_consent and user.timezone == "Europe/Brussels"


def test_bare_command_without_token_opens_the_chat(tmp_path: Path) -> None:
    result = run_bot([], tmp_path, stdin="")
    assert result.returncode == 0 and "backcoach in your terminal" in result.stdout


def test_migrate_brings_the_schema_up(tmp_path: Path) -> None:
    result = run_bot(["migrate"], tmp_path, {"DATABASE_URL": f"sqlite:///{tmp_path}/m.db"})
    assert result.returncode == 0 and "up to date" in result.stdout


def test_flows_prints_mermaid(tmp_path: Path) -> None:
    result = run_bot(["flows", "--mermaid"], tmp_path)
    assert result.returncode == 0 and "stateDiagram-v2" in result.stdout


@pytest.mark.parametrize("flow_name", ["onboarding", "pain_test"])
def test_readme_diagrams_are_the_flows_own(flow_name: str) -> None:
    from bot.wiring import build_wiring
    from flows.runtime import mermaid

    flow = build_wiring().flows.get(flow_name)
    assert flow is not None
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid(flow)}\n```" in readme, "regenerate with python -m bot flows"


def test_chat_letters_press_buttons_and_typed_numbers_stay_values() -> None:
    """A typed "6" on a 0-10 question is the score 6, as in Telegram, never button 6."""
    buttons = [Button(str(n), f"f|nonce|{n}") for n in range(11)] + [Button("Back", "f|n|back")]
    assert [button_key(i) for i in (0, 1, 25, 26, 27)] == ["a", "b", "z", "aa", "ab"]
    assert to_incoming("g", buttons, 1, None).callback == "f|nonce|6"
    assert to_incoming(" L ", buttons, 1, None).callback == "f|n|back"
    typed = to_incoming("6", buttons, 1, None)
    assert typed.kind == "text" and typed.text == "6"
    assert to_incoming("/checkin", buttons, 1, None).command == "checkin"


def test_the_terminal_chat_speaks_the_users_language(services: Services, tmp_path: Path) -> None:
    lines: list[str] = []
    typed = iter(["/quit"])
    chat(services.conversations, lambda _prompt: next(typed), lines.append, language="nl")
    assert lines[0].startswith("backcoach in je terminal")
    text, _ = render(
        [Outgoing("Hier is je bestand.", attachment=File("export.json", b"{}"))],
        services.catalogue.translator("nl"),
        tmp_path,
    )
    assert f"ik heb het bewaard: {tmp_path / 'export.json'}" in text
    assert (tmp_path / "export.json").read_bytes() == b"{}"
