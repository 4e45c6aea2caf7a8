"""Producer/consumer pipelines: items per second, as ratios to a bare append/pop loop.

Run ``python bench/bench_pipeline.py`` (10**6 items, 5 rounds) or with
``--quick`` for a smoke run of a few seconds.  Every variant moves the items
``0 .. n-1`` from an iterator to the same sink (``list.append``) through a
buffer of the stated size.  The variants run in turn within each round, so
that the machine's load falls on all of them alike; each is reported by its
fastest round, as a ratio to the fastest round of the bare loop (lower is
better) and as items per second.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator

from impl.pipeline import coordinator

Sink = Callable[[int], object]
Variant = Callable[[Iterator[int], Sink], None]


def bare_loop(items: Iterator[int], sink: Sink) -> None:
    """The baseline: append each item to a deque and pop it straight off again."""
    dq: deque[int] = deque(maxlen=10)
    append, popleft = dq.append, dq.popleft
    for item in items:
        append(item)
        sink(popleft())


def reference(maxlen: int) -> Variant:
    def run(items: Iterator[int], sink: Sink) -> None:
        coordinator(items, deque(maxlen=maxlen), sink)

    return run


def _seed_produce(dq: deque[int], items: Iterable[int]) -> Generator[None, None, None]:
    for i in items:
        dq.appendleft(i)
        if len(dq) == dq.maxlen:
            yield


def _seed_consume(dq: deque[int], sink: Sink) -> Generator[None, None, None]:
    while True:
        while len(dq) > 0:
            sink(dq.pop())
        yield


def seed_coordinator(items: Iterator[int], sink: Sink) -> None:
    """The seed's generators and coordinator (tests/seed_pipeline.py) without the prints."""
    dq: deque[int] = deque(maxlen=10)
    producer = _seed_produce(dq, items)
    consumer = _seed_consume(dq, sink)
    while True:
        try:
            next(producer)
        except StopIteration:
            break
        finally:
            next(consumer)


def _push_consumer(sink: Sink) -> Generator[None, int, None]:
    while True:
        sink((yield))


def push_pipeline(items: Iterator[int], sink: Sink) -> None:
    """The producer pushes each item into a consumer coroutine with ``send()``."""
    consumer = _push_consumer(sink)
    next(consumer)
    send = consumer.send
    for item in items:
        send(item)
    consumer.close()


_END = -1


def asyncio_queue(items: Iterator[int], sink: Sink) -> None:
    """Two asyncio tasks and an ``asyncio.Queue(maxsize=10)``."""

    async def produce(q: asyncio.Queue[int]) -> None:
        for item in items:
            await q.put(item)
        await q.put(_END)

    async def consume(q: asyncio.Queue[int]) -> None:
        while (item := await q.get()) != _END:
            sink(item)

    async def main() -> None:
        q: asyncio.Queue[int] = asyncio.Queue(maxsize=10)
        await asyncio.gather(produce(q), consume(q))

    asyncio.run(main())


def thread_queue(items: Iterator[int], sink: Sink) -> None:
    """Two threads and a ``queue.Queue(maxsize=10)``."""
    q: queue.Queue[int] = queue.Queue(maxsize=10)

    def produce() -> None:
        for item in items:
            q.put(item)
        q.put(_END)

    producer = threading.Thread(target=produce)
    producer.start()
    while (item := q.get()) != _END:
        sink(item)
    producer.join()


VARIANTS: list[tuple[str, Variant]] = [
    ("bare append/popleft loop", bare_loop),
    ("reference coordinator, maxlen 1", reference(1)),
    ("reference coordinator, maxlen 10", reference(10)),
    ("reference coordinator, maxlen 100", reference(100)),
    ("reference coordinator, maxlen 1000", reference(1000)),
    ("seed's coordinator, maxlen 10", seed_coordinator),
    ("send() push pipeline", push_pipeline),
    ("asyncio.Queue(maxsize=10), 2 tasks", asyncio_queue),
    ("queue.Queue(maxsize=10), 2 threads", thread_queue),
]


def _time(variant: Variant, n: int) -> float:
    received: list[int] = []
    gc.collect()
    started = time.perf_counter()
    variant(iter(range(n)), received.append)
    seconds = time.perf_counter() - started
    assert received == list(range(n)), "a variant lost or reordered items"
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 10**4 items, 2 rounds")
    parser.add_argument("--items", type=int, default=None, help="items per run (default 10**6)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5)")
    args = parser.parse_args()
    n = args.items or (10**4 if args.quick else 10**6)
    rounds = args.rounds or (2 if args.quick else 5)
    best = {name: float("inf") for name, _ in VARIANTS}
    for _ in range(rounds):
        for name, variant in VARIANTS:
            best[name] = min(best[name], _time(variant, n))
    base = best[VARIANTS[0][0]]
    width = max(len(name) for name, _ in VARIANTS)
    print(f"{n:,} items, best of {rounds} interleaved rounds")
    print(f"{'variant':<{width}}  {'ratio':>7}  {'items/s':>12}")
    for name, _ in VARIANTS:
        print(f"{name:<{width}}  {best[name] / base:>6.2f}x  {n / best[name]:>12,.0f}")


if __name__ == "__main__":
    main()
