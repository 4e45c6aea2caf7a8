"""A small language of generator programs, the calls that drive them, and what a call gives.

A :class:`Program` is the body of a generator function, as data.  It can yield
a value, return one, raise an exception, catch ``GeneratorExit`` or any other
exception and then do anything again, run ``finally`` blocks, delegate to a
sub-program (``yield from`` in a generator, ``await`` in a coroutine), note
that it got somewhere (``note(n)``), and call into its own generator while it
runs (re-entrance).  The one variable, ``v``, holds what the latest ``yield``
or ``yield from`` received; :data:`LAST` reads it.

The same program is interpreted by the model (:mod:`spec._genmodel`), turned
into real Python (:mod:`spec._genrender`) and run by the hand-written
generator of :mod:`impl.genstate`; a :class:`Step` records what each
:data:`Call` did, so that the three can be compared step by step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

from spec._genstates import GenState

__all__ = [
    "LAST",
    "REENTER_OPS",
    "Block",
    "Call",
    "Close",
    "Driver",
    "Exc",
    "Flavour",
    "Handler",
    "Last",
    "Note",
    "Outcome",
    "Program",
    "Raise",
    "Reenter",
    "ReenterOp",
    "Reraise",
    "Return",
    "Returned",
    "Send",
    "Step",
    "Stmt",
    "Throw",
    "Try",
    "Value",
    "Yield",
    "YieldFrom",
    "observe",
    "validate",
]


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


def validate(program: Program, flavour: Flavour) -> None:
    """Raise :class:`ValueError` unless ``program`` can be rendered as ``flavour``.

    Async generators cannot delegate (there is no ``yield from`` in them).  A
    bare ``raise`` may only stand at the top level of an ``except`` block,
    where the exception it re-raises is the one that block caught (anywhere
    else it would depend on the caller's exception context).  A ``try`` needs
    a handler or a ``finally``.
    """
    _validate_block(program.body, flavour, in_handler=False)


def _validate_block(block: Block, flavour: Flavour, *, in_handler: bool) -> None:
    for stmt in block:
        if isinstance(stmt, Reraise) and not in_handler:
            raise ValueError("a bare raise must stand at the top level of an except block")
        if isinstance(stmt, YieldFrom):
            if flavour is Flavour.ASYNC_GENERATOR:
                raise ValueError("an async generator cannot delegate with yield from")
            _validate_block(stmt.body, flavour, in_handler=False)
        if isinstance(stmt, Try):
            if not stmt.handlers and stmt.final is None:
                raise ValueError("a try statement needs a handler or a finally block")
            _validate_block(stmt.body, flavour, in_handler=False)
            for handler in stmt.handlers:
                _validate_block(handler.body, flavour, in_handler=True)
            if stmt.final is not None:
                _validate_block(stmt.final, flavour, in_handler=False)


# -- calls and what they give ----------------------------------------------------


@dataclass(frozen=True)
class Send:
    """``g.send(value)``; ``next(g)`` when ``value`` is ``None`` (``asend`` for an async generator)."""

    value: int | None = None

    def source(self, var: str, flavour: Flavour) -> str:
        if flavour is Flavour.ASYNC_GENERATOR:
            return f"await {var}.asend({self.value!r})"
        return f"next({var})" if self.value is None else f"{var}.send({self.value!r})"


@dataclass(frozen=True)
class Throw:
    """``g.throw(exc)``, the one-argument form (``athrow`` for an async generator)."""

    exc: Exc

    def source(self, var: str, flavour: Flavour) -> str:
        method = "athrow" if flavour is Flavour.ASYNC_GENERATOR else "throw"
        text = f"{var}.{method}({self.exc})"
        return f"await {text}" if flavour is Flavour.ASYNC_GENERATOR else text


@dataclass(frozen=True)
class Close:
    """``g.close()`` (``aclose`` for an async generator)."""

    def source(self, var: str, flavour: Flavour) -> str:
        return f"await {var}.aclose()" if flavour is Flavour.ASYNC_GENERATOR else f"{var}.close()"


Call: TypeAlias = "Send | Throw | Close"


@dataclass(frozen=True)
class Returned:
    """A call that returned (a yielded value; what ``close()`` returned; what an ``await`` gave)."""

    value: object

    def __str__(self) -> str:
        return repr(self.value)


Outcome: TypeAlias = "Returned | Exc"
"""What a call gave: the value it returned, or the exception it raised."""


@dataclass(frozen=True)
class Step:
    """One call, what it gave, the state after it, and what happened meanwhile.

    ``notes`` are the body's notes, in order; ``unraisable`` are the
    exceptions CPython could only report (through :func:`sys.unraisablehook`):
    those raised when a sub-generator dropped while suspended was finalized.
    """

    call: Call
    outcome: Outcome
    state: GenState
    notes: tuple[tuple[int, GenState], ...] = ()
    unraisable: tuple[Exc, ...] = ()

    def describe(self, flavour: Flavour, var: str = "g") -> str:
        """One line: the call as ``flavour`` spells it, what it gave, the state, the notes."""
        gave = f"raises {self.outcome}" if isinstance(self.outcome, Exc) else f"-> {self.outcome}"
        notes = f"  notes {[(n, s.value) for n, s in self.notes]}" if self.notes else ""
        lost = f"  unraisable {', '.join(map(str, self.unraisable))}" if self.unraisable else ""
        return f"{self.call.source(var, flavour)} {gave}  [{self.state.value}]{notes}{lost}"


class Driver(Protocol):
    """Something that runs one program and answers each call with a :class:`Step`."""

    @property
    def state(self) -> GenState: ...

    def step(self, call: Call) -> Step: ...


def observe(driver: Driver, calls: Sequence[Call], *, budget: int) -> tuple[Step, ...]:
    """Make ``calls``, then close the generator for good; return every step.

    Discussion: a generator dropped while suspended is closed by the garbage
    collector, which runs its body at an unpredictable moment (and reports a
    ``yield`` in response as an unraisable error).  So every run ends by
    closing: ``close()``, and when that leaves the generator open (it yielded
    in response, or an async generator refuses ``aclose()`` once closing has
    begun), ``next()``.  These steps are recorded like the others, so they
    are compared too.  Each round consumes a ``yield``, and a program without
    loops reaches few of them: ``budget`` rounds (the program's yield points
    plus two) always end it.
    """
    steps = [driver.step(call) for call in calls]
    for call in (Close(), Send(None)) * budget:
        if driver.state is GenState.GEN_CLOSED:
            break
        steps.append(driver.step(call))
    return tuple(steps)
