"""What the queue and stack contracts share: protocol, shape check, machine.

The two contracts differ in one thing only, the end an item leaves from.  This
module holds everything else once; ``spec/queue.py`` and ``spec/stack.py`` hold
the clauses (their words differ) and pick the end.

Discussion (attributing a failure to the right clause): a wrong answer can
often be read as breaking more than one clause, and a report that names the
wrong one sends the implementer to the wrong place.  The machine therefore
judges each observation by the most specific evidence it has:

* ``pop()`` returned another item that is in the container (by identity): the
  order clause.  Returned an equal object that is not the one pushed: the
  identity clause.  Raised ``IndexError`` while items are held: the empty clause.
* ``peek()`` answering another held item is wrong either way; the machine
  then calls ``pop()`` at once: if the two disagree, the peek clause is broken;
  if they agree on the wrong item, the order clause.
* A length that moved when the operation should not have moved it (or by the
  wrong amount) breaks the operation's clause; a length that is off by a
  constant breaks the size clause.
* ``pop()`` and ``peek()`` are one rule each, empty or not (the model says
  which answer is due).  Rules gated by preconditions on emptiness left the
  shrinker stuck with runs of useless empty pops; one rule per operation
  shrinks to the minimal program every time.
* Independence is probed at the start of every program, before anything else:
  pushing to a second instance must neither change ``len(q)`` nor show up in
  ``q``.  Probing first matters: a target whose instances share storage would
  otherwise carry items from one program into the next, and fail later checks
  in ways no single program reproduces.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn, Protocol, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import rule

from spec._core.checker import ContractMachine, TargetFailure, describe_exception, method, raises_block
from spec._core.clauses import Clause, Clauses
from spec._core.contract import Prepared, as_factory, call_for_shape
from spec._core.deadline import Deadline
from spec._core.errors import TargetError
from spec._core.program import guarded, show, type_name

__all__ = ["Container", "ContainerMachine", "End", "container_clauses", "items", "prepare_container"]

T = TypeVar("T")

_OPERATIONS = ("push", "pop", "peek")
# Hashable, so that a target that cannot take unhashable items fails where it
# should (the conduct clause, on a pushed list), not in the independence probe.
_PROBE = ("pushed to another instance",)


class Container(Protocol[T]):
    """What a queue or stack target offers (one instance)."""

    def push(self, item: T, /) -> None: ...

    def pop(self) -> T: ...

    def peek(self) -> T: ...

    def __len__(self) -> int: ...


class End(enum.Enum):
    """Which end ``pop()`` takes from: the oldest item (queue) or the newest (stack)."""

    OLDEST = 0
    NEWEST = -1


def container_clauses(prefix: str, noun: str, var: str, order: tuple[str, str]) -> Clauses:
    """The seven clauses of a container contract; only the order clause differs.

    The ids are ``{prefix}1`` (order) to ``{prefix}7`` (conduct); the order
    clause is titled ``order[0]``, the others by what they judge (``peek``,
    ``size``, ``empty``, ``identity``, ``independence``, ``conduct``).
    """
    title, text = order
    return Clauses(
        Clause(f"{prefix}1", title, text),
        Clause(
            f"{prefix}2", "peek", "peek() must return the item the next pop() would return, and must remove nothing."
        ),
        Clause(
            f"{prefix}3",
            "size",
            f"len({var}) must equal pushes minus successful pops, and bool({var}) must be len({var}) > 0.",
        ),
        Clause(
            f"{prefix}4",
            "empty",
            f"pop() and peek() must raise IndexError exactly when the {noun} is empty, and then change nothing.",
        ),
        Clause(
            f"{prefix}5",
            "identity",
            "pop() and peek() must return the very object pushed (is), never a copy or an equal object.",
        ),
        Clause(
            f"{prefix}6",
            "independence",
            "Instances must not share state: pushing to one changes neither the length nor the items of another.",
        ),
        Clause(
            f"{prefix}7",
            "conduct",
            "Every call must return within the time limit; push() accepts any object (None, unhashable) and "
            "raises nothing, pop() and peek() raise nothing but IndexError.",
        ),
    )


def items() -> st.SearchStrategy[object]:
    """Items to push: small ints, ``None`` and one-element lists.

    The lists are unhashable, and two of them with the same element are equal
    but distinct, which is what the identity clause needs to be checkable.
    """
    return st.one_of(st.integers(0, 9), st.none(), st.lists(st.integers(0, 9), min_size=1, max_size=1))


def prepare_container(kind: str) -> Callable[[object, Deadline], Prepared]:
    """The shape check of a ``kind`` ("queue" or "stack") target."""

    def prepare(target: object, deadline: Deadline) -> Prepared:
        factory, name = as_factory(target, f"a {kind} target must be a zero-argument callable (a class or factory)")
        instance = call_for_shape(f"{name}()", deadline, factory)
        missing = [op for op in _OPERATIONS if not callable(guarded(getattr, instance, op, None, default=None))]
        if not guarded(hasattr, type(instance), "__len__", default=False):
            missing.append("__len__")
        if missing:
            raise TargetError(
                f"{name}() returned a {type_name(instance)} without {', '.join(missing)}"
                f" (a {kind} target needs push, pop, peek and __len__)"
            )
        return Prepared(factory=factory)

    return prepare


class ContainerMachine(ContractMachine):
    """Pushes, pops and peeks, on a list model and the target, and compares.

    Subclasses set ``clauses`` (from :func:`container_clauses`), ``order``
    (the id of its order clause), ``end``, ``noun`` ("queue") and ``var`` (the
    instance's name in snippets, "q"); the other clause ids (``peek_clause``
    ... ``conduct``) are looked up in ``clauses`` by title.
    """

    end: ClassVar[End]
    noun: ClassVar[str]
    var: ClassVar[str]
    order: ClassVar[str]
    peek_clause: ClassVar[str]
    size: ClassVar[str]
    empty: ClassVar[str]
    identity: ClassVar[str]
    independence: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "clauses" in cls.__dict__:
            ids = map(cls.clauses.id_of, ("peek", "size", "empty", "identity", "independence", "conduct"))
            (cls.peek_clause, cls.size, cls.empty, cls.identity, cls.independence, cls.conduct) = ids

    target: Container[Any]
    model: list[tuple[object, str]]  # (item, how the program names it), oldest first
    last_size: int  # len(target) as last observed

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        factory = cls.binding.factory
        name = cls.binding.ref.name
        v = cls.var
        self.target = self.call(f"{v} = {name}()", factory)
        self.model = []
        self._probe_independence(name)

    def _probe_independence(self, name: str) -> None:
        cls = type(self)
        v, other = cls.var, f"other_{cls.var}"
        mark = self.program.mark()
        before = self.call(f"len({v})", len, self.target, record=False)
        instance = self.call(f"{other} = {name}()", cls.binding.factory)
        self.call(f"{other}.push({_PROBE!r})", method(instance, "push"), _PROBE)
        after = self.call(f"len({v})", len, self.target, record=False)
        self.last_size = before
        self.require(
            after == before,
            cls.independence,
            f"pushing to another instance changed len({v}) from {before} to {after}",
            expected=before,
            actual=after,
            ending=(f"assert len({v}) == {before}, {self.tag(cls.independence)!r}",),
        )
        try:
            seen = self.attempt(f"{v}.peek()", method(self.target, "peek"), record=False)
        except TargetFailure:
            self.program.drop_last()  # an empty peek is judged by the empty clause, not here
        else:
            # Equality, not identity: the probe of an earlier program looks the
            # same, and finding it here is just as much proof of shared state.
            self.require(
                not self.equal(f"{v}.peek() == {_PROBE!r}", seen, _PROBE),
                cls.independence,
                f"{v}.peek() on a new {cls.noun} returned an item pushed to another instance",
                expected="IndexError (a new instance is empty)",
                actual=seen,
                ending=raises_block(f"{v}.peek()", IndexError, f"{self.tag(cls.independence)}: new means empty"),
            )
        # The probe passed: the other instance is independent of this one, and
        # leaving it out of the snippets keeps them to the point.
        self.program.truncate(mark)

    # -- helpers -------------------------------------------------------------

    def _front(self) -> tuple[object, str]:
        return self.model[type(self).end.value]

    def _held(self, value: object) -> int | None:
        """The position (1 = oldest) of the held item that *is* ``value``, if any."""
        for position, (item, _) in enumerate(self.model, start=1):
            if item is value:
                return position
        return None

    def _is(self, source: str, expr: str, clause: str) -> tuple[str]:
        # Number literals are compared with ==: `is` with a literal is a
        # SyntaxWarning, and for small ints the two agree.  Names and None: is.
        op = "is" if expr.isidentifier() else "=="
        return (f"assert {source} {op} {expr}, {self.tag(clause)!r}",)

    def _get(self, source: str, fn: Callable[[], object]) -> object:
        """Call pop/peek on a non-empty target; IndexError here breaks the empty clause."""
        cls = type(self)
        try:
            return self.attempt(source, fn)
        except TargetFailure as failure:
            if not isinstance(failure.error, IndexError):
                self.raised(source, failure.error)
            self.fail(
                cls.empty,
                f"{source} raised IndexError on a {cls.noun} holding {len(self.model)} item(s)",
                expected=self._front()[0],
                actual=describe_exception(failure.error),
                ending=(f"# raises {describe_exception(failure.error)}",),
            )

    def _check_size(self, op_clause: str, delta: int, op: str) -> None:
        cls = type(self)
        v = cls.var
        size = self.call(f"len({v})", len, self.target, record=False)
        want = len(self.model)
        ending = (f"assert len({v}) == {want}, {self.tag(op_clause)!r}",)
        if size - self.last_size != delta:
            self.fail(
                op_clause,
                f"{op} changed len({v}) from {self.last_size} to {size}",
                expected=self.last_size + delta,
                actual=size,
                ending=ending,
            )
        self.require(
            size == want,
            cls.size,
            f"len({v}) is {size} after {op}, but the {cls.noun} holds {want} item(s)",
            expected=want,
            actual=size,
            ending=(f"assert len({v}) == {want}, {self.tag(cls.size)!r}",),
        )
        truth = self.call(f"bool({v})", bool, self.target, record=False)
        self.require(
            truth is (want > 0),
            cls.size,
            f"bool({v}) is {truth} while len({v}) is {want}",
            expected=want > 0,
            actual=truth,
            ending=(f"assert bool({v}) is {want > 0}, {self.tag(cls.size)!r}",),
        )
        self.last_size = size

    # -- rules ---------------------------------------------------------------

    @rule(item=items())
    def push(self, item: object) -> None:
        v = type(self).var
        expr = self.program.name(item)
        self.call(f"{v}.push({expr})", method(self.target, "push"), item)
        self.model.append((item, expr))
        self._check_size(type(self).size, +1, f"{v}.push({expr})")

    @rule()
    def pop(self) -> None:
        if not self.model:
            self._empty("pop", method(self.target, "pop"))
            return
        cls = type(self)
        source = f"{cls.var}.pop()"
        got = self._get(source, method(self.target, "pop"))
        item, expr = self._front()
        self._judge(source, got, item, expr, cls.order)
        del self.model[cls.end.value]
        self._check_size(cls.size, -1, source)

    def _judge(self, source: str, got: object, item: object, expr: str, clause: str) -> None:
        """Judge ``got`` (from pop or peek) against ``item``, the right answer.

        Another held item is an order violation; an equal copy of the right
        item an identity violation; anything else breaks ``clause``.
        """
        cls = type(self)
        if got is item:
            self.count(cls.order)
            self.count(cls.identity)
            return
        position = self._held(got)
        which = "oldest" if cls.end is End.OLDEST else "newest"
        if position is None and self.equal(f"{source} == {expr}", got, item):
            self.fail(
                cls.identity,
                f"{source} returned an object equal to the one pushed, but not it",
                expected=f"the object pushed as {expr}",
                actual=f"a different object equal to it: {show(got)}",
                ending=self._is(source, expr, cls.identity),
                replace_last=True,
            )
        what = f"{show(got)}, which the {cls.noun} does not hold"
        if position is not None:
            what, clause = f"the item pushed {_ordinal(position)} of the {len(self.model)} held", cls.order
        self.fail(
            clause,
            f"{source} returned {what}; it must return the {which}, {expr}",
            expected=item,
            actual=got,
            ending=self._is(source, expr, clause),
            replace_last=True,
        )

    @rule()
    def peek(self) -> None:
        if not self.model:
            self._empty("peek", method(self.target, "peek"))
            return
        cls = type(self)
        v = cls.var
        got = self._get(f"peeked = {v}.peek()", method(self.target, "peek"))
        item, expr = self._front()
        if got is item:
            self.count(cls.peek_clause)
            self.count(cls.identity)
        elif self._held(got) is None:
            # Not any item held: a copy of the right one, or something else.
            self._judge(f"{v}.peek()", got, item, expr, cls.peek_clause)
        else:
            self._wrong_held_peek(got, item, expr)
        self._check_size(cls.peek_clause, 0, f"{v}.peek()")

    def _wrong_held_peek(self, got: object, item: object, expr: str) -> NoReturn:
        """``peek()`` answered another held item: a pop() right now tells which clause broke.

        If ``pop()`` agrees with ``peek()``, the two agree on the wrong end: the
        order clause.  If not, ``peek()`` does not announce the next ``pop()``:
        the peek clause.
        """
        cls = type(self)
        source = f"{cls.var}.pop()"
        popped = self._get(source, method(self.target, "pop"))
        if popped is got:
            self._judge(source, popped, item, expr, cls.order)
        self.fail(
            cls.peek_clause,
            f"{cls.var}.peek() returned {show(got)}, but the pop() right after it returned {show(popped)}",
            expected=got,
            actual=popped,
            ending=self._is(source, "peeked", cls.peek_clause),
            replace_last=True,
        )

    def _empty(self, op: str, fn: Callable[[], object]) -> None:
        cls = type(self)
        v = cls.var
        self.call_raising(
            f"{v}.{op}()",
            fn,
            expected=IndexError,
            clause=cls.empty,
            why=f"{op}() on an empty {cls.noun} must raise IndexError",
        )
        self._check_size(cls.empty, 0, f"{v}.{op}() on an empty {cls.noun}")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
