"""The standard-library adapters: shape, wrapping, and the empty case."""

from __future__ import annotations

import queue
from collections import deque
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
