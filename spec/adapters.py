"""Standard-library containers presented through the queue and stack protocol.

Each adapter is a zero-argument callable (the contract's target shape) that
wraps a fresh standard-library object, or the one passed in (kept as
``.wrapped``), and maps
``push``/``pop``/``peek``/``len`` onto it.  Blocking is never used: an empty
:mod:`queue` object maps :class:`queue.Empty` to :class:`IndexError`, as the
contracts require.

=====================  ========  ==================  ===================
adapter                contract  push / pop          peek
=====================  ========  ==================  ===================
``DequeAsQueue``       queue     append / popleft    ``d[0]``
``DequeAsStack``       stack     append / pop        ``d[-1]``
``ListAsStack``        stack     append / pop        ``l[-1]``
``QueueAsQueue``       queue     put_nowait / get    ``q.queue[0]``
``SimpleQueueAsQueue`` queue     put / get_nowait    one-item look-ahead
``LifoQueueAsStack``   stack     put_nowait / get    ``q.queue[-1]``
=====================  ========  ==================  ===================
"""

from __future__ import annotations

import queue
from collections import deque
from typing import ClassVar, Generic, TypeVar

__all__ = [
    "DequeAsQueue",
    "DequeAsStack",
    "LifoQueueAsStack",
    "ListAsStack",
    "QueueAsQueue",
    "SimpleQueueAsQueue",
]

T = TypeVar("T")


class DequeAsQueue(Generic[T]):
    """A :class:`collections.deque` as a queue: ``append`` in, ``popleft`` out."""

    __slots__ = ("wrapped",)

    wrapped: deque[T]

    def __init__(self, d: deque[T] | None = None) -> None:
        self.wrapped = deque() if d is None else d

    def push(self, item: T) -> None:
        self.wrapped.append(item)

    def pop(self) -> T:
        return self.wrapped.popleft()

    def peek(self) -> T:
        return self.wrapped[0]

    def __len__(self) -> int:
        return len(self.wrapped)


class DequeAsStack(Generic[T]):
    """A :class:`collections.deque` as a stack: ``append`` in, ``pop`` out."""

    __slots__ = ("wrapped",)

    wrapped: deque[T]

    def __init__(self, d: deque[T] | None = None) -> None:
        self.wrapped = deque() if d is None else d

    def push(self, item: T) -> None:
        self.wrapped.append(item)

    def pop(self) -> T:
        return self.wrapped.pop()

    def peek(self) -> T:
        return self.wrapped[-1]

    def __len__(self) -> int:
        return len(self.wrapped)


class ListAsStack(Generic[T]):
    """A :class:`list` as a stack: ``append`` in, ``pop`` out."""

    __slots__ = ("wrapped",)

    wrapped: list[T]

    def __init__(self, items: list[T] | None = None) -> None:
        self.wrapped = [] if items is None else items

    def push(self, item: T) -> None:
        self.wrapped.append(item)

    def pop(self) -> T:
        return self.wrapped.pop()

    def peek(self) -> T:
        return self.wrapped[-1]

    def __len__(self) -> int:
        return len(self.wrapped)


class _StdQueue(Generic[T]):
    """Shared part of the :class:`queue.Queue` and :class:`queue.LifoQueue` adapters.

    ``peek`` reads the queue's underlying sequence (``.queue``) under its
    mutex: the standard library offers no other way to look without taking.
    """

    __slots__ = ("wrapped",)

    wrapped: queue.Queue[T]
    _peek_index: ClassVar[int]  # 0: the oldest item is next out; -1: the newest

    def __init__(self, q: queue.Queue[T]) -> None:
        self.wrapped = q

    def push(self, item: T) -> None:
        self.wrapped.put_nowait(item)

    def pop(self) -> T:
        try:
            return self.wrapped.get_nowait()
        except queue.Empty:
            raise IndexError("pop from an empty queue") from None

    def peek(self) -> T:
        with self.wrapped.mutex:
            if not self.wrapped.queue:
                raise IndexError("peek at an empty queue")
            item: T = self.wrapped.queue[self._peek_index]
            return item

    def __len__(self) -> int:
        return self.wrapped.qsize()


class QueueAsQueue(_StdQueue[T]):
    """A :class:`queue.Queue` as a queue, without blocking."""

    __slots__ = ()
    _peek_index = 0

    def __init__(self, q: queue.Queue[T] | None = None) -> None:
        super().__init__(queue.Queue() if q is None else q)


class LifoQueueAsStack(_StdQueue[T]):
    """A :class:`queue.LifoQueue` as a stack, without blocking."""

    __slots__ = ()
    _peek_index = -1

    def __init__(self, q: queue.LifoQueue[T] | None = None) -> None:
        super().__init__(queue.LifoQueue() if q is None else q)


class SimpleQueueAsQueue(Generic[T]):
    """A :class:`queue.SimpleQueue` as a queue, without blocking.

    ``SimpleQueue`` cannot be looked into, so ``peek`` takes the oldest item
    out and keeps it in a one-item look-ahead, which ``pop`` hands out first;
    ``len`` counts it.
    """

    __slots__ = ("_ahead", "wrapped")

    wrapped: queue.SimpleQueue[T]
    _ahead: list[T]

    def __init__(self, q: queue.SimpleQueue[T] | None = None) -> None:
        self.wrapped = queue.SimpleQueue() if q is None else q
        self._ahead = []

    def push(self, item: T) -> None:
        self.wrapped.put(item)

    def pop(self) -> T:
        if self._ahead:
            return self._ahead.pop()
        try:
            return self.wrapped.get_nowait()
        except queue.Empty:
            raise IndexError("pop from an empty queue") from None

    def peek(self) -> T:
        if not self._ahead:
            self._ahead.append(self.pop())
        return self._ahead[0]

    def __len__(self) -> int:
        return len(self._ahead) + self.wrapped.qsize()
