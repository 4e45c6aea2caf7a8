"""The scheduler contract: cooperative, round-robin, nothing lost, nothing silent.

Target: a zero-argument callable (a class or a factory) returning an object
with ``spawn(task)`` and ``run()``.  A task is a generator, spawned before it
starts; a bare ``yield`` in it gives up control and evaluates to ``None``;
``run()`` runs every task until all have ended.  Tasks spawn tasks by calling
``spawn`` while ``run()`` runs.

Model: the trace of ``(task, step)`` the tasks record, judged against the
clauses; no particular order is imposed beyond SC3's round-robin.

Check a scheduler::

    >>> import spec
    >>> spec.check("scheduler", "impl.scheduler:Scheduler", max_examples=20).ok
    True

or in a test suite::

    from spec.scheduler import SchedulerContract

    class TestMyScheduler(SchedulerContract):
        factory = MyScheduler

Discussion (attributing a failure to the right clause): every program starts
with the independence probe (SC6, see :mod:`spec.scheduler.probe`): two live
schedulers and a third, fresh one, where only evidence that one saw another
counts.  Then each program is one run, so every clause is judged on the same
evidence, after ``run()`` ends, in this order; the first broken one is
reported.

1. Conduct (SC5): ``spawn()`` raised, inside or outside ``run()``; ``run()``
   hung, or raised though no task raised (or raised an error of its own that
   no task's exception caused).
2. Steps (SC1): a step ran during a ``spawn()`` before ``run()`` (judged at
   once, after that ``spawn``), or inside another task's step, or a ``yield``
   evaluated to something else than ``None`` or raised.
3. Completion (SC2): a task did not reach its end.  A scheduler that stops at
   the first failure is judged here: the others did not complete.
4. Failures (SC4): ``run()`` returned though a task raised, or what it raised
   does not hold exactly the tasks' exceptions.
5. Round-robin (SC3), judged last because a task left behind (SC2) also
   misses its turns.

A defect therefore shows up as the one clause it breaks first, whatever the
program; the shrinker only makes the program small.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from spec._core.checker import Binding, Checker, TargetFailure, describe_exception, describe_traceback, method
from spec._core.clauses import Clause, Clauses
from spec._core.contract import Contract, Prepared, as_factory, call_for_shape, given_runner
from spec._core.deadline import Deadline
from spec._core.errors import TargetError
from spec._core.options import Options
from spec._core.program import Program, guarded, show, type_name
from spec._core.signals import theirs
from spec._core.testcase import ContractTestCase
from spec.scheduler.plan import RUN_CATCHING, SchedulerProgram, TaskPlan, programs, render_tasks
from spec.scheduler.probe import probe_independence

__all__ = ["CLAUSES", "CONTRACT", "SchedulerContract", "SchedulerTarget", "leaves"]

CLAUSES = Clauses(
    Clause(
        "SC1",
        "steps",
        "Each step of a task (the code between two yields) must run once, whole and in order, inside run() only: "
        "spawn() starts nothing, and a bare yield evaluates to None.",
    ),
    Clause(
        "SC2",
        "completion",
        "Every spawned task, also one spawned while run() runs and also when other tasks fail, must run to its end "
        "before run() returns or raises.",
    ),
    Clause(
        "SC3",
        "round-robin",
        "Between two consecutive turns of a task, every other task that was ready at the first of them must get "
        "exactly one turn.",
    ),
    Clause(
        "SC4",
        "failures",
        "A task's exception must not be swallowed: run() must raise exactly the tasks' exceptions, alone or inside "
        "an ExceptionGroup.",
    ),
    Clause(
        "SC5",
        "conduct",
        "spawn() and run() must return within the time limit and raise nothing else; run() returns when no task "
        "raised.",
    ),
    Clause(
        "SC6",
        "independence",
        "Schedulers must not share state: run() runs only the tasks spawned to its own scheduler and raises only "
        "their exceptions, whatever other schedulers (also of another program) hold, run or raised.",
    ),
)

_STEPS, _COMPLETION, _ROUND_ROBIN, _FAILURES, _CONDUCT, _INDEPENDENCE = map(
    CLAUSES.id_of, ("steps", "completion", "round-robin", "failures", "conduct", "independence")
)


class SchedulerTarget(Protocol):
    """What a scheduler target's instances offer."""

    def spawn(self, task: Generator[None, None, None], /) -> object: ...

    def run(self) -> object: ...


def leaves(exc: BaseException | None) -> list[BaseException]:
    """The exceptions inside ``exc``, through nested groups (``[]`` for ``None``)."""
    if exc is None:
        return []
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]
    return [exc]


def _prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
    factory, name = as_factory(target, "a scheduler target must be a zero-argument callable")
    instance = call_for_shape(f"{name}()", deadline, factory)
    missing = [op for op in ("spawn", "run") if not callable(guarded(getattr, instance, op, None, default=None))]
    if missing:
        raise TargetError(
            f"{name}() returned a {type_name(instance)} without {', '.join(missing)}"
            " (a scheduler target needs spawn(task) and run())"
        )
    return Prepared(factory=factory)


@dataclass
class _Seen:
    """A broken clause observed inside ``run()``, judged when it ends."""

    clause: str
    message: str
    expected: str = ""
    actual: str = ""
    ending: tuple[str, ...] = ()
    after_spawn: dict[tuple[str, int], str] = field(default_factory=dict)
    yields: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    detail: str = ""


class _Run:
    """One program run against the target: instrumented tasks, evidence, verdict."""

    checker: Checker
    program: SchedulerProgram
    sched: SchedulerTarget
    trace: list[str]  # step labels in the order the steps began ("a0", "b0", ...)
    events: list[tuple[str, str, int]]  # ("spawn" | "begin" | "end", task, step)
    ended: dict[str, str]  # task -> "returned" | "raised" | "closed" | "thrown"
    errors: dict[str, Exception]  # task -> the exception it raised
    seen: list[_Seen]
    current: tuple[str, int] | None  # the step running now
    in_run: bool

    def __init__(self, checker: Checker, program: SchedulerProgram) -> None:
        self.checker = checker
        self.program = program
        self.trace = []
        self.events = []
        self.ended = {}
        self.errors = {}
        self.seen = []
        self.current = None
        self.in_run = False

    # -- the instrumented tasks ----------------------------------------------

    def _task(self, plan: TaskPlan) -> Generator[None, object, None]:
        for step in range(plan.steps):
            if step:
                yield from self._yield(plan, step)
            outer = self._begin(plan, step)
            for child in self.program.children(plan.name, step):
                self._spawn_inside(plan, step, child)
            self.current = outer
        if plan.fails:
            error = ValueError(plan.name)
            self.errors[plan.name] = error
            self._end(plan, "raised")
            raise error
        self._end(plan, "returned")

    def _yield(self, plan: TaskPlan, step: int) -> Generator[None, object, None]:
        """The ``yield`` between ``step - 1`` and ``step``, watched."""
        where = (plan.name, step - 1)
        try:
            sent = yield
        except GeneratorExit:
            self._end(plan, "closed")
            raise
        except BaseException as exc:
            theirs(exc)
            self._end(plan, "thrown")
            self._see(
                _STEPS,
                f"run() threw {describe_exception(exc)} into {plan.name} at the yield after {plan.label(step - 1)}",
                expected="the yield returns None",
                actual=f"raises {describe_exception(exc)}",
                yields={
                    where: (
                        "try:",
                        "    yield",
                        "except Exception as exc:",
                        f"    raise AssertionError({self._tag(_STEPS) + ': run() must not throw into a task'!r})"
                        " from exc",
                    )
                },
            )
            # The task ends quietly: what it would raise is the scheduler's
            # own exception, and run() must not be judged on it.
            return
        if sent is None:
            self.checker.count(_STEPS)
        else:
            self._see(
                _STEPS,
                f"the yield after {plan.label(step - 1)} evaluated to {show(sent)}: run() sent it a value",
                expected="None",
                actual=show(sent),
                yields={
                    where: (f"assert (yield) is None, {self._tag(_STEPS) + ': a bare yield evaluates to None'!r}",)
                },
            )

    def _begin(self, plan: TaskPlan, step: int) -> tuple[str, int] | None:
        outer = self.current
        label = plan.label(step)
        if outer is not None:
            outer_label = self.program[outer[0]].label(outer[1])
            self._see(
                _STEPS,
                f"{label} ran inside {outer_label}: spawn() started {plan.name} inside the step that spawned it",
                expected=f"{label} runs after {outer_label} yields",
                actual=f"{label} ran inside {outer_label}",
                after_spawn={
                    outer: f"assert trace[-1] == {outer_label!r}, "
                    f"{self._tag(_STEPS) + ': spawn() must not run a task inside another'!r}"
                },
            )
        elif self.in_run:
            self.checker.count(_STEPS)
        self.trace.append(label)
        self.events.append(("begin", plan.name, step))
        self.current = (plan.name, step)
        return outer

    def _end(self, plan: TaskPlan, how: str) -> None:
        self.ended[plan.name] = how
        self.events.append(("end", plan.name, plan.steps))

    def _spawn_inside(self, parent: TaskPlan, step: int, child: TaskPlan) -> None:
        source = f"s.spawn({child.name}())"
        # A call into the target from inside its own run(): no deadline of its
        # own (timers do not nest); run()'s deadline covers it.
        try:
            self.sched.spawn(self._task(child))
        except BaseException as exc:
            theirs(exc)
            self._see(
                _CONDUCT,
                f"{source} in step {parent.label(step)} raised {describe_exception(exc)}",
                expected="no exception",
                actual=describe_exception(exc),
                ending=(f"# {source} in step {parent.label(step)} raises {describe_exception(exc)}",),
                detail=describe_traceback(exc),
            )
            return
        self.checker.count(_CONDUCT)
        self.events.append(("spawn", child.name, 0))

    def _see(self, clause: str, message: str, **evidence: Any) -> None:
        self.seen.append(_Seen(clause, message, **evidence))

    def _tag(self, clause: str) -> str:
        return self.checker.tag(clause)

    # -- running the program ---------------------------------------------------

    def check(self) -> None:
        c = self.checker
        binding = c.binding
        probe_independence(c, _INDEPENDENCE, binding.factory)
        c.program.add("trace = []")
        self.sched = c.call(f"s = {binding.ref.name}()", binding.factory)
        c.program.add(*render_tasks(self.program))
        for root in self.program.roots:
            c.call(f"s.spawn({root.name}())", method(self.sched, "spawn"), self._task(root))
            self.events.append(("spawn", root.name, 0))
            c.require(
                not self.trace,
                _STEPS,
                f"s.spawn({root.name}()) ran {self.trace[:1]} before run(): spawn() must not start a task",
                expected="[]",
                actual=list(self.trace),
                ending=(f"assert trace == [], {self._tag(_STEPS) + ': spawn() must not start a task'!r}",),
            )
        self.in_run = True
        try:
            c.attempt("s.run()", method(self.sched, "run"))
            raised: BaseException | None = None
        except TargetFailure as failure:
            raised = failure.error
        finally:
            self.in_run = False
        if self.program.failing:
            c.program.drop_last()
            c.program.add(*RUN_CATCHING)
        c.reach(len(self.trace))
        self._judge(raised)

    def _judge(self, raised: BaseException | None) -> None:
        self._judge_seen(_CONDUCT)
        self._judge_run_error(raised)
        self._judge_seen(_STEPS)
        self._judge_completion()
        self._judge_failures(raised)
        self._judge_round_robin()

    def _judge_seen(self, clause: str) -> None:
        seen = next((s for s in self.seen if s.clause == clause), None)
        if seen is None:
            return
        if seen.after_spawn or seen.yields:
            self._rewrite_tasks(seen)
        self.checker.fail(
            clause, seen.message, expected=seen.expected, actual=seen.actual, ending=seen.ending, detail=seen.detail
        )

    def _rewrite_tasks(self, seen: _Seen) -> None:
        """Re-render the program with a check inside a task where the oracle saw the violation."""
        c = self.checker
        program = Program(c.binding.ref.imports)
        program.add("trace = []", f"s = {c.binding.ref.name}()")
        program.add(*render_tasks(self.program, after_spawn=seen.after_spawn, yields=seen.yields))
        program.add(*(f"s.spawn({root.name}())" for root in self.program.roots))
        program.add(*(RUN_CATCHING if self.program.failing else ("s.run()",)))
        c.program = program

    def _judge_run_error(self, raised: BaseException | None) -> None:
        """Conduct: run() raised, and no task's exception explains it."""
        if raised is None or (self.errors and _caused_by_tasks(raised, self.errors.values())):
            return
        if not self.program.failing:
            self.checker.raised("s.run()", raised)
        self.checker.fail(
            _CONDUCT,
            f"s.run() raised {describe_exception(raised)}, which no task raised",
            expected="run() raises only the tasks' exceptions",
            actual=describe_exception(raised),
            ending=(f"raise raised  # {describe_exception(raised)}",),
            detail=describe_traceback(raised),
        )

    def _judge_completion(self) -> None:
        ran = Counter(task for kind, task, _ in self.events if kind == "begin")
        for name in (task for kind, task, _ in self.events if kind == "spawn"):
            plan = self.program[name]
            done = self.ended.get(name) in ("returned", "raised")
            self.checker.require(
                done,
                _COMPLETION,
                f"task {name} ran {_steps(ran[name])} of {plan.steps} and did not end",
                expected=f"{_steps(plan.steps)}, then {'raise' if plan.fails else 'return'}",
                actual=_steps(ran[name]) + (", then closed" if self.ended.get(name) == "closed" else ""),
                ending=(
                    f"assert {plan.last!r} in trace, "
                    f"{self._tag(_COMPLETION) + f': task {name} must run to its end, {plan.last}'!r}",
                ),
            )

    def _judge_failures(self, raised: BaseException | None) -> None:
        if not self.errors:
            return
        got = leaves(raised)
        want = list(self.errors.values())
        missing = [e for e in want if not any(leaf is e for leaf in got)]
        extra = [leaf for leaf in got if not any(leaf is e for e in want)]
        if raised is None:
            message = f"run() returned, but {_listing(want)} raised"
        elif missing:
            message = f"run() raised {describe_exception(raised)}, without the exception of {_listing(missing)}"
        else:
            message = f"run() raised {', '.join(map(show, extra))} besides the tasks' exceptions"
        expected = sorted(map(repr, want))
        self.checker.require(
            not missing and not extra,
            _FAILURES,
            message,
            expected=f"raises {', '.join(expected)} (alone or in an ExceptionGroup)",
            actual="returned None" if raised is None else f"raised {sorted(map(show, got))}",
            ending=(
                "def leaves(exc):",
                "    if isinstance(exc, BaseExceptionGroup):",
                "        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]",
                "    return [] if exc is None else [exc]",
                f"assert sorted(map(repr, leaves(raised))) == {expected!r}, "
                f"{self._tag(_FAILURES) + ': run() must raise every task exception'!r}",
            ),
        )

    def _judge_round_robin(self) -> None:
        """Between two turns of a task, one turn of every other task ready at the first of them.

        It is enough to check that each of them has a turn in between: a task
        with two would leave this one without a turn between its own two,
        while this one was ready.  So one pass over the events, from the end,
        keeps each task's next turn and asks the latest next turn among the
        tasks ready (a heap): O(events log tasks).  The first failure, by the
        earlier turn, is the one reported.
        """
        alive = {task for kind, task, _ in self.events if kind == "spawn"}
        alive -= {task for kind, task, _ in self.events if kind == "end"}
        pending = set(alive)  # ready, and no turn from here on
        following: dict[str, int] = {}  # task -> index of its next turn
        latest: list[tuple[int, str]] = []  # (-following[task], task), stale entries left in
        failure: tuple[int, str, str, int, int] | None = None
        checks = 0
        for i in range(len(self.events) - 1, -1, -1):
            kind, task, step = self.events[i]
            if kind == "spawn":
                alive.discard(task)
                pending.discard(task)
                continue
            if kind == "end":
                alive.add(task)
                pending.add(task)
                continue
            if task in following:
                checks += len(alive) - 1
                late = min(pending) if pending else _latest(latest, following, alive, task)
                if late is not None and following.get(late, len(self.events)) > following[task]:
                    failure = (i, late, task, step, following[task])
            following[task] = i
            pending.discard(task)
            heapq.heappush(latest, (-i, task))
        if failure is not None:
            i, other, task, step, j = failure
            turns = [f"{t}{s}" for k, (kind, t, s) in enumerate(self.events) if kind == "begin" and i < k < j]
            turns = [turn for turn in turns if turn.rstrip("0123456789") == other]
            before = sum(1 for kind, t, _ in self.events[:i] if kind == "begin" and t == other)
            self._require_one_turn(task, step, other, turns, f"{other}{before}")
        self.checker.binding.checks[_ROUND_ROBIN] += checks

    def _require_one_turn(self, task: str, step: int, other: str, turns: list[str], want: str) -> None:
        first, second = f"{task}{step}", f"{task}{step + 1}"
        how = "no turn" if not turns else f"{len(turns)} turns ({', '.join(turns)})"
        self.checker.require(
            len(turns) == 1,
            _ROUND_ROBIN,
            f"{other} was ready when {first} began, but got {how} before {second}",
            expected=f"exactly one turn of {other} ({want}) between {first} and {second}",
            actual=f"{turns}",
            ending=(
                f"between = trace[trace.index({first!r}) + 1 : trace.index({second!r})]",
                f"assert [step for step in between if step[0] == {other!r}] == [{want!r}], "
                f"{self._tag(_ROUND_ROBIN) + f': {other} must run once between {first} and {second}'!r}",
            ),
        )


def _latest(heap: list[tuple[int, str]], following: dict[str, int], alive: set[str], but: str) -> str | None:
    """The task in ``alive`` other than ``but`` whose next turn is the latest, by ``heap`` (see the caller).

    Entries whose task's next turn moved earlier, or whose task is not
    spawned yet (going back in time it never will be), are dropped for good.
    """
    held: list[tuple[int, str]] = []
    found = None
    while heap:
        index, task = heap[0]
        if following.get(task) != -index or task not in alive:
            heapq.heappop(heap)
        elif task == but:
            held.append(heapq.heappop(heap))
        else:
            found = task
            break
    for entry in held:
        heapq.heappush(heap, entry)
    return found


def _caused_by_tasks(raised: BaseException, errors: Iterable[Exception]) -> bool:
    """Whether ``raised`` is a group, a task's exception, or an error caused by one."""
    if isinstance(raised, BaseExceptionGroup):
        return True
    chain: BaseException | None = raised
    seen: list[BaseException] = []
    while chain is not None and not any(chain is other for other in seen):  # a target may make a cycle
        if any(chain is error for error in errors):
            return True
        seen.append(chain)
        chain = chain.__cause__ or chain.__context__
    return False


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _listing(errors: list[Exception]) -> str:
    return ", ".join(f"task {error.args[0]} ({describe_exception(error)})" for error in errors)


def _check_program(binding: Binding, program: SchedulerProgram) -> None:
    _Run(Checker(clauses=CLAUSES, conduct=_CONDUCT, binding=binding), program).check()


CONTRACT = Contract(
    name="scheduler",
    summary="cooperative round-robin scheduler: spawn generator tasks, run them all",
    clauses=CLAUSES,
    target="a zero-argument callable returning an object with spawn(task) and run(); tasks are generators "
    "that yield None to give up control",
    prepare=_prepare,
    runner=given_runner(programs(), _check_program),
    references=("impl.scheduler:Scheduler",),
)


class SchedulerContract(ContractTestCase):
    """Subclass with ``factory = YourScheduler`` to check a scheduler in your test suite."""

    contract = "scheduler"
