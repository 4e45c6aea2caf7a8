"""Standard-library containers presented through the queue and stack protocol.

Each adapter is a zero-argument callable (the contract's target shape) that
wraps a fresh standard-library object, or the one passed in (kept as
``.wrapped``), and maps
``push``/``pop``/``peek``/``len`` onto it.  Blocking is never used: an empty
:mod:`queue` object maps :class:`queue.Empty` to :class:`IndexError`, as the
contracts require.

Every adapter is safe to share between threads, and the suite stresses each
one (``python -m spec stress``): the deque and list adapters make one call
per operation into a container whose calls are atomic; the :mod:`queue`
adapters hold the queue's own lock or one of their own.  An adapter given an
object it cannot serve refuses it at once with :class:`TypeError`, naming what
is missing, so that a check cannot run (exit status 2) rather than fail later
as if the object were to blame.

A library whose queue is not one of these needs no adapter at all: the
contract options (``--map``, ``--empty``, ``--without`` ...) check it as it is.

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
import threading
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


def _serves(adapter: str, wrapped: object, needs: str, *names: str) -> None:
    """Raise :class:`TypeError` unless ``wrapped`` has every attribute in ``names``."""
    missing = [name for name in names if not hasattr(wrapped, name)]
    if missing:
        raise TypeError(f"{adapter} needs {needs}; a {type(wrapped).__qualname__} has no {', '.join(missing)}")


class DequeAsQueue(Generic[T]):
    """A :class:`collections.deque` as a queue: ``append`` in, ``popleft`` out."""

    __slots__ = ("wrapped",)

    wrapped: deque[T]

    def __init__(self, d: deque[T] | None = None) -> None:
        if d is not None:
            _serves("DequeAsQueue", d, "a deque", "append", "popleft", "__getitem__", "__len__")
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
        if d is not None:
            _serves("DequeAsStack", d, "a deque", "append", "pop", "__getitem__", "__len__")
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
        if items is not None:
            _serves("ListAsStack", items, "a list", "append", "pop", "__getitem__", "__len__")
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
    So the object wrapped must have both, as :class:`queue.Queue` and its
    subclasses do; one without them (janus's or culsans's sync side) is
    refused when wrapped.
    """

    __slots__ = ("wrapped",)

    wrapped: queue.Queue[T]
    _peek_index: ClassVar[int]  # 0: the oldest item is next out; -1: the newest

    def __init__(self, q: queue.Queue[T]) -> None:
        needs = f"a queue.{type(self).__name__.partition('As')[0]} (put_nowait, get_nowait, qsize, .mutex, .queue)"
        _serves(type(self).__name__, q, needs, "put_nowait", "get_nowait", "qsize", "mutex", "queue")
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

    Discussion (threads): the look-ahead is state of the adapter's own, so
    ``peek``, ``pop`` and ``len`` hold the adapter's lock while they use it.
    Without it, two threads peeking at once could each move an item into the
    look-ahead (after which ``pop`` hands out the newer first), and two
    threads popping at once could both find the look-ahead non-empty (one
    then raises ``IndexError`` while the queue still holds items).  ``push``
    needs no lock: an item only ever moves into the look-ahead while it is
    empty, so the item there is always the oldest.
    """

    __slots__ = ("_ahead", "_lock", "wrapped")

    wrapped: queue.SimpleQueue[T]
    _ahead: list[T]
    _lock: threading.Lock

    def __init__(self, q: queue.SimpleQueue[T] | None = None) -> None:
        if q is not None:
            _serves(
                "SimpleQueueAsQueue", q, "a queue.SimpleQueue (put, get_nowait, qsize)", "put", "get_nowait", "qsize"
            )
        self.wrapped = queue.SimpleQueue() if q is None else q
        self._ahead = []
        self._lock = threading.Lock()

    def push(self, item: T) -> None:
        self.wrapped.put(item)

    def pop(self) -> T:
        with self._lock:
            return self._take()

    def _take(self) -> T:
        if self._ahead:
            return self._ahead.pop()
        try:
            return self.wrapped.get_nowait()
        except queue.Empty:
            raise IndexError("pop from an empty queue") from None

    def peek(self) -> T:
        with self._lock:
            if not self._ahead:
                self._ahead.append(self._take())
            return self._ahead[0]

    def __len__(self) -> int:
        with self._lock:
            return len(self._ahead) + self.wrapped.qsize()
