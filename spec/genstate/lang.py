"""The calls that drive a generator program, what a call gives, and which programs are legal.

Programs themselves, and the generator states, are plain data shared with the
reference implementation (:mod:`impl.genlang`).  This module adds what only
the contract needs: :func:`validate` (can this program be written as a
generator, a coroutine, an async generator?), the calls (:class:`Send`,
:class:`Throw`, :class:`Close`) and a :class:`Step` recording what each call
did, so that the model (:mod:`spec.genstate.model`), real Python rendered from
the program (:mod:`spec.genstate.render`) and the hand-written generator of
:mod:`impl.genstate` can be compared step by step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias

from impl.genlang import Block, Exc, Flavour, GenState, Program, Reraise, Try, YieldFrom

__all__ = ["Call", "Close", "Driver", "Outcome", "Returned", "Send", "Step", "Throw", "observe", "validate"]


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
