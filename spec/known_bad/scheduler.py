"""Schedulers that are each wrong in one way; see :mod:`spec.known_bad`.

Each class starts from a correct round-robin scheduler, :class:`_Scheduler`,
and breaks one thing.
"""

from __future__ import annotations

import contextlib
import inspect
from collections import deque
from collections.abc import Generator
from typing import Any, ClassVar

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


# -- sizes: what only a long run shows -------------------------------------------------------------


class RecursesPerTurn(_Scheduler):
    """run() takes one turn and calls itself for the rest: RecursionError about a thousand turns in."""

    def run(self) -> None:
        if not self.ready:
            self.finish()
            return
        self.resume(self.next_task())
        self.run()


class DropsARunaway(_Scheduler):
    """A task still running after 32 turns is taken for a runaway and dropped."""

    turns: dict[int, int]

    def __init__(self) -> None:
        super().__init__()
        self.turns = {}

    def resume(self, task: Task) -> None:
        count = self.turns[id(task)] = self.turns.get(id(task), 0) + 1
        if count > 32:
            return
        super().resume(task)


class RingOf64(_Scheduler):
    """The ready queue is a ring of 64 slots: the 65th task ready at once overwrites the oldest."""

    ring: list[Task | None]
    head: int
    count: int

    def __init__(self) -> None:
        super().__init__()
        self.ring, self.head, self.count = [None] * 64, 0, 0

    def spawn(self, task: Task) -> None:
        self.ring[(self.head + self.count) % 64] = task
        self.count = min(self.count + 1, 64)  # full: the slot written was the oldest task's

    def run(self) -> None:
        while self.count:
            task = self.ring[self.head]
            assert task is not None
            self.head, self.count = (self.head + 1) % 64, self.count - 1
            try:
                task.send(None)
            except StopIteration:
                continue
            except Exception as exc:
                self.fail(exc)
                continue
            self.spawn(task)
        self.finish()


class GrowsWithoutUnwrapping(RingOf64):
    """The ready ring starts with 8 slots and doubles when full, copying the slots as they lie.

    Once the ring has wrapped, the copy leaves the oldest tasks behind the
    new empty slots: at the first growth past 8 ready tasks while running, turns are lost.
    """

    def __init__(self) -> None:
        super().__init__()
        self.ring = [None] * 8

    def spawn(self, task: Task) -> None:
        size = len(self.ring)
        if self.count == size:
            self.ring = self.ring + [None] * size  # should unwrap from head first
        self.ring[(self.head + self.count) % len(self.ring)] = task
        self.count += 1

    def run(self) -> None:
        while self.count:
            task = self.ring[self.head]
            self.head, self.count = (self.head + 1) % len(self.ring), self.count - 1
            if task is None:
                continue
            try:
                task.send(None)
            except StopIteration:
                continue
            except Exception as exc:
                self.fail(exc)
                continue
            self.spawn(task)
        self.finish()


class CompactsEvery40Turns(_Scheduler):
    """The ready queue is a list read through an index, compacted every 40 turns, off by one: a task is lost."""

    queue: list[Task]
    head: int
    turns: int

    def __init__(self) -> None:
        super().__init__()
        self.queue, self.head, self.turns = [], 0, 0

    def spawn(self, task: Task) -> None:
        self.queue.append(task)

    def run(self) -> None:
        while self.head < len(self.queue):
            task = self.queue[self.head]
            self.head += 1
            self.turns += 1
            if self.turns % 40 == 0:
                del self.queue[: self.head + 1]  # one too many
                self.head = 0
            try:
                task.send(None)
            except StopIteration:
                continue
            except Exception as exc:
                self.fail(exc)
                continue
            self.queue.append(task)
        self.finish()


# -- independence: schedulers that share state --------------------------------------------------------


class ClassLevelQueue(_Scheduler):
    """The ready queue is a class attribute (a mutable default): every scheduler runs every task."""

    shared: ClassVar[deque[Task]] = deque()

    def __init__(self) -> None:
        super().__init__()
        self.ready = ClassLevelQueue.shared


class ResetsTheQueueInInit(_Scheduler):
    """The ready queue lives on the class and ``__init__`` resets it: a new scheduler empties the others."""

    queue: ClassVar[deque[Task]] = deque()

    def __init__(self) -> None:
        ResetsTheQueueInInit.queue = deque()
        self.failures = []

    @property
    def ready(self) -> deque[Task]:  # type: ignore[override]  # read-only on purpose: the class holds it
        return ResetsTheQueueInInit.queue


class KeepsFailuresOnTheClass(_Scheduler):
    """The failures are a class-level list, never cleared: a scheduler raises what another one's tasks raised."""

    lost: ClassVar[list[Exception]] = []

    def __init__(self) -> None:
        super().__init__()
        self.failures = KeepsFailuresOnTheClass.lost

    def finish(self) -> None:
        if self.failures:
            raise ExceptionGroup("tasks failed", list(self.failures))


class SpawnsIntoTheRunningOne(_Scheduler):
    """spawn() while any scheduler runs adds the task to the running one, as a global "current loop" would."""

    running: ClassVar[_Scheduler | None] = None

    def spawn(self, task: Task) -> None:
        (SpawnsIntoTheRunningOne.running or self).ready.append(task)

    def run(self) -> None:
        SpawnsIntoTheRunningOne.running = self
        try:
            super().run()
        finally:
            SpawnsIntoTheRunningOne.running = None


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
    KnownBad(f"{_M}:RecursesPerTurn", "SC5", "run() recurses once per turn: RecursionError after ~1000 turns"),
    KnownBad(f"{_M}:DropsARunaway", "SC2", "a task still running after 32 turns is dropped"),
    KnownBad(f"{_M}:RingOf64", "SC2", "a ready ring of 64 slots: the 65th ready task overwrites the oldest"),
    KnownBad(f"{_M}:GrowsWithoutUnwrapping", "SC2", "a ready ring that doubles from 8 without unwrapping loses tasks"),
    KnownBad(f"{_M}:CompactsEvery40Turns", "SC2", "a compaction every 40 turns, off by one, loses a task"),
    KnownBad(f"{_M}:ClassLevelQueue", "SC6", "the ready queue is a class attribute shared by every scheduler"),
    KnownBad(f"{_M}:ResetsTheQueueInInit", "SC6", "__init__ resets a class-level queue: a new one empties others"),
    KnownBad(f"{_M}:KeepsFailuresOnTheClass", "SC6", "a class-level list of failures, never cleared"),
    KnownBad(f"{_M}:SpawnsIntoTheRunningOne", "SC6", "spawn() while a scheduler runs adds to the running one"),
)
