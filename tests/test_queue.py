"""The reference queues (impl.queue), their contract, and its test-case base class."""

from __future__ import annotations

import contextlib
import unittest
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec
from impl.queue import DequeQueue, ListQueue
from spec._core.checker import Binding, HungViolation
from spec._core.clauses import ClauseViolation
from spec._core.deadline import Deadline
from spec._core.options import Options
from spec._core.target import ref_for
from spec.container import prepare_container
from spec.container.bulk import BULK_BUDGET
from spec.known_bad.queue import LifoQueue
from spec.queue import CLAUSES, QueueContract, QueueMachine
from tests._support import replay_violation

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


# -- the machine's bulk rules and second instance, driven directly -------------------


class Flaky(ListQueue[object]):
    """A correct queue, until ``fail`` says otherwise (set per test, in the class)."""

    fail: ClassVar[str] = ""

    def _maybe(self, op: str) -> None:
        if type(self).fail == op and len(self) == 3:
            if op.endswith("hang"):
                while True:
                    pass
            raise RuntimeError(f"{op} broke")

    def push(self, item: object) -> None:
        self._maybe("push")
        self._maybe("push-hang")
        super().push(item)
        self.just_pushed = True

    def peek(self) -> object:
        self.peeked, self.just_pushed = True, False
        self._maybe("peek")
        self._maybe("peek-hang")
        if type(self).fail == "peek-wrong" and len(self) == 4:
            self._items.reverse()
        item = super().peek()
        if type(self).fail == "peek-removes" and len(self) == 3:
            super().pop()
        return item

    def pop(self) -> object:
        self._maybe("pop")
        self._maybe("pop-hang")
        item = super().pop()
        if type(self).fail == "pop-wrong" and len(self) == 3:
            return list(item)  # type: ignore[call-overload]  # an equal copy of the list pushed
        return item

    def __len__(self) -> int:
        size = super().__len__()
        if type(self).fail == "len" and size == 3:
            raise RuntimeError("len broke")
        if type(self).fail == "len-after-peek" and size == 3 and getattr(self, "peeked", False):
            raise RuntimeError("len broke after a peek")
        just_pushed, self.peeked = getattr(self, "just_pushed", False), False
        if type(self).fail == "len-after-push" and just_pushed:
            raise RuntimeError("len broke after a push")
        if type(self).fail == "len-wrong-after-push" and just_pushed:
            return size + 1
        if type(self).fail == "len-wrong" and size == 4:
            return 5
        return size


@contextlib.contextmanager
def driven(factory: Callable[[], Any], timeout: float = 1.0, options: Options | None = None) -> Iterator[QueueMachine]:
    """A queue machine bound to ``factory``, outside any search, for a test to call its rules."""
    with Deadline(timeout) as deadline:
        options = options or Options()
        plan = prepare_container("queue")(factory, deadline, options).plan
        binding = Binding(factory=factory, ref=ref_for(factory), deadline=deadline, options=options, plan=plan)
        bound = type("Driven", (QueueMachine,), {"binding": binding})
        yield bound()


@pytest.mark.parametrize(("fail", "clause"), [("push", "Q7"), ("len", "Q7"), ("len-wrong", "Q3"), ("", "")])
def test_grow_judges_every_push_and_shows_the_ones_before_as_a_loop(
    monkeypatch: pytest.MonkeyPatch, fail: str, clause: str
) -> None:
    monkeypatch.setattr(Flaky, "fail", fail)
    with driven(Flaky) as machine:
        machine.grow(to=0, kind="lists")  # nothing to push
        if not clause:
            machine.grow(to=10, kind="mixed")
            assert len(machine.main.model) == 10
            return
        with pytest.raises(ClauseViolation) as raised:
            machine.grow(to=10, kind="lists")
    violation = raised.value.violation
    assert violation.clause.id == clause
    assert any(line.startswith("for x in b1[:") for line in violation.program)
    assert replay_violation(violation) is not None


@pytest.mark.parametrize(
    ("fail", "clause"),
    [
        ("peek", "Q7"),
        ("pop", "Q7"),
        ("len", "Q7"),
        ("len-after-peek", "Q7"),
        ("peek-removes", "Q2"),
        ("pop-wrong", "Q5"),
        ("len-wrong", "Q3"),
        ("peek-wrong", "Q1"),
    ],
)
def test_shrink_peeks_and_pops_each_item_and_judges_it_alone(
    monkeypatch: pytest.MonkeyPatch, fail: str, clause: str
) -> None:
    with driven(Flaky) as machine:
        machine.grow(to=8, kind="lists")
        machine.shrink(to=9)  # nothing to pop
        monkeypatch.setattr(Flaky, "fail", fail)
        with pytest.raises(ClauseViolation) as raised:
            machine.shrink(to=0)
    violation = raised.value.violation
    assert violation.clause.id == clause, violation
    assert any(line.startswith("for _ in range(") for line in violation.program)
    assert replay_violation(violation) is not None


@pytest.mark.parametrize("fail", ["push-hang", "peek-hang", "pop-hang"])
def test_a_hang_in_a_bulk_rule_is_the_conduct_clause(monkeypatch: pytest.MonkeyPatch, fail: str) -> None:
    with driven(Flaky, timeout=0.05) as machine:
        machine.grow(to=3, kind="lists")
        monkeypatch.setattr(Flaky, "fail", fail)
        with pytest.raises(HungViolation) as raised:
            machine.grow(to=8, kind="lists") if fail == "push-hang" else machine.shrink(to=0)
    assert raised.value.violation.clause.id == "Q7"
    assert "does not return" in raised.value.violation.program[-1]


def test_bulk_rules_stop_at_the_budget() -> None:
    with driven(ListQueue) as machine:
        machine.grow(to=4097, kind="lists")
        machine.grow(to=4097, kind="lists")
        machine.shrink(to=0)
        assert len(machine.main.model) == 4097 - (BULK_BUDGET - 4097)
        machine.shrink(to=0)  # budget spent: nothing happens
        assert machine.binding.largest == 4097


class SharedPops(ListQueue[object]):
    """Keeps its own list for len(), but pops from one all instances share."""

    shared: ClassVar[list[object]] = []

    def push(self, item: object) -> None:
        super().push(item)
        self.shared.append(item)

    def pop(self) -> object:
        if not self.shared:
            raise IndexError("pop from an empty queue")
        if len(self):
            super().pop()
        return self.shared.pop(0)


class EmptiesOthers(ListQueue[object]):
    """Once ``emptying`` is set, a new instance empties every instance made before it."""

    made: ClassVar[list[EmptiesOthers]] = []
    emptying: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        for other in self.made if self.emptying else ():
            other._items.clear()
        self.made.append(self)


def drive(machine: QueueMachine, rules: tuple[str, ...]) -> None:
    for rule in rules:
        getattr(machine, rule)(**({"item": [len(rule)]} if rule.startswith("push") else {}))


@pytest.mark.parametrize("rules", [("push_other", "pop"), ("push", "push_other", "pop_other")])
def test_an_item_of_the_other_instance_is_independence(monkeypatch: pytest.MonkeyPatch, rules: tuple[str, ...]) -> None:
    with driven(SharedPops) as machine:
        monkeypatch.setattr(SharedPops, "shared", [])
        with pytest.raises(ClauseViolation) as raised:
            drive(machine, rules)
    violation = raised.value.violation
    assert violation.clause.id == "Q6", violation
    assert "an item pushed to" in violation.message


def test_making_the_other_instance_must_not_change_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EmptiesOthers, "made", [])
    with driven(EmptiesOthers) as machine:
        machine.push(item=0)
        monkeypatch.setattr(EmptiesOthers, "emptying", True)
        with pytest.raises(ClauseViolation) as raised:
            machine.push_other(item=1)
    assert raised.value.violation.clause.id == "Q6"
    assert raised.value.violation.message == "other_q = EmptiesOthers() changed len(q) from 1 to 0"


def test_the_probe_makes_one_instance_then_another() -> None:
    class SharedLen(ListQueue[object]):
        pushes: ClassVar[list[int]] = [0]

        def push(self, item: object) -> None:
            super().push(item)
            self.pushes[0] += 1

        def __len__(self) -> int:
            return self.pushes[0]

    with pytest.raises(ClauseViolation) as raised, driven(SharedLen):
        pass
    assert raised.value.violation.clause.id == "Q6"
    assert (
        raised.value.violation.message
        == "a new queue made after pushing to another one has len(q) 1, where that one had 0"
    )


def test_push_same_pushes_the_very_object_again() -> None:
    with driven(ListQueue) as machine:
        machine.push(item=[0])
        machine.push(item=1)
        machine.push_same(back=1)
        machine.push_same(back=7)  # further back than there are pushes: the oldest
        items = [item for item, _ in machine.main.model]
        assert items[2] is items[0] is items[3]


class PeekRaises(ListQueue[object]):
    def peek(self) -> object:
        raise RuntimeError("peek is broken")


def test_a_peek_that_raises_in_the_probe_is_judged_later() -> None:
    with driven(PeekRaises) as machine:
        machine.push(item=0)
        with pytest.raises(ClauseViolation) as raised:
            machine.peek()
    assert raised.value.violation.clause.id == "Q7"


def test_the_known_bad_queues_work_where_the_search_does_not_look() -> None:
    # The search stops at each one's bug before calling these; they still work.
    from spec.known_bad.queue import NeverReleasesItsLock, SharedPeekCache

    queue = NeverReleasesItsLock()
    queue.items.append(1)
    assert queue.pop() == 1
    cached = SharedPeekCache()
    cached.push(2)
    assert cached.pop() == 2


@pytest.mark.parametrize(
    ("fail", "clause"), [("push", "Q7"), ("len-after-push", "Q7"), ("len-wrong-after-push", "Q3"), ("", "")]
)
def test_cycle_pops_and_pushes_at_one_size(monkeypatch: pytest.MonkeyPatch, fail: str, clause: str) -> None:
    with driven(Flaky) as machine:
        machine.cycle(times=5)  # nothing held: nothing to cycle
        machine.grow(to=4, kind="lists")
        monkeypatch.setattr(Flaky, "fail", fail)
        if not clause:
            machine.cycle(times=300)
            assert len(machine.main.model) == 4
            return
        with pytest.raises(ClauseViolation) as raised:
            machine.cycle(times=300)
    violation = raised.value.violation
    assert violation.clause.id == clause, violation
    assert replay_violation(violation) is not None
