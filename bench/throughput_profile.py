"""Where a check-in turn's CPU goes: ``python -m bench.throughput --profile``.

Two views of the same work (one /checkin and five presses per user and day):

- **py-spy**, attached to this very process, sampling every thread but only the one that
  holds the GIL (``--gil``): with the GIL, that thread is where the process's Python CPU
  goes, whether it is the event loop (PTB, our handlers) or a ``to_thread`` worker (the
  turn). Waiting threads (a worker waiting for work, the loop in ``select``, a thread
  waiting to get the GIL back) are not counted. C code that runs with the GIL released
  (SQLite's own work inside ``sqlite3``) is the only thing this view misses, which the
  CPU-time split (``time.thread_time``) in the main figures covers.
  Samples are folded into named buckets (inclusive) and by package (exclusive).
- **pyinstrument**, with ``asyncio.to_thread`` run inline for that run only, so the whole
  turn is one call tree on one thread; the tree is printed (trimmed).

Both tools live in the venv only (``pip install py-spy pyinstrument``), not in
pyproject; each part is skipped with a note when its tool is missing.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Say = Callable[[str], None]
RunCheckin = Callable[..., Awaitable[Any]]

_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^():]*?)(?::\d+)?\)$")


@dataclass(frozen=True)
class Sample:
    frames: tuple[str, ...]
    """``"name (file)"`` from the thread's root to the leaf, line numbers dropped."""
    count: int

    def has(self, *needles: str) -> bool:
        return any(needle in frame for frame in self.frames for needle in needles)

    def below(self, anchor: str, *needles: str) -> bool:
        """Whether a frame matching ``needles`` sits under a frame matching ``anchor``."""
        for index, frame in enumerate(self.frames):
            if anchor in frame:
                return any(n in f for f in self.frames[index + 1 :] for n in needles)
        return False


def parse_collapsed(lines: Sequence[str]) -> list[Sample]:
    samples = []
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for raw in stack.split(";"):
            match = _FRAME.match(raw)
            frames.append(f"{match['name']} ({match['file']})" if match else raw)
        samples.append(Sample(tuple(frames), int(count)))
    return samples


Predicate = Callable[[Sample], bool]

LOOP = "Application.process_update (telegram/ext/_application.py)"
TURN = "Conversations.handle (bot/conversation.py)"

LOOP_WORK = "checkin_day (bench/throughput.py)"
BOT_METHODS = (
    "Bot.answer_callback_query (telegram/_bot.py)",
    "Bot.send_message (telegram/_bot.py)",
    "Bot.edit_message_reply_markup (telegram/_bot.py)",
    "Bot.do_api_request (telegram/_bot.py)",
)

BUCKETS: list[tuple[str, Predicate]] = [
    ("event loop thread (PTB + our handlers)", lambda s: s.has(LOOP_WORK)),
    (
        "  Update.de_json of the incoming update",
        lambda s: s.below("feed (bench", "Update.de_json") and not s.has(LOOP),
    ),
    (
        "  PTB dispatch (check_update, CallbackContext)",
        lambda s: s.has(LOOP) and not s.has("BaseHandler.handle_update"),
    ),
    (
        "  Bot API calls, all (3 per press, 1 per /checkin)",
        lambda s: s.has(LOOP_WORK) and s.has(*BOT_METHODS),
    ),
    ("    answerCallbackQuery", lambda s: s.has(BOT_METHODS[0])),
    ("    sendMessage", lambda s: s.has(BOT_METHODS[1])),
    ("    editMessageReplyMarkup", lambda s: s.has(BOT_METHODS[2])),
    (
        "    parsing results into Message objects (de_json)",
        lambda s: s.below("Bot._send_message (telegram/_bot.py)", "de_json"),
    ),
    (
        "    encoding parameters (to_dict, RequestParameter, JSON)",
        lambda s: s.below("Bot._post", "RequestParameter", "to_dict", "json/encoder", "json_param"),
    ),
    ("    the null request itself (fake server)", lambda s: s.has("NullRequest.do_request")),
    ("  keyboard(): building InlineKeyboardMarkup", lambda s: s.has("keyboard (bot/telegram_app")),
    (
        "  asyncio.to_thread hop (submit, wake-up)",
        lambda s: (
            s.has(LOOP_WORK)
            and s.has("to_thread (asyncio/threads.py)", "call_soon_threadsafe", "_write_to_self")
        ),
    ),
    ("worker thread: the turn (Conversations.handle)", lambda s: s.has(TURN)),
    (
        "  open: Session, BEGIN, SELECT user",
        lambda s: (
            s.has(TURN)
            and s.below("_GeneratorContextManager.__enter__", "Store.turn", "turn (bench/")
        ),
    ),
    ("  load state (SELECT conversation_states)", lambda s: s.has("_TurnSession._load_state")),
    ("  history loader (today, yesterday, 30 days)", lambda s: s.has("history (bot/features")),
    ("  flow logic (flows/)", lambda s: s.has(TURN) and s.has("(flows/")),
    ("  save/clear state (ORM)", lambda s: s.has("Turn.save_state", "Turn.clear_state")),
    ("  record the check-in (SELECT + INSERT)", lambda s: s.has("record (bot/features/checkin")),
    (
        "  commit (flush UPDATEs, COMMIT)",
        lambda s: s.has(TURN) and s.has("SessionTransaction.commit"),
    ),
    (
        "  session close, connection back to the pool",
        lambda s: s.has(TURN) and s.has("Session.close", "_ConnectionFairy._checkin"),
    ),
    ("  replies: to_outgoing", lambda s: s.has("to_outgoing (bot/conversation")),
    ("  UserInfo copies (Turn.user)", lambda s: s.has("Turn.user (data/store", "UserInfo.of")),
    ("cross-cut: SQLAlchemy + SQLModel (Python)", lambda s: s.has("(sqlalchemy/", "(sqlmodel/")),
    ("  statement compile / cache key", lambda s: s.has("_compile_w_cache", "_generate_cache_key")),
    ("  ORM row -> object loading", lambda s: s.has("(sqlalchemy/orm/loading.py)")),
    ("  unit of work flush", lambda s: s.has("Session._flush")),
    ("  DB-API calls (driver, GIL held)", lambda s: s.has("do_execute", "do_commit", "do_ping")),
    ("cross-cut: all of PTB (telegram/)", lambda s: s.has("(telegram/")),
    ("cross-cut: JSON", lambda s: s.has("(json/")),
    ("cross-cut: logging", lambda s: s.has("(logging/", "user_ref")),
]


def package_of(frame: str) -> str:
    match = _FRAME.match(frame)
    path = match["file"] if match else frame
    if path.startswith("<"):
        return "other"
    top = path.split("/", 1)[0]
    return top.removesuffix(".py")


def relevant(sample: Sample) -> bool:
    return sample.has(TURN, LOOP_WORK)


def summarise(samples: Sequence[Sample], top: int = 15) -> dict[str, Any]:
    chosen = [s for s in samples if relevant(s)]
    total = sum(s.count for s in chosen)
    if not total:
        return {"samples": 0}
    buckets = {
        name: round(100 * sum(s.count for s in chosen if test(s)) / total, 1)
        for name, test in BUCKETS
    }
    packages: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for s in chosen:
        packages[package_of(s.frames[-1])] += s.count
        leaves[s.frames[-1]] += s.count
    return {
        "samples": total,
        "buckets_pct": buckets,
        "self_by_package_pct": {k: round(100 * v / total, 1) for k, v in packages.most_common(10)},
        "self_top_functions_pct": {
            k: round(100 * v / total, 1) for k, v in leaves.most_common(top)
        },
    }


@contextmanager
def py_spy(rate: int = 400) -> Iterator[Path | None]:
    """py-spy sampling this process while the block runs; yields the output path."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        yield None
        return
    out = Path(tempfile.mkdtemp(prefix="throughput_pyspy_")) / "raw.txt"
    command = [exe, "record", "--pid", str(os.getpid()), "--rate", str(rate), "--gil"]
    command += ["--threads", "--format", "raw", "--output", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)  # let it attach
    try:
        yield out
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def inline_to_thread() -> Iterator[None]:
    """``asyncio.to_thread`` runs the function right here (one thread, one call tree)."""
    original = asyncio.to_thread

    async def inline(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    asyncio.to_thread = inline
    try:
        yield
    finally:
        asyncio.to_thread = original


def _variant_patch(key: str) -> Callable[[Any], AbstractContextManager[Any]]:
    if not key:
        return lambda _backend: nullcontext()
    from bench.throughput_variants import VARIANTS

    for variant in VARIANTS:
        if variant.key == key:
            return variant.patch
    raise SystemExit(f"unknown variant {key!r}: {', '.join(v.key for v in VARIANTS)}")


def print_summary(summary: dict[str, Any], say: Say) -> None:
    say(f"py-spy: {summary['samples']} GIL-holding samples in check-in work")
    say("  bucket (inclusive, % of samples)")
    for name, pct in summary["buckets_pct"].items():
        say(f"  {pct:5.1f}%  {name}")
    say(
        "  self time by package: "
        + ", ".join(f"{k} {v}%" for k, v in list(summary["self_by_package_pct"].items())[:10])
    )
    say("  top self-time functions:")
    for name, pct in list(summary["self_top_functions_pct"].items())[:15]:
        say(f"  {pct:5.1f}%  {name}")


async def profile_checkin(
    backend: Any, users: int, days: int, run_checkin: RunCheckin, say: Say, variant: str = ""
) -> dict[str, Any]:
    figures: dict[str, Any] = {"variant": variant or None}
    patch = _variant_patch(variant)
    say("")
    say(
        f"== profile: SQLite, sequential, {users} users x {days} days (py-spy --gil, 400 Hz)"
        + (f", with variant {variant!r} patched in" if variant else "")
    )
    with patch(backend) as prepare, py_spy() as out:
        if out is None:
            say("py-spy is not installed in the venv: pip install py-spy")
        result = await run_checkin(backend, users, days, 1, prepare)
    say(f"(under py-spy: {result.presses.describe()})")
    if out is not None and out.exists():
        summary = summarise(parse_collapsed(out.read_text().splitlines()))
        figures["py_spy"] = summary
        if summary["samples"]:
            print_summary(summary, say)
        shutil.rmtree(out.parent, ignore_errors=True)
    try:
        from pyinstrument import Profiler
    except ImportError:
        say("pyinstrument is not installed in the venv: pip install pyinstrument")
        return figures
    say("")
    say("== pyinstrument (to_thread inlined for this run only), SQLite, sequential")
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    with patch(backend) as prepare, inline_to_thread():
        profiler.start()
        result = await run_checkin(backend, max(users // 2, 20), 1, 1, prepare)
        profiler.stop()
    say(f"(inline, under pyinstrument: {result.presses.describe()})")
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    lines = [line for line in text.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "run_checkin" in line), 0)
    for line in lines[start : start + 90]:
        say(line)
    figures["pyinstrument_lines"] = len(lines)
    return figures
