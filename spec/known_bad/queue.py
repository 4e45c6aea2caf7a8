"""Queues that are each wrong in one way; see :mod:`spec.known_bad`.

Each class starts from a correct list-based queue and breaks one thing.
"""

from __future__ import annotations

import collections
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


class Deduplicating(_Queue):
    """Skips items it has seen, keeping them in a set: unhashable items raise."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[Any] = set()

    def push(self, item: Any) -> None:
        if item not in self.seen:
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
    KnownBad(f"{_M}:Deduplicating", "Q7", "push() hashes items, so unhashable ones raise TypeError"),
    KnownBad(f"{_M}:CountsPops", "Q7", "pop() hashes the item it returns, so unhashable ones raise TypeError"),
    KnownBad(f"{_M}:NeverReleasesItsLock", "Q7", "push() keeps its lock: the next call waits forever", timeout=0.25),
)
