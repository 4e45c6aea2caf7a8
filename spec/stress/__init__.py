"""The stress oracle: a live queue or stack, used by several clients at once, must stay linearizable.

The queue and stack contracts check one caller at a time.  This oracle
checks what several callers see: Hypothesis generates scenarios -- a short
sequential start, then a few operations per client, all clients at once (as
Lincheck and quickcheck-state-machine do) -- runs each against the target
many times, records every run's history and checks it against the
contract's own model (:mod:`spec.linearize`).  It answers with the smallest
scenario found whose run could not be linearized, and that run's history.

Two ways to run the clients:

* ``threads``: real threads, started together at a barrier, with a tiny
  ``sys.setswitchinterval`` (restored afterwards) so that the interpreter
  switches between them as often as it can.  Each scenario runs ``runs``
  times, since a race shows only in some runs.
* ``asyncio``: tasks of an event loop whose ready callbacks run in an order
  the oracle draws (see :mod:`spec.stress.run`).  Each scenario runs
  ``runs`` times, each time in an interleaving drawn from a seed that is
  part of the example: a failure happens again, the same way, on a rerun
  with the same ``--seed``.  For targets whose methods are coroutines
  (``async def``).

Check one::

    >>> from spec.stress import stress
    >>> stress("queue", "spec.known_bad.stress:LockedQueue", max_examples=5, runs=2).ok
    True

or from the command line: ``python -m spec stress queue mypkg.mod:MyQueue``.

The contract options (``--map``, ``--empty``, ``--empty-returns``,
``--items``, ``--without``; see :mod:`spec._core.options`) apply to every
call as in the queue and stack contracts: a target ``--without peek`` gets
scenarios without ``peek``; an empty signal is recorded as the model's
``IndexError``; item ``n`` is written in the ``--items`` kind (``b'3'``; a
strategy cannot number its items, so ``module:attr`` is refused); every run
makes its own instance, entered and cleaned up as its factory's lifecycle
says.  Histories compare items with ``==``, so ``--compare`` changes
nothing here, and ``len`` is never called.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import shlex
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Unpack

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from spec._core.deadline import Deadline
from spec._core.errors import OptionError, SpecError
from spec._core.options import NUMBERED, OptionKeywords, Options
from spec._core.oracle import DEFAULT_TIMEOUT, search_settings, with_keywords
from spec._core.target import ref_for, resolve_target
from spec.container import ITEM_KINDS, OPTIONS, ContainerPlan, prepare_container
from spec.linearize import History, LinearizabilityResult, check_history, format_history, get_model
from spec.stress.run import Ops, RunFailed, RunHung, Scenario, run_asyncio, run_threads

__all__ = ["DEFAULT_RUNS", "KINDS", "MODES", "Scenario", "StressFailure", "StressReport", "scenarios", "stress"]

KINDS = ("queue", "stack")
"""What the stress oracle checks."""

MODES = ("threads", "asyncio")
"""How it runs the clients."""

DEFAULT_RUNS = 20
"""How many times each scenario runs (in a new interleaving each time, on asyncio)."""

SWITCH_INTERVAL = 1e-6
"""``sys.setswitchinterval`` while scenarios run on threads."""

_OPERATIONS = ("push", "pop", "peek")
_VARS = {"queue": "q", "stack": "s"}


def scenarios(operations: tuple[str, ...] = _OPERATIONS) -> st.SearchStrategy[Scenario]:
    """Scenarios: up to 4 operations in sequence, then 2 or 3 clients of 1 to 3 operations.

    ``operations`` are the ones to draw (a target ``--without peek`` has no ``peek``).
    """
    op = st.sampled_from(operations)
    return st.builds(
        Scenario,
        prefix=st.lists(op, max_size=4).map(tuple),
        clients=st.lists(st.lists(op, min_size=1, max_size=3).map(tuple), min_size=2, max_size=3).map(tuple),
    )


@dataclass(frozen=True)
class StressFailure:
    """A run that went wrong: how, the scenario, and the history it left.

    ``verdict`` is ``"not linearizable"``, ``"hangs"`` or ``"raises"``;
    ``result`` is the linearizability check of ``history`` (for the first);
    ``schedule`` the asyncio interleaving: at each turn of the event loop,
    the index of the ready callback the oracle ran.
    """

    verdict: str
    message: str
    scenario: Scenario
    history: History
    result: LinearizabilityResult | None = None
    schedule: tuple[int, ...] = ()


@dataclass(frozen=True)
class StressReport:
    """What the stress oracle found: nothing (``ok``), or a :class:`StressFailure`."""

    kind: str
    target: str
    mode: str
    failure: StressFailure | None
    examples: int
    runs: int
    seconds: float
    seed: int
    importable: bool = True
    options: Options = field(default_factory=Options)
    ops: Ops = field(default_factory=Ops)

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def rerun(self) -> str:
        """How to repeat this check with the same seed and options."""
        flags = self.options.command_line()
        if self.importable and flags is not None:
            command = (
                f"python -m spec stress {self.kind} {shlex.quote(self.target)} --mode {self.mode} --seed {self.seed}"
            )
            return " ".join([command, *map(shlex.quote, flags)])
        target = repr(self.target) if self.importable else "<your factory>"
        keywords = "".join(f", {k}" for k in [self.options.keywords()] if k)
        return f"spec.stress.stress({self.kind!r}, {target}, mode={self.mode!r}, seed={self.seed}{keywords})"

    def format(self) -> str:
        """The report as text, the way ``python -m spec stress`` prints it."""
        verdict = "HOLDS" if self.failure is None else self.failure.verdict.upper()
        lines = [f"stress {self.kind}: {self.target} ({self.mode}): {verdict}"]
        failure = self.failure
        if failure is not None:
            model = get_model(self.kind)
            together = "thread" if self.mode == "threads" else "task"
            name = self.target.rpartition(":")[2].rpartition(".")[2] or "factory"
            lines.append(f"  {failure.message}")
            shrunk = failure.verdict != "hangs"
            lines.append(
                "Smallest failing scenario:" if shrunk else "Failing scenario (not shrunk: a hang stops the search):"
            )
            program = failure.scenario.program(name, _VARS[self.kind], together, self.ops)
            lines.append(textwrap.indent("\n".join(program), "    "))
            if failure.schedule:
                lines.append(f"  interleaving chosen: {list(failure.schedule)}")
            lines.append("History of the failing run (client 0 is the sequential start):")
            lines.append(textwrap.indent(format_history(list(failure.history), model), "    "))
            if failure.result is not None:
                lines.append(textwrap.indent(failure.result.format(), "  "))
        lines.append(
            f"{self.examples} scenarios, {self.runs} runs, {self.seconds:.2f} s, seed {self.seed}"
            + ("" if self.mode == "asyncio" or failure is None else " (threads: a rerun may not fail the same way)")
        )
        if failure is not None:
            lines.append(f"rerun: {self.rerun}")
        return "\n".join(lines)


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
    options: Options | None = None,
    **keywords: Unpack[OptionKeywords],
) -> StressReport:
    """Stress ``target``, a ``kind`` ("queue" or "stack") target, with concurrent clients.

    ``target`` is a zero-argument callable or a ``TARGET`` string, as for
    :func:`spec.check`, and the contract options are given as for it (see
    the module docstring).  ``mode`` is ``"threads"`` or ``"asyncio"``
    (default: asyncio when a part's method is a coroutine function or the
    factory is async).
    ``max_examples`` is how many scenarios to try (default: the profile's),
    ``runs`` how many times each runs, ``seed`` fixes the search,
    ``timeout`` bounds each call into the target, in seconds.

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
    var = _VARS[kind]
    tally = _Tally()
    with Deadline(timeout) as deadline:
        factory, ops, mode = _prepare(kind, obj, deadline, options, mode=mode, label=ref.label)
        model = get_model(kind)
        operations = tuple(op for op in _OPERATIONS if op in ops.methods)

        def judge(scenario: Scenario, run: Callable[[], History], schedule: list[int]) -> None:
            tally.runs += 1
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
                failure = StressFailure("not linearizable", message, scenario, history, result, tuple(schedule))
            tally.failures.append(failure)
            raise _Failed(failure)

        if mode == "threads":

            @hypothesis.seed(seed)
            @run_settings
            @given(scenarios(operations))
            def example(scenario: Scenario) -> None:
                tally.examples += 1
                for _ in range(runs):
                    judge(scenario, lambda: run_threads(factory, scenario, deadline, var, ops=ops), [])

        else:

            @hypothesis.seed(seed)
            @run_settings
            @given(scenarios(operations), st.integers(0, 2**32 - 1))
            def example(scenario: Scenario, schedules: int) -> None:
                tally.examples += 1
                for run in range(runs):
                    # Each run's interleaving comes from its own seeded
                    # generator: reproducible from (schedules, run) alone.
                    choose, schedule = _chooser(f"{schedules}/{run}")
                    run_one = functools.partial(run_asyncio, factory, scenario, choose, timeout, var, ops=ops)
                    judge(scenario, run_one, schedule)

        started = time.perf_counter()
        failure = _search(example, tally, mode)
        seconds = time.perf_counter() - started
    return StressReport(
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
        ops=ops,
    )


# The most items a scenario pushes: 4 in sequence, then 3 clients of 3.
_MOST_ITEMS = 4 + 3 * 3


def _prepare(
    kind: str, obj: object, deadline: Deadline, options: Options, *, mode: str | None, label: str
) -> tuple[Callable[[], Any], Ops, str]:
    """The shape check under the options: the factory, how runs call it, and the mode."""
    # len is never called here: a target without it is stressed all the same.
    unsized = dataclasses.replace(
        options,
        map={part: m for part, m in options.map.items() if part != "len"},
        without=options.without | {"len"},
    )
    prepared = prepare_container(kind)(obj, deadline, unsized)
    plan: ContainerPlan = prepared.plan
    if mode is None:
        mode = "asyncio" if plan.on_loop else "threads"
    elif mode == "threads" and plan.on_loop:
        raise SpecError(f"{label} is async (coroutine methods or an async factory): stress it with --mode asyncio")
    return prepared.factory, _ops(plan, options), mode


def _ops(plan: ContainerPlan, options: Options) -> Ops:
    """How runs call the target the plan describes, with items numbered in the ``--items`` kind."""
    number = NUMBERED[options.items.kind]
    sentinel = plan.sentinel
    if sentinel is not None and any(sentinel.matches(number(n)) for n in range(1, _MOST_ITEMS + 1)):
        raise OptionError(f"--empty-returns {sentinel.text}: stress pushes that item; pick another sentinel")
    return Ops(
        methods={part: m for part, m in plan.methods.items() if part != "len"},
        awaiting=plan.awaiting,
        empty=plan.empty,
        sentinel=sentinel,
        item=number,
        lifecycle=plan.lifecycle,
    )


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
    except hypothesis.errors.Flaky:
        # The shrunk scenario did not fail again when replayed (a race that
        # did not recur): report the smallest failure seen.
        return min(tally.failures, key=lambda f: (f.scenario.size, len(f.scenario.clients)))
    finally:
        sys.setswitchinterval(old)
    return None
