"""The averager state machine: values in, answers judged against the exact mean.

Each program makes one averager (``avg``) of the target's form and sends it
values: finite reals (``send``), NaN and infinities (``send_nonfinite``),
values that are not real numbers (``send_bad``); ``restart`` ends it
(``close()`` for the generator forms, checked) and makes a fresh one.  The
model (:class:`~spec.averager.model.MeanModel`) says what each answer may be.

Discussion (attributing a failure to the right clause):

* Every program starts with a probe, before ``avg`` is made: two averagers
  are made, then sent ``2``, ``10**16 + 1`` and ``2`` in turn (the first,
  the second, the first ...), and the second must answer what the first
  did.  Comparing the two, not each with the mean, is what makes the verdict
  independent of the mean clause: an averager that gets the mean wrong, but
  alike in every instance, passes the comparison; one whose instances share
  a total fails it, and so does one that keeps its total in a class
  attribute and resets it in ``__init__`` (both are made before either is
  sent anything), which a probe of one averager after the other would miss
  and the recovery clause would later be blamed for.  Probing first matters
  for the same reason as in the queue contract: shared state would
  otherwise leak from one program into the next, and fail later checks in
  ways no single program reproduces.
* Then the first averager's answers are judged by the mean clause (``2.0``,
  then ``5000000000000001.5``, whose nearest float is ``5000000000000002.0``,
  then ``(10**16 + 5) / 3``, whose nearest float is ``3333333333333335.0``
  while ``float(10**16 + 5) / 3``, rounded twice, is ``3333333333333334.5``).
  The common wrong means (integer division, a count off by one, the total, a
  lagging or missing first answer, a float total that rounds
  ``10**16 + 3`` to ``10**16 + 4``) fail here, in every program, before any
  rule runs.  Without it they would also be found by the NaN and infinity
  rules (``inf // 1`` is NaN; a lagging answer lags at a NaN too), whose
  programs are shorter and win the shrinking, or not found at all (ints only,
  with no float among them, are rare in a long random program): the clause
  named would depend on the search.
* A bad value must raise ``TypeError``; if the averager is still usable
  afterwards (a callable), the machine makes a *twin* (``twin``), a second
  averager sent every valid value ``avg`` was sent, but not the bad ones.
  From then on every value goes to both, twin first, and ``avg`` must answer
  exactly what ``twin`` answers (or raise what it raises): a difference can
  only come from the bad value, and breaks the recovery clause, whatever the
  answers' relation to the mean.  Then the mean is judged as usual.  A
  generator that raised has ended, which the recovery clause allows; the
  machine starts a fresh one.
* A ``TypeError`` for a real number breaks the input clause (the value must
  be accepted); ``StopIteration`` from a generator's ``send`` (it finished)
  the protocol clause; any other exception, or a hang, the conduct clause.
* Answers are judged by the model in one place: while only finite values were
  sent, by the mean clause; after a NaN, by the NaN clause; after infinities
  and no NaN, by the infinity clause.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, NoReturn

from hypothesis import strategies as st
from hypothesis.stateful import rule

from spec._core.checker import ContractMachine, TargetFailure, describe_exception, raises_block
from spec._core.program import literal, show, type_name
from spec.averager.forms import Driver, Form, ResumableDriver, driver_for, form_of
from spec.averager.model import MeanModel, same

__all__ = [
    "BAD_VALUES",
    "CONDUCT",
    "INDEPENDENCE",
    "INFINITY",
    "INPUT",
    "MEAN",
    "NAN",
    "PROBE",
    "PROTOCOL",
    "RECOVERY",
    "AveragerMachineBase",
    "finite_reals",
]

MEAN, INDEPENDENCE, INPUT, RECOVERY, NAN, INFINITY, PROTOCOL, CONDUCT = (f"AV{n}" for n in range(1, 9))

Real = int | float | Fraction

# Magnitudes stay below this, so that no partial sum of any program overflows.
_LIMIT = 1e300

# Ints, so that a float total (exact only up to 2**53) fails too, and so does
# float(total) / count, which rounds twice: see the Discussion.
PROBE = (2, 10**16 + 1, 2)

BAD_VALUES: dict[str, Callable[[], object]] = {
    "'3'": lambda: "3",
    "None": lambda: None,
    "1j": lambda: 1j,
    "Decimal('0.5')": lambda: Decimal("0.5"),
    "object()": object,
}
"""Values that are not real numbers, by the source text that makes them."""


def finite_reals() -> st.SearchStrategy[Real]:
    """Finite real numbers to send: floats, ints beyond ``2**53``, Fractions and bools."""
    return st.one_of(
        st.floats(min_value=-_LIMIT, max_value=_LIMIT),
        st.integers(min_value=-(2**70), max_value=2**70),
        # Cheaper to draw than st.fractions (a flatmap), and it shrinks to small terms just as well.
        st.builds(Fraction, st.integers(-(10**6), 10**6), st.integers(1, 10**6)),
        st.booleans(),
    )


def exact_ints() -> st.SearchStrategy[int]:
    """Ints whose sums cross 2**53, where a float total or ``float(total) / count`` loses the last digits."""
    return st.one_of(
        st.integers(-9, 9),
        st.integers(2**52, 2**55),
        st.integers(-(2**64), 2**64),
        st.sampled_from([10**16 + 1, 2**53 + 1, -(2**53) - 1, 3 * 2**53 + 1]),
    )


def _counts() -> st.SearchStrategy[int]:
    """How many times ``send_many`` sends: a few, or past 32 (and 35, and 64) in one go."""
    return st.one_of(st.integers(2, 9), st.sampled_from([31, 33, 36, 65]))


def _outcome_text(answer: object, error: BaseException | None) -> str:
    return f"answered {show(answer)}" if error is None else f"raised {describe_exception(error)}"


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(n, f"{n}th")


class AveragerMachineBase(ContractMachine):
    """The averager machine; ``spec.averager.AveragerMachine`` sets its clauses."""

    conduct = CONDUCT

    probe: ClassVar[tuple[Any, ...]] = PROBE

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        binding = cls.__dict__.get("binding")
        plan = None if binding is None else binding.plan
        if plan is not None:
            # --items: this check's machine sends the plan's values (see
            # spec.averager.kinds), and NaN and infinities only if they are of the kind.
            def send(self: AveragerMachineBase, value: Real) -> None:
                self._send(value)

            cls.send = rule(value=plan.values)(send)  # type: ignore[method-assign]
            # The other sending rules draw their own values: under --items they
            # send the plan's (send_many), or nothing (send_int; send_infinities
            # unless NaN and infinities are of the kind).
            cls.send_many = rule(value=plan.values, count=_counts())(cls._send_many)  # type: ignore[method-assign]
            cls.send_int = None  # type: ignore[method-assign,assignment]
            cls.probe = plan.probe
            if not plan.nonfinite:
                cls.send_nonfinite = None  # type: ignore[method-assign,assignment]
                cls.send_infinities = None  # type: ignore[method-assign,assignment]

    driver: Driver
    made: list[Any]  # every averager this program made, disposed of at teardown
    avg: Any  # the averager under test
    twin: Any  # an averager sent the same valid values as avg, and no bad one
    model: MeanModel
    history: list[tuple[Real, str]]  # the valid values sent to avg, with their source text

    def __init__(self) -> None:
        super().__init__()
        self.driver = driver_for(Form(type(self).binding.form))
        self.made = []
        self.avg = self.twin = None
        self.model = MeanModel()
        self.history = []
        try:
            self.driver.setup(self.program)
            self._probe()
            self.avg = self._start("avg")
        except BaseException:
            # Hypothesis tears down only machines that were made.
            self.teardown()
            raise

    def teardown(self) -> None:
        self.driver.teardown(self.made, type(self).binding.deadline)

    # -- making, sending, judging ----------------------------------------------

    def _start(self, var: str) -> Any:
        """Make an averager named ``var`` in the program, check its form, prime it."""
        binding = type(self).binding
        driver = self.driver
        name = binding.ref.name
        averager = self.call(f"{var} = {name}()", binding.factory)
        form = form_of(averager)
        if form is not driver.form:
            what = "nothing an averager can be" if form is None else _a(form.value)
            self.fail(
                PROTOCOL,
                f"{name}() returned {what} ({type_name(averager)}), but {_a(driver.noun)} when the check started",
                expected=_a(driver.noun),
                actual=show(averager),
                ending=(self._need_inspect(driver.form_check(var)) + f", {self.tag(PROTOCOL)!r}",),
            )
        self.count(PROTOCOL)
        self.made.append(averager)
        if isinstance(driver, ResumableDriver):
            if driver.needs_priming(averager):
                self._prime(driver, var, averager)
            elif driver.ended(averager):
                self.fail(
                    PROTOCOL,
                    f"{name}() returned {_a(driver.noun)} that has already finished",
                    expected=f"a new {driver.noun}",
                    actual=f"a finished {driver.noun}",
                    ending=(f"# {var} has finished: sending to it raises {driver.finished.__name__}",),
                )
        return averager

    def _need_inspect(self, statement: str) -> str:
        if "inspect." in statement:
            self.program.need("import inspect")
        return statement

    def _prime(self, driver: ResumableDriver, var: str, averager: Any) -> None:
        source = driver.prime_source(var)
        try:
            first = self.attempt(source, driver.primer(averager))
        except TargetFailure as failure:
            self._finished_or_raised(source, failure.error, "before its first yield")
        if first is not None:
            self.fail(
                PROTOCOL,
                f"{source} yielded {show(first)}; priming must yield None (no value has been sent yet)",
                expected=None,
                actual=first,
                ending=(f"assert {source} is None, {self.tag(PROTOCOL)!r}",),
                replace_last=True,
            )
        self.count(PROTOCOL)

    def _finished_or_raised(self, source: str, error: BaseException, when: str) -> NoReturn:
        driver = self.driver
        if isinstance(driver, ResumableDriver) and isinstance(error, driver.finished):
            self.fail(
                PROTOCOL,
                f"{source} raised {type(error).__name__}: the {driver.noun} finished {when}",
                expected=f"the {driver.noun} stays suspended",
                actual=describe_exception(error),
                ending=(f"# raises {describe_exception(error)}",),
            )
        self.raised(source, error)

    def _rejected(self, source: str, error: BaseException, value: Real) -> NoReturn:
        """``source`` (sending the real number ``value``) raised ``error``: judge it."""
        if isinstance(error, TypeError):
            self.fail(
                INPUT,
                f"{source} raised {describe_exception(error)}; {value!r} is a real number and must be accepted",
                expected="an answer",
                actual=describe_exception(error),
                ending=(f"# raises {describe_exception(error)}",),
            )
        self._finished_or_raised(source, error, "after a value (it must stay suspended between sends)")

    def _answer(self, source: str, averager: Any, value: Real) -> object:
        """Send ``value`` to ``averager``; its answer, or a violation if it raises."""
        try:
            return self.attempt(source, self.driver.sender(averager), value)
        except TargetFailure as failure:
            self._rejected(source, failure.error, value)

    def _outcome(self, source: str, averager: Any, value: Real) -> tuple[object, BaseException | None]:
        """``(answer, None)`` or ``(None, exception)``; a hang is still a violation."""
        try:
            return self.attempt(source, self.driver.sender(averager), value), None
        except TargetFailure as failure:
            return None, failure.error

    def _probe(self) -> None:
        """Independence, then the mean of three values, before anything else (see the Discussion)."""
        mark = self.program.mark()
        first = self._start("avg1")
        second = self._start("avg2")
        answers, marks = [], []
        for n, value in enumerate(self.probe, start=1):
            answers.append(self._answer(f"answer{n} = {self.driver.send_source('avg1', repr(value))}", first, value))
            marks.append(self.program.mark())
            source = self.driver.send_source("avg2", repr(value))
            got = self._answer(source, second, value)
            if not self.judge(f"{source} == answer{n}", same, got, answers[-1]):
                self.fail(
                    INDEPENDENCE,
                    f"a second averager answered {show(got)} to its {_ordinal(n)} value, {value!r}, where the first "
                    f"answered {show(answers[-1])} to the same values, sent in turn: averagers share state",
                    expected=answers[-1],
                    actual=got,
                    ending=(f"assert {source} == answer{n}, {self.tag(INDEPENDENCE)!r}",),
                    replace_last=True,
                )
            self.count(INDEPENDENCE)
        # Both averagers agree: judge the first one's answers by the mean clause.
        model = MeanModel()
        for n, (value, answer) in enumerate(zip(self.probe, answers, strict=True), start=1):
            model.add(value)
            if self.judge(f"# judging answer{n}", model.wrong_mean, answer) is not None:
                self.program.truncate(marks[n - 1])
            self._judge_mean(model, self.driver.send_source("avg1", repr(value)), answer, f"answer{n}")
        # The probe passed: leaving it out of the snippets keeps them to the point.
        self.program.truncate(mark)

    def _send(self, value: Real, expr: str = "") -> None:
        expr = expr or self.program.name(value)
        source = self.driver.send_source("avg", expr)
        if self.twin is not None:
            answer = self._send_to_both(source, expr, value)
        else:
            answer = self._answer(source, self.avg, value)
        self.model.add(value)
        self.history.append((value, expr))
        self.reach(self.model.count)
        self._judge(source, answer)

    def _send_to_both(self, source: str, expr: str, value: Real) -> object:
        """Send to the twin, then to ``avg``: after a bad value, both must answer alike."""
        mark = self.program.mark()
        twin_source = self.driver.send_source("twin", expr)
        twin_answer, twin_error = self._outcome(twin_source, self.twin, value)
        answer, error = self._outcome(source, self.avg, value)
        alike = type(error) is type(twin_error) and (
            error is not None or self.judge(f"{source} == {twin_source}", same, answer, twin_answer)
        )
        if not alike:
            self.program.truncate(mark)
            shown, twin_shown = _outcome_text(answer, error), _outcome_text(twin_answer, twin_error)
            self.fail(
                RECOVERY,
                f"after rejecting a bad value, {source} {shown}, but an averager never sent it "
                f"{twin_shown}: the bad value changed its state",
                expected=twin_shown,
                actual=shown,
                ending=(f"assert {source} == {twin_source}, {self.tag(RECOVERY)!r}",),
            )
        self.count(RECOVERY)
        if error is not None:
            self._rejected(source, error, value)
        return answer

    def _judge(self, source: str, answer: object) -> None:
        model = self.model
        if model.special is None:
            self._judge_mean(model, source, answer)
        else:
            clause = NAN if model.nan_sent else INFINITY
            why = self.judge(f"# judging what {source} answered", model.wrong_special, answer)
            if why is not None:
                if model.special == model.special:
                    check = f"{source} == {literal(model.special)}"
                else:
                    self.program.need("import math")
                    check = f"math.isnan({source})"
                self.fail(
                    clause,
                    f"{source} answered {show(answer)}: {why}",
                    expected=literal(model.special),
                    actual=answer,
                    ending=(f"assert {check}, {self.tag(clause)!r}",),
                    replace_last=True,
                )
            self.count(clause)
        if isinstance(self.driver, ResumableDriver):
            self.count(PROTOCOL)  # it answered: still suspended, ready for the next value

    def _judge_mean(self, model: MeanModel, source: str, answer: object, name: str = "") -> None:
        """Judge ``answer``, what ``source`` gave, by the mean clause.

        The failing statement re-runs ``source`` in place of the last one, or
        compares ``name`` when the answer was bound to one.
        """
        why = self.judge(f"# judging {name or f'what {source} answered'}", model.wrong_mean, answer)
        if why is not None:
            tolerance = "" if model.exact else f", to within {model.tolerance_text}"
            self.fail(
                MEAN,
                f"{source} answered {show(answer)} after {model.count} value(s): {why}",
                expected=f"{model.nearest!r} (the exact mean is {model.mean}{tolerance})",
                actual=answer,
                ending=(f"assert {name or source} == {literal(model.nearest)}, {self.tag(MEAN)!r}",),
                replace_last=not name,
            )
        self.count(MEAN)

    def _restart(self) -> None:
        """Make a fresh ``avg``; the model starts over."""
        if self.twin is not None:
            self.driver.dispose(self.twin, type(self).binding.deadline)
            self.twin = None
        self.avg = self._start("avg")
        self.model = MeanModel()
        self.history = []

    def _make_twin(self) -> None:
        twin = self._start("twin")
        for value, expr in self.history:
            self.call(self.driver.send_source("twin", expr), self.driver.sender(twin), value)
        self.twin = twin

    # -- rules ---------------------------------------------------------------

    @rule(value=finite_reals())
    def send(self, value: Real) -> None:
        self._send(value)

    @rule(value=exact_ints())
    def send_int(self, value: int) -> None:
        """An int only (programs that send nothing else are judged exactly)."""
        self._send(value)

    @rule(value=finite_reals(), count=_counts())
    def send_many(self, value: Real, count: int) -> None:
        """Send ``value`` ``count`` times: long runs of one repeated value, each answer judged."""
        self._send_many(value, count)

    def _send_many(self, value: Real, count: int) -> None:
        expr = self.program.name(value)
        mark = self.program.mark()
        for done in range(count):
            self.program.truncate(mark)
            self._repeat(done, expr)
            self._send(value, expr)
        self.program.truncate(mark)
        self._repeat(count, expr)

    def _repeat(self, times: int, expr: str) -> None:
        """Write ``times`` sends of ``expr`` (to the twin first, if there is one) as one loop."""
        if times:
            sends = [self.driver.send_source(var, expr) for var in ("twin", "avg") if getattr(self, var) is not None]
            self.program.add(f"for _ in range({times}):\n" + "\n".join(f"    {send}" for send in sends))

    @rule()
    def send_infinities(self) -> None:
        """``inf``, then ``-inf``: their sum is NaN, an edge that one value at a time rarely reaches."""
        self._send(float("inf"))
        self._send(-float("inf"))

    @rule(value=st.sampled_from([float("nan"), float("inf"), -float("inf")]))
    def send_nonfinite(self, value: float) -> None:
        self._send(value)

    @rule(bad=st.sampled_from(sorted(BAD_VALUES)))
    def send_bad(self, bad: str) -> None:
        if bad.startswith("Decimal"):
            self.program.need("from decimal import Decimal")
        source = self.driver.send_source("avg", bad)
        why = f"{bad} is not a real number: it must raise TypeError"
        try:
            answer = self.attempt(source, self.driver.sender(self.avg), BAD_VALUES[bad]())
        except TargetFailure as failure:
            if not isinstance(failure.error, TypeError):
                self.fail(
                    INPUT,
                    f"{source} raised {describe_exception(failure.error)}; {why}",
                    expected="raises TypeError",
                    actual=describe_exception(failure.error),
                    ending=raises_block(source, TypeError, f"{self.tag(INPUT)}: {why}"),
                    replace_last=True,
                )
        else:
            self.fail(
                INPUT,
                f"{source} answered {show(answer)}; {why}",
                expected="raises TypeError",
                actual=f"answered {show(answer)}",
                ending=raises_block(source, TypeError, f"{self.tag(INPUT)}: {why}"),
                replace_last=True,
            )
        self.count(INPUT)
        # Replayed, the statement must not stop the program: suppress the TypeError.
        self.program.drop_last()
        self.program.need("from contextlib import suppress")
        self.program.add(f"with suppress(TypeError): {source}")
        if not self.driver.ended(self.avg):
            if self.twin is None:
                self._make_twin()
        else:
            self.count(RECOVERY)  # a generator that raised has ended, as the clause allows
            self._restart()

    @rule()
    def restart(self) -> None:
        driver = self.driver
        if isinstance(driver, ResumableDriver):
            source = driver.close_source("avg")
            try:
                self.attempt(source, driver.closer(self.avg))
            except TargetFailure as failure:
                self.fail(
                    PROTOCOL,
                    f"{source} raised {describe_exception(failure.error)}; closing must end the {driver.noun} cleanly",
                    expected="no exception",
                    actual=describe_exception(failure.error),
                    ending=(f"# raises {describe_exception(failure.error)}",),
                )
            self.count(PROTOCOL)
        self._restart()
