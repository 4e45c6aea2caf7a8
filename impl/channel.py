"""A bounded channel for tasks on a :class:`~impl.scheduler.Scheduler`.

Tasks hand items to each other through a channel, driving its operations with
``yield from``: a producer waits while the channel is full, a consumer while
it is empty, and closing the channel ends the consumers once it is drained::

    >>> from impl.channel import Channel, ChannelClosed
    >>> from impl.scheduler import Scheduler
    >>> s, ch, got = Scheduler(), Channel(2), []
    >>> def producer():
    ...     for item in range(5):
    ...         yield from ch.put(item)      # waits while 2 items are held
    ...     ch.close()
    >>> def consumer():
    ...     while True:
    ...         try:
    ...             item = yield from ch.get()   # waits while empty
    ...         except ChannelClosed:            # closed and drained
    ...             return
    ...         got.append(item)
    >>> _ = s.spawn(producer()), s.spawn(consumer())
    >>> s.run()
    >>> got
    [0, 1, 2, 3, 4]

The ``channel`` contract's target shape is a zero-argument callable returning
``(scheduler, make_channel)``; :func:`scheduler_and_channels` is the reference.

Discussion (why ``yield from`` and not ``yield``): ``put`` and ``get`` are
generators, so a task runs them as subroutines and the kernel never sees them
unless they have to wait, when they yield a :class:`~impl.scheduler.WaitQueue`
request.  An item handed over without waiting costs two generator calls and
no task switch.  The other style (``yield ch.put(x)``, the kernel performing
the operation) would send every operation through the kernel.

Discussion (what "holds" means): an item is in the channel from the moment
its ``put`` returns until the moment its ``get`` returns, and at no moment
are there more than ``capacity`` such items.  So a woken consumer is not
handed an item: it takes one when it runs (re-checking, as every waiter
does), and a slot freed by ``get`` is not promised to a woken producer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import Generic, TypeVar

from impl._sched_core import Request
from impl._sched_wait import WaitQueue
from impl.scheduler import Scheduler

__all__ = ["Channel", "ChannelClosed", "scheduler_and_channels"]

T = TypeVar("T")


class ChannelClosed(EOFError):
    """The channel is closed: nothing more can be put, and it is drained for ``get``.

    It is an :class:`EOFError`, as :meth:`multiprocessing.connection.Connection.recv`
    raises when the other end is closed; consumers written against the
    ``channel`` contract catch ``EOFError``.
    """


class Channel(Generic[T]):
    """A first-in, first-out channel holding at most ``capacity`` items.

    Raises :class:`ValueError` if ``capacity`` is not a positive ``int``.

    Runtime complexity: ``put`` and ``get`` O(1) plus the wait; ``close``
    O(waiting tasks).
    """

    __slots__ = ("_capacity", "_closed", "_getters", "_items", "_putters")

    _capacity: int
    _closed: bool
    _items: deque[T]
    _getters: WaitQueue
    _putters: WaitQueue

    def __init__(self, capacity: int) -> None:
        if type(capacity) is not int or capacity < 1:
            raise ValueError(f"capacity must be a positive int, got {capacity!r}")
        self._capacity = capacity
        self._closed = False
        self._items = deque()
        self._getters = WaitQueue()
        self._putters = WaitQueue()

    @property
    def capacity(self) -> int:
        """The most items the channel holds at once."""
        return self._capacity

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def put(self, item: T) -> Generator[Request, None, None]:
        """Add ``item`` at the back, waiting while the channel is full (``yield from ch.put(item)``).

        Raises :class:`ChannelClosed` if the channel is closed, also when it
        is closed while the task waits (the item is then not added).
        """
        items = self._items
        while len(items) >= self._capacity and not self._closed:
            yield self._putters.wait()
        if self._closed:
            raise ChannelClosed("put() on a closed channel")
        items.append(item)
        if self._getters.waiting:
            self._getters.wake_one()

    def get(self) -> Generator[Request, None, T]:
        """Remove and return the oldest item, waiting while the channel is empty (``yield from ch.get()``).

        Raises :class:`ChannelClosed` once the channel is closed and empty:
        items put before :meth:`close` are still got.
        """
        items = self._items
        while not items:
            if self._closed:
                raise ChannelClosed("get() on a closed and empty channel")
            yield self._getters.wait()
        item = items.popleft()
        if self._putters.waiting:
            self._putters.wake_one()
        return item

    def close(self) -> None:
        """Close the channel and wake every waiting task.  Closing twice is allowed.  Never raises."""
        self._closed = True
        self._getters.wake_all()
        self._putters.wake_all()

    def __len__(self) -> int:
        """How many items the channel holds."""
        return len(self._items)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Channel {state} {list(self._items)!r} capacity={self._capacity}>"

    def _check(self) -> None:
        """Assert the representation invariant (for tests)."""
        assert 0 <= len(self._items) <= self._capacity
        if self._closed:  # close() woke every waiter, and nothing waits on a closed channel
            assert not self._getters.waiting
            assert not self._putters.waiting


def scheduler_and_channels() -> tuple[Scheduler, type[Channel[object]]]:
    """A new :class:`Scheduler` and the channel factory: the ``channel`` contract's target shape."""
    return Scheduler(), Channel
