"""The seed's producer/consumer generators, copied faithfully, with only what had to change.

Changed from the code as printed: the syntax errors (the over-indented
``while True:`` of the consumer, ``q`` for ``dq``); ``print`` writes to
:data:`OUTPUT` instead of the terminal; type annotations.  Adapted to the
pipeline contract's target shape, ``run(source, buffer, sink)``, as far as
needed and no further: the producer takes the items instead of making
``range(1, n)``, the consumer hands each item to a sink after printing it,
and the coordinator takes the deque and both ends instead of making them.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

OUTPUT = io.StringIO()
"""Where the seed's ``print`` calls write."""


def produce_elements(dq: deque[T], items: Iterable[T]) -> Generator[None, None, None]:
    for i in items:
        dq.appendleft(i)
        if len(dq) == dq.maxlen:
            print("Queue full - yielding control", file=OUTPUT)
            yield


def consume_elements(dq: deque[T], sink: Callable[[T], Any]) -> Generator[None, None, None]:
    while True:
        while len(dq) > 0:
            item = dq.pop()
            print("Processing item", item, file=OUTPUT)
            sink(item)
        print("Queue empty - yielding control", file=OUTPUT)
        yield


def coordinator(items: Iterable[T], dq: deque[T], sink: Callable[[T], Any]) -> None:
    producer = produce_elements(dq, items)
    consumer = consume_elements(dq, sink)
    while True:
        try:
            print("Producing...", file=OUTPUT)
            next(producer)
        except StopIteration:
            break
        finally:
            print("Consuming...", file=OUTPUT)
            next(consumer)
