"""The multitasking contracts: cooperative vs preemptive, concurrency vs parallelism.

Three claims about multitasking, made executable:

* MT1, cooperative atomicity: on a cooperative scheduler, the code between
  two ``yield``\\ s runs without interleaving, so a read-modify-write of a
  shared counter done there never loses an update.  :func:`check_atomicity`
  is a property over any number of tasks and steps, run on a scheduler
  factory (the ``scheduler`` contract's target shape).
* MT2, preemption: switch tasks at any step instead, and the same
  read-modify-write does lose updates.  :func:`check_preemption` has
  Hypothesis search a preemptive simulator for a lost update and asserts
  that it finds one and shrinks it to the smallest: two tasks of one
  increment each and a single switch, four steps.  :func:`find_lost_update`
  returns it; printed::

      a reads counter = 0
      b reads counter = 0
      b writes counter = 1
      a writes counter = 1
      2 tasks of 1 increment each: counter = 1, expected 2 (1 lost)

* MT3, concurrency is not parallelism, and neither changes a pure result:
  :func:`check_parallelism` runs the same pure tasks one after another,
  interleaved on the scheduler, on a thread pool and on a process pool, and
  asserts the four give the same results.

These are not registered contracts of ``python -m spec``: MT2 is a claim about
the spec's own simulator, and MT3 about the standard library's executors, so
there is no user target to check and no known-bad implementation to reject.
(MT1 does take a scheduler, but it follows from the scheduler contract's SC1:
a step runs whole.)
The test suite runs all three (``tests/test_multitasking.py``), each also
against an input that must make it fail.  A violation raises
:class:`~spec.ClauseViolation` naming the clause.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Executor
from typing import Any

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from spec._core.clauses import Clause, Clauses, ClauseViolation, Violation
from spec._core.target import ref_for
from spec.multitasking.preempt import Interleaving, Step, find_lost_update, simulate
from spec.multitasking.tasks import PURE_TASKS, PureTask, collatz_steps, digit_sum_power, pools, run_to_end

__all__ = [
    "CLAUSES",
    "PURE_TASKS",
    "Interleaving",
    "PureTask",
    "Step",
    "check_atomicity",
    "check_parallelism",
    "check_preemption",
    "collatz_steps",
    "digit_sum_power",
    "find_lost_update",
    "pools",
    "run_to_end",
    "simulate",
]

CLAUSES = Clauses(
    Clause(
        "MT1",
        "atomicity",
        "On a cooperative scheduler, a read-modify-write of shared state between two yields must never lose an "
        "update, for any number of tasks and steps.",
    ),
    Clause(
        "MT2",
        "preemption",
        "Switched at any step, the same read-modify-write loses updates: Hypothesis must find a lost update and "
        "shrink it to two tasks of one increment and a single switch.",
    ),
    Clause(
        "MT3",
        "parallelism",
        "The same pure tasks must give the same results run one after another, interleaved on the scheduler, on a "
        "thread pool and on a process pool.",
    ),
)

# (increments, extra yields after each, spawns a helper between its read and its write)
_Plan = tuple[int, int, bool]

_PLANS = st.lists(st.tuples(st.integers(1, 4), st.integers(0, 2), st.booleans()), min_size=1, max_size=5)


def _violation(clause: str, message: str, *, expected: object, actual: object, program: Sequence[str] = ()) -> None:
    raise ClauseViolation(
        Violation(CLAUSES[clause], message, expected=repr(expected), actual=repr(actual), program=tuple(program))
    )


def check_atomicity(factory: Callable[[], Any], *, settings: hypothesis.settings | None = None) -> None:
    """MT1: tasks on ``factory()``'s scheduler never lose an increment of a shared counter.

    Each task reads the counter, may spawn a helper task (one more
    increment) and writes the counter plus one, with no ``yield`` in between;
    then it yields once or more.  Raises :class:`~spec.ClauseViolation`
    (MT1) with the smallest losing program, as a snippet, when the final
    count is short; exceptions from the scheduler propagate.
    """

    def incrementer(counter: list[int], s: Any, times: int, pauses: int, helper: bool) -> Generator[None, None, None]:
        for _ in range(times):
            value = counter[0]
            if helper:  # a call into the scheduler, in the middle of the step
                s.spawn(incrementer(counter, s, 1, 0, False))
            counter[0] = value + 1
            for _ in range(pauses + 1):
                yield

    # No per-example deadline: the scheduler's speed is not what MT1 is about.
    @hypothesis.settings(settings or hypothesis.settings(), deadline=None)
    @given(_PLANS)
    def atomic(plans: list[_Plan]) -> None:
        counter = [0]
        s = factory()
        for times, pauses, helper in plans:
            s.spawn(incrementer(counter, s, times, pauses, helper))
        s.run()
        want = sum(times * (2 if helper else 1) for times, _, helper in plans)
        if counter[0] != want:
            _violation(
                "MT1",
                f"{want - counter[0]} of {want} increments were lost",
                expected=want,
                actual=counter[0],
                program=_atomicity_snippet(factory, plans, want),
            )

    atomic()


def _atomicity_snippet(factory: Callable[[], Any], plans: list[_Plan], want: int) -> tuple[str, ...]:
    ref = ref_for(factory)
    return (
        *ref.imports,
        "counter = [0]",
        f"s = {ref.name}()",
        "def incrementer(times, pauses, helper):",
        "    for _ in range(times):",
        "        value = counter[0]",
        "        if helper:",
        "            s.spawn(incrementer(1, 0, False))",
        "        counter[0] = value + 1",
        "        for _ in range(pauses + 1):",
        "            yield",
        *(f"s.spawn(incrementer({times}, {pauses}, {helper}))" for times, pauses, helper in plans),
        "s.run()",
        f"assert counter[0] == {want}, 'MT1 (atomicity): no update may be lost between two yields'",
    )


def check_preemption(*, preemptible: bool = True, max_examples: int = 1000, shrink: bool = True) -> Interleaving:
    """MT2: Hypothesis finds a lost update under preemption, shrunk to the smallest; returns it.

    The smallest is two tasks of one increment each and one switch, in four
    steps: ``a`` reads, ``b`` reads, ``b`` writes, ``a`` writes.  Raises
    :class:`~spec.ClauseViolation` (MT2) when the search finds nothing
    (as with ``preemptible=False``, where tasks switch only after a write)
    or does not shrink it that far (as with ``shrink=False``).
    """
    found = find_lost_update(preemptible=preemptible, max_examples=max_examples, shrink=shrink)
    if found is None:
        _violation(
            "MT2",
            f"no interleaving of {max_examples} tried lost an update",
            expected="a lost update",
            actual="none found",
        )
    assert found is not None  # for the type checker: _violation raised otherwise
    # Two tasks of one increment; a reads, one switch to b, which reads and
    # writes; a writes.  Nothing smaller loses an update.
    smallest = (2, 1, (0, 1))
    shape = (found.tasks, found.increments, found.switches)
    if shape != smallest:
        _violation(
            "MT2",
            f"the lost update shrank only to {found.tasks} tasks of {found.increments} increment(s), "
            f"switches {found.switches}",
            expected=smallest,
            actual=shape,
            program=str(found).splitlines(),
        )
    return found


def check_parallelism(
    factory: Callable[[], Any],
    threads: Executor,
    processes: Executor,
    *,
    tasks: Sequence[PureTask] = PURE_TASKS,
    settings: hypothesis.settings | None = None,
) -> None:
    """MT3: ``tasks`` give the same results sequentially, on ``factory()``'s scheduler, on threads, on processes.

    Hypothesis draws which tasks run on which arguments.  ``threads`` and
    ``processes`` are executors (see :func:`pools`); the tasks must be
    picklable for ``processes``.  Raises :class:`~spec.ClauseViolation`
    (MT3) naming the first way of running that disagrees with running them
    one after another.
    """

    # No per-example deadline: the first call into a process pool starts its workers.
    @hypothesis.settings(settings or hypothesis.settings(), deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(tasks), st.integers(1, 60)), min_size=1, max_size=6))
    def same_results(jobs: list[tuple[PureTask, int]]) -> None:
        fns = [fn for fn, _ in jobs]
        args = [arg for _, arg in jobs]
        sequential = [run_to_end(fn, arg) for fn, arg in jobs]
        ways = {
            "interleaved on the scheduler": _interleaved(factory, jobs),
            "on a thread pool": list(threads.map(run_to_end, fns, args)),
            "on a process pool": list(processes.map(run_to_end, fns, args)),
        }
        for way, results in ways.items():
            if results != sequential:
                calls = [f"{fn.__name__}({arg})" for fn, arg in jobs]
                _violation(
                    "MT3",
                    f"{', '.join(calls)} gave different results {way} than one after another",
                    expected=sequential,
                    actual=results,
                )

    same_results()


def _interleaved(factory: Callable[[], Any], jobs: list[tuple[PureTask, int]]) -> list[int]:
    results: list[int] = [0] * len(jobs)

    def keep(index: int, task: Generator[None, None, int]) -> Generator[None, None, None]:
        results[index] = yield from task

    s = factory()
    for index, (fn, arg) in enumerate(jobs):
        s.spawn(keep(index, fn(arg)))
    s.run()
    return results
