"""A preemptive simulator: the same read-modify-write, switched at any step.

Each task adds 1 to a shared counter ``increments`` times, as two steps: it
*reads* the counter into a local, then *writes* the local plus one.  Under a
cooperative scheduler the task yields only after the write, so nothing runs
between its read and its write.  Under preemption the interpreter may switch
tasks between any two steps, as a thread may be switched between any two
bytecodes; the simulator makes every step a switch point and lets a list of
*switches* (drawn by Hypothesis) choose what runs next: ``0`` keeps running
the current task, ``k`` moves on to the ``k``-th next runnable task.  Once
the list runs out, the current task keeps running.

:func:`find_lost_update` asks Hypothesis for switches that lose an update,
and Hypothesis shrinks what it finds to the smallest such interleaving.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

import hypothesis
from hypothesis import Phase
from hypothesis import strategies as st

__all__ = ["Interleaving", "Step", "find_lost_update", "simulate"]

_NAMES = "abcd"


@dataclass(frozen=True)
class Step:
    """One step of the simulation: ``task`` ``action``\\ s the counter (``"reads"``/``"writes"``) ``value``."""

    task: str
    action: str
    value: int

    def __str__(self) -> str:
        return f"{self.task} {self.action} counter = {self.value}"


@dataclass(frozen=True)
class Interleaving:
    """A finished simulation: the steps in the order they ran, and the counter at the end."""

    tasks: int
    increments: int
    switches: tuple[int, ...]
    steps: tuple[Step, ...]
    counter: int

    @property
    def expected(self) -> int:
        return self.tasks * self.increments

    @property
    def lost(self) -> int:
        """How many updates were lost."""
        return self.expected - self.counter

    def __str__(self) -> str:
        lines = [str(step) for step in self.steps]
        noun = "increment" if self.increments == 1 else "increments"
        lines.append(
            f"{self.tasks} tasks of {self.increments} {noun} each: counter = {self.counter}, "
            f"expected {self.expected} ({self.lost} lost)"
        )
        return "\n".join(lines)


def _incrementer(
    name: str, counter: list[int], increments: int, steps: list[Step], preemptible: bool
) -> Generator[None, None, None]:
    for _ in range(increments):
        value = counter[0]
        steps.append(Step(name, "reads", value))
        if preemptible:
            yield  # under preemption, a switch may come between the read and the write
        counter[0] = value + 1
        steps.append(Step(name, "writes", value + 1))
        yield


def simulate(tasks: int, increments: int, switches: Sequence[int], *, preemptible: bool = True) -> Interleaving:
    """Run ``tasks`` incrementers, switching as ``switches`` say; the resulting interleaving.

    With ``preemptible=False`` a task can be switched only after a write, as
    on a cooperative scheduler, and no update is ever lost.
    """
    counter = [0]
    steps: list[Step] = []
    runnable = [_incrementer(_NAMES[i], counter, increments, steps, preemptible) for i in range(tasks)]
    current = turn = 0
    while runnable:  # every turn moves one task on, so the loop ends
        choice = switches[turn] if turn < len(switches) else 0
        turn += 1
        current = (current + choice) % len(runnable)
        try:
            next(runnable[current])
        except StopIteration:
            del runnable[current]
            current = current % len(runnable) if runnable else 0
    return Interleaving(tasks, increments, tuple(switches), tuple(steps), counter[0])


def find_lost_update(*, preemptible: bool = True, max_examples: int = 1000, shrink: bool = True) -> Interleaving | None:
    """The smallest interleaving Hypothesis finds that loses an update, or ``None``.

    Deterministic: the search is derandomized and keeps no database, so the
    answer is the same on every run.  With ``shrink=False`` the answer is
    the first losing interleaving found, as found.
    """
    cases = st.tuples(st.integers(1, 4), st.integers(1, 3), st.lists(st.integers(0, 3), max_size=24))
    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    settings = hypothesis.settings(database=None, derandomize=True, max_examples=max_examples, phases=phases)
    try:
        tasks, increments, switches = hypothesis.find(
            cases,
            lambda case: simulate(*case, preemptible=preemptible).lost > 0,
            settings=settings,
        )
    except hypothesis.errors.NoSuchExample:
        return None
    return simulate(tasks, increments, switches, preemptible=preemptible)
