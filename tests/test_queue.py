"""The reference queues (impl.queue), their contract, and its test-case base class."""

from __future__ import annotations

import unittest
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec
from impl.queue import DequeQueue, ListQueue
from spec.known_bad.queue import LifoQueue
from spec.queue import CLAUSES, QueueContract, QueueMachine

QUEUES: list[Callable[[], Any]] = [ListQueue, DequeQueue]

# An operation: None means pop, anything else is pushed.
OPERATIONS = st.lists(st.one_of(st.none(), st.integers()), max_size=40)


@pytest.mark.parametrize("factory", QUEUES)
@given(operations=OPERATIONS)
def test_representation_invariant_and_fifo_order(factory: Callable[[], Any], operations: list[int | None]) -> None:
    queue = factory()
    model: list[int] = []
    for operation in operations:
        if operation is None and model:
            assert queue.peek() == model[0]
            assert queue.pop() == model.pop(0)
        elif operation is not None:
            queue.push(operation)
            model.append(operation)
        queue._check()
        assert len(queue) == len(model)


@pytest.mark.parametrize(
    ("factory", "pop_message"),
    [(ListQueue, "pop from an empty queue"), (DequeQueue, "pop from an empty deque")],
)
def test_empty_queue_raises_index_error_with_its_message(factory: Callable[[], Any], pop_message: str) -> None:
    queue = factory()
    with pytest.raises(IndexError, match=rf"^{pop_message}$"):
        queue.pop()
    with pytest.raises(IndexError, match=r"^peek at an empty queue$"):
        queue.peek()
    assert len(queue) == 0
    assert not queue


def test_reprs_show_items_oldest_first() -> None:
    for factory, name in ((ListQueue, "ListQueue"), (DequeQueue, "DequeQueue")):
        queue: Any = factory()
        for item in (1, 2, 3):
            queue.push(item)
        assert repr(queue) == f"{name}([1, 2, 3])"


def test_deque_queue_leaks_no_deque_method() -> None:
    queue = DequeQueue[int]()
    exposed = {name for name in dir(deque) if not name.startswith("_") and hasattr(queue, name)}
    assert exposed == {"pop"}  # the protocol's own pop, nothing else of deque's
    assert {"push", "pop", "peek"} <= set(dir(queue))


def test_queues_are_generic() -> None:
    queue: DequeQueue[str] = DequeQueue[str]()
    queue.push("a")
    assert queue.pop() == "a"


def test_contract_text_is_what_the_cli_lists() -> None:
    assert [c.id for c in CLAUSES] == [f"Q{n}" for n in range(1, 8)]
    assert QueueMachine.order == "Q1"
    assert QueueMachine.conduct == "Q7"


class TestDequeQueueContract(QueueContract):
    factory = DequeQueue


def make_list_queue() -> ListQueue[object]:
    return ListQueue()


class TestListQueueFactoryFunctionContract(QueueContract):
    # A plain function as factory must not turn into a method.
    factory = make_list_queue
    max_examples = 30


def test_contract_test_case_fails_with_the_report() -> None:
    class Broken(QueueContract):
        factory = LifoQueue
        seed = 1

    result = unittest.TestResult()
    Broken("test_contract").run(result)
    assert len(result.failures) == 1
    message = result.failures[0][1]
    assert "Q1 (FIFO)" in message
    assert "from spec.known_bad.queue import LifoQueue" in message


def test_contract_base_class_is_not_collected_and_skips_without_a_factory() -> None:
    assert QueueContract.__test__ is False
    assert TestDequeQueueContract.__test__ is True
    result = unittest.TestResult()
    QueueContract("test_contract").run(result)
    assert result.skipped == [(result.skipped[0][0], "QueueContract sets no factory")]


def test_check_accepts_the_adapters_with_objects_passed_in() -> None:
    from collections import deque

    from spec.adapters import DequeAsQueue

    existing: deque[int] = deque([1])
    adapter = DequeAsQueue(existing)
    assert adapter.wrapped is existing
    assert adapter.pop() == 1
    assert spec.check("queue", DequeAsQueue, max_examples=10).ok
