"""Sequential models: what a linearizability check compares a history against.

A model is a small object with an initial state and a step function:
``step(state, op)`` says whether the operation, applied to ``state``, could
have produced the output it did, and returns the state after it.  States are
immutable and hashable (the search remembers the ones it has tried).

The built-in models:

============  ==========================================  =====================
name          operations (input -> output)                partitioned by
============  ==========================================  =====================
``queue``     push(v), pop() -> v, peek() -> v, len(),     --
              bool()
``stack``     push(v), pop() -> v, peek() -> v, len(),     --
              bool()
``register``  read() -> v, write(v), cas((from, to)) -> b  --
``kv``        get((k, None)) -> v, put((k, v)), append     the key
============  ==========================================  =====================

The queue and stack models are the queue and stack contracts' own notion of
truth: a list, oldest item first, from which ``pop()`` takes the item at the
contract's :class:`~spec.container.End`.  ``pop()`` and ``peek()`` on an
empty one must raise :class:`IndexError` (output ``Raised("IndexError")``).

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

Discussion (what a model may assume): the search calls ``step`` with a
pending operation's output set to :data:`UNKNOWN`; the model must then accept
the operation and return the state it would have produced, which therefore
must not depend on the output.  That is what makes a history's prefixes
checkable on their own (an operation in flight at the cut becomes pending),
and so what lets a report show the shortest prefix that cannot be linearized.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, ClassVar, Final, Generic, TypeVar

from spec._core.errors import SpecError
from spec.container import End
from spec.linearize.guess import container_keys, container_suspects, hashable, kv_keys
from spec.linearize.ops import UNKNOWN, HistoryError, Operation, Raised

__all__ = [
    "EVERY_GROUP",
    "MODELS",
    "ContainerModel",
    "KVModel",
    "Model",
    "RegisterModel",
    "UnknownModel",
    "get_model",
]

S = TypeVar("S", bound=Hashable)

_EMPTY = Raised("IndexError")


class _EveryGroup:
    """The type of :data:`EVERY_GROUP` (one instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "EVERY_GROUP"


EVERY_GROUP: Final = _EveryGroup()
"""What ``Model.group`` answers for an operation that goes with every group (a queue's ``len()``)."""


class UnknownModel(SpecError, LookupError):
    """No model is registered under the given name."""


class Model(abc.ABC, Generic[S]):
    """A sequential specification: an initial state and a step function.

    Subclasses set ``name`` and ``operations`` (the operation names they
    accept) and define :meth:`initial` and :meth:`step`.  The other methods
    have defaults: no partitioning, no shrinking of counterexamples, and the
    search tries operations in the order they were called.
    """

    name: str = "model"
    operations: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def initial(self) -> S:
        """The state before any operation."""

    @abc.abstractmethod
    def step(self, state: S, op: Operation) -> tuple[bool, S]:
        """``(legal, next_state)``: could ``op`` produce its output in ``state``, and the state after.

        When ``op.output`` is :data:`UNKNOWN` the answer must be ``True`` and
        ``next_state`` the state the operation produces had it taken effect.
        """

    def validate(self, op: Operation) -> str | None:
        """What is wrong with ``op`` for this model (a phrase), or ``None`` if it fits.

        The default accepts any operation whose name is in ``operations``.
        """
        if op.name not in self.operations:
            return f"the {self.name} model has no operation {op.name!r} (known: {', '.join(sorted(self.operations))})"
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
        args = "" if op.input is None else repr(op.input)
        return f"{op.name}({args}){'' if op.output is None else _outcome(op.output)}"

    def describe_state(self, state: S) -> str:
        """The state, for reports."""
        return repr(state)


def _outcome(output: object) -> str:
    """`` -> output``, `` -> ?`` when unknown, `` raises Name``."""
    if output is UNKNOWN:
        return " -> ?"
    if isinstance(output, Raised):
        return f" {output!r}"
    return f" -> {output!r}"


class ContainerModel(Model[tuple[Any, ...]]):
    """A queue or a stack with distinct-enough items: a tuple, oldest item first.

    ``push(v)`` (alias ``enqueue``) appends ``v`` (its output is ignored:
    Jepsen echoes the input); ``pop()`` (alias ``dequeue``) takes the item at
    ``end`` and ``peek()`` returns it, or both raise :class:`IndexError` when
    empty; ``len()`` returns the number of items, ``bool()`` whether there
    is any (``True``/``False``).  Items compare with
    ``==``; items that cannot be hashed (lists) are held, and compared, as
    their reprs, since a state must be hashable.
    """

    operations = frozenset({"push", "enqueue", "pop", "dequeue", "peek", "len", "bool"})

    end: End

    def __init__(self, end: End) -> None:
        self.end = end
        self.name = "queue" if end is End.OLDEST else "stack"

    def initial(self) -> tuple[Any, ...]:
        return ()

    def step(self, state: tuple[Any, ...], op: Operation) -> tuple[bool, tuple[Any, ...]]:
        name, out = op.name, op.output
        if name in ("push", "enqueue"):
            return not isinstance(out, Raised), (*state, hashable(op.input))
        if name == "len":
            return out is UNKNOWN or out == len(state), state
        if name == "bool":
            return out is UNKNOWN or out == (len(state) > 0), state
        if not state:
            return out is UNKNOWN or out == _EMPTY, state
        front = state[self.end.value]
        ok = out is UNKNOWN or (not isinstance(out, Raised) and hashable(out) == front)
        if name == "peek":
            return ok, state
        return ok, state[1:] if self.end is End.OLDEST else state[:-1]

    def observes(self, op: Operation) -> bool:
        return op.name in ("peek", "len", "bool") or isinstance(op.output, Raised)

    def group(self, op: Operation) -> Hashable | None:
        # An item's push, its pop and its peeks go together: dropping them all
        # from a linearization leaves a legal one.  A pop or peek that raised
        # changes nothing and goes alone.  len() counts every item, so it
        # goes whenever one does; a pop with an unknown result may have
        # taken any item and stays (if it took a dropped one, leave it out:
        # it is pending, so that is allowed).  bool() goes with len().
        if op.name in ("len", "bool"):
            return EVERY_GROUP
        if op.name in ("push", "enqueue"):
            return ("item", hashable(op.input))
        if op.output is UNKNOWN:
            return None
        if isinstance(op.output, Raised):
            return ("alone", id(op))
        return ("item", hashable(op.output))

    def describe(self, op: Operation) -> str:
        if op.name in ("push", "enqueue"):
            return f"{op.name}({op.input!r})"
        return f"{op.name}(){_outcome(op.output)}"

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return container_keys(ops, fifo=self.end is End.OLDEST)

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        for witnesses in container_suspects(ops, fifo=self.end is End.OLDEST):
            yield frozenset(self.group(op) for op in witnesses)


class RegisterModel(Model[Hashable]):
    """A read/write/compare-and-set register, initially ``initial`` (``None``: Jepsen's ``nil``).

    ``read() -> v``; ``write(v)``; ``cas((from, to)) -> True`` if it swapped
    (the register held ``from``), ``False`` if it did not.
    """

    name = "register"
    operations = frozenset({"read", "write", "cas"})

    initial_value: Hashable

    def __init__(self, initial: Hashable = None) -> None:
        self.initial_value = initial

    def initial(self) -> Hashable:
        return self.initial_value

    def validate(self, op: Operation) -> str | None:
        problem = super().validate(op)
        if problem is None and op.name == "cas":
            if not (isinstance(op.input, tuple | list) and len(op.input) == 2):
                return f"cas takes a pair (from, to), got {op.input!r}"
            if op.output is not UNKNOWN and not isinstance(op.output, bool):
                return f"cas returns true or false, got {op.output!r}"
        return problem

    def step(self, state: Hashable, op: Operation) -> tuple[bool, Hashable]:
        out = op.output
        if op.name == "read":
            return out is UNKNOWN or out == state, state
        if op.name == "write":
            return True, op.input
        old, new = op.input
        swaps = state == old
        return out is UNKNOWN or out is swaps, new if swaps else state

    def observes(self, op: Operation) -> bool:
        return op.name == "read" or (op.name == "cas" and op.output is False)

    def group(self, op: Operation) -> Hashable | None:
        # A read, or a cas that did not swap, changes nothing: either can go.
        if op.output is UNKNOWN or op.name == "write" or (op.name == "cas" and op.output):
            return None
        return ("alone", id(op))

    def describe(self, op: Operation) -> str:
        if op.name == "read":
            return f"read(){_outcome(op.output)}"
        if op.name == "write":
            return f"write({op.input!r})"
        old, new = op.input
        return f"cas({old!r}, {new!r}){_outcome(op.output)}"


class KVModel(Model[str]):
    """A key-value store of strings, every key initially ``""``; partitioned by key.

    Inputs are ``(key, value)`` pairs: ``get((k, None)) -> v``,
    ``put((k, v))`` sets, ``append((k, v))`` concatenates.
    """

    name = "kv"
    operations = frozenset({"get", "put", "append"})

    def initial(self) -> str:
        return ""

    def validate(self, op: Operation) -> str | None:
        problem = super().validate(op)
        if problem is None:
            if not (isinstance(op.input, tuple | list) and len(op.input) == 2):
                return f"{op.name} takes a pair (key, value), got {op.input!r}"
            if op.name != "get" and not isinstance(op.input[1], str):
                return f"{op.name} takes a string value, got {op.input[1]!r}"
        return problem

    def step(self, state: str, op: Operation) -> tuple[bool, str]:
        if op.name == "get":
            return op.output is UNKNOWN or op.output == state, state
        value: str = op.input[1]
        return True, value if op.name == "put" else state + value

    def partition(self, op: Operation) -> Hashable:
        return hashable(op.input[0])

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return kv_keys(ops)

    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op)) if op.name == "get" and op.output is not UNKNOWN else None

    def describe(self, op: Operation) -> str:
        key, value = op.input
        if op.name == "get":
            return f"get({key!r}){_outcome(op.output)}"
        return f"{op.name}({key!r}, {value!r})"


MODELS: dict[str, Model[Any]] = {
    "queue": ContainerModel(End.OLDEST),
    "stack": ContainerModel(End.NEWEST),
    "register": RegisterModel(),
    "kv": KVModel(),
}
"""The built-in models by name."""


def get_model(name: str) -> Model[Any]:
    """The built-in model called ``name``; :class:`UnknownModel` if there is none."""
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModel(f"unknown model {name!r} (known: {', '.join(MODELS)})") from None


def check_operations(model: Model[Any], ops: Sequence[Operation]) -> None:
    """Raise :class:`HistoryError` naming the first operation that does not fit ``model``."""
    for position, op in enumerate(ops):
        problem = model.validate(op)
        if problem is not None:
            where = f"line {op.line}" if op.line is not None else f"operation {position}"
            raise HistoryError(f"{where}: {problem}")
