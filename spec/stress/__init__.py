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
from typing import Any

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from spec._core import journal
from spec._core.checker import describe_exception
from spec._core.contract import as_factory, call_for_shape
from spec._core.deadline import Deadline, TargetHung
from spec._core.errors import SpecError, TargetError
from spec._core.oracle import DEFAULT_TIMEOUT, search_settings
from spec._core.program import guarded
from spec._core.signals import theirs, watch_interrupts
from spec._core.target import ref_for, resolve_target
from spec.linearize import History, check_history, get_model
from spec.stress.driver import OPERATIONS, STANDARD, Driver, protocol
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
    "protocol",
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


def scenarios(operations: Sequence[str] = OPERATIONS) -> st.SearchStrategy[Scenario]:
    """Scenarios: up to 4 operations in sequence, then 2 or 3 clients of 1 to 3 operations.

    Each operation is one of ``operations`` (by default the whole protocol).
    """
    op = st.sampled_from(tuple(operations))
    return st.builds(
        Scenario,
        prefix=st.lists(op, max_size=4).map(tuple),
        clients=st.lists(st.lists(op, min_size=1, max_size=3).map(tuple), min_size=2, max_size=3).map(tuple),
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
    driver: Driver | None = None,
    save_history: str | Path | None = None,
) -> StressReport:
    """Stress ``target``, a ``kind`` ("queue" or "stack") target, with concurrent clients.

    ``target`` is a callable or a ``TARGET`` string, as for
    :func:`spec.check`: a zero-argument factory, or one that takes a
    directory and opens the target stored there (each run gets a new one).
    ``mode`` is ``"threads"``, ``"asyncio"`` or ``"processes"`` (default:
    asyncio when the instance's ``pop`` is a coroutine function, else
    threads).  ``max_examples`` is how many scenarios to try (default: the
    profile's), ``runs`` how many times each runs, ``seed`` fixes the
    search, ``timeout`` bounds each call into the target, in seconds.
    ``driver`` says which operations the target offers and how to call them
    (default: :data:`STANDARD`; see :func:`protocol`).  With
    ``save_history``, a failing run's history is written to that file.

    Returns a :class:`StressReport`; a target that is not linearizable, hangs
    or raises what the contract forbids is a failure in it, never an
    exception here.  Raises :class:`~spec.SpecError` for an unknown kind or
    mode, a target that cannot be found or has the wrong shape, and
    :class:`ValueError` for non-positive counts or timeout.
    """
    if kind not in KINDS:
        raise SpecError(f"stress checks one of {', '.join(KINDS)}, not {kind!r}")
    if mode is not None and mode not in MODES:
        raise SpecError(f"unknown mode {mode!r} (known: {', '.join(MODES)})")
    if not runs >= 1 or (max_examples is not None and not max_examples >= 1):
        raise ValueError(f"runs and max_examples must be positive, got {runs!r} and {max_examples!r}")
    driver = STANDARD if driver is None else driver
    obj, ref = resolve_target(target) if isinstance(target, str) else (target, ref_for(target))
    run_settings, seed = search_settings(settings, max_examples=max_examples, seed=seed)
    var = VARS[kind]
    tally = _Tally()
    with Deadline(timeout) as deadline, tempfile.TemporaryDirectory(prefix="spec-stress-") as root:
        journal.note("target", f"{kind} {ref.label}")
        journal.note("seed", str(seed))
        factory, opens, shape = _prepare(kind, obj, deadline, driver, root)
        if mode is None:
            mode = _mode_of(factory, deadline, driver)
        model = get_model(kind)
        together = "thread" if mode == "threads" else "task"

        def judge(scenario: Scenario, run: Callable[[], History], schedule: list[int]) -> None:
            tally.runs += 1
            journal.note("scenario", "\n".join(scenario.program(ref.name, var, together)))
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
                note = explain(shape, result)
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


def _prepare(
    kind: str, obj: object, deadline: Deadline, driver: Driver, root: str
) -> tuple[Callable[[], Any], bool, type]:
    """The shape check: a zero-argument factory, whether it opens a directory, and its instances' type.

    A factory that needs one argument opens the target stored in the
    directory it is given: each call of the factory returned here gets a
    new one, under ``root``.  Raises :class:`~spec.TargetError` when
    ``obj`` is not callable, needs more than one argument, raises or hangs
    when called, or makes an instance that lacks an operation of ``driver``.
    """
    factory, name = as_factory(obj, f"a {kind} target must be a callable (a class or factory)")
    opens = _needs_directory(factory, name)
    made = opener(factory, tempfile.mkdtemp(dir=root)) if opens else factory
    instance = call_for_shape(f"{name}({'directory' if opens else ''})", deadline, made)
    missing = driver.missing(instance)
    if missing:
        needs = ", ".join(driver.calls[op].source("q", "item" if op == "push" else "") for op in driver.operations)
        raise TargetError(
            f"{name}() returned a {type(instance).__qualname__} without {', '.join(missing)}"
            f" (a {kind} target needs {needs})"
        )
    if opens:

        def fresh() -> Any:
            return opener(factory, tempfile.mkdtemp(dir=root))()

        return fresh, True, type(instance)
    return factory, False, type(instance)


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


def _mode_of(factory: Callable[[], Any], deadline: Deadline, driver: Driver) -> str:
    """``"asyncio"`` if a fresh instance's ``pop`` is a coroutine function, else ``"threads"``.

    A factory that fails here is stressed on threads, where the failure is
    reported like any other.
    """
    try:
        instance = deadline.call(factory)
    except TargetHung:
        return "threads"
    except BaseException as exc:
        theirs(exc)
        return "threads"
    pop = guarded(driver.method, "pop", instance, default=None)
    return "asyncio" if guarded(inspect.iscoroutinefunction, pop, default=False) else "threads"


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
