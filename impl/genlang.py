"""The generator language that the contract and the reference implementation share.

Two things, as plain data with no dependency beyond the standard library, so
that :mod:`impl.genstate` can run a program without importing the oracle that
judges it:

* **States and their legal transitions.**  The four states are the strings
  :func:`inspect.getgeneratorstate` returns; :data:`TRANSITIONS` is the one
  table of legal moves: the contract (:mod:`spec.genstate`) checks observed
  changes against it, the reference implementation checks itself against it,
  the tests read it and the README's diagram is drawn from :data:`LABELS`.
* **Programs.**  A :class:`Program` is the body of a generator function, as
  data: it can yield a value, return one, raise an exception, catch
  ``GeneratorExit`` or any other exception and then do anything again, run
  ``finally`` blocks, delegate to a sub-program (``yield from`` in a
  generator, ``await`` in a coroutine), note that it got somewhere
  (``note(n)``), and call into its own generator while it runs (re-entrance).
  The one variable, ``v``, holds what the latest ``yield`` or ``yield from``
  received; :data:`LAST` reads it.  The calls that drive a program and what
  they give are the contract's (:mod:`spec.genstate`).

Discussion: a call into a generator is observed from outside, before and
after.  Running is visible only from inside (``inspect.getgeneratorstate``
called from the generator's own body says ``GEN_RUNNING``).  So the table
holds the edges of the state machine, running included, and
:func:`after_one_call` derives what one call can do as seen from outside: one
edge that does not enter ``GEN_RUNNING``, or a pass through it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = [
    "LABELS",
    "LAST",
    "REENTER_OPS",
    "TRANSITIONS",
    "Block",
    "Exc",
    "Flavour",
    "GenState",
    "Handler",
    "Last",
    "Note",
    "Program",
    "Raise",
    "Reenter",
    "ReenterOp",
    "Reraise",
    "Return",
    "Stmt",
    "Try",
    "Value",
    "Yield",
    "YieldFrom",
    "after_one_call",
]

# -- states --------------------------------------------------------------------


class GenState(enum.Enum):
    """A generator's state, named as :func:`inspect.getgeneratorstate` names it.

    ``GenState.parse`` also reads the coroutine and async generator spellings
    (``CORO_SUSPENDED``, ``AGEN_CLOSED``), which name the same four states.
    """

    GEN_CREATED = "GEN_CREATED"
    GEN_RUNNING = "GEN_RUNNING"
    GEN_SUSPENDED = "GEN_SUSPENDED"
    GEN_CLOSED = "GEN_CLOSED"

    @classmethod
    def parse(cls, text: str) -> GenState:
        """The state ``text`` names: ``GEN_X``, ``CORO_X`` or ``AGEN_X``; :class:`ValueError` otherwise."""
        prefix, _, suffix = text.partition("_")
        if prefix not in ("GEN", "CORO", "AGEN"):
            raise ValueError(f"{text!r} is not a generator, coroutine or async generator state")
        return cls(f"GEN_{suffix}")


CREATED, RUNNING, SUSPENDED, CLOSED = GenState

LABELS: dict[tuple[GenState, GenState], str] = {
    (CREATED, RUNNING): "next() or send(None)",
    (CREATED, CREATED): "send(v) with v not None raises TypeError",
    (CREATED, CLOSED): "close() or throw(e)",
    (RUNNING, SUSPENDED): "yield",
    (RUNNING, CLOSED): "return or raise",
    (SUSPENDED, RUNNING): "next(), send(v), throw(e), close()",
    (CLOSED, CLOSED): "next(), send(v), throw(e), close() change nothing",
}
"""Every legal transition, with what causes it (the diagram's edge labels).

Labels avoid ``:`` and ``;``, which Mermaid reads as syntax.
"""

TRANSITIONS: frozenset[tuple[GenState, GenState]] = frozenset(LABELS)
"""The legal transitions, as (from, to) pairs.  Nothing leads back to ``GEN_CREATED``."""


def after_one_call(before: GenState) -> frozenset[GenState]:
    """The states a generator in ``before`` can be in when one call into it returns or raises.

    A call takes one edge that does not enter ``GEN_RUNNING``, or runs the
    body: one edge into ``GEN_RUNNING`` and one out of it.  ``GEN_RUNNING``
    itself is never the answer: a call that returns has stopped running.
    """
    direct = {to for (frm, to) in TRANSITIONS if frm is before and to is not RUNNING}
    through = {to for (frm, to) in TRANSITIONS if frm is RUNNING} if (before, RUNNING) in TRANSITIONS else set()
    return frozenset(direct | through)


# -- programs ------------------------------------------------------------------


class Flavour(enum.Enum):
    """What a program is rendered as; the value is the noun CPython's messages use."""

    GENERATOR = "generator"
    COROUTINE = "coroutine"
    ASYNC_GENERATOR = "async generator"


class Last(enum.Enum):
    """The value the latest ``yield`` (or ``yield from``) received: ``v`` in rendered code."""

    LAST = "v"


LAST = Last.LAST

Value: TypeAlias = "int | Last | None"
"""An operand: a constant, or :data:`LAST`."""


@dataclass(frozen=True)
class Exc:
    """An exception as a value: its type, its ``args`` and its ``__cause__``.

    Programs raise them, calls throw them, and outcomes report them; two
    exceptions are the same outcome when type, args and cause are equal.
    """

    type: type[BaseException]
    args: tuple[object, ...] = ()
    cause: Exc | None = None

    @classmethod
    def of(cls, error: BaseException) -> Exc:
        """The value of a real exception (its cause too, recursively)."""
        cause = None if error.__cause__ is None else cls.of(error.__cause__)
        return cls(type(error), error.args, cause)

    def make(self) -> BaseException:
        """A fresh real exception of this type and args (the cause is not set)."""
        return self.type(*self.args)

    def __str__(self) -> str:
        text = f"{self.type.__name__}({', '.join(map(repr, self.args))})"
        return text if self.cause is None else f"{text} from {self.cause}"


# -- statements ----------------------------------------------------------------


@dataclass(frozen=True)
class Yield:
    """``v = yield value`` (``v = await _Yield(value)`` in a coroutine)."""

    value: Value = None


@dataclass(frozen=True)
class YieldFrom:
    """``v = yield from sub()``, ``sub`` running ``body`` (``v = await sub()`` in a coroutine)."""

    body: Block


@dataclass(frozen=True)
class Return:
    """``return value`` (a bare ``return`` in an async generator, which cannot return a value)."""

    value: Value = None


@dataclass(frozen=True)
class Raise:
    """``raise ExcType(*args)``."""

    exc: Exc


@dataclass(frozen=True)
class Reraise:
    """A bare ``raise``; only at the top level of an ``except`` block (see :func:`validate`)."""


@dataclass(frozen=True)
class Note:
    """``note(n)``: records ``n`` and the outermost generator's state, as seen from inside."""

    n: int


ReenterOp: TypeAlias = Literal["next", "throw", "close"]
REENTER_OPS: tuple[ReenterOp, ...] = ("next", "throw", "close")


@dataclass(frozen=True)
class Reenter:
    """Call into the outermost generator while it runs: ``next``, ``throw`` or ``close`` (asend/athrow/aclose)."""

    op: ReenterOp


@dataclass(frozen=True)
class Handler:
    """``except catch:`` followed by ``body``."""

    catch: type[BaseException]
    body: Block


@dataclass(frozen=True)
class Try:
    """``try: body``, then the handlers in order, then ``finally: final`` if ``final`` is not ``None``."""

    body: Block
    handlers: tuple[Handler, ...] = ()
    final: Block | None = None


Stmt: TypeAlias = "Yield | YieldFrom | Return | Raise | Reraise | Note | Reenter | Try"
Block: TypeAlias = "tuple[Stmt, ...]"


@dataclass(frozen=True)
class Program:
    """The body of a generator function.  Falling off its end returns ``None``."""

    body: Block

    def statements(self) -> Iterator[Stmt]:
        """Every statement, nested ones included, in source order."""
        return _walk(self.body)

    def yield_points(self) -> int:
        """How many ``yield`` and ``yield from`` statements the program holds, nested ones included."""
        return sum(isinstance(s, Yield | YieldFrom) for s in self.statements())


def _walk(block: Block) -> Iterator[Stmt]:
    for stmt in block:
        yield stmt
        if isinstance(stmt, YieldFrom):
            yield from _walk(stmt.body)
        elif isinstance(stmt, Try):
            yield from _walk(stmt.body)
            for handler in stmt.handlers:
                yield from _walk(handler.body)
            if stmt.final is not None:
                yield from _walk(stmt.final)
