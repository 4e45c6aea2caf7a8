"""Channels that are each wrong in one way; see :mod:`spec.known_bad`.

Each entry is a factory returning ``(scheduler, make_channel)``, the
``channel`` contract's target shape.  The scheduler is the reference one; the
channel class starts from a correct list-based channel, :class:`_Channel`,
and breaks one thing.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

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
)
