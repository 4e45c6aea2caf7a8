"""Pipelines that are each wrong in one way; see :mod:`spec.known_bad`.

Each starts from the seed's correct shape -- a producer generator that adds
items at the left and yields when the deque is full, a consumer generator
that pops from the right until the deque is empty, and the seed's
coordinator -- and breaks one thing.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import suppress
from itertools import chain, islice
from typing import Any

from spec.known_bad import KnownBad

__all__ = ["CATALOGUE"]

Buffer = deque[Any]
Sink = Callable[[Any], object]
Gen = Generator[None, None, None]


def _produce(dq: Buffer, items: Iterable[Any]) -> Gen:
    for item in items:
        dq.appendleft(item)
        if len(dq) == dq.maxlen:
            yield


def _consume(dq: Buffer, sink: Sink) -> Gen:
    while True:
        while dq:
            sink(dq.pop())
        yield


def _coordinate(producer: Gen, consumer: Gen) -> None:
    """The seed's coordinator: a consumer turn after every producer turn, and one more at the end."""
    while True:
        try:
            next(producer)
        except StopIteration:
            break
        finally:
            next(consumer)


def never_yields_when_full(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    def produce(dq: Buffer, items: Iterable[Any]) -> Gen:
        for item in items:
            dq.appendleft(item)
        yield

    _coordinate(produce(buffer, source), _consume(buffer, sink))


def pops_the_wrong_end(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    def consume(dq: Buffer, sink: Sink) -> Gen:
        while True:
            while dq:
                sink(dq.popleft())
            yield

    _coordinate(_produce(buffer, source), consume(buffer, sink))


def skips_the_first_item(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """The seed's ``range(1, n)``: the first item is never produced."""
    _coordinate(_produce(buffer, islice(source, 1, None)), _consume(buffer, sink))


def delivers_the_last_batch_twice(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """Remembers each batch for a final flush, and flushes the last one again."""
    batch: list[Any] = []

    def consume(dq: Buffer, sink: Sink) -> Gen:
        while True:
            batch.clear()
            while dq:
                item = dq.pop()
                batch.append(item)
                sink(item)
            yield

    _coordinate(_produce(buffer, source), consume(buffer, sink))
    for item in batch:
        sink(item)


def one_item_per_turn(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """The consumer takes one item per turn while the producer fills the buffer."""

    def consume(dq: Buffer, sink: Sink) -> Gen:
        while True:
            if dq:
                sink(dq.pop())
            yield

    _coordinate(_produce(buffer, source), consume(buffer, sink))


def reads_the_source_first(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """``list(source)`` before producing: the whole source is in memory at once."""
    _coordinate(_produce(buffer, list(source)), _consume(buffer, sink))


def swallows_sink_errors(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """A failing item is skipped and the consumer goes on."""

    def consume(dq: Buffer, sink: Sink) -> Gen:
        while True:
            while dq:
                item = dq.pop()
                with suppress(Exception):
                    sink(item)
            yield

    _coordinate(_produce(buffer, source), consume(buffer, sink))


def drops_the_buffer_when_the_source_fails(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """No ``finally``: a failing source leaves the items in the buffer undelivered."""
    producer, consumer = _produce(buffer, source), _consume(buffer, sink)
    for _ in producer:
        next(consumer)
    next(consumer)


def primes_with_next(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """Takes the first item with ``next(source)``: an empty source raises StopIteration out of run."""
    first = next(source)
    _coordinate(_produce(buffer, chain([first], source)), _consume(buffer, sink))


def keeps_a_slot_free(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """Moves batches of maxlen - 1 items; with maxlen 1 the first batch is empty and it stops."""
    assert buffer.maxlen is not None
    batch = buffer.maxlen - 1
    while True:
        try:
            buffer.extendleft(islice(source, batch))
            got = len(buffer)
        finally:
            while buffer:
                sink(buffer.pop())
        if not got:
            return


def lets_stop_iteration_escape(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """The seed's coordinator without ``except StopIteration``: the producer's end escapes run."""
    producer, consumer = _produce(buffer, source), _consume(buffer, sink)
    while True:
        try:
            next(producer)
        finally:
            next(consumer)


def never_resumes_the_producer(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """After the producer's first turn, only the consumer runs, waiting for items that never come."""
    producer, consumer = _produce(buffer, source), _consume(buffer, sink)
    next(producer, None)
    while True:
        next(consumer)


# -- values: what the items are ----------------------------------------------------------------


def skips_a_repeated_item(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """An "exactly once" guard: an item equal to the one just delivered is taken for a duplicate."""
    last: list[Any] = []

    def deliver(item: Any) -> None:
        if last and last[0] == item:
            return
        last[:] = [item]
        sink(item)

    _coordinate(_produce(buffer, source), _consume(buffer, deliver))


def takes_none_for_an_empty_buffer(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """The consumer pops until it pops ``None``, its "nothing left" value: a ``None`` item is lost."""

    def consume(dq: Buffer, sink: Sink) -> Gen:
        while True:
            while (item := dq.pop() if dq else None) is not None:
                sink(item)
            yield

    _coordinate(_produce(buffer, source), consume(buffer, sink))


def ends_at_a_none_item(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """``iter(lambda: next(source, None), None)``: the source "ends" at its first ``None`` item."""
    _coordinate(_produce(buffer, iter(lambda: next(source, None), None)), _consume(buffer, sink))


def copies_each_item(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """A defensive ``copy.copy`` on the way in: the sink gets copies of mutable items, not the items."""
    _coordinate(_produce(buffer, map(copy.copy, source)), _consume(buffer, sink))


def tracks_items_in_a_set(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """Keeps the items in flight in a set, to check them off: an unhashable item raises TypeError."""
    in_flight: set[Any] = set()

    def tracked() -> Iterator[Any]:
        for item in source:
            in_flight.add(item)
            yield item

    def deliver(item: Any) -> None:
        in_flight.discard(item)
        sink(item)

    _coordinate(_produce(buffer, tracked()), _consume(buffer, deliver))


# -- sizes: what only a long run shows ------------------------------------------------------------


def gives_up_after_32_turns(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """A guard against a runaway producer: at most 32 turns each, then run returns."""
    producer, consumer = _produce(buffer, source), _consume(buffer, sink)
    for _ in range(32):
        try:
            next(producer)
        except StopIteration:
            break
        finally:
            next(consumer)


def recurses_per_item(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """Moves one item and calls itself for the rest: RecursionError about a thousand items in."""
    try:
        item = next(source)
    except StopIteration:
        return
    buffer.appendleft(item)
    sink(buffer.pop())
    recurses_per_item(source, buffer, sink)


def delivers_at_most_64_per_turn(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """The consumer takes at most 64 items per turn, to stay responsive; the last turn leaves the rest."""

    def consume(dq: Buffer, sink: Sink) -> Gen:
        while True:
            for _ in range(min(len(dq), 64)):
                sink(dq.pop())
            yield

    _coordinate(_produce(buffer, source), consume(buffer, sink))


def drops_an_item_every_40(source: Iterator[Any], buffer: Buffer, sink: Sink) -> None:
    """The producer pauses every 40 items to let the consumer catch up, and drops the item in hand."""

    def produce(dq: Buffer, items: Iterable[Any]) -> Gen:
        for n, item in enumerate(items, 1):
            if n % 40 == 0:
                yield
                continue
            dq.appendleft(item)
            if len(dq) == dq.maxlen:
                yield

    _coordinate(produce(buffer, source), _consume(buffer, sink))


_M = __name__
CATALOGUE = (
    KnownBad(f"{_M}:delivers_the_last_batch_twice", "P1", "flushes the last batch a second time at the end"),
    KnownBad(f"{_M}:pops_the_wrong_end", "P1", "the consumer pops the newest item (popleft after appendleft)"),
    KnownBad(f"{_M}:skips_the_first_item", "P1", "the first item is never produced (the seed's range(1, n))"),
    KnownBad(f"{_M}:never_yields_when_full", "P2", "the producer never yields, so a full deque drops items"),
    KnownBad(f"{_M}:reads_the_source_first", "P3", "list(source) before producing anything"),
    KnownBad(f"{_M}:one_item_per_turn", "P4", "the consumer takes one item per turn and leaves the rest"),
    KnownBad(f"{_M}:swallows_sink_errors", "P5", "skips an item the sink fails on and carries on"),
    KnownBad(f"{_M}:drops_the_buffer_when_the_source_fails", "P6", "no final drain when the source raises"),
    KnownBad(f"{_M}:primes_with_next", "P7", "next(source) up front: an empty source raises StopIteration"),
    KnownBad(f"{_M}:keeps_a_slot_free", "P7", "batches of maxlen - 1 items: with maxlen 1 nothing moves"),
    KnownBad(f"{_M}:lets_stop_iteration_escape", "P8", "no except StopIteration: the producer's end escapes run"),
    KnownBad(f"{_M}:never_resumes_the_producer", "P8", "resumes only the consumer, forever", timeout=0.25),
    KnownBad(f"{_M}:skips_a_repeated_item", "P1", "drops an item equal to the one just delivered"),
    KnownBad(f"{_M}:takes_none_for_an_empty_buffer", "P1", "a None item reads as an empty buffer and is lost"),
    KnownBad(f"{_M}:ends_at_a_none_item", "P1", "iter(lambda: next(source, None), None): a None item ends the run"),
    KnownBad(f"{_M}:copies_each_item", "P1", "copy.copy(item) on the way in: the sink gets copies"),
    KnownBad(f"{_M}:tracks_items_in_a_set", "P8", "a set of the items in flight: an unhashable item raises"),
    KnownBad(f"{_M}:gives_up_after_32_turns", "P4", "at most 32 producer turns, then run returns"),
    KnownBad(f"{_M}:recurses_per_item", "P8", "one recursive call per item: RecursionError after ~1000 items"),
    KnownBad(f"{_M}:delivers_at_most_64_per_turn", "P4", "at most 64 items per consumer turn: maxlen > 64 leaves some"),
    KnownBad(f"{_M}:drops_an_item_every_40", "P1", "pauses every 40 items and drops the item in hand"),
)
