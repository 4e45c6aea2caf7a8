"""Generators that are each wrong in one way; see :mod:`spec.known_bad`.

Most are class-based: each starts from :class:`_Gen`, a correct hand-written
generator that yields 1 and 2 and returns 3 (catching nothing), and breaks
one thing.  Two are native generators whose *body* is at fault.
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import Any, ClassVar

from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]


class _Frame:
    """Stands for the frame: present while the generator can still run."""


class _Gen:
    """A correct class-based generator: yields 1, then 2, then returns 3; catches nothing."""

    gi_frame: _Frame | None
    gi_running: bool
    gi_suspended: bool
    started: bool
    count: int

    def __init__(self) -> None:
        self.gi_frame = _Frame()
        self.gi_running = False
        self.gi_suspended = False
        self.started = False
        self.count = 0

    def __next__(self) -> Any:
        return self.send(None)

    def send(self, value: Any) -> Any:
        if self.gi_frame is None:
            raise StopIteration
        if not self.started and value is not None:
            raise TypeError("can't send non-None value to a just-started generator")
        self.started = True
        return self._step()

    def _step(self) -> Any:
        if self.count < 2:
            self.count += 1
            self.gi_suspended = True
            return self.count
        self._finish()
        raise StopIteration(3)

    def _finish(self) -> None:
        self.gi_frame = None
        self.gi_suspended = False

    def throw(self, error: BaseException) -> Any:
        self._finish()
        raise error

    def close(self) -> None:
        self._finish()


class NeverSuspended(_Gen):
    """``gi_suspended`` is never set: after a yield, inspect reads GEN_CREATED."""

    def _step(self) -> Any:
        value = super()._step()
        self.gi_suspended = False
        return value


class AcceptsEarlySend(_Gen):
    def send(self, value: Any) -> Any:
        if self.gi_frame is None:
            raise StopIteration
        self.started = True
        return self._step()


class ThrowOnNewLeavesCreated(_Gen):
    def throw(self, error: BaseException) -> Any:
        if not self.started:
            raise error
        return super().throw(error)


class CloseOnNewLeavesCreated(_Gen):
    def close(self) -> None:
        self.gi_frame = None if self.started else self.gi_frame
        self.gi_suspended = False


class ResumableAfterClose(_Gen):
    """``close()`` drops the frame, but ``next()`` carries on where it was."""

    def send(self, value: Any) -> Any:
        if self.gi_frame is None and self.count < 2:
            self.count += 1
            self.gi_suspended = True
            return self.count
        return super().send(value)


class NextOnClosedRaisesValueError(_Gen):
    def send(self, value: Any) -> Any:
        if self.gi_frame is None:
            raise ValueError("generator is closed")
        return super().send(value)


class ThrowOnClosedReturnsNone(_Gen):
    def throw(self, error: BaseException) -> Any:
        if self.gi_frame is None:
            return None
        return super().throw(error)


class FrameKeptAfterReturn(_Gen):
    """Returning forgets to drop the frame: inspect then reads GEN_CREATED."""

    def _step(self) -> Any:
        if self.count < 2:
            return super()._step()
        self.gi_suspended = False
        raise StopIteration(3)


class ReturnValueTwice(_Gen):
    """Every ``next()`` after the end raises ``StopIteration(3)`` again."""

    def send(self, value: Any) -> Any:
        if self.gi_frame is None and self.count == 2:
            raise StopIteration(3)
        return super().send(value)


class ErrorLeavesSuspended(_Gen):
    """An exception thrown in goes through, but the generator stays suspended."""

    def throw(self, error: BaseException) -> Any:
        if self.started:
            raise error
        return super().throw(error)


def yields_in_generator_exit() -> Generator[int, object, None]:
    """Catches ``GeneratorExit`` and yields: ``close()`` then raises RuntimeError and it stays suspended.

    (It yields in response once only, so that a second ``close()`` ends it.)
    """
    try:
        yield 1
    except GeneratorExit:
        yield 2


def spins_after_first_yield() -> Generator[int, object, None]:
    """The second ``next()`` never returns."""
    yield 1
    while True:
        pass


class OnlyNextStarts(_Gen):
    """Rejects every ``send`` before the start, ``send(None)`` too: only ``next()`` starts it."""

    def __next__(self) -> Any:
        self.started = True
        return super().send(None)

    def send(self, value: Any) -> Any:
        if not self.started and self.gi_frame is not None:
            raise TypeError("can't send to a just-started generator")
        return super().send(value)


@functools.cache
def cached_generator() -> Generator[int, object, None]:
    """A generator function under ``functools.cache``: every call returns the same generator."""
    yield 1
    yield 2


class SharedProgress(_Gen):
    """Counts its yields in a class attribute: one generator's progress moves every other's."""

    shared_count: ClassVar[list[int]] = [0]

    @property
    def count(self) -> int:
        return self.shared_count[0]

    @count.setter
    def count(self, value: int) -> None:
        self.shared_count[0] = value

    @property
    def started(self) -> bool:
        return self.shared_count[0] > 0 or self._started

    @started.setter
    def started(self, value: bool) -> None:
        self._started = value

    @property
    def gi_suspended(self) -> bool:
        return self.started and self.gi_frame is not None

    @gi_suspended.setter
    def gi_suspended(self, value: bool) -> None:
        pass


_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:NeverSuspended", "G1", "gi_suspended is never set, so a suspended generator reads GEN_CREATED"),
    KnownBad(f"{_M}:AcceptsEarlySend", "G2", "send(5) before the start starts the generator"),
    KnownBad(f"{_M}:ThrowOnNewLeavesCreated", "G3", "throw(e) on a new generator raises e but does not close it"),
    KnownBad(f"{_M}:CloseOnNewLeavesCreated", "G4", "close() on a new generator leaves it GEN_CREATED"),
    KnownBad(f"{_M}:yields_in_generator_exit", "G4", "a native generator that yields in except GeneratorExit"),
    KnownBad(f"{_M}:ResumableAfterClose", "G5", "can be resumed after close()"),
    KnownBad(f"{_M}:NextOnClosedRaisesValueError", "G5", "next() on a closed generator raises ValueError"),
    KnownBad(f"{_M}:ThrowOnClosedReturnsNone", "G5", "throw(e) on a closed generator returns None"),
    KnownBad(f"{_M}:FrameKeptAfterReturn", "G6", "gi_frame is still set after the generator returned"),
    KnownBad(f"{_M}:ReturnValueTwice", "G6", "the return value arrives again with every later next()"),
    KnownBad(f"{_M}:ErrorLeavesSuspended", "G7", "an exception thrown in goes through but leaves it suspended"),
    KnownBad(f"{_M}:spins_after_first_yield", "G8", "the second next() spins forever", timeout=0.25),
    KnownBad(f"{_M}:OnlyNextStarts", "G2", "send(None) on a new generator raises TypeError"),
    KnownBad(f"{_M}:cached_generator", "G9", "functools.cache on the generator function: one generator for all"),
    KnownBad(f"{_M}:SharedProgress", "G9", "counts its yields in a class attribute shared by every generator"),
)
