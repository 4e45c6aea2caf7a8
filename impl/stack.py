"""LIFO stacks: on a list and on a deque.

Both follow the ``stack`` contract (``python -m spec list``): ``push(item)``
adds on top, ``pop()`` removes and returns the newest item, ``peek()`` returns
it without removing it, ``len(s)`` counts the items; ``pop()`` and ``peek()``
raise :class:`IndexError` on an empty stack and change nothing.

``push`` and ``pop`` are the container's own C methods bound to the instance
(see :class:`impl.queue.DequeQueue` for why).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["DequeStack", "ListStack"]

T = TypeVar("T")


class ListStack(Generic[T]):
    """A stack on a list: ``append`` in, ``pop`` out, the top at the end.

    Runtime complexity: every operation O(1) (``push`` amortised).
    """

    __slots__ = ("_items", "pop", "push")

    _items: list[T]
    push: Callable[[T], None]
    """Add an item on top.  Never raises."""
    pop: Callable[[], T]
    """Remove and return the newest item; :class:`IndexError` if empty."""

    def __init__(self) -> None:
        self._items = []
        self.push = self._items.append
        self.pop = self._items.pop

    def peek(self) -> T:
        """Return the newest item without removing it; :class:`IndexError` if empty."""
        if not self._items:
            raise IndexError("peek at an empty stack")
        return self._items[-1]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ListStack({self._items!r})"

    def _check(self) -> None:
        """Assert the representation invariant (for tests)."""
        assert type(self._items) is list
        assert self.push == self._items.append
        assert self.pop == self._items.pop


class DequeStack(Generic[T]):
    """A stack on a :class:`collections.deque`: ``append`` in, ``pop`` out.

    Runtime complexity: every operation O(1).
    """

    __slots__ = ("_items", "pop", "push")

    _items: deque[T]
    push: Callable[[T], None]
    """Add an item on top.  Never raises."""
    pop: Callable[[], T]
    """Remove and return the newest item; :class:`IndexError` if empty."""

    def __init__(self) -> None:
        self._items = deque()
        self.push = self._items.append
        self.pop = self._items.pop

    def peek(self) -> T:
        """Return the newest item without removing it; :class:`IndexError` if empty."""
        if not self._items:
            raise IndexError("peek at an empty stack")
        return self._items[-1]

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"DequeStack({list(self._items)!r})"

    def _check(self) -> None:
        """Assert the representation invariant (for tests)."""
        assert type(self._items) is deque
        assert self._items.maxlen is None
        assert self.push == self._items.append
        assert self.pop == self._items.pop
