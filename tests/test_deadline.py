"""The per-call time limit: alarm in the main thread, a worker thread elsewhere."""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

import pytest

from spec._core.deadline import Deadline, TargetHung

T = TypeVar("T")


def spin() -> None:
    while True:
        pass


def stubborn() -> None:
    """Swallows the first interruption, then spins again."""
    with contextlib.suppress(BaseException):
        spin()
    spin()


def boom() -> None:
    raise KeyError("boom")


def in_thread(fn: Callable[[], T]) -> T:
    box: list[T] = []
    thread = threading.Thread(target=lambda: box.append(fn()))
    thread.start()
    thread.join(30)
    assert box, "the thread did not finish"
    return box[0]


@pytest.mark.parametrize("seconds", [0, -1.0])
def test_rejects_non_positive_limits(seconds: float) -> None:
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        Deadline(seconds)


def test_no_limit_calls_directly() -> None:
    with Deadline(None) as deadline:
        assert deadline.call(lambda x: x + 1, 1) == 2


def test_alarm_interrupts_a_spinning_call_and_restores_the_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with Deadline(0.05) as deadline:
        assert deadline.call(sum, [1, 2]) == 3
        with pytest.raises(TargetHung, match=r"did not return within 0.05 s"):
            deadline.call(spin)
        with pytest.raises(TargetHung):
            deadline.call(stubborn)
        with pytest.raises(KeyError, match="boom"):
            deadline.call(boom)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# A hung call in the worker thread is abandoned, not stopped: these tests hang
# on an event they set afterwards, so that no abandoned thread keeps running.


def test_worker_thread_outside_the_main_thread() -> None:
    release = threading.Event()

    def scenario() -> tuple[int, str, str, int]:
        with Deadline(0.05) as deadline:
            first = deadline.call(len, [1, 2, 3])
            try:
                deadline.call(boom)
            except KeyError as exc:
                raised = str(exc)
            try:
                deadline.call(release.wait)
            except TargetHung as hung:
                hang = str(hung)
            # The stuck worker is abandoned; the next call gets a new one.
            after = deadline.call(len, [1])
        return first, raised, hang, after

    try:
        assert in_thread(scenario) == (3, "'boom'", "did not return within 0.05 s", 1)
    finally:
        release.set()


def test_worker_thread_when_an_outer_timer_is_armed() -> None:
    release = threading.Event()
    signal.setitimer(signal.ITIMER_REAL, 1000)
    old = signal.signal(signal.SIGALRM, signal.SIG_IGN)
    try:
        with Deadline(0.05) as deadline:
            assert not deadline._use_alarm
            with pytest.raises(TargetHung):
                deadline.call(release.wait)
        # The outer timer is left alone.
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 900
    finally:
        release.set()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_a_deadline_ends_its_idle_worker_thread_when_it_ends() -> None:
    def workers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "spec-deadline-worker"]

    before = set(workers())

    def use_one() -> list[threading.Thread]:
        with Deadline(5.0) as deadline:
            assert deadline.call(sum, [1, 2]) == 3
            return [t for t in workers() if t not in before]

    (worker,) = in_thread(use_one)
    worker.join(30)
    assert not worker.is_alive()


def test_the_alarm_lets_a_garbage_collector_callback_finish() -> None:
    # An exception raised in a gc callback is lost, so the alarm waits for its
    # next tick there; anywhere else it raises.
    deadline = Deadline(1)
    raised: list[bool] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        try:
            deadline._on_alarm(signal.SIGALRM, sys._getframe())
        except TargetHung:
            raised.append(True)
        else:
            raised.append(False)

    gc.callbacks.append(callback)
    try:
        callback("start", {})
    finally:
        gc.callbacks.remove(callback)
    assert raised == [False]
    with pytest.raises(TargetHung):
        deadline._on_alarm(signal.SIGALRM, sys._getframe())


def test_the_alarm_is_taken_back_from_a_target_that_ignored_it() -> None:
    def ignore_and_spin() -> None:
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        spin()

    with Deadline(0.05) as deadline:
        deadline.call(signal.signal, signal.SIGALRM, signal.SIG_IGN)  # an earlier call ignored it
        with pytest.raises(TargetHung):
            deadline.call(spin)
        # A call that ignores it itself is stopped by the supervising process, not here.
        assert signal.getsignal(signal.SIGALRM) == deadline._on_alarm


class Finalized:
    def __del__(self) -> None:
        raise TargetHung(1)  # as when the alarm fires inside a finalizer


def test_a_time_limit_swallowed_by_python_is_not_printed_but_other_errors_are() -> None:
    seen: list[object] = []
    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        with Deadline(1) as deadline:
            assert deadline.call(drop_a_finalized) is False  # the collector is off ...
            assert gc.isenabled()  # ... until the call ends
            assert seen == []
            deadline.call(Broken)
            assert [type(u.exc_value) for u in seen] == [KeyError]  # type: ignore[attr-defined]
            gc.disable()
            deadline.call(Finalized)
            assert not gc.isenabled()  # it was off already: left off
            gc.enable()
    finally:
        sys.unraisablehook = old
    assert sys.unraisablehook is old


def drop_a_finalized() -> bool:
    """Make and drop an object whose __del__ raises where nobody can catch it; is the collector on?"""
    Finalized()
    return gc.isenabled()


class Broken:
    def __del__(self) -> None:
        raise KeyError("from a finalizer")


def test_batched_calls_share_one_timer_and_a_hang_is_still_stopped() -> None:
    with Deadline(0.05) as deadline:
        with deadline.batch():
            assert [deadline.call(abs, -n) for n in range(1000)] == list(range(1000))
            # The timer ticks between calls too, and stops nothing there.
            total = 0
            for n in range(3_000_000):
                total += n
            # Nested: the outer batch's timer goes on.
            with deadline.batch(), pytest.raises(TargetHung, match=r"did not return within 0.05 s"):
                deadline.call(stubborn)
            assert deadline.call(sum, [1, 2]) == 3
        with pytest.raises(TargetHung):
            deadline.call(spin)  # the usual timer, once the batch is over
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_batch_without_an_interval_timer_changes_nothing() -> None:
    def run() -> int:
        with Deadline(0.05) as deadline, deadline.batch():
            with pytest.raises(TargetHung):
                deadline.call(spin)
            return deadline.call(sum, [1, 2])

    assert in_thread(run) == 3
