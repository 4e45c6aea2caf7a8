"""Tasks for the concurrency-vs-parallelism contract, and the pools that run them.

A *pure task* is a generator function of one ``int`` that yields ``None``
between steps and returns an ``int`` that depends on its argument only.
The same task runs four ways: driven to its end in a plain loop
(:func:`run_to_end`), interleaved with others on a cooperative scheduler,
and through :func:`run_to_end` on a thread pool or a process pool.  The
functions live at module level so that a process pool can pickle them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeAlias

__all__ = ["PURE_TASKS", "PureTask", "collatz_steps", "digit_sum_power", "pools", "process_id", "run_to_end"]

PureTask: TypeAlias = Callable[[int], Generator[None, None, int]]


def collatz_steps(n: int) -> Generator[None, None, int]:
    """How many Collatz steps take ``n`` (at least 1) to 1; yields after each step."""
    steps = 0
    while n > 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
        yield
    return steps


def digit_sum_power(n: int) -> Generator[None, None, int]:
    """The sum of the decimal digits of ``2 ** n``; yields after each digit."""
    total = 0
    for digit in str(2**n):
        total += int(digit)
        yield
    return total


def process_id(n: int) -> Generator[None, None, int]:
    """Not a pure task: the id of the process it runs in (``n`` is ignored).

    Run one after another, interleaved or on threads it gives this
    process's id; on a process pool, a worker's.  The parallelism clause
    tells the two apart.
    """
    yield
    return os.getpid()


PURE_TASKS: tuple[PureTask, ...] = (collatz_steps, digit_sum_power)


def run_to_end(task: PureTask, arg: int) -> int:
    """Drive ``task(arg)`` to its end in a plain loop and return its result."""
    gen = task(arg)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            result: int = stop.value
            return result


@contextmanager
def pools(workers: int = 2) -> Iterator[tuple[Executor, Executor]]:
    """A thread pool and a process pool of ``workers`` each, shut down on exit.

    The process pool starts its workers with ``spawn``: a fresh interpreter
    each, the same on every platform, and no ``fork()`` of a process that may
    run threads.
    """
    with (
        ThreadPoolExecutor(workers) as threads,
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as processes,
    ):
        yield threads, processes
