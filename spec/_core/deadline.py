"""Calling a target with a time limit, so that a hanging target cannot hang the oracle.

Discussion: Python cannot kill a thread, so there are two ways to stop waiting
for a call that does not return, and the oracle uses the better one it can:

* In the main thread on POSIX, an interval timer (``signal.setitimer``) raises
  :class:`TargetHung` *inside* the target's code when the time is up.  Pure
  Python loops, ``time.sleep`` and blocking lock acquisitions are all
  interrupted, and nothing is left running afterwards.  The timer re-fires
  every tenth of a second until the exception escapes, so a target that
  swallows it once is still stopped.  A signal handler runs in whatever
  Python code runs next, which may be a finalizer or a garbage-collector
  callback, where Python swallows the exception (printing "Exception
  ignored"): the deadline drops that noise, and if it happens, turns the
  cyclic collector off until the call ends, because when collections take
  most of the time (a runaway recursion makes each of them walk a million
  frames) every later alarm would land in a collector callback too.
* Anywhere else (another thread, an outer timer already armed, no
  ``setitimer``), every call runs in one private daemon worker thread and the
  caller stops waiting after the time limit.  A hung call is abandoned in the
  worker, which dies with the process; the next call gets a fresh worker.

:class:`TargetHung` derives from :class:`BaseException`, not
:class:`Exception`: a target's ``except Exception`` does not swallow it, and
Hypothesis does not try to shrink it (shrinking a hang costs a time limit per
attempt), so the oracle reports the program that hung as it was found.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any, TypeVar

from spec._core import journal
from spec._core.signals import OracleSignal

__all__ = ["Deadline", "TargetHung"]

T = TypeVar("T")

_REFIRE_SECONDS = 0.1

# signal.getsignal turns every answer into an enum member when it can, which
# costs more than a small call into a target; the checks before each call ask
# the C module directly.
_raw_getsignal: Callable[[int], object] = importlib.import_module("_signal").getsignal


class TargetHung(OracleSignal):
    """A call into the target did not return within ``seconds``."""

    seconds: float

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not return within {seconds:g} s")
        self.seconds = seconds


class _Worker:
    """A daemon thread that runs one call at a time for :class:`Deadline`."""

    # A job, or None: the deadline is done with this worker (see stop()).
    _jobs: queue.SimpleQueue[tuple[Callable[[], Any], list[tuple[bool, Any]], threading.Event] | None]

    def __init__(self) -> None:
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="spec-deadline-worker", daemon=True).start()

    def _serve(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, box, done = item
            try:
                box.append((True, job()))
            except BaseException as exc:  # handed back to the caller, re-raised there
                box.append((False, exc))
            done.set()

    def stop(self) -> None:
        """End the thread once it has run the calls it was given (a deadline that is done with it)."""
        self._jobs.put(None)

    def run(self, job: Callable[[], T], seconds: float) -> T:
        box: list[tuple[bool, Any]] = []
        done = threading.Event()
        self._jobs.put((job, box, done))
        if not done.wait(seconds):
            raise TargetHung(seconds)
        ok, value = box[0]
        if ok:
            return value  # type: ignore[no-any-return]
        raise value


def _in_gc_callback(frame: FrameType | None) -> bool:
    """Whether ``frame`` or a frame that called it runs a function of ``gc.callbacks``."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


class Deadline:
    """A context manager that runs calls under a per-call time limit.

    ``seconds=None`` means no limit.  ``seconds`` must otherwise be a positive
    number (:class:`ValueError`).  Inside the ``with`` block, :meth:`call` runs
    ``fn(*args)`` and returns its result or re-raises its exception, or raises
    :class:`TargetHung` if it does not return in time.  Leaving the block
    restores any signal handler it replaced.
    """

    seconds: float | None
    _use_alarm: bool
    _old_handler: Any
    _old_hook: Callable[[Any], object]
    _worker: _Worker | None
    _collector_off: bool  # turned off by _on_unraisable, until the call ends
    _batched: bool  # inside batch(): one interval timer watches every call
    _since: float | None  # when the call now running started (batched calls only)
    _ticks: int  # timer ticks seen since it started

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and not seconds > 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {seconds!r}")
        self.seconds = seconds
        self._use_alarm = False
        self._old_handler = None
        self._worker = None
        self._collector_off = False
        self._batched = False
        self._since = None
        self._ticks = 0

    def __enter__(self) -> Deadline:
        self._use_alarm = (
            self.seconds is not None
            and hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        )
        if self._use_alarm:
            self._old_handler = signal.signal(signal.SIGALRM, self._on_alarm)
            self._old_hook = sys.unraisablehook
            sys.unraisablehook = self._on_unraisable
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
            sys.unraisablehook = self._old_hook
            self._use_alarm = False
            self._collect_again()
        if self._worker is not None:  # idle: a hung one was dropped when it hung
            self._worker.stop()
            self._worker = None

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        assert self.seconds is not None  # the alarm is only armed with a limit
        # An exception raised inside a garbage-collector callback (Hypothesis
        # registers one) is lost: Python prints it as unraisable and the
        # target runs on.  So the alarm lets such a callback finish; it fires
        # again a tenth of a second later, in the target's own code.
        if _in_gc_callback(frame):
            return
        if self._batched:
            # Between calls, or a call still within its time, or a call that
            # has not yet been seen running at two ticks (a process that was
            # stopped or starved for a while gets one signal when it resumes,
            # however long it waited: that alone is not a hang).
            self._ticks += 1
            if self._since is None or time.monotonic() - self._since < self.seconds or self._ticks < 2:
                return
        raise TargetHung(self.seconds)

    def _on_unraisable(self, unraisable: Any) -> None:
        """Drop, unprinted, a :class:`TargetHung` that landed where Python swallows exceptions.

        The alarm interrupts whatever code runs when it fires, sometimes a
        finalizer or a collector callback, whose exceptions Python reports as
        "Exception ignored" and drops.  That is noise, not the target's
        behaviour.  The collector stays off until the call ends, so that the
        next alarm lands in the target's own code (see the module docstring).
        """
        if not isinstance(unraisable.exc_value, OracleSignal):
            self._old_hook(unraisable)
        elif gc.isenabled():
            gc.disable()
            self._collector_off = True

    def _collect_again(self) -> None:
        if self._collector_off:
            gc.enable()
            self._collector_off = False

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Calls made inside share one interval timer: the same limit for each, at a fraction of the cost.

        Arming a timer costs two system calls per call, more than a small call
        itself; a machine that makes thousands of calls in a row (a bulk rule)
        makes them inside ``batch()``, where the timer ticks every quarter of
        the limit and stops a call that has run longer than the limit (so a
        hang is noticed within 1.5 times the limit).  Without an interval
        timer (see the module Discussion) it changes nothing.
        """
        if not self._use_alarm or self._batched:
            yield
            return
        assert self.seconds is not None  # the alarm is only used with a limit
        tick = self.seconds / 4
        self._batched = True
        signal.setitimer(signal.ITIMER_REAL, tick, tick)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._batched = False
            self._since = None

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Return ``fn(*args)``; raise what it raises, or :class:`TargetHung`.

        The call is journalled (see :mod:`spec._core.journal`), so that a
        supervising process can stop a call that this limit cannot (C code
        holding the GIL, a target that ignores ``SIGALRM``).
        """
        journal.note_call(self.seconds)
        try:
            return self._call(fn, *args)
        finally:
            journal.note_return()

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self.seconds is None:
            return fn(*args)
        # A target may have replaced the handler (with SIG_IGN, say) in an
        # earlier call: take it back before every call.
        if self._use_alarm and _raw_getsignal(signal.SIGALRM) != self._on_alarm:
            signal.signal(signal.SIGALRM, self._on_alarm)
        if self._batched:
            self._since, self._ticks = time.monotonic(), 0
            try:
                return fn(*args)
            finally:
                self._since = None
                self._collect_again()
        if self._use_alarm:
            signal.setitimer(signal.ITIMER_REAL, self.seconds, _REFIRE_SECONDS)
            try:
                return fn(*args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                self._collect_again()
        if self._worker is None:
            self._worker = _Worker()
        try:
            return self._worker.run(lambda: fn(*args), self.seconds)
        except TargetHung:
            self._worker = None  # stuck for good: the next call needs a new one
            raise
