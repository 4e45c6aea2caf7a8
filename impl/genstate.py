"""A generator written by hand: what CPython does for a generator, in plain Python.

:class:`ClassGenerator` runs a program of the generator language
(:mod:`impl.genlang`: ``Yield``, ``Return``, ``Raise``, ``Try``,
``YieldFrom`` ...) and behaves exactly like the generator CPython makes from
the same program rendered as a ``def`` with ``yield``: same values, same
exceptions, same states.  It has ``gi_running``, ``gi_suspended`` and
``gi_frame``, so :func:`inspect.getgeneratorstate` reads it like a real one,
and it passes the ``genstate`` contract and the exact model.

It is built like CPython's generator, in two layers:

* the **generator** (``send``, ``throw``, ``close``) checks whether the call
  may run the body at all (running? finished? just created?), runs the
  frame, and turns what comes out into the answer: a yielded value,
  ``StopIteration(value)`` for a return, ``RuntimeError`` for a
  ``StopIteration`` escaping the body (PEP 479);
* the **frame** (:class:`~impl._genframe.Frame`) executes the body until
  the next ``yield``, keeping where it is as a stack of blocks, and unwinds
  that stack to the nearest handler when an exception is raised, the way
  CPython's block stack (now its exception table) does.

Its state is one field, moved only along the legal transitions of
:data:`impl.genlang.TRANSITIONS` (each move asserts it).

:func:`trace` wraps any generator to record each call and the state after it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from impl._genframe import Frame
from impl.genlang import LAST, TRANSITIONS, GenState, Program, Return, Yield, after_one_call

__all__ = ["EXAMPLE", "ClassGenerator", "Frame", "Trace", "TraceStep", "class_example", "native_example", "trace"]

CREATED, RUNNING, SUSPENDED, CLOSED = GenState


# -- the generator ----------------------------------------------------------------


class ClassGenerator:
    """A hand-written generator running ``program``; see the module docstring.

    ``note(n)`` is called for each ``Note`` statement (default: nothing).
    ``version`` is the CPython version to behave like (default: the running
    one): ``close()`` returns a value from 3.13, and ``throw(StopIteration())``
    into a new generator raises ``RuntimeError`` on 3.11.  ``root`` is the
    generator that ``Reenter`` statements call into (default: this one; the
    sub-generators of ``yield from`` get their delegator's root).

    ``throw`` takes the exception object only, the one-argument form.
    """

    __slots__ = ("_root", "_state", "gi_frame", "note", "program", "version")

    _state: GenState
    gi_frame: Frame | None
    program: Program
    note: Callable[[int], None]
    version: tuple[int, int]
    _root: Any

    def __init__(
        self,
        program: Program,
        *,
        note: Callable[[int], None] | None = None,
        version: tuple[int, int] | None = None,
        root: Any = None,
    ) -> None:
        self.program = program
        self.gi_frame = Frame(program.body)
        self._state = CREATED
        self.note = note if note is not None else _ignore
        self.version = version if version is not None else (sys.version_info.major, sys.version_info.minor)
        # Not `self`: a generator that refers to itself is freed by the cyclic
        # collector only, and its finalizer (__del__) would run late.
        self._root = root

    @property
    def root(self) -> Any:
        """The generator ``Reenter`` statements call into."""
        return self if self._root is None else self._root

    @property
    def gi_running(self) -> bool:
        """True while the body runs."""
        return self._state is RUNNING

    @property
    def gi_suspended(self) -> bool:
        """True while the body is stopped at a ``yield``."""
        return self._state is SUSPENDED

    @property
    def gi_yieldfrom(self) -> ClassGenerator | None:
        """The sub-generator this one delegates to, if it is suspended in a ``yield from``."""
        return None if self.gi_frame is None else self.gi_frame.yieldfrom

    def _move(self, to: GenState) -> None:
        assert (self._state, to) in TRANSITIONS, f"illegal transition {self._state.value} -> {to.value}"
        self._state = to
        if to is CLOSED:
            self.gi_frame = None

    def __iter__(self) -> ClassGenerator:
        return self

    def __next__(self) -> object:
        return self.send(None)

    def send(self, value: object) -> object:
        """Resume the body, the suspended ``yield`` giving ``value``; return the next value yielded.

        Raises ``StopIteration(r)`` when the body returns ``r``, and once
        finished, ``StopIteration()``; ``TypeError`` if ``value`` is not
        ``None`` and the body has not started (nothing changes);
        ``ValueError`` while the body runs; ``RuntimeError`` for a
        ``StopIteration`` leaving the body; anything else the body raises.
        """
        self._refuse_if_running()
        if self._state is CLOSED:
            raise StopIteration
        if self._state is CREATED and value is not None:
            raise TypeError("can't send non-None value to a just-started generator")
        return self._run(value, None)

    def throw(self, error: BaseException) -> object:
        """Raise ``error`` at the suspended ``yield``; return the next value yielded.

        A generator that has not started, or has finished, raises ``error``
        itself and is closed, running none of its body (on 3.11, a
        ``StopIteration`` thrown into a new generator comes out as
        ``RuntimeError``).  Otherwise as :meth:`send`.
        """
        self._refuse_if_running()
        if self._state is CLOSED:
            raise error
        if self._state is CREATED:
            self._move(CLOSED)
            if self.version < (3, 12) and isinstance(error, StopIteration):
                raise RuntimeError("generator raised StopIteration") from error
            raise error
        return self._run(None, error)

    def close(self) -> object:
        """Raise ``GeneratorExit`` at the suspended ``yield``, and return when the body has let it end.

        Returns ``None``, or from 3.13 the value the body returns after
        catching ``GeneratorExit``.  A generator that has not started or has
        finished is just closed.  Raises ``RuntimeError`` if the body yields
        instead (it stays suspended there), ``ValueError`` while the body
        runs, and anything else the body raises.
        """
        self._refuse_if_running()
        if self._state is not SUSPENDED:
            if self._state is CREATED:
                self._move(CLOSED)
            return None
        try:
            self._run(None, GeneratorExit())
        except GeneratorExit:
            return None
        except StopIteration as stop:
            return stop.value if self.version >= (3, 13) else None
        raise RuntimeError("generator ignored GeneratorExit")

    def _refuse_if_running(self) -> None:
        if self._state is RUNNING:
            raise ValueError("generator already executing")

    def _run(self, value: object, error: BaseException | None) -> object:
        frame = self.gi_frame
        assert frame is not None
        self._move(RUNNING)
        try:
            suspended, result = frame.resume(self, value, error)
        except StopIteration as stop:
            self._move(CLOSED)
            raise RuntimeError("generator raised StopIteration") from stop
        except BaseException:
            self._move(CLOSED)
            raise
        finally:
            # An exception raised here has this frame in its traceback: were
            # ``error`` still to hold it, the cycle would keep every generator
            # on the stack alive until the cyclic collector runs.
            del error
        if suspended:
            self._move(SUSPENDED)
            return result
        self._move(CLOSED)
        if result is None:
            raise StopIteration
        raise StopIteration(result)

    def spawn(self, program: Program) -> ClassGenerator:
        """A sub-generator for ``yield from``: same ``note``, ``version`` and ``root``."""
        return ClassGenerator(program, note=self.note, version=self.version, root=self.root)

    def __del__(self) -> None:
        """What CPython does to a generator dropped while suspended: close it.

        What ``close()`` raises then cannot be raised to anyone; Python
        reports it through :func:`sys.unraisablehook`, as CPython does for a
        generator's finalizer.
        """
        if self._state is SUSPENDED:
            self.close()

    def _check(self) -> None:
        """Assert the representation invariant (for tests)."""
        assert (self.gi_frame is None) is (self._state is CLOSED)
        assert not (self.gi_running and self.gi_suspended)
        if self.gi_frame is not None and self.gi_frame.yieldfrom is not None:
            assert self._state in (RUNNING, SUSPENDED)
            self.gi_frame.yieldfrom._check()

    def __repr__(self) -> str:
        return f"<ClassGenerator {self._state.value}>"


def _ignore(n: int) -> None:
    """The default ``note``: notes go nowhere."""


# -- examples: the same generator, native and by hand ------------------------------


EXAMPLE = Program((Yield(0), Yield(LAST), Yield(LAST), Return(LAST)))
"""Yields 0, then echoes what it is sent (``None`` for ``next()``) twice, and returns the last value sent."""


def native_example() -> Generator[object, object, object]:
    """:data:`EXAMPLE` as a generator function."""
    v = yield 0
    v = yield v
    v = yield v
    return v


def class_example() -> ClassGenerator:
    """:data:`EXAMPLE` as a :class:`ClassGenerator`."""
    return ClassGenerator(EXAMPLE)


# -- tracing ---------------------------------------------------------------------


@dataclass(frozen=True)
class TraceStep:
    """One traced call: its source, what it gave, the state after it, and whether the move was legal."""

    call: str
    outcome: str
    state: GenState
    legal: bool

    def __str__(self) -> str:
        mark = "" if self.legal else "  <- illegal transition"
        return f"{self.call:<24} {self.outcome:<32} {self.state.value}{mark}"


class Trace:
    """Makes calls into a generator and records each one (see :func:`trace`).

    Each method returns what the call returned; an exception the call raises
    is recorded as its outcome and not raised (the method then returns
    ``None``), so that a lesson can go on past ``StopIteration``.
    """

    gen: Any
    steps: list[TraceStep]

    def __init__(self, gen: Any) -> None:
        self.gen = gen
        self.steps = []

    @property
    def state(self) -> GenState:
        return GenState(inspect.getgeneratorstate(self.gen))

    def _call(self, source: str, fn: Callable[[], object]) -> object:
        before = self.state
        try:
            value = fn()
        except Exception as error:  # the outcome of the call, recorded
            text = f"raises {type(error).__name__}({', '.join(map(repr, error.args))})"
            value = None
        else:
            text = f"-> {value!r}"
        after = self.state
        self.steps.append(TraceStep(source, text, after, after in after_one_call(before)))
        return value

    def next(self) -> object:
        """``next(gen)``."""
        return self._call("next(g)", lambda: next(self.gen))

    def send(self, value: object) -> object:
        """``gen.send(value)``."""
        return self._call(f"g.send({value!r})", lambda: self.gen.send(value))

    def throw(self, error: BaseException) -> object:
        """``gen.throw(error)``."""
        return self._call(f"g.throw({error!r})", lambda: self.gen.throw(error))

    def close(self) -> object:
        """``gen.close()``."""
        return self._call("g.close()", self.gen.close)

    def __str__(self) -> str:
        return "\n".join(str(step) for step in self.steps)


def trace(gen: Any) -> Trace:
    """A :class:`Trace` of ``gen``, a generator or any object with its protocol.

    >>> t = trace(native_example())
    >>> t.next(), t.send(5), t.close()
    (0, 5, None)
    >>> print(t)
    next(g)                  -> 0                             GEN_SUSPENDED
    g.send(5)                -> 5                             GEN_SUSPENDED
    g.close()                -> None                          GEN_CLOSED
    """
    return Trace(gen)
