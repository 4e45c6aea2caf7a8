"""The stack (LIFO) contract.

Target: a zero-argument callable (a class or a factory) returning an object
with ``push(item) -> None``, ``pop() -> item``, ``peek() -> item`` and
``__len__() -> int`` -- the queue's protocol, with the other discipline.

Model: a Python list, oldest item first; ``pop()`` takes ``model[-1]``.

Check a stack::

    >>> import spec
    >>> from impl.stack import ListStack
    >>> spec.check("stack", ListStack, max_examples=20).ok
    True

or in a test suite::

    from spec.stack import StackContract

    class TestMyStack(StackContract):
        factory = MyStack
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

__all__ = ["CLAUSES", "CONTRACT", "StackContract", "StackMachine", "StackTarget"]

CLAUSES = container_clauses(
    "S",
    "stack",
    "s",
    ("LIFO", "pop() must return the newest item not yet popped: the last pushed is the first out."),
)

StackTarget = Container
"""The protocol a stack instance follows (``push``, ``pop``, ``peek``, ``__len__``)."""


class StackMachine(ContainerMachine):
    """The stack state machine: a list model, ``pop()`` takes the newest item."""

    clauses = CLAUSES
    order = CLAUSES.id_of("LIFO")
    end = End.NEWEST
    noun = "stack"
    var = "s"


CONTRACT = Contract(
    name="stack",
    summary="LIFO stack: push, pop, peek, len",
    clauses=CLAUSES,
    target="a zero-argument callable returning an object with push(item), pop(), peek() and __len__()",
    prepare=prepare_container("stack"),
    runner=machine_runner(StackMachine),
    options=OPTIONS,
    item_kinds=(*ITEM_KINDS, STRATEGY),
    unjudged=container_unjudged(CLAUSES),
    references=(
        "impl.stack:ListStack",
        "impl.stack:DequeStack",
        "spec.adapters:ListAsStack",
        "spec.adapters:DequeAsStack",
        "spec.adapters:LifoQueueAsStack",
    ),
)


class StackContract(ContractTestCase):
    """Subclass with ``factory = YourStack`` to check a stack in your test suite."""

    contract = "stack"
