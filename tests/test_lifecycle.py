"""Factories with a lifecycle: entered before a program, cleaned up after it; an event loop per program."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, ExitStack
from pathlib import Path
from types import TracebackType

import pytest

import spec
from spec._core.lifecycle import UNMADE, Lifecycle, Session, enclosure, enter, lifecycle_of

LOG: list[str] = []


def plain() -> list[str]:
    LOG.append("made")
    return []


def generator() -> Iterator[list[str]]:
    LOG.append("enter")
    yield []
    LOG.append("exit")


async def async_generator() -> AsyncIterator[list[str]]:
    LOG.append("enter")
    await asyncio.sleep(0)
    yield []
    LOG.append("exit")


class Managed(AbstractContextManager["Managed"]):
    def __enter__(self) -> Managed:
        LOG.append("enter")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        LOG.append("exit")


class AsyncManaged(AbstractAsyncContextManager["AsyncManaged"]):
    async def __aenter__(self) -> AsyncManaged:
        LOG.append("enter")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        LOG.append("exit")


@pytest.fixture(autouse=True)
def _clear_log() -> None:
    LOG.clear()


@pytest.mark.parametrize(
    ("factory", "lifecycle"),
    [
        (plain, Lifecycle.PLAIN),
        (generator, Lifecycle.GENERATOR),
        (async_generator, Lifecycle.ASYNC_GENERATOR),
        (Managed, Lifecycle.CONTEXT),
        (AsyncManaged, Lifecycle.ASYNC_CONTEXT),
    ],
)
def test_every_lifecycle_is_entered_and_cleaned_up_last_first(factory: object, lifecycle: Lifecycle) -> None:
    assert callable(factory)
    made = UNMADE if lifecycle in (Lifecycle.GENERATOR, Lifecycle.ASYNC_GENERATOR) else factory()
    assert lifecycle_of(factory, made) is lifecycle
    session = Session(factory, lifecycle, on_loop=False)
    assert (session.loop is not None) is lifecycle.is_async
    first = session.adopt(made)
    second = session.make()
    assert first is not second
    session.close()
    session.shutdown()
    session.shutdown()  # twice is harmless
    if lifecycle is Lifecycle.PLAIN:
        assert LOG == ["made", "made"]
    else:
        assert LOG == ["enter", "enter", "exit", "exit"]


def test_a_session_on_a_loop_runs_every_call_there_and_awaits_coroutines() -> None:
    session = Session(asyncio.Queue, Lifecycle.PLAIN, on_loop=True)
    q = session.make()
    session.run(q.put, 1, awaiting=True)
    assert session.run(q.get_nowait) == 1
    assert session.run(asyncio.get_running_loop) is session.loop
    session.close()
    session.shutdown()
    assert session.loop is not None
    assert session.loop.is_closed()


def test_shutdown_cancels_what_a_stopped_call_left_running() -> None:
    session = Session(plain, Lifecycle.PLAIN, on_loop=True)
    assert session.loop is not None
    cancelled: list[bool] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    session.loop.create_task(forever())
    session.run(asyncio.sleep, 0, awaiting=True)  # the task starts and waits
    session.shutdown()
    assert cancelled == [True]


def test_a_sync_lifecycle_on_a_loop_is_entered_there() -> None:
    session = Session(generator, Lifecycle.GENERATOR, on_loop=True)
    session.make()
    session.close()
    session.shutdown()
    assert LOG == ["enter", "exit"]


def test_enter_takes_what_the_factory_already_returned() -> None:
    with ExitStack() as stack:
        made = Managed()
        assert enter(stack, Managed, Lifecycle.CONTEXT, made) is made
        assert enter(stack, plain, Lifecycle.PLAIN) == []
    assert LOG == ["enter", "made", "exit"]


@pytest.mark.parametrize(
    ("lifecycle", "on_loop", "expected"),
    [
        (Lifecycle.PLAIN, False, ((), (), ())),
        (
            Lifecycle.GENERATOR,
            False,
            (("from contextlib import ExitStack, contextmanager",), ("with ExitStack() as stack:",), ()),
        ),
        (
            Lifecycle.CONTEXT,
            False,
            (("from contextlib import ExitStack",), ("with ExitStack() as stack:",), ()),
        ),
        (Lifecycle.PLAIN, True, (("import asyncio",), ("async def program():",), ("asyncio.run(program())",))),
        (
            Lifecycle.ASYNC_GENERATOR,
            True,
            (
                ("import asyncio", "from contextlib import AsyncExitStack, asynccontextmanager"),
                ("async def program():", "    async with AsyncExitStack() as stack:"),
                ("asyncio.run(program())",),
            ),
        ),
    ],
)
def test_enclosure_is_what_the_snippet_runs_in(
    lifecycle: Lifecycle, on_loop: bool, expected: tuple[tuple[str, ...], ...]
) -> None:
    assert enclosure(lifecycle, on_loop) == expected


def test_instances_are_made_in_snippets_as_the_session_makes_them() -> None:
    assert [lifecycle.source("f") for lifecycle in Lifecycle] == [
        "f()",
        "stack.enter_context(contextmanager(f)())",
        "await stack.enter_async_context(asynccontextmanager(f)())",
        "stack.enter_context(f())",
        "await stack.enter_async_context(f())",
    ]


def test_temporary_directory_is_fresh_and_removed_even_if_removed_already() -> None:
    with spec.temporary_directory() as path:
        assert path.is_dir()
        assert list(path.iterdir()) == []
        assert path.name.startswith("spec-")
        assert path.parent == Path(tempfile.gettempdir())
        (path / "store").mkdir()
        (path / "store" / "data").write_bytes(b"x")
    assert not path.exists()
    with spec.temporary_directory() as gone:
        gone.rmdir()
    assert not gone.exists()
