"""The search for a linearization: Wing & Gong's, just in time, with Lowe's memo.

Discussion (the algorithm): a history is linearizable when its operations
can be put in one sequence that the model accepts and that keeps every
operation that returned before another was called ahead of it.  Wing and
Gong search for that sequence depth first; Lowe's improvement is to
linearize an operation only when it must be, "just in time": walking the
history's returns in time order, at the return of an operation ``x`` that
is not yet linearized, the search linearizes some of the operations then in
flight (any of them, in any order) and then ``x`` itself.  A configuration
is therefore ``(k, lin, state)``: the next return to reach, which
operations in flight are already linearized, and the model's state.  Two
paths that reach the same configuration have the same future, so a
configuration that failed once is remembered and never tried again
(Lowe's memoisation of (linearized set, state), the same idea Porcupine
uses).  Only failed configurations need remembering: a configuration that
succeeds ends the search.

Pending operations (no return) are in flight until the end: the search may
linearize them at any return after their call, or never (they may or may
not have taken effect).

Two moves are made without trying the alternatives, because the
alternatives cannot do better:

* an *observer* in flight (an operation that never changes the state, such
  as a read; see ``Model.observes``) is linearized as soon as it is legal.
  Any linearization that puts it later can put it here instead: the states
  in between are the same, and nothing that returned before it was called
  is still waiting;
* a pending operation that would leave the state as it is, is not
  linearized at all: leaving it out keeps every option it would have had.

The order in which the search tries the operations in flight comes from
the model (:meth:`~spec.linearize.models.Model.search_keys`); it changes how
fast an answer comes, never the answer, because every alternative is
still tried before a configuration counts as failed.

When the search fails, the deepest return it reached is the first one that
no linearization gets past, and the search keeps the partial linearization
that got there.  (The shortest prefix of the history that cannot be
linearized on its own may end later: operations in flight at that return
constrain the whole history through their outputs, not a prefix that cuts
them off; see ``spec.linearize``.)
"""

from __future__ import annotations

import bisect
import enum
import time
from collections.abc import Callable, Generator, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from spec.linearize.budget import Budget
from spec.linearize.models import Model
from spec.linearize.ops import Operation

__all__ = ["Found", "SearchResult", "event_order", "search", "searching"]

# How many configurations the search tries between two yields (looks at the clock).
_YIELD_EVERY = 256


class Found(enum.Enum):
    """What a search found."""

    LINEARIZABLE = "linearizable"
    NOT_LINEARIZABLE = "not linearizable"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SearchResult:
    """The answer of :func:`search` for one partition.

    ``order`` is a linearization (positions in ``ops``) when linearizable;
    otherwise the partial linearization that got furthest, up to
    ``culprit``, the operation whose return no linearization can reach.
    ``cut`` is that return's place among all the events (calls and returns
    in time order, see :func:`event_order`); ``state`` is the model's state
    after ``order``; ``configurations`` counts what the search tried.
    """

    found: Found
    order: tuple[int, ...]
    culprit: int | None
    cut: int | None
    state: Hashable
    configurations: int


def event_order(ops: Sequence[Operation]) -> list[tuple[int, bool]]:
    """Every call and return as ``(position, is_return)``, in time order.

    At equal times calls come before returns, so operations whose intervals
    touch count as overlapping (the permissive reading of a coarse clock).
    """
    return [(position, is_return) for _, is_return, position in _events(ops)]


def _events(ops: Sequence[Operation]) -> list[tuple[float, bool, int]]:
    """Every call and return as ``(time, is_return, position)``, in the order of :func:`event_order`."""
    events = [(op.call, False, position) for position, op in enumerate(ops)]
    events += [(op.ret, True, position) for position, op in enumerate(ops) if op.ret is not None]
    events.sort()
    return events


def search(
    ops: Sequence[Operation], model: Model[Any], deadline: float | None = None, budget: Budget | None = None
) -> SearchResult:
    """Look for a linearization of ``ops`` under ``model``, until ``deadline`` (a ``time.monotonic()``).

    Operations must already fit the model (see ``Model.validate``).
    Returns :attr:`Found.UNKNOWN` if the deadline passes first; a
    ``budget``'s limits raise :class:`~spec.linearize.budget.OutOfBudget`.
    """
    steps = searching(ops, model)
    while True:
        try:
            tried = next(steps)
        except StopIteration as stop:
            result: SearchResult = stop.value
            return result
        if budget is not None:
            budget.check()
        if deadline is not None and time.monotonic() > deadline:
            steps.close()
            return SearchResult(Found.UNKNOWN, (), None, None, None, tried)


def searching(ops: Sequence[Operation], model: Model[Any]) -> Generator[int, None, SearchResult]:
    """The search as a generator: it yields the configurations tried so far every few hundred.

    A caller can interleave several searches (one per partition) and stop
    whenever it likes; the generator's return value is the result.
    """
    plan = _Plan(ops, model)
    state = model.initial()
    k, lin, path = plan.settle(0, frozenset(), state, None)
    if k == plan.total:
        return SearchResult(Found.LINEARIZABLE, _unlink(path), None, None, state, 0)
    step, settle, total = model.step, plan.settle, plan.total
    returning, in_flight, is_pending = plan.returning, plan.in_flight, plan.is_pending
    pending, open_pending = plan.pending, plan.open_pending
    failed: set[tuple[int, frozenset[int], Hashable]] = set()
    # A frame: [k, lin, state, next candidate, path]; a path is a linked list
    # (position, parent) of the operations linearized so far, newest first.
    # The candidates at return k are the completed operations in flight
    # (in_flight[k]), then the pending ones called by then (a prefix of
    # pending, open_pending[k] long).
    stack: list[list[Any]] = [[k, lin, state, 0, path]]
    deepest: tuple[int, _Path, Hashable] = (k, path, state)
    tried = 0
    while stack:
        tried += 1
        if tried % _YIELD_EVERY == 0:
            yield tried
        frame = stack[-1]
        k, lin, state, j, path = frame
        x = returning[k]
        candidates = in_flight[k]
        completed = len(candidates)
        count = completed + open_pending[k]
        while j < count:
            y = candidates[j] if j < completed else pending[j - completed]
            j += 1
            if y in lin:
                continue
            ok, after = step(state, ops[y])
            if not ok or (is_pending[y] and after == state):
                continue
            k2, lin2, extended = settle(k + 1 if y == x else k, lin if y == x else lin | {y}, after, (y, path))
            if k2 == total:
                return SearchResult(Found.LINEARIZABLE, _unlink(extended), None, None, after, tried)
            if failed and (k2, lin2, after) in failed:
                continue
            frame[3] = j
            stack.append([k2, lin2, after, 0, extended])
            if k2 > deepest[0]:
                deepest = (k2, extended, after)
            break
        else:
            stack.pop()
            failed.add((k, lin, state))
    k, path, state = deepest
    return SearchResult(Found.NOT_LINEARIZABLE, _unlink(path), plan.returning[k], plan.at_event(k), state, tried)


_Path = tuple[int, Any] | None


class _Plan:
    """What the search needs to know of the history, worked out once, in space linear in its length.

    ``events`` are the calls and returns in time order (see :func:`event_order`);
    ``returning[k]`` is the operation of the ``k``-th return in time order,
    and ``in_flight[k]`` the completed operations in flight at it (itself
    included), in the order the search tries them.  ``pending`` holds the
    pending operations in call order, ``open_pending[k]`` how many of them
    are called by the ``k``-th return (a pending operation stays in flight
    to the end).  ``is_pending`` and ``observer`` are per operation.
    """

    ops: Sequence[Operation]
    step: Callable[[Any, Operation], tuple[bool, Any]]
    events: list[tuple[float, bool, int]]
    returning: list[int]
    in_flight: list[tuple[int, ...]]
    pending: list[int]
    open_pending: list[int]
    is_pending: list[bool]
    observer: list[bool]
    total: int

    def __init__(self, ops: Sequence[Operation], model: Model[Any]) -> None:
        self.ops = ops
        self.step = model.step
        self.events = events = _events(ops)
        rank = [0] * len(ops)  # of the completed operations: their place in the order of their keys
        if type(model).search_keys is Model.search_keys:  # return order: the order of the return events
            for r, position in enumerate([position for _, is_return, position in events if is_return]):
                rank[position] = r
        else:
            keys = model.search_keys(ops)
            for r, position in enumerate(sorted(range(len(ops)), key=keys.__getitem__)):
                rank[position] = r
        self.is_pending = is_pending = [op.ret is None for op in ops]
        observes = model.observes
        self.observer = [op.ret is not None and observes(op) for op in ops]
        returning: list[int] = []
        in_flight: list[tuple[int, ...]] = []
        pending: list[int] = []
        open_pending: list[int] = []
        in_order = rank.__getitem__
        open_now: list[int] = []  # the completed operations in flight, in the order of their keys
        for _, is_return, position in events:
            if is_return:
                returning.append(position)
                in_flight.append(tuple(open_now))
                open_now.remove(position)
                if pending:
                    open_pending.append(len(pending))
            elif is_pending[position]:
                if not pending:  # the first: none were called by the returns before
                    open_pending = [0] * len(returning)
                pending.append(position)
            else:
                bisect.insort(open_now, position, key=in_order)
        self.total = len(returning)
        self.returning, self.in_flight, self.pending = returning, in_flight, pending
        self.open_pending = open_pending if pending else [0] * self.total

    def at_event(self, k: int) -> int:
        """The place of the ``k``-th return among all the events (see :func:`event_order`)."""
        return [index for index, (_, is_return, _) in enumerate(self.events) if is_return][k]

    def settle(self, k: int, lin: frozenset[int], state: Hashable, path: _Path) -> tuple[int, frozenset[int], _Path]:
        """Make the moves that need no choice, from the configuration ``(k, lin, state)``.

        Pass the returns of operations already linearized, and linearize
        every observer in flight that is legal (see the module docstring).
        """
        total, returning, in_flight, observer, step, ops = (
            self.total,
            self.returning,
            self.in_flight,
            self.observer,
            self.step,
            self.ops,
        )
        while k < total:
            x = returning[k]
            if x in lin:
                lin = lin - {x}
                k += 1
                continue
            for y in in_flight[k]:
                if observer[y] and y not in lin and step(state, ops[y])[0]:
                    path = (y, path)
                    if y == x:
                        k += 1
                        break
                    lin = lin | {y}
            else:
                break
        return k, lin, path


def _unlink(path: _Path) -> tuple[int, ...]:
    order: list[int] = []
    while path is not None:
        order.append(path[0])
        path = path[1]
    order.reverse()
    return tuple(order)
