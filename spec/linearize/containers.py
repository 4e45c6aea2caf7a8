"""The container models: a queue or a stack, an unordered queue, a set.

======================  ============================================================
``queue``, ``stack``    ``push(v)``/``enqueue(v)``; ``pop() -> v``/``dequeue() -> v``,
                        ``peek() -> v`` (raise ``IndexError`` when empty); ``len() -> n``
``fifo-queue``          the ``queue`` (Knossos's name)
``unordered-queue``     ``enqueue(v)``; ``dequeue() -> v``: any item in
``set``                 ``add(v)``; ``read() -> {v, ...}``: every item added
======================  ============================================================

States hold the items' keys (:func:`~spec.linearize.values.key`), so items
compare as JSON and EDN mean them, and items that Python cannot hash (a
list pushed from Python) are held as tuples.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from typing import Any, Final

from spec.container import End
from spec.linearize.guess import container_keys, container_suspects
from spec.linearize.models import EVERY_GROUP, Model, outcome
from spec.linearize.ops import UNKNOWN, Operation, Raised
from spec.linearize.seq import Seq
from spec.linearize.values import key, show_value, value_of

__all__ = ["ContainerModel", "SetModel", "UnorderedQueueModel"]

_EMPTY: Final = Raised("IndexError")
_PUSHES: Final = frozenset({"push", "enqueue"})
_POPS: Final = frozenset({"pop", "dequeue"})


class ContainerModel(Model[Seq]):
    """A queue or a stack: a sequence, oldest item first, from which ``pop()`` takes the item at ``end``.

    ``push(v)`` (alias ``enqueue``) appends ``v`` (its output is ignored:
    Jepsen echoes the input; a push that raised is not legal); ``pop()``
    (alias ``dequeue``) takes the item at ``end`` and ``peek()`` returns it,
    or both raise :class:`IndexError` (output ``Raised("IndexError")``) when
    empty; ``len()`` returns the number of items, ``bool()`` whether there is
    any (``True``/``False``).  These are the queue and
    stack contracts' own notion of truth.  Each step is O(1) (the state is a
    :class:`~spec.linearize.seq.Seq`), so a long sequential history is
    checked in linear time and memory.
    """

    operations = frozenset({"push", "enqueue", "pop", "dequeue", "peek", "len", "bool"})

    end: End

    def __init__(self, end: End) -> None:
        self.end = end
        self.name = "queue" if end is End.OLDEST else "stack"

    def initial(self) -> Seq:
        return Seq.EMPTY

    def step(self, state: Seq, op: Operation) -> tuple[bool, Seq]:
        name, out = op.name, op.output_key
        if name in _PUSHES:
            return type(out) is not Raised, state.push(op.input_key)
        if name == "len":
            return out is UNKNOWN or out == len(state), state
        if name == "bool":
            return out is UNKNOWN or out == key(len(state) > 0), state
        if not state:
            return out is UNKNOWN or out == _EMPTY, state
        if self.end is End.OLDEST:
            ok = out is UNKNOWN or out == state.first()
            return ok, state if name == "peek" else state.pop_first()
        ok = out is UNKNOWN or out == state.last()
        return ok, state if name == "peek" else state.pop_last()

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
        if op.name in _PUSHES:
            return ("item", op.input_key)
        if op.output is UNKNOWN:
            return None
        if isinstance(op.output, Raised):
            return ("alone", id(op))
        return ("item", op.output_key)

    def describe(self, op: Operation) -> str:
        if op.name in _PUSHES:
            return f"{op.name}({show_value(op.input)})"
        return f"{op.name}(){outcome(op.output)}"

    def describe_state(self, state: Seq) -> str:
        return show_value(tuple(value_of(item) for item in state))

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return container_keys(ops, fifo=self.end is End.OLDEST)

    def suspects(self, ops: Sequence[Operation]) -> Iterator[frozenset[Hashable]]:
        for witnesses in container_suspects(ops, fifo=self.end is End.OLDEST):
            yield frozenset(self.group(op) for op in witnesses)


class UnorderedQueueModel(Model[frozenset[tuple[Hashable, int]]]):
    """Knossos's unordered queue: ``enqueue(v)`` adds an item, ``dequeue() -> v`` takes any item that is in.

    The state is a multiset, held as the pairs (item, copy).  A dequeue must
    return an item: this queue has no notion of empty (in a Jepsen history a
    dequeue from an empty queue fails, and so is left out).  A pending
    dequeue is taken to have removed nothing, which loses no linearization:
    in this model removing an item never makes a later operation legal.
    """

    name = "unordered-queue"
    operations = frozenset({"enqueue", "dequeue", "push", "pop"})

    def initial(self) -> frozenset[tuple[Hashable, int]]:
        return frozenset()

    def validate(self, op: Operation) -> str | None:
        problem = super().validate(op)
        if problem is None and op.name in _POPS and isinstance(op.output, Raised):
            return f"{op.name} returns an item in the {self.name} model, which has no notion of empty"
        return problem

    def step(self, state: frozenset[tuple[Hashable, int]], op: Operation) -> tuple[bool, Any]:
        if op.name in _PUSHES:
            item, copy = op.input_key, 0
            while (item, copy) in state:
                copy += 1
            return True, state | {(item, copy)}
        out = op.output_key
        if out is UNKNOWN:
            return True, state
        if (out, 0) not in state:
            return False, state
        copy = 0
        while (out, copy + 1) in state:
            copy += 1
        return True, state - {(out, copy)}

    def group(self, op: Operation) -> Hashable | None:
        # As for a queue: an item's enqueues and dequeues go together.
        if op.name in _PUSHES:
            return ("item", op.input_key)
        return None if op.output is UNKNOWN else ("item", op.output_key)

    def describe(self, op: Operation) -> str:
        if op.name in _PUSHES:
            return f"{op.name}({show_value(op.input)})"
        return f"{op.name}(){outcome(op.output)}"

    def describe_state(self, state: frozenset[tuple[Hashable, int]]) -> str:
        return show_value(sorted((value_of(item) for item, _ in state), key=show_value))

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return container_keys(ops, fifo=True)


class SetModel(Model[frozenset[Hashable]]):
    """Knossos's set: ``add(v)`` adds an item, ``read() -> items`` returns every item added so far.

    A read's output is an EDN set (``#{1 2}``), or, since JSON has none, an
    array or vector, read as the set of its items.
    """

    name = "set"
    operations = frozenset({"add", "read"})

    def initial(self) -> frozenset[Hashable]:
        return frozenset()

    def validate(self, op: Operation) -> str | None:
        problem = super().validate(op)
        collection = isinstance(op.output, tuple | frozenset | list | set)
        if problem is None and op.name == "read" and op.output is not UNKNOWN and not collection:
            return f"read returns the set's items, got {show_value(op.output)}"
        return problem

    def step(self, state: frozenset[Hashable], op: Operation) -> tuple[bool, frozenset[Hashable]]:
        if op.name == "add":
            return True, state | {op.input_key}
        out = op.output_key
        if out is UNKNOWN:
            return True, state
        return (out if type(out) is frozenset else frozenset(out)) == state, state

    def observes(self, op: Operation) -> bool:
        return op.name == "read"

    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op)) if op.name == "read" and op.output is not UNKNOWN else None

    def describe_state(self, state: frozenset[Hashable]) -> str:
        return show_value(frozenset(value_of(item) for item in state))
