"""Programs as real Python, and real generators driven the way the model is.

:func:`render` writes a program as the source of a generator function, a
native coroutine or an async generator; :class:`NativeDriver` runs it on the
interpreter at hand and answers each call with a
:class:`~spec.genstate.lang.Step`, exactly as :class:`~spec.genstate.model.ModelDriver`
does for the model, so the two lists of steps can be compared with ``==``.
:class:`ObjectDriver` does the same for any generator-protocol object (the
hand-written generator of :mod:`impl.genstate`).

How each flavour is driven and read:

* a generator: ``next(g)``, ``g.send(v)``, ``g.throw(e)``, ``g.close()``;
  state by :func:`inspect.getgeneratorstate`;
* a coroutine: the same with ``c.send(None)`` for ``next``; its ``yield`` is
  ``await _Yield(x)``, an awaitable whose ``__await__`` yields ``x`` once and
  returns what it is sent; state by :func:`inspect.getcoroutinestate`;
* an async generator: each call makes an awaitable (``asend(v)``,
  ``athrow(e)``, ``aclose()``) and runs it to the end with one
  ``send(None)``: its ``StopIteration`` carries the result of the ``await``
  (the body awaits nothing that suspends); state by :func:`asyncgen_state`.
"""

from __future__ import annotations

import dis
import functools
import inspect
import sys
from types import CodeType
from typing import Any

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
from spec.genstate.lang import Call, Close, Outcome, Returned, Send, Step, Throw, validate

__all__ = ["NativeDriver", "ObjectDriver", "asyncgen_state", "invoke", "read_state", "render"]

_AWAITABLE = '''\
class _Yield:
    """Awaiting it suspends the coroutine once, yielding value; the await gives what is sent."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __await__(self):
        return (yield self.value)

'''

_REENTER = {
    Flavour.GENERATOR: {"next": "next(box[0])", "throw": "box[0].throw(KeyError(0))", "close": "box[0].close()"},
    Flavour.COROUTINE: {"next": "box[0].send(None)", "throw": "box[0].throw(KeyError(0))", "close": "box[0].close()"},
    Flavour.ASYNC_GENERATOR: {
        "next": "await box[0].asend(None)",
        "throw": "await box[0].athrow(KeyError(0))",
        "close": "await box[0].aclose()",
    },
}


def render(program: Program, flavour: Flavour = Flavour.GENERATOR) -> str:
    """The program as a module defining ``make(note, box)``, which returns the function ``main``.

    ``main()`` makes the generator (coroutine, async generator).  Its body
    calls ``note(n)`` for each :class:`~spec.genstate.lang.Note` and re-enters
    ``box[0]``, where the caller puts the generator.  Each sub-program of a
    ``yield from`` becomes a function of its own, ``sub1``, ``sub2``...
    Raises :class:`ValueError` if the program cannot be written as ``flavour``.
    """
    validate(program, flavour)
    renderer = _Renderer(flavour)
    renderer.function("main", program.body)
    lines = ["def make(note, box):", *renderer.lines, "    return main", ""]
    prelude = _AWAITABLE if flavour is Flavour.COROUTINE else ""
    return prelude + "\n".join(lines)


class _Renderer:
    def __init__(self, flavour: Flavour) -> None:
        self.flavour = flavour
        self.lines: list[str] = []
        self.subs = 0

    def function(self, name: str, body: Block) -> None:
        inner: list[str] = []
        self.block(body, 2, inner)
        keyword = "def" if self.flavour is Flavour.GENERATOR else "async def"
        lines = [f"    {keyword} {name}():", "        v = None"]
        if self.flavour is not Flavour.COROUTINE and not any(_yields(s) for s in body):
            lines += ["        if False:", "            yield  # a generator even when no yield is reached"]
        self.lines += [*lines, *inner, ""]

    def block(self, block: Block, depth: int, out: list[str]) -> None:
        if not block:
            out.append("    " * depth + "pass")
        for stmt in block:
            self.stmt(stmt, depth, out)

    def stmt(self, stmt: Stmt, depth: int, out: list[str]) -> None:
        pad = "    " * depth
        flavour = self.flavour
        match stmt:
            case Yield(value) if flavour is Flavour.COROUTINE:
                out.append(f"{pad}v = await _Yield({_operand(value)})")
            case Yield(value):
                out.append(f"{pad}v = yield {_operand(value)}")
            case YieldFrom(body):
                self.subs += 1
                name = f"sub{self.subs}"
                self.function(name, body)
                out.append(
                    f"{pad}v = yield from {name}()" if flavour is Flavour.GENERATOR else f"{pad}v = await {name}()"
                )
            case Return(value):
                bare = flavour is Flavour.ASYNC_GENERATOR or value is None
                out.append(f"{pad}return" if bare else f"{pad}return {_operand(value)}")
            case Raise(exc):
                out.append(f"{pad}raise {exc}")
            case Reraise():
                out.append(f"{pad}raise")
            case Note(n):
                out.append(f"{pad}note({n})")
            case Reenter(op):
                out.append(pad + _REENTER[flavour][op])
            case _:
                assert isinstance(stmt, Try)
                out.append(f"{pad}try:")
                self.block(stmt.body, depth + 1, out)
                for handler in stmt.handlers:
                    out.append(f"{pad}except {handler.catch.__name__}:")
                    self.block(handler.body, depth + 1, out)
                if stmt.final is not None:
                    out.append(f"{pad}finally:")
                    self.block(stmt.final, depth + 1, out)


def _operand(value: Value) -> str:
    return "v" if value is LAST else repr(value)


def _yields(stmt: Stmt) -> bool:
    """Whether ``stmt`` holds a ``yield`` of the function it is in (not of a sub-program's)."""
    if isinstance(stmt, Yield | YieldFrom):
        return True
    if isinstance(stmt, Try):
        blocks = [stmt.body, *(h.body for h in stmt.handlers), stmt.final or ()]
        return any(_yields(s) for b in blocks for s in b)
    return False


# -- reading states -------------------------------------------------------------


def read_state(obj: Any, flavour: Flavour = Flavour.GENERATOR) -> GenState:
    """The state of a generator, coroutine or async generator ``obj``."""
    if flavour is Flavour.GENERATOR:
        return GenState.parse(inspect.getgeneratorstate(obj))
    if flavour is Flavour.COROUTINE:
        return GenState.parse(inspect.getcoroutinestate(obj))
    return asyncgen_state(obj)


def asyncgen_state(agen: Any) -> GenState:
    """The state of an async generator, derived from ``ag_running`` and ``ag_frame`` alone.

    Discussion: :func:`inspect.getasyncgenstate` and ``ag_suspended`` exist
    from 3.12 only, so on 3.11 the state has to be read another way, and this
    way works on every version (the tests check that it agrees with
    ``inspect.getasyncgenstate`` where that exists).  Running and closed are
    direct: ``ag_running``, and ``ag_frame is None``.  Created and suspended
    differ in how far the frame got.  Its code starts with a prologue ending
    in ``RESUME`` (``RETURN_GENERATOR``, ``POP_TOP``, ``RESUME``, after any
    ``COPY_FREE_VARS``); creating the generator runs the prologue up to, not
    including, that ``RESUME``, while a suspended frame stands at a
    ``YIELD_VALUE``, which comes after it.  So: created exactly when
    ``ag_frame.f_lasti`` is below the offset of the code's first ``RESUME``.
    """
    if agen.ag_running:
        return GenState.GEN_RUNNING
    frame = agen.ag_frame
    if frame is None:
        return GenState.GEN_CLOSED
    return GenState.GEN_CREATED if frame.f_lasti < _first_resume(agen.ag_code) else GenState.GEN_SUSPENDED


@functools.cache
def _first_resume(code: CodeType) -> int:
    return min(instruction.offset for instruction in dis.get_instructions(code) if instruction.opname == "RESUME")


# -- driving --------------------------------------------------------------------


def invoke(obj: Any, call: Call, flavour: Flavour = Flavour.GENERATOR) -> Outcome:
    """Make ``call`` on ``obj`` and return what it gave (never raises what the call raises).

    A thrown exception is made fresh from the call's :class:`~spec.genstate.lang.Exc`.
    """
    try:
        if flavour is Flavour.ASYNC_GENERATOR:
            return _await(obj, call)
        if isinstance(call, Close):
            return Returned(obj.close())
        if isinstance(call, Throw):
            return Returned(obj.throw(call.exc.make()))
        if call.value is not None or flavour is Flavour.COROUTINE:
            return Returned(obj.send(call.value))
        return Returned(next(obj))
    except (Exception, GeneratorExit) as error:
        return Exc.of(error)


def _await(agen: Any, call: Call) -> Outcome:
    if isinstance(call, Send):
        awaitable = agen.asend(call.value)
    elif isinstance(call, Throw):
        awaitable = agen.athrow(call.exc.make())
    else:
        awaitable = agen.aclose()
    try:
        # The programs await nothing that suspends, so one send finishes the
        # awaitable; if it ever yielded, this outcome would differ from the model's.
        return Returned(("awaitable suspended", awaitable.send(None)))
    except StopIteration as stop:
        return Returned(stop.value)


class ObjectDriver:
    """Drives a generator-protocol object, such as the hand-written generator of :mod:`impl.genstate`.

    ``notes`` is the list the object's body appends ``(n, state)`` to.
    While a call runs, :func:`sys.unraisablehook` records what CPython can
    only report (a finalizer's exception) into the step.
    """

    def __init__(self, obj: Any, notes: list[tuple[int, GenState]], flavour: Flavour = Flavour.GENERATOR) -> None:
        self.obj = obj
        self.notes = notes
        self.flavour = flavour

    @property
    def state(self) -> GenState:
        return read_state(self.obj, self.flavour)

    def step(self, call: Call) -> Step:
        seen = len(self.notes)
        unraisable: list[Exc] = []

        def report(unraisable_args: Any) -> None:
            unraisable.append(Exc.of(unraisable_args.exc_value))

        hook, sys.unraisablehook = sys.unraisablehook, report
        try:
            outcome = invoke(self.obj, call, self.flavour)
        finally:
            sys.unraisablehook = hook
        return Step(call, outcome, self.state, tuple(self.notes[seen:]), tuple(unraisable))


class NativeDriver(ObjectDriver):
    """Renders ``program`` as ``flavour``, runs it on this interpreter, and drives it.

    Call :meth:`release` when done: the generator refers to itself through
    ``box`` (for re-entrance), and releasing breaks that cycle.
    """

    def __init__(self, program: Program, flavour: Flavour = Flavour.GENERATOR) -> None:
        namespace: dict[str, Any] = {}
        exec(compile(render(program, flavour), f"<genstate program as {flavour.value}>", "exec"), namespace)
        self.box: list[Any] = [None]
        notes: list[tuple[int, GenState]] = []

        def note(n: int) -> None:
            notes.append((n, read_state(self.box[0], flavour)))

        main = namespace["make"](note, self.box)
        super().__init__(main(), notes, flavour)
        self.box[0] = self.obj

    def release(self) -> None:
        """Forget the generator (it should be closed by now)."""
        self.box[0] = None
        self.obj = None
