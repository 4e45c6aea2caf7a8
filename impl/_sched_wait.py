"""Wait queues: where tasks wait for something, apart from the kernel.

A :class:`WaitQueue` is a first-in, first-out line of waiting tasks.  A task
joins it by yielding ``queue.wait()``; whoever changes what the tasks wait for
(a channel that gains an item) calls :meth:`WaitQueue.wake_one` or
:meth:`WaitQueue.wake_all`.  A woken task is only *ready*: it runs when its
turn comes, and by then another task may have taken what it was woken for,
so waiters re-check their condition in a loop::

    while not items:
        yield getters.wait()
    item = items.popleft()
"""

from __future__ import annotations

from collections import deque

from impl._sched_core import Request, Task

__all__ = ["WaitQueue"]


class WaitQueue:
    """Tasks waiting for the same thing, woken oldest first.

    Runtime complexity: ``wait`` and ``wake_one`` O(1) (amortised
    over tasks that ended while waiting); ``wake_all`` O(waiting tasks).
    """

    __slots__ = ("_request", "waiting")

    waiting: deque[Task]
    """The tasks in line, oldest first (read it, do not change it).

    A plain attribute, so that ``if queue.waiting:`` costs no call: a channel
    asks it once per item.  A task that ended while waiting stays in line
    until a wake skips it.
    """
    _request: _Wait

    def __init__(self) -> None:
        self.waiting = deque()
        # One request object serves every wait: yielding it allocates nothing.
        self._request = _Wait(self.waiting)

    def wait(self) -> Request:
        """The request to yield to wait in this queue (``yield queue.wait()``).  Never raises."""
        return self._request

    def wake_one(self) -> bool:
        """Wake the task that has waited longest; ``False`` if none is waiting.  Never raises."""
        tasks = self.waiting
        while tasks:
            if tasks.popleft().wake():
                return True
        return False

    def wake_all(self) -> int:
        """Wake every waiting task, oldest first; return how many.  Never raises."""
        woken = 0
        while self.wake_one():
            woken += 1
        return woken

    def __repr__(self) -> str:
        return f"WaitQueue({list(self.waiting)!r})"


class _Wait(Request):
    """The request behind :meth:`WaitQueue.wait`: join the end of the line."""

    __slots__ = ("_tasks",)

    _tasks: deque[Task]

    def __init__(self, tasks: deque[Task]) -> None:
        self._tasks = tasks

    def _handle(self, task: Task) -> None:
        self._tasks.append(task)
