"""Helpers shared by the test modules (not a conftest: tests import what they use)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from spec import Report, Violation, contract_names
from spec.known_bad import KnownBad, catalogue

ROOT = Path(__file__).resolve().parent.parent


def all_known_bad() -> list[tuple[str, KnownBad]]:
    """(contract, entry) for every entry of every contract's catalogue."""
    return [(name, entry) for name in contract_names() for entry in catalogue(name)]


def run_snippet(source: str) -> BaseException | None:
    """Run ``source`` in a fresh namespace; return what it raised (or None)."""
    try:
        exec(compile(source, "<snippet>", "exec"), {"__name__": "snippet"})
    except Exception as exc:
        return exc
    return None


def replay(report: Report) -> BaseException | None:
    """Run the report's snippet in a fresh namespace; return what it raised (or None)."""
    return run_snippet(report.snippet)


def replay_violation(violation: Violation) -> BaseException | None:
    """Run the violation's program in a fresh namespace; return what it raised (or None)."""
    return run_snippet("\n".join(violation.program))


@dataclass(frozen=True)
class Run:
    """A finished ``python -m spec`` subprocess."""

    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 120) -> Run:
    """Run ``python -m spec ARGS`` in a subprocess, as a user would."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "spec", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)
