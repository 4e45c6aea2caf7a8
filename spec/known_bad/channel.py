"""Channels that are each wrong in one way; see :mod:`spec.known_bad`.

Each entry is a factory returning ``(scheduler, make_channel)``, the
``channel`` contract's target shape.  The scheduler is the reference one; the
channel class starts from a correct list-based channel, :class:`_Channel`,
and breaks one thing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator
from typing import Any, ClassVar

from impl.scheduler import Request, Scheduler, WaitQueue
from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]

Op = Generator[Request | None, None, Any]


class _Channel:
    """A correct channel: a list, oldest item first, and two wait queues."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: list[Any] = []
        self.closed = False
        self.getters = WaitQueue()
        self.putters = WaitQueue()

    def full(self) -> bool:
        return len(self.items) >= self.capacity

    def put(self, item: Any) -> Op:
        # The contract never puts after close(), so this channel does not check.
        while self.full():
            yield self.putters.wait()
        self.items.append(item)
        self.getters.wake_one()

    def take(self) -> Any:
        return self.items.pop(0)

    def get(self) -> Op:
        while not self.items:
            if self.closed:
                raise EOFError("closed")
            yield self.getters.wait()
        item = self.take()
        self.putters.wake_one()
        return item

    def close(self) -> None:
        self.closed = True
        self.getters.wake_all()
        self.putters.wake_all()


class _DropsWhenFull(_Channel):
    def put(self, item: Any) -> Op:
        if not self.full():
            yield from super().put(item)


class _LosesItemsOnClose(_Channel):
    def close(self) -> None:
        self.items.clear()
        super().close()


class _Lifo(_Channel):
    def take(self) -> Any:
        return self.items.pop()


class _Unbounded(_Channel):
    def full(self) -> bool:
        return False


class _OffByOne(_Channel):
    def full(self) -> bool:
        return len(self.items) > self.capacity


class _CloseWakesNobody(_Channel):
    def close(self) -> None:
        self.closed = True


class _SpinsWhenEmpty(_Channel):
    """Busy-waits with bare yields instead of waiting in line, and never looks at ``closed``."""

    def get(self) -> Op:
        while not self.items:
            yield None
        item = self.take()
        self.putters.wake_one()
        return item


class _RaisesWhenFull(_Channel):
    def put(self, item: Any) -> Op:
        if self.full():
            raise BufferError("channel full")
        yield from super().put(item)


# -- values: what the items are ----------------------------------------------------------------


class _FalsyLooksEmpty(_Channel):
    """``get()`` takes items with ``or None``-style code: a falsy item reads as "nothing here" and is lost."""

    def get(self) -> Op:
        while True:
            item = self.take() if self.items else None
            if item:
                self.putters.wake_one()
                return item
            if self.closed and not self.items:
                raise EOFError("closed")
            if not self.items:
                yield self.getters.wait()


class _NoneMarksAFreeSlot(_Channel):
    """A ring of slots where ``None`` means "free": a ``None`` item is overwritten or never got."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.slots: list[Any] = [None] * capacity
        self.head = 0
        self.tail = 0

    def put(self, item: Any) -> Op:
        while self.slots[self.tail] is not None:
            yield self.putters.wait()
        self.slots[self.tail] = item
        self.tail = (self.tail + 1) % self.capacity
        self.getters.wake_one()

    def get(self) -> Op:
        while self.slots[self.head] is None:
            if self.closed:
                raise EOFError("closed")
            yield self.getters.wait()
        item, self.slots[self.head] = self.slots[self.head], None
        self.head = (self.head + 1) % self.capacity
        self.putters.wake_one()
        return item


class _SkipsADuplicate(_Channel):
    """``put()`` of an item equal to one still held returns at once: "it is already in the channel"."""

    def put(self, item: Any) -> Op:
        if item in self.items:
            return
        yield from super().put(item)


class _CopiesItems(_Channel):
    """``put()`` stores a copy, so that the producer may reuse its object: the consumer gets the copy."""

    def put(self, item: Any) -> Op:
        yield from super().put(copy.copy(item))


class _IndexesItemsByValue(_Channel):
    """Keeps a set of the items held, for a fast ``in``: an unhashable item raises TypeError."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.held: set[Any] = set()

    def put(self, item: Any) -> Op:
        self.held.add(item)
        yield from super().put(item)


# -- sizes: what only a long run shows -------------------------------------------------------------


class _RingOf64(_Channel):
    """A ring buffer of 64 slots, whatever the capacity: past 64 items held, new ones overwrite old ones."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.ring: list[Any] = [None] * 64
        self.start = 0
        self.count = 0

    def full(self) -> bool:
        return self.count >= self.capacity

    def put(self, item: Any) -> Op:
        while self.full():
            yield self.putters.wait()
        self.ring[(self.start + self.count) % 64] = item
        self.count += 1
        self.getters.wake_one()

    def get(self) -> Op:
        while not self.count:
            if self.closed:
                raise EOFError("closed")
            yield self.getters.wait()
        item = self.ring[self.start]
        self.start = (self.start + 1) % 64
        self.count -= 1
        self.putters.wake_one()
        return item


class _GrowsAtAStaleIndex(_Channel):
    """A ring buffer that starts with 8 slots and doubles when full, then stores at the old size's index.

    At the first growth past 8 items held, the new item overwrites the oldest one.
    """

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.ring: list[Any] = [None] * 8
        self.start = 0
        self.count = 0

    def full(self) -> bool:
        return self.count >= self.capacity

    def put(self, item: Any) -> Op:
        while self.full():
            yield self.putters.wait()
        size = len(self.ring)
        if self.count == size:
            self.ring = self.ring[self.start :] + self.ring[: self.start] + [None] * size
            self.start = 0
        self.ring[(self.start + self.count) % size] = item  # the old size: should be len(self.ring)
        self.count += 1
        self.getters.wake_one()

    def get(self) -> Op:
        while not self.count:
            if self.closed:
                raise EOFError("closed")
            yield self.getters.wait()
        item = self.ring[self.start]
        self.start = (self.start + 1) % len(self.ring)
        self.count -= 1
        self.putters.wake_one()
        return item


class _CompactsEvery40(_Channel):
    """Gets advance a head index; every 40 gets the list is compacted, off by one: an item is dropped."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.buffer: list[Any] = []
        self.head = 0
        self.gets = 0

    def full(self) -> bool:
        return len(self.buffer) - self.head >= self.capacity

    def put(self, item: Any) -> Op:
        while self.full():
            yield self.putters.wait()
        self.buffer.append(item)
        self.getters.wake_one()

    def get(self) -> Op:
        while self.head >= len(self.buffer):
            if self.closed:
                raise EOFError("closed")
            yield self.getters.wait()
        item = self.buffer[self.head]
        self.head += 1
        self.gets += 1
        if self.gets % 40 == 0:
            del self.buffer[: self.head + 1]  # one too many
            self.head = 0
        self.putters.wake_one()
        return item


# -- independence: channels that share state --------------------------------------------------------


class _ClassLevelItems(_Channel):
    """The items live in a list on the class (a mutable class attribute): every channel shares it."""

    shared: ClassVar[list[Any]] = []

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.items = _ClassLevelItems.shared


class _ResetsItemsInInit(_Channel):
    """The items live on the class and ``__init__`` resets them "to start clean": a new channel empties the others."""

    buffer: ClassVar[list[Any]] = []

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        _ResetsItemsInInit.buffer = []

    @property
    def items(self) -> list[Any]:
        return _ResetsItemsInInit.buffer

    @items.setter
    def items(self, value: list[Any]) -> None:
        _ResetsItemsInInit.buffer = value


class _ClosesTheClass(_Channel):
    """``closed`` lives on the class, reset by ``__init__`` and set by ``close()``: closing one closes all."""

    shutdown: ClassVar[bool] = False

    @property
    def closed(self) -> bool:
        return _ClosesTheClass.shutdown

    @closed.setter
    def closed(self, value: bool) -> None:
        _ClosesTheClass.shutdown = value


def _with(channel: Callable[[int], _Channel]) -> Callable[[], tuple[Scheduler, Callable[[int], _Channel]]]:
    def factory() -> tuple[Scheduler, Callable[[int], _Channel]]:
        return Scheduler(), channel

    factory.__qualname__ = factory.__name__ = channel.__name__.lstrip("_")
    return factory


DropsWhenFull = _with(_DropsWhenFull)
LosesItemsOnClose = _with(_LosesItemsOnClose)
Lifo = _with(_Lifo)
Unbounded = _with(_Unbounded)
OffByOne = _with(_OffByOne)
CloseWakesNobody = _with(_CloseWakesNobody)
SpinsWhenEmpty = _with(_SpinsWhenEmpty)
RaisesWhenFull = _with(_RaisesWhenFull)
FalsyLooksEmpty = _with(_FalsyLooksEmpty)
NoneMarksAFreeSlot = _with(_NoneMarksAFreeSlot)
SkipsADuplicate = _with(_SkipsADuplicate)
CopiesItems = _with(_CopiesItems)
IndexesItemsByValue = _with(_IndexesItemsByValue)
RingOf64 = _with(_RingOf64)
GrowsAtAStaleIndex = _with(_GrowsAtAStaleIndex)
CompactsEvery40 = _with(_CompactsEvery40)
ClassLevelItems = _with(_ClassLevelItems)
ResetsItemsInInit = _with(_ResetsItemsInInit)
ClosesTheClass = _with(_ClosesTheClass)

_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:DropsWhenFull", "CH1", "put() on a full channel returns at once, dropping the item"),
    KnownBad(f"{_M}:LosesItemsOnClose", "CH1", "close() discards the items not yet got"),
    KnownBad(f"{_M}:Lifo", "CH2", "get() takes the newest item"),
    KnownBad(f"{_M}:Unbounded", "CH3", "put() never waits: the capacity is ignored"),
    KnownBad(f"{_M}:OffByOne", "CH3", "put() waits only when capacity + 1 items are held"),
    KnownBad(f"{_M}:CloseWakesNobody", "CH4", "close() does not wake waiting consumers: they wait forever"),
    KnownBad(f"{_M}:SpinsWhenEmpty", "CH4", "get() spins while empty and never sees close()", timeout=0.25),
    KnownBad(f"{_M}:RaisesWhenFull", "CH5", "put() on a full channel raises BufferError instead of waiting"),
    KnownBad(f"{_M}:FalsyLooksEmpty", "CH1", "get() takes a falsy item for 'nothing here' and loses it"),
    KnownBad(f"{_M}:NoneMarksAFreeSlot", "CH1", "a ring of slots where None means free: a None item is lost"),
    KnownBad(f"{_M}:SkipsADuplicate", "CH1", "put() of an item equal to one held returns at once"),
    KnownBad(f"{_M}:CopiesItems", "CH1", "put() stores copy.copy(item): the consumer gets a copy"),
    KnownBad(f"{_M}:IndexesItemsByValue", "CH5", "a set of the items held: an unhashable item raises TypeError"),
    KnownBad(f"{_M}:RingOf64", "CH1", "a ring of 64 slots: past 64 items held, new items overwrite old ones"),
    KnownBad(f"{_M}:GrowsAtAStaleIndex", "CH1", "a ring that doubles from 8 stores at the old size's index"),
    KnownBad(f"{_M}:CompactsEvery40", "CH1", "a compaction every 40 gets, off by one, drops an item"),
    KnownBad(f"{_M}:ClassLevelItems", "CH6", "the items are a class-level list shared by every channel"),
    KnownBad(f"{_M}:ResetsItemsInInit", "CH6", "__init__ resets a class-level list: a new channel empties the others"),
    KnownBad(f"{_M}:ClosesTheClass", "CH6", "closed lives on the class: closing one channel closes all"),
)
