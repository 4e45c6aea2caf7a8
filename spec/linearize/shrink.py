"""Counterexamples: the parts of a failing history that still fail, found by searching them.

A history that cannot be linearized is explained by a smaller one that
cannot either: the shortest prefix of it that cannot be linearized on its
own, and, within that, the smallest part found by dropping the model's
groups of operations (``Model.group``) while what is left still fails.
Long searches are also cut short by the model's *suspects*: small parts that
may fail on their own (:func:`refute`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from spec.linearize.budget import Budget, OutOfBudget
from spec.linearize.models import EVERY_GROUP, Model
from spec.linearize.ops import UNKNOWN, Operation
from spec.linearize.search import Found, SearchResult, event_order, search

__all__ = ["SHRINK_SECONDS", "Counterexample", "counterexample", "refute"]

SHRINK_SECONDS: Final = 5.0
"""At most this long is spent shrinking a counterexample (within the time limit)."""

_SUSPECT_SECONDS: Final = 0.5  # the time limit of the search of each suspect part
_SUSPECTS: Final = 100  # how many suspect parts are tried at most


@dataclass(frozen=True)
class Counterexample:
    """Why a history is not linearizable.

    ``partition`` is the independent part that fails (a key for ``kv``,
    ``None`` for unpartitioned models).  ``culprit`` is the operation whose
    return no linearization gets past; ``linearized`` is the furthest the
    search got, a linearization of everything before that return, leaving
    the model in ``state`` (described).

    ``prefix`` is the shortest prefix of the partition that cannot be
    linearized on its own (operations in flight at its end count as
    pending), and ``minimal`` the smallest part of it found that still
    cannot: the model's groups of operations (``Model.group``) are dropped
    while it fails.  ``shrunk`` says whether that ran to the end; when it
    did not (time or memory ran out, or ``minimize`` was off) ``prefix`` and
    ``minimal`` may be longer, up to the whole partition.

    ``whole`` is false when the proof came from a part of the partition the
    model suspected (``Model.suspects``) rather than from searching all of
    it: then ``culprit``, ``linearized`` and ``prefix`` are about that part.
    """

    partition: Hashable
    culprit: Operation
    prefix: tuple[Operation, ...]
    linearized: tuple[Operation, ...]
    state: str
    minimal: tuple[Operation, ...]
    shrunk: bool
    whole: bool = True


def counterexample(
    key: Hashable,
    ops: list[Operation],
    found: SearchResult,
    model: Model[Any],
    *,
    budget: Budget,
    minimize: bool,
    whole: bool,
) -> Counterexample:
    """The counterexample that the failed search ``found`` of ``ops`` (the partition ``key``) gives.

    With ``minimize``, shrunk for at most :data:`SHRINK_SECONDS` within the
    ``budget``; a limit that runs out meanwhile leaves it as far as it got.
    """
    assert found.culprit is not None
    prefix, minimal, shrunk = ops, ops, False
    if minimize:
        limit = time.monotonic() + SHRINK_SECONDS
        limit = limit if budget.deadline is None else min(limit, budget.deadline)
        shortest = None
        try:
            shortest = _shortest_failing_prefix(ops, model, found, limit, budget)
            prefix = minimal = ops if shortest is None else shortest
            minimal, shrunk = _shrink(prefix, model, limit, budget)
        except (OutOfBudget, MemoryError):
            budget.disarm()
        shrunk = shrunk and shortest is not None
    return Counterexample(
        partition=key,
        culprit=ops[found.culprit],
        prefix=tuple(prefix),
        linearized=tuple(ops[i] for i in found.order),
        state=model.describe_state(found.state),
        minimal=tuple(minimal),
        shrunk=shrunk,
        whole=whole,
    )


def refute(ops: list[Operation], model: Model[Any], budget: Budget) -> tuple[list[Operation], SearchResult] | None:
    """A part of ``ops`` the model suspects that cannot be linearized, with its search; or ``None``.

    Discussion: a part is the operations of some groups (``Model.group``)
    plus every operation in no group, that is, ``ops`` with whole groups
    dropped (and with them the operations of every group); if ``ops`` were
    linearizable, so would the part be.
    """
    for groups in itertools.islice(model.suspects(ops), _SUSPECTS):
        part = [op for op in ops if (group := model.group(op)) is None or group in groups]
        limit = time.monotonic() + _SUSPECT_SECONDS
        found = search(part, model, limit if budget.deadline is None else min(limit, budget.deadline), budget)
        if found.found is Found.NOT_LINEARIZABLE:
            return part, found
    return None


def _prefix(ops: Sequence[Operation], end: int) -> list[Operation]:
    """The operations called up to event ``end`` (included); those returning later become pending.

    Discussion: this prefix is linearizable whenever the whole history is.
    Take a linearization of the whole and cut it after the last operation
    that returned by ``end``: what is before the cut was called before
    ``end`` (anything called later must follow every operation that returned
    by then), and the operations in flight among it took effect with the
    outputs that the prefix now leaves unknown, which the model accepts with
    the same states (see :mod:`spec.linearize.models`).  So a prefix that cannot
    be linearized proves that the whole history cannot.  The converse fails:
    an operation in flight at ``end`` constrains the whole history through
    its output, but not the prefix.
    """
    seen: dict[int, bool] = {}
    for position, is_return in event_order(ops)[: end + 1]:
        seen[position] = is_return
    return [ops[i] if returned else _as_pending(ops[i]) for i, returned in seen.items()]


def _as_pending(op: Operation) -> Operation:
    return Operation(op.client, op.name, op.input, UNKNOWN, op.call, None, op.line)


def _shortest_failing_prefix(
    ops: list[Operation], model: Model[Any], found: SearchResult, deadline: float, budget: Budget
) -> list[Operation] | None:
    """The shortest prefix of ``ops`` (see :func:`_prefix`) that cannot be linearized; ``None`` if out of time.

    ``found`` is the failed search of ``ops``.  Every prefix that ends before
    the return it could not get past can be linearized (the search got
    past all of them), and the prefix ending at the last return is as
    linearizable as ``ops``; so the shortest failing prefix ends at one of
    the returns from there on.  Prefixes that fail only grow, so a galloping
    then binary search finds it.
    """
    assert found.cut is not None
    ends = [i for i, (_, is_return) in enumerate(event_order(ops)) if is_return and i >= found.cut]
    good, bad = -1, len(ends) - 1  # the prefix ending at ends[bad] fails; those up to ends[good] do not

    def fails(index: int) -> bool | None:
        attempt = search(_prefix(ops, ends[index]), model, deadline, budget)
        return None if attempt.found is Found.UNKNOWN else attempt.found is Found.NOT_LINEARIZABLE

    probe, stride, galloping = 0, 1, True
    while bad - good > 1:
        verdict = fails(probe)
        if verdict is None:
            return None
        if verdict:
            bad, galloping = probe, False
        else:
            good = probe
        stride *= 2
        probe = good + stride if galloping and good + stride < bad else (good + bad) // 2
    return _prefix(ops, ends[bad])


def _shrink(ops: list[Operation], model: Model[Any], deadline: float, budget: Budget) -> tuple[list[Operation], bool]:
    """Drop groups of operations (see ``Model.group``) while what is left still cannot be linearized.

    Discussion: dropping a group from a linearizable history leaves it
    linearizable (that is what a group is), so what is left failing proves
    the original fails.  Groups go by halves, then quarters ... then one by
    one (delta debugging); each attempt is a full search, and what is left
    after a successful one is cut to its shortest failing prefix.  Returns
    what is left and whether shrinking ran to the end.
    """
    chunks = 2
    while True:
        groups: dict[Hashable, list[Operation]] = {}
        for op in ops:
            groups.setdefault(model.group(op), []).append(op)
        every = groups.pop(EVERY_GROUP, [])
        groups.pop(None, None)
        names = list(groups)
        if not names:
            return ops, True
        chunks = min(chunks, len(names))
        size = -(-len(names) // chunks)
        for start in range(0, len(names), size):
            dropped = {id(op) for name in names[start : start + size] for op in (*groups[name], *every)}
            rest = [op for op in ops if id(op) not in dropped]
            found = search(rest, model, deadline, budget)
            if found.found is Found.UNKNOWN:
                return ops, False
            if found.found is Found.NOT_LINEARIZABLE:
                # Out of time for the prefix: go on with all of rest (the next
                # search will say it is out of time too).
                shortest = _shortest_failing_prefix(rest, model, found, deadline, budget)
                ops = rest if shortest is None else shortest
                chunks = max(chunks - 1, 2)
                break
        else:
            if chunks >= len(names):
                return ops, True
            chunks = min(2 * chunks, len(names))
