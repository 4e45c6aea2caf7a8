"""Hostile targets: each misbehaves the way a broken or malicious target can, in one way.

They are checked from the command line by ``tests/test_hostile.py``, which
asserts the verdict each must get (``HOSTILE`` there): an exit status, no
traceback, within a time limit.  Most break a clause in a way no honest
implementation would; a few are correct and only make the oracle's life
hard (closing standard output, leaving a thread running), and must hold.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Callable, Generator
from fractions import Fraction
from typing import Any, NoReturn

from impl.averager import Number, running_averager

# -- queues that behave, but for one thing ---------------------------------------------------


class Queue:
    """A correct queue; the classes below break one thing each."""

    items: deque[Any]

    def __init__(self) -> None:
        self.items = deque()

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        if not self.items:
            raise IndexError("pop from an empty queue")
        return self.items.popleft()

    def peek(self) -> Any:
        if not self.items:
            raise IndexError("peek at an empty queue")
        return self.items[0]

    def __len__(self) -> int:
        return len(self.items)


def exits_when_made() -> NoReturn:
    """A factory that ends the process, as ``sys.exit(0)`` would."""
    raise SystemExit(0)


class Custom(BaseException):
    """An exception class of the target's own, outside the Exception hierarchy."""


class RaisesCustom(Queue):
    def push(self, item: Any) -> None:
        if len(self.items) == 2:
            raise Custom("not an Exception")
        super().push(item)


class Interrupts(Queue):
    def push(self, item: Any) -> None:
        if len(self.items) == 2:
            raise KeyboardInterrupt
        super().push(item)


class Exits(Queue):
    def push(self, item: Any) -> None:
        if len(self.items) == 2:
            sys.exit(0)
        super().push(item)


class Unprintable:
    """What a broken target hands back: its repr ends the process, or tries to."""

    def __repr__(self) -> str:
        raise SystemExit(0)


class ReturnsUnprintable(Queue):
    def pop(self) -> Any:
        super().pop()
        return Unprintable()


class Untrue:
    def __bool__(self) -> bool:
        raise SystemExit(0)


class UntrueEquality:
    """Equal to nothing in a way that ends the process: ``==`` answers an object whose ``bool()`` exits."""

    def __eq__(self, other: object) -> Untrue:  # type: ignore[override]
        return Untrue()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "UntrueEquality()"


class ReturnsUntrueEquality(Queue):
    def pop(self) -> Any:
        super().pop()
        return UntrueEquality()


class Unspeakable(Exception):
    """An exception whose message cannot be had: ``str()`` ends the process."""

    def __str__(self) -> str:
        raise SystemExit(0)


class RaisesUnspeakable(Queue):
    def pop(self) -> Any:
        if len(self.items) == 2:
            raise Unspeakable
        return super().pop()


class ClosesStdout(Queue):
    """A correct queue that closes the process's standard output when it is made."""

    def __init__(self) -> None:
        super().__init__()
        sys.stdout.close()


class LeavesAThread(Queue):
    """A correct queue whose factory starts a thread that never ends (not a daemon)."""

    def __init__(self) -> None:
        super().__init__()
        if not any(thread.name == "never-ends" for thread in threading.enumerate()):
            threading.Thread(target=threading.Event().wait, name="never-ends").start()


def _hang_when(ready: Callable[[Any], bool], hang: Callable[[], object]) -> type[Queue]:
    class Hangs(Queue):
        def pop(self) -> Any:
            if ready(self):
                hang()
            return super().pop()

    return Hangs


def _ignore_alarm_and_sleep() -> None:
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(3600)


def _cancel_timer_and_sleep() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)
    time.sleep(3600)


def _hold_the_gil() -> None:
    sum(range(10**13))  # one C loop that checks for no signal: hours with the GIL held


IgnoresAlarm = _hang_when(lambda q: len(q.items) == 2, _ignore_alarm_and_sleep)
CancelsTimer = _hang_when(lambda q: len(q.items) == 2, _cancel_timer_and_sleep)
HoldsTheGil = _hang_when(lambda q: len(q.items) == 2, _hold_the_gil)
ExitsAtOnce = _hang_when(lambda q: len(q.items) == 2, lambda: os._exit(0))
KillsItself = _hang_when(lambda q: len(q.items) == 2, lambda: os.kill(os.getpid(), signal.SIGKILL))


def _recurse(depth: int) -> int:
    return _recurse(depth + 1) + 1


class RecursesDeeply(Queue):
    """Infinite recursion under a recursion limit raised so high that it takes a while to reach."""

    def __init__(self) -> None:
        super().__init__()
        sys.setrecursionlimit(10**6)

    def pop(self) -> Any:
        if len(self.items) == 2:
            _recurse(0)
        return super().pop()


def exits_at_once_when_made() -> NoReturn:
    """A factory that ends its process at once, as ``os._exit`` does, leaving no answer behind."""
    os._exit(0)


class ClosesPipes(Queue):
    """Closes every file descriptor it did not open (the oracle's pipe among them), then waits a while."""

    def push(self, item: Any) -> None:
        if len(self.items) == 2:
            os.closerange(3, 1024)
            time.sleep(30)
        super().push(item)


class Slow(Queue):
    """A correct queue, slow: each push takes a tenth of a second (well within any time limit)."""

    def push(self, item: Any) -> None:
        time.sleep(0.1)
        super().push(item)


class PressesCtrlC(Queue):
    """Sends its own process SIGINT, as a user's Ctrl-C would: the oracle cannot tell the two apart."""

    def pop(self) -> Any:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        return super().pop()


class WaitsForCtrlC(Queue):
    """Says that it runs (it creates the file ``$SPEC_TEST_MARKER``), then waits for the test's Ctrl-C."""

    def push(self, item: Any) -> None:
        with open(os.environ["SPEC_TEST_MARKER"], "w"):
            pass
        time.sleep(3600)


class EatsMemory(Queue):
    def push(self, item: Any) -> None:
        if len(self.items) == 2:
            self.hoard = bytearray(600 * 2**20)  # more than the test's --max-memory 300
        super().push(item)


class Leaky(Queue):
    """Leaks state from one instance to the next: after the thirtieth, instances start with 0 to 2 stale items.

    So the same program runs differently when Hypothesis replays it
    (``FlakyStrategyDefinition``: it draws differently once a program fails
    at another step).
    """

    made: int = 0

    def __init__(self) -> None:
        super().__init__()
        Leaky.made += 1
        if Leaky.made > 30:
            self.items.extend([0] * (Leaky.made % 3))


# -- averagers -----------------------------------------------------------------------------


class Stubborn(float):
    """A float whose ``==`` never answers."""

    def __eq__(self, other: object) -> bool:
        while True:
            pass

    __hash__ = float.__hash__


def answers_stubborn() -> Callable[[float], float]:
    values: list[float] = []

    def average(value: float) -> float:
        values.append(value)
        return Stubborn(sum(values) / len(values))

    return average


def answers_huge() -> Callable[[float], int]:
    """An averager whose answer has more digits than ``str()`` will convert."""

    def average(value: float) -> int:
        return 10**5000

    return average


def exits_on_close() -> Generator[Number | None, Number, None]:
    """A correct averaging generator, but ``close()`` ends the process."""
    try:
        yield from running_averager()
    finally:
        raise SystemExit(0)


async def async_exits_on_close() -> AsyncGenerator[Number | None, Number]:
    """A correct async averaging generator, but ``aclose()`` ends the process."""
    total: Number = 0
    count = 0
    average: Number | None = None
    try:
        while True:
            value = yield average
            if not isinstance(value, int | float | Fraction):
                raise TypeError(f"not a real number: {value!r}")
            total += value
            count += 1
            average = total / count
    finally:
        raise SystemExit(0)


# -- generators ----------------------------------------------------------------------------


def returns_huge() -> Generator[int, object, int]:
    """A correct generator whose return value has more digits than ``str()`` will convert."""
    yield 1
    return 10**5000


class FrameExits:
    """A generator-protocol object whose ``gi_frame`` ends the process when read."""

    def __init__(self) -> None:
        self._gen: Any = returns_huge()

    def __next__(self) -> object:
        return next(self._gen)

    def send(self, value: object) -> object:
        return self._gen.send(value)

    def throw(self, error: BaseException) -> object:
        return self._gen.throw(error)

    def close(self) -> None:
        self._gen.close()

    @property
    def gi_running(self) -> bool:
        return bool(self._gen.gi_running)

    @property
    def gi_suspended(self) -> bool:
        return bool(getattr(self._gen, "gi_suspended"))  # noqa: B009  (not in typeshed's Generator)

    @property
    def gi_frame(self) -> object:
        raise SystemExit(0)


# -- schedulers ----------------------------------------------------------------------------


def scheduler_exits_when_made() -> NoReturn:
    raise SystemExit(0)


class SchedulerInterrupts:
    """Runs nothing: ``run()`` raises KeyboardInterrupt."""

    def spawn(self, task: object) -> None:
        pass

    def run(self) -> None:
        raise KeyboardInterrupt


# -- stress: client threads that end badly ---------------------------------------------------


class LockedQueue(Queue):
    lock: threading.Lock

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def push(self, item: Any) -> None:
        with self.lock:
            super().push(item)

    def pop(self) -> Any:
        with self.lock:
            return super().pop()

    def peek(self) -> Any:
        with self.lock:
            return super().peek()


class ClientInterrupts(LockedQueue):
    def pop(self) -> Any:
        if threading.current_thread() is not threading.main_thread():
            raise KeyboardInterrupt
        return super().pop()


class ClientRaisesCustom(LockedQueue):
    def pop(self) -> Any:
        if threading.current_thread() is not threading.main_thread():
            raise Custom("from a client thread")
        return super().pop()
