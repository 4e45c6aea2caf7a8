"""The limits of a check: a time limit for the whole of it, a memory limit for the search.

A linearizability check can take exponential time and memory on a hard
history, so the checker works within a :class:`Budget`: a deadline and a
bound on the process's resident memory.  When either runs out the check
stops with the verdict "unknown" and says what it had explored; it never
crashes and is never killed for want of memory.

Discussion (how the time limit is kept): the reader and the search look at
the clock as they go (:meth:`Budget.check`), which is cheap and stops them
within a few milliseconds.  That cannot stop code that never returns to
them: a model of one's own whose ``step`` loops, or a read from a pipe that
never ends.  So, in the main thread on POSIX, :meth:`Budget.armed` also sets
an interval timer that raises :class:`OutOfBudget` wherever the program is
when the time is up, and again every tenth of a second until it escapes
(code that swallows it once is still stopped).  The memory limit is kept by
looking at the resident size every few hundredths of a second of work; a
:class:`MemoryError` counts as reaching it too.
"""

from __future__ import annotations

import contextlib
import gc
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Final

from spec._core.signals import OracleSignal

__all__ = ["DEFAULT_MAX_MEMORY", "Budget", "OutOfBudget", "resident_memory"]

DEFAULT_MAX_MEMORY: Final = 1024 * 2**20
"""The command line's memory limit unless ``--max-memory`` says otherwise: 1 GiB."""

_MEMORY_EVERY: Final = 0.02  # seconds of work between two looks at the resident size
_REFIRE: Final = 0.1


class OutOfBudget(OracleSignal):
    """A limit of the check ran out: ``limit`` is ``"time"`` or ``"memory"``.

    One of the oracle's own signals (:class:`~spec._core.signals.OracleSignal`):
    a model's ``except Exception`` does not swallow it, and the guards around
    a model of one's own let it through.
    """

    limit: str

    def __init__(self, limit: str) -> None:
        super().__init__(f"the {limit} limit ran out")
        self.limit = limit


def resident_memory() -> int:
    """The process's resident memory in bytes (its peak where the current size cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover -- not Linux
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class Budget:
    """A deadline (``timeout`` seconds from now) and a memory limit (``max_memory`` bytes of resident memory).

    Either may be ``None``: no limit.  Raises :class:`ValueError` for a limit
    that is not positive.
    """

    deadline: float | None
    max_memory: int | None
    _next_memory: float
    _armed: bool
    _stopped: bool

    def __init__(self, timeout: float | None = None, max_memory: int | None = None) -> None:
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if max_memory is not None and not max_memory > 0:
            raise ValueError(f"max_memory must be a positive number of bytes, got {max_memory!r}")
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.max_memory = max_memory
        self._next_memory = 0.0
        self._armed = self._stopped = False

    def remaining(self) -> float | None:
        """Seconds left before the deadline (``None``: no deadline)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def check(self) -> None:
        """Raise :class:`OutOfBudget` if time is up or the memory limit is reached."""
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise OutOfBudget("time")
        if self.max_memory is not None and now >= self._next_memory:
            self._next_memory = now + _MEMORY_EVERY
            if resident_memory() > self.max_memory:
                raise OutOfBudget("memory")

    @contextlib.contextmanager
    def armed(self) -> Iterator[None]:
        """Within the block, an interval timer raises :class:`OutOfBudget` once time is up (see the module).

        Only in the main thread, where ``signal.setitimer`` exists and no
        interval timer is running already; elsewhere the block relies on
        :meth:`check` alone.  The block restores the signal handler it
        replaced.  The timer may fire as the block is entered or left: the
        ``with`` statement itself may raise :class:`OutOfBudget`.
        """
        remaining = self.remaining()
        if (
            remaining is None
            or self._armed
            or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0)
        ):
            yield
            return
        previous = signal.signal(signal.SIGALRM, self._on_alarm)
        self._armed, self._stopped = True, False
        try:
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-6), _REFIRE)
            yield
        finally:
            try:
                self.disarm()
            finally:
                signal.signal(signal.SIGALRM, previous)
                self._armed = False

    def disarm(self) -> None:
        """Stop the timer of :meth:`armed`: the work it guarded is over, or has been stopped.

        From then on the timer raises nothing, even if it fires once more.
        """
        self._stopped = True
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        # Raised inside a garbage collector's callback, the exception would be
        # lost ("exception ignored"): let the next firing, a tenth of a second
        # on, raise it in the code the collector interrupted.
        if self._stopped or (frame is not None and frame.f_code in _collector_callbacks()):
            return
        raise OutOfBudget("time")


def _collector_callbacks() -> set[object]:
    return {getattr(callback, "__code__", None) for callback in gc.callbacks}
