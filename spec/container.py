"""What the queue and stack contracts share: protocol, shape check, machine.

The two contracts differ in one thing only, the end an item leaves from.  This
module holds everything else once; ``spec/queue.py`` and ``spec/stack.py`` hold
the clauses (their words differ) and pick the end.

Discussion (attributing a failure to the right clause): a wrong answer can
often be read as breaking more than one clause, and a report that names the
wrong one sends the implementer to the wrong place.  The machine therefore
judges each observation by the most specific evidence it has:

* An item that was pushed to the other live instance, and never to this one,
  coming out of ``pop()`` or ``peek()``: the independence clause.
* ``pop()`` returned an object equal to the right one but not it (even one
  that is also held, as when a target keeps one object per equal value): the
  identity clause.  Another item that is in the container (by identity): the
  order clause.  Raised ``IndexError`` while items are held: the empty clause.
* ``peek()`` answering another item is wrong either way; the machine then
  calls ``pop()`` at once: if the two disagree, the peek clause is broken; if
  they agree on the wrong item, the order clause.
* A length that moved when the operation should not have moved it (or by the
  wrong amount) breaks the operation's clause; a length that is off by a
  constant breaks the size clause.
* ``pop()`` and ``peek()`` are one rule each, empty or not (the model says
  which answer is due).  Rules gated by preconditions on emptiness left the
  shrinker stuck with runs of useless empty pops; one rule per operation
  shrinks to the minimal program every time.
* Independence is probed at the start of every program, before anything
  else: a first instance is made, pushed to and peeked, then ``q`` is made;
  ``q`` must be as new (its length that of a new instance, no item of the
  first in it) and making it must not change the first.  Probing first
  matters: a target whose instances share storage, a cache, or state reset
  in ``__init__`` would otherwise carry state from one program into the next
  and fail later checks in ways no single program reproduces (or be blamed
  on another clause).  Later, ``push_other`` and ``pop_other`` drive a
  second live instance between ``q``'s operations, and every operation on
  one checks that the other's length did not move.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn, Protocol, TypeVar

import hypothesis
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from spec._core.checker import ContractMachine, TargetFailure, describe_exception, method, raises_block
from spec._core.clauses import Clause, Clauses
from spec._core.contract import Prepared, as_factory, call_for_shape
from spec._core.deadline import Deadline, TargetHung
from spec._core.errors import TargetError
from spec._core.program import guarded, show, type_name
from spec._core.signals import theirs
from spec._core.values import container_items, sizes, spelling

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
    """Items to push: the default ("any") draw of the queue and stack contracts.

    :func:`spec._core.values.container_items`: small ints first, then
    sentinels, values equal across types, objects equal but distinct, NaN and
    mutable, unhashable containers (see :mod:`spec._core.values`).
    """
    return container_items()


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


@dataclass
class _Side:
    """One live instance the program drives, with its model."""

    var: str  # its name in snippets: "q", or "other_q"
    target: Any
    model: list[tuple[object, str]] = field(default_factory=list)  # (item, its name in the program), oldest first
    size: int = 0  # len() as last observed, and found right
    pushed: dict[int, object] = field(default_factory=dict)  # every object pushed to it, by id (kept alive)
    history: list[tuple[object, str]] = field(default_factory=list)  # every item pushed, in order


class _Outcome:
    """A call the fast path of a bulk rule already made, played back to the rule that judges it."""

    def __init__(self, value: object, error: BaseException | None) -> None:
        self.value, self.error = value, error

    def __call__(self) -> object:
        if self.error is not None:
            raise self.error
        return self.value


@dataclass(frozen=True)
class _Batch:
    """Items a bulk rule pushes: built fresh by ``source`` (``{n}`` is the count) or by ``make``."""

    source: str
    make: Callable[[int], list[object]]


def _mixed(n: int) -> list[object]:
    return [(None, i, [i], (i, i), str(i) * 2, {i: i}, {i})[i % 7] for i in range(n)]


BATCHES: dict[str, _Batch] = {
    "lists": _Batch("[[i] for i in range({n})]", lambda n: [[i] for i in range(n)]),
    "mixed": _Batch("[(None, i, [i], (i, i), str(i) * 2, {{i: i}}, {{i}})[i % 7] for i in range({n})]", _mixed),
}
"""What ``grow`` pushes: distinct lists, or a mix of ``None``, ints, lists, tuples, strings, dicts and sets."""


BULK_BUDGET = 5000
"""Items the bulk rules push and pop in one program, at most: enough to grow past 4096 once and shrink back."""


def _bulk_caught(exc: BaseException) -> None:
    """Let what a bulk rule's fast path caught be replayed through the checker (see ``_bulk_error``).

    The target's exceptions and a hang are replayed; the oracle's other own
    signals pass on (see :func:`~spec._core.signals.theirs`).
    """
    if not isinstance(exc, TargetHung):
        theirs(exc)


class ContainerMachine(ContractMachine):
    """Pushes, pops and peeks, on a list model and the target, and compares.

    Subclasses set ``clauses`` (from :func:`container_clauses`), ``order``
    (the id of its order clause), ``end``, ``noun`` ("queue") and ``var`` (the
    instance's name in snippets, "q"); the other clause ids (``peek_clause``
    ... ``conduct``) are looked up in ``clauses`` by title.

    Rules: ``push``, ``pop`` and ``peek`` one item at a time; ``push_same``
    pushes an item pushed before (the very object); ``grow`` and ``shrink``
    push or pop (peeking first) up to thousands of items at once, to a size
    drawn from :func:`spec._core.values.sizes`; ``push_other`` and
    ``pop_other`` drive a second live instance, interleaved with the first.
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

    main: _Side
    other: _Side | None  # made by the first rule that drives it
    first: Any  # the probe's instance, kept alive to the end of the program
    _bulk: int  # items the bulk rules may still push or pop in this program
    _largest: int  # the most items q held in this program

    def __init__(self) -> None:
        super().__init__()
        self.other = None
        self._bulk = BULK_BUDGET
        self._largest = 0
        self._probe_independence()

    def _probe_independence(self) -> None:
        """Make an instance, push to it, then make ``q``: each must be unaffected by the other.

        See the module's Discussion.  The probe leaves only ``q = Name()`` in
        the program when it passes.
        """
        cls = type(self)
        factory, name = cls.binding.factory, cls.binding.ref.name
        v, first = cls.var, f"first_{cls.var}"
        mark = self.program.mark()
        self.first = self.call(f"{first} = {name}()", factory)
        before = self.call(f"len({first})", len, self.first, record=False)
        self.call(f"{first}.push({_PROBE!r})", method(self.first, "push"), _PROBE)
        # A peek too, which may keep state (a cache), before q is made; what
        # it answers is judged by the other clauses, later, not here.
        try:
            self.attempt(f"{first}.peek()", method(self.first, "peek"))
        except TargetFailure:
            self.program.drop_last()
        held = self.call(f"len({first})", len, self.first, record=False)
        target = self.call(f"{v} = {name}()", factory)
        size = self.call(f"len({v})", len, target, record=False)
        self.require(
            size == before,
            cls.independence,
            f"a new {cls.noun} made after pushing to another one has len({v}) {size}, where that one had {before}",
            expected=before,
            actual=size,
            ending=(f"assert len({v}) == {before}, {self.tag(cls.independence)!r}",),
        )
        after = self.call(f"len({first})", len, self.first, record=False)
        self.require(
            after == held,
            cls.independence,
            f"making a new {cls.noun} changed len({first}) from {held} to {after}",
            expected=held,
            actual=after,
            ending=(f"assert len({first}) == {held}, {self.tag(cls.independence)!r}",),
        )
        try:
            seen = self.attempt(f"{v}.peek()", method(target, "peek"), record=False)
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
        # The probe passed: the instances are independent so far, and leaving
        # the first one out of the snippets keeps them to the point.
        self.program.truncate(mark)
        self.program.add(f"{v} = {name}()")
        self.main = _Side(v, target, size=size)

    def _other(self) -> _Side:
        """The second live instance, made (and judged) the first time a rule drives it."""
        if self.other is None:
            cls = type(self)
            factory, name = cls.binding.factory, cls.binding.ref.name
            var = f"other_{cls.var}"
            target = self.call(f"{var} = {name}()", factory)
            self.other = _Side(var, target)
            self._check_untouched(self.other, f"{var} = {name}()")
            self.other.size = self.call(f"len({var})", len, target, record=False)
        return self.other

    # -- helpers -------------------------------------------------------------

    def _name(self, item: object) -> str:
        spelled = spelling(item)
        if spelled is None:
            return self.program.name(item)
        source, imported = spelled
        if imported:
            self.program.need(imported)
        return self.program.bind(source)

    def _front(self, side: _Side) -> tuple[object, str]:
        return side.model[type(self).end.value]

    def _partner(self, side: _Side) -> _Side | None:
        return self.main if side is self.other else self.other

    @staticmethod
    def _held(side: _Side, value: object) -> int | None:
        """The position (1 = oldest) of the held item that *is* ``value``, if any."""
        for position, (item, _) in enumerate(side.model, start=1):
            if item is value:
                return position
        return None

    def _foreign(self, side: _Side, value: object) -> _Side | None:
        """The other instance, if ``value`` was pushed to it and never to ``side``."""
        partner = self._partner(side)
        if partner is None or partner.pushed.get(id(value)) is not value or side.pushed.get(id(value)) is value:
            return None
        return partner

    def _is(self, source: str, item: object, expr: str, clause: str) -> tuple[str]:
        """A statement that fails unless ``source`` gives the very object ``expr`` names.

        Names (and None, True, False) are compared with ``is``; other literals
        by repr, which tells ``1`` from ``True`` and ``0.0`` from ``-0.0``
        (``is`` with a literal is a SyntaxWarning).
        """
        tag = repr(self.tag(clause))
        if expr.isidentifier() or "[" in expr:
            return (f"assert {source} is {expr}, {tag}",)
        return (f"assert repr({source}) == {repr(item)!r}, {tag}",)

    def _get(self, side: _Side, source: str, fn: Callable[[], object]) -> object:
        """Call pop/peek on a non-empty target; IndexError here breaks the empty clause."""
        cls = type(self)
        try:
            return self.attempt(source, fn)
        except TargetFailure as failure:
            if not isinstance(failure.error, IndexError):
                self.raised(source, failure.error)
            self.fail(
                cls.empty,
                f"{source} raised IndexError on a {cls.noun} holding {len(side.model)} item(s)",
                expected=self._front(side)[0],
                actual=describe_exception(failure.error),
                ending=(f"# raises {describe_exception(failure.error)}",),
            )

    def _check_size(self, side: _Side, op_clause: str, delta: int, op: str) -> None:
        cls = type(self)
        v = side.var
        size = self.call(f"len({v})", len, side.target, record=False)
        want = len(side.model)
        if size - side.size != delta:
            self.fail(
                op_clause,
                f"{op} changed len({v}) from {side.size} to {size}",
                expected=side.size + delta,
                actual=size,
                ending=(f"assert len({v}) == {want}, {self.tag(op_clause)!r}",),
            )
        self.require(
            size == want,
            cls.size,
            f"len({v}) is {size} after {op}, but the {cls.noun} holds {want} item(s)",
            expected=want,
            actual=size,
            ending=(f"assert len({v}) == {want}, {self.tag(cls.size)!r}",),
        )
        truth = self.call(f"bool({v})", bool, side.target, record=False)
        self.require(
            truth is (want > 0),
            cls.size,
            f"bool({v}) is {truth} while len({v}) is {want}",
            expected=want > 0,
            actual=truth,
            ending=(f"assert bool({v}) is {want > 0}, {self.tag(cls.size)!r}",),
        )
        side.size = size
        self._check_untouched(side, op)
        self.reach(want)
        self._largest = max(self._largest, want)

    def _check_untouched(self, side: _Side, op: str) -> None:
        """The independence clause: ``op`` on ``side`` must not change the length of the other instance."""
        partner = self._partner(side)
        if partner is None:
            return
        cls = type(self)
        size = self.call(f"len({partner.var})", len, partner.target, record=False)
        self.require(
            size == partner.size,
            cls.independence,
            f"{op} changed len({partner.var}) from {partner.size} to {size}",
            expected=partner.size,
            actual=size,
            ending=(f"assert len({partner.var}) == {partner.size}, {self.tag(cls.independence)!r}",),
        )

    def _fail_foreign(self, side: _Side, source: str, got: object, partner: _Side) -> NoReturn:
        cls = type(self)
        self.fail(
            cls.independence,
            f"{source} returned {show(got)}, an item pushed to {partner.var}, not to {side.var}",
            expected=f"an item pushed to {side.var}",
            actual=got,
            ending=(f"# {source} returns an item pushed to {partner.var}",),
        )

    # -- operations, on either instance ----------------------------------------

    def _push(self, side: _Side, item: object, expr: str) -> None:
        source = f"{side.var}.push({expr})"
        self.call(source, method(side.target, "push"), item)
        self._pushed(side, item, expr)
        self._check_size(side, type(self).size, +1, source)

    @staticmethod
    def _pushed(side: _Side, item: object, expr: str) -> None:
        side.model.append((item, expr))
        side.history.append((item, expr))
        side.pushed[id(item)] = item

    def _pop(self, side: _Side, fn: Callable[[], object] | None = None) -> None:
        cls = type(self)
        if not side.model:
            self._empty(side, "pop", fn or method(side.target, "pop"))
            return
        source = f"{side.var}.pop()"
        got = self._get(side, source, fn or method(side.target, "pop"))
        item, expr = self._front(side)
        self._judge(side, source, got, item, expr, cls.order)
        del side.model[cls.end.value]
        self._check_size(side, cls.size, -1, source)

    def _judge(  # noqa: PLR0917  (the evidence, in the order the callers have it)
        self, side: _Side, source: str, got: object, item: object, expr: str, clause: str
    ) -> None:
        """Judge ``got`` (from pop or peek) against ``item``, the right answer.

        An item of the other instance is an independence violation; another
        held item an order violation; an equal copy of the right item an
        identity violation; anything else breaks ``clause``.
        """
        cls = type(self)
        if got is item:
            self.count(cls.order)
            self.count(cls.identity)
            return
        partner = self._foreign(side, got)
        if partner is not None:
            self._fail_foreign(side, source, got, partner)
        position = self._held(side, got)
        which = "oldest" if cls.end is End.OLDEST else "newest"
        # An equal object is an identity violation even when it is another
        # held item: a target that keeps one object per equal value (1 for
        # True) answers with a held object, but not the one pushed.
        if _both_nan(got, item) or self.equal(f"{source} == {expr}", got, item):
            self.fail(
                cls.identity,
                f"{source} returned an object equal to the one pushed, but not it",
                expected=f"the object pushed as {expr}",
                actual=f"a different object equal to it: {show(got)}",
                ending=self._is(source, item, expr, cls.identity),
                replace_last=True,
            )
        what = f"{show(got)}, which the {cls.noun} does not hold"
        if position is not None:
            what, clause = f"the item pushed {_ordinal(position)} of the {len(side.model)} held", cls.order
        self.fail(
            clause,
            f"{source} returned {what}; it must return the {which}, {expr}",
            expected=item,
            actual=got,
            ending=self._is(source, item, expr, clause),
            replace_last=True,
        )

    def _peek(self, side: _Side, fn: Callable[[], object] | None = None) -> None:
        cls = type(self)
        v = side.var
        if not side.model:
            self._empty(side, "peek", fn or method(side.target, "peek"))
            return
        got = self._get(side, f"peeked = {v}.peek()", fn or method(side.target, "peek"))
        item, expr = self._front(side)
        if got is item:
            self.count(cls.peek_clause)
            self.count(cls.identity)
        elif self._foreign(side, got) or _both_nan(got, item) or self.equal(f"{v}.peek() == {expr}", got, item):
            # Another instance's item, or a copy of the right one.
            self._judge(side, f"{v}.peek()", got, item, expr, cls.peek_clause)
        else:
            self._wrong_peek(side, got, item, expr)
        self._check_size(side, cls.peek_clause, 0, f"{v}.peek()")

    def _wrong_peek(self, side: _Side, got: object, item: object, expr: str) -> NoReturn:
        """``peek()`` answered another item (held or not): a pop() right now tells which clause broke.

        If ``pop()`` agrees with ``peek()``, the two agree on the wrong end: the
        order clause.  If not, ``peek()`` does not announce the next ``pop()``:
        the peek clause.
        """
        cls = type(self)
        source = f"{side.var}.pop()"
        popped = self._get(side, source, method(side.target, "pop"))
        if popped is got:
            self._judge(side, source, popped, item, expr, cls.order)
        self.fail(
            cls.peek_clause,
            f"{side.var}.peek() returned {show(got)}, but the pop() right after it returned {show(popped)}",
            expected=got,
            actual=popped,
            ending=self._is(source, None, "peeked", cls.peek_clause),
            replace_last=True,
        )

    def _empty(self, side: _Side, op: str, fn: Callable[[], object]) -> None:
        cls = type(self)
        source = f"{side.var}.{op}()"
        why = f"{op}() on an empty {cls.noun} must raise IndexError"
        try:
            value = self.attempt(source, fn)
        except TargetFailure as failure:
            if not isinstance(failure.error, IndexError):
                self.raised(source, failure.error)
            self.count(cls.empty)
            self.count(cls.conduct)
            # Replayed, the statement must not stop the program: it raises IndexError, suppressed.
            self.program.drop_last()
            self.program.need("from contextlib import suppress")
            self.program.add(f"with suppress(IndexError): {source}")
        else:
            partner = self._foreign(side, value)
            if partner is not None:
                self._fail_foreign(side, source, value, partner)
            self.fail(
                cls.empty,
                f"{source} returned {show(value)}; {why}",
                expected="raises IndexError",
                actual=f"returned {show(value)}",
                ending=raises_block(source, IndexError, f"{self.tag(cls.empty)}: {why}"),
                replace_last=True,
            )
        self._check_size(side, cls.empty, 0, f"{source} on an empty {cls.noun}")

    # -- rules ---------------------------------------------------------------

    @rule(item=items())
    def push(self, item: object) -> None:
        self._push(self.main, item, self._name(item))

    @precondition(lambda self: self.main.history)
    @rule(back=st.integers(0, 7))
    def push_same(self, back: int) -> None:
        """Push an item pushed before (``back`` pushes ago, or the oldest): the very same object."""
        history = self.main.history
        item, expr = history[max(len(history) - 1 - back, 0)]
        self._push(self.main, item, expr)

    @rule()
    def pop(self) -> None:
        self._pop(self.main)

    @rule()
    def peek(self) -> None:
        self._peek(self.main)

    @rule(item=items())
    def push_other(self, item: object) -> None:
        self._push(self._other(), item, self._name(item))

    @rule()
    def pop_other(self) -> None:
        self._pop(self._other())

    # -- the fast path of the bulk rules ---------------------------------------
    #
    # Discussion: ``grow`` and ``shrink`` make thousands of calls, each under
    # the time limit and each checked (the item's identity and len() after
    # every call), but without recording a statement per call, which would
    # make long programs slow.  At the first call whose answer is not the
    # right one, the rule writes the calls made so far as one loop, and hands
    # the answer to the rule that judges that call alone (``_push``,
    # ``_peek``, ``_pop``, ``_check_size``), so that a failure is named and
    # shown exactly as if the program had made the calls one by one.

    def _bulk_error(self, prefix: Callable[[], object], source: str, exc: BaseException) -> _Outcome:
        """What the fast path does when ``source`` raised: a hang is reported at once (after ``prefix()``)."""
        if isinstance(exc, TargetHung):
            prefix()
            self.program.add(source)
            self.hung(source, exc)
        return _Outcome(None, exc)

    @rule(to=sizes(), kind=st.sampled_from(sorted(BATCHES)))
    def grow(self, to: int, kind: str) -> None:
        """Push fresh items until ``q`` holds ``to`` of them (nothing if it holds as many already)."""
        cls = type(self)
        side = self.main
        count = min(to - len(side.model), self._bulk)
        if count <= 0:
            return
        self._bulk -= count
        batch = BATCHES[kind]
        name = self.program.bind(batch.source.format(n=count), prefix="b")
        v, target, call = side.var, side.target, self.binding.deadline.call
        done = 0

        def prefix(*more: str) -> None:
            if done:
                self.program.add(f"for x in {name}[:{done}]: {v}.push(x)")
            self.program.add(*more)

        model, history, pushed = side.model, side.history, side.pushed
        with self.binding.deadline.batch():
            for done, item in enumerate(batch.make(count)):
                try:
                    call(method(target, "push"), item)
                except BaseException as exc:
                    _bulk_caught(exc)
                    source = f"{v}.push({name}[{done}])"
                    outcome = self._bulk_error(prefix, source, exc)
                    prefix()
                    self.call(source, outcome)
                expr = f"{name}[{done}]"
                model.append((item, expr))
                history.append((item, expr))
                pushed[id(item)] = item
                try:
                    size = call(len, target)
                except BaseException as exc:
                    _bulk_caught(exc)
                    self._bulk_error(functools.partial(prefix, f"{v}.push({expr})"), f"len({v})", exc)
                    size = -1
                if size != len(model):
                    prefix(f"{v}.push({expr})")
                    self._check_size(side, cls.size, +1, f"{v}.push({expr})")
        side.size = len(model)
        self.calls += 2 * count
        self.program.add(f"for x in {name}: {v}.push(x)")
        self.count(cls.size, count)
        self.count(cls.conduct, 2 * count)
        self._check_size(side, cls.size, 0, f"pushing {name}")

    @rule(to=sizes())
    def shrink(self, to: int) -> None:
        """Peek and pop until ``q`` holds ``to`` items (nothing if it holds that few already)."""
        cls = type(self)
        side = self.main
        count = min(len(side.model) - to, self._bulk)
        if count <= 0:
            return
        self._bulk -= count
        v = side.var
        done = 0

        def prefix(*more: str) -> None:
            if done:
                self.program.add(f"for _ in range({done}):\n    {v}.peek()\n    {v}.pop()")
            self.program.add(*more)

        with self.binding.deadline.batch():
            for done in range(count):  # noqa: B007  (prefix() reads done)
                self._peek_pop(side, prefix)
        self.calls += 4 * count
        done = count
        prefix()
        for clause, times in ((cls.peek_clause, count), (cls.order, count), (cls.identity, 2 * count)):
            self.count(clause, times)
        self.count(cls.size, 2 * count)
        self.count(cls.conduct, 4 * count)
        self._check_size(side, cls.size, 0, f"{count} peeks and pops")

    @rule(times=sizes())
    def cycle(self, times: int) -> None:
        """Pop the front and push a fresh item, ``times`` times, at a constant size.

        A compaction every k pops, or a ring buffer that wraps around, shows
        here without the size that ``grow`` would need.
        """
        cls = type(self)
        side = self.main
        times = min(times, self._bulk // 2)
        if not side.model or times <= 0:
            return
        self._bulk -= 2 * times
        name = self.program.bind(f"[[i] for i in range({times})]", prefix="c")
        v, target, call, model = side.var, side.target, self.binding.deadline.call, side.model
        peek, pop = f"{v}.peek()", f"{v}.pop()"
        done = 0

        def prefix(*more: str) -> None:
            if done:
                self.program.add(f"for x in {name}[:{done}]:\n    {peek}\n    {pop}\n    {v}.push(x)")
            self.program.add(*more)

        with self.binding.deadline.batch():
            for done, item in enumerate([[i] for i in range(times)]):
                self._peek_pop(side, prefix)
                push = f"{v}.push({name}[{done}])"
                try:
                    call(method(target, "push"), item)
                except BaseException as exc:
                    _bulk_caught(exc)
                    outcome = self._bulk_error(functools.partial(prefix, peek, pop), push, exc)
                    prefix(peek, pop)
                    self.call(push, outcome)
                self._pushed(side, item, f"{name}[{done}]")
                try:
                    size = call(len, target)
                except BaseException as exc:
                    _bulk_caught(exc)
                    self._bulk_error(functools.partial(prefix, peek, pop, push), f"len({v})", exc)
                    size = -1
                if size != len(model):
                    prefix(peek, pop, push)
                    self._check_size(side, cls.size, +1, push)
                side.size = size
        self.calls += 6 * times
        done = times
        prefix()
        for clause, times_checked in ((cls.peek_clause, times), (cls.order, times), (cls.identity, 2 * times)):
            self.count(clause, times_checked)
        self.count(cls.size, 3 * times)
        self.count(cls.conduct, 6 * times)
        self._check_size(side, cls.size, 0, f"{times} pops and pushes")

    def _peek_pop(self, side: _Side, prefix: Callable[..., None]) -> None:
        """One item of ``shrink``: peek, len, pop, len, each checked; ``prefix(*more)`` writes the calls before."""
        cls = type(self)
        v, target, call, model = side.var, side.target, self.binding.deadline.call, side.model
        front = cls.end.value
        peek, pop = f"{v}.peek()", f"{v}.pop()"
        item = model[front][0]
        try:
            peeked = call(method(target, "peek"))
        except BaseException as exc:
            _bulk_caught(exc)
            outcome = self._bulk_error(prefix, peek, exc)
            prefix()
            self._peek(side, outcome)
        if peeked is not item:
            prefix()
            self._peek(side, _Outcome(peeked, None))
        try:
            size = call(len, target)
        except BaseException as exc:
            _bulk_caught(exc)
            self._bulk_error(functools.partial(prefix, peek), f"len({v})", exc)
            size = -1
        if size != len(model):
            prefix(f"peeked = {peek}")
            self._check_size(side, cls.peek_clause, 0, peek)
        try:
            popped = call(method(target, "pop"))
        except BaseException as exc:
            _bulk_caught(exc)
            outcome = self._bulk_error(functools.partial(prefix, peek), pop, exc)
            prefix(peek)
            self._pop(side, outcome)
        if popped is not item:
            prefix(peek)
            self._pop(side, _Outcome(popped, None))
        del model[front]
        try:
            size = call(len, target)
        except BaseException as exc:
            _bulk_caught(exc)
            self._bulk_error(functools.partial(prefix, peek, pop), f"len({v})", exc)
            size = -1
        if size != len(model):
            prefix(peek, pop)
            self._check_size(side, cls.size, -1, pop)
        side.size = size

    def teardown(self) -> None:
        # Programs that reach thousands of items are rare by design (they are
        # slow); targeting the size asks Hypothesis to spend part of its
        # budget on making the largest program found larger still.
        hypothesis.target(float(self._largest), label="largest size")


def _both_nan(a: object, b: object) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
