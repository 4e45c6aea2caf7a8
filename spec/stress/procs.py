"""Running one stress scenario with each client in a process of its own.

What processes share is either an object handed to them when they start
(a ``multiprocessing.Queue``, a manager's proxy) or a place they all open
(a file, an SQLite database).  So the target is one of:

* a zero-argument factory (shared): the parent makes the instance (entered
  as the factory's lifecycle says, and cleaned up after the run), runs the
  start on it and hands it to every client process as it starts
  (pickled as ``multiprocessing`` pickles a process's arguments, which is
  how its queues and locks may be shared);
* a factory taking a directory (opened): every run gets a new
  temporary directory; the parent opens the target there, and so does
  every client process, each its own handle onto the same storage (each
  entered, and cleaned up when its calls are done, as the factory's
  lifecycle says).

The clients start together at a barrier; each one stamps every call and
return with ``time.monotonic_ns()`` (one clock for every process on Linux
and macOS) and sends both, as they happen, to the parent through a pipe.
A client that does not finish in time is killed, its last call left
pending; one that dies is reported with its exit code.  With every client
done, the parent drains the target through its own instance (see
:mod:`spec.stress.drain`) and returns the whole history: its own calls
and the clients', merged on that clock.

Processes start with the ``forkserver`` method where there is one (a
fork of a server that has imported this module: milliseconds), else with
``spawn``; everything they get is pickled, so either works.  A target
named by a ``TARGET`` string is found again, from the string, in each
client; one given as an object must pickle (by reference: a module-level
class or function, or a :func:`functools.partial` of one).
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import multiprocessing.connection
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from spec._core.checker import describe_exception
from spec._core.deadline import Deadline, TargetHung
from spec._core.lifecycle import enter
from spec._core.signals import theirs
from spec._core.target import resolve_target
from spec.linearize import History, Operation, Recorder
from spec.stress.driver import Driver
from spec.stress.run import (
    Call,
    RunFailed,
    RunHung,
    Scenario,
    _call_sync,
    _drain_sync,
    _make,
    _recorded,
    _Refused,
    _settle,
    cleaned_up,
)

__all__ = ["START_METHOD", "Target", "context", "opener", "run_processes"]

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
"""How client processes start (see the module docstring)."""

STARTUP_SECONDS = 60.0
"""How long client processes may take to start and open the target (beyond the per-call limit)."""

GRACE_SECONDS = 1.0
"""How long clients left running when a run stops early may take to end before they are killed."""

_START = 0


@dataclass(frozen=True)
class Target:
    """What a client process needs to reach the target.

    ``recipe`` is the ``TARGET`` string (found again in the client) or the
    factory itself (pickled); ``root`` is ``None`` for a shared target,
    else the directory under which each run opens one in a new
    subdirectory; ``label`` names the factory in messages.
    """

    recipe: object
    root: str | None
    label: str

    def factory(self) -> Callable[..., Any]:
        """The factory, in the process that calls this."""
        if isinstance(self.recipe, str):
            return resolve_target(self.recipe)[0]  # type: ignore[return-value]
        return self.recipe  # type: ignore[return-value]


def context() -> multiprocessing.context.BaseContext:
    """The ``multiprocessing`` context client processes start from (see :data:`START_METHOD`)."""
    ctx = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        # Has an effect only until the server starts: the clients are then
        # forks of a process that has imported this module already.
        ctx.set_forkserver_preload([__name__])
    return ctx


def opener(factory: Callable[..., Any], place: str) -> Callable[[], Any]:
    """``factory`` bound to the directory ``place``, keeping its name for messages.

    A :func:`functools.partial`, so that a generator function stays one (see
    :func:`~spec._core.lifecycle.lifecycle_of`).
    """
    bound = functools.partial(factory, place)
    bound.__qualname__ = getattr(factory, "__qualname__", repr(factory))  # type: ignore[attr-defined]
    return bound


def run_processes(target: Target, scenario: Scenario, deadline: Deadline, var: str, *, driver: Driver) -> History:
    """Run ``scenario`` with one process per client, then drain; return the history.

    Raises :class:`~spec.stress.run.RunFailed` (a call raised what the
    contract forbids, a factory raised, a client process died) or
    :class:`~spec.stress.run.RunHung`.
    """
    stack = ExitStack()
    run = functools.partial(_run, stack, target, scenario, deadline, var=var, driver=driver)
    return cleaned_up(stack, deadline, run)


def _run(
    stack: ExitStack,
    target: Target,
    scenario: Scenario,
    deadline: Deadline,
    *,
    var: str,
    driver: Driver,
) -> History:
    recorder = Recorder(clock=time.monotonic_ns)
    start, clients = scenario.calls()
    factory = target.factory()
    place = None if target.root is None else tempfile.mkdtemp(dir=target.root)
    made = factory if place is None else opener(factory, place)
    try:
        instance = _make(factory, deadline.call, lambda: enter(stack, made, driver.lifecycle))
        for call in start:
            _call_sync(recorder, instance, call, client=_START, var=var, run=deadline.call, driver=driver)
    except TargetHung as hung:
        raise RunHung(f"the start {hung}", recorder.history()) from None
    except _Refused as exc:
        raise RunFailed(str(exc), recorder.history()) from None
    handed = instance if place is None else None
    events = _Clients(
        target=target, clients=clients, handed=handed, place=place, var=var, driver=driver, seconds=deadline.seconds
    )
    refused = events.run()

    def history() -> History:
        return History([*recorder.history(), *events.operations()])

    if events.hung is not None:
        raise RunHung(events.hung, history())
    if refused is not None:
        raise RunFailed(refused, history())
    try:
        _drain_sync(recorder, instance, scenario, var=var, run=deadline.call, driver=driver)
    except TargetHung as hung:
        raise RunHung(f"the drain {hung}", history()) from None
    except _Refused as exc:
        raise RunFailed(str(exc), history()) from None
    return history()


class _Clients:
    """The client processes of one run, and the events they send."""

    hung: str | None

    def __init__(
        self,
        *,
        target: Target,
        clients: Sequence[Sequence[Call]],
        handed: object,
        place: str | None,
        var: str,
        driver: Driver,
        seconds: float | None,
    ) -> None:
        self.clients = clients
        self.driver = driver
        self.seconds = seconds
        self.hung = None
        self._done: set[int] = set()
        self._calls: dict[tuple[int, int], int] = {}
        self._returns: dict[tuple[int, int], tuple[int, object]] = {}
        ctx = context()
        # Held here until the run ends: Process.start() drops its arguments,
        # and a barrier collected before a client unpickles it is gone.
        self._barrier = barrier = ctx.Barrier(len(clients))
        self._pipes = [ctx.Pipe(duplex=False) for _ in clients]
        self._procs = [
            ctx.Process(  # type: ignore[attr-defined]
                target=_client,
                kwargs={
                    "pipe": writer,
                    "target": target,
                    "handed": handed,
                    "place": place,
                    "number": number,
                    "calls": tuple(calls),
                    "var": var,
                    "driver": driver,
                    "barrier": barrier,
                },
                name=f"spec-stress-{number}",
                daemon=True,
            )
            for number, ((_, writer), calls) in enumerate(zip(self._pipes, clients, strict=True), 1)
        ]

    def run(self) -> str | None:
        """Start the clients and gather their events; why the run failed, if it did (see :attr:`hung`)."""
        try:
            for proc in self._procs:
                try:
                    proc.start()
                except BaseException as exc:  # the handed instance does not pickle (its __reduce__ is target code)
                    return f"handing the target to a client process raised {describe_exception(theirs(exc))}"
            for _, writer in self._pipes:
                writer.close()  # the clients hold them now: a reader sees EOF when its client ends
            return self._gather()
        finally:
            self._stop()

    def _gather(self) -> str | None:
        """Read events until every client is done; stop at the first refusal, death or hang.

        The time limit starts as :data:`STARTUP_SECONDS` plus one call, for
        starting and opening; once every client is ready, it is one call's
        limit per call of the longest client.
        """
        readers = {reader: number for number, (reader, _) in enumerate(self._pipes, 1)}
        ready: set[int] = set()
        allowed = STARTUP_SECONDS + (self.seconds or 0.0)
        limit = time.monotonic() + allowed
        while readers:
            remaining = None if limit == math.inf else max(limit - time.monotonic(), 0.0)
            found = multiprocessing.connection.wait(list(readers), remaining)
            if not found:
                started = len(ready) == len(self.clients)
                self.hung = (
                    f"the clients did not finish within {allowed:g} s ({self.seconds:g} s a call)"
                    if started
                    else f"the client processes did not start within {allowed:g} s"
                )
                return None
            for reader in found:
                assert isinstance(reader, multiprocessing.connection.Connection)
                number = readers[reader]
                try:
                    event = reader.recv()
                except EOFError:
                    del readers[reader]
                    if number not in self._done:
                        proc = self._procs[number - 1]
                        proc.join()
                        return f"client {number}'s process ended (exit code {proc.exitcode}) before it finished"
                    continue
                kind = event[0]
                if kind == "refused":
                    return str(event[1])
                if kind == "ready":
                    ready.add(number)
                    if len(ready) == len(self.clients):
                        allowed = math.inf if self.seconds is None else self.seconds * max(map(len, self.clients))
                        limit = time.monotonic() + allowed
                elif kind == "call":
                    self._calls[number, event[1]] = event[2]
                elif kind == "return":
                    self._returns[number, event[1]] = (event[2], event[3])
                else:
                    self._done.add(number)
        return None

    def _stop(self) -> None:
        """End every client: those waiting at the barrier are let go, those stuck in the target killed.

        Discussion: a run that stops early (a refusal, a death, a hang)
        leaves the other clients running.  Breaking the barrier lets those
        that wait there end by themselves, and those still making their
        calls get a moment to finish, so that a process is killed only when
        it is stuck (not, say, while it writes a file on its way out).
        """
        self._barrier.abort()
        limit = time.monotonic() + GRACE_SECONDS
        for proc in self._procs:
            if proc.pid is not None:
                proc.join(max(limit - time.monotonic(), 0.0))
                if proc.is_alive():
                    proc.kill()
                    proc.join()
                proc.close()
        for reader, _ in self._pipes:
            reader.close()

    def operations(self) -> list[Operation]:
        """The clients' calls so far (a call that never returned is pending)."""
        ops = []
        for (number, index), called in sorted(self._calls.items()):
            call = self.clients[number - 1][index]
            ret, output = self._returns.get((number, index), (None, None))
            ops.append(Operation(number, call.name, call.input(self.driver), output, called, ret))
        return ops


def _client(
    *,
    pipe: multiprocessing.connection.Connection,
    target: Target,
    handed: object,
    place: str | None,
    number: int,
    calls: tuple[Call, ...],
    var: str,
    driver: Driver,
    barrier: Any,
) -> None:
    """One client process: reach the target, wait for the others, make the calls, report each.

    A handle it opened is cleaned up when it is done, as the factory's
    lifecycle says; a cleanup that raises is reported like a call that does.
    """
    with ExitStack() as stack:
        try:
            instance = handed if place is None else enter(stack, opener(target.factory(), place), driver.lifecycle)
        except BaseException as exc:
            error = theirs(exc)
            pipe.send(("refused", f"{target.label}({place!r}) raised {describe_exception(error)} in client {number}"))
            return
        pipe.send(("ready",))
        try:
            barrier.wait()
        except threading.BrokenBarrierError:  # the run stopped before every client was ready
            return
        for index, call in enumerate(calls):
            pipe.send(("call", index, time.monotonic_ns()))
            try:
                # What goes back is the empty signal, a plain value or its
                # safe rendering (see spec.stress.run._own): it always pickles.
                output = _recorded(driver, call.name, driver.call(call.name, instance, call.item))
            except BaseException as exc:
                output, refused = _settle(call, theirs(exc), var, number, driver)
                if refused:
                    pipe.send(("refused", refused))
                    return
            returned = time.monotonic_ns()
            pipe.send(("return", index, returned, output))
        try:
            stack.close()
        except BaseException as exc:
            error = theirs(exc)
            pipe.send(("refused", f"cleaning up after client {number}'s calls raised {describe_exception(error)}"))
            return
    pipe.send(("done",))
