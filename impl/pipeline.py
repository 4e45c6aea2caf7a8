"""Producer and consumer over a bounded deque: generators taking turns, and the subroutine version.

``coordinator(items, buffer, sink)`` follows the ``pipeline`` contract
(``python -m spec list``): every item reaches ``sink`` exactly once and in
order, no item is ever added to a full buffer, at most ``maxlen`` items are
pulled ahead of the sink, and a failure of the source or the sink propagates
with nothing lost.  It is built from the seed's two generators, fixed:

* :func:`produce_elements` fills the buffer and yields when it is full;
* :func:`consume_elements` empties it into the sink and yields when it is empty;
* :func:`drive` runs them in turns and closes both at the end, whatever happened.

The subroutine version (:func:`subroutine`: produce everything into an
unbounded deque, then consume everything) is correct too, but holds every
item at once; that is why the generators exist.

Discussion (speed): the producer moves items with ``dq.extendleft(islice(it,
room))``, where ``room`` is the free space in the buffer: the loop over the
items runs in C, it can never overfill the buffer, and the producer learns
that the source is exhausted when a fill leaves the buffer short of full.
The consumer pops one item per sink call, so that an item leaves the buffer
just before the sink sees it: when the sink raises, every later item is still
in the buffer.  Per item, that is one C-level transfer in, and ``pop`` plus a
sink call out: about what a bare ``append``/``popleft`` loop costs.  The
rest is paid per buffer-full (one ``islice``, two generator switches), so a
small ``maxlen`` costs more: with ``maxlen`` 1 every item pays for it
(``bench/bench_pipeline.py`` measures both).  Delivering a batch with a
C-level ``map`` over the buffer is no faster at ``maxlen`` 10, and would need
repairs to leave the buffer right when the sink raises.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable
from inspect import GEN_CLOSED, getgeneratorstate
from itertools import islice
from typing import NoReturn, TypeVar

__all__ = [
    "consume_all",
    "consume_elements",
    "coordinator",
    "drive",
    "produce_all",
    "produce_elements",
    "subroutine",
]

T = TypeVar("T")


def _bounded(dq: deque[T]) -> int:
    """``dq.maxlen``; :class:`ValueError` unless it is at least 1."""
    maxlen = dq.maxlen
    if maxlen is None:
        raise ValueError("the buffer must be a bounded deque (maxlen >= 1), got an unbounded one")
    if maxlen < 1:
        raise ValueError(
            f"the buffer must be a bounded deque (maxlen >= 1), got maxlen={maxlen}: it would lose every item"
        )
    return maxlen


def produce_elements(dq: deque[T], items: Iterable[T]) -> Generator[None, None, None]:
    """Move the items of ``items`` into ``dq`` (newest at the left), yielding whenever ``dq`` is full.

    An item is pulled only when ``dq`` has room for it, so nothing is ever
    added to a full deque and at most ``maxlen`` items are pulled ahead of
    whoever empties ``dq``.  Returns when ``items`` is exhausted; raises what
    ``items`` raises, with every item pulled before it in ``dq``.  Raises
    :class:`ValueError` (at the first ``next``) unless ``dq.maxlen >= 1``.
    """
    maxlen = _bounded(dq)
    fill = dq.extendleft
    source = iter(items)
    while True:
        fill(islice(source, maxlen - len(dq)))
        if len(dq) < maxlen:
            return
        yield


def consume_elements(dq: deque[T], sink: Callable[[T], object]) -> Generator[None, None, NoReturn]:
    """Hand every item of ``dq`` to ``sink``, oldest (rightmost) first, then yield; forever.

    Each item leaves ``dq`` just before ``sink`` gets it: if ``sink`` raises,
    the generator raises that exception and is finished, with every later item
    still in ``dq`` (a :class:`StopIteration` from ``sink`` becomes
    :class:`RuntimeError`, as in any generator).  It never returns; close it
    when done.
    """
    pop = dq.pop
    while True:
        while dq:
            sink(pop())
        yield


def drive(producer: Generator[object, None, object], consumer: Generator[object, None, object]) -> None:
    """Run ``producer`` and ``consumer`` in turns until the producer ends; close both.

    After each yield of the producer, the consumer runs once.  When the
    producer returns, the consumer runs once more, for the last, partial
    batch.  When the producer raises, the consumer also runs once more before
    the exception propagates, so that what was produced is delivered.  When
    the consumer raises, its exception propagates at once.  Either way both
    generators are closed on the way out (``GEN_CLOSED``).  Raises
    :class:`RuntimeError` if the consumer returns: it must run until closed.
    """
    resume = consumer.__next__
    try:
        try:
            for _ in producer:
                resume()
            resume()
        except StopIteration:  # only the consumer's: the for loop takes the producer's
            raise RuntimeError(_RETURNED) from None
        except Exception:
            if getgeneratorstate(consumer) != GEN_CLOSED:  # the producer failed, not the consumer
                _resume(consumer)
            raise
    finally:
        producer.close()
        consumer.close()


_RETURNED = "the consumer returned; it must run until it is closed"


def _resume(consumer: Generator[object, None, object]) -> None:
    try:
        next(consumer)
    except StopIteration:
        raise RuntimeError(_RETURNED) from None


def coordinator(items: Iterable[T], buffer: deque[T], sink: Callable[[T], object]) -> None:
    """Move every item of ``items`` through ``buffer`` to ``sink``, in order, each exactly once.

    ``buffer`` must be a deque with ``maxlen >= 1`` (:class:`ValueError`
    otherwise, before anything is pulled); items already in it are delivered
    first.  ``items`` is read lazily, at most ``maxlen`` items ahead of
    ``sink``, so it may be endless.  On return, ``items`` is exhausted and
    ``buffer`` is empty.

    Raises what ``sink`` raises, at once (the item it failed on has left the
    buffer, every later one is still in it), and what ``items`` raises, after
    delivering every item before the failure.
    """
    _bounded(buffer)
    drive(produce_elements(buffer, items), consume_elements(buffer, sink))


def produce_all(dq: deque[T], items: Iterable[T]) -> None:
    """Move every item of ``items`` into ``dq``, newest at the left.

    ``dq`` must be unbounded (:class:`ValueError` otherwise): a bounded deque
    would silently discard items once full.
    """
    if dq.maxlen is not None:
        raise ValueError(f"produce_all needs an unbounded deque, got maxlen={dq.maxlen}: it would discard items")
    dq.extendleft(items)


def consume_all(dq: deque[T], sink: Callable[[T], object]) -> None:
    """Hand every item of ``dq`` to ``sink``, oldest (rightmost) first, until ``dq`` is empty.

    If ``sink`` raises, the item it failed on has left ``dq`` and every later
    one is still in it.
    """
    pop = dq.pop
    while dq:
        sink(pop())


def subroutine(items: Iterable[T], sink: Callable[[T], object]) -> None:
    """The subroutine version: produce every item into a new unbounded deque, then consume them all.

    Every item reaches ``sink`` exactly once, in order, but only after all of
    ``items`` has been read and held in memory at once: an endless ``items``
    never finishes.
    """
    dq: deque[T] = deque()
    produce_all(dq, items)
    consume_all(dq, sink)
