"""The programs the scheduler contract runs: plans of tasks, drawn and rendered.

A program is a set of tasks.  Each task has a name (``a``, ``b``, ...,
``z``, ``aa`` ...), a number of *steps* (the code between two
``yield``\\ s), may spawn other tasks at the start of one of its steps, and
may raise at the end of its last step.  The tasks a program starts with are
spawned before ``run()``; the others by their parent, while ``run()`` runs.

Discussion (what is drawn): half the programs are short (one to three tasks
spawned before ``run()`` and up to three while it runs, one to four steps
each), where most faults show and reports are short; the others are long:
128 to 1023 steps in all, or in half of them 1024 to 4096, and 2 to 128
tasks (each log-uniform, or at an edge: powers of two and their
neighbours), at least half of them spawned before ``run()``, three in four
running as many steps as any, so that a scheduler that fails past a growth
point of its ready queue, every few dozen turns, after 35 turns of one task,
or with a recursion a thousand turns deep is met at every seed.  One task
in four raises at its end.

The same plan is what the oracle runs (as instrumented generators, see
:mod:`spec.scheduler`) and what a report shows (as plain generator functions
that append ``"a0"``, ``"a1"`` ... to a ``trace`` list).  Rendered, a plan
reads::

    trace = []
    s = Scheduler()
    def a():
        trace.append("a0")
        s.spawn(b())
        yield
        trace.append("a1")
    def b():
        trace.append("b0")
        raise ValueError("b")
        yield from ()  # b() is a generator; b has no yield
    s.spawn(a())
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from spec.pipeline import sizes

__all__ = ["RUN_CATCHING", "SchedulerProgram", "TaskPlan", "programs", "render_tasks", "task_name"]

_LONG_TASKS = 128  # tasks in a long program, at most
_LONG_TURNS = 4096  # steps of all tasks together in a long program, at most
_UNROLLED = 4  # a task of more steps is rendered as a loop


def task_name(index: int) -> str:
    """``a`` ... ``z``, then ``aa``, ``ab`` ...: letters only, so that a label ``a12`` reads as task and step."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    name = ""
    index += 1
    while index:
        index, digit = divmod(index - 1, 26)
        name = letters[digit] + name
    return name


RUN_CATCHING = ("raised = None", "try:", "    s.run()", "except Exception as exc:", "    raised = exc")
"""How a snippet runs a program in which some task raises: keeping what ``run()`` raised."""


@dataclass(frozen=True)
class TaskPlan:
    """One task of a program.

    ``steps`` (at least 1) is how many steps it runs, so it yields
    ``steps - 1`` times; ``fails`` makes its last step raise
    ``ValueError(name)``; ``parent`` is the task that spawns it at the start
    of its step ``at`` (``None``: spawned before ``run()``).
    """

    name: str
    steps: int
    fails: bool = False
    parent: str | None = None
    at: int = 0

    def label(self, step: int) -> str:
        """How the trace names a step: ``"a0"``."""
        return f"{self.name}{step}"

    @property
    def last(self) -> str:
        """The label of the last step."""
        return self.label(self.steps - 1)

    def __repr__(self) -> str:
        extra = ", fails=True" if self.fails else ""
        if self.parent is not None:
            extra += f", parent={self.parent!r}, at={self.at}"
        return f"TaskPlan({self.name!r}, steps={self.steps}{extra})"


@dataclass(frozen=True)
class SchedulerProgram:
    """The tasks of one program, in spawn-plan order (roots first)."""

    tasks: tuple[TaskPlan, ...]

    @property
    def roots(self) -> tuple[TaskPlan, ...]:
        """The tasks spawned before ``run()``."""
        return tuple(task for task in self.tasks if task.parent is None)

    def children(self, name: str, step: int) -> tuple[TaskPlan, ...]:
        """The tasks that ``name`` spawns at the start of ``step``, in order."""
        return self._children.get((name, step), ())

    @functools.cached_property
    def _children(self) -> dict[tuple[str, int], tuple[TaskPlan, ...]]:
        found: dict[tuple[str, int], tuple[TaskPlan, ...]] = {}
        for task in self.tasks:
            if task.parent is not None:
                found[task.parent, task.at] = (*found.get((task.parent, task.at), ()), task)
        return found

    @functools.cached_property
    def _by_name(self) -> dict[str, TaskPlan]:
        return {task.name: task for task in self.tasks}

    @property
    def failing(self) -> tuple[TaskPlan, ...]:
        """The tasks that raise."""
        return tuple(task for task in self.tasks if task.fails)

    def __getitem__(self, name: str) -> TaskPlan:
        return self._by_name[name]

    def __repr__(self) -> str:
        return f"SchedulerProgram({', '.join(map(repr, self.tasks))})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints the short form too


@st.composite
def programs(draw: st.DrawFn) -> SchedulerProgram:
    """Short or long programs (see the module's Discussion).

    Everything shrinks towards a short program: fewer tasks, fewer steps,
    no failures and spawns by the first task at its first step.  The tasks
    of a long program are drawn from a seeded ``random.Random``: Hypothesis
    shrinks its size (steps in all, tasks), and a draw per task would cost
    more than running it.
    """
    long = draw(st.integers(0, 3), label="long") > 0  # Hypothesis favours 0: about half are long
    if long:
        huge = draw(st.booleans(), label="huge")  # a thousand turns and more: a recursion per turn fails
        turns = draw(sizes(1024, _LONG_TURNS) if huge else sizes(1, 1023, long=True), label="steps in all")
        count = draw(sizes(2, _LONG_TASKS), label="tasks")
        spawned = draw(st.integers(0, count // 2), label="spawned while running")
        rng = random.Random(draw(st.integers(0, 2**32 - 1), label="seed of the tasks"))
        most = max(1, turns // count)

        def detail(index: int) -> tuple[int, bool, int, float]:
            return (
                most if rng.random() < 0.75 else rng.randint(1, most),
                rng.random() < 0.25,
                rng.randrange(index) if index else 0,
                rng.random(),
            )

        return _program(count - spawned, spawned, detail)
    roots = draw(st.integers(1, 3), label="roots")
    spawned = draw(st.integers(0, 3), label="spawned while running")

    def drawn(index: int) -> tuple[int, bool, int, float]:
        steps = draw(st.integers(1, 4))
        fails = draw(st.integers(0, 3)) == 3  # one task in four; shrinks to none
        return steps, fails, draw(st.integers(0, index - 1)) if index >= roots else 0, 0.0

    return _program(roots, spawned, drawn, at=lambda parent: draw(st.integers(0, parent.steps - 1)))


def _program(
    roots: int,
    spawned: int,
    detail: Callable[[int], tuple[int, bool, int, float]],
    at: Callable[[TaskPlan], int] | None = None,
) -> SchedulerProgram:
    """Tasks from ``detail(index)``: (steps, fails, parent index, where in the parent's steps, as a fraction)."""
    tasks: list[TaskPlan] = []
    for index in range(roots + spawned):
        steps, fails, parent_index, where = detail(index)
        if index < roots:
            tasks.append(TaskPlan(task_name(index), steps, fails))
        else:
            parent = tasks[parent_index]
            step = at(parent) if at is not None else int(where * parent.steps)
            tasks.append(TaskPlan(task_name(index), steps, fails, parent.name, step))
    return SchedulerProgram(tuple(tasks))


def render_tasks(
    program: SchedulerProgram,
    *,
    after_spawn: Mapping[tuple[str, int], str] | None = None,
    yields: Mapping[tuple[str, int], tuple[str, ...]] | None = None,
) -> tuple[str, ...]:
    """The generator functions of ``program`` as source lines.

    ``after_spawn[(name, step)]`` is a statement added after each spawn of
    that step; ``yields[(name, step)]`` replaces the ``yield`` that ends the
    given step.  Both let a report check, inside the task, what the oracle
    saw there.  A task of more than four steps is rendered as a loop.
    """
    after_spawn = after_spawn or {}
    yields = yields or {}
    lines: list[str] = []
    for task in program.tasks:
        lines.append(f"def {task.name}():")
        if task.steps > _UNROLLED:
            lines += _loop(program, task, after_spawn, yields)
        else:
            for step in range(task.steps):
                lines.append(f"    trace.append({task.label(step)!r})")
                for child in program.children(task.name, step):
                    lines.append(f"    s.spawn({child.name}())")
                    if (task.name, step) in after_spawn:
                        lines.append(f"    {after_spawn[task.name, step]}")
                if step < task.steps - 1:
                    lines.extend(f"    {line}" for line in yields.get((task.name, step), ("yield",)))
        if task.fails:
            lines.append(f"    raise ValueError({task.name!r})")
        if task.steps == 1:
            lines.append(f"    yield from ()  # {task.name}() is a generator; {task.name} has no yield")
    return tuple(lines)


def _loop(
    program: SchedulerProgram,
    task: TaskPlan,
    after_spawn: Mapping[tuple[str, int], str],
    yields: Mapping[tuple[str, int], tuple[str, ...]],
) -> list[str]:
    """The body of a task of many steps: one loop, its spawns and checks under ``if step == k``."""
    lines = [f"    for step in range({task.steps}):", f"        trace.append(f'{task.name}{{step}}')"]
    spawning = sorted({child.at for child in program.tasks if child.parent == task.name})
    for step in spawning:
        lines.append(f"        if step == {step}:")
        for child in program.children(task.name, step):
            lines.append(f"            s.spawn({child.name}())")
            if (task.name, step) in after_spawn:
                lines.append(f"            {after_spawn[task.name, step]}")
    for (name, step), replacement in sorted(yields.items()):
        if name == task.name:
            lines.append(f"        if step == {step}:")
            lines += [f"            {line}" for line in replacement]
            lines.append("            continue")
    lines += [f"        if step < {task.steps - 1}:", "            yield"]
    return lines
