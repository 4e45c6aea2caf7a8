"""Stacks that are each wrong in one way; see :mod:`spec.known_bad`.

Each class starts from a correct list-based stack and breaks one thing.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any, ClassVar

from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]


class _Stack:
    """A correct stack, top at the end; the classes below break it."""

    items: list[Any]

    def __init__(self) -> None:
        self.items = []

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        if not self.items:
            raise IndexError("pop from an empty stack")
        return self.items.pop()

    def peek(self) -> Any:
        if not self.items:
            raise IndexError("peek at an empty stack")
        return self.items[-1]

    def __len__(self) -> int:
        return len(self.items)


class FifoStack(_Stack):
    def pop(self) -> Any:
        return self.items.pop(0)

    def peek(self) -> Any:
        return self.items[0]


class PeekAtBottom(_Stack):
    def peek(self) -> Any:
        return self.items[0]


class PopLeavesItem(_Stack):
    """``pop`` returns the top but forgets to remove it."""

    def pop(self) -> Any:
        return self.peek()


class LenOffByOne(_Stack):
    def __len__(self) -> int:
        return max(len(self.items) - 1, 0)


class PeekOnEmptyReturnsNone(_Stack):
    def peek(self) -> Any:
        return self.items[-1] if self.items else None


class CopiesItems(_Stack):
    def pop(self) -> Any:
        return copy.copy(super().pop())


class SharedDefault(_Stack):
    """The mutable-default-argument trap: every instance gets the same list."""

    def __init__(self, items: list[Any] = []) -> None:  # noqa: B006 - the bug on show
        self.items = items


class ValueErrorWhenEmpty(_Stack):
    def pop(self) -> Any:
        try:
            return super().pop()
        except IndexError:
            raise ValueError("stack is empty") from None


class Unhashable(_Stack):
    """Counts items in a dict: unhashable items raise TypeError."""

    counts: ClassVar[dict[Any, int]] = {}

    def push(self, item: Any) -> None:
        self.counts[item] = self.counts.get(item, 0) + 1
        super().push(item)


# -- values: identity, equality, sentinels -------------------------------------


class InternsItems(_Stack):
    """Stores one object per distinct hashable value, "to save memory": 1 and True become one, as do equal big ints."""

    def __init__(self) -> None:
        super().__init__()
        self.pool: dict[Any, Any] = {}

    def push(self, item: Any) -> None:
        with contextlib.suppress(TypeError):  # unhashable items are stored as they are
            item = self.pool.setdefault(item, item)
        super().push(item)


# -- sizes: growth points and bounds ------------------------------------------


class RefusesBeyond100(_Stack):
    """Has room for 100 items and ignores pushes beyond that."""

    def push(self, item: Any) -> None:
        if len(self.items) < 100:
            super().push(item)


# -- independence -------------------------------------------


class SharedTopCache(_Stack):
    """Caches the top for peek(), correctly, but in a class attribute, meant to be one per stack."""

    shared_cache: ClassVar[list[Any]] = []

    def __init__(self) -> None:
        super().__init__()
        self.cached = self.shared_cache

    def peek(self) -> Any:
        if not self.cached:
            self.cached.append(super().peek())
        return self.cached[0]

    def push(self, item: Any) -> None:
        self.cached.clear()
        super().push(item)

    def pop(self) -> Any:
        self.cached.clear()
        return super().pop()


class PeekCacheBySize(_Stack):
    """Caches peek()'s answer under the size it was read at, cleared by every push and pop, in a class attribute.

    Only a peek at another stack of the same size, with no push or pop in
    between, reads the wrong entry.
    """

    cache: ClassVar[dict[int, Any]] = {}

    def peek(self) -> Any:
        size = len(self.items)
        if size not in self.cache:
            self.cache[size] = super().peek()
        return self.cache[size]

    def push(self, item: Any) -> None:
        self.cache.clear()
        super().push(item)

    def pop(self) -> Any:
        self.cache.clear()
        return super().pop()


_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:FifoStack", "S1", "pops the oldest item (a queue)"),
    KnownBad(f"{_M}:PeekAtBottom", "S2", "peek() looks at the bottom while pop() takes the top"),
    KnownBad(f"{_M}:PopLeavesItem", "S3", "pop() returns the top without removing it"),
    KnownBad(f"{_M}:LenOffByOne", "S3", "len() counts one item too few"),
    KnownBad(f"{_M}:PeekOnEmptyReturnsNone", "S4", "peek() on an empty stack returns None"),
    KnownBad(f"{_M}:CopiesItems", "S5", "pop() returns a shallow copy of the item"),
    KnownBad(f"{_M}:SharedDefault", "S6", "a mutable default argument shares one list between instances"),
    KnownBad(f"{_M}:ValueErrorWhenEmpty", "S7", "pop() on an empty stack raises ValueError"),
    KnownBad(f"{_M}:Unhashable", "S7", "push() hashes items, so unhashable ones raise TypeError"),
    KnownBad(f"{_M}:InternsItems", "S5", "keeps one object per equal hashable value: True comes back as 1"),
    KnownBad(f"{_M}:RefusesBeyond100", "S3", "ignores pushes beyond 100 items"),
    KnownBad(f"{_M}:SharedTopCache", "S6", "the peek() cache is a class attribute"),
    KnownBad(f"{_M}:PeekCacheBySize", "S6", "a class-level peek() cache keyed by size: another stack as tall reads it"),
)
