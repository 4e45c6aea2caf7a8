"""The queue (FIFO) contract.

Target: a zero-argument callable (a class or a factory) returning an object
with ``push(item) -> None``, ``pop() -> item``, ``peek() -> item`` and
``__len__() -> int``.

Model: a Python list, oldest item first; ``pop()`` takes ``model[0]``.

Check a queue::

    >>> import spec
    >>> from impl.queue import DequeQueue
    >>> spec.check("queue", DequeQueue, max_examples=20).ok
    True

or in a test suite::

    from spec.queue import QueueContract

    class TestMyQueue(QueueContract):
        factory = MyQueue
"""

from __future__ import annotations

from spec._core.contract import Contract, machine_runner
from spec._core.options import STRATEGY
from spec._core.testcase import ContractTestCase
from spec.container import (
    ITEM_KINDS,
    OPTIONS,
    Container,
    ContainerMachine,
    End,
    container_clauses,
    container_unjudged,
    prepare_container,
)

__all__ = ["CLAUSES", "CONTRACT", "QueueContract", "QueueMachine", "QueueTarget"]

CLAUSES = container_clauses(
    "Q",
    "queue",
    "q",
    ("FIFO", "pop() must return the oldest item not yet popped: items leave in the order they were pushed."),
)

QueueTarget = Container
"""The protocol a queue instance follows (``push``, ``pop``, ``peek``, ``__len__``)."""


class QueueMachine(ContainerMachine):
    """The queue state machine: a list model, ``pop()`` takes the oldest item."""

    clauses = CLAUSES
    order = CLAUSES.id_of("FIFO")
    end = End.OLDEST
    noun = "queue"
    var = "q"


CONTRACT = Contract(
    name="queue",
    summary="FIFO queue: push, pop, peek, len",
    clauses=CLAUSES,
    target="a zero-argument callable returning an object with push(item), pop(), peek() and __len__()",
    prepare=prepare_container("queue"),
    runner=machine_runner(QueueMachine),
    options=OPTIONS,
    item_kinds=(*ITEM_KINDS, STRATEGY),
    unjudged=container_unjudged(CLAUSES),
    references=(
        "impl.queue:ListQueue",
        "impl.queue:DequeQueue",
        "spec.adapters:DequeAsQueue",
        "spec.adapters:QueueAsQueue",
        "spec.adapters:SimpleQueueAsQueue",
    ),
)


class QueueContract(ContractTestCase):
    """Subclass with ``factory = YourQueue`` to check a queue in your test suite."""

    contract = "queue"
