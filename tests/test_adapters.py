"""The standard-library adapters: shape, wrapping, and the empty case."""

from __future__ import annotations

import queue
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from spec.adapters import (
    DequeAsQueue,
    DequeAsStack,
    LifoQueueAsStack,
    ListAsStack,
    QueueAsQueue,
    SimpleQueueAsQueue,
)
from spec.stress import stress
from tests._support import run_cli

ADAPTERS: list[tuple[Any, Any, bool]] = [
    # adapter, a fresh object to wrap, True if it is a queue (FIFO)
    (DequeAsQueue, deque, True),
    (DequeAsStack, deque, False),
    (ListAsStack, list, False),
    (QueueAsQueue, queue.Queue, True),
    (SimpleQueueAsQueue, queue.SimpleQueue, True),
    (LifoQueueAsStack, queue.LifoQueue, False),
]


@pytest.mark.parametrize(("adapter", "make", "fifo"), ADAPTERS, ids=[a[0].__name__ for a in ADAPTERS])
def test_adapter_wraps_the_object_passed_in(adapter: Any, make: Any, fifo: bool) -> None:
    wrapped = make()
    container = adapter(wrapped)
    assert container.wrapped is wrapped
    for item in ("a", "b", "c"):
        container.push(item)
    assert len(container) == 3
    first = "a" if fifo else "c"
    assert container.peek() == first
    assert len(container) == 3
    assert container.pop() == first
    assert len(container) == 2
    container.pop()
    container.pop()
    with pytest.raises(IndexError):
        container.pop()
    with pytest.raises(IndexError):
        container.peek()
    assert len(container) == 0


def test_queue_adapters_never_block_and_say_why() -> None:
    with pytest.raises(IndexError, match=r"^pop from an empty queue$"):
        QueueAsQueue().pop()
    with pytest.raises(IndexError, match=r"^peek at an empty queue$"):
        LifoQueueAsStack().peek()
    with pytest.raises(IndexError, match=r"^pop from an empty queue$"):
        SimpleQueueAsQueue().pop()


def test_simple_queue_look_ahead_keeps_order_and_count() -> None:
    adapter: SimpleQueueAsQueue[int] = SimpleQueueAsQueue()
    adapter.push(1)
    adapter.push(2)
    assert adapter.peek() == 1
    assert adapter.peek() == 1  # the look-ahead is not taken twice
    assert len(adapter) == 2
    adapter.push(3)
    assert [adapter.pop(), adapter.pop(), adapter.pop()] == [1, 2, 3]


class NotAQueue:
    """Has put/get_nowait/qsize (a sync side of a mixed queue), but no .mutex or .queue to peek through."""

    def put(self, item: object) -> None: ...

    def get_nowait(self) -> object: ...

    def qsize(self) -> int:
        return 0


@pytest.mark.parametrize(
    ("adapter", "wrapped", "message"),
    [
        (
            QueueAsQueue,
            NotAQueue(),
            "QueueAsQueue needs a queue.Queue (put_nowait, get_nowait, qsize, .mutex, .queue); ",
        ),
        (LifoQueueAsStack, queue.SimpleQueue(), "LifoQueueAsStack needs a queue.LifoQueue"),
        (SimpleQueueAsQueue, [], "SimpleQueueAsQueue needs a queue.SimpleQueue (put, get_nowait, qsize); a list has"),
        (DequeAsQueue, [], "DequeAsQueue needs a deque; a list has no popleft"),
        (DequeAsStack, (), "DequeAsStack needs a deque; a tuple has no append, pop"),
        (ListAsStack, "", "ListAsStack needs a list; a str has no append, pop"),
    ],
)
def test_an_adapter_refuses_an_object_it_cannot_serve(adapter: Any, wrapped: object, message: str) -> None:
    with pytest.raises(TypeError) as info:
        adapter(wrapped)
    assert str(info.value).startswith(message)


def test_an_adapter_refusing_its_object_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "wrapped.py"
    target.write_text(
        "import queue\nfrom spec.adapters import QueueAsQueue\n\n"
        "def factory():\n    return QueueAsQueue(queue.SimpleQueue())\n"
    )
    run = run_cli("check", "queue", f"{target}:factory")
    assert run.code == 2
    assert run.err == (
        "python -m spec: error: calling factory() raised TypeError: QueueAsQueue needs a queue.Queue "
        "(put_nowait, get_nowait, qsize, .mutex, .queue); a SimpleQueue has no mutex, queue\n"
    )


@pytest.mark.parametrize(("adapter", "make", "fifo"), ADAPTERS, ids=[a[0].__name__ for a in ADAPTERS])
def test_every_adapter_is_safe_between_threads(adapter: Any, make: Any, fifo: bool) -> None:
    report = stress("queue" if fifo else "stack", adapter, max_examples=40, runs=10, seed=0)
    assert report.ok, report.format()
