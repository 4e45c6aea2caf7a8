"""Running one stress scenario against a live target, and recording its history.

A scenario is a short sequential start (``prefix``) followed by a parallel
part: one list of operations per client, all clients at once.  Pushed items
are the numbers 1, 2, 3 ... in the order the scenario lists the pushes, so
every item is distinct and a scenario prints the same way every time.

Which operations exist, how each is called, what signals "empty", what the
items are and how an instance begins and ends is the
:class:`~spec.stress.driver.Driver`'s to say (the standard protocol by
default): every run makes its own instance, entered as the factory's
lifecycle says, and cleans it up when the run ends.  After the clients, one
more client drains the target (see :mod:`spec.stress.drain`), in the same
history.

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
``push``, ``len`` and ``bool``; anything but the empty signal from ``pop`` and
``peek``) stops the run with :class:`RunFailed`, and so does a cleanup that
raises; a call that does not return in time stops it with :class:`RunHung`.
Both carry the history recorded so far.  A run that failed is reported as it
failed, whatever its cleanup does.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import inspect
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass
from typing import Any

from spec._core import journal
from spec._core.checker import describe_exception
from spec._core.deadline import Deadline, TargetHung
from spec._core.lifecycle import enter, enter_async
from spec._core.program import guarded, show, type_name
from spec._core.signals import theirs
from spec.linearize import History, Raised, Recorder
from spec.stress.drain import describe, drain
from spec.stress.driver import EMPTY, STANDARD, Driver

__all__ = ["Call", "RunFailed", "RunHung", "Scenario", "cleaned_up", "run_asyncio", "run_threads"]

# Client numbers: the sequential start is client 0, the parallel clients 1, 2 ...
_START = 0


@dataclass(frozen=True)
class Call:
    """One operation of a scenario: ``push`` with its item, or ``pop``, ``peek``, ``len``, ``bool``."""

    name: str
    item: int | None = None

    def source(self, var: str, driver: Driver = STANDARD) -> str:
        """How the call reads in Python (``q.push(3)``, ``len(q)``, ``q.put(b'3')``)."""
        return driver.source(self.name, var, self.item)

    def input(self, driver: Driver) -> object:
        """What a history records as the call's input: the item pushed, in the driver's kind."""
        return None if self.item is None else driver.item(self.item)


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

    @property
    def pushes(self) -> int:
        """How many items the scenario pushes."""
        return sum(ops.count("push") for ops in (self.prefix, *self.clients))

    def program(
        self, name: str, var: str, together: str, driver: Driver = STANDARD, opens: bool = False
    ) -> tuple[str, ...]:
        """The scenario as Python-like lines; ``together`` names what runs the clients (threads, tasks).

        ``opens``: the factory takes the directory to open the target in.
        """
        start, clients = self.calls()
        made = f"{var} = {driver.lifecycle.source(name, 'directory' if opens else '')}"
        lines = [made, *(c.source(var, driver) for c in start), f"# then, at once, one {together} each:"]
        lines += [f"#   {n}: " + "; ".join(c.source(var, driver) for c in calls) for n, calls in enumerate(clients, 1)]
        lines.append(f"# then, all done, client {len(clients) + 1} drains it: {describe(driver, var)}")
        return tuple(lines)


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


def _settle(call: Call, error: BaseException, var: str, client: int, driver: Driver) -> tuple[Raised, str]:
    """The output of a call that raised ``error``, and why the contract forbids it ("" if it allows it).

    The empty signal of ``pop`` and ``peek`` is recorded as the model's,
    ``IndexError``, whatever its type.
    """
    if call.name in ("pop", "peek") and driver.is_empty(error):
        return EMPTY, ""
    raised = Raised(type_name(error))
    who = "the start" if client == _START else f"client {client}"
    return raised, f"{call.source(var, driver)} ({who}) raised {describe_exception(error)}"


class _Refused(Exception):
    """A call raised something the contract does not allow (the message says what)."""


def _closing_error(stack: ExitStack, deadline: Deadline) -> BaseException | None:
    """What closing ``stack`` under ``deadline`` raised (its hang included), if anything."""
    try:
        deadline.call(stack.close)
    except TargetHung as exc:
        return exc
    except BaseException as exc:
        return theirs(exc)
    return None


def cleaned_up(stack: ExitStack, deadline: Deadline, run: Callable[[], History]) -> History:
    """``run()``, then ``stack`` closed under ``deadline``: the cleanup of the run's instance.

    A cleanup that raises is a :class:`RunFailed`, one that hangs a
    :class:`RunHung`, with the run's history; a run that failed is reported as it failed, its cleanup's
    errors aside.
    """
    try:
        result = run()
    except BaseException:
        _closing_error(stack, deadline)
        raise
    error = _closing_error(stack, deadline)
    if isinstance(error, TargetHung):
        raise RunHung(f"cleaning up after the run {error}", result) from None
    if error is not None:
        raise RunFailed(f"cleaning up after the run raised {describe_exception(error)}", result) from None
    return result


class _Foreign:
    """An output that is not a plain built-in value (items pushed are ints): judged by its text.

    The target's object is rendered once, safely, where it comes back; the
    linearizability check compares this stand-in, which equals nothing,
    instead of running the object's own ``__eq__``.
    """

    __slots__ = ("text",)

    def __init__(self, value: object) -> None:
        self.text = show(value)

    def __repr__(self) -> str:
        return self.text


# Outputs whose equality and hash are Python's own, never the target's code:
# items, lengths, truth values (exact types: a subclass may override __eq__).
_PLAIN = frozenset({int, bool, float, str, bytes, type(None)})


def _own(output: object) -> object:
    return output if type(output) in _PLAIN else _Foreign(output)


def _recorded(driver: Driver, operation: str, value: object) -> object:
    """What the history records for ``operation`` returning ``value``: the empty signal, a plain value, or its text."""
    output = driver.output(operation, value)
    return output if output is EMPTY else _own(output)


def run_threads(
    factory: Callable[[], Any], scenario: Scenario, deadline: Deadline, var: str, *, driver: Driver = STANDARD
) -> History:
    """Run ``scenario`` on threads against a fresh instance of ``factory``, then drain it; return the history.

    Raises :class:`RunFailed` or :class:`RunHung` (see the module docstring).
    """
    stack = ExitStack()
    run = functools.partial(_run_threads, stack, factory, scenario, deadline, var=var, driver=driver)
    return cleaned_up(stack, deadline, run)


def _run_threads(
    stack: ExitStack,
    factory: Callable[[], Any],
    scenario: Scenario,
    deadline: Deadline,
    *,
    var: str,
    driver: Driver,
) -> History:
    recorder = Recorder()
    start, clients = scenario.calls()
    seconds = deadline.seconds
    refused: list[str] = []
    try:
        target = _make(factory, deadline.call, lambda: enter(stack, factory, driver.lifecycle))
        for call in start:
            _call_sync(recorder, target, call, client=_START, var=var, run=deadline.call, driver=driver)
    except TargetHung as hung:
        raise RunHung(f"the start {hung}", recorder.history()) from None
    except _Refused as exc:
        raise RunFailed(str(exc), recorder.history()) from None
    barrier = threading.Barrier(len(clients))

    def client(number: int, calls: Sequence[Call]) -> None:
        # Nothing may end this thread with an exception: the call would stay
        # pending in the history, and Python would print the traceback.
        try:
            barrier.wait()
            for call in calls:
                _call_sync(recorder, target, call, client=number, var=var, run=_direct, driver=driver)
        except _Refused as exc:
            refused.append(str(exc))
        except BaseException as exc:  # the oracle's own signals included: none is meant for this thread
            refused.append(f"client {number} stopped: {describe_exception(exc)}")

    workers = [
        threading.Thread(target=client, args=(n, calls), name=f"spec-stress-{n}", daemon=True)
        for n, calls in enumerate(clients, 1)
    ]
    allowed = None if seconds is None else seconds * max(map(len, clients))
    # Before any client runs: a client that takes the GIL for good stops this
    # thread too, and the supervising process must know that it is waiting.
    journal.note_call(allowed)
    for worker in workers:
        worker.start()
    limit = None if allowed is None else time.monotonic() + allowed
    for worker in workers:
        worker.join(None if limit is None else max(0.0, limit - time.monotonic()))
    journal.note_return()
    if any(worker.is_alive() for worker in workers):
        message = f"the clients did not finish within {allowed:g} s ({seconds:g} s a call)"
        raise RunHung(message, recorder.history())
    if refused:
        raise RunFailed(refused[0], recorder.history())
    try:
        _drain_sync(recorder, target, scenario, var=var, run=deadline.call, driver=driver)
    except TargetHung as hung:
        raise RunHung(f"the drain {hung}", recorder.history()) from None
    except _Refused as exc:
        raise RunFailed(str(exc), recorder.history()) from None
    return recorder.history()


def _drain_sync(
    recorder: Recorder, target: Any, scenario: Scenario, *, var: str, run: Callable[..., Any], driver: Driver
) -> None:
    client = len(scenario.clients) + 1
    plan = drain(driver, scenario.pushes)
    with contextlib.suppress(StopIteration):
        name = next(plan)
        while True:
            name = plan.send(_call_sync(recorder, target, Call(name), client=client, var=var, run=run, driver=driver))


def _direct(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _make(factory: Callable[..., Any], run: Callable[..., Any], make: Callable[[], Any]) -> Any:
    """A fresh target, ``run(make)``; :class:`_Refused` if making it raises."""
    try:
        return run(make)
    except BaseException as exc:
        error = theirs(exc)
        raise _Refused(f"{_name(factory)}() raised {describe_exception(error)}") from None


def _name(factory: Callable[..., Any]) -> str:
    return guarded(getattr, factory, "__qualname__", None, default=None) or show(factory)


def _call_sync(
    recorder: Recorder, target: Any, call: Call, *, client: int, var: str, run: Callable[..., Any], driver: Driver
) -> object:
    token = recorder.begin(client, call.name, call.input(driver))
    refused = ""
    try:
        output = _recorded(driver, call.name, run(driver.call, call.name, target, call.item))
    except BaseException as exc:
        output, refused = _settle(call, theirs(exc), var, client, driver)
    recorder.end(token, output)
    if refused:
        raise _Refused(refused)
    return output


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


async def _made(factory: Callable[..., Any], making: Coroutine[Any, Any, Any]) -> Any:
    """The instance ``making`` makes; :class:`_Refused` if it raises."""
    try:
        return await making
    except (GeneratorExit, asyncio.CancelledError):  # this task is being closed or cancelled
        raise
    except BaseException as exc:
        error = theirs(exc)
        raise _Refused(f"{_name(factory)}() raised {describe_exception(error)}") from None


async def _aclosing_error(stack: AsyncExitStack) -> BaseException | None:
    """What closing ``stack`` raised, if anything."""
    try:
        await stack.aclose()
    except (GeneratorExit, asyncio.CancelledError):
        raise
    except BaseException as exc:
        return theirs(exc)
    return None


async def _cleaned_up_async(run: Callable[[AsyncExitStack], Coroutine[Any, Any, None]]) -> None:
    """:func:`cleaned_up`, on the run's event loop: ``run(stack)``, then ``stack`` closed.

    A cleanup that raises is :class:`_Refused`, once the run went well.
    """
    stack = AsyncExitStack()
    try:
        await run(stack)
    except BaseException:
        await _aclosing_error(stack)
        raise
    error = await _aclosing_error(stack)
    if error is not None:
        raise _Refused(f"cleaning up after the run raised {describe_exception(error)}") from None


async def _limited(main: Callable[[], Coroutine[Any, Any, None]], seconds: float | None) -> None:
    # main() is made here, inside the loop, so that a run stopped before
    # this task starts leaves no coroutine that was never awaited.
    await asyncio.wait_for(main(), seconds)


async def _call_async(recorder: Recorder, target: Any, call: Call, *, client: int, var: str, driver: Driver) -> object:
    """:func:`_call_sync` for a task: the call is awaited when it gives an awaitable."""
    token = recorder.begin(client, call.name, call.input(driver))
    try:
        output = driver.call(call.name, target, call.item)
        if inspect.isawaitable(output):
            output = await output
        output = _recorded(driver, call.name, output)
    except (GeneratorExit, asyncio.CancelledError):  # this task is being closed or cancelled
        raise
    except BaseException as exc:
        output, refused = _settle(call, theirs(exc), var, client, driver)
        if refused:
            recorder.end(token, output)
            raise _Refused(refused) from None
    recorder.end(token, output)
    return output


def run_asyncio(
    factory: Callable[[], Any],
    scenario: Scenario,
    choose: Callable[[int], int],
    seconds: float | None,
    var: str,
    *,
    driver: Driver = STANDARD,
) -> History:
    """Run ``scenario`` as asyncio tasks, in the order ``choose`` picks, then drain; return the history.

    ``choose(n)`` returns an index in ``range(n)``: which of the ``n`` ready
    callbacks runs next.  Raises :class:`RunFailed` or :class:`RunHung`.
    """
    recorder = Recorder()
    start, clients = scenario.calls()

    def one(number: int, call: Call, target: Any) -> Coroutine[Any, Any, object]:
        return _call_async(recorder, target, call, client=number, var=var, driver=driver)

    async def client(number: int, calls: Sequence[Call], target: Any) -> None:
        for call in calls:
            await one(number, call, target)

    async def run(stack: AsyncExitStack) -> None:
        target = await _made(factory, enter_async(stack, factory, driver.lifecycle))
        await client(_START, start, target)
        await asyncio.gather(*(client(n, calls, target) for n, calls in enumerate(clients, 1)))
        plan = drain(driver, scenario.pushes)
        with contextlib.suppress(StopIteration):
            name = next(plan)
            while True:
                name = plan.send(await one(len(clients) + 1, Call(name), target))

    # Each call has its time limit: the scenario's, the start's, and the drain's (at most 5 more than pushes).
    limit = None if seconds is None else seconds * (1 + scenario.size + scenario.pushes + 5)
    _on_chosen_loop(functools.partial(_cleaned_up_async, run), choose, limit, recorder)
    return recorder.history()


def _on_chosen_loop(
    main: Callable[[], Coroutine[Any, Any, None]], choose: Callable[[int], int], limit: float | None, recorder: Recorder
) -> None:
    """Run ``main()`` on a :class:`_ChosenOrderLoop` within ``limit`` seconds; ``recorder`` holds the history so far.

    Raises :class:`RunFailed` or :class:`RunHung`, or the chooser's own error.
    """
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
