"""The averager contract: a running mean, as a callable, a generator or an async generator.

Target: a zero-argument callable (the factory) returning one of

* a callable ``avg(value) -> mean`` (a closure, or an object with ``__call__``);
* a generator that answers ``avg.send(value)`` with the mean; the oracle
  primes it with ``next(avg)`` if it comes back unstarted, and accepts it
  already primed (suspended at its first ``yield``, as the ``@coroutine``
  decorator returns it);
* an async generator that answers ``await avg.asend(value)`` with the mean;
  the oracle primes it with ``asend(None)`` and runs it on an event loop of
  its own.

The oracle tells the forms apart by what the factory returns, and reports the
form it checked.

Model: the exact sum of the values sent, as a :class:`~fractions.Fraction`,
their count, and the IEEE sum of the non-finite ones
(:mod:`spec.averager.model`, where the Discussion derives the float error
bound of the mean clause).

Check an averager::

    >>> import spec
    >>> from impl.averager import averager
    >>> spec.check("averager", averager, max_examples=20).ok
    True

or in a test suite::

    from spec.averager import AveragerContract

    class TestMyAverager(AveragerContract):
        factory = my_averager
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Callable, Generator
from fractions import Fraction
from typing import Protocol

from spec._core.clauses import Clause, Clauses
from spec._core.contract import Contract, Prepared, machine_runner
from spec._core.deadline import Deadline
from spec._core.options import Options
from spec._core.testcase import ContractTestCase
from spec.averager.forms import Form, prepare_averager
from spec.averager.kinds import ITEM_KINDS, averager_plan, averager_unjudged
from spec.averager.machine import (
    CONDUCT,
    INDEPENDENCE,
    INFINITY,
    INPUT,
    MEAN,
    NAN,
    PROTOCOL,
    RECOVERY,
    AveragerMachineBase,
)

__all__ = [
    "CLAUSES",
    "CONTRACT",
    "AveragerContract",
    "AveragerFactory",
    "AveragerFunction",
    "AveragerMachine",
    "Form",
]

CLAUSES = Clauses(
    Clause(
        MEAN,
        "mean",
        "After k values the answer must be their mean: for ints and Fractions exactly, or the float nearest it; "
        "with floats, within the error bound of left-to-right summation and one division.",
    ),
    Clause(
        INDEPENDENCE,
        "independence",
        "Averagers must not share state: the k-th answer of one depends only on the first k values sent to it.",
    ),
    Clause(
        INPUT,
        "input",
        "A value that is not a real number (str, None, complex, Decimal, any other object) must raise TypeError; "
        "int, bool, float and Fraction must be accepted.",
    ),
    Clause(
        RECOVERY,
        "recovery",
        "After rejecting a bad value, an averager still in use must answer as if it had never been sent; "
        "a generator may end instead.",
    ),
    Clause(NAN, "NaN", "Once a NaN has been sent, every later answer must be NaN."),
    Clause(
        INFINITY,
        "infinity",
        "Infinities must follow IEEE arithmetic: with no NaN sent, the answer is inf or -inf while only that sign "
        "was sent, and NaN once both were.",
    ),
    Clause(
        PROTOCOL,
        "protocol",
        "The factory must always return the same form; a generator must yield None when primed, stay suspended "
        "between values, and end cleanly on close() or aclose().",
    ),
    Clause(
        CONDUCT,
        "conduct",
        "Every call must return within the time limit and raise nothing but the TypeError of AV3.",
    ),
)

Real = int | float | Fraction


class AveragerFunction(Protocol):
    """The callable form: called with each value, answers the mean so far."""

    def __call__(self, value: Real, /) -> Real: ...


AveragerFactory = Callable[
    [], AveragerFunction | Generator[Real | None, Real, object] | AsyncGenerator[Real | None, Real]
]
"""What a target is: a zero-argument callable returning an averager of one of the three forms."""


class AveragerMachine(AveragerMachineBase):
    """The averager state machine (see :mod:`spec.averager.machine`)."""

    clauses = CLAUSES


def _prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
    prepared = prepare_averager(target, deadline, options)
    plan = averager_plan(options)
    if plan is None:
        return prepared
    note = f"items: send() is given {options.items.text or 'the strategy given'} only"
    return dataclasses.replace(prepared, plan=plan, notes=(note,))


CONTRACT = Contract(
    name="averager",
    summary="running mean: callable, generator coroutine or async generator",
    clauses=CLAUSES,
    target="a zero-argument callable returning a callable avg(value), a generator (send) or an async generator "
    "(asend), each answering the mean so far",
    prepare=_prepare,
    runner=machine_runner(AveragerMachine),
    options=("items",),
    item_kinds=ITEM_KINDS,
    unjudged=averager_unjudged,
    references=(
        "impl.averager:averager",
        "impl.averager:Averager",
        "impl.averager:running_averager",
        "impl.averager:async_averager",
        "impl.averager:precise_averager",
    ),
)


class AveragerContract(ContractTestCase):
    """Subclass with ``factory = your_averager`` to check an averager in your test suite."""

    contract = "averager"
