"""Making target instances, cleaning up after them, and driving async ones on an event loop.

A factory is called once per instance.  What it returns is the instance,
unless the factory says it needs cleaning up:

* a **generator function** (as a pytest fixture): it yields the instance and
  cleans up after the ``yield``;
* an **async generator function**: the same, on the program's event loop;
* a factory returning a **context manager** (or an async one): it is entered,
  its ``__enter__()`` (``__aenter__()``) is the instance, and it is exited
  afterwards.

A :class:`Session` holds the instances of one program and exits them, last
made first, when the program ends, exactly as the snippets the oracle prints
do: those run inside ``with ExitStack() as stack:``.  A target whose
operations are coroutine functions (or whose factory is async) is driven on an
event loop of the session's own: one loop per program, made when the program
starts and closed when it ends, never one per call, since some libraries
(janus) bind a queue to the first loop that uses it.  Its snippets are the
body of ``async def program()``, run with ``asyncio.run(program())``.

:func:`temporary_directory` gives a factory a fresh directory per instance and
removes it afterwards, whatever is left in it::

    def disk_queue():
        with spec.temporary_directory() as path:
            q = FifoDiskQueue(str(path / "q"))
            yield q
            q.close()
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import shutil
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

__all__ = ["UNMADE", "Lifecycle", "Session", "enclosure", "enter", "enter_async", "lifecycle_of", "temporary_directory"]


class Lifecycle(enum.Enum):
    """How a factory's instances begin and end (see the module docstring)."""

    PLAIN = "plain"
    GENERATOR = "generator"
    ASYNC_GENERATOR = "async generator"
    CONTEXT = "context manager"
    ASYNC_CONTEXT = "async context manager"

    @property
    def is_async(self) -> bool:
        """Whether entering and leaving an instance needs an event loop."""
        return self in (Lifecycle.ASYNC_GENERATOR, Lifecycle.ASYNC_CONTEXT)

    def source(self, name: str, args: str = "") -> str:
        """How a snippet makes an instance by calling the factory ``name`` with ``args`` (inside :func:`enclosure`)."""
        return {
            Lifecycle.PLAIN: f"{name}({args})",
            Lifecycle.GENERATOR: f"stack.enter_context(contextmanager({name})({args}))",
            Lifecycle.ASYNC_GENERATOR: f"await stack.enter_async_context(asynccontextmanager({name})({args}))",
            Lifecycle.CONTEXT: f"stack.enter_context({name}({args}))",
            Lifecycle.ASYNC_CONTEXT: f"await stack.enter_async_context({name}({args}))",
        }[self]


def lifecycle_of(factory: Callable[[], Any], made: object = None) -> Lifecycle:
    """The lifecycle of ``factory``'s instances; ``made`` is what one call of it returned.

    Generator functions are told apart by the function; context managers by
    the type of what the call returned.
    """
    if inspect.isasyncgenfunction(factory):
        return Lifecycle.ASYNC_GENERATOR
    if inspect.isgeneratorfunction(factory):
        return Lifecycle.GENERATOR
    kind = type(made)
    if hasattr(kind, "__aenter__") and hasattr(kind, "__aexit__"):
        return Lifecycle.ASYNC_CONTEXT
    if hasattr(kind, "__enter__") and hasattr(kind, "__exit__"):
        return Lifecycle.CONTEXT
    return Lifecycle.PLAIN


def enclosure(lifecycle: Lifecycle, on_loop: bool) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What a snippet needs around its statements: imports, the lines before, the lines after.

    The statements go indented under the lines before (see
    :meth:`~spec._core.program.Program.enclose`).
    """
    imports: list[str] = []
    before: list[str] = []
    after: list[str] = []
    if on_loop:
        imports.append("import asyncio")
        before.append("async def program():")
        after.append("asyncio.run(program())")
    if lifecycle is not Lifecycle.PLAIN:
        stack = "AsyncExitStack" if on_loop else "ExitStack"
        needed = {
            Lifecycle.GENERATOR: ["contextmanager"],
            Lifecycle.ASYNC_GENERATOR: ["asynccontextmanager"],
        }.get(lifecycle, [])
        imports.append(f"from contextlib import {', '.join(sorted([stack, *needed]))}")
        before.append(f"{'    ' * len(before)}{'async ' if on_loop else ''}with {stack}() as stack:")
    return tuple(imports), tuple(before), tuple(after)


class Session:
    """The instances of one program, and its event loop when it runs on one.

    ``make()`` makes an instance; ``run(fn, *args)`` calls into the target
    (on the loop, when there is one, awaiting the result when ``awaiting``);
    ``close()`` cleans up every instance made, last first, and may raise what
    the cleanup raises; ``shutdown()`` then closes the loop.  The calls are
    the caller's to put under a time limit.
    """

    factory: Callable[[], Any]
    lifecycle: Lifecycle
    loop: asyncio.AbstractEventLoop | None
    _stack: ExitStack | AsyncExitStack

    def __init__(self, factory: Callable[[], Any], lifecycle: Lifecycle, *, on_loop: bool) -> None:
        self.factory = factory
        self.lifecycle = lifecycle
        self.loop = asyncio.new_event_loop() if on_loop or lifecycle.is_async else None
        self._stack = AsyncExitStack() if self.loop is not None else ExitStack()

    def run(self, fn: Callable[..., Any], *args: Any, awaiting: bool = False) -> Any:
        """``fn(*args)``, awaited when ``awaiting``; on the session's loop if it has one."""
        if self.loop is None:
            return fn(*args)

        async def step() -> Any:
            result = fn(*args)
            return (await result) if awaiting else result

        return self._on_loop(step())

    def make(self) -> Any:
        """A new instance: the factory called, and entered as its lifecycle says."""
        return self.adopt(UNMADE)

    def adopt(self, made: object) -> Any:
        """The instance that ``made``, what one call of the factory returned, gives (see :func:`enter`).

        Pass :data:`UNMADE` to call the factory here (inside the loop, when there is one).
        """
        stack = self._stack
        if isinstance(stack, AsyncExitStack):
            return self._on_loop(enter_async(stack, self.factory, self.lifecycle, made))
        return enter(stack, self.factory, self.lifecycle, made)

    def close(self) -> None:
        """Clean up every instance made, last first (the factories' code after ``yield``, ``__exit__``)."""
        stack = self._stack
        if isinstance(stack, AsyncExitStack):
            self._on_loop(stack.aclose())
        else:
            stack.close()

    def shutdown(self) -> None:
        """Close the loop, cancelling what a stopped call left running on it."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            tasks = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.wait(tasks, timeout=1.0))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def _on_loop(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        assert self.loop is not None
        return self.loop.run_until_complete(coroutine)


UNMADE: Any = object()
"""Passed as ``made`` when the factory has not been called yet."""


def enter(stack: ExitStack, factory: Callable[[], Any], lifecycle: Lifecycle, made: object = UNMADE) -> Any:
    """An instance of ``factory``, entered on ``stack`` as ``lifecycle`` (not an async one) says.

    ``made`` is what a call of the factory already returned, if it was called
    (for plain factories and those returning a context manager).
    """
    assert not lifecycle.is_async, lifecycle
    if lifecycle is Lifecycle.GENERATOR:
        return stack.enter_context(contextmanager(factory)())
    if made is UNMADE:
        made = factory()
    return stack.enter_context(made) if lifecycle is Lifecycle.CONTEXT else made  # type: ignore[arg-type]


async def enter_async(
    stack: AsyncExitStack, factory: Callable[[], Any], lifecycle: Lifecycle, made: object = UNMADE
) -> Any:
    """:func:`enter` on a running event loop, for every lifecycle."""
    if lifecycle is Lifecycle.ASYNC_GENERATOR:
        return await stack.enter_async_context(asynccontextmanager(factory)())
    if lifecycle is Lifecycle.GENERATOR:
        return stack.enter_context(contextmanager(factory)())
    if made is UNMADE:
        made = factory()
    if lifecycle is Lifecycle.ASYNC_CONTEXT:
        return await stack.enter_async_context(made)  # type: ignore[arg-type]
    return stack.enter_context(made) if lifecycle is Lifecycle.CONTEXT else made  # type: ignore[arg-type]


@contextmanager
def temporary_directory() -> Iterator[Path]:
    """A fresh, empty directory; removed with everything in it when the block ends.

    Removing it is quiet when something already did (a store that deletes
    its own directory when closed empty, as queuelib's disk queues do: give
    them a path *inside* this directory).
    """
    path = Path(tempfile.mkdtemp(prefix="spec-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
