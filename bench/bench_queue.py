"""Per-operation cost of the reference queues against raw ``collections.deque``.

Each run pushes n items, then pops them all; the cost per operation is the
time divided by 2n.  Every variant runs at every size in the same process,
interleaved, several times; the table shows the fastest repetition of each,
as a ratio to raw ``deque.append``/``deque.popleft`` (lower is better).

    python bench/bench_queue.py            # 10^3 .. 10^6 items
    python bench/bench_queue.py --quick    # a smoke run, in seconds

Variants besides the references, to show the trade-off the deque queue makes:
``wrapper`` has ``push``/``pop`` written in Python over a private deque;
``subclass`` is a deque subclass with ``push = deque.append``, fast but
leaking every deque method into the queue's API.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from impl.queue import DequeQueue, ListQueue


class WrapperQueue:
    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: deque[Any] = deque()

    def push(self, item: Any) -> None:
        self._items.append(item)

    def pop(self) -> Any:
        return self._items.popleft()


class SubclassQueue(deque[Any]):
    push = deque.append
    pop = deque.popleft


def raw(n: int) -> float:
    d: deque[int] = deque()
    start = time.perf_counter()
    for i in range(n):
        d.append(i)
    for _ in range(n):
        d.popleft()
    return time.perf_counter() - start


def through(factory: Callable[[], Any]) -> Callable[[int], float]:
    def run(n: int) -> float:
        q = factory()
        start = time.perf_counter()
        for i in range(n):
            q.push(i)
        for _ in range(n):
            q.pop()
        return time.perf_counter() - start

    return run


VARIANTS: dict[str, Callable[[int], float]] = {
    "raw deque": raw,
    "DequeQueue": through(DequeQueue),
    "wrapper": through(WrapperQueue),
    "subclass": through(SubclassQueue),
    "ListQueue": through(ListQueue),
}

# insert(0) moves every item: beyond this size the list queue takes minutes.
LIST_QUEUE_LIMIT = 10**5


def measure(sizes: list[int], repeats: int) -> dict[tuple[str, int], float]:
    """Fastest seconds per operation of each variant at each size."""
    best: dict[tuple[str, int], float] = {}
    for n in sizes:
        for _ in range(repeats):
            for name, run in VARIANTS.items():
                if name == "ListQueue" and n > LIST_QUEUE_LIMIT:
                    continue
                gc.collect()
                per_op = run(n) / (2 * n)
                best[name, n] = min(per_op, best.get((name, n), float("inf")))
    return best


def table(sizes: list[int], best: dict[tuple[str, int], float]) -> str:
    names = list(VARIANTS)
    lines = ["| variant | " + " | ".join(f"n = 10^{len(str(n)) - 1}" for n in sizes) + " |"]
    lines.append("|---|" + "---|" * len(sizes))
    for name in names:
        cells = []
        for n in sizes:
            if (name, n) not in best:
                cells.append("(skipped: O(n²))")
                continue
            ratio = best[name, n] / best["raw deque", n]
            cells.append(f"{best[name, n] * 1e9:.0f} ns ({ratio:.2f}×)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args(argv)
    sizes = [10**3, 10**4] if args.quick else [10**3, 10**4, 10**5, 10**6]
    repeats = 2 if args.quick else 7
    best = measure(sizes, repeats)
    print(f"Python {sys.version.split()[0]}: cost per operation (push n, then pop n),")
    print(f"fastest of {repeats} interleaved runs; ratio to raw deque")
    print(table(sizes, best))


if __name__ == "__main__":
    main()
