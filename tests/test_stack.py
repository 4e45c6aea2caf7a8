"""The reference stacks (impl.stack) and their contract's test-case base class."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.stack import DequeStack, ListStack
from spec.stack import CLAUSES, StackContract, StackMachine

STACKS: list[Callable[[], Any]] = [ListStack, DequeStack]


@pytest.mark.parametrize("factory", STACKS)
@given(operations=st.lists(st.one_of(st.none(), st.integers()), max_size=40))
def test_representation_invariant_and_lifo_order(factory: Callable[[], Any], operations: list[int | None]) -> None:
    stack = factory()
    model: list[int] = []
    for operation in operations:
        if operation is None and model:
            assert stack.peek() == model[-1]
            assert stack.pop() == model.pop()
        elif operation is not None:
            stack.push(operation)
            model.append(operation)
        stack._check()
        assert len(stack) == len(model)


@pytest.mark.parametrize(
    ("factory", "pop_message"),
    [(ListStack, "pop from empty list"), (DequeStack, "pop from an empty deque")],
)
def test_empty_stack_raises_index_error_with_its_message(factory: Callable[[], Any], pop_message: str) -> None:
    stack = factory()
    with pytest.raises(IndexError, match=rf"^{pop_message}$"):
        stack.pop()
    with pytest.raises(IndexError, match=r"^peek at an empty stack$"):
        stack.peek()
    assert not stack


@pytest.mark.parametrize(("factory", "name"), [(ListStack, "ListStack"), (DequeStack, "DequeStack")])
def test_repr_shows_items_bottom_first_and_no_container_method_leaks(factory: Callable[[], Any], name: str) -> None:
    stack = factory()
    stack.push(1)
    stack.push(2)
    assert repr(stack) == f"{name}([1, 2])"
    exposed = {name for name in dir(deque) if not name.startswith("_") and hasattr(stack, name)}
    assert exposed == {"pop"}  # the protocol's own pop, nothing else of the container's


def test_clause_ids() -> None:
    assert [c.id for c in CLAUSES] == [f"S{n}" for n in range(1, 8)]
    assert CLAUSES["S1"].title == "LIFO"
    assert StackMachine.independence == "S6"


class TestListStackContract(StackContract):
    factory = ListStack


def test_the_shared_peek_cache_pops_like_a_stack_when_alone() -> None:
    # The search stops at its bug (the shared cache) before it pops.
    from spec.known_bad.stack import SharedTopCache

    stack = SharedTopCache()
    stack.push(1)
    stack.push(2)
    assert stack.peek() == 2
    assert stack.pop() == 2
