"""The container machine's bulk rules and second instance under the contract options."""

from __future__ import annotations

import asyncio
import contextlib
import queue
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest

import spec
from spec._core.checker import Binding
from spec._core.clauses import ClauseViolation
from spec._core.deadline import Deadline
from spec._core.options import NUMBERED, Options, Sentinel
from spec._core.target import ref_for
from spec.container import prepare_container
from spec.container.bulk import BATCHES, batches
from spec.queue import QueueMachine
from tests._support import replay_violation
from tests.test_container import Store


@contextlib.contextmanager
def driven(factory: Callable[[], Any], options: Options) -> Iterator[QueueMachine]:
    """A queue machine bound to ``factory`` under ``options``, outside any search."""
    with Deadline(1.0) as deadline:
        plan = prepare_container("queue")(factory, deadline, options).plan
        binding = Binding(factory=factory, ref=ref_for(factory), deadline=deadline, options=options, plan=plan)
        machine = type("Driven", (QueueMachine,), {"binding": binding})()
        try:
            yield machine
        finally:
            # Cleanup only: these tests catch a violation and go on, where
            # Hypothesis would stop the program; the final read has tests of its own.
            machine._clean_up()


class Sized(Store):
    """A store with no size at all (for ``--without len``), keeping the very objects."""

    def put(self, item: Any) -> None:
        self.items.append(item)


class NoneAfter(Store):
    """Returns None, its empty signal, once it has handed out ``limit`` items."""

    limit = 5

    def put(self, item: Any) -> None:
        self.items.append(item)

    def get_nowait(self) -> Any:
        if self.limit <= 0:
            return None
        item = super().get_nowait()
        self.limit -= 1
        return item


STORE = spec.make_options(map="push=put,pop=get_nowait,len=qsize", empty=queue.Empty, without="peek")


def test_batches_are_items_of_the_kind_and_never_the_sentinel() -> None:
    assert batches("any", None) is BATCHES
    assert set(batches("picklable", Sentinel(None))) == {"lists"}
    assert batches("tests.test_container:DICTS", None) == {}
    for kind in ("bytes", "str", "int", "float"):
        (batch,) = batches(kind, None).values()
        made = batch.make(3)
        assert made == [NUMBERED[kind](n) for n in range(3)]
        assert eval(batch.source.format(n=3)) == made  # the source the snippet shows
    (after,) = batches("int", Sentinel(0)).values()
    assert after.make(2) == [1, 2]
    (hashable,) = batches("hashable", Sentinel(-1)).values()
    assert hashable.make(2) == [(0,), (1,)]


def test_bulk_rules_without_peek_pop_and_accept_copies_under_equality() -> None:
    options = spec.make_options(
        map="push=put,pop=get_nowait,len=qsize", empty=queue.Empty, without="peek", compare="equal"
    )
    with driven(Store, options) as machine:
        machine.grow(to=20, kind="mixed")
        machine.cycle(times=10)
        machine.shrink(to=0)
        assert machine.main.model == []
        assert machine.binding.checks["Q5"] == 0  # identity is not judged under --compare equal


def test_a_copy_in_a_bulk_rule_is_the_identity_clause_as_one_call_would_be() -> None:
    with driven(Store, STORE) as machine:
        machine.grow(to=5, kind="lists")
        with pytest.raises(ClauseViolation) as raised:
            machine.shrink(to=0)
    violation = raised.value.violation
    assert violation.clause.id == "Q5"
    assert violation.program[-1] == "assert q.get_nowait() is b1[0], 'Q5 (identity)'"
    assert replay_violation(violation) is not None


def test_bulk_rules_without_len_make_no_size_calls() -> None:
    options = spec.make_options(map="push=put,pop=get_nowait", empty=queue.Empty, without="peek,len")
    with driven(Sized, options) as machine:
        machine.grow(to=30, kind="lists")
        machine.cycle(times=7)
        machine.shrink(to=3)
        assert len(machine.main.model) == 3
        machine.push_other(1)
        machine.pop_other()
        assert machine.binding.checks["Q3"] == 0


def test_a_sentinel_in_a_bulk_rule_is_the_empty_clause() -> None:
    options = spec.make_options(
        map="push=put,pop=get_nowait,len=qsize", empty_returns=None, without="peek", items="int"
    )
    with driven(NoneAfter, options) as machine:
        machine.grow(to=8, kind="numbered")
        with pytest.raises(ClauseViolation) as raised:
            machine.shrink(to=0)
    violation = raised.value.violation
    assert violation.clause.id == "Q4"
    assert "for _ in range(5):\n    q.get_nowait()" in violation.program
    assert replay_violation(violation) is not None


def test_a_strategy_of_the_users_has_no_bulk_batches() -> None:
    options = spec.make_options(items="tests.test_container:DICTS")
    with driven(deque_queue, options) as machine:
        machine.grow(to=10, kind="")
        machine.cycle(times=10)
        assert machine.main.model == []


def deque_queue() -> Any:
    from impl.queue import DequeQueue

    return DequeQueue()


class EqualityRaises:
    """An item whose == raises: asked in passing by the bulk rules' fast path."""

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    __hash__ = object.__hash__


class CopiesOdd(Sized):
    """Returns a fresh EqualityRaises for every item: never the one pushed."""

    def get_nowait(self) -> Any:
        super().get_nowait()
        return EqualityRaises()


def test_an_answer_whose_equality_raises_is_judged_by_the_one_call_rule() -> None:
    options = spec.make_options(
        map="push=put,pop=get_nowait,len=qsize", empty=queue.Empty, without="peek", compare="equal"
    )
    with driven(CopiesOdd, options) as machine:
        machine.grow(to=3, kind="lists")
        with pytest.raises(ClauseViolation) as raised:
            machine.shrink(to=0)
    # Not alike (asking raised): an item the queue does not hold.
    assert raised.value.violation.clause.id == "Q1"
    assert "which the queue does not hold" in raised.value.violation.message


class AsyncQueue(asyncio.Queue[Any]):
    pass


def test_bulk_rules_call_an_async_target_on_its_loop() -> None:
    options = spec.make_options(map="push=put,pop=get_nowait,len=qsize", empty=asyncio.QueueEmpty, without="peek")
    with driven(AsyncQueue, options) as machine:
        machine.grow(to=50, kind="lists")
        machine.cycle(times=20)
        machine.shrink(to=0)
        assert machine.main.model == []
    assert "    for x in b1: await q.put(x)" in machine.program.lines()


class Foreign(Sized):
    """Every instance pops from one shared deque when its own is empty."""

    shared: ClassVar[deque[Any]] = deque()
    sharing = False

    def put(self, item: Any) -> None:
        super().put(item)
        if self.sharing:
            self.shared.append(item)

    def get_nowait(self) -> Any:
        if self.items:
            self.items.popleft()
        if not self.shared:
            raise queue.Empty
        return self.shared.popleft()


def test_an_item_of_the_other_instance_from_an_empty_one_is_independence() -> None:
    Foreign.shared.clear()
    options = spec.make_options(map="push=put,pop=get_nowait,len=qsize", empty=queue.Empty, without="peek")
    with driven(Foreign, options) as machine:
        Foreign.sharing = True
        try:
            machine.push_other([1])
            with pytest.raises(ClauseViolation) as raised:
                machine.pop()
        finally:
            Foreign.sharing = False
    assert raised.value.violation.clause.id == "Q6"
    assert "an item pushed to other_q, not to q" in raised.value.violation.message


# -- the final read -------------------------------------------------------------------


class OverwritesUnderAfterPeek(Store):
    """Keeps the very objects; a push right after a peek overwrites the item under the front.

    queuelib's LifoDiskQueue (1.10.0) fails this way: a peek leaves the file
    positioned over the size record of the newest item.
    """

    def __init__(self) -> None:
        super().__init__()
        self.peeked = False

    def put(self, item: Any) -> None:
        if self.peeked and self.items:
            self.items[-1] = "overwritten"
        self.peeked = False
        self.items.append(item)

    def get_nowait(self) -> Any:
        self.peeked = False
        return super().get_nowait()

    def peek(self) -> Any:
        if not self.items:
            raise queue.Empty
        self.peeked = True
        return self.items[0]


PEEKS = spec.make_options(map="push=put,pop=get_nowait,peek=peek,len=qsize", empty=queue.Empty)


def test_the_final_read_takes_off_what_the_program_left_and_finds_a_corrupted_item() -> None:
    with driven(OverwritesUnderAfterPeek, PEEKS) as machine:
        machine.push([1])
        machine.peek()
        machine.push([2])  # the program ends with [1] corrupted, never popped
        with pytest.raises(ClauseViolation) as raised:
            machine.teardown()
    violation = raised.value.violation
    assert violation.clause.id == "Q1"
    assert replay_violation(violation) is not None


def test_the_final_read_ends_with_the_empty_signal_on_both_instances() -> None:
    with driven(deque_queue, spec.make_options()) as machine:
        machine.push([1])
        machine.push_other([2])
        machine.teardown()
        assert machine.main.model == []
        assert machine.other is not None
        assert machine.other.model == []
        assert machine.binding.checks["Q4"] >= 2


def test_the_final_read_is_skipped_when_the_program_has_failed() -> None:
    with driven(OverwritesUnderAfterPeek, PEEKS) as machine:
        machine.push([1])
        machine.peek()
        machine.push([2])
        try:
            raise RuntimeError("the program failed")
        except RuntimeError:
            machine.teardown()  # no ClauseViolation: the failure in flight is the one to report
