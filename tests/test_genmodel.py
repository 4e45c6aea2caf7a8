"""The exact model of generators against CPython, and against the hand-written generator.

Hypothesis writes programs and call sequences; each program runs as a real
generator, coroutine and async generator on this interpreter, and as the
class-based generator of :mod:`impl.genstate` (behaving like each CPython
version in turn); every step must equal the model's.  The cases the issue
lists are also pinned one by one, with the answer of every version.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from collections.abc import Sequence

import pytest
from hypothesis import example, given, reject

from impl.genstate import ClassGenerator
from spec.genstate import (
    LAST,
    VERSIONS,
    Call,
    Close,
    Exc,
    Flavour,
    GenState,
    Handler,
    Note,
    Program,
    Raise,
    Reenter,
    ReenterOp,
    Reraise,
    Return,
    Returned,
    Semantics,
    Send,
    Step,
    Throw,
    Try,
    Unpredictable,
    Yield,
    YieldFrom,
    predict,
)
from spec.genstate.lang import Driver, observe
from spec.genstate.model import ModelDriver
from spec.genstate.render import NativeDriver, ObjectDriver, asyncgen_state, render
from spec.genstate.strategies import call_sequences, programs

CREATED, RUNNING, SUSPENDED, CLOSED = GenState
GEN, CORO, AGEN = Flavour
CURRENT = Semantics.current()


def _budget(program: Program) -> int:
    return program.yield_points() + 2


def run_native(program: Program, calls: Sequence[Call], flavour: Flavour = GEN) -> tuple[Step, ...]:
    """What this interpreter does (the run ends by closing the generator for good)."""
    driver = NativeDriver(program, flavour)
    try:
        return observe(driver, calls, budget=_budget(program))
    finally:
        driver.release()


class _CheckedDriver(ObjectDriver):
    """Drives a ClassGenerator and checks its representation invariant after every step."""

    def step(self, call: Call) -> Step:
        done = super().step(call)
        self.obj._check()
        return done


def run_class(program: Program, calls: Sequence[Call], version: tuple[int, int]) -> tuple[Step, ...]:
    """What the hand-written generator does, behaving like CPython ``version``."""
    notes: list[tuple[int, GenState]] = []
    box: list[ClassGenerator] = []
    gen = ClassGenerator(
        program,
        note=lambda n: notes.append((n, GenState(inspect.getgeneratorstate(box[0])))),  # type: ignore[arg-type]
        version=version,
    )
    box.append(gen)
    driver: Driver = _CheckedDriver(gen, notes)
    return observe(driver, calls, budget=_budget(program))


def assert_same(label: str, program: Program, flavour: Flavour, got: Sequence[Step], want: Sequence[Step]) -> None:
    """Fail with the program and both step lists side by side unless they are equal."""
    if tuple(got) == tuple(want):
        return
    lines = [f"{label} and the model differ, running this as a {flavour.value}:", render(program, flavour)]
    for i in range(max(len(got), len(want))):
        a = got[i].describe(flavour) if i < len(got) else "-"
        b = want[i].describe(flavour) if i < len(want) else "-"
        lines.append(f"{'  ' if a == b else '!!'} {a}\n   model: {b}" if a != b else f"   {a}")
    pytest.fail("\n".join(lines))


# -- the model against CPython, on generated programs ------------------------------


def _predictable(program: Program, calls: Sequence[Call], flavour: Flavour, semantics: Semantics) -> tuple[Step, ...]:
    """The model's steps; programs whose outcome depends on the cyclic collector are skipped."""
    try:
        return predict(program, calls, flavour, semantics)
    except Unpredictable:
        reject()


def _agree(program: Program, calls: tuple[Call, ...], flavour: Flavour) -> None:
    want = _predictable(program, calls, flavour, CURRENT)
    got = run_native(program, calls, flavour)
    version = f"CPython {sys.version_info.major}.{sys.version_info.minor}"
    assert_same(version, program, flavour, got, want)
    assert got[-1].state is CLOSED


# A sub-generator that yields in response to GeneratorExit is dropped by its
# delegator's close() and finalized at once, so its second "ignored
# GeneratorExit" is reported during that close(): only if no exception in
# flight keeps the hand-written generators in a reference cycle.
_IGNORES_EXIT_IN_A_FINALLY = Program(
    (
        YieldFrom(
            (
                Yield(LAST),
                Try((Yield(LAST), YieldFrom((Yield(LAST),))), (), (Try((Yield(LAST),), (), (Yield(LAST),)),)),
            )
        ),
    )
)


@given(program=programs(GEN), calls=call_sequences())
@example(program=_IGNORES_EXIT_IN_A_FINALLY, calls=(Send(None), Send(None), Send(None), Close()))
def test_model_agrees_with_cpython_generators(program: Program, calls: tuple[Call, ...]) -> None:
    _agree(program, calls, GEN)


@given(program=programs(CORO), calls=call_sequences())
def test_model_agrees_with_cpython_coroutines(program: Program, calls: tuple[Call, ...]) -> None:
    _agree(program, calls, CORO)


@given(program=programs(AGEN), calls=call_sequences())
def test_model_agrees_with_cpython_async_generators(program: Program, calls: tuple[Call, ...]) -> None:
    _agree(program, calls, AGEN)


@given(program=programs(GEN), calls=call_sequences())
def test_class_generator_agrees_with_the_model_for_every_version(program: Program, calls: tuple[Call, ...]) -> None:
    for version in VERSIONS:
        want = _predictable(program, calls, GEN, Semantics.for_version(version))
        assert_same(f"ClassGenerator as {version}", program, GEN, run_class(program, calls, version), want)


def test_class_generator_finalizes_a_dropped_sub_generator_at_once(pytestconfig: pytest.Config) -> None:
    if pytestconfig.pluginmanager.has_plugin("tests._mutation"):
        pytest.skip("mutmut's trampolines keep every call's arguments: an exception in flight keeps generators alive")
    calls = (Send(None), Send(None), Send(None), Close())
    for version in VERSIONS:
        want = predict(_IGNORES_EXIT_IN_A_FINALLY, calls, GEN, Semantics.for_version(version))
        assert want[-1].unraisable, "the model reports the second 'ignored GeneratorExit' during close()"
        got = run_class(_IGNORES_EXIT_IN_A_FINALLY, calls, version)
        assert_same(f"ClassGenerator as {version}", _IGNORES_EXIT_IN_A_FINALLY, GEN, got, want)


@pytest.mark.skipif(not CURRENT.has_asyncgen_state, reason="inspect.getasyncgenstate is new in 3.12")
@given(program=programs(AGEN), calls=call_sequences())
def test_derived_asyncgen_state_agrees_with_inspect(program: Program, calls: tuple[Call, ...]) -> None:
    driver = NativeDriver(program, AGEN)
    try:
        for call in (*calls, Close(), Send(None), Close(), Send(None)):
            assert asyncgen_state(driver.obj) is GenState.parse(inspect.getasyncgenstate(driver.obj))  # type: ignore[attr-defined,unused-ignore]
            driver.step(call)
        observe(driver, (), budget=_budget(program))
    finally:
        driver.release()


def test_semantics_match_this_interpreter() -> None:
    """Each version flag of the model, checked against the running interpreter."""
    assert Semantics.for_version(sys.version_info[:2]) == CURRENT
    assert CURRENT.has_asyncgen_state is hasattr(inspect, "getasyncgenstate")

    def gen() -> object:
        yield 1

    g = gen()
    next(g)  # type: ignore[call-overload]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"^3$"):
            g.throw(ValueError, ValueError(3))  # type: ignore[attr-defined]
    assert bool(caught) is CURRENT.throw_signature_warns


def test_semantics_per_version() -> None:
    assert [Semantics.for_version(v).close_returns_value for v in VERSIONS] == [False, False, True]
    assert [Semantics.for_version(v).created_throw_converts for v in VERSIONS] == [True, False, False]
    assert [Semantics.for_version(v).throw_signature_warns for v in VERSIONS] == [False, True, True]
    assert Semantics.for_version((3, 14)).close_returns_value
    with pytest.raises(ValueError, match=r"^the model describes CPython 3\.11 and later, not 3\.10$"):
        Semantics.for_version((3, 10))


# -- the cases of the issue, one by one ------------------------------------------------


def _every(program: Program, calls: Sequence[Call], flavour: Flavour = GEN) -> dict[tuple[int, int], tuple[Step, ...]]:
    """The model's steps for every version, after checking CPython (and the class) agree for this one."""
    answers = {v: predict(program, calls, flavour, Semantics.for_version(v)) for v in VERSIONS}
    assert_same("CPython", program, flavour, run_native(program, calls, flavour), predict(program, calls, flavour))
    if flavour is GEN:
        for v in VERSIONS:
            assert_same(f"ClassGenerator as {v}", program, flavour, run_class(program, calls, v), answers[v])
    return answers


def _same_for_all(answers: dict[tuple[int, int], tuple[Step, ...]]) -> tuple[Step, ...]:
    first = answers[VERSIONS[0]]
    assert all(steps == first for steps in answers.values())
    return first


TWO_YIELDS = Program((Note(1), Yield(1), Yield(LAST), Return(7)))


@pytest.mark.parametrize("flavour", [GEN, CORO], ids=["generator", "coroutine"])
def test_send_non_none_to_a_new_generator_raises_type_error_and_leaves_it_startable(flavour: Flavour) -> None:
    steps = _same_for_all(_every(TWO_YIELDS, [Send(5), Send(None)], flavour))
    message = f"can't send non-None value to a just-started {flavour.value}"
    assert steps[0] == Step(Send(5), Exc(TypeError, (message,)), CREATED)
    assert steps[1] == Step(Send(None), Returned(1), SUSPENDED, ((1, RUNNING),))


def test_asend_non_none_to_a_new_async_generator_raises_type_error() -> None:
    steps = _same_for_all(_every(TWO_YIELDS, [Send(5), Send(None)], AGEN))
    message = "can't send non-None value to a just-started async generator"
    assert steps[0] == Step(Send(5), Exc(TypeError, (message,)), CREATED)
    assert steps[1] == Step(Send(None), Returned(1), SUSPENDED, ((1, RUNNING),))


CATCH_ALL = Program((Try((Note(1), Yield(1)), (Handler(BaseException, (Note(2), Yield(2))),), (Note(3),)),))


@pytest.mark.parametrize("flavour", list(Flavour), ids=[f.name.lower() for f in Flavour])
def test_throw_and_close_on_a_new_generator_run_no_body_code(flavour: Flavour) -> None:
    thrown = Exc(ValueError, (1,))
    steps = _same_for_all(_every(CATCH_ALL, [Throw(thrown)], flavour))
    assert steps == (Step(Throw(thrown), thrown, CLOSED),)
    steps = _same_for_all(_every(CATCH_ALL, [Close()], flavour))
    assert steps == (Step(Close(), Returned(None), CLOSED),)


def test_throw_stop_iteration_into_a_new_generator_differs_between_versions() -> None:
    stop = Exc(StopIteration, (4,))
    answers = _every(CATCH_ALL, [Throw(stop)])
    converted = Exc(RuntimeError, ("generator raised StopIteration",), cause=stop)
    assert answers[(3, 11)] == (Step(Throw(stop), converted, CLOSED),)
    assert answers[(3, 12)] == answers[(3, 13)] == (Step(Throw(stop), stop, CLOSED),)


def test_athrow_stop_iteration_into_a_new_async_generator_is_a_result_from_3_12() -> None:
    stop = Exc(StopIteration, (4,))
    answers = _every(CATCH_ALL, [Throw(stop)], AGEN)
    converted = Exc(RuntimeError, ("async generator raised StopIteration",), cause=stop)
    assert answers[(3, 11)] == (Step(Throw(stop), converted, CLOSED),)
    assert answers[(3, 13)] == (Step(Throw(stop), Returned(4), CLOSED),)


IGNORES_EXIT = Program((Try((Yield(1),), (Handler(GeneratorExit, (Note(1), Yield(2))),)), Note(2)))


@pytest.mark.parametrize("flavour", list(Flavour), ids=[f.name.lower() for f in Flavour])
def test_yielding_in_response_to_generator_exit_makes_close_raise_and_stay_suspended(flavour: Flavour) -> None:
    steps = _same_for_all(_every(IGNORES_EXIT, [Send(None), Close(), Close(), Send(None)], flavour))
    ignored = Exc(RuntimeError, (f"{flavour.value} ignored GeneratorExit",))
    assert steps[1] == Step(Close(), ignored, SUSPENDED, ((1, RUNNING),))
    if flavour is AGEN:
        # Once aclose() has begun, athrow and aclose leave the body alone; asend still resumes it.
        assert steps[2] == Step(Close(), Exc(StopAsyncIteration), SUSPENDED)
        assert steps[3] == Step(Send(None), Exc(StopAsyncIteration), CLOSED, ((2, RUNNING),))
    else:
        assert steps[2] == Step(Close(), Returned(None), CLOSED)


def test_close_returns_the_value_returned_after_generator_exit_from_3_13() -> None:
    program = Program((Try((Yield(1),), (Handler(GeneratorExit, (Return(5),)),)),))
    answers = _every(program, [Send(None), Close()])
    assert answers[(3, 12)][1] == Step(Close(), Returned(None), CLOSED)
    assert answers[(3, 13)][1] == Step(Close(), Returned(5), CLOSED)


@pytest.mark.parametrize("flavour", list(Flavour), ids=[f.name.lower() for f in Flavour])
def test_stop_iteration_raised_inside_becomes_runtime_error(flavour: Flavour) -> None:
    program = Program((Yield(1), Raise(Exc(StopIteration, (2,)))))
    steps = _same_for_all(_every(program, [Send(None), Send(None)], flavour))
    cause = Exc(StopIteration, (2,))
    assert steps[1] == Step(Send(None), Exc(RuntimeError, (f"{flavour.value} raised StopIteration",), cause), CLOSED)


def test_stop_async_iteration_raised_inside_an_async_generator_becomes_runtime_error() -> None:
    program = Program((Yield(1), Raise(Exc(StopAsyncIteration, (2,)))))
    steps = _same_for_all(_every(program, [Send(None), Send(None)], AGEN))
    cause = Exc(StopAsyncIteration, (2,))
    assert steps[1].outcome == Exc(RuntimeError, ("async generator raised StopAsyncIteration",), cause)


def test_the_return_value_arrives_once() -> None:
    steps = _same_for_all(_every(TWO_YIELDS, [Send(None), Send(3), Send(None), Send(None)]))
    assert [s.outcome for s in steps] == [Returned(1), Returned(3), Exc(StopIteration, (7,)), Exc(StopIteration)]


def test_a_coroutine_cannot_be_reused_and_an_async_generator_returns_no_value() -> None:
    reuse = Exc(RuntimeError, ("cannot reuse already awaited coroutine",))
    steps = _same_for_all(_every(TWO_YIELDS, [Send(None), Send(3), Send(None), Send(None)], CORO))
    assert [s.outcome for s in steps] == [Returned(1), Returned(3), Exc(StopIteration, (7,)), reuse]
    steps = _same_for_all(_every(TWO_YIELDS, [Send(None), Send(3), Send(None)], AGEN))
    assert [s.outcome for s in steps] == [Returned(1), Returned(3), Exc(StopAsyncIteration)]


@pytest.mark.parametrize(
    ("flavour", "answers"),
    [
        (GEN, [Exc(StopIteration), Exc(StopIteration), Exc(KeyError, (9,)), Returned(None)]),
        (CORO, [Exc(RuntimeError, ("cannot reuse already awaited coroutine",))] * 3 + [Returned(None)]),
        (AGEN, [Exc(StopAsyncIteration), Exc(StopAsyncIteration), Returned(None), Returned(None)]),
    ],
    ids=["generator", "coroutine", "async_generator"],
)
def test_closed_is_absorbing(flavour: Flavour, answers: list[object]) -> None:
    calls: list[Call] = [Send(None), Close(), Send(None), Send(4), Throw(Exc(KeyError, (9,))), Close()]
    steps = _same_for_all(_every(TWO_YIELDS, calls, flavour))
    assert [s.outcome for s in steps[2:]] == answers
    assert all(s.state is CLOSED and not s.notes for s in steps[1:])


_X, _Y, _Z = Exc(KeyError, (1,)), Exc(ValueError, (2,)), Exc(OSError, (3,))
_NESTED_HANDLED = Try((Raise(_Y),), (Handler(ValueError, (Note(1),)),))
_NESTED_ESCAPED = Try((Try((Raise(_Y),), (Handler(ValueError, (Raise(_Z),)),)),), (Handler(OSError, (Note(1),)),))


@pytest.mark.parametrize(
    ("program", "outcome"),
    [
        (Program((Try((Raise(_X),), final=(Note(1),)), Yield(5))), _X),
        (Program((Try((Return(3),), final=(Note(1),)), Yield(5))), Exc(StopIteration, (3,))),
        (Program((Try((Raise(_X),), (Handler(KeyError, (Raise(_Y),)),), (Note(1),)), Yield(5))), _Y),
        (Program((Try((Raise(_X),), (Handler(KeyError, (_NESTED_HANDLED, Reraise())),)),)), _X),
        (Program((Try((Raise(_X),), (Handler(KeyError, (_NESTED_ESCAPED, Reraise())),)),)), _X),
    ],
    ids=[
        "an exception runs the finally block on its way out",
        "so does a return",
        "so does an exception raised in a handler",
        "a bare raise after a nested handler ended re-raises the exception of its own block",
        "a bare raise after an exception left a nested handler re-raises the exception of its own block",
    ],
)
def test_exceptions_and_returns_unwind_through_handlers_and_finally_blocks(program: Program, outcome: Exc) -> None:
    steps = _same_for_all(_every(program, [Send(None)]))
    assert steps[0] == Step(Send(None), outcome, CLOSED, ((1, RUNNING),))


@pytest.mark.parametrize("op", ["next", "throw", "close"])
@pytest.mark.parametrize("flavour", [GEN, CORO], ids=["generator", "coroutine"])
def test_reentering_a_running_generator_raises_value_error(op: ReenterOp, flavour: Flavour) -> None:
    program = Program((Note(1), Try((Reenter(op),), (Handler(ValueError, (Reraise(),)),)), Yield(1)))
    steps = _same_for_all(_every(program, [Send(None)], flavour))
    assert steps[0] == Step(
        Send(None), Exc(ValueError, (f"{flavour.value} already executing",)), CLOSED, ((1, RUNNING),)
    )


@pytest.mark.parametrize(("op", "what"), [("next", "anext"), ("throw", "athrow"), ("close", "aclose")])
def test_reentering_a_running_async_generator_raises_runtime_error(op: ReenterOp, what: str) -> None:
    steps = _same_for_all(_every(Program((Reenter(op),)), [Send(None)], AGEN))
    assert steps[0].outcome == Exc(RuntimeError, (f"{what}(): asynchronous generator is already running",))


@pytest.mark.parametrize("flavour", [GEN, CORO], ids=["generator", "coroutine"])
def test_close_on_a_delegator_closes_the_sub_generator_first(flavour: Flavour) -> None:
    sub = (Try((Yield(1),), final=(Note(1),)),)
    program = Program((Try((YieldFrom(sub),), final=(Note(2),)),))
    steps = _same_for_all(_every(program, [Send(None), Close()], flavour))
    assert steps[1] == Step(Close(), Returned(None), CLOSED, ((1, RUNNING), (2, RUNNING)))


def test_a_sub_generator_that_ignores_generator_exit_makes_the_delegator_raise_it() -> None:
    sub = (Try((Yield(1),), (Handler(GeneratorExit, (Yield(2),)),)),)
    program = Program((Try((YieldFrom(sub),), (Handler(RuntimeError, (Note(1), Yield(3))),)),))
    steps = _same_for_all(_every(program, [Send(None), Close()]))
    assert steps[1] == Step(
        Close(), Exc(RuntimeError, ("generator ignored GeneratorExit",)), SUSPENDED, ((1, RUNNING),)
    )


def test_a_value_sent_through_a_delegator_reaches_the_sub_generator_and_its_return_value_comes_back() -> None:
    program = Program((YieldFrom((Yield(1), Return(LAST))), Yield(LAST)))
    steps = _same_for_all(_every(program, [Send(None), Send(8)]))
    assert [s.outcome for s in steps[:2]] == [Returned(1), Returned(8)]


def test_a_thrown_exception_caught_by_the_sub_generator_goes_no_further() -> None:
    sub = (Try((Yield(1),), (Handler(KeyError, (Yield(2),)),)),)
    program = Program((YieldFrom(sub), Return(3)))
    steps = _same_for_all(_every(program, [Send(None), Throw(Exc(KeyError, (0,))), Send(None)]))
    assert [s.outcome for s in steps] == [Returned(1), Returned(2), Exc(StopIteration, (3,))]


@pytest.mark.parametrize("flavour", list(Flavour), ids=[f.name.lower() for f in Flavour])
def test_an_exception_raised_while_closing_comes_out_of_close(flavour: Flavour) -> None:
    program = Program((Try((Yield(1),), (Handler(GeneratorExit, (Note(1), Raise(Exc(KeyError, (3,))))),)),))
    steps = _same_for_all(_every(program, [Send(None), Close()], flavour))
    assert steps[1] == Step(Close(), Exc(KeyError, (3,)), CLOSED, ((1, RUNNING),))


def test_a_run_stops_closing_after_its_budget() -> None:
    steps = observe(ModelDriver(TWO_YIELDS, GEN, CURRENT), [Send(None)], budget=0)
    assert [s.state for s in steps] == [SUSPENDED]


STUBBORN_SUB = (Try((Yield(1),), (Handler(GeneratorExit, (Note(1), Yield(2))),), (Note(2),)),)


@pytest.mark.parametrize("flavour", [GEN, CORO], ids=["generator", "coroutine"])
def test_a_sub_generator_dropped_while_suspended_is_finalized_before_the_delegator_handles_it(
    flavour: Flavour,
) -> None:
    program = Program((Try((YieldFrom(STUBBORN_SUB),), (Handler(RuntimeError, (Note(3),)),)),))
    steps = _same_for_all(_every(program, [Send(None), Close()], flavour))
    ignored = Exc(RuntimeError, (f"{flavour.value} ignored GeneratorExit",))
    # close() reaches the sub-generator (note 1), which yields; dropped, it is closed once more by
    # its finalizer (note 2, its finally block), and only then does the delegator catch the error.
    assert steps[1] == Step(Close(), Returned(None), CLOSED, ((1, RUNNING), (2, RUNNING), (3, RUNNING)))
    assert ignored not in steps[1].unraisable


def test_what_a_finalizer_raises_is_reported_as_unraisable() -> None:
    again = (
        Try(
            (Yield(1),), (Handler(GeneratorExit, (Note(1), Try((Yield(2),), (Handler(GeneratorExit, (Yield(3),)),)))),)
        ),
    )
    program = Program((Try((YieldFrom(again),), (Handler(RuntimeError, (Note(3),)),)),))
    steps = _same_for_all(_every(program, [Send(None), Close()]))
    ignored = Exc(RuntimeError, ("generator ignored GeneratorExit",))
    assert steps[1] == Step(Close(), Returned(None), CLOSED, ((1, RUNNING), (3, RUNNING)), (ignored,))


def test_a_sub_generator_left_to_the_cyclic_collector_is_unpredictable() -> None:
    inner = (Try((Yield(9),), final=(Note(9),)),)
    twice = (
        Try(
            (Yield(1),), (Handler(GeneratorExit, (Try((Yield(2),), (Handler(GeneratorExit, (YieldFrom(inner),)),)),)),)
        ),
    )
    program = Program((Try((YieldFrom(twice),), (Handler(RuntimeError, ()),)),))
    with pytest.raises(Unpredictable, match=r"^a sub-generator that ignores GeneratorExit twice is left to the cyclic"):
        predict(program, [Send(None), Close()])


def test_an_exception_a_sub_generator_raises_while_closing_is_raised_in_the_delegator() -> None:
    sub = (Try((Yield(1),), final=(Raise(Exc(KeyError, (5,))),)),)
    program = Program((Try((YieldFrom(sub),), (Handler(KeyError, (Note(1),)),)), Yield(2)))
    steps = _same_for_all(_every(program, [Send(None), Close(), Send(None)]))
    assert steps[1] == Step(
        Close(), Exc(RuntimeError, ("generator ignored GeneratorExit",)), SUSPENDED, ((1, RUNNING),)
    )


def test_an_exception_value_prints_as_the_call_that_makes_it() -> None:
    assert str(Exc(ValueError, (1, "a"))) == "ValueError(1, 'a')"
    assert str(Exc(RuntimeError, (), cause=Exc(StopIteration, (4,)))) == "RuntimeError() from StopIteration(4)"
