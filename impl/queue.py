"""FIFO queues: the seed's list-based queue and a deque-based one.

Both follow the ``queue`` contract (``python -m spec list``): ``push(item)``
adds at the back, ``pop()`` removes and returns the oldest item, ``peek()``
returns it without removing it, ``len(q)`` counts the items; ``pop()`` and
``peek()`` raise :class:`IndexError` on an empty queue and change nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["DequeQueue", "ListQueue"]

T = TypeVar("T")


class ListQueue(Generic[T]):
    """A queue on a list, newest item first: ``insert(0, item)`` in, ``pop()`` out.

    This is the seed's queue, kept to show why :class:`collections.deque`
    exists: inserting at the front of a list moves every item.

    Runtime complexity: ``push`` O(n); ``pop``, ``peek``, ``len`` O(1).
    """

    __slots__ = ("_items",)

    _items: list[T]

    def __init__(self) -> None:
        self._items = []

    def push(self, item: T) -> None:
        """Add ``item`` at the back.  Never raises."""
        self._items.insert(0, item)

    def pop(self) -> T:
        """Remove and return the oldest item; :class:`IndexError` if empty."""
        if not self._items:
            raise IndexError("pop from an empty queue")
        return self._items.pop()

    def peek(self) -> T:
        """Return the oldest item without removing it; :class:`IndexError` if empty."""
        if not self._items:
            raise IndexError("peek at an empty queue")
        return self._items[-1]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ListQueue({self._items[::-1]!r})"

    def _check(self) -> None:
        """Assert the representation invariant (for tests)."""
        assert type(self._items) is list


class DequeQueue(Generic[T]):
    """A queue on a :class:`collections.deque`: ``append`` in, ``popleft`` out.

    ``push`` and ``pop`` *are* the deque's own C methods, bound to the instance
    when it is made, so a call costs what a call on the deque costs, without a
    Python frame; yet the deque itself stays private and none of its other
    methods leak into the queue's API.  ``pop()`` on an empty queue raises the
    deque's :class:`IndexError`.

    Runtime complexity: every operation O(1).
    """

    __slots__ = ("_items", "pop", "push")

    _items: deque[T]
    push: Callable[[T], None]
    """Add an item at the back.  Never raises."""
    pop: Callable[[], T]
    """Remove and return the oldest item; :class:`IndexError` if empty."""

    def __init__(self) -> None:
        self._items = deque()
        self.push = self._items.append
        self.pop = self._items.popleft

    def peek(self) -> T:
        """Return the oldest item without removing it; :class:`IndexError` if empty."""
        if not self._items:
            raise IndexError("peek at an empty queue")
        return self._items[0]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"DequeQueue({list(self._items)!r})"

    def _check(self) -> None:
        """Assert the representation invariant (for tests)."""
        assert type(self._items) is deque
        assert self._items.maxlen is None
        assert self.push == self._items.append
        assert self.pop == self._items.popleft
