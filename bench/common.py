"""What every benchmark does first: a work folder and one line about the machine, so
figures from different runs can be told apart."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def work_folder(given: Path | None) -> Path:
    """``given``, or a fresh temporary folder for the benchmark's database files."""
    folder = given or Path(tempfile.mkdtemp(prefix="backcoach-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def machine_line(name: str) -> str:
    """``bench.x: python 3.11.7, 2 cpus, load average 0.60`` (other load slows wall time)."""
    return (
        f"{name}: python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
