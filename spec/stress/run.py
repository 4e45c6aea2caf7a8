"""Running one stress scenario against a live target, and recording its history.

A scenario is a short sequential start (``prefix``) followed by a parallel
part: one list of operations per client, all clients at once.  Pushed items
are the numbers 1, 2, 3 ... in the order the scenario lists the pushes, so
every item is distinct and a scenario prints the same way every time.

* On threads (:func:`run_threads`), the start runs in the calling thread
  under the check's :class:`~spec._core.deadline.Deadline`; then one thread per
  client waits at a barrier and runs its operations.  The caller waits for
  them with a time limit, so a target that hangs is reported, and its stuck
  threads (daemons) are abandoned.
* On asyncio (:func:`run_asyncio`), everything runs as tasks of a fresh
  event loop whose ready callbacks run one at a time, in an order a
  ``choose`` function picks: the oracle draws it, so a run is reproducible
  from the choices.  The whole run has a time limit (an ``await`` that never
  ends) and runs under a :class:`~spec._core.deadline.Deadline` (a loop that
  never yields).

A call that raises what the contract does not allow (anything from
``push``; anything but :class:`IndexError` from ``pop`` and ``peek``) stops
the run with :class:`RunFailed`; a call that does not return in time stops
it with :class:`RunHung`.  Both carry the history recorded so far.

:class:`Ops` carries the contract options into a run: the method that plays
each part (awaited when it is a coroutine function), what signals "empty"
(recorded as the model's ``IndexError``), how item ``n`` is written under
``--items`` (``b'3'`` for bytes), and the factory's lifecycle: every run
makes its own instance and cleans it up when the run ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import threading
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from typing import Any

from spec._core.checker import TARGET_ERRORS, describe_exception
from spec._core.deadline import Deadline, TargetHung
from spec._core.lifecycle import Lifecycle, enter, enter_async
from spec._core.options import Method, Sentinel
from spec._core.program import literal
from spec.linearize import History, Raised, Recorder

__all__ = ["Call", "Ops", "RunFailed", "RunHung", "Scenario", "run_asyncio", "run_threads"]


# Client numbers: the sequential start is client 0, the parallel clients 1, 2 ...
_START = 0


@dataclass(frozen=True)
class Call:
    """One operation of a scenario: ``push`` with its item, or ``pop``/``peek``."""

    name: str
    item: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A sequential start, then one list of operation names per parallel client."""

    prefix: tuple[str, ...]
    clients: tuple[tuple[str, ...], ...]

    def calls(self) -> tuple[tuple[Call, ...], tuple[tuple[Call, ...], ...]]:
        """The start and the clients' calls, with pushes numbered 1, 2 ... in listing order."""
        items = iter(range(1, 1 + sum(len(ops) for ops in (self.prefix, *self.clients))))

        def call(name: str) -> Call:
            return Call(name, next(items) if name == "push" else None)

        return tuple(map(call, self.prefix)), tuple(tuple(map(call, ops)) for ops in self.clients)

    @property
    def size(self) -> int:
        """How many operations the scenario makes."""
        return len(self.prefix) + sum(map(len, self.clients))

    def program(self, name: str, var: str, together: str, ops: Ops | None = None) -> tuple[str, ...]:
        """The scenario as Python-like lines; ``together`` names what runs the clients (threads, tasks)."""
        ops = ops or Ops()
        start, clients = self.calls()
        made = ops.lifecycle.source(name)
        lines = [f"{var} = {made}", *(ops.source(c, var) for c in start), f"# then, at once, one {together} each:"]
        lines += [f"#   {n}: " + "; ".join(ops.source(c, var) for c in calls) for n, calls in enumerate(clients, 1)]
        return tuple(lines)


@dataclass(frozen=True)
class Ops:
    """How a run calls the target (see the module docstring); the default is the contract's own protocol."""

    methods: Mapping[str, Method] = field(default_factory=lambda: {op: Method(op) for op in ("push", "pop", "peek")})
    awaiting: frozenset[str] = frozenset()
    empty: tuple[type[BaseException], ...] = (IndexError,)
    sentinel: Sentinel | None = None
    item: Callable[[int], object] = int
    lifecycle: Lifecycle = Lifecycle.PLAIN

    def source(self, call: Call, var: str) -> str:
        """How ``call`` reads in Python under these options (``q.put(b'3')``)."""
        method = self.methods[call.name]
        args = [*method.args, *(() if call.item is None else (self.item(call.item),))]
        awaited = "await " if call.name in self.awaiting else ""
        return f"{awaited}{var}.{method.name}({', '.join(str(literal(arg)) for arg in args)})"

    def start(self, target: Any, call: Call) -> Any:
        """Call ``call`` on ``target``: its result, or the awaitable to await for it."""
        method = self.methods[call.name]
        args = (*method.args, *(() if call.item is None else (self.item(call.item),)))
        return getattr(target, method.name)(*args)

    def says_empty(self, output: object) -> bool:
        """``output`` (of pop or peek) is the empty sentinel."""
        return self.sentinel is not None and self.sentinel.matches(output)


class RunFailed(Exception):
    """The target raised what the contract does not allow; ``history`` is what ran until then."""

    history: History

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


class RunHung(Exception):
    """A call did not return in time; ``history`` shows it pending."""

    history: History

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


_EMPTY = Raised("IndexError")
_CLEANUP_ERRORS: tuple[type[BaseException], ...] = (*TARGET_ERRORS, TargetHung)


def _settle(call: Call, error: BaseException, var: str, client: int, ops: Ops) -> Raised:
    """The output of a call that raised ``error``; :class:`_Refused` if the contract forbids it."""
    if isinstance(error, ops.empty) and call.name != "push":
        return _EMPTY
    who = "the start" if client == _START else f"client {client}"
    raise _Refused(f"{ops.source(call, var)} ({who}) raised {describe_exception(error)}")


def _output(call: Call, output: object, ops: Ops) -> object:
    """What the history records for ``call`` returning ``output``: the empty sentinel is the model's empty."""
    return _EMPTY if call.name != "push" and ops.says_empty(output) else output


class _Refused(Exception):
    """A call raised something the contract does not allow (the message says what)."""


def run_threads(
    factory: Callable[[], Any], scenario: Scenario, deadline: Deadline, var: str, *, ops: Ops | None = None
) -> History:
    """Run ``scenario`` on threads against a fresh instance of ``factory``; return the history.

    Raises :class:`RunFailed` or :class:`RunHung` (see the module docstring).
    """
    ops = ops or Ops()
    recorder = Recorder()
    stack = ExitStack()
    try:
        history = _run_threads(recorder, stack, factory, scenario, deadline, var=var, ops=ops)
    except BaseException:
        # A run that already failed is reported as it failed, whatever its cleanup does.
        with contextlib.suppress(*_CLEANUP_ERRORS):
            deadline.call(stack.close)
        raise
    try:
        deadline.call(stack.close)
    except _CLEANUP_ERRORS as exc:
        raise RunFailed(f"cleaning up after the run raised {describe_exception(exc)}", recorder.history()) from None
    return history


def _run_threads(
    recorder: Recorder,
    stack: ExitStack,
    factory: Callable[[], Any],
    scenario: Scenario,
    deadline: Deadline,
    *,
    var: str,
    ops: Ops,
) -> History:
    start, clients = scenario.calls()
    seconds = deadline.seconds
    refused: list[str] = []
    try:
        target = _make(factory, deadline.call, lambda: enter(stack, factory, ops.lifecycle))
        for call in start:
            _call_sync(recorder, target, call, client=_START, var=var, run=deadline.call, ops=ops)
    except TargetHung as hung:
        raise RunHung(f"the start {hung}", recorder.history()) from None
    except _Refused as exc:
        raise RunFailed(str(exc), recorder.history()) from None
    barrier = threading.Barrier(len(clients))

    def client(number: int, calls: Sequence[Call]) -> None:
        try:
            barrier.wait()
            for call in calls:
                _call_sync(recorder, target, call, client=number, var=var, run=_direct, ops=ops)
        except _Refused as exc:
            refused.append(str(exc))

    workers = [
        threading.Thread(target=client, args=(n, calls), name=f"spec-stress-{n}", daemon=True)
        for n, calls in enumerate(clients, 1)
    ]
    for worker in workers:
        worker.start()
    allowed = None if seconds is None else seconds * max(map(len, clients))
    limit = None if allowed is None else time.monotonic() + allowed
    for worker in workers:
        worker.join(None if limit is None else max(0.0, limit - time.monotonic()))
    if any(worker.is_alive() for worker in workers):
        message = f"the clients did not finish within {allowed:g} s ({seconds:g} s a call)"
        raise RunHung(message, recorder.history())
    if refused:
        raise RunFailed(refused[0], recorder.history())
    return recorder.history()


def _direct(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _make(factory: Callable[[], Any], run: Callable[..., Any], make: Callable[[], Any]) -> Any:
    """A fresh target, ``run(make)``; :class:`_Refused` if making it raises."""
    try:
        return run(make)
    except TARGET_ERRORS as exc:
        name = getattr(factory, "__qualname__", repr(factory))
        raise _Refused(f"{name}() raised {describe_exception(exc)}") from None


def _call_sync(
    recorder: Recorder, target: Any, call: Call, *, client: int, var: str, run: Callable[..., Any], ops: Ops
) -> None:
    token = recorder.begin(client, call.name, None if call.item is None else ops.item(call.item))
    try:
        output = _output(call, run(ops.start, target, call), ops)
    except TARGET_ERRORS as exc:
        output = _settle(call, exc, var, client, ops)
    recorder.end(token, output)


class _ChosenOrderLoop(asyncio.SelectorEventLoop):
    """An event loop that runs its ready callbacks one at a time, in the order ``choose`` picks.

    Discussion: asyncio runs every callback made ready by ``call_soon`` (a
    task's next step, a future's done callbacks) in the order they were
    scheduled.  This loop holds them back instead and releases one per turn
    of the loop, the one at the index ``choose(number held)`` returns, so
    that which task runs next is the oracle's choice.  Timers and I/O are
    untouched (a time limit still fires).
    """

    _held: list[asyncio.Handle]
    _choose: Callable[[int], int]
    _releasing: bool
    failure: BaseException | None

    def __init__(self, choose: Callable[[int], int]) -> None:
        super().__init__()
        self._held = []
        self._choose = choose
        self._releasing = False
        self.failure = None

    def call_soon(  # type: ignore[override]
        self, callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        handle = asyncio.Handle(callback, args, self, context)
        self._held.append(handle)
        if not self._releasing:
            self._releasing = True
            super().call_soon(self._release)
        return handle

    def _release(self) -> None:
        live = [handle for handle in self._held if not handle.cancelled()]
        self._releasing = False
        self._held = live
        if not live:
            return
        try:
            index = self._choose(len(live))
        except BaseException as exc:
            # The chooser's own error (Hypothesis ran out of data, say) is
            # not the target's: stop the loop and hand it to the caller.
            self.failure = exc
            self.stop()
            return
        handle = live.pop(index)
        if live:
            self._releasing = True
            super().call_soon(self._release)
        handle._run()

    def unwind(self, seconds: float) -> None:
        """Cancel the tasks left and let them finish, in plain order (no more choices).

        A run that ended early (a time limit, the chooser's error) leaves
        tasks suspended in the target's code; closing the loop under them
        would run their cleanup (``async with`` exits) on a closed loop.
        """
        self._choose = _first
        if self._held and not self._releasing:
            self._releasing = True
            super().call_soon(self._release)
        tasks = [task for task in asyncio.all_tasks(self) if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            self.run_until_complete(asyncio.wait(tasks, timeout=seconds))


def _first(n: int) -> int:
    return 0


async def _made(factory: Callable[[], Any], making: Coroutine[Any, Any, Any]) -> Any:
    """The instance ``making`` makes; :class:`_Refused` if it raises."""
    try:
        return await making
    except (Exception, SystemExit) as exc:
        name = getattr(factory, "__qualname__", repr(factory))
        raise _Refused(f"{name}() raised {describe_exception(exc)}") from None


async def _limited(main: Callable[[], Coroutine[Any, Any, None]], seconds: float | None) -> None:
    # main() is made here, inside the loop, so that a run stopped before
    # this task starts leaves no coroutine that was never awaited.
    await asyncio.wait_for(main(), seconds)


def run_asyncio(
    factory: Callable[[], Any],
    scenario: Scenario,
    choose: Callable[[int], int],
    seconds: float | None,
    var: str,
    *,
    ops: Ops | None = None,
) -> History:
    """Run ``scenario`` as asyncio tasks, in the order ``choose`` picks; return the history.

    ``choose(n)`` returns an index in ``range(n)``: which of the ``n`` ready
    callbacks runs next.  Raises :class:`RunFailed` or :class:`RunHung`.
    """
    ops = ops or Ops()
    recorder = Recorder()
    start, clients = scenario.calls()

    async def client(number: int, calls: Sequence[Call], target: Any) -> None:
        for call in calls:
            token = recorder.begin(number, call.name, None if call.item is None else ops.item(call.item))
            try:
                output = ops.start(target, call)
                if inspect.isawaitable(output):
                    output = await output
                output = _output(call, output, ops)
            except (Exception, SystemExit) as exc:  # not GeneratorExit: it closes this coroutine
                output = _settle(call, exc, var, number, ops)
            recorder.end(token, output)

    async def main() -> None:
        async with AsyncExitStack() as stack:
            target = await _made(factory, enter_async(stack, factory, ops.lifecycle))
            await client(_START, start, target)
            await asyncio.gather(*(client(n, calls, target) for n, calls in enumerate(clients, 1)))

    limit = None if seconds is None else seconds * (1 + scenario.size)
    loop = _ChosenOrderLoop(choose)
    # A TargetHung raised into a callback that is not a task's step would be
    # logged by the loop and swallowed; the deadline fires again until a task
    # takes it.  Nothing else reaches the handler: tasks keep their errors.
    loop.set_exception_handler(lambda loop, context: None)
    try:
        with Deadline(None if limit is None else 2 * limit) as deadline:
            deadline.call(loop.run_until_complete, _limited(main, limit))
    except (TimeoutError, TargetHung):
        raise RunHung(f"the tasks did not finish within {limit:g} s", recorder.history()) from None
    except _Refused as exc:
        raise RunFailed(str(exc), recorder.history()) from None
    except RuntimeError as exc:
        # run_until_complete raises RuntimeError when the loop is stopped:
        # by the chooser's error, or by the target itself.
        if loop.failure is not None:
            raise loop.failure from None
        raise RunFailed(f"the event loop stopped: {exc}", recorder.history()) from None
    finally:
        try:
            loop.unwind(1.0 if limit is None else limit)
        finally:
            loop.close()
    return recorder.history()
