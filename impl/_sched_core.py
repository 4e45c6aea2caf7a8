"""What the kernel and its requests share: the task record and the request base class.

A task reaches the kernel in exactly one way: it ``yield``\\ s.  A bare
``yield`` (``None``) gives up control; any other request is an instance of
:class:`Request`, and the kernel's only move with it is to call its
``_handle(task)`` with the task suspended.  The request then owns the task
until it calls :meth:`Task.wake`, which puts the task back at the end of the
ready queue.  Everything a task can wait for (a channel slot, an item, a lock)
is built from that one hook; the kernel knows nothing about any of them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Generator
from typing import Any, TypeAlias

__all__ = ["Request", "Task", "TaskGen", "TaskState"]

TaskGen: TypeAlias = Generator["Request | None", None, Any]
"""A task: a generator that yields ``None`` (switch) or a :class:`Request`, and is sent ``None``."""


class TaskState(enum.Enum):
    """Where a task is: ``READY`` (in the ready queue or running), ``WAITING`` (held by a request), ``DONE``."""

    READY = "ready"
    WAITING = "waiting"
    DONE = "done"


class Task:
    """A spawned generator and its bookkeeping; made by ``Scheduler.spawn``.

    ``number`` is the spawn order (1, 2, ...) and ``name`` a label for
    reports (the generator's name unless ``spawn`` was given one); both only
    identify the task, they never affect scheduling.
    """

    __slots__ = ("_error", "_gen", "_ready", "name", "number", "state")

    _gen: Generator[object, None, object]  # the kernel checks what it yields, whatever its type says
    _ready: Callable[[Task], None]  # appends to the scheduler's ready queue
    _error: BaseException | None
    name: str
    number: int
    state: TaskState

    def __init__(self, gen: TaskGen, ready: Callable[[Task], None], name: str, number: int) -> None:
        self._gen = gen
        self._ready = ready
        self._error = None
        self.name = name
        self.number = number
        self.state = TaskState.READY

    def wake(self) -> bool:
        """Make a waiting task ready again; it resumes with ``None`` from its ``yield``.

        Returns ``False`` (and does nothing) if the task is not waiting: it was
        woken already, or it ended while waiting.  Called by requests only.
        """
        if self.state is not TaskState.WAITING:
            return False
        self.state = TaskState.READY
        self._ready(self)
        return True

    def __repr__(self) -> str:
        return f"<Task {self.number} {self.name!r} {self.state.value}>"


class Request:
    """What a task may yield besides ``None``: a request the kernel hands the task to.

    Subclasses implement :meth:`_handle` (a plain base class, not an ABC:
    the kernel's ``isinstance`` check is on the hot path), which the kernel calls right after
    the task yielded the request, with the task already marked waiting.  The
    request must arrange for :meth:`Task.wake` to be called when the task may
    go on (possibly at once); until then the task does not run.
    """

    __slots__ = ()

    def _handle(self, task: Task) -> None:
        """Take charge of the waiting ``task`` (store it, or wake it at once)."""
        raise NotImplementedError(f"{type(self).__qualname__} does not implement _handle()")
