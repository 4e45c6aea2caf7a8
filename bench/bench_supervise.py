"""What the supervising process costs: ``python -m spec check`` supervised against ``--in-process``.

Each variant runs the same check as a user would (a fresh ``python -m spec``
process), interleaved with the other, several times; the table shows the
fastest repetition of each, in wall-clock seconds and in CPU seconds of the
whole process tree (the supervised command is two interpreters: the parent
and the child that runs the search), and the supervised one's extra cost.

    python bench/bench_supervise.py            # 10 and 200 programs, 7 repetitions
    python bench/bench_supervise.py --quick    # a smoke run, in seconds
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ("queue", "impl.queue:DequeQueue")


def run(examples: int, *extra: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m spec check`` (CPU: the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "spec", "check", *TARGET, "--seed", "0", "--max-examples", str(examples), *extra],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    quick = parser.parse_args().quick
    sizes, repetitions = ((5,), 1) if quick else ((10, 200), 7)
    print(f"python {sys.version.split()[0]}, check {' '.join(TARGET)}, fastest of {repetitions}")
    print(f"{'programs':>8}  {'variant':<12} {'wall s':>7} {'cpu s':>7}")
    for examples in sizes:
        best: dict[str, tuple[float, float]] = {}
        for _ in range(repetitions):
            for variant, extra in (("in-process", ("--in-process",)), ("supervised", ())):
                wall, cpu = run(examples, *extra)
                old = best.get(variant, (wall, cpu))
                best[variant] = (min(old[0], wall), min(old[1], cpu))
        for variant, (wall, cpu) in best.items():
            print(f"{examples:>8}  {variant:<12} {wall:>7.2f} {cpu:>7.2f}")
        (wall_in, cpu_in), (wall_sup, cpu_sup) = best["in-process"], best["supervised"]
        print(f"{examples:>8}  {'extra':<12} {wall_sup - wall_in:>+7.2f} {cpu_sup - cpu_in:>+7.2f}")


if __name__ == "__main__":
    main()
