"""The container machine: pushes, pops and peeks on a list model and the target, and compares.

See :mod:`spec.container` for how it attributes a failure to a clause.  Every
call goes through the :class:`~spec.container.plan.ContainerPlan` of the
check: the method that plays each part, awaited when it is a coroutine
function, on the program's event loop when it has one; what counts as
"empty"; and how a returned item is compared with the one pushed.
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
import traceback
from collections.abc import Callable
from typing import Any, ClassVar, NoReturn

from hypothesis import strategies as st
from hypothesis.stateful import rule

from spec._core.checker import ContractMachine, HungViolation, TargetFailure, describe_exception
from spec._core.deadline import TargetHung
from spec._core.lifecycle import Lifecycle, Session, enclosure
from spec._core.options import Method, exception_name
from spec._core.program import literal, show
from spec.container.plan import ContainerPlan, End

__all__ = ["ContainerMachine", "alike"]


def alike(got: object, item: object) -> bool:
    """``got`` stands for ``item`` under ``--compare equal``.

    ``got is item or got == item``, where a NaN matches a NaN and a list,
    tuple or dict matches a copy of it by content (compared the same way, so
    that a copied ``[nan]`` matches; ``==`` on lists would compare the NaNs
    by identity first).
    """
    if got is item:
        return True
    if isinstance(got, float) and isinstance(item, float) and math.isnan(got) and math.isnan(item):
        return True
    if type(got) is type(item) and isinstance(item, list | tuple):
        assert isinstance(got, list | tuple)
        return len(got) == len(item) and all(map(alike, got, item))
    if type(got) is type(item) and isinstance(item, dict):
        assert isinstance(got, dict)
        return got.keys() == item.keys() and all(alike(got[key], value) for key, value in item.items())
    return bool(got == item)


def _drawn(machine: ContainerMachine) -> st.SearchStrategy[Any]:
    plan: ContainerPlan = type(machine).binding.plan
    return plan.items


# Literals whose identity Python guarantees: the same object wherever they are written.
_SINGLETONS = ("None", "True", "False")


class ContainerMachine(ContractMachine):
    """Pushes, pops and peeks, on a list model and the target, and compares.

    Subclasses set ``clauses`` (from :func:`~spec.container.container_clauses`),
    ``order`` (the id of its order clause), ``end``, ``noun`` ("queue") and
    ``var`` (the instance's name in snippets, "q"); the other clause ids
    (``peek_clause`` ... ``conduct``) are looked up in ``clauses`` by title.
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
        binding = cls.__dict__.get("binding")
        if binding is not None and not binding.plan.has("peek"):
            # A target --without peek: the check's machine has no peek rule.
            # (Not a precondition that is always false: Hypothesis would still
            # draw the rule, and reject it, at every step, which leaves the
            # steps of a failing program misaligned for the shrinker.)
            cls.peek = None  # type: ignore[assignment]

    plan: ContainerPlan
    session: Session
    target: Any
    model: list[tuple[object, str]]  # (item, how the program names it), oldest first
    last_size: int  # the size of the target as last observed

    def __init__(self) -> None:
        super().__init__()
        binding = type(self).binding
        self.plan = binding.plan
        self.session = self.plan.session(binding.factory)
        imports, before, after = enclosure(self.plan.lifecycle, self.plan.on_loop)
        for line in imports:
            self.program.need(line)
        self.program.enclose(before, after)
        self.model = []
        self.last_size = 0
        try:
            self.target = self._make(type(self).var)
            self._probe_independence()
        except BaseException:
            # Hypothesis tears down only machines that were made.
            self.teardown()
            raise

    def teardown(self) -> None:
        """Clean up every instance the program made, then close its event loop.

        A cleanup that raises or hangs breaks the conduct clause, unless the
        program has already failed (that failure is the one to report).
        """
        in_flight = sys.exc_info()[1] is not None
        session = self.session
        try:
            if self.plan.lifecycle is not Lifecycle.PLAIN or session.loop is not None:
                self._close(in_flight)
        finally:
            # The loop's own leftovers (tasks a stopped call left) are not the contract's business.
            with contextlib.suppress(Exception, TargetHung):
                type(self).binding.deadline.call(session.shutdown)

    def _close(self, in_flight: bool) -> None:
        source = "# the end of the program: every instance is cleaned up"
        try:
            self.attempt(source, self.session.close, record=False)
        except TargetFailure as failure:
            if not in_flight:
                self.program.drop_last()
                error = failure.error
                self.fail(
                    self.conduct,
                    f"cleaning up after the program raised {describe_exception(error)}",
                    expected="no exception",
                    actual=describe_exception(error),
                    ending=(f"# leaving the with block raises {describe_exception(error)}",),
                    detail="".join(traceback.format_exception(error)),
                )
        except HungViolation:
            if not in_flight:
                raise

    # -- calling the target through the plan -----------------------------------

    def _make(self, var: str) -> Any:
        name = type(self).binding.ref.name
        return self.call(f"{var} = {self.plan.lifecycle.source(name)}", self.session.make)

    def _src(self, part: str, *args: str, var: str = "") -> str:
        """How calling ``part`` reads in a snippet: ``q.push(x1)``, ``await q.put(x1)``, ``len(q)``."""
        var = var or type(self).var
        method = self.plan.methods[part]
        if method == Method("__len__"):
            return f"len({var})"
        text = ", ".join([*(str(literal(arg)) for arg in method.args), *args])
        return f"{'await ' if part in self.plan.awaiting else ''}{var}.{method.name}({text})"

    def _op(self, instance: Any, part: str) -> Callable[..., Any]:
        """A callable that calls ``part`` of ``instance`` (on the program's loop, awaited if a coroutine)."""
        method = self.plan.methods[part]
        session = self.session
        if method == Method("__len__"):
            return functools.partial(session.run, len, instance)
        awaiting = part in self.plan.awaiting

        def call(*args: Any) -> Any:
            return session.run(getattr(instance, method.name), *method.args, *args, awaiting=awaiting)

        return call

    # -- the empty signal ----------------------------------------------------------

    def _empty_names(self) -> str:
        """The exceptions meaning empty, as the snippet names them (importing their modules)."""
        names = []
        for exc in self.plan.empty:
            name = exception_name(exc)
            module = name.rpartition(".")[0]
            if module:
                self.program.need(f"import {module}")
            names.append(name)
        return names[0] if len(names) == 1 else f"({', '.join(names)})"

    def _signal(self) -> str:
        """What an empty target answers, in words."""
        ways = [f"raise {exception_name(exc)}" for exc in self.plan.empty]
        if self.plan.sentinel is not None:
            ways.append(f"return {self.plan.sentinel.text}")
        return " or ".join(ways)

    def _take(self, source: str, fn: Callable[[], object]) -> tuple[bool, object]:
        """Call pop or peek: (True, the signal) if the target said empty, else (False, what it returned).

        Raising anything but an empty exception breaks the conduct clause.
        """
        try:
            value = self.attempt(source, fn)
        except TargetFailure as failure:
            if isinstance(failure.error, self.plan.empty):
                return True, failure.error
            self.raised(source, failure.error)
        sentinel = self.plan.sentinel
        return (sentinel is not None and sentinel.matches(value)), value

    def _says_empty(self, source: str, why: str) -> tuple[str, ...]:
        """Statements that fail with ``AssertionError(why)`` unless ``source`` signals empty."""
        sentinel = self.plan.sentinel
        if not self.plan.empty:
            assert sentinel is not None
            return (f"assert {source} {_op_for(sentinel.text)} {sentinel.text}, {why!r}",)
        names = self._empty_names()
        if sentinel is None:
            return (
                "try:",
                f"    {source}",
                f"except {names}:",
                "    pass",
                "else:",
                f"    raise AssertionError({why!r})",
            )
        return (
            "try:",
            f"    answer = {source}",
            f"except {names}:",
            "    pass",
            "else:",
            f"    assert answer {_op_for(sentinel.text)} {sentinel.text}, {why!r}",
        )

    # -- the independence probe ------------------------------------------------------

    def _probe_independence(self) -> None:
        cls = type(self)
        plan = self.plan
        other = f"other_{cls.var}"
        mark = self.program.mark()
        before = self._size() if plan.has("len") else 0
        instance = self._make(other)
        probe = literal(plan.probe) or repr(plan.probe)
        self.call(self._src("push", probe, var=other), self._op(instance, "push"), plan.probe)
        self.last_size = before
        if plan.has("len"):
            after = self._size()
            self.require(
                after == before,
                cls.independence,
                f"pushing to another instance changed {self._src('len')} from {before} to {after}",
                expected=before,
                actual=after,
                ending=(f"assert {self._src('len')} == {before}, {self.tag(cls.independence)!r}",),
            )
        look = "peek" if plan.has("peek") else "pop"
        source = self._src(look)
        try:
            seen = self.attempt(source, self._op(self.target, look), record=False)
        except TargetFailure:
            self.program.drop_last()  # an empty answer is judged by the empty clause, not here
        else:
            if not (plan.sentinel is not None and plan.sentinel.matches(seen)):
                self._judge_probe(look, source, seen, probe)
        # The probe passed: the other instance is independent of this one, and
        # leaving it out of the snippets keeps them to the point.
        self.program.truncate(mark)

    def _judge_probe(self, look: str, source: str, seen: object, probe: str) -> None:
        cls = type(self)
        # Equality, not identity: the probe of an earlier program looks the
        # same, and finding it here is just as much proof of shared state.
        self.require(
            not self.equal(f"{source} == {probe}", seen, self.plan.probe),
            cls.independence,
            f"{source} on a new {cls.noun} returned an item pushed to another instance",
            expected=f"{self._signal()} (a new instance is empty)",
            actual=seen,
            ending=self._says_empty(source, f"{self.tag(cls.independence)}: new means empty"),
        )
        if look == "pop":
            # Without peek, the probe pops: an item taken from a new instance is
            # gone, so it cannot be left for the empty clause to find later.
            self.fail(
                cls.empty,
                f"{source} on a new {cls.noun} returned {show(seen)}; a new {cls.noun} is empty",
                expected=self._signal(),
                actual=seen,
                ending=self._says_empty(source, f"{self.tag(cls.empty)}: new means empty"),
            )

    # -- helpers -------------------------------------------------------------

    def _size(self) -> int:
        size: int = self.call(self._src("len"), self._op(self.target, "len"), record=False)
        return size

    def _front(self) -> tuple[object, str]:
        return self.model[type(self).end.value]

    def _by_identity(self, item: object) -> bool:
        """Whether ``item`` is compared by identity: not under ``--compare equal``, and not a plain literal.

        Equal ints, strs, bytes and floats may or may not be one object
        (CPython caches some): an answer equal to such an item stands for it.
        """
        return not self.plan.equal and literal(item) is None

    def _same(self, source: str, got: object, item: object) -> bool:
        """``got`` stands for ``item``: it *is* it, or (not :meth:`_by_identity`) is :func:`alike` it."""
        if got is item:
            return True
        if self._by_identity(item):
            return False
        try:
            return bool(self.attempt(source, alike, got, item, record=False))
        except TargetFailure:
            self.program.drop_last()
            return False

    def _held(self, value: object) -> int | None:
        """The position (1 = oldest) of the held item ``value`` stands for, if any."""
        held = [(item, self._by_identity(item)) for item, _ in self.model]

        def position() -> int | None:
            for n, (item, by_identity) in enumerate(held, start=1):
                if value is item or (not by_identity and alike(value, item)):
                    return n
            return None

        try:
            found: int | None = self.attempt("# comparing with the items held", position, record=False)
        except TargetFailure:
            self.program.drop_last()
            return None
        return found

    def _is(self, source: str, expr: str, clause: str) -> tuple[str]:
        # Under identity, names are compared with `is` (literals are bound to
        # names when their identity matters, see _name); number literals with
        # ==, since `is` with a literal is a SyntaxWarning.  Under equality, ==.
        op = "is" if expr in _SINGLETONS or (not self.plan.equal and expr.isidentifier()) else "=="
        return (f"assert {source} {op} {expr}, {self.tag(clause)!r}",)

    def _get(self, source: str, fn: Callable[[], object], *, bound: str = "") -> object:
        """Call pop/peek on a non-empty target; an empty signal here breaks the empty clause.

        ``bound`` is the name the statement assigns the answer to (``peeked``), if any.
        """
        cls = type(self)
        statement = f"{bound} = {source}" if bound else source
        said_empty, value = self._take(statement, fn)
        if not said_empty:
            return value
        if isinstance(value, BaseException):
            what = actual = f"raised {describe_exception(value)}"
            ending: tuple[str, ...] = (f"# raises {describe_exception(value)}",)
        else:
            sentinel = self.plan.sentinel
            assert sentinel is not None
            what, actual = f"returned {sentinel.text}, the empty signal,", f"returned {sentinel.text}"
            negated = "is not" if sentinel.text in _SINGLETONS else "!="
            ending = (f"assert {bound or source} {negated} {sentinel.text}, {self.tag(cls.empty)!r}",)
        self.fail(
            cls.empty,
            f"{source} {what} on a {cls.noun} holding {len(self.model)} item(s)",
            expected=self._front()[0],
            actual=actual,
            ending=ending,
            replace_last=not bound and not isinstance(value, BaseException),
        )

    def _check_size(self, op_clause: str, delta: int, op: str) -> None:
        if not self.plan.has("len"):
            return
        cls = type(self)
        v = cls.var
        count = self._src("len")
        size = self._size()
        want = len(self.model)
        ending = (f"assert {count} == {want}, {self.tag(op_clause)!r}",)
        if size - self.last_size != delta:
            self.fail(
                op_clause,
                f"{op} changed {count} from {self.last_size} to {size}",
                expected=self.last_size + delta,
                actual=size,
                ending=ending,
            )
        self.require(
            size == want,
            cls.size,
            f"{count} is {size} after {op}, but the {cls.noun} holds {want} item(s)",
            expected=want,
            actual=size,
            ending=(f"assert {count} == {want}, {self.tag(cls.size)!r}",),
        )
        if self.plan.counts_with_len:
            truth = self.call(f"bool({v})", self.session.run, bool, self.target, record=False)
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

    @rule(item=st.runner().flatmap(_drawn))
    def push(self, item: object) -> None:
        expr = self.program.name(item)
        source = self._src("push", expr)
        self.call(source, self._op(self.target, "push"), item)
        self.model.append((item, expr))
        self.reach(len(self.model))
        self._check_size(type(self).size, +1, source)

    @rule()
    def pop(self) -> None:
        if not self.model:
            self._empty("pop")
            return
        cls = type(self)
        source = self._src("pop")
        got = self._get(source, self._op(self.target, "pop"))
        item, expr = self._front()
        self._judge(source, got, item, expr, cls.order)
        del self.model[cls.end.value]
        self._check_size(cls.size, -1, source)

    def _judge(self, source: str, got: object, item: object, expr: str, clause: str) -> None:
        """Judge ``got`` (from pop or peek) against ``item``, the right answer.

        Another held item is an order violation; an equal copy of the right
        item an identity violation (unless copies are accepted); anything
        else breaks ``clause``.
        """
        cls = type(self)
        if self._same(f"{source} == {expr}", got, item):
            self.count(cls.order)
            if self._by_identity(item):
                self.count(cls.identity)
            return
        position = self._held(got)
        which = "oldest" if cls.end is End.OLDEST else "newest"
        if position is None and self._by_identity(item) and self.equal(f"{source} == {expr}", got, item):
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
            self._empty("peek")
            return
        cls = type(self)
        source = self._src("peek")
        got = self._get(source, self._op(self.target, "peek"), bound="peeked")
        item, expr = self._front()
        if self._same(f"peeked == {expr}", got, item):
            self.count(cls.peek_clause)
            if self._by_identity(item):
                self.count(cls.identity)
        elif self._held(got) is None:
            # Not any item held: a copy of the right one, or something else.
            self._judge(source, got, item, expr, cls.peek_clause)
        else:
            self._wrong_held_peek(got, item, expr)
        self._check_size(cls.peek_clause, 0, source)

    def _wrong_held_peek(self, got: object, item: object, expr: str) -> NoReturn:
        """``peek()`` answered another held item: a pop() right now tells which clause broke.

        If ``pop()`` agrees with ``peek()``, the two agree on the wrong end: the
        order clause.  If not, ``peek()`` does not announce the next ``pop()``:
        the peek clause.
        """
        cls = type(self)
        source = self._src("pop")
        popped = self._get(source, self._op(self.target, "pop"))
        if self._same(f"{source} == peeked", popped, got):
            self._judge(source, popped, item, expr, cls.order)
        self.fail(
            cls.peek_clause,
            f"{self._src('peek')} returned {show(got)}, but the pop() right after it returned {show(popped)}",
            expected=got,
            actual=popped,
            ending=self._is(source, "peeked", cls.peek_clause),
            replace_last=True,
        )

    def _empty(self, op: str) -> None:
        """``op`` on an empty target: it must signal empty, and change nothing."""
        cls = type(self)
        source = self._src(op)
        said_empty, value = self._take(source, self._op(self.target, op))
        if said_empty:
            self.count(cls.empty)
            self.count(cls.conduct)
            if isinstance(value, BaseException):
                # Replayed, the statement must not stop the program where the
                # target behaved: it raises the empty exception, suppressed.
                self.program.drop_last()
                self.program.need("from contextlib import suppress")
                names = self._empty_names().strip("()")
                self.program.add(f"with suppress({names}): {source}")
        else:
            why = f"{op}() on an empty {cls.noun} must {self._signal()}"
            self.fail(
                cls.empty,
                f"{source} returned {show(value)}; {why}",
                expected=self._signal(),
                actual=f"returned {show(value)}",
                ending=self._says_empty(source, f"{self.tag(cls.empty)}: {why}"),
                replace_last=True,
            )
        self._check_size(cls.empty, 0, f"{source} on an empty {cls.noun}")


def _op_for(literal_text: str) -> str:
    return "is" if literal_text in _SINGLETONS else "=="


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
