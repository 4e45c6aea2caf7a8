"""Sequential models: what a linearizability check compares a history against.

A model is a small object with an initial state and a step function:
``step(state, op)`` says whether the operation, applied to ``state``, could
have produced the output it did, and returns the state after it.  States are
immutable and hashable (the search remembers the ones it has tried).  The
built-in models are listed in :data:`spec.linearize.MODELS`.

Write your own by subclassing :class:`Model`::

    class Counter(Model[int]):
        name = "counter"
        operations = frozenset({"incr", "get"})

        def initial(self) -> int:
            return 0

        def step(self, state: int, op: Operation) -> tuple[bool, int]:
            if op.name == "incr":
                return True, state + 1
            return op.output is UNKNOWN or op.output == state, state

Compare ``op.input_key`` and ``op.output_key`` rather than ``op.input`` and
``op.output`` to compare values as JSON and EDN mean them (``True`` is not
``1``; see :mod:`spec.linearize.values`); the built-in models do.

A model of one's own is run under the check's time limit, and whatever its
methods raise (or a ``step`` that does not return a pair whose state can be
hashed) stops the check with a :class:`ModelError`, never a traceback.

Discussion (what a model may assume): the search calls ``step`` with a
pending operation's output set to :data:`UNKNOWN`; the model must then
accept the operation and return a state that allows every future the
operation could have allowed had its output been known -- the state it
produces when it takes effect, if that does not depend on the output.
That is what makes a history's prefixes checkable on their own (an
operation in flight at the cut becomes pending), and so what lets a report
show the shortest prefix that cannot be linearized.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, Final, Generic, TypeVar

from spec._core.checker import describe_exception
from spec._core.errors import SpecError
from spec._core.signals import theirs
from spec.linearize.ops import UNKNOWN, HistoryError, Operation, Raised
from spec.linearize.values import shorten, show_value

__all__ = [
    "EVERY_GROUP",
    "GuardedModel",
    "Model",
    "ModelError",
    "UnknownModel",
    "check_operations",
    "outcome",
]

S = TypeVar("S", bound=Hashable)


class _EveryGroup:
    """The type of :data:`EVERY_GROUP` (one instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "EVERY_GROUP"


EVERY_GROUP: Final = _EveryGroup()
"""What ``Model.group`` answers for an operation that goes with every group (a queue's ``len()``)."""


class UnknownModel(SpecError, LookupError):
    """No model is registered under the given name."""


class ModelError(SpecError):
    """A model of one's own raised, or answered what a model may not (the check could not run)."""


class Model(abc.ABC, Generic[S]):
    """A sequential specification: an initial state and a step function.

    Subclasses set ``name`` and ``operations`` (the operation names they
    accept) and define :meth:`initial` and :meth:`step`.  The other methods
    have defaults: no partitioning, no shrinking of counterexamples, and the
    search tries operations in the order they return.
    """

    name: str = "model"
    operations: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def initial(self) -> S:
        """The state before any operation."""

    @abc.abstractmethod
    def step(self, state: S, op: Operation) -> tuple[bool, S]:
        """``(legal, next_state)``: could ``op`` produce its output in ``state``, and the state after.

        When ``op.output`` is :data:`UNKNOWN` the answer must be ``True`` (see
        the module docstring for the state).
        """

    def validate(self, op: Operation) -> str | None:
        """What is wrong with ``op`` for this model (a phrase), or ``None`` if it fits.

        The default accepts any operation whose name is in ``operations``.
        """
        if op.name not in self.operations:
            return (
                f"the {self.name} model has no operation {show_value(op.name)} "
                f"(known: {', '.join(sorted(self.operations))})"
            )
        return None

    def partition(self, op: Operation) -> Hashable:
        """The independent part of the state ``op`` touches (P-compositionality).

        Operations in different partitions never affect each other, so each
        partition is checked on its own, from :meth:`initial`.  The default
        puts everything in one partition.
        """
        return None

    def group(self, op: Operation) -> Hashable | None:
        """Which operations may be dropped together (``None``: never drop ``op``).

        Dropping a whole group from a linearizable history must leave it
        linearizable (together with the operations in :data:`EVERY_GROUP`,
        which go whenever any group goes: an observer of every group, such
        as a queue's ``len()``).  The checker relies on it to shrink a
        counterexample and to check the parts :meth:`suspects` suggests.
        The default never drops anything.
        """
        return None

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        """Sets of groups (see :meth:`group`) whose operations may not be linearizable on their own.

        When the search of a history takes long, the checker tries each set:
        the operations of those groups, with every operation that is in no
        group, make a small history, and if that cannot be linearized, the
        whole history cannot be either.  Only speed depends on it (a proof
        of non-linearizability that the full search might take too long to
        find).  The default suggests nothing.
        """
        return iter(())

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        """A sort key per operation: among operations that could go next, the search tries lower keys first.

        Only speed depends on it, never the verdict.  The default is return
        order (the operation that must be linearized now comes first), with
        pending operations last, each in call order.
        """
        return [(math.inf if op.ret is None else op.ret, op.call, position) for position, op in enumerate(ops)]

    def observes(self, op: Operation) -> bool:
        """True if ``op`` never changes the state, whatever the state (a read); False by default.

        The search linearizes such an operation as soon as it is legal,
        without trying to put it later: nothing can be gained by waiting.
        Saying True for an operation that can change the state (a write, even
        of the current value) could make the search miss a linearization.
        """
        return False

    def describe(self, op: Operation) -> str:
        """``name(input) -> output`` for reports (no input or output shown when ``None``)."""
        args = "" if op.input is None else show_value(op.input)
        return f"{op.name}({args}){'' if op.output is None else outcome(op.output)}"

    def describe_state(self, state: S) -> str:
        """The state, for reports."""
        return show_value(state)


def outcome(output: object) -> str:
    """`` -> output``, `` -> ?`` when unknown, `` raises Name``."""
    if output is UNKNOWN:
        return " -> ?"
    if isinstance(output, Raised):
        return f" {output!r}"
    return f" -> {show_value(output)}"


def check_operations(model: Model[Any], ops: Iterable[Operation]) -> None:
    """Raise :class:`HistoryError` naming the first operation that does not fit ``model``."""
    validate = model.validate
    for position, op in enumerate(ops):
        problem = validate(op)
        if problem is not None:
            where = f"line {op.line}" if op.line is not None else f"operation {position}"
            raise HistoryError(f"{where}: {problem}")


class GuardedModel(Model[Any]):
    """A model of one's own, every call into it guarded (see the module docstring).

    What the model raises becomes a :class:`ModelError` (the check's own
    :class:`~spec.linearize.budget.OutOfBudget` is no target error: it goes
    through); so does a ``step`` that does not answer a pair
    ``(legal, hashable state)``, a partition or group that cannot be hashed,
    and search keys that cannot be sorted.  A ``describe`` that raises falls
    back to the default description: a report is never lost to it.
    """

    model: Model[Any]

    def __init__(self, model: Model[Any]) -> None:
        self.model = model
        self.name = str(self._call("name", lambda: model.name))

    def _call(self, what: str, call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except BaseException as exc:
            raise ModelError(f"the model's {what} raised {_described(theirs(exc))}") from None

    def _fail(self, what: str, answer: object) -> ModelError:
        return ModelError(f"the model's {what} answered {show_value(answer)}, {_EXPECTED[what]}")

    def initial(self) -> Any:
        state = self._call("initial()", self.model.initial)
        self._hashable("initial()", state)
        return state

    def step(self, state: Any, op: Operation) -> tuple[bool, Any]:
        answer = self._call("step()", self.model.step, state, op)
        try:
            legal, after = answer
            hash(after)
            return bool(legal), after
        except BaseException as exc:
            theirs(exc)
            raise self._fail("step()", answer) from None

    def _hashable(self, what: str, value: object) -> None:
        try:
            hash(value)
        except BaseException as exc:
            theirs(exc)
            raise self._fail(what, value) from None

    def validate(self, op: Operation) -> str | None:
        problem = self._call("validate()", self.model.validate, op)
        return None if problem is None else str(problem)

    def partition(self, op: Operation) -> Hashable:
        key = self._call("partition()", self.model.partition, op)
        self._hashable("partition()", key)
        return key  # type: ignore[no-any-return]

    def group(self, op: Operation) -> Hashable | None:
        key = self._call("group()", self.model.group, op)
        self._hashable("group()", key)
        return key  # type: ignore[no-any-return]

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        suspected = iter(self._call("suspects()", self.model.suspects, ops))
        while True:
            groups = self._call("suspects()", next, suspected, None)
            if groups is None:
                return
            self._hashable("suspects()", groups)
            yield frozenset(groups)

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        keys = list(self._call("search_keys()", self.model.search_keys, ops))
        try:
            if len(keys) != len(ops):
                raise ValueError
            sorted(keys)
        except BaseException as exc:
            theirs(exc)
            raise self._fail("search_keys()", keys) from None
        return keys

    def observes(self, op: Operation) -> bool:
        return bool(self._call("observes()", self.model.observes, op))

    def describe(self, op: Operation) -> str:
        try:
            return str(self.model.describe(op))
        except BaseException as exc:
            theirs(exc)
            return Model.describe(self, op)

    def describe_state(self, state: Any) -> str:
        try:
            return str(self.model.describe_state(state))
        except BaseException as exc:
            theirs(exc)
            return show_value(state)


def _described(exc: BaseException) -> str:
    # describe_exception never raises: a str() that raises or hangs gives a placeholder.
    return shorten(" ".join(describe_exception(exc).split()))


_EXPECTED: Final = {
    "initial()": "which cannot be hashed (a state must be)",
    "step()": "not a pair (legal, next state) whose state can be hashed",
    "partition()": "which cannot be hashed",
    "group()": "which cannot be hashed",
    "suspects()": "not a set of groups",
    "search_keys()": "not one sort key per operation, all comparable",
}
