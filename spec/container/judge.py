"""How the container machine calls a target through its plan, and judges one answer.

See :mod:`spec.container` for how a failure is attributed to a clause.  Every
call goes through the :class:`~spec.container.plan.ContainerPlan` of the
check: the method that plays each part, awaited when it is a coroutine
function, on the program's event loop when it has one; what counts as
"empty"; and how a returned item is compared with the one pushed.  Each
operation is judged on one :class:`Side`, a live instance with its model;
the rules (:mod:`spec.container.machine`, :mod:`spec.container.bulk`) say
which.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn

from spec._core.checker import ContractMachine, TargetFailure, describe_exception
from spec._core.lifecycle import Session
from spec._core.options import BY_VALUE, STRATEGY, Method, exception_name
from spec._core.program import literal, show
from spec._core.values import spelling
from spec.container.plan import ContainerPlan, End

__all__ = ["Judge", "Side", "alike"]


def alike(got: object, item: object) -> bool:
    """``got`` stands for ``item`` under ``--compare equal``.

    ``got is item or got == item``, where a NaN matches a NaN and a list,
    tuple or dict matches a copy of it by content (compared the same way, so
    that a copied ``[nan]`` matches; ``==`` on lists would compare the NaNs
    by identity first).
    """
    if got is item:
        return True
    if _both_nan(got, item):
        return True
    if type(got) is type(item) and isinstance(item, list | tuple):
        assert isinstance(got, list | tuple)
        return len(got) == len(item) and all(map(alike, got, item))
    if type(got) is type(item) and isinstance(item, dict):
        assert isinstance(got, dict)
        return got.keys() == item.keys() and all(alike(got[key], value) for key, value in item.items())
    return bool(got == item)


# Literals whose identity Python guarantees: the same object wherever they are written.
_SINGLETONS = ("None", "True", "False")


@dataclass
class Side:
    """One live instance the program drives, with its model."""

    var: str  # its name in snippets: "q", or "other_q"
    target: Any
    size: int = 0  # its size as last observed, and found right
    model: list[tuple[object, str]] = field(default_factory=list)  # (item, its name in the program), oldest first
    pushed: dict[int, object] = field(default_factory=dict)  # every object pushed to it, by id (kept alive)
    history: list[tuple[object, str]] = field(default_factory=list)  # every item pushed, in order


class Judge(ContractMachine):
    """The container machine's calls and judgements, on either live instance (see the module docstring)."""

    end: ClassVar[End]
    noun: ClassVar[str]
    var: ClassVar[str]
    order: ClassVar[str]
    peek_clause: ClassVar[str]
    size: ClassVar[str]
    empty: ClassVar[str]
    identity: ClassVar[str]
    independence: ClassVar[str]

    plan: ContainerPlan
    session: Session
    main: Side
    other: Side | None  # made by the first rule that drives it
    largest: int  # the most items q held in this program
    _sources: dict[tuple[str, tuple[str, ...], str], str]  # _src's, per program
    _ops: dict[tuple[int, str], tuple[object, Callable[..., Any]]]  # _op's, per program

    # -- calling the target through the plan -----------------------------------

    def _make_source(self, var: str) -> str:
        return f"{var} = {self.plan.lifecycle.source(type(self).binding.ref.name)}"

    def _make(self, var: str) -> Any:
        return self.call(self._make_source(var), self.session.make)

    def _src(self, part: str, *args: str, var: str = "") -> str:
        """How calling ``part`` reads in a snippet: ``q.push(x1)``, ``await q.put(x1)``, ``len(q)``."""
        # Remembered: the bulk rules ask for the same few statements thousands of times a program.
        key = (part, args, var)
        source = self._sources.get(key)
        if source is None:
            source = self._sources[key] = self._render(part, args, var or type(self).var)
        return source

    def _render(self, part: str, args: tuple[str, ...], var: str) -> str:
        method = self.plan.methods[part]
        if method == Method("__len__"):
            return f"len({var})"
        text = ", ".join([*(str(literal(arg)) for arg in method.args), *args])
        return f"{'await ' if part in self.plan.awaiting else ''}{var}.{method.name}({text})"

    def _op(self, instance: Any, part: str) -> Callable[..., Any]:
        """A callable that calls ``part`` of ``instance`` (on the program's loop, awaited if a coroutine)."""
        # Remembered per instance, as _src is; the entry keeps the instance
        # alive, so that no other object takes its id during the program.
        made = self._ops.get((id(instance), part))
        if made is not None:
            return made[1]
        op = self._make_op(instance, part)
        self._ops[id(instance), part] = (instance, op)
        return op

    def _make_op(self, instance: Any, part: str) -> Callable[..., Any]:
        method = self.plan.methods[part]
        session = self.session
        if method == Method("__len__"):
            return functools.partial(session.run, len, instance)
        awaiting = part in self.plan.awaiting

        def call(*args: Any) -> Any:
            return session.run(getattr(instance, method.name), *method.args, *args, awaiting=awaiting)

        return call

    def _size(self, var: str, instance: Any) -> int:
        size: int = self.call(self._src("len", var=var), self._op(instance, "len"), record=False)
        return size

    def _name(self, item: object) -> str:
        """How the program names ``item``: a literal, or a name bound to an expression that builds it fresh."""
        spelled = spelling(item)
        if spelled is None:
            return self.program.name(item)
        source, imported = spelled
        if imported:
            self.program.need(imported)
        return self.program.bind(source)

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

    # -- comparing ------------------------------------------------------------------

    def _front(self, side: Side) -> tuple[object, str]:
        return side.model[type(self).end.value]

    def _partner(self, side: Side) -> Side | None:
        return self.main if side is self.other else self.other

    def _by_identity(self, item: object) -> bool:
        """Whether ``item`` is compared by identity: not under ``--compare equal``, nor of a kind told by value.

        The default draw (``any``) and the mixed kinds are judged by identity,
        every item: the contract's values are built equal but distinct on
        purpose.  Items of the plain kinds (``--items bytes`` ...), and the
        plain literals a strategy of the user's draws, are told apart by
        value: equal ints, strs, bytes and floats may or may not be one object.
        """
        kind = self.plan.kind
        if self.plan.equal or kind in BY_VALUE:
            return False
        return kind != STRATEGY or literal(item) is None

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

    def _held(self, side: Side, value: object) -> int | None:
        """The position (1 = oldest) of the held item ``value`` stands for, if any."""
        held = [(item, self._by_identity(item)) for item, _ in side.model]

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

    def _foreign(self, side: Side, value: object) -> Side | None:
        """The other instance, if ``value`` is an object pushed to it and never to ``side``."""
        partner = self._partner(side)
        if partner is None or partner.pushed.get(id(value)) is not value or side.pushed.get(id(value)) is value:
            return None
        return partner

    def _fail_foreign(self, side: Side, source: str, got: object, partner: Side, ending: tuple[str, ...]) -> NoReturn:
        """``source`` answered ``got``, an item of ``partner``; ``ending`` replaces the call with one that checks it."""
        self.fail(
            type(self).independence,
            f"{source} returned {show(got)}, an item pushed to {partner.var}, not to {side.var}",
            expected=f"an item pushed to {side.var}",
            actual=got,
            ending=ending,
            replace_last=True,
        )

    def _is(self, source: str, item: object, expr: str, clause: str) -> tuple[str]:
        """A statement that fails unless ``source`` gives what ``expr`` names.

        Names of items compared by identity (and None, True, False) are
        compared with ``is``; other names, and anything under ``--compare
        equal``, with ``==``; other literals by repr, which tells ``1`` from
        ``True`` and ``0.0`` from ``-0.0`` (``is`` with a literal is a
        SyntaxWarning).
        """
        tag = repr(self.tag(clause))
        named = expr.isidentifier() or "[" in expr
        if expr in _SINGLETONS or (named and self._by_identity(item)):
            return (f"assert {source} is {expr}, {tag}",)
        if named or self.plan.equal:
            return (f"assert {source} == {expr}, {tag}",)
        return (f"assert repr({source}) == {repr(item)!r}, {tag}",)

    # -- judging one answer ------------------------------------------------------------

    def _get(self, side: Side, source: str, fn: Callable[[], object], *, bound: str = "") -> object:
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
            f"{source} {what} on a {cls.noun} holding {len(side.model)} item(s)",
            expected=self._front(side)[0],
            actual=actual,
            ending=ending,
            replace_last=not bound and not isinstance(value, BaseException),
        )

    def _check_size(self, side: Side, op_clause: str, delta: int, op: str) -> None:
        """After ``op`` on ``side``: its size moved by ``delta`` and is right, and the other's did not move."""
        if self.plan.has("len"):
            self._judge_size(side, op_clause, delta, op)
            self._check_untouched(side, op)
        want = len(side.model)
        self.reach(want)
        self.largest = max(self.largest, want)

    def _judge_size(self, side: Side, op_clause: str, delta: int, op: str) -> None:
        cls = type(self)
        v = side.var
        count = self._src("len", var=v)
        size = self._size(v, side.target)
        want = len(side.model)
        if size - side.size != delta:
            self.fail(
                op_clause,
                f"{op} changed {count} from {side.size} to {size}",
                expected=side.size + delta,
                actual=size,
                ending=(f"assert {count} == {want}, {self.tag(op_clause)!r}",),
            )
        self._require_count(
            count, size, want, cls.size, f"{count} is {size} after {op}, but the {cls.noun} holds {want} item(s)"
        )
        if self.plan.counts_with_len:
            truth = self.call(f"bool({v})", self.session.run, bool, side.target, record=False)
            self.require(
                truth is (want > 0),
                cls.size,
                f"bool({v}) is {truth} while len({v}) is {want}",
                expected=want > 0,
                actual=truth,
                ending=(f"assert bool({v}) is {want > 0}, {self.tag(cls.size)!r}",),
            )
        side.size = size

    def _check_untouched(self, side: Side, op: str) -> None:
        """The independence clause: ``op`` on ``side`` must not change the size of the other instance."""
        partner = self._partner(side)
        if partner is None:
            return
        count = self._src("len", var=partner.var)
        size = self._size(partner.var, partner.target)
        message = f"{op} changed {count} from {partner.size} to {size}"
        self._require_count(count, size, partner.size, type(self).independence, message)

    def _require_count(self, count: str, size: int, want: int, clause: str, message: str) -> None:
        """``clause`` holds only if ``count`` (a ``len()`` in the program) returned ``size`` equal to ``want``."""
        self.require(
            size == want,
            clause,
            message,
            expected=want,
            actual=size,
            ending=(f"assert {count} == {want}, {self.tag(clause)!r}",),
        )

    def _push(self, side: Side, item: object, expr: str) -> None:
        source = self._src("push", expr, var=side.var)
        self.call(source, self._op(side.target, "push"), item)
        self._pushed(side, item, expr)
        self._check_size(side, type(self).size, +1, source)

    @staticmethod
    def _pushed(side: Side, item: object, expr: str) -> None:
        side.model.append((item, expr))
        side.history.append((item, expr))
        side.pushed[id(item)] = item

    def _pop(self, side: Side, fn: Callable[[], object] | None = None) -> None:
        cls = type(self)
        op = fn or self._op(side.target, "pop")
        if not side.model:
            self._empty(side, "pop", op)
            return
        source = self._src("pop", var=side.var)
        got = self._get(side, source, op)
        item, expr = self._front(side)
        self._judge(side, source, got, item, expr, cls.order)
        del side.model[cls.end.value]
        self._check_size(side, cls.size, -1, source)

    def _judge(  # noqa: PLR0917  (the evidence, in the order the callers have it)
        self, side: Side, source: str, got: object, item: object, expr: str, clause: str
    ) -> None:
        """Judge ``got`` (from pop or peek) against ``item``, the right answer.

        An item of the other instance is an independence violation; an equal
        copy of the right item an identity violation (unless copies are
        accepted); another held item an order violation; anything else
        breaks ``clause``.
        """
        cls = type(self)
        if self._same(f"{source} == {expr}", got, item):
            self.count(cls.order)
            if self._by_identity(item):
                self.count(cls.identity)
            return
        partner = self._foreign(side, got)
        if partner is not None:
            self._fail_foreign(side, source, got, partner, self._is(source, item, expr, cls.independence))
        # An equal object is an identity violation even when it is another
        # held item: a target that keeps one object per equal value (1 for
        # True) answers with a held object, but not the one pushed.
        if self._by_identity(item) and (_both_nan(got, item) or self.equal(f"{source} == {expr}", got, item)):
            self.fail(
                cls.identity,
                f"{source} returned an object equal to the one pushed, but not it",
                expected=f"the object pushed as {expr}",
                actual=f"a different object equal to it: {show(got)}",
                ending=self._is(source, item, expr, cls.identity),
                replace_last=True,
            )
        position = self._held(side, got)
        which = "oldest" if cls.end is End.OLDEST else "newest"
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

    def _peek(self, side: Side, fn: Callable[[], object] | None = None) -> None:
        cls = type(self)
        op = fn or self._op(side.target, "peek")
        if not side.model:
            self._empty(side, "peek", op)
            return
        source = self._src("peek", var=side.var)
        got = self._get(side, source, op, bound="peeked")
        item, expr = self._front(side)
        if self._same(f"peeked == {expr}", got, item):
            self.count(cls.peek_clause)
            if self._by_identity(item):
                self.count(cls.identity)
        elif self._foreign(side, got) or (
            self._by_identity(item) and (_both_nan(got, item) or self.equal(f"peeked == {expr}", got, item))
        ):
            # Another instance's item, or a copy of the right one.
            self._judge(side, source, got, item, expr, cls.peek_clause)
        else:
            self._wrong_peek(side, got, item, expr)
        self._check_size(side, cls.peek_clause, 0, source)

    def _wrong_peek(self, side: Side, got: object, item: object, expr: str) -> NoReturn:
        """``peek()`` answered another item (held or not): a pop() right now tells which clause broke.

        If ``pop()`` agrees with ``peek()``, the two agree on the wrong end: the
        order clause.  If not, ``peek()`` does not announce the next ``pop()``:
        the peek clause.
        """
        cls = type(self)
        source = self._src("pop", var=side.var)
        popped = self._get(side, source, self._op(side.target, "pop"))
        if self._same(f"{source} == peeked", popped, got):
            self._judge(side, source, popped, item, expr, cls.order)
        self.fail(
            cls.peek_clause,
            f"{self._src('peek', var=side.var)} returned {show(got)}, "
            f"but the pop() right after it returned {show(popped)}",
            expected=got,
            actual=popped,
            ending=self._is(source, None, "peeked", cls.peek_clause),
            replace_last=True,
        )

    def _empty(self, side: Side, op: str, fn: Callable[[], object]) -> None:
        """``op`` on an empty target: it must signal empty, and change nothing."""
        cls = type(self)
        source = self._src(op, var=side.var)
        said_empty, value = self._take(source, fn)
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
            partner = self._foreign(side, value)
            if partner is not None:
                ending = self._says_empty(source, f"{self.tag(cls.independence)}: {why}")
                self._fail_foreign(side, source, value, partner, ending)
            self.fail(
                cls.empty,
                f"{source} returned {show(value)}; {why}",
                expected=self._signal(),
                actual=f"returned {show(value)}",
                ending=self._says_empty(source, f"{self.tag(cls.empty)}: {why}"),
                replace_last=True,
            )
        self._check_size(side, cls.empty, 0, f"{source} on an empty {cls.noun}")


def _both_nan(a: object, b: object) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _op_for(literal_text: str) -> str:
    return "is" if literal_text in _SINGLETONS else "=="


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
