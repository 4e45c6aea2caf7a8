"""Every benchmark still runs (its --quick smoke run); the numbers themselves are not asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._support import ROOT

BENCHES = sorted((ROOT / "bench").glob("bench_*.py"))


def test_there_are_benchmarks() -> None:
    assert len(BENCHES) >= 6


@pytest.mark.parametrize("bench", BENCHES, ids=lambda path: path.stem)
def test_benchmark_smoke_run(bench: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(bench), "--quick"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) >= 3, done.stdout  # a header and rows
