"""Known causes: what a failure on a well-known target is, when its documentation says so.

Some targets break linearizability by design and say so in their
documentation.  The stress oracle reports their histories like any other
(the verdict does not change) and adds a note naming the documented cause,
so that the report explains itself instead of looking like a bug found.
"""

from __future__ import annotations

import multiprocessing.queues

from spec.linearize import LinearizabilityResult

__all__ = ["FEEDER_NOTE", "explain"]

FEEDER_NOTE = (
    "multiprocessing.Queue documents this. put() hands the item to a feeder thread of the putting process, "
    'which writes it to a pipe a moment later: "After putting an object on an empty queue there may be an '
    "infinitesimal delay before the queue's empty() method returns False and get_nowait() can return without "
    'raising queue.Empty", and "If multiple processes are enqueuing objects, it is possible for the objects to '
    'be received at the other end out-of-order" (Python documentation, multiprocessing, Pipes and Queues). '
    "A put() that returned has not yet taken effect, so the queue is not linearizable; a blocking get() waits "
    "for an item in flight, and items put by one process keep their order."
)


def explain(shape: type, result: LinearizabilityResult) -> str | None:
    """The documented cause of ``result`` (a failed check) for instances of ``shape``, or ``None``.

    Known: a ``multiprocessing.Queue`` (or a subclass) whose history cannot
    be linearized (the feeder thread's delay, see :data:`FEEDER_NOTE`).
    """
    if result.ok or not issubclass(shape, multiprocessing.queues.Queue):
        return None
    return FEEDER_NOTE
