"""The benchmark script runs end to end on a small catalog and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "resilience.py"


def test_benchmark_script_prints_its_table() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--entities", "1500", "--order2"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    for label in ("command", "date (UTC)", "machine", "SPOF analysis", "size-2 cut sets"):
        assert label in out
