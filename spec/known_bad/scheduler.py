"""Schedulers that are each wrong in one way; see :mod:`spec.known_bad`.

Each class starts from a correct round-robin scheduler, :class:`_Scheduler`,
and breaks one thing.
"""

from __future__ import annotations

import contextlib
import inspect
from collections import deque
from collections.abc import Generator
from typing import Any

from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]

Task = Generator[Any, Any, Any]


class _Scheduler:
    """A correct scheduler: FIFO ready queue, failures gathered into a group."""

    ready: deque[Task]
    failures: list[Exception]

    def __init__(self) -> None:
        self.ready = deque()
        self.failures = []

    def spawn(self, task: Task) -> None:
        self.ready.append(task)

    def next_task(self) -> Task:
        return self.ready.popleft()

    def resume(self, task: Task) -> None:
        """One turn of ``task``: back in line if it yields, failure noted if it raises."""
        try:
            task.send(None)
        except StopIteration:
            return
        except Exception as exc:
            self.fail(exc)
            return
        self.ready.append(task)

    def fail(self, exc: Exception) -> None:
        self.failures.append(exc)

    def run(self) -> None:
        while self.ready:
            self.resume(self.next_task())
        self.finish()

    def finish(self) -> None:
        if self.failures:
            failures, self.failures = self.failures, []
            raise ExceptionGroup("tasks failed", failures)


class LifoScheduler(_Scheduler):
    def next_task(self) -> Task:
        return self.ready.pop()


class RunToCompletion(_Scheduler):
    """Runs each task to its end before starting the next (the seed's plain loop)."""

    def resume(self, task: Task) -> None:
        try:
            for _ in task:
                pass
        except Exception as exc:
            self.fail(exc)


class DropsSpawnedWhileRunning(_Scheduler):
    """Takes a snapshot of the tasks when run() starts; spawns made later are lost."""

    def run(self) -> None:
        tasks, self.ready = self.ready, deque()
        while tasks:
            task = tasks.popleft()
            try:
                task.send(None)
            except StopIteration:
                continue
            except Exception as exc:
                self.fail(exc)
                continue
            tasks.append(task)
        self.finish()


class StopsAtFirstFailure(_Scheduler):
    """Raises a task's exception at once, leaving the other tasks unfinished."""

    def fail(self, exc: Exception) -> None:
        self.ready.clear()
        raise exc


class SwallowsFailures(_Scheduler):
    """Logs nothing, raises nothing: a failing task just disappears."""

    def fail(self, exc: Exception) -> None:
        pass


class KeepsLastFailure(_Scheduler):
    """Raises only the last task's exception, losing the others."""

    def finish(self) -> None:
        if self.failures:
            failures, self.failures = self.failures, []
            raise failures[-1]


class EagerSpawn(_Scheduler):
    """Runs a task's first step inside spawn(), as asyncio's eager task factory does."""

    def spawn(self, task: Task) -> None:
        self.resume(task)


class SendsScheduler(_Scheduler):
    """Resumes every task with send(self), so that a yield evaluates to the scheduler."""

    def resume(self, task: Task) -> None:
        try:
            # A generator that has not started can only be sent None.
            task.send(None if inspect.getgeneratorstate(task) == inspect.GEN_CREATED else self)
        except StopIteration:
            return
        except Exception as exc:
            self.fail(exc)
            return
        self.ready.append(task)


class IteratesWhileSpawning(_Scheduler):
    """Gives each task one turn per round, iterating over the ready deque: a spawn mutates it mid-round."""

    def run(self) -> None:
        while self.ready:
            finished = [task for task in self.ready if not self.turn(task)]
            for task in finished:
                self.ready.remove(task)
        self.finish()

    def turn(self, task: Task) -> bool:
        """One turn of ``task``; whether it is still alive."""
        try:
            task.send(None)
        except StopIteration:
            return False
        except Exception as exc:
            self.fail(exc)
            return False
        return True


class ForgetsToStop(_Scheduler):
    """Puts every task back in line after its turn, also a finished one: run() never returns."""

    def resume(self, task: Task) -> None:
        with contextlib.suppress(StopIteration):
            task.send(None)
        self.ready.append(task)


_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:EagerSpawn", "SC1", "spawn() runs the task's first step at once"),
    KnownBad(f"{_M}:SendsScheduler", "SC1", "a bare yield evaluates to the scheduler, not None"),
    KnownBad(f"{_M}:DropsSpawnedWhileRunning", "SC2", "tasks spawned while run() runs are never run"),
    KnownBad(f"{_M}:StopsAtFirstFailure", "SC2", "the first failing task stops the others"),
    KnownBad(f"{_M}:LifoScheduler", "SC3", "the ready queue is a stack: the task that yields runs again"),
    KnownBad(f"{_M}:RunToCompletion", "SC3", "each task runs to its end before the next starts"),
    KnownBad(f"{_M}:SwallowsFailures", "SC4", "a failing task's exception is dropped"),
    KnownBad(f"{_M}:KeepsLastFailure", "SC4", "run() raises only the last failure"),
    KnownBad(f"{_M}:IteratesWhileSpawning", "SC5", "run() raises RuntimeError when a task spawns"),
    KnownBad(f"{_M}:ForgetsToStop", "SC5", "run() never returns: finished tasks stay in line", timeout=0.25),
)
