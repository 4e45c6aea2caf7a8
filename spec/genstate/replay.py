"""The body of a model generator, interpreted by replay.

The dumbest method that can suspend: a generator's history is the list of
resumptions it received at its ``yield`` points (a value sent, an exception
thrown).  Every call re-runs the body from the start, feeding the history to
the ``yield`` points in turn; the first ``yield`` with no history left is
where the generator is now suspended.  No frame, no continuation, no Python
generator: programs have no loops and no state but ``v``, so a replay is a
plain recursive evaluation, and what it says is obviously what the body
does.  ``yield from`` is written as its PEP 380 expansion, against the
model's own generator for the sub-program (:mod:`spec.genstate.model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from impl.genlang import (
    LAST,
    Block,
    Exc,
    Flavour,
    GenState,
    Note,
    Program,
    Raise,
    Reenter,
    Reraise,
    Return,
    Stmt,
    Try,
    Value,
    Yield,
    YieldFrom,
)
from spec.genstate.lang import Call, Close, Send, Throw

if TYPE_CHECKING:
    from spec.genstate.model import ModelGenerator

__all__ = ["Finished", "Replay", "Result", "Unpredictable", "Yielded", "constant"]

SUSPENDED = GenState.GEN_SUSPENDED


@dataclass(frozen=True)
class Yielded:
    """The body stopped at a ``yield`` of ``value``."""

    value: object


@dataclass(frozen=True)
class Finished:
    """The body returned ``value``."""

    value: object


Result = Yielded | Finished | Exc
"""What running the body gave: it yielded, it returned, or an exception left it."""


class _Suspend(BaseException):
    """Unwinds a replay from the ``yield`` where the history runs out; no program code sees it."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class _Raising(Exception):
    """A program-level exception in flight."""

    def __init__(self, exc: Exc) -> None:
        super().__init__()
        self.exc = exc


class _Returning(Exception):
    """A ``return`` in flight (``finally`` blocks still run)."""

    def __init__(self, value: object) -> None:
        super().__init__()
        self.value = value


class Unpredictable(Exception):
    """CPython's behaviour for this program is not a function of the program and the calls.

    Raised when a sub-generator is dropped suspended inside a ``yield from``
    of its own even after its finalizer ran: what holds it is then freed by
    the cyclic garbage collector, whenever that runs.
    """


class Replay:
    """One run of a generator's body from the start, fed with its history.

    ``yieldfrom`` is the sub-generator the body is delegating to when it
    suspends; ``notes`` and ``unraisable`` collect what the run produced.
    """

    def __init__(self, gen: ModelGenerator) -> None:
        self.gen = gen
        self.used = 0
        self.last: object = None
        self.handled: list[Exc] = []
        self.notes: list[tuple[int, GenState]] = []
        self.unraisable: list[Exc] = []
        self.yieldfrom: ModelGenerator | None = None

    def run(self) -> Result:
        try:
            self.block(self.gen.program.body)
        except _Suspend as suspended:
            assert self.used == len(self.gen.history), "a replay suspends only where the history ends"
            return Yielded(suspended.value)
        except _Returning as returning:
            return Finished(returning.value)
        except _Raising as raising:
            return raising.exc
        return Finished(None)

    def operand(self, value: Value) -> object:
        return self.last if value is LAST else value

    def block(self, block: Block) -> None:
        for stmt in block:
            self.stmt(stmt)

    def stmt(self, stmt: Stmt) -> None:
        gen = self.gen
        match stmt:
            case Yield(value) if gen.flavour is Flavour.COROUTINE:
                # `await _Yield(x)`: delegation to a generator that yields x once and returns what it got.
                once = Program((Yield(constant(self.operand(value))), Return(LAST)))
                self.last = self.delegate(once, Flavour.GENERATOR)
            case Yield(value):
                self.last = self.pause(self.operand(value))
            case YieldFrom(body):
                self.last = self.delegate(Program(body), gen.flavour)
            case Return(value):
                # An async generator cannot return a value: it renders as a bare `return`.
                raise _Returning(None if gen.flavour is Flavour.ASYNC_GENERATOR else self.operand(value))
            case Raise(exc):
                raise _Raising(exc)
            case Reraise():
                raise _Raising(self.handled[-1])
            case Note(n):
                self.notes.append((n, gen.root.state))
            case Reenter(op):
                self.reenter(op)
            case _:
                assert isinstance(stmt, Try)
                self.try_(stmt)

    def pause(self, value: object) -> object:
        """A ``yield`` point: the next resumption from the history, or suspension here."""
        history = self.gen.history
        if self.used == len(history):
            raise _Suspend(value)
        resumption = history[self.used]
        self.used += 1
        if isinstance(resumption, Throw):
            raise _Raising(resumption.exc)
        return resumption.value

    def delegate(self, program: Program, flavour: Flavour) -> object:
        """``yield from`` (and ``await``): the expansion of PEP 380, against a model sub-generator."""
        sub = self.gen.spawn(program, flavour)
        result = sub.gen_send(None)
        while True:
            self.collect(sub)
            if isinstance(result, Finished):
                return result.value
            if isinstance(result, Exc):
                raise _Raising(result)
            self.yieldfrom = sub
            try:
                sent = self.pause(result.value)
            except _Raising as thrown:
                self.yieldfrom = None
                if not issubclass(thrown.exc.type, GeneratorExit):
                    result = sub.gen_throw(thrown.exc)
                    continue
                closing = sub.gen_close()
                self.collect(sub)
                if isinstance(closing, Exc):
                    if sub.state is SUSPENDED:
                        self.abandon(sub)
                    raise _Raising(closing) from None
                raise
            self.yieldfrom = None
            result = sub.gen_send(sent)

    def collect(self, sub: ModelGenerator) -> None:
        """Take in what a call into ``sub`` produced."""
        notes, unraisable = sub.take_notes()
        self.notes.extend(notes)
        self.unraisable.extend(unraisable)

    def abandon(self, sub: ModelGenerator) -> None:
        """What CPython does to a sub-generator that ``yield from`` drops while it is suspended.

        Discussion: that happens when it yields in response to
        ``GeneratorExit``: ``close()`` raises ``RuntimeError``, which is
        raised in the delegator, and unwinding the delegator's stack drops
        the last reference to the sub-generator, before any handler of the
        delegator runs.  Reference counting frees it at once, and its
        finalizer closes it once more; what that raises can only be reported
        (``sys.unraisablehook``).  If it yields again, inside a ``yield
        from`` of its own, its frame sits in a reference cycle and what it
        delegates to is finalized by the cyclic collector, at no moment the
        program decides: :class:`Unpredictable`.
        """
        finalized = sub.gen_close()
        self.collect(sub)
        if isinstance(finalized, Exc):
            self.unraisable.append(finalized)
        if sub.state is SUSPENDED and sub.yieldfrom is not None and sub.yieldfrom.state is SUSPENDED:
            raise Unpredictable("a sub-generator that ignores GeneratorExit twice is left to the cyclic collector")

    def reenter(self, op: str) -> None:
        root = self.gen.root
        call: Call = Send(None) if op == "next" else Close() if op == "close" else Throw(Exc(KeyError, (0,)))
        outcome = root.call(call)
        assert isinstance(outcome, Exc), "a running generator refuses every call"
        raise _Raising(outcome)

    def try_(self, stmt: Try) -> None:
        try:
            try:
                self.block(stmt.body)
            except _Raising as raising:
                handler = next((h for h in stmt.handlers if issubclass(raising.exc.type, h.catch)), None)
                if handler is None:
                    raise
                self.handled.append(raising.exc)
                try:
                    self.block(handler.body)
                finally:
                    self.handled.pop()
        except (_Raising, _Returning):
            if stmt.final is not None:
                self.block(stmt.final)
            raise
        if stmt.final is not None:
            self.block(stmt.final)


def constant(value: object) -> int | None:
    assert value is None or isinstance(value, int), value
    return value
