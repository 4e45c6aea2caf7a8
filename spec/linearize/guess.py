"""The search's guesses: in which order to try operations, model by model.

A model's ``search_keys`` (see :mod:`spec.linearize.models`) tells the search
which of the operations that could go next to try first.  A guess changes
how fast an answer comes, never the answer: every alternative is still
tried before a configuration counts as failed.  But a history of 10^5
operations is checked in seconds only if the guesses are right nearly every
time, since a wrong one may surface only thousands of operations later.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, cast

from spec.linearize.ops import Operation, Raised

__all__ = ["container_keys", "container_suspects", "fifo_order", "kv_keys"]

# How many gets after a write the kv guess looks at to place it.
_LOOKAHEAD = 64

# Stacks are searched for suspect pairs of items by trying every pair: only
# up to this many items.
_STACK_PAIRS = 300


def container_keys(ops: Sequence[Operation], *, fifo: bool) -> list[Any]:
    """Keys for a queue (``fifo``) or a stack.

    Pops, peeks and len() change the state only as the model dictates (one
    item can be at the end), so they are tried first.  Pushes are tried in
    the order their items are guessed to have gone in: for a queue, the
    order they came out in (:func:`fifo_order`); for a stack, the reverse of
    the order their pops were called.
    """
    order = fifo_order(ops) if fifo else _lifo_order(ops)
    keys: list[Any] = []
    for position, op in enumerate(ops):
        if op.name in ("push", "enqueue"):
            keys.append((1, order.get(op.input_key, math.inf), op.call, position))
        else:
            keys.append((0, 0, op.call, position))
    return keys


def kv_keys(ops: Sequence[Operation]) -> list[Any]:
    """Keys for one key of a kv store.

    The value a get returns shows the order of the puts and appends before
    it: each write is tried in the order of the first get that shows its
    value (among a few gets after its call), then by where the value sits
    in it.  Writes no get shows come first: a get would have shown them
    unless a put overwrote them early.
    """
    gets = sorted(
        (op.ret, op.output) for op in ops if op.name == "get" and op.ret is not None and isinstance(op.output, str)
    )
    times = [ret for ret, _ in gets]
    keys: list[Any] = []
    for position, op in enumerate(ops):
        key: tuple[float, int] = (-math.inf, 0)
        if op.name != "get":
            value = op.input[1]
            start = bisect.bisect_left(times, op.call)
            for ret, seen in gets[start : start + _LOOKAHEAD]:
                where = seen.find(value) if op.name == "append" else (0 if seen.startswith(value) else -1)
                if where >= 0:
                    key = (ret, where)
                    break
        keys.append((*key, op.call, position))
    return keys


def _popped(ops: Sequence[Operation]) -> dict[Hashable, Operation]:
    """Each item's first completed pop, by item."""
    pops: dict[Hashable, Operation] = {}
    for op in ops:
        if op.name in ("pop", "dequeue") and op.ret is not None and not isinstance(op.output, Raised):
            pops.setdefault(op.output_key, op)
    return pops


def _lifo_order(ops: Sequence[Operation]) -> dict[Hashable, float]:
    return {item: -op.call for item, op in _popped(ops).items()}


def fifo_order(ops: Sequence[Operation]) -> dict[Hashable, float]:
    """A guess at the order items went into a queue: the rank of each popped item.

    Discussion: in a queue, items leave in the order they came in, so that
    order must respect both the real-time order of the pushes (a push that
    returned before another was called went in first) and that of the pops.
    The guess is a topological order of both at once: among the items whose
    predecessors in both are all placed, it takes the one whose pop must
    return first.  When none is free (the orders conflict: the history is
    not linearizable), it takes the unplaced item whose pop returned first.
    Items pushed but never popped are not ranked (they went in last).

    Each real-time order is a *gate*: an item passes it once every item whose
    call returned before its own call began is placed, and an item is free
    once it has passed both.  The gates are walked with indices into the
    items sorted by call and by return, in O(n log n) for n items.
    """
    pops = _popped(ops)
    pushes = {op.input_key: op for op in ops if op.name in ("push", "enqueue") and op.ret is not None}
    items = [item for item in pushes if item in pops]
    count = len(items)
    gates = [_gate([pushes[item] for item in items]), _gate([pops[item] for item in items])]
    pop_ret = gates[1][1]
    push_ret = gates[0][1]
    placed = [False] * count
    free = [0] * count
    heap: list[tuple[float, float, int]] = []
    order: dict[Hashable, float] = {}
    while len(order) < count:
        for gate in gates:
            call, ret, by_call, by_ret, at = gate
            next_call, next_ret = at
            while next_ret < count and placed[by_ret[next_ret]]:
                next_ret += 1
            bound = ret[by_ret[next_ret]] if next_ret < count else math.inf
            while next_call < count and call[by_call[next_call]] <= bound:
                n = by_call[next_call]
                next_call += 1
                free[n] += 1
                if free[n] == 2:
                    heapq.heappush(heap, (pop_ret[n], push_ret[n], n))
            at[0], at[1] = next_call, next_ret
        # None free means the orders conflict: then the unplaced item whose pop
        # returned first (where the pop gate's pointer stopped).
        n = heapq.heappop(heap)[2] if heap else gates[1][3][gates[1][4][1]]
        if not placed[n]:
            placed[n] = True
            order[items[n]] = len(order)
    return order


def _gate(ops: Sequence[Operation]) -> Any:
    """One real-time order of ``ops`` (completed): calls, returns, positions by call and by return, indices."""
    call = [op.call for op in ops]
    ret = [cast(float, op.ret) for op in ops]
    return (
        call,
        ret,
        sorted(range(len(ops)), key=call.__getitem__),
        sorted(range(len(ops)), key=ret.__getitem__),
        [0, 0],
    )


def container_suspects(ops: Sequence[Operation], *, fifo: bool) -> Iterator[tuple[Operation, ...]]:
    """Operations whose items (or themselves, for a pop that raised) may fail on their own.

    The classic ways a queue or stack with distinct items goes wrong, each
    visible in one or two items: an item popped more often than pushed, or
    popped before it was pushed; two items whose pushes and pops are ordered
    in real time the wrong way round (for a queue, the first pushed popped
    last; for a stack, the first pushed popped first while the second was
    on top); a pop that raised while an item was in for its whole duration.
    """
    pushes: dict[Hashable, list[Operation]] = {}
    pops: dict[Hashable, list[Operation]] = {}
    empties: list[Operation] = []
    for op in ops:
        if op.ret is None:
            continue
        if op.name in ("push", "enqueue"):
            pushes.setdefault(op.input_key, []).append(op)
        elif op.name in ("pop", "dequeue") and isinstance(op.output, Raised):
            empties.append(op)
        elif op.name in ("pop", "dequeue"):
            pops.setdefault(op.output_key, []).append(op)
    for item, taken in pops.items():
        given = pushes.get(item, [])
        first_out = min(cast(float, op.ret) for op in taken)
        if len(taken) > len(given) or first_out < min(op.call for op in given):
            yield (taken[0],)
    first_push = {item: given[0] for item, given in pushes.items()}
    first_pop = {item: taken[0] for item, taken in pops.items()}
    yield from _present_during(first_push, first_pop, empties)
    if fifo:
        yield from _fifo_pairs(first_push, first_pop)
    elif len(first_push) <= _STACK_PAIRS:
        yield from _lifo_pairs(first_push, first_pop)


def _pop_call(first_pop: dict[Hashable, Operation], item: Hashable) -> float:
    return first_pop[item].call if item in first_pop else math.inf


def _present_during(
    first_push: dict[Hashable, Operation], first_pop: dict[Hashable, Operation], empties: list[Operation]
) -> Iterator[tuple[Operation, ...]]:
    """(item's push, empty pop) when the item was in for the pop's whole duration."""
    pushed = sorted(first_push, key=lambda item: cast(float, first_push[item].ret))
    latest: tuple[float, Hashable] | None = None
    j = 0
    for empty in sorted(empties, key=lambda op: op.call):
        while j < len(pushed) and cast(float, first_push[pushed[j]].ret) < empty.call:
            out = _pop_call(first_pop, pushed[j])
            if latest is None or out > latest[0]:
                latest = (out, pushed[j])
            j += 1
        if latest is not None and latest[0] > cast(float, empty.ret):
            yield (first_push[latest[1]], empty)


def _fifo_pairs(
    first_push: dict[Hashable, Operation], first_pop: dict[Hashable, Operation]
) -> Iterator[tuple[Operation, ...]]:
    """(a's push, b's push) when a was pushed before b, and b popped before a was (or a never was)."""
    by_ret = sorted(first_push, key=lambda item: cast(float, first_push[item].ret))
    latest: tuple[float, Hashable] | None = None
    j = 0
    for b in sorted(first_push, key=lambda item: first_push[item].call):
        while j < len(by_ret) and cast(float, first_push[by_ret[j]].ret) < first_push[b].call:
            out = _pop_call(first_pop, by_ret[j])
            if latest is None or out > latest[0]:
                latest = (out, by_ret[j])
            j += 1
        if b in first_pop and latest is not None and latest[0] > cast(float, first_pop[b].ret):
            yield (first_push[latest[1]], first_push[b])


def _lifo_pairs(
    first_push: dict[Hashable, Operation], first_pop: dict[Hashable, Operation]
) -> Iterator[tuple[Operation, ...]]:
    """(a's push, b's push) when b went on top of a before a was popped, and was not popped before it."""
    for a, pop_a in first_pop.items():
        if a not in first_push:
            continue
        for b, push_b in first_push.items():
            if (
                first_push[a].precedes(push_b)
                and push_b.precedes(pop_a)
                and _pop_call(first_pop, b) > cast(float, pop_a.ret)
            ):
                yield (first_push[a], push_b)
