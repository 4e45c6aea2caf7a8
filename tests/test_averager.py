"""The reference averagers (impl.averager), the averager contract, its model and its machine."""

from __future__ import annotations

import asyncio
import gc
import inspect
import math
import threading
import unittest
import warnings
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec
from impl.averager import (
    Averager,
    async_averager,
    averager,
    coroutine,
    precise_averager,
    primed_running_averager,
    running_averager,
    running_averages,
)
from spec import ClauseViolation, TargetError, Violation
from spec._core.checker import Binding
from spec._core.deadline import Deadline
from spec._core.options import Options
from spec._core.target import ref_for
from spec.averager import CLAUSES, CONTRACT, AveragerContract, AveragerMachine
from spec.averager.forms import _UNCLOSABLE, Form, form_of, prepare_averager
from spec.averager.machine import BAD_VALUES, finite_reals
from spec.averager.model import MeanModel, U, bound, gamma, same
from spec.known_bad.averager import float_total, seed_closure
from tests._support import replay

Real = int | float | Fraction
NAN, INF = math.nan, math.inf

ADVERSARIAL: list[list[Real]] = [[1e16, 1.0, -1e16] * 4, [1e100, 1e50, 1.0, -1e100, -1e50] * 4]


def exact_means(values: list[Real]) -> list[float]:
    total, means = Fraction(0), []
    for count, value in enumerate(values, start=1):
        total += Fraction(value)
        means.append(float(total / count))
    return means


def bits(answer: object) -> tuple[type, str]:
    """An answer, told apart bit for bit (signed zeros and NaN included)."""
    return type(answer), answer.hex() if isinstance(answer, float) else repr(answer)


# -- the plain forms ----------------------------------------------------------------


def through_closure(values: list[Real]) -> Sequence[object]:
    avg = averager()
    return [avg(value) for value in values]


def through_class(values: list[Real]) -> Sequence[object]:
    avg = Averager()
    return [avg(value) for value in values]


def through_generator(values: list[Real]) -> Sequence[object]:
    avg = running_averager()
    assert next(avg) is None
    answers: list[object] = [avg.send(value) for value in values]
    avg.close()
    return answers


def through_async(values: list[Real]) -> Sequence[object]:
    async def drive() -> list[object]:
        avg = async_averager()
        assert await anext(avg) is None
        answers: list[object] = [await avg.asend(value) for value in values]
        await avg.aclose()
        return answers

    return asyncio.run(drive())


PLAIN_FORMS: list[Callable[[list[Real]], Sequence[object]]] = [
    through_closure,
    through_class,
    through_generator,
    through_async,
    running_averages,
]
EVERYTHING = st.lists(st.one_of(finite_reals(), st.sampled_from([NAN, INF, -INF])), max_size=20)


@given(values=EVERYTHING)
def test_every_plain_form_answers_the_same_bits(values: list[Real]) -> None:
    expected = [bits(answer) for answer in through_closure(values)]
    for form in PLAIN_FORMS[1:]:
        assert [bits(answer) for answer in form(values)] == expected, form.__name__


@given(values=st.lists(finite_reals(), min_size=1, max_size=20))
def test_plain_forms_hold_the_mean_clause_bound(values: list[Real]) -> None:
    model = MeanModel()
    for value, answer in zip(values, through_closure(values), strict=True):
        model.add(value)
        assert model.wrong_mean(answer) is None


@pytest.mark.parametrize("values", ADVERSARIAL)
def test_plain_forms_err_under_cancellation_within_the_bound(values: list[Real]) -> None:
    model = MeanModel()
    answers = through_closure(values)
    for value, answer in zip(values, answers, strict=True):
        model.add(value)
        assert model.wrong_mean(answer) is None
    # Where the exact mean is 1/3 (or 1/5), the answer is off by 100 % or more.
    end = len(values) // 4 - 1
    answer = answers[end]
    assert isinstance(answer, float)
    assert abs(answer - exact_means(values)[end]) >= exact_means(values)[end]


@pytest.mark.parametrize("bad", sorted(BAD_VALUES))
def test_bad_values_raise_type_error_and_change_nothing(bad: str) -> None:
    value = BAD_VALUES[bad]()
    message = rf"^can only average real numbers, not '{type(value).__name__}'$"
    for make in (averager, Averager, precise_averager):
        avg: Any = make()
        avg(1)
        with pytest.raises(TypeError, match=message):
            avg(value)
        assert avg(2) == 1.5
    generator: Generator[object, object, object] = running_averager()  # type: ignore[assignment]
    next(generator)
    generator.send(1)
    with pytest.raises(TypeError, match=message):
        generator.send(value)
    assert inspect.getgeneratorstate(generator) == inspect.GEN_CLOSED


def test_async_averager_rejects_a_bad_value_and_ends() -> None:
    async def drive() -> None:
        avg = async_averager()
        await anext(avg)
        with pytest.raises(TypeError, match=r"^can only average real numbers, not 'str'$"):
            await avg.asend("3")  # type: ignore[arg-type]
        with pytest.raises(StopAsyncIteration):
            await avg.asend(1)

    asyncio.run(drive())


def test_bool_is_an_int_and_ints_are_exact() -> None:
    avg = averager()
    assert avg(True) == 1.0
    assert avg(2**70 + 1) == float(Fraction(2**70 + 2, 2))
    assert avg(Fraction(1, 3)) == Fraction(2**70 + 2 + Fraction(1, 3), 3)


def test_class_form_shows_its_state() -> None:
    avg = Averager()
    avg(1)
    avg(Fraction(1, 2))
    assert (avg.total, avg.count) == (Fraction(3, 2), 2)
    assert repr(avg) == "Averager(total=Fraction(3, 2), count=2)"


def test_running_averages_closes_its_generator_even_on_error() -> None:
    assert running_averages([1, 2.0, Fraction(3)]) == [1.0, 1.5, 2.0]
    assert running_averages([]) == []
    with pytest.raises(TypeError, match="not 'NoneType'"):
        running_averages([1, None])  # type: ignore[list-item]


# -- the coroutine decorator -------------------------------------------------------------


def test_coroutine_primes_and_keeps_name_docstring_and_signature() -> None:
    generator = primed_running_averager()
    assert inspect.getgeneratorstate(generator) == inspect.GEN_SUSPENDED
    assert generator.send(4) == 4.0
    assert primed_running_averager.__name__ == "running_averager"
    assert primed_running_averager.__doc__ == running_averager.__doc__
    assert inspect.signature(primed_running_averager) == inspect.signature(running_averager)

    @coroutine
    def echo(prefix: str, *, times: int = 1) -> Generator[str | None, str, None]:
        """Echo what is sent, prefixed."""
        answer = None
        while True:
            answer = prefix + (yield answer) * times

    assert inspect.signature(echo) == inspect.signature(echo.__wrapped__)  # type: ignore[attr-defined]
    assert list(inspect.signature(echo).parameters) == ["prefix", "times"]
    assert echo("> ", times=2).send("a") == "> aa"


def test_coroutine_turns_an_early_finish_into_a_clear_error() -> None:
    @coroutine
    def finishes() -> Generator[None, None, str]:
        yield from ()  # a generator function that finishes before its first yield
        return "done"

    with pytest.raises(
        RuntimeError,
        match=r"^test_coroutine_turns_an_early_finish_into_a_clear_error.<locals>.finishes"
        r"\(\) finished before its first yield$",
    ) as info:
        finishes()
    assert isinstance(info.value.__cause__, StopIteration)


# -- the precise averager ------------------------------------------------------------------


@given(values=st.lists(finite_reals(), min_size=1, max_size=30))
def test_precise_averager_answers_the_float_nearest_the_exact_mean(values: list[Real]) -> None:
    avg = precise_averager()
    assert [avg(value) for value in values] == exact_means(values)


@pytest.mark.parametrize(
    "values",
    [
        *ADVERSARIAL,
        [5e-324, 5e-324, 0.0],  # subnormal means: no double rounding
        [2.0**-1000, 3.0, 2.0**-1074],  # units finer than the fast path takes
        [2.0**-900, 1e300, 1.0],  # total / count overflows in fine units
        [0.1, Fraction(1, 3), 0.2],  # a non-dyadic Fraction
        [Fraction(1, 4), 0.5, True],  # a dyadic one, and a bool
        [2**1000 + 1, -(2**1000), 0.5],  # ints far beyond 2**53
    ],
)
def test_precise_averager_is_exact_where_the_fast_path_is_not(values: list[Real]) -> None:
    avg = precise_averager()
    assert [avg(value) for value in values] == exact_means(values)


def through_precise(values: list[Real]) -> list[object]:
    avg = precise_averager()
    return [avg(value) for value in values]


class Metres(float):
    """A float subclass: a real number that is not exactly ``float``."""


def test_precise_averager_takes_any_real_number() -> None:
    avg = precise_averager()
    assert avg(Metres(1.5)) == 1.5
    assert avg(0.25) == 0.875


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, INF, 2.0], [1.0, INF, INF]),
        ([-INF, 1], [-INF, -INF]),
        ([INF, Fraction(1, 3), -INF, 1.0], [INF, INF, NAN, NAN]),
        ([1.0, NAN, INF], [1.0, NAN, NAN]),
    ],
)
def test_non_finite_values_follow_ieee_in_every_form(values: list[Real], expected: list[float]) -> None:
    for form in [*PLAIN_FORMS, through_precise]:
        answers = form(values)
        assert [bits(a) for a in answers] == [bits(e) for e in expected]


def test_precise_averager_rejects_bad_values_in_its_slow_states() -> None:
    avg = precise_averager()
    avg(Fraction(1, 3))  # fast path off
    with pytest.raises(TypeError):
        avg(Decimal(1))  # type: ignore[arg-type]
    assert avg(NAN) != avg(1.0)
    with pytest.raises(TypeError):
        avg(1j)  # type: ignore[arg-type]


# -- the model -----------------------------------------------------------------------


def test_gamma_and_bound() -> None:
    assert gamma(0) == 0
    assert gamma(1) == U / (1 - U)
    assert bound(Fraction(0), Fraction(0), 1, 0) == Fraction(1, 2**1075)
    assert bound(Fraction(4), Fraction(4), 2, 1) == (gamma(1) * 4 + U * (4 + gamma(1) * 4)) / 2 + Fraction(1, 2**1075)


class Unequal:
    def __eq__(self, other: object) -> bool:
        raise ValueError("no comparing")

    __hash__ = None  # type: ignore[assignment]


def test_same_answers() -> None:
    assert same(NAN, NAN)
    assert same(1.0, Fraction(1))
    assert not same(NAN, 1.0)
    assert not same(Unequal(), 1.0)


@pytest.mark.parametrize(
    ("values", "answer", "why"),
    [
        ([1], None, "None is not a number (int, float or Fraction)"),
        ([1], Decimal(1), "Decimal('1') is not a number (int, float or Fraction)"),
        ([1.0], INF, "inf is not finite, but every value sent was"),
        ([1, 2], 1, "it is neither the exact mean nor the float nearest it"),
        ([1, 2], 1.5, None),
        ([1, 2], Fraction(3, 2), None),
        ([Fraction(1, 3)], 1 / 3, None),
        ([0.5, 0.25], 0.375, None),
        ([0.5, 0.25], 0.5, "it is off by 0.125, more than left-to-right summation can err (±8.33e-17)"),
    ],
)
def test_mean_judgement(values: list[Real], answer: object, why: str | None) -> None:
    model = MeanModel()
    for value in values:
        model.add(value)
    assert model.wrong_mean(answer) == why


def test_mixed_values_allow_one_more_rounding_each() -> None:
    floats, mixed = MeanModel(), MeanModel()
    for number in (0.5, 0.25):
        floats.add(number)
    for value in (0.5, Fraction(1, 4)):
        mixed.add(value)
    assert floats.tolerance < mixed.tolerance
    assert MeanModel(count=1).tolerance == 0


@pytest.mark.parametrize(
    ("values", "answer", "why"),
    [
        ([NAN], NAN, None),
        ([INF, 1], INF, None),
        ([INF, -INF], NAN, None),
        ([INF, -INF], 0.0, "0.0 is not NaN"),
        ([1, NAN], Fraction(1), "Fraction(1, 1) is not NaN"),
        ([-INF], INF, "inf is not -inf"),
        ([-INF], None, "None is not -inf"),
    ],
)
def test_special_judgement(values: list[Real], answer: object, why: str | None) -> None:
    model = MeanModel()
    for value in values:
        model.add(value)
    assert model.wrong_special(answer) == why
    assert model.nan_sent is any(isinstance(v, float) and math.isnan(v) for v in values)


# -- the contract and the shape check ---------------------------------------------------


def test_clauses_are_numbered_and_registered() -> None:
    assert [c.id for c in CLAUSES] == [f"AV{n}" for n in range(1, 9)]
    assert [c.title for c in CLAUSES] == [
        "mean",
        "independence",
        "input",
        "recovery",
        "NaN",
        "infinity",
        "protocol",
        "conduct",
    ]
    assert spec.get_contract("averager") is CONTRACT
    assert AveragerMachine.conduct == "AV8"


def not_an_averager() -> int:
    return 3


async def coroutine_not_generator() -> float:
    return 1.0


def raises_when_made() -> Callable[[float], float]:
    raise OSError("no averagers today")


def hangs_when_made() -> Callable[[float], float]:
    while True:
        pass


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            3,
            r"^an averager target must be a zero-argument callable returning a callable, a generator or an async "
            r"generator, got 3$",
        ),
        (not_an_averager, r"^not_an_averager\(\) returned a int; an averager target must be "),
        (
            coroutine_not_generator,
            r"^coroutine_not_generator\(\) returned a coroutine \(a coroutine: an async def "
            r"needs a yield to make an async generator\); ",
        ),
        (raises_when_made, r"^calling raises_when_made\(\) raised OSError: no averagers today$"),
        (hangs_when_made, r"^calling hangs_when_made\(\) did not return within 0.1 s$"),
    ],
)
def test_shape_check_says_what_is_wrong(target: object, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine never awaited would warn
        with Deadline(0.1) as deadline, pytest.raises(TargetError, match=message):
            prepare_averager(target, deadline, Options())
        gc.collect()


@pytest.mark.parametrize(
    ("target", "form"),
    [
        (averager, Form.CALLABLE),
        (Averager, Form.CALLABLE),
        (running_averager, Form.GENERATOR),
        (primed_running_averager, Form.GENERATOR),
        (async_averager, Form.ASYNC),
    ],
)
def test_the_form_is_decided_once_and_reported(target: Callable[[], object], form: Form) -> None:
    with Deadline(1.0) as deadline:
        assert prepare_averager(target, deadline, Options()).form == form.value
    made = target()
    assert form_of(made) is form
    if inspect.isgenerator(made):
        made.close()


def test_a_primed_generator_is_accepted_as_it_comes() -> None:
    report = spec.check("averager", primed_running_averager, max_examples=30)
    assert report.ok, report.format()
    assert report.form == "generator"
    assert "(generator): HOLDS" in report.format()


class TestClosureContract(AveragerContract):
    factory = averager
    max_examples = 20


# -- scripted programs: the machine's rarer paths, step by step -------------------------------

Step = tuple[Any, ...]


def run(factory: Callable[[], object], *steps: Step, timeout: float = 1.0) -> Violation | None:
    """Run the machine's probe and then ``steps`` (rule name, arguments) against ``factory``."""
    with Deadline(timeout) as deadline:
        prepared = prepare_averager(factory, deadline, Options())
        binding = Binding(factory=factory, ref=ref_for(factory), deadline=deadline, form=prepared.form)
        machine_class = type("Machine", (AveragerMachine,), {"binding": binding})
        machine = None
        try:
            machine = machine_class()
            for name, *args in steps:
                getattr(machine, name)(*args)
        except ClauseViolation as exc:
            return exc.violation
        finally:
            if machine is not None:
                machine.teardown()
    return None


def snippet(violation: Violation) -> str:
    return "\n".join(violation.program)


def test_scripted_run_of_a_reference_holds() -> None:
    for factory in (averager, running_averager, async_averager):
        steps: list[Step] = [("send", 1), ("send_bad", "'3'"), ("send", 2.0), ("send_nonfinite", INF), ("restart",)]
        assert run(factory, *steps, ("send_bad", "None"), ("send", Fraction(1, 3))) is None


FORMS: list[Callable[[], object]] = [averager, running_averager, async_averager]


def alternating(first: int) -> Callable[[], object]:
    """A factory of each form in turn, starting with ``FORMS[first]``."""
    calls = iter(range(first, first + 10))

    def factory() -> object:
        return FORMS[next(calls) % 3]()

    return factory


@pytest.mark.parametrize(
    ("first", "message", "check"),
    [
        (0, "a generator (generator), but a callable", "assert callable(avg1)"),
        (1, "an async generator (async_generator), but a generator", "assert inspect.isgenerator(avg1)"),
        (2, "a callable (function), but an async generator", "assert inspect.isasyncgen(avg1)"),
    ],
)
def test_a_factory_that_changes_form_breaks_the_protocol_clause(first: int, message: str, check: str) -> None:
    violation = run(alternating(first))
    assert violation is not None
    assert violation.clause.id == "AV7"
    assert violation.message == f"factory() returned {message} when the check started"
    assert violation.program[-1] == f"{check}, 'AV7 (protocol)'"
    assert ("import inspect" in violation.program) is (first != 0)


def finished_generator() -> Generator[float | None, float, None]:
    generator = running_averager()
    next(generator)
    generator.close()
    return generator  # type: ignore[return-value]


def finishes_at_once() -> Generator[float | None, float, None]:
    yield from ()


async def async_finishes_at_once() -> AsyncGenerator[float | None, float]:
    for _ in ():
        yield None


def fails_when_primed() -> Generator[float | None, float, None]:
    yield math.log(0)


@pytest.mark.parametrize(
    ("factory", "clause", "message"),
    [
        (finished_generator, "AV7", "finished_generator() returned a generator that has already finished"),
        (finishes_at_once, "AV7", "next(avg1) raised StopIteration: the generator finished before its first yield"),
        (
            async_finishes_at_once,
            "AV7",
            "loop.run_until_complete(avg1.asend(None)) raised StopAsyncIteration: "
            "the async generator finished before its first yield",
        ),
        (fails_when_primed, "AV8", "next(avg1) raised ValueError: math domain error"),
    ],
)
def test_priming_problems(factory: Callable[[], object], clause: str, message: str) -> None:
    violation = run(factory)
    assert violation is not None
    assert (violation.clause.id, violation.message) == (clause, message)


def raises_value_error_for_strings() -> Callable[[object], float]:
    avg = averager()

    def inner(value: object) -> float:
        if isinstance(value, str):
            raise ValueError(f"could not convert string to float: {value!r}")
        return avg(value)  # type: ignore[arg-type,return-value]

    return inner


def test_a_bad_value_must_raise_type_error_not_another_exception() -> None:
    violation = run(raises_value_error_for_strings, ("send_bad", "'3'"))
    assert violation is not None
    assert violation.clause.id == "AV3"
    assert violation.message == "avg('3') raised ValueError: could not convert string to float: '3'; " + (
        "'3' is not a real number: it must raise TypeError"
    )


def forgets_fractions_after_a_bad_value() -> Callable[[object], object]:
    """Raises ZeroDivisionError on a Fraction once any bad value came: twin and avg alike."""
    avg = averager()

    def inner(value: object) -> object:
        if isinstance(value, Fraction):
            raise ZeroDivisionError("no Fractions")
        return avg(value)  # type: ignore[arg-type]

    return inner


def test_after_a_bad_value_an_error_the_twin_shares_is_judged_as_usual() -> None:
    violation = run(forgets_fractions_after_a_bad_value, ("send_bad", "None"), ("send", Fraction(1, 2)))
    assert violation is not None
    assert (violation.clause.id, violation.message) == ("AV8", "avg(x1) raised ZeroDivisionError: no Fractions")
    assert "twin(x1)" in snippet(violation)


def stubborn() -> Generator[float | None, float, None]:
    """Yields again on GeneratorExit: close() raises RuntimeError and leaves it suspended."""
    total: float = 0
    count, average = 0, None
    while True:
        try:
            value = yield average
        except GeneratorExit:
            continue
        total, count = total + value, count + 1
        average = total / count


def test_a_generator_that_survives_close_is_reported_and_ended_all_the_same() -> None:
    before = len(_UNCLOSABLE)
    violation = run(stubborn, ("restart",))
    assert violation is not None
    assert violation.clause.id == "AV7"
    assert violation.message == (
        "avg.close() raised RuntimeError: generator ignored GeneratorExit; closing must end the generator cleanly"
    )
    assert len(_UNCLOSABLE) == before


def unstoppable() -> Generator[float | None, float, None]:
    """Catches everything: nothing but running out of memory ends it."""
    total: float = 0
    count, average = 0, None
    while True:
        try:
            value = yield average
        except BaseException:
            continue
        total, count = total + value, count + 1
        average = total / count


@pytest.fixture
def parked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Collect the generators the test parks, their complaints swallowed, not at exit."""
    before = len(_UNCLOSABLE)
    yield
    # The hook first: a parked generator that nothing else refers to is finalized at the del.
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: None)
    del _UNCLOSABLE[before:]
    gc.collect()


@pytest.mark.usefixtures("parked")
def test_a_generator_that_survives_everything_is_kept_alive() -> None:
    before = len(_UNCLOSABLE)
    violation = run(unstoppable, ("restart",))
    assert violation is not None
    assert violation.clause.id == "AV7"
    assert len(_UNCLOSABLE) > before  # never closed again, by the collector or anyone


async def async_stubborn() -> AsyncGenerator[float | None, float]:
    total: float = 0
    count, average = 0, None
    while True:
        try:
            value = yield average
        except GeneratorExit:
            continue
        total, count = total + value, count + 1
        average = total / count


@pytest.mark.usefixtures("parked")
def test_an_async_generator_that_survives_aclose_is_reported() -> None:
    violation = run(async_stubborn, ("restart",))
    assert violation is not None
    assert violation.clause.id == "AV7"
    assert violation.message.startswith("loop.run_until_complete(avg.aclose()) raised RuntimeError: ")


def test_replayed_snippets_fail_as_reported() -> None:
    report = spec.check("averager", "spec.known_bad.averager:increment_before_add", seed=3)
    assert report.violation is not None
    assert report.violation.clause.id == "AV4"
    assert isinstance(replay(report), AssertionError)


def test_a_hang_in_a_worker_thread_leaves_the_event_loop_to_it() -> None:
    reports: list[spec.Report] = []
    thread = threading.Thread(
        target=lambda: reports.append(
            spec.check("averager", "spec.known_bad.averager:async_sleeps_on_negative", timeout=0.2, seed=1)
        )
    )
    thread.start()
    thread.join()
    (report,) = reports
    assert report.violation is not None
    assert report.violation.clause.id == "AV8"
    assert report.violation.message.endswith("did not return within 0.2 s")


def test_values_are_written_exactly_in_snippets() -> None:
    assert run(averager, ("send", 0.1), ("send", Fraction(1, 3)), ("send_bad", "Decimal('0.5')")) is None
    accepts = run(seed_closure, ("send", 0.1), ("send", Fraction(1, 3)), ("send_bad", "1j"))
    assert accepts is not None
    assert accepts.program[3:6] == ("avg(0.1)", "x1 = Fraction(1, 3)", "avg(x1)")
    assert "from fractions import Fraction" in accepts.program
    decimal = run(seed_closure, ("send", 1), ("send_bad", "Decimal('0.5')"))
    assert decimal is not None
    assert "from decimal import Decimal" in decimal.program
    assert "    avg(Decimal('0.5'))" in decimal.program
    probe = run(float_total)
    assert probe is not None
    assert probe.program[-4:] == (
        "answer1 = avg1(2)",
        "avg2(2)",
        "answer2 = avg1(10000000000000001)",
        "assert answer2 == 5000000000000002.0, 'AV1 (mean)'",
    )
    later = run(off_by_one_at_fractions, ("send", 100), ("send", Fraction(1001, 10)))
    assert later is not None
    assert later.program[-2:] == ("x1 = Fraction(1001, 10)", "assert avg(x1) == 100.05, 'AV1 (mean)'")


def off_by_one_at_fractions() -> Callable[[Real], object]:
    avg = averager()
    return lambda value: avg(value) + isinstance(value, Fraction)


def test_unittest_base_class_is_not_collected_without_a_factory() -> None:
    assert AveragerContract.__test__ is False
    result = unittest.TestResult()
    AveragerContract("test_contract").run(result)
    assert result.skipped


# -- --items ------------------------------------------------------------------------

HALVES = st.integers(-100, 100).map(lambda n: Fraction(n, 2))
TEXTS = st.text()
NOTHING = st.nothing()


def test_items_int_sends_ints_and_leaves_nan_and_infinity_unjudged() -> None:
    sent: list[object] = []

    def recording() -> Callable[[Any], Any]:
        avg = averager()

        def call(value: Any) -> Any:
            sent.append(value)
            return avg(value)

        return call

    report = spec.check("averager", recording, seed=0, max_examples=30, items="int")
    assert report.ok, report.format()
    statuses = {r.clause.id: r.status for r in report.clauses}
    assert statuses["AV5"] is statuses["AV6"] is spec.ClauseStatus.NOT_JUDGED
    assert {type(value) for value in sent} <= {int, str, type(None), complex, Decimal, object}
    assert "note: items: send() is given int only" in report.format()


def test_items_float_and_a_strategy_of_reals() -> None:
    report = spec.check("averager", averager, seed=0, max_examples=30, items="float")
    assert report.ok, report.format()
    bad = spec.check("averager", float_total, seed=0, items="float")
    assert bad.ok  # a float total is exact enough when only floats are sent
    halves = spec.check("averager", "impl.averager:precise_averager", seed=0, max_examples=30, items=HALVES)
    assert halves.ok, halves.format()
    caught = spec.check("averager", seed_closure, seed=0, items="tests.test_averager:HALVES")
    assert caught.violation is not None


def test_a_strategy_must_draw_real_numbers() -> None:
    with pytest.raises(spec.OptionError, match=r"^--items: the strategy drew ''; the averager is sent int, float"):
        spec.check("averager", averager, items="tests.test_averager:TEXTS")
    with pytest.raises(spec.OptionError, match=r"^--items: cannot draw a value from tests.test_averager:NOTHING"):
        spec.check("averager", averager, items="tests.test_averager:NOTHING")
