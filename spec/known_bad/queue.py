"""Queues that are each wrong in one way; see :mod:`spec.known_bad`.

Each class starts from a correct list-based queue and breaks one thing.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import threading
from typing import Any, ClassVar

from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]


class _Queue:
    """A correct queue, oldest item first; the classes below break it."""

    items: list[Any]

    def __init__(self) -> None:
        self.items = []

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        if not self.items:
            raise IndexError("pop from an empty queue")
        return self.items.pop(0)

    def peek(self) -> Any:
        if not self.items:
            raise IndexError("peek at an empty queue")
        return self.items[0]

    def __len__(self) -> int:
        return len(self.items)


class LifoQueue(_Queue):
    def pop(self) -> Any:
        return self.items.pop()

    def peek(self) -> Any:
        return self.items[-1]


class PeekAtNewest(_Queue):
    def peek(self) -> Any:
        return self.items[-1]


class PeekRemoves(_Queue):
    def peek(self) -> Any:
        return self.pop()


class LenOffByOne(_Queue):
    def __len__(self) -> int:
        return len(self.items) + 1


class AlwaysTruthy(_Queue):
    def __bool__(self) -> bool:
        return True


class PopEmptyReturnsNone(_Queue):
    def pop(self) -> Any:
        return self.items.pop(0) if self.items else None


class NoneMeansEmpty(_Queue):
    """Takes a None at the front for 'nothing there'."""

    def pop(self) -> Any:
        if not self.items or self.items[0] is None:
            raise IndexError("pop from an empty queue")
        return self.items.pop(0)


class ForgetsToReturn(_Queue):
    def pop(self) -> Any:
        self.items.pop(0)


class CopiesItems(_Queue):
    def push(self, item: Any) -> None:
        self.items.append(copy.deepcopy(item))


class SharedList(_Queue):
    shared: ClassVar[list[Any]] = []

    def __init__(self) -> None:
        self.items = SharedList.shared


class TracksItemsInASet(_Queue):
    """Keeps a set of the items held, for a fast ``in``: unhashable items raise."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[Any] = set()

    def push(self, item: Any) -> None:
        self.seen.add(item)
        self.items.append(item)


class CountsPops(_Queue):
    """Counts popped items in a Counter: popping an unhashable item raises TypeError."""

    def __init__(self) -> None:
        super().__init__()
        self.popped: collections.Counter[Any] = collections.Counter()

    def pop(self) -> Any:
        item = super().pop()
        self.popped[item] += 1
        return item


class NeverReleasesItsLock(_Queue):
    """Takes a lock in ``push`` and forgets to release it: the next call waits forever."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def push(self, item: Any) -> None:
        self.lock.acquire()
        super().push(item)

    def pop(self) -> Any:
        with self.lock:
            return super().pop()


# -- values: identity, equality, sentinels -------------------------------------


class CopiesMappings(_Queue):
    """Copies dicts and sets on the way in, "so that the caller cannot change them"."""

    def push(self, item: Any) -> None:
        super().push(item.copy() if isinstance(item, dict | set) else item)


class DeepCopiesTuples(_Queue):
    """Deep-copies tuples on the way in, "since a tuple may hold mutable parts": one of atoms comes back as itself."""

    def push(self, item: Any) -> None:
        super().push(copy.deepcopy(item) if isinstance(item, tuple) else item)


class InternsItems(_Queue):
    """Stores one object per distinct hashable value, "to save memory": 1 and True become one, as do equal big ints."""

    def __init__(self) -> None:
        super().__init__()
        self.pool: dict[Any, Any] = {}

    def push(self, item: Any) -> None:
        with contextlib.suppress(TypeError):  # unhashable items are stored as they are
            item = self.pool.setdefault(item, item)
        super().push(item)


# -- sizes: growth points, compaction, bounds ---------------------------


class RingBuffer(_Queue):
    """A ring buffer of 64 slots that doubles when full, copying the slots in storage order, not from the head."""

    def __init__(self) -> None:
        self.slots: list[Any] = [None] * 64
        self.head = 0
        self.size = 0

    def push(self, item: Any) -> None:
        if self.size == len(self.slots):
            self.slots = self.slots + [None] * len(self.slots)  # the bug: ignores where the head is
        self.slots[(self.head + self.size) % len(self.slots)] = item
        self.size += 1

    def pop(self) -> Any:
        item = self.peek()
        self.slots[self.head] = None
        self.head = (self.head + 1) % len(self.slots)
        self.size -= 1
        return item

    def peek(self) -> Any:
        if not self.size:
            raise IndexError("peek at an empty queue")
        return self.slots[self.head]

    def __len__(self) -> int:
        return self.size


class CompactsEvery100(_Queue):
    """Pops by moving a head index, and every 100 pops drops the popped prefix, one item too many."""

    def __init__(self) -> None:
        super().__init__()
        self.head = 0

    def pop(self) -> Any:
        item = self.peek()
        self.head += 1
        if self.head == 100:
            self.items = self.items[self.head + 1 :]  # the bug: + 1
            self.head = 0
        return item

    def peek(self) -> Any:
        if self.head >= len(self.items):
            raise IndexError("peek at an empty queue")
        return self.items[self.head]

    def __len__(self) -> int:
        return len(self.items) - self.head


class DropsBeyond64(_Queue):
    """A deque with maxlen=64 "to bound memory": a 65th item silently pushes out the oldest."""

    def __init__(self) -> None:
        self.deque: collections.deque[Any] = collections.deque(maxlen=64)

    def push(self, item: Any) -> None:
        self.deque.append(item)

    def pop(self) -> Any:
        if not self.deque:
            raise IndexError("pop from an empty queue")
        return self.deque.popleft()

    def peek(self) -> Any:
        if not self.deque:
            raise IndexError("peek at an empty queue")
        return self.deque[0]

    def __len__(self) -> int:
        return len(self.deque)


# -- independence -----------------------------------------------------------------


class SharedPeekCache(_Queue):
    """Caches the front item for peek() in a class attribute, meant to be one per queue."""

    cache: ClassVar[list[Any]] = []

    def peek(self) -> Any:
        if not self.cache:
            self.cache.append(super().peek())
        return self.cache[0]

    def pop(self) -> Any:
        self.cache.clear()
        return super().pop()


_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:LifoQueue", "Q1", "pops the newest item (a stack)"),
    KnownBad(f"{_M}:ForgetsToReturn", "Q1", "pop() removes the oldest item but returns None"),
    KnownBad(f"{_M}:PeekAtNewest", "Q2", "peek() looks at the newest item while pop() takes the oldest"),
    KnownBad(f"{_M}:PeekRemoves", "Q2", "peek() removes the item it returns"),
    KnownBad(f"{_M}:LenOffByOne", "Q3", "len() counts one item too many"),
    KnownBad(f"{_M}:AlwaysTruthy", "Q3", "an empty queue is truthy"),
    KnownBad(f"{_M}:PopEmptyReturnsNone", "Q4", "pop() on an empty queue returns None"),
    KnownBad(f"{_M}:NoneMeansEmpty", "Q4", "pop() takes a None item at the front for 'empty'"),
    KnownBad(f"{_M}:CopiesItems", "Q5", "stores a deep copy of each item"),
    KnownBad(f"{_M}:SharedList", "Q6", "every instance shares one class-level list"),
    KnownBad(f"{_M}:TracksItemsInASet", "Q7", "push() hashes items, so unhashable ones raise TypeError"),
    KnownBad(f"{_M}:CountsPops", "Q7", "pop() hashes the item it returns, so unhashable ones raise TypeError"),
    KnownBad(f"{_M}:NeverReleasesItsLock", "Q7", "push() keeps its lock: the next call waits forever", timeout=0.25),
    KnownBad(f"{_M}:CopiesMappings", "Q5", "copies dicts and sets on the way in"),
    KnownBad(
        f"{_M}:DeepCopiesTuples", "Q5", "deep-copies tuples on the way in: one that holds a list comes back a copy"
    ),
    KnownBad(f"{_M}:InternsItems", "Q5", "keeps one object per equal hashable value: True comes back as 1"),
    KnownBad(f"{_M}:RingBuffer", "Q1", "a ring buffer of 64 that grows without unwrapping from the head"),
    KnownBad(f"{_M}:CompactsEvery100", "Q3", "every 100 pops drops the popped prefix and one item more"),
    KnownBad(f"{_M}:DropsBeyond64", "Q3", "a deque with maxlen=64: the 65th push drops the oldest"),
    KnownBad(f"{_M}:SharedPeekCache", "Q6", "the peek() cache is a class attribute"),
)
