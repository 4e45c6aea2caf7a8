"""The multitasking contracts (spec.multitasking): each holds, and each can fail."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from impl.scheduler import Scheduler
from spec import ClauseViolation
from spec.known_bad.scheduler import EagerSpawn, LifoScheduler
from spec.multitasking import (
    CLAUSES,
    check_atomicity,
    check_parallelism,
    check_preemption,
    collatz_steps,
    digit_sum_power,
    pools,
    run_to_end,
    simulate,
)
from spec.multitasking.tasks import process_id
from tests._support import replay_violation


def test_clauses() -> None:
    assert [(c.id, c.title) for c in CLAUSES] == [("MT1", "atomicity"), ("MT2", "preemption"), ("MT3", "parallelism")]


# -- MT1: cooperative atomicity ---------------------------------------------------


@pytest.mark.parametrize("factory", [Scheduler, LifoScheduler])
def test_read_modify_write_between_yields_is_atomic(factory: type) -> None:
    check_atomicity(factory)


def test_a_scheduler_that_runs_a_task_inside_another_loses_updates() -> None:
    with pytest.raises(ClauseViolation) as info:
        check_atomicity(EagerSpawn)
    violation = info.value.violation
    assert violation.clause.id == "MT1"
    assert violation.message == "1 of 2 increments were lost"
    assert violation.program[-3:] == (
        "s.spawn(incrementer(1, 0, True))",
        "s.run()",
        "assert counter[0] == 2, 'MT1 (atomicity): no update may be lost between two yields'",
    )
    raised = replay_violation(violation)
    assert isinstance(raised, AssertionError)
    assert "MT1" in str(raised)


# -- MT2: preemption --------------------------------------------------------------


def test_preemption_loses_an_update_and_hypothesis_shrinks_it_to_the_smallest() -> None:
    found = check_preemption()
    assert str(found) == "\n".join(
        [
            "a reads counter = 0",
            "b reads counter = 0",
            "b writes counter = 1",
            "a writes counter = 1",
            "2 tasks of 1 increment each: counter = 1, expected 2 (1 lost)",
        ]
    )


def test_without_preemption_no_update_is_lost() -> None:
    with pytest.raises(ClauseViolation) as info:
        check_preemption(preemptible=False, max_examples=50)
    assert info.value.violation.clause.id == "MT2"
    assert info.value.violation.message == "no interleaving of 50 tried lost an update"


def test_without_shrinking_the_lost_update_is_not_the_smallest() -> None:
    with pytest.raises(ClauseViolation) as info:
        check_preemption(shrink=False)
    violation = info.value.violation
    assert violation.clause.id == "MT2"
    assert violation.message.startswith("the lost update shrank only to ")
    assert violation.program[-1].endswith("(1 lost)")


@given(
    tasks=st.integers(1, 4),
    increments=st.integers(1, 3),
    switches=st.lists(st.integers(0, 3), max_size=30),
)
def test_the_simulator_switched_only_after_writes_never_loses(tasks: int, increments: int, switches: list[int]) -> None:
    run = simulate(tasks, increments, switches, preemptible=False)
    assert run.counter == tasks * increments
    assert len(run.steps) == 2 * tasks * increments
    many = simulate(tasks, increments, switches)
    assert 0 <= many.lost < tasks * increments
    assert str(many).endswith(f"expected {tasks * increments} ({many.lost} lost)")


# -- MT3: concurrency vs parallelism --------------------------------------------------


@pytest.fixture(scope="module")
def executors() -> Iterator[tuple[Executor, Executor]]:
    with pools() as both:
        yield both


def test_pure_tasks_give_the_same_results_every_way(executors: tuple[Executor, Executor]) -> None:
    threads, processes = executors
    check_parallelism(Scheduler, threads, processes)


def test_a_task_that_depends_on_where_it_runs_is_caught(executors: tuple[Executor, Executor]) -> None:
    threads, processes = executors
    with pytest.raises(ClauseViolation) as info:
        check_parallelism(Scheduler, threads, processes, tasks=[process_id])
    violation = info.value.violation
    assert violation.clause.id == "MT3"
    assert violation.message == "process_id(1) gave different results on a process pool than one after another"


def test_the_pure_tasks() -> None:
    assert run_to_end(collatz_steps, 6) == 8  # 6 3 10 5 16 8 4 2 1
    assert run_to_end(collatz_steps, 1) == 0
    assert run_to_end(digit_sum_power, 10) == 7  # 1024
