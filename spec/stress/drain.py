"""The quiescent check: with every client done, one client drains the target.

A race can leave a structure wrong without any client seeing it during the
run: an item lost or duplicated, a size counter that drifted.  So after the
clients of a run have all returned, one more client (numbered after them)
asks the size and truth value, pops until the target says it is empty, and
asks both again.  Its calls go into the run's history like any others, and
the whole history, drain included, must be linearizable: a lost item makes
a pop raise "empty" while the item is still due, a duplicated one comes out
twice, a drifted size disagrees with every item count.

The drain pops at most once more than the scenario pushed: a target that
keeps answering items by then has answered one more than it was given,
which the check rejects anyway.
"""

from __future__ import annotations

from collections.abc import Generator

from spec.linearize import Raised
from spec.stress.driver import Driver

__all__ = ["describe", "drain"]

_SIZE = ("len", "bool")


def drain(driver: Driver, pushes: int) -> Generator[str, object, None]:
    """The drain's calls, one operation name at a time; send each call's output back.

    ``pushes`` is how many items the scenario pushed.  A pop's output is a
    :class:`~spec.linearize.Raised` when it signalled empty.
    """
    sizes = [op for op in _SIZE if op in driver]
    for op in sizes:
        yield op
    for _ in range(pushes + 1):
        if isinstance((yield "pop"), Raised):
            break
    for op in sizes:
        yield op


def describe(driver: Driver, var: str) -> str:
    """The drain as a line of the printed program."""
    sizes = [driver.source(op, var) for op in _SIZE if op in driver]
    pop = f"{driver.source('pop', var)} until it {driver.says_empty}"
    return "; ".join([*sizes, pop, *sizes])
