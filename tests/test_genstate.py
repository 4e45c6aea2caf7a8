"""The genstate contract: states and transitions as data, the diagram, the oracle, the hand-written generator."""

from __future__ import annotations

import contextlib
import doctest
import inspect
import sys
from collections.abc import Generator

import pytest

import impl.genstate
import spec
import spec.genstate
from impl.genstate import EXAMPLE, ClassGenerator, class_example, native_example, trace
from spec import TargetError, load_target
from spec.genstate import (
    LABELS,
    LAST,
    TRANSITIONS,
    Exc,
    Flavour,
    GenState,
    GenStateContract,
    Handler,
    Note,
    Program,
    Raise,
    Reenter,
    ReenterOp,
    Reraise,
    Return,
    Step,
    Stmt,
    Thrown,
    Try,
    Yield,
    YieldFrom,
    after_one_call,
    mermaid,
)
from spec.genstate.machine import _UNCLOSABLE
from spec.genstate.render import render
from spec.known_bad import catalogue
from spec.known_bad.genstate import FrameKeptAfterReturn, _Gen

CREATED, RUNNING, SUSPENDED, CLOSED = GenState


# -- states and transitions as data --------------------------------------------------


def test_states_are_named_as_inspect_names_them() -> None:
    assert [s.value for s in GenState] == [
        inspect.GEN_CREATED,
        inspect.GEN_RUNNING,
        inspect.GEN_SUSPENDED,
        inspect.GEN_CLOSED,
    ]
    assert GenState.parse("CORO_SUSPENDED") is SUSPENDED
    assert GenState.parse("AGEN_CLOSED") is CLOSED
    with pytest.raises(ValueError, match=r"^'FROB_CLOSED' is not a generator, coroutine or async generator state$"):
        GenState.parse("FROB_CLOSED")


def test_transitions_never_return_to_created_and_closed_is_absorbing() -> None:
    assert frozenset(LABELS) == TRANSITIONS
    assert {frm for (frm, to) in TRANSITIONS if to is CREATED} == {CREATED}
    assert {to for (frm, to) in TRANSITIONS if frm is CLOSED} == {CLOSED}
    assert (SUSPENDED, CLOSED) not in TRANSITIONS  # closing a suspended generator runs it


def test_what_one_call_can_do() -> None:
    assert after_one_call(CREATED) == {CREATED, SUSPENDED, CLOSED}
    assert after_one_call(SUSPENDED) == {SUSPENDED, CLOSED}
    assert after_one_call(CLOSED) == {CLOSED}
    assert after_one_call(RUNNING) == {SUSPENDED, CLOSED}


def test_the_diagram_is_generated_from_the_transitions() -> None:
    text = mermaid()
    assert text == (
        "stateDiagram-v2\n"
        "    [*] --> GEN_CREATED: gen()\n"
        "    GEN_CREATED --> GEN_CREATED: send(v) with v not None raises TypeError\n"
        "    GEN_CREATED --> GEN_RUNNING: next() or send(None)\n"
        "    GEN_CREATED --> GEN_CLOSED: close() or throw(e)\n"
        "    GEN_RUNNING --> GEN_SUSPENDED: yield\n"
        "    GEN_RUNNING --> GEN_CLOSED: return or raise\n"
        "    GEN_SUSPENDED --> GEN_RUNNING: next(), send(v), throw(e), close()\n"
        "    GEN_CLOSED --> GEN_CLOSED: next(), send(v), throw(e), close() change nothing\n"
    )
    edges = text.splitlines()[2:]
    assert len(edges) == len(TRANSITIONS)
    assert all(":" not in label and ";" not in label for label in LABELS.values())


# -- the oracle ------------------------------------------------------------------------


class TestNativeExample(GenStateContract):
    """How a user checks a generator function in a test suite."""

    factory = native_example


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (42, "^a genstate target must be a zero-argument callable returning a generator, got 42$"),
        (
            native_example(),
            "^a genstate target must be a zero-argument callable returning a generator, got a generator object;"
            " pass the generator function instead$",
        ),
        (
            list,
            r"^list\(\) returned a list without __next__, send, throw, close, gi_running, gi_suspended, gi_frame"
            r" \(a genstate target needs __next__, send, throw, close, gi_running, gi_suspended and gi_frame\)$",
        ),
        (dict.popitem, r"^calling dict\.popitem\(\) raised TypeError: "),
    ],
    ids=["not callable", "generator object", "not a generator", "factory raises"],
)
def test_a_target_of_the_wrong_shape_is_refused(target: object, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        spec.check("genstate", target, max_examples=1)


class _BrokenFrame:
    """A generator-protocol object whose gi_frame cannot be read."""

    gi_running = False
    gi_suspended = False

    @property
    def gi_frame(self) -> object:
        raise ValueError("no frame today")

    def __next__(self) -> object:
        return 1

    def send(self, value: object) -> object:
        return 1

    def throw(self, error: BaseException) -> object:
        raise error

    def close(self) -> None:
        pass


class _NotCallableSend(_BrokenFrame):
    send = 5  # type: ignore[assignment]


class _SlowFrame(_BrokenFrame):
    @property
    def gi_frame(self) -> object:
        while True:
            pass


def test_an_attribute_that_cannot_be_read_breaks_the_conduct_clause() -> None:
    report = spec.check("genstate", _BrokenFrame, max_examples=5)
    assert report.violation is not None
    assert report.violation.clause.id == "G8"
    assert report.violation.message == "inspect.getgeneratorstate(g) raised ValueError: no frame today"


def test_a_method_that_is_not_callable_is_missing() -> None:
    with pytest.raises(TargetError, match=r"^_NotCallableSend\(\) returned a _NotCallableSend without send "):
        spec.check("genstate", _NotCallableSend, max_examples=1)


def test_an_attribute_that_hangs_is_refused() -> None:
    with pytest.raises(TargetError, match=r"^reading the attributes of what _SlowFrame\(\) returned did not return"):
        spec.check("genstate", _SlowFrame, timeout=0.05)


def test_a_factory_that_hangs_is_refused() -> None:
    def hangs() -> object:
        while True:
            pass

    with pytest.raises(TargetError, match=r"^calling test_a_factory_that_hangs_is_refused.<locals>.hangs\(\) did not"):
        spec.check("genstate", hangs, timeout=0.05)


def test_a_generator_that_will_not_close_is_kept_alive_after_the_check() -> None:
    def stubborn() -> Generator[int, object, None]:
        for _ in range(50):  # outlasts every attempt of the oracle to close it, then gives in
            with contextlib.suppress(BaseException):
                yield 1

    report = spec.check("genstate", stubborn, max_examples=50, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "G4"
    kept = [g for g in _UNCLOSABLE if getattr(g, "__name__", "") == "stubborn"]
    assert kept
    for gen in kept:
        _UNCLOSABLE.remove(gen)
        while inspect.getgeneratorstate(gen) != "GEN_CLOSED":  # type: ignore[arg-type]
            with contextlib.suppress(RuntimeError):
                gen.close()  # type: ignore[attr-defined]


def test_a_violation_names_the_clause_and_gives_a_snippet_that_fails() -> None:
    report = spec.check("genstate", "spec.known_bad.genstate:ThrowOnClosedReturnsNone", seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "G5"
    namespace: dict[str, object] = {}
    with pytest.raises(AssertionError, match=r"^G5 \(closed\): throw\(e\) on a closed generator raises e$"):
        exec(compile(report.snippet, "<snippet>", "exec"), namespace)


def test_thrown_exceptions_print_as_their_constructor() -> None:
    assert repr(Thrown(3)) == "Thrown(3)"


# -- the hand-written generator ------------------------------------------------------


def test_the_examples_are_the_same_generator() -> None:
    for make in (native_example, class_example):
        g = make()
        assert [next(g), g.send(4), g.send(5)] == [0, 4, 5]
        with pytest.raises(StopIteration) as stop:
            g.send(6)
        assert stop.value.value == 6


def test_class_generator_messages() -> None:
    g = ClassGenerator(Program((Yield(1), Raise(Exc(StopIteration, (2,))))))
    with pytest.raises(TypeError, match=r"^can't send non-None value to a just-started generator$"):
        g.send(1)
    assert next(g) == 1
    with pytest.raises(RuntimeError, match=r"^generator raised StopIteration$") as raised:
        next(g)
    assert isinstance(raised.value.__cause__, StopIteration)
    g = ClassGenerator(Program((Try((Yield(1),), (Handler(GeneratorExit, (Yield(2),)),)),)))
    next(g)
    with pytest.raises(RuntimeError, match=r"^generator ignored GeneratorExit$"):
        g.close()
    g = ClassGenerator(Program((Reenter("next"),)))
    with pytest.raises(ValueError, match=r"^generator already executing$"):
        next(g)


def test_class_generator_is_read_by_inspect_and_iterates() -> None:
    g = ClassGenerator(EXAMPLE)
    assert iter(g) is g
    assert inspect.getgeneratorstate(g) == "GEN_CREATED"  # type: ignore[arg-type]
    assert list(g) == [0, None, None]
    assert inspect.getgeneratorstate(g) == "GEN_CLOSED"  # type: ignore[arg-type]
    assert g.gi_frame is None
    assert repr(g) == "<ClassGenerator GEN_CLOSED>"


def test_class_generator_shows_where_it_delegates() -> None:
    g = ClassGenerator(Program((YieldFrom((Yield(1), Yield(2))), Return(LAST))))
    before = g.gi_yieldfrom
    next(g)
    sub = g.gi_yieldfrom
    assert before is None
    assert isinstance(sub, ClassGenerator)
    assert sub.gi_suspended
    assert not sub.gi_running
    g._check()
    g.close()
    assert g.gi_yieldfrom is None
    assert sub.gi_frame is None


def test_reentering_another_generator_goes_on_when_the_call_succeeds() -> None:
    other = ClassGenerator(Program((Yield(7),)))
    notes: list[int] = []
    g = ClassGenerator(Program((Reenter("next"), Note(1), Yield(1))), note=notes.append, root=other)
    assert next(g) == 1
    assert notes == [1]
    assert other.gi_suspended


def _other(received: list[object]) -> Generator[int, None, None]:
    """A started generator that records what reaches it."""
    try:
        yield 7
        received.append("next")
        yield 8
    except KeyError as error:
        received.append(error.args)
        yield 9
    finally:
        received.append("finally")


@pytest.mark.parametrize(
    ("op", "received"),
    [("next", ["next"]), ("throw", [(0,)]), ("close", ["finally"])],
)
@pytest.mark.parametrize("delegating", [False, True], ids=["directly", "from a sub-generator"])
def test_reenter_calls_into_the_root_as_the_rendered_program_does(
    op: ReenterOp, received: list[object], delegating: bool
) -> None:
    """``next(root)``, ``root.throw(KeyError(0))``, ``root.close()``; sub-generators share their delegator's root."""
    got: list[object] = []
    other = _other(got)
    next(other)
    body: tuple[Stmt, ...] = (Reenter(op), Yield(1))
    g = ClassGenerator(Program((YieldFrom(body),) if delegating else body), root=other)
    assert next(g) == 1
    assert got == received
    assert "box[0].throw(KeyError(0))" in render(Program((Reenter("throw"),)))


def test_class_generator_attributes_and_defaults() -> None:
    g = ClassGenerator(Program((Note(1), Yield(1))))
    assert g.program == Program((Note(1), Yield(1)))
    assert g.version == sys.version_info[:2]
    assert g.root is g
    assert next(g) == 1  # notes go nowhere by default
    assert ClassGenerator(EXAMPLE, version=(3, 11)).version == (3, 11)


def test_an_exception_in_finally_replaces_the_one_in_flight() -> None:
    program = Program(
        (
            Try(
                (Try((Raise(Exc(KeyError, (1,))),), final=(Raise(Exc(ValueError, (2,))),)),),
                (Handler(ValueError, (Reraise(),)),),
            ),
        )
    )
    with pytest.raises(ValueError, match=r"^2$"):
        next(ClassGenerator(program))


# -- tracing and rendering ------------------------------------------------------------


def test_trace_records_each_call_and_the_state_after_it() -> None:
    t = trace(class_example())
    assert t.next() == 0
    assert t.send(5) == 5
    assert t.throw(KeyError(1)) is None
    assert t.close() is None
    assert str(t) == (
        "next(g)                  -> 0                             GEN_SUSPENDED\n"
        "g.send(5)                -> 5                             GEN_SUSPENDED\n"
        "g.throw(KeyError(1))     raises KeyError(1)               GEN_CLOSED\n"
        "g.close()                -> None                          GEN_CLOSED"
    )
    assert all(step.legal for step in t.steps)


def test_trace_shows_every_argument_of_an_exception() -> None:
    t = trace(class_example())
    t.next()
    t.throw(KeyError(1, "two"))
    assert t.steps[-1].outcome == "raises KeyError(1, 'two')"


def test_trace_marks_an_illegal_transition() -> None:
    t = trace(FrameKeptAfterReturn())
    t.next()
    t.next()
    t.next()
    assert [step.legal for step in t.steps] == [True, True, False]
    assert str(t).splitlines()[-1].endswith("GEN_CREATED  <- illegal transition")


@pytest.mark.parametrize("module", [impl.genstate, spec.genstate])
def test_docstring_examples(module: object) -> None:
    failures, tried = doctest.testmod(module)  # type: ignore[arg-type]
    assert tried > 0
    assert failures == 0


def test_a_program_rendered_as_each_flavour() -> None:
    program = Program(
        (
            Note(1),
            Try((Yield(1),), (Handler(GeneratorExit, (Reraise(),)),), (Note(2),)),
            YieldFrom((Yield(LAST), Return(3))),
            Return(LAST),
        )
    )
    assert render(program) == (
        "def make(note, box):\n"
        "    def sub1():\n"
        "        v = None\n"
        "        v = yield v\n"
        "        return 3\n"
        "\n"
        "    def main():\n"
        "        v = None\n"
        "        note(1)\n"
        "        try:\n"
        "            v = yield 1\n"
        "        except GeneratorExit:\n"
        "            raise\n"
        "        finally:\n"
        "            note(2)\n"
        "        v = yield from sub1()\n"
        "        return v\n"
        "\n"
        "    return main\n"
    )
    coroutine = render(program, Flavour.COROUTINE)
    assert "class _Yield:" in coroutine
    assert "            v = await _Yield(1)\n" in coroutine
    assert "        v = await sub1()\n" in coroutine
    async_generator = render(Program((Yield(1), Return(2))), Flavour.ASYNC_GENERATOR)
    assert "    async def main():\n        v = None\n        v = yield 1\n        return\n" in async_generator
    assert "if False:" in render(Program((Return(1),)))


@pytest.mark.parametrize(
    ("program", "flavour", "message"),
    [
        (Program((YieldFrom(()),)), Flavour.ASYNC_GENERATOR, "^an async generator cannot delegate with yield from$"),
        (Program((Reraise(),)), Flavour.GENERATOR, "^a bare raise must stand at the top level of an except block$"),
        (
            Program((Try((Yield(1),), (Handler(KeyError, (Try((Reraise(),), final=()),)),)),)),
            Flavour.GENERATOR,
            "^a bare raise must stand at the top level of an except block$",
        ),
        (Program((Try((Yield(1),)),)), Flavour.GENERATOR, "^a try statement needs a handler or a finally block$"),
    ],
    ids=["yield from in an async generator", "bare raise", "bare raise in a nested try", "empty try"],
)
def test_programs_that_cannot_be_written_are_refused(program: Program, flavour: Flavour, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(program, flavour)


def test_steps_and_exceptions_print_readably() -> None:
    from spec.genstate import Close, Returned, Send, Throw

    assert str(Exc(RuntimeError, ("x",), cause=Exc(StopIteration, (1,)))) == "RuntimeError('x') from StopIteration(1)"
    step = Step(Send(None), Returned(1), SUSPENDED, ((1, RUNNING),))
    assert step.describe(Flavour.GENERATOR) == "next(g) -> 1  [GEN_SUSPENDED]  notes [(1, 'GEN_RUNNING')]"
    step = Step(Throw(Exc(KeyError, (2,))), Exc(KeyError, (2,)), CLOSED)
    assert step.describe(Flavour.ASYNC_GENERATOR) == "await g.athrow(KeyError(2)) raises KeyError(2)  [GEN_CLOSED]"
    assert Step(Send(3), Returned(None), SUSPENDED).describe(Flavour.COROUTINE) == "g.send(3) -> None  [GEN_SUSPENDED]"
    assert Close().source("g", Flavour.ASYNC_GENERATOR) == "await g.aclose()"
    assert Send(3).source("g", Flavour.ASYNC_GENERATOR) == "await g.asend(3)"


_TOURS: list[list[tuple[str, object]]] = [
    [("next", None), ("next", None), ("next", None), ("next", None), ("send", 1), ("throw", 0), ("close", None)],
    [("send", 5), ("next", None), ("throw", 1), ("next", None), ("close", None)],
    [("close", None), ("next", None), ("next", None), ("next", None), ("send", 1), ("throw", 2)],
    [("throw", 3), ("next", None), ("close", None)],
    [("next", None), ("close", None), ("close", None), ("throw", 4)],
]


def _tour(factory: object) -> list[str]:
    lines = []
    for tour in _TOURS:
        t = trace(factory())  # type: ignore[operator]
        for op, arg in tour:
            if op == "next":
                t.next()
            elif op == "send":
                t.send(arg)
            elif op == "throw":
                t.throw(KeyError(arg))
            else:
                t.close()
        lines += [str(step) for step in t.steps]
    return lines


# Independence (G9) takes two generators: a tour of one at a time cannot show it.
CLASS_BASED = [e for e in catalogue("genstate") if isinstance(load_target(e.target), type) and e.breaks != "G9"]


@pytest.mark.parametrize("entry", CLASS_BASED, ids=[e.name for e in CLASS_BASED])
def test_each_class_based_known_bad_generator_differs_from_the_correct_one_on_a_fixed_tour(entry: object) -> None:
    """The tour runs every path of every method, whatever path the oracle's search takes."""
    correct = _tour(_Gen)
    assert _tour(load_target(entry.target)) != correct  # type: ignore[attr-defined]
    assert correct == _tour(native_bad_free_equivalent)


def native_bad_free_equivalent() -> Generator[int, object, int]:
    """What the correct class-based known-bad base is, as a generator function."""
    yield 1
    yield 2
    return 3


def test_a_class_generator_dropped_while_suspended_is_closed_like_a_native_one() -> None:
    notes: list[int] = []
    g = ClassGenerator(Program((Try((Yield(1),), final=(Note(1),)),)), note=notes.append)
    next(g)
    del g
    assert notes == [1]
    reported: list[BaseException | None] = []
    hook, sys.unraisablehook = sys.unraisablehook, lambda u: reported.append(u.exc_value)
    try:
        g = ClassGenerator(Program((Try((Yield(1),), (Handler(GeneratorExit, (Yield(2),)),)),)))
        next(g)
        del g
    finally:
        sys.unraisablehook = hook
    assert [str(e) for e in reported] == ["generator ignored GeneratorExit"]


def test_the_cached_generator_is_a_generator_of_1_and_2() -> None:
    # The search stops at its bug (one generator for every call) before running it.
    from spec.known_bad.genstate import cached_generator

    assert list(cached_generator.__wrapped__()) == [1, 2]


class _EarlySendRaisesValueError(_Gen):
    def send(self, value: object) -> object:
        if not self.started and value is not None and self.gi_frame is not None:
            raise ValueError("not started")
        return super().send(value)


def test_an_early_send_that_raises_another_exception_breaks_conduct() -> None:
    report = spec.check("genstate", _EarlySendRaisesValueError, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "G8", report.format()
    assert "raised ValueError: not started" in report.violation.message
