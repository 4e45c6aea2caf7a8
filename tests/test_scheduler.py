"""The reference scheduler (impl.scheduler) and the scheduler contract (spec.scheduler)."""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import pytest
from hypothesis import given

import spec
from impl.scheduler import Deadlock, Request, Scheduler, Task, TaskState, WaitQueue
from spec import ClauseViolation, TargetError, Violation
from spec._core.checker import Binding
from spec._core.deadline import Deadline
from spec._core.target import ref_for
from spec.known_bad.scheduler import KeepsFailuresOnTheClass
from spec.scheduler import SchedulerContract, _check_program, leaves
from spec.scheduler.plan import SchedulerProgram, TaskPlan, programs, render_tasks, task_name
from tests._support import replay_violation

Gen = Generator[Any, Any, Any]


def steps(trace: list[str], name: str, n: int) -> Gen:
    for step in range(n):
        trace.append(f"{name}{step}")
        if step < n - 1:
            yield


# -- the reference scheduler ---------------------------------------------------


def test_round_robin_with_tasks_spawned_while_running() -> None:
    trace: list[str] = []
    s = Scheduler()

    def parent() -> Gen:
        trace.append("a0")
        s.spawn(steps(trace, "c", 2))
        yield
        trace.append("a1")

    s.spawn(parent())
    s.spawn(steps(trace, "b", 3))
    assert trace == []  # spawn starts nothing
    s.run()
    assert trace == ["a0", "b0", "c0", "a1", "b1", "c1", "b2"]


@given(programs())
def test_same_tasks_same_trace(program: SchedulerProgram) -> None:
    def run() -> tuple[list[str], list[str]]:
        trace: list[str] = []
        s = Scheduler()

        def task(plan: TaskPlan) -> Gen:
            for step in range(plan.steps):
                trace.append(plan.label(step))
                for child in program.children(plan.name, step):
                    s.spawn(task(child))
                if step < plan.steps - 1:
                    yield
            if plan.fails:
                raise ValueError(plan.name)

        for root in program.roots:
            s.spawn(task(root))
        try:
            s.run()
        except ExceptionGroup as group:
            return trace, [str(e) for e in group.exceptions]
        return trace, []

    first, failed = run()
    assert run() == (first, failed)
    assert sorted(failed) == sorted(t.name for t in program.tasks if t.fails and t.last in first)


def test_failures_are_gathered_after_every_task_ends() -> None:
    trace: list[str] = []
    errors = [ValueError("a"), KeyError("c")]

    def failing(name: str, error: Exception) -> Gen:
        trace.append(f"{name}0")
        yield
        raise error

    s = Scheduler()
    s.spawn(failing("a", errors[0]))
    s.spawn(steps(trace, "b", 4), name="bee")
    s.spawn(failing("c", errors[1]))
    with pytest.raises(ExceptionGroup) as info:
        s.run()
    assert trace == ["a0", "b0", "c0", "b1", "b2", "b3"]
    assert str(info.value) == "2 tasks failed (2 sub-exceptions)"
    assert info.value.exceptions[0] is errors[0]
    assert info.value.exceptions[1] is errors[1]
    assert errors[0].__notes__ == ["raised by task 1 (failing)"]
    assert errors[1].__notes__ == ["raised by task 3 (failing)"]


def test_one_failure_is_still_a_group() -> None:
    def failing() -> Gen:
        yield from ()
        raise ValueError("only")

    s = Scheduler()
    s.spawn(failing(), name="lonely")
    with pytest.raises(ExceptionGroup, match=r"^1 task failed") as info:
        s.run()
    assert info.value.exceptions[0].__notes__ == ["raised by task 1 (lonely)"]


def test_spawn_rejects_what_is_not_a_fresh_generator() -> None:
    s = Scheduler()

    def gen() -> Gen:
        yield

    with pytest.raises(
        TypeError,
        match=r"^spawn\(\) takes a generator, got <function .*gen at 0x[0-9a-f]+> "
        r"\(call it: spawn\(f\(\)\), not spawn\(f\)\)$",
    ):
        s.spawn(gen)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^spawn\(\) takes a generator, got 5$"):
        s.spawn(5)  # type: ignore[arg-type]
    started = gen()
    next(started)
    with pytest.raises(ValueError, match=r"has already started; spawn\(\) takes a fresh generator$"):
        s.spawn(started)
    fresh = gen()
    s.spawn(fresh)
    with pytest.raises(ValueError, match=r"is already spawned$"):
        s.spawn(fresh)
    s.run()
    with pytest.raises(ValueError, match="has already started"):
        s.spawn(fresh)


class _CountDown(Generator[None, None, None]):
    """A generator that is not a Python generator function's: ``collections.abc.Generator`` by hand."""

    def __init__(self, n: int) -> None:
        self.n = n

    def send(self, value: None) -> None:
        if self.n == 0:
            raise StopIteration
        self.n -= 1

    def throw(self, *args: Any) -> None:
        raise args[0]


def test_any_collections_abc_generator_can_be_spawned() -> None:
    s = Scheduler()
    countdown = _CountDown(3)
    task = s.spawn(countdown)
    assert task.name == "_CountDown"
    s.run()
    assert countdown.n == 0
    assert task.state is TaskState.DONE


def test_run_cannot_be_called_from_a_task_and_can_be_called_again() -> None:
    s = Scheduler()
    seen: list[str] = []

    def nested() -> Gen:
        try:
            s.run()
        except RuntimeError as exc:
            seen.append(str(exc))
        yield

    s.spawn(nested())
    s.run()
    assert seen == ["run() is already running (a task cannot call run())"]
    trace: list[str] = []
    s.spawn(steps(trace, "a", 2))
    s.run()
    assert trace == ["a0", "a1"]


def test_a_bad_yield_raises_type_error_in_the_task() -> None:
    caught: list[str] = []

    def careless() -> Gen:
        try:
            yield 5
        except TypeError as exc:
            caught.append(str(exc))
        yield "again"

    s = Scheduler()
    s.spawn(careless())
    with pytest.raises(ExceptionGroup) as info:
        s.run()
    assert caught == ["a task yields None or a Request, not 5"]
    assert str(info.value.exceptions[0]) == "a task yields None or a Request, not 'again'"


def test_base_exceptions_propagate_at_once_and_run_resumes_later() -> None:
    trace: list[str] = []

    def interrupted() -> Gen:
        yield
        raise KeyboardInterrupt

    s = Scheduler()
    task = s.spawn(interrupted())
    s.spawn(steps(trace, "b", 3))
    with pytest.raises(KeyboardInterrupt):
        s.run()
    assert task.state is TaskState.DONE
    assert trace == ["b0"]
    s.run()
    assert trace == ["b0", "b1", "b2"]


def test_a_task_nobody_wakes_is_a_deadlock() -> None:
    line = WaitQueue()
    cleaned: list[str] = []

    def waiter() -> Gen:
        try:
            yield line.wait()
        finally:
            cleaned.append("closed")

    def stubborn() -> Gen:
        try:
            yield line.wait()
        finally:
            raise OSError("cannot clean up")

    s = Scheduler()
    first = s.spawn(waiter())
    s.spawn(stubborn(), name="stubborn")
    with pytest.raises(ExceptionGroup) as info:
        s.run()
    one, two = info.value.exceptions
    assert isinstance(one, Deadlock)
    assert str(one) == "task 1 (waiter) waits forever: no task is left to wake it"
    assert cleaned == ["closed"]
    assert str(two) == "task 2 (stubborn) waits forever: no task is left to wake it"
    assert isinstance(two.__context__, OSError)
    assert first.state is TaskState.DONE
    assert not first.wake()  # an ended task cannot be woken
    assert not line.wake_one()  # the line only held ended tasks


def test_wait_queue_wakes_oldest_first() -> None:
    line = WaitQueue()
    order: list[str] = []

    def waiter(name: str) -> Gen:
        yield line.wait()
        order.append(name)

    def waker() -> Gen:
        yield
        assert repr(line).startswith("WaitQueue([<Task 1 'waiter' waiting>")
        assert line.wake_one()
        assert line.wake_all() == 2
        assert line.wake_all() == 0

    s = Scheduler()
    for name in "abc":
        s.spawn(waiter(name), name="waiter")
    s.spawn(waker())
    s.run()
    assert order == ["a", "b", "c"]


def test_task_record() -> None:
    s = Scheduler()

    def idle() -> Gen:
        yield

    task = s.spawn(idle(), name="idle")
    assert (task.number, task.name, task.state) == (1, "idle", TaskState.READY)
    assert repr(task) == "<Task 1 'idle' ready>"
    assert not task.wake()  # ready, not waiting
    assert repr(s) == "<Scheduler: 1 tasks, 1 ready>"
    s.run()
    assert repr(s) == "<Scheduler: 0 tasks, 0 ready>"


def test_a_request_must_implement_handle() -> None:
    def asks() -> Gen:
        yield Request()

    s = Scheduler()
    s.spawn(asks())
    with pytest.raises(NotImplementedError, match=r"^Request does not implement _handle\(\)$"):
        s.run()


def state_of(task: Task) -> TaskState:
    """``task.state``, read afresh (mypy keeps an asserted attribute narrowed across calls)."""
    return task.state


def test_a_request_may_wake_the_task_at_once() -> None:
    class Now(Request):
        def _handle(self, task: Task) -> None:
            assert task.state is TaskState.WAITING
            assert task.wake()
            assert state_of(task) is TaskState.READY  # in the ready queue again, not yet running
            assert not task.wake()  # woken once only

    trace: list[str] = []

    def quick() -> Gen:
        trace.append("a0")
        yield Now()
        trace.append("a1")

    s = Scheduler()
    s.spawn(quick())
    s.spawn(steps(trace, "b", 2))
    s.run()
    assert trace == ["a0", "b0", "a1", "b1"]


# -- the contract ---------------------------------------------------------------


class TestReferenceScheduler(SchedulerContract):
    factory = Scheduler


def test_leaves_flattens_nested_groups() -> None:
    a, b, c = ValueError("a"), KeyError("b"), OSError("c")
    group = ExceptionGroup("outer", [a, ExceptionGroup("inner", [b, c])])
    assert leaves(group) == [a, b, c]
    assert leaves(a) == [a]
    assert leaves(None) == []


def test_task_names_are_letters_only() -> None:
    assert [task_name(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa",
    ]  # fmt: skip


def test_a_task_of_many_steps_is_rendered_as_a_loop_with_its_spawns_and_checks() -> None:
    program = SchedulerProgram((TaskPlan("a", 6), TaskPlan("b", 1, parent="a", at=2)))
    lines = render_tasks(
        program,
        after_spawn={("a", 2): "assert trace[-1] == 'a2'"},
        yields={("a", 4): ("assert (yield) is None",)},
    )
    assert lines[:11] == (
        "def a():",
        "    for step in range(6):",
        "        trace.append(f'a{step}')",
        "        if step == 2:",
        "            s.spawn(b())",
        "            assert trace[-1] == 'a2'",
        "        if step == 4:",
        "            assert (yield) is None",
        "            continue",
        "        if step < 5:",
        "            yield",
    )
    namespace: dict[str, Any] = {"trace": [], "s": Scheduler()}
    exec(compile("\n".join(lines), "<snippet>", "exec"), namespace)
    namespace["s"].spawn(namespace["a"]())
    namespace["s"].run()
    assert namespace["trace"] == ["a0", "a1", "a2", "b0", "a3", "a4", "a5"]


def test_programs_print_short() -> None:
    program = SchedulerProgram((TaskPlan("a", 2), TaskPlan("b", 1, True, "a", 1)))
    assert (
        repr(program)
        == "SchedulerProgram(TaskPlan('a', steps=2), TaskPlan('b', steps=1, fails=True, parent='a', at=1))"
    )
    assert program["b"].last == "b0"
    assert program.failing == (program["b"],)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (42, "a scheduler target must be a zero-argument callable, got 42"),
        (lambda: 1 / 0, "calling <lambda>() raised ZeroDivisionError: division by zero"),
        (deque, "deque() returned a deque without spawn, run (a scheduler target needs spawn(task) and run())"),
    ],
)
def test_targets_of_the_wrong_shape_are_refused(target: object, message: str) -> None:
    with pytest.raises(TargetError) as info:
        spec.check("scheduler", target)
    assert str(info.value) == message


def test_a_target_that_hangs_when_made_is_refused() -> None:
    def forever() -> None:
        while True:
            pass

    with pytest.raises(TargetError, match=r"^calling .*forever\(\) did not return within 0.1 s$"):
        spec.check("scheduler", forever, timeout=0.1)


# Schedulers wrong in ways the catalogue does not cover, each judged on one program.


class _Base:
    def __init__(self) -> None:
        self.ready: deque[Gen] = deque()
        self.failures: list[Exception] = []
        self.running = False

    def spawn(self, task: Gen) -> None:
        self.ready.append(task)

    def turn(self, task: Gen) -> None:
        try:
            task.send(None)
        except StopIteration:
            return
        except Exception as exc:
            self.failures.append(exc)
            return
        self.ready.append(task)

    def run(self) -> None:
        self.running = True
        while self.ready:
            self.turn(self.ready.popleft())
        self.running = False
        self.end()

    def end(self) -> None:
        if self.failures:
            raise ExceptionGroup("failed", self.failures)


class EagerWhileRunning(_Base):
    def spawn(self, task: Gen) -> None:
        if self.running:
            self.turn(task)
        else:
            super().spawn(task)


class ThrowsIn(_Base):
    def turn(self, task: Gen) -> None:
        try:
            if inspect.getgeneratorstate(task) == inspect.GEN_SUSPENDED:
                task.throw(RuntimeError("stop"))
            else:
                task.send(None)
        except StopIteration:
            return
        except Exception as exc:
            self.failures.append(exc)
            return
        self.ready.append(task)


class RefusesSpawnWhileRunning(_Base):
    def spawn(self, task: Gen) -> None:
        if self.running:
            raise RuntimeError("busy")
        super().spawn(task)


class RaisesItsOwn(_Base):
    def end(self) -> None:
        if self.failures:
            raise RuntimeError("something failed")


class WrapsFailures(_Base):
    def end(self) -> None:
        if self.failures:
            raise RuntimeError("a task failed") from self.failures[0]


class AddsAnError(_Base):
    def end(self) -> None:
        raise ExceptionGroup("failed", [*self.failures, OSError("extra")])


class ClosesAfterOneRound(_Base):
    def run(self) -> None:
        for task in list(self.ready):
            self.ready.popleft()
            self.turn(task)
        for task in self.ready:
            task.close()
        self.end()


def judge(factory: Callable[[], Any], program: SchedulerProgram) -> Violation | None:
    binding = Binding(factory=factory, ref=ref_for(factory), deadline=Deadline(None))
    try:
        _check_program(binding, program)
    except ClauseViolation as exc:
        return exc.violation
    return None


A_SPAWNS_B = SchedulerProgram((TaskPlan("a", 2), TaskPlan("b", 1, parent="a", at=0)))
TWO_STEPS = SchedulerProgram((TaskPlan("a", 2),))
A_FAILS = SchedulerProgram((TaskPlan("a", 1, fails=True),))


@pytest.mark.parametrize(
    ("factory", "program", "clause", "message"),
    [
        (EagerWhileRunning, A_SPAWNS_B, "SC1", "b0 ran inside a0: spawn() started b inside the step that spawned it"),
        (ThrowsIn, TWO_STEPS, "SC1", "run() threw RuntimeError: stop into a at the yield after a0"),
        (RefusesSpawnWhileRunning, A_SPAWNS_B, "SC5", "s.spawn(b()) in step a0 raised RuntimeError: busy"),
        (RaisesItsOwn, A_FAILS, "SC5", "s.run() raised RuntimeError: something failed, which no task raised"),
        (
            WrapsFailures,
            A_FAILS,
            "SC4",
            "run() raised RuntimeError: a task failed, without the exception of task a (ValueError: a)",
        ),
        (AddsAnError, A_FAILS, "SC4", "run() raised OSError('extra') besides the tasks' exceptions"),
        (ClosesAfterOneRound, TWO_STEPS, "SC2", "task a ran 1 step of 2 and did not end"),
    ],
)
def test_rarer_faults_are_judged_by_their_clause(
    factory: Callable[[], Any], program: SchedulerProgram, clause: str, message: str
) -> None:
    violation = judge(factory, program)
    assert violation is not None
    assert (violation.clause.id, violation.message) == (clause, message)
    assert replay_violation(violation) is not None, "\n".join(violation.program)


def test_the_reference_passes_the_programs_the_rarer_faults_fail() -> None:
    for program in (A_SPAWNS_B, TWO_STEPS, A_FAILS):
        assert judge(Scheduler, program) is None


def test_a_closed_task_is_reported_as_such() -> None:
    violation = judge(ClosesAfterOneRound, TWO_STEPS)
    assert violation is not None
    assert violation.actual == "1 step, then closed"
    assert violation.program[-1] == "assert 'a1' in trace, 'SC2 (completion): task a must run to its end, a1'"


def test_snippet_of_a_step_run_inside_another() -> None:
    violation = judge(EagerWhileRunning, A_SPAWNS_B)
    assert violation is not None
    assert (
        "    assert trace[-1] == 'a0', 'SC1 (steps): spawn() must not run a task inside another'" in violation.program
    )


def test_the_shared_failures_scheduler_of_the_catalogue_is_right_alone() -> None:
    # Its fault shows only once a failure is on the class: alone and fresh it returns.
    KeepsFailuresOnTheClass.lost.clear()
    s = KeepsFailuresOnTheClass()
    nothing: tuple[None, ...] = ()
    s.spawn(x for x in nothing)
    s.run()
