"""Queues and stacks for the stress oracle: racy ones it must catch, locked ones it must pass.

Each racy class is correct when used by one caller at a time (it passes the
sequential queue or stack contract) but races when shared.  The first ones
check, then act, without a lock:
its ``pop`` reads the item at the end, lets other threads or tasks run
(``time.sleep(0)`` releases the GIL; ``await asyncio.sleep(0)`` yields to the
event loop), then deletes the item at the end -- which, if another ``pop``
ran in between, is another item.  Two pops can then return the same item
and lose one.  The locked classes take a lock around every operation.
:class:`RacySizeQueue` keeps its items safe and its size counter not;
:class:`LostPushQueue` loses an item that no client of the run looks for,
which only the drain after the run finds.  Queues shared by processes are
in :mod:`spec.known_bad.stress_processes`.

``CATALOGUE`` lists what the stress oracle must answer for each: every
entry is checked by ``tests/test_stress.py``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from spec._core.options import Options
from spec.known_bad.stress_processes import MP_QUEUE

__all__ = ["CATALOGUE", "StressCase"]


@dataclass(frozen=True)
class StressCase:
    """One target and what the stress oracle must say about it.

    ``kind`` is ``"queue"`` or ``"stack"``; ``mode`` is ``"threads"``,
    ``"asyncio"`` or ``"processes"``; ``verdict`` is ``"holds"``, ``"not
    linearizable"``, ``"hangs"`` or ``"raises"``; ``options`` are the
    contract options that say how to call the target.
    """

    kind: str
    target: str
    mode: str
    verdict: str
    why: str
    options: Options = field(default_factory=Options)


class _Items:
    """A list of items and which end ``pop`` takes from (0: oldest, a queue; -1: newest, a stack)."""

    end: ClassVar[int] = 0
    items: list[Any]

    def __init__(self) -> None:
        self.items = []

    def __len__(self) -> int:
        return len(self.items)


class RacyQueue(_Items):
    """Checks, then acts: ``pop`` reads the oldest item, yields the GIL, then deletes the oldest item."""

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        if not self.items:
            raise IndexError("pop from an empty queue")
        item = self.items[self.end]
        time.sleep(0)  # another thread may pop here
        del self.items[self.end]
        return item

    def peek(self) -> Any:
        if not self.items:
            raise IndexError("peek at an empty queue")
        return self.items[self.end]


class RacyStack(RacyQueue):
    """:class:`RacyQueue` with the other discipline: ``pop`` takes the newest item."""

    end = -1


class LockedQueue(_Items):
    """A list-based queue with one lock around every operation."""

    lock: threading.Lock

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def push(self, item: Any) -> None:
        with self.lock:
            self.items.append(item)

    def pop(self) -> Any:
        with self.lock:
            if not self.items:
                raise IndexError("pop from an empty queue")
            item = self.items[self.end]
            time.sleep(0)  # as racy as RacyQueue, but no other pop can run here
            del self.items[self.end]
            return item

    def peek(self) -> Any:
        with self.lock:
            if not self.items:
                raise IndexError("peek at an empty queue")
            return self.items[self.end]


class LockedStack(LockedQueue):
    """:class:`LockedQueue` with the other discipline."""

    end = -1


class AsyncRacyQueue(_Items):
    """:class:`RacyQueue` for asyncio: ``pop`` awaits between reading and deleting."""

    async def push(self, item: Any) -> None:
        self.items.append(item)

    async def pop(self) -> Any:
        if not self.items:
            raise IndexError("pop from an empty queue")
        item = self.items[self.end]
        await asyncio.sleep(0)  # another task may pop here
        del self.items[self.end]
        return item

    async def peek(self) -> Any:
        if not self.items:
            raise IndexError("peek at an empty queue")
        return self.items[self.end]


class AsyncRacyStack(AsyncRacyQueue):
    """:class:`AsyncRacyQueue` with the other discipline."""

    end = -1


class AsyncLockedQueue(_Items):
    """An asyncio queue with an :class:`asyncio.Lock` around every operation."""

    lock: asyncio.Lock

    def __init__(self) -> None:
        super().__init__()
        self.lock = asyncio.Lock()

    async def push(self, item: Any) -> None:
        async with self.lock:
            await asyncio.sleep(0)
            self.items.append(item)

    async def pop(self) -> Any:
        async with self.lock:
            if not self.items:
                raise IndexError("pop from an empty queue")
            item = self.items[self.end]
            await asyncio.sleep(0)  # other tasks run, but wait for the lock
            del self.items[self.end]
            return item

    async def peek(self) -> Any:
        async with self.lock:
            if not self.items:
                raise IndexError("peek at an empty queue")
            return self.items[self.end]


class HangingPopQueue(LockedQueue):
    """``pop`` on an empty queue waits forever (for an event nobody sets) instead of raising."""

    def pop(self) -> Any:
        if not self.items:
            threading.Event().wait()
        return super().pop()


class AsyncHangingPopQueue(AsyncLockedQueue):
    """``pop`` on an empty queue awaits an event that never comes."""

    async def pop(self) -> Any:
        if not self.items:
            await asyncio.Event().wait()
        return await super().pop()


class RacySizeQueue(LockedQueue):
    """Its items are safe under the lock; its size is a counter updated after it, without one.

    ``len()`` returns the counter (never below zero).  Two updates at once
    can count one (read, yield, write back): the items stay right and the
    size drifts.
    """

    count: int

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def push(self, item: Any) -> None:
        super().push(item)
        self._add(+1)

    def pop(self) -> Any:
        item = super().pop()
        self._add(-1)
        return item

    def _add(self, n: int) -> None:
        count = self.count
        time.sleep(0)  # another thread may update the count here
        self.count = count + n

    def __len__(self) -> int:
        return max(self.count, 0)


class LostPushQueue(_Items):
    """Pops are locked among themselves, but a pop writes back a copy taken before a push it overlaps.

    ``pop`` takes the rest of the list, yields, then stores that rest: an
    item pushed meanwhile is gone.  Both calls return as they should; in
    the smallest scenario that loses an item no client looks again, and
    only the drain after the run finds it missing.
    """

    lock: threading.Lock

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        with self.lock:
            if not self.items:
                raise IndexError("pop from an empty queue")
            item, rest = self.items[0], self.items[1:]
            time.sleep(0)  # a push may append here, to the list about to be replaced
            self.items = rest
            return item

    def peek(self) -> Any:
        if not self.items:
            raise IndexError("peek at an empty queue")
        return self.items[0]


class ValueErrorQueue(LockedQueue):
    """``pop`` on an empty queue raises :class:`ValueError` instead of :class:`IndexError`."""

    def pop(self) -> Any:
        if not self.items:
            raise ValueError("nothing to pop")
        return super().pop()


CATALOGUE = (
    StressCase("queue", "spec.known_bad.stress:RacyQueue", "threads", "not linearizable", "pop checks then acts"),
    StressCase("stack", "spec.known_bad.stress:RacyStack", "threads", "not linearizable", "pop checks then acts"),
    StressCase("queue", "spec.known_bad.stress:LockedQueue", "threads", "holds", "a lock around everything"),
    StressCase("stack", "spec.known_bad.stress:LockedStack", "threads", "holds", "a lock around everything"),
    StressCase("queue", "spec.adapters:QueueAsQueue", "threads", "holds", "queue.Queue is thread-safe"),
    StressCase("stack", "spec.adapters:LifoQueueAsStack", "threads", "holds", "queue.LifoQueue is thread-safe"),
    StressCase("queue", "spec.known_bad.stress:AsyncRacyQueue", "asyncio", "not linearizable", "awaits mid-pop"),
    StressCase("stack", "spec.known_bad.stress:AsyncRacyStack", "asyncio", "not linearizable", "awaits mid-pop"),
    StressCase("queue", "spec.known_bad.stress:AsyncLockedQueue", "asyncio", "holds", "an asyncio.Lock"),
    StressCase("queue", "spec.known_bad.stress:HangingPopQueue", "threads", "hangs", "pop waits when empty"),
    StressCase("queue", "spec.known_bad.stress:AsyncHangingPopQueue", "asyncio", "hangs", "pop waits when empty"),
    StressCase("queue", "spec.known_bad.stress:ValueErrorQueue", "threads", "raises", "the wrong exception"),
    StressCase("queue", "spec.known_bad.stress:RacySizeQueue", "threads", "not linearizable", "a racy size counter"),
    StressCase("queue", "spec.known_bad.stress:LostPushQueue", "threads", "not linearizable", "a pop loses a push"),
    StressCase("queue", "spec.known_bad.stress_processes:SQLiteQueue", "threads", "holds", "one transaction a call"),
    StressCase("queue", "spec.known_bad.stress_processes:SQLiteQueue", "processes", "holds", "one transaction a call"),
    StressCase("queue", "spec.known_bad.stress_processes:LockedFileQueue", "processes", "holds", "flock"),
    StressCase("queue", "spec.known_bad.stress_processes:FileQueue", "processes", "not linearizable", "no file lock"),
    StressCase(
        "queue",
        "spec.known_bad.stress_processes:spawned_queue",
        "processes",
        "not linearizable",
        "multiprocessing.Queue's documented feeder-thread delay",
        MP_QUEUE,
    ),
)
