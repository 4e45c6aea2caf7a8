"""The stress oracle: a live queue or stack, used by several clients at once, must stay linearizable.

The queue and stack contracts check one caller at a time.  This oracle
checks what several callers see: Hypothesis generates scenarios -- a short
sequential start, then a few operations per client, all clients at once (as
Lincheck and quickcheck-state-machine do) -- runs each against the target
many times, records every run's history and checks it against the
contract's own model (:mod:`spec.linearize`).  It answers with the smallest
scenario found whose run could not be linearized, and that run's history.

Scenarios draw from every operation of the protocol the target offers
(``push``, ``pop``, ``peek``, ``len``, ``bool``: see
:mod:`spec.stress.driver`), and every run ends with a quiescent check: with
all clients done, one more drains the target (:mod:`spec.stress.drain`),
and the history, drain included, must be linearizable.

Three ways to run the clients:

* ``threads``: real threads, started together at a barrier, with a tiny
  ``sys.setswitchinterval`` (restored afterwards) so that the interpreter
  switches between them as often as it can.  Each scenario runs ``runs``
  times, since a race shows only in some runs.
* ``asyncio``: tasks of an event loop whose ready callbacks run in an order
  the oracle draws (see :mod:`spec.stress.run`).  Each scenario runs
  ``runs`` times, each time in an interleaving drawn from a seed that is
  part of the example: a failure happens again, the same way, on a rerun
  with the same ``--seed``.  The default, and the only mode, for a target
  with a coroutine method (``async def``) or an async factory.
* ``processes``: one process per client (:mod:`spec.stress.procs`), sharing
  an instance handed to them (a ``multiprocessing.Queue``) or opening the
  same files (a factory that takes a directory).  Like threads, a race
  shows only in some runs.

Check one::

    >>> from spec.stress import stress
    >>> stress("queue", "spec.known_bad.stress:LockedQueue", max_examples=5, runs=2).ok
    True

or from the command line: ``python -m spec stress queue mypkg.mod:MyQueue``.

The contract options (``--map``, ``--empty``, ``--empty-returns``,
``--items``, ``--without``; see :mod:`spec._core.options`) say how to call
the target, as in the queue and stack contracts: the container shape check
plans the target under them, and the plan becomes the run's
:class:`~spec.stress.driver.Driver` (:func:`~spec.stress.driver.driver_for`).
A target ``--without peek`` gets scenarios without ``peek``, one ``--without
len`` none with ``len`` or ``bool``; an empty signal is recorded as the
model's ``IndexError``; item ``n`` is written in the ``--items`` kind
(``b'3'``; a strategy cannot number its items, so ``module:attr`` is
refused); every run makes its own instance, entered and cleaned up as its
factory's lifecycle says.  Histories compare items with ``==``, so
``--compare`` changes nothing here.
"""

from __future__ import annotations

import functools
import inspect
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from spec._core import journal
from spec._core.checker import describe_exception
from spec._core.contract import as_factory
from spec._core.deadline import Deadline
from spec._core.errors import OptionError, SpecError, TargetError
from spec._core.options import OptionKeywords, Options
from spec._core.oracle import DEFAULT_TIMEOUT, search_settings, with_keywords
from spec._core.signals import watch_interrupts
from spec._core.target import ref_for, resolve_target
from spec.container import ITEM_KINDS, OPTIONS, ContainerPlan, prepare_container
from spec.linearize import History, check_history, get_model
from spec.stress.driver import OPERATIONS, STANDARD, Driver, driver_for
from spec.stress.notes import explain
from spec.stress.procs import Target, opener, run_processes
from spec.stress.report import VARS, StressFailure, StressReport
from spec.stress.run import RunFailed, RunHung, Scenario, run_asyncio, run_threads

__all__ = [
    "DEFAULT_RUNS",
    "KINDS",
    "MODES",
    "OPERATIONS",
    "STANDARD",
    "Driver",
    "Scenario",
    "StressFailure",
    "StressReport",
    "scenarios",
    "stress",
]

KINDS = ("queue", "stack")
"""What the stress oracle checks."""

MODES = ("threads", "asyncio", "processes")
"""How it runs the clients."""

DEFAULT_RUNS = 20
"""How many times each scenario runs (in a new interleaving each time, on asyncio)."""

SWITCH_INTERVAL = 1e-6
"""``sys.setswitchinterval`` while scenarios run on threads."""


_PREFIX, _CLIENTS, _CALLS = 4, 3, 3  # the most operations in sequence, clients, and operations per client


def scenarios(operations: Sequence[str] = OPERATIONS) -> st.SearchStrategy[Scenario]:
    """Scenarios: up to 4 operations in sequence, then 2 or 3 clients of 1 to 3 operations.

    Each operation is one of ``operations`` (by default the whole protocol).
    """
    op = st.sampled_from(tuple(operations))
    return st.builds(
        Scenario,
        prefix=st.lists(op, max_size=_PREFIX).map(tuple),
        clients=st.lists(st.lists(op, min_size=1, max_size=_CALLS).map(tuple), min_size=2, max_size=_CLIENTS).map(
            tuple
        ),
    )


class _Failed(Exception):
    """Raised inside the Hypothesis test when a run fails (Hypothesis then shrinks the scenario)."""

    failure: StressFailure

    def __init__(self, failure: StressFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class _Hung(BaseException):
    """A run hung: stop at once, without shrinking (each attempt would cost a time limit)."""

    failure: StressFailure

    def __init__(self, failure: StressFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass
class _Tally:
    examples: int = 0
    runs: int = 0
    failures: list[StressFailure] = field(default_factory=list)


@watch_interrupts()
def stress(
    kind: str,
    target: object,
    *,
    mode: str | None = None,
    settings: hypothesis.settings | None = None,
    max_examples: int | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    save_history: str | Path | None = None,
    options: Options | None = None,
    **keywords: Unpack[OptionKeywords],
) -> StressReport:
    """Stress ``target``, a ``kind`` ("queue" or "stack") target, with concurrent clients.

    ``target`` is a callable or a ``TARGET`` string, as for
    :func:`spec.check`: a zero-argument factory, or one that takes a
    directory and opens the target stored there (each run gets a new one).
    The contract options are given as for :func:`spec.check` (see the
    module docstring).  ``mode`` is ``"threads"``, ``"asyncio"`` or
    ``"processes"`` (default: asyncio when a part's method is a coroutine
    function or the factory is async, else threads).  ``max_examples`` is
    how many scenarios to try (default: the profile's), ``runs`` how many
    times each runs, ``seed`` fixes the search, ``timeout`` bounds each call
    into the target, in seconds.  With ``save_history``, a failing run's
    history is written to that file.

    Returns a :class:`StressReport`; a target that is not linearizable, hangs
    or raises what the contract forbids is a failure in it, never an
    exception here.  Raises :class:`~spec.SpecError` for an unknown kind or
    mode, a target that cannot be found or has the wrong shape, options
    that do not apply (:class:`~spec.OptionError`), and
    :class:`ValueError` for non-positive counts or timeout.
    """
    if kind not in KINDS:
        raise SpecError(f"stress checks one of {', '.join(KINDS)}, not {kind!r}")
    if mode is not None and mode not in MODES:
        raise SpecError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
    if not runs >= 1 or (max_examples is not None and not max_examples >= 1):
        raise ValueError(f"runs and max_examples must be positive, got {runs!r} and {max_examples!r}")
    options = with_keywords(options, keywords)
    options.require("the stress oracle", OPTIONS, tuple(ITEM_KINDS))
    obj, ref = resolve_target(target) if isinstance(target, str) else (target, ref_for(target))
    run_settings, seed = search_settings(settings, max_examples=max_examples, seed=seed)
    var = VARS[kind]
    tally = _Tally()
    with Deadline(timeout) as deadline, tempfile.TemporaryDirectory(prefix="spec-stress-") as root:
        _journal_start(kind, ref.label, seed)
        factory, opens, plan = _prepare(kind, obj, deadline, options, root)
        driver = _driver(plan, options)
        mode = _mode(mode, plan, ref.label)
        model = get_model(kind)
        together = "thread" if mode == "threads" else "task"

        def judge(scenario: Scenario, run: Callable[[], History], schedule: list[int]) -> None:
            tally.runs += 1
            journal.note("scenario", "\n".join(scenario.program(ref.name, var, together, driver, opens)))
            try:
                history = run()
            except RunHung as hung:
                raise _Hung(StressFailure("hangs", str(hung), scenario, hung.history, None, tuple(schedule))) from None
            except RunFailed as failed:
                failure = StressFailure("raises", str(failed), scenario, failed.history, None, tuple(schedule))
            else:
                result = check_history(history, model)
                if result.ok:
                    return
                message = "the run's history cannot be linearized"
                note = explain(plan.shape, result)
                failure = StressFailure("not linearizable", message, scenario, history, result, tuple(schedule), note)
            tally.failures.append(failure)
            raise _Failed(failure)

        if mode == "processes":
            shared = Target(target if isinstance(target, str) else obj, root if opens else None, ref.name)
            runner = _runner(mode, functools.partial(run_processes, shared), deadline, timeout, var, driver=driver)
        else:
            runner = _runner(mode, factory, deadline, timeout, var, driver=driver)

        @hypothesis.seed(seed)
        @run_settings
        @given(scenarios(driver.operations), st.integers(0, 2**32 - 1))
        def example(scenario: Scenario, schedules: int) -> None:
            tally.examples += 1
            for number in range(runs):
                judge(scenario, *runner(scenario, f"{schedules}/{number}"))

        started = time.perf_counter()
        failure = _search(example, tally, mode)
        seconds = time.perf_counter() - started
    report = StressReport(
        kind=kind,
        target=ref.label,
        mode=mode,
        failure=failure,
        examples=tally.examples,
        runs=tally.runs,
        seconds=seconds,
        seed=seed,
        importable=ref.importable,
        options=options,
        driver=driver,
        opens=opens,
    )
    return report if save_history is None or failure is None else report.save(save_history)


_Runner = Callable[[Scenario, str], tuple[Callable[[], History], list[int]]]


def _runner(
    mode: str, make: Callable[..., Any], deadline: Deadline, timeout: float | None, var: str, *, driver: Driver
) -> _Runner:
    """How to run a scenario in ``mode``: ``runner(scenario, draw)`` is the run and the schedule it fills in.

    ``make`` is the factory (threads, asyncio), or :func:`run_processes`
    bound to the target.  On asyncio, each run's interleaving comes from
    its own generator seeded with ``draw``: reproducible from it alone.
    """

    def runner(scenario: Scenario, draw: str) -> tuple[Callable[[], History], list[int]]:
        if mode == "asyncio":
            choose, schedule = _chooser(draw)
            return functools.partial(run_asyncio, make, scenario, choose, timeout, var, driver=driver), schedule
        if mode == "threads":
            return functools.partial(run_threads, make, scenario, deadline, var, driver=driver), []
        return functools.partial(make, scenario, deadline, var, driver=driver), []

    return runner


def _journal_start(kind: str, label: str, seed: int) -> None:
    """Tell a supervising process what is stressed, and under which seed."""
    journal.note("target", f"{kind} {label}")
    journal.note("seed", str(seed))


def _prepare(
    kind: str, obj: object, deadline: Deadline, options: Options, root: str
) -> tuple[Callable[..., Any], bool, ContainerPlan]:
    """The shape check under the options: a factory, whether it opens a directory, and the plan.

    A factory that needs one argument opens the target stored in the
    directory it is given: each call of the factory returned here gets a
    new one, under ``root``.  The rest is the queue and stack contracts'
    shape check (:func:`~spec.container.prepare_container`).  Raises
    :class:`~spec.TargetError` when ``obj`` is not callable, needs more than
    one argument, raises or hangs when called, or makes an instance that
    lacks a part the options name.
    """
    factory, name = as_factory(obj, f"a {kind} target must be a callable (a class or factory)")
    opens = _needs_directory(factory, name)
    shaped = opener(factory, tempfile.mkdtemp(dir=root)) if opens else factory
    plan: ContainerPlan = prepare_container(kind)(shaped, deadline, options).plan
    if opens:

        def fresh() -> Any:
            return opener(factory, tempfile.mkdtemp(dir=root))()

        fresh.__qualname__ = name
        return fresh, True, plan
    return factory, False, plan


def _driver(plan: ContainerPlan, options: Options) -> Driver:
    """The run's driver (:func:`~spec.stress.driver.driver_for`), once its empty value is known never to be pushed."""
    driver = driver_for(plan, options.items.kind)
    sentinel = driver.sentinel
    most = _PREFIX + _CLIENTS * _CALLS
    if sentinel is not None and any(sentinel.matches(driver.item(n)) for n in range(1, most + 1)):
        raise OptionError(f"--empty-returns {sentinel.text}: stress pushes that item; pick another sentinel")
    return driver


def _mode(mode: str | None, plan: ContainerPlan, label: str) -> str:
    """The mode to run in: ``mode``, or by default asyncio for an async target and threads otherwise.

    An async target (a coroutine method, an async factory) runs only as
    tasks: :class:`~spec.SpecError` for another mode.
    """
    if mode is None:
        return "asyncio" if plan.on_loop else "threads"
    if mode != "asyncio" and plan.on_loop:
        raise SpecError(f"{label} is async (coroutine methods or an async factory): stress it with --mode asyncio")
    return mode


def _needs_directory(factory: Callable[..., Any], name: str) -> bool:
    """True if ``factory`` needs one positional argument (a directory), False if none.

    Raises :class:`~spec.TargetError` if it needs more.
    """
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # some built-ins have no signature: call them with nothing
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in parameters if p.kind in positional and p.default is inspect.Parameter.empty]
    if len(required) > 1:
        raise TargetError(
            f"{name} needs {len(required)} arguments; a target factory takes none, or one: the directory to open"
        )
    return len(required) == 1


def _chooser(seed: str) -> tuple[Callable[[int], int], list[int]]:
    """A chooser of interleavings, seeded, and the list of the choices it makes."""
    pick = random.Random(seed)
    schedule: list[int] = []

    def choose(n: int) -> int:
        schedule.append(pick.randrange(n))
        return schedule[-1]

    return choose, schedule


def _search(example: Callable[[], None], tally: _Tally, mode: str) -> StressFailure | None:
    """Run the Hypothesis test; the failure it ends on (the smallest found), or ``None``."""
    old = sys.getswitchinterval()
    if mode == "threads":
        sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        example()
    except _Failed as failed:
        return failed.failure
    except _Hung as hung:
        return hung.failure
    except hypothesis.errors.Flaky as flaky:
        # The shrunk scenario did not fail again when replayed (a race that
        # did not recur): report the smallest failure seen.
        if not tally.failures:
            raise SpecError(f"the search could not run: {describe_exception(flaky).splitlines()[0]}") from None
        return min(tally.failures, key=lambda f: (f.scenario.size, len(f.scenario.clients)))
    finally:
        sys.setswitchinterval(old)
    return None
