"""What the oracle needs from a contract module, in one record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import hypothesis
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import get_state_machine_test

from spec._core.checker import Binding, ContractMachine, describe_exception
from spec._core.clauses import Clauses
from spec._core.deadline import Deadline, TargetHung
from spec._core.errors import TargetError
from spec._core.options import Options
from spec._core.program import bounded, show
from spec._core.signals import theirs

__all__ = ["Contract", "Prepared", "Runner", "as_factory", "call_for_shape", "given_runner", "machine_runner"]

T = TypeVar("T")

# A runner turns a binding, settings and a seed into the Hypothesis test to run:
# a zero-argument callable that returns quietly or raises ClauseViolation.
Runner = Callable[[Binding, hypothesis.settings, int], Callable[[], None]]


@dataclass(frozen=True)
class Prepared:
    """A target that passed the shape check: the factory to call and its form.

    ``form`` names which of several accepted shapes the target has (the
    averager contract accepts closures, generators and async generators); it is
    ``""`` for contracts with one shape.  ``plan`` is what else the shape check
    worked out for the search (the container contracts: how to call each part
    under the options, what to push); ``notes`` are lines the report shows
    (what the options changed).
    """

    factory: Callable[[], Any]
    form: str = ""
    plan: Any = None
    notes: tuple[str, ...] = ()


def _all_judged(options: Options) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class Contract:
    """One contract: its clauses, what a target must be, and how to check one.

    * ``target`` says in one line what a target must be (shown by the CLI);
    * ``prepare(target, deadline, options)`` checks the target's shape under
      the options and raises :class:`~spec.TargetError` with a one-line
      reason when it is wrong;
    * ``runner`` builds the Hypothesis test for a binding (see
      :func:`machine_runner` for contracts that are a state machine);
    * ``references`` are the ``TARGET`` strings of the reference
      implementations and adapters that ``python -m spec`` checks;
    * ``options`` names the contract options it takes (see
      :mod:`spec._core.options`), ``item_kinds`` the ``--items`` kinds it
      takes, and ``unjudged(options)`` maps the id of each clause that the
      options leave unjudged to the reason (shown in the report).
    """

    name: str
    summary: str
    clauses: Clauses
    target: str
    prepare: Callable[[object, Deadline, Options], Prepared]
    runner: Runner
    references: tuple[str, ...]
    options: tuple[str, ...] = ()
    item_kinds: tuple[str, ...] = ()
    unjudged: Callable[[Options], Mapping[str, str]] = _all_judged


def machine_runner(machine: type[ContractMachine]) -> Runner:
    """The runner of a contract whose test is the state machine ``machine``.

    The test it builds is Hypothesis's own test of the bound machine (what
    ``run_state_machine_as_test`` runs), so that, like a ``@given`` runner's,
    it is a Hypothesis test that a fuzzer can drive (see ``spec._cli.plugin``).
    """

    def runner(binding: Binding, settings: hypothesis.settings, seed: int) -> Callable[[], None]:
        bound = type(machine.__name__, (machine,), {"binding": binding, "__module__": machine.__module__})
        test: Callable[[], None] = get_state_machine_test(hypothesis.seed(seed)(bound), settings=settings)
        return test

    return runner


def given_runner(
    cases: st.SearchStrategy[T] | Callable[[Options], st.SearchStrategy[T]], body: Callable[[Binding, T], None]
) -> Runner:
    """The runner of a contract whose test is one ``@given`` property.

    ``cases`` is the strategy of examples, or a function of the contract
    options that returns it (for a contract whose examples follow
    ``--items``).  ``body(binding, case)`` runs one example: it makes a
    :class:`~spec._core.checker.Checker` from the binding, exercises the target on
    ``case`` and raises :class:`~spec.ClauseViolation` on a broken clause.
    Hypothesis shrinks ``case``; the report shows the smallest one.
    """

    def runner(binding: Binding, settings: hypothesis.settings, seed: int) -> Callable[[], None]:
        drawn = cases if isinstance(cases, st.SearchStrategy) else cases(binding.options)

        @hypothesis.seed(seed)
        @settings
        @given(drawn)
        def example(case: T) -> None:
            body(binding, case)

        return example

    return runner


def as_factory(target: object, requirement: str) -> tuple[Callable[[], Any], str]:
    """``target`` as a factory, and the name a shape check's messages give it.

    Raises :class:`~spec.TargetError` ("``requirement``, got ...") when
    ``target`` is not callable.
    """
    if not callable(target):
        raise TargetError(f"{requirement}, got {show(target)}")
    name = bounded(getattr, target, "__qualname__", None)
    return target, name if name is not None else show(target)


def call_for_shape(label: str, deadline: Deadline, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` made by a shape check; ``label`` names the call in messages (``MyQueue()``).

    The check cannot run on a target whose factory raises (anything, even
    ``SystemExit``) or hangs: either is a :class:`~spec.TargetError`
    ("calling ``label`` raised ...", "... did not return within ...").
    """
    try:
        return deadline.call(fn, *args)
    except TargetHung as hung:
        raise TargetError(f"calling {label} {hung}") from None
    except BaseException as exc:
        raise TargetError(f"calling {label} raised {describe_exception(theirs(exc))}") from None
