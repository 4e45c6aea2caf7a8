"""Hand-off speed of the scheduler's channel, and where concurrency pays off.

Run ``python bench/bench_scheduler.py`` (``--quick`` for a seconds-long smoke
run).  Two tables, each measured side by side in one run:

1. **Hand-off**: one producer hands ``N`` integers to one consumer through
   ``impl.channel.Channel(10)`` on ``impl.scheduler.Scheduler``, through
   ``asyncio.Queue(maxsize=10)`` between two asyncio tasks, and in a bare
   loop (a producer generator whose items a plain ``for`` sends into a
   consumer generator: the seed's coordinator, no buffer, no scheduler).
   Repetitions are interleaved and the best time of each kept (on a shared,
   noisy machine the best is the run least disturbed); the ratios compare
   the best times.
2. **CPU vs waiting**: ``JOBS`` jobs, either pure-Python arithmetic
   (CPU-bound) or ``time.sleep`` (waiting-bound; ``asyncio.sleep`` on the
   event loop), run one after another, on a thread pool, on a process pool
   of one worker per core, and as tasks of one event loop.  Each cell is the
   speed-up over running them one after another, best times compared.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Coroutine, Generator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from impl.channel import Channel, ChannelClosed
from impl.scheduler import Scheduler, TaskGen

# -- 1. hand-off -------------------------------------------------------------------


def scheduler_channel(n: int) -> int:
    s, ch = Scheduler(), Channel[int](10)
    total = 0

    def producer() -> TaskGen:
        for item in range(n):
            yield from ch.put(item)
        ch.close()

    def consumer() -> TaskGen:
        nonlocal total
        while True:
            try:
                item = yield from ch.get()
            except ChannelClosed:
                return
            total += item

    s.spawn(producer())
    s.spawn(consumer())
    s.run()
    return total


def asyncio_queue(n: int) -> int:
    async def main() -> int:
        queue: asyncio.Queue[int | None] = asyncio.Queue(maxsize=10)
        total = 0

        async def producer() -> None:
            for item in range(n):
                await queue.put(item)
            await queue.put(None)

        async def consumer() -> None:
            nonlocal total
            while (item := await queue.get()) is not None:
                total += item

        await asyncio.gather(producer(), consumer())
        return total

    return asyncio.run(main())


def bare_loop(n: int) -> int:
    total = 0

    def producer() -> Generator[int, None, None]:
        yield from range(n)

    def consumer() -> Generator[None, int, None]:
        nonlocal total
        while True:
            total += yield

    sink = consumer()
    next(sink)
    for item in producer():
        sink.send(item)
    return total


HAND_OFFS: dict[str, Callable[[int], int]] = {
    "scheduler + Channel(10)": scheduler_channel,
    "asyncio.Queue(maxsize=10)": asyncio_queue,
    "bare loop (no buffer)": bare_loop,
}


def hand_off_table(n: int, repeats: int) -> list[str]:
    want = n * (n - 1) // 2
    times: dict[str, list[float]] = {name: [] for name in HAND_OFFS}
    for _ in range(repeats):
        for name, fn in HAND_OFFS.items():  # interleaved: noise hits every row alike
            started = time.perf_counter()
            assert fn(n) == want, name
            times[name].append(time.perf_counter() - started)
    rate = {name: n / min(ts) for name, ts in times.items()}
    ours = rate["scheduler + Channel(10)"]
    lines = [
        f"Hand-off of {n:,} items, 1 producer -> 1 consumer, best of {repeats}",
        f"{'':28}{'items/s':>12}{'vs asyncio.Queue':>18}{'vs scheduler':>14}",
    ]
    for name in HAND_OFFS:
        lines.append(
            f"{name:28}{rate[name] / 1e6:>10.2f} M"
            f"{rate[name] / rate['asyncio.Queue(maxsize=10)']:>17.1f}x{rate[name] / ours:>13.2f}x"
        )
    return lines


# -- 2. CPU-bound vs waiting-bound ---------------------------------------------------


def cpu_job(size: float) -> int:
    total = 0
    for i in range(int(size)):
        total += i * i % 7
    return total


def wait_job(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


async def cpu_coroutine(size: float) -> int:
    return cpu_job(size)


async def wait_coroutine(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


@dataclass(frozen=True)
class Kind:
    """A kind of job: the plain function, the same as a coroutine, and its argument."""

    job: Callable[[float], object]
    coroutine: Callable[[float], Coroutine[Any, Any, object]]
    arg: float


def sequential_run(kind: Kind, jobs: int) -> None:
    for _ in range(jobs):
        kind.job(kind.arg)


def pool_run(pool: Executor, kind: Kind, jobs: int) -> None:
    list(pool.map(kind.job, [kind.arg] * jobs))


def loop_run(kind: Kind, jobs: int) -> None:
    async def main() -> None:
        await asyncio.gather(*(kind.coroutine(kind.arg) for _ in range(jobs)))

    asyncio.run(main())


def concurrency_table(jobs: int, cpu_size: int, wait_seconds: float, repeats: int) -> list[str]:
    cores = os.cpu_count() or 1
    kinds = {
        "CPU-bound (pure Python)": Kind(cpu_job, cpu_coroutine, cpu_size),
        f"waiting ({wait_seconds * 1000:.0f} ms sleep)": Kind(wait_job, wait_coroutine, wait_seconds),
    }
    ways = ["one after another", f"threads ({jobs})", f"processes ({cores})", "event loop"]
    lines = [
        f"{jobs} jobs on {cores} cores: speed-up over one after another, best of {repeats}",
        f"{'':26}" + "".join(f"{way:>20}" for way in ways),
    ]
    context = multiprocessing.get_context("spawn")
    with ThreadPoolExecutor(jobs) as threads, ProcessPoolExecutor(cores, mp_context=context) as processes:
        list(processes.map(cpu_job, [1] * cores))  # start the workers before timing
        for name, kind in kinds.items():
            runs: dict[str, Callable[[], None]] = {
                ways[0]: partial(sequential_run, kind, jobs),
                ways[1]: partial(pool_run, threads, kind, jobs),
                ways[2]: partial(pool_run, processes, kind, jobs),
                ways[3]: partial(loop_run, kind, jobs),
            }
            times: dict[str, list[float]] = {way: [] for way in ways}
            for _ in range(repeats):
                for way, run in runs.items():
                    started = time.perf_counter()
                    run()
                    times[way].append(time.perf_counter() - started)
            base = min(times[ways[0]])
            lines.append(f"{name:26}" + "".join(f"{base / min(times[way]):>19.1f}x" for way in ways))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run")
    quick = parser.parse_args(argv).quick
    print(f"Python {sys.version.split()[0]}")
    print()
    print("\n".join(hand_off_table(n=20_000 if quick else 300_000, repeats=3 if quick else 7)))
    print()
    table = concurrency_table(
        jobs=4,
        cpu_size=300_000 if quick else 1_500_000,
        wait_seconds=0.02 if quick else 0.1,
        repeats=3 if quick else 5,
    )
    print("\n".join(table))


if __name__ == "__main__":
    main()
