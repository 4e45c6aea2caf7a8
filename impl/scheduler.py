"""A cooperative, round-robin scheduler for generator tasks.

Usage::

    >>> from impl.scheduler import Scheduler
    >>> trace = []
    >>> def task(name, steps):
    ...     for step in range(steps):
    ...         trace.append(f"{name}{step}")
    ...         yield                      # give up control
    >>> s = Scheduler()
    >>> _ = s.spawn(task("a", 2)), s.spawn(task("b", 3))
    >>> s.run()
    >>> trace
    ['a0', 'b0', 'a1', 'b1', 'b2']

Design principles (the kernel is the ``while`` loop of :meth:`Scheduler.run`):

* **A task is a generator**, spawned before it starts.  The code between two
  ``yield``\\ s is a *step*; a step runs whole, nothing else runs inside it.
* **One way in.**  A task reaches the kernel only by yielding: ``None`` gives
  up control, a :class:`Request` asks for more (to wait in a
  :class:`WaitQueue`, which is how channels block).  The kernel hands the task
  to the request and forgets it until the request wakes it.
* **Round-robin, first in, first out.**  The ready queue is a deque: a task
  that yields goes to the back, a task spawned while running goes to the back,
  a woken task goes to the back.  Between two turns of a task every other
  task that was ready at the first turn gets exactly one turn.
* **Deterministic.**  No clock, no randomness, no hashing of tasks decides
  anything: the same tasks give the same trace, always.
* **Nothing lost, nothing silent.**  A task that raises does not stop the
  others; when every task has ended, :meth:`Scheduler.run` raises one
  :class:`ExceptionGroup` with every task's exception, each noted with the task
  it came from.  A task left waiting when no task can run to wake it is a
  deadlock: it is closed and reported as a :class:`Deadlock` in the group.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Generator

from impl._sched_core import Request, Task, TaskGen, TaskState
from impl._sched_wait import WaitQueue

__all__ = ["Deadlock", "Request", "Scheduler", "Task", "TaskGen", "TaskState", "WaitQueue"]


class Deadlock(RuntimeError):
    """A task was still waiting when no task was left to wake it."""


class Scheduler:
    """Runs generator tasks in turn until every one has ended.

    Runtime complexity: ``spawn`` and each task switch O(1).
    """

    __slots__ = ("_live", "_ready", "_running", "_spawned")

    _ready: deque[Task]
    _live: dict[Generator[object, None, object], Task]  # spawned and not ended, in spawn order
    _spawned: int
    _running: bool

    def __init__(self) -> None:
        self._ready = deque()
        self._live = {}
        self._spawned = 0
        self._running = False

    def spawn(self, task: TaskGen, *, name: str | None = None) -> Task:
        """Add ``task``, a generator not yet started, at the end of the ready queue.

        It does not run now: it gets its first turn inside :meth:`run`, also
        when spawned by a running task.  ``name`` labels it in reports
        (default: the generator's name).  Returns its :class:`Task` record.

        Raises :class:`TypeError` if ``task`` is not a generator (a generator
        *function* must be called: ``spawn(f())``), :class:`ValueError` if it
        has already started or is already spawned.
        """
        _require_fresh(task)
        if task in self._live:
            raise ValueError(f"{task!r} is already spawned")
        self._spawned += 1
        record = Task(task, self._ready.append, name if name is not None else _name_of(task), self._spawned)
        self._live[task] = record
        self._ready.append(record)
        return record

    def run(self) -> None:
        """Run every spawned task, in turn, until all have ended.

        Returns ``None`` when every task returned.  Raises
        :class:`ExceptionGroup` after every task has ended if any task raised
        an :class:`Exception`: the group holds each one, in the order they
        were raised, with a note naming the task; a task left waiting forever
        adds a :class:`Deadlock`.  An exception that is not an
        :class:`Exception` (``KeyboardInterrupt``) propagates at once and the
        remaining tasks stay spawned.  Raises :class:`RuntimeError` when
        called from inside a task (``run()`` is already running).

        Calling ``run()`` again later runs the tasks spawned since.
        """
        if self._running:
            raise RuntimeError("run() is already running (a task cannot call run())")
        self._running = True
        try:
            failures = self._loop()
        finally:
            self._running = False
        if failures:
            noun = "task" if len(failures) == 1 else "tasks"
            raise ExceptionGroup(f"{len(failures)} {noun} failed", failures)

    def _loop(self) -> list[Exception]:
        # Discussion: this loop is the whole kernel.  Each turn resumes one
        # task (sending None, or throwing the error a bad yield earned) and
        # looks at what it yielded: None goes to the back of the line, a
        # Request takes the task, anything else is a mistake the task hears
        # about at its next turn, as a TypeError raised by its yield.  The
        # loop touches nothing but the ready queue on the way: parking and
        # waking cost a few attribute stores, because channels do both once
        # per few items.
        ready = self._ready
        failures: list[Exception] = []
        while ready:
            task = ready.popleft()
            try:
                if task._error is None:
                    request = task._gen.send(None)
                else:
                    error, task._error = task._error, None
                    request = task._gen.throw(error)
            except StopIteration:
                self._end(task)
                continue
            except Exception as exc:
                self._end(task)
                exc.add_note(f"raised by task {task.number} ({task.name})")
                failures.append(exc)
                continue
            except BaseException:
                self._end(task)
                raise
            if request is None:
                ready.append(task)
            elif isinstance(request, Request):
                task.state = TaskState.WAITING
                request._handle(task)
            else:
                task._error = TypeError(f"a task yields None or a Request, not {request!r}")
                ready.append(task)
        # Nothing is ready: every task still alive waits for something that
        # no task is left to do.
        for task in list(self._live.values()):
            failures.append(self._deadlocked(task))
        return failures

    def _deadlocked(self, task: Task) -> Deadlock:
        """End ``task``, which waits forever, closing its generator; the error that says so."""
        self._end(task)
        error = Deadlock(f"task {task.number} ({task.name}) waits forever: no task is left to wake it")
        try:
            task._gen.close()
        except Exception as exc:
            error.__context__ = exc
        return error

    def _end(self, task: Task) -> None:
        task.state = TaskState.DONE
        del self._live[task._gen]

    def __repr__(self) -> str:
        return f"<Scheduler: {len(self._live)} tasks, {len(self._ready)} ready>"


def _require_fresh(task: object) -> None:
    """Raise unless ``task`` is a generator that has not started."""
    if not isinstance(task, Generator):
        hint = " (call it: spawn(f()), not spawn(f))" if inspect.isgeneratorfunction(task) else ""
        raise TypeError(f"spawn() takes a generator, got {task!r}{hint}")
    if inspect.isgenerator(task) and inspect.getgeneratorstate(task) != inspect.GEN_CREATED:
        raise ValueError(f"{task!r} has already started; spawn() takes a fresh generator")


def _name_of(task: TaskGen) -> str:
    name = getattr(task, "__name__", None)
    return name if isinstance(name, str) else type(task).__name__
