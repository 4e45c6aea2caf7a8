"""The programs the scheduler contract runs: plans of tasks, drawn and rendered.

A program is a handful of tasks.  Each task has a name (``a``, ``b``, ...), a
number of *steps* (the code between two ``yield``\\ s), may spawn other tasks
at the start of one of its steps, and may raise at the end of its last step.
The tasks a program starts with are spawned before ``run()``; the others by
their parent, while ``run()`` runs.

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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

__all__ = ["RUN_CATCHING", "SchedulerProgram", "TaskPlan", "programs", "render_tasks"]

_NAMES = "abcdefgh"

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
        return tuple(task for task in self.tasks if task.parent == name and task.at == step)

    @property
    def failing(self) -> tuple[TaskPlan, ...]:
        """The tasks that raise."""
        return tuple(task for task in self.tasks if task.fails)

    def __getitem__(self, name: str) -> TaskPlan:
        return next(task for task in self.tasks if task.name == name)

    def __repr__(self) -> str:
        return f"SchedulerProgram({', '.join(map(repr, self.tasks))})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints the short form too


@st.composite
def programs(draw: st.DrawFn) -> SchedulerProgram:
    """Programs of 1-3 tasks spawned before ``run()`` and 0-3 spawned while it runs.

    Everything shrinks towards fewer tasks, fewer steps, no failures and
    spawns by the first task at its first step.
    """
    roots = draw(st.integers(1, 3), label="roots")
    spawned = draw(st.integers(0, 3), label="spawned while running")
    tasks: list[TaskPlan] = []
    for index in range(roots + spawned):
        steps = draw(st.integers(1, 4))
        fails = draw(st.booleans())
        if index < roots:
            tasks.append(TaskPlan(_NAMES[index], steps, fails))
        else:
            parent = tasks[draw(st.integers(0, index - 1))]
            at = draw(st.integers(0, parent.steps - 1))
            tasks.append(TaskPlan(_NAMES[index], steps, fails, parent.name, at))
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
    saw there.
    """
    after_spawn = after_spawn or {}
    yields = yields or {}
    lines: list[str] = []
    for task in program.tasks:
        lines.append(f"def {task.name}():")
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
