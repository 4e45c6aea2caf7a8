"""Linearizability: is a concurrent history explained by some sequential run?

A history (:class:`History`, a sequence of :class:`Operation`) records what
several clients called, when, and what came back.  It is *linearizable*
under a sequential model (:class:`Model`) when its operations can be put in
one order that the model accepts and that keeps every operation that
returned before another was called ahead of it: each operation then looks
as if it took effect at one instant between its call and its return.

Check one::

    >>> from spec.linearize import Operation, check_history
    >>> history = [
    ...     Operation(0, "push", 1, None, call=0, ret=2),
    ...     Operation(1, "push", 2, None, call=1, ret=3),
    ...     Operation(0, "pop", None, 2, call=4, ret=5),
    ... ]
    >>> check_history(history, "queue").outcome
    <Outcome.LINEARIZABLE: 'linearizable'>

The two pushes overlap, so 2 may have gone in first.  Had the second push
been called after the first returned, the pop could only return 1.

The verdict is never wrong: :attr:`Outcome.LINEARIZABLE` comes with a
linearization; :attr:`Outcome.NOT_LINEARIZABLE` only after every candidate
order failed, for the whole history or for a part of it that proves the
whole fails (see ``Model.group``); a time limit gives
:attr:`Outcome.UNKNOWN`.  When the history is not linearizable, the result
names the first return that no linearization gets past, the furthest
linearization, the shortest prefix that cannot be linearized, and the
smallest part of it found that cannot be linearized on its own.

Models: ``queue``, ``stack``, ``register``, ``kv`` (see :data:`MODELS`), or
your own :class:`Model` subclass.  Files: :func:`read_history` reads the
project's JSON format, Jepsen EDN histories and Jepsen ``jepsen.util``
logs.  From the command line: ``python -m spec linearize FILE --model NAME``.
"""

from __future__ import annotations

import enum
import itertools
import time
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from spec.linearize.histories import FORMATS, dump_json, read_history
from spec.linearize.models import (
    EVERY_GROUP,
    MODELS,
    ContainerModel,
    KVModel,
    Model,
    RegisterModel,
    UnknownModel,
    check_operations,
)
from spec.linearize.models import get_model as _get_model
from spec.linearize.ops import UNKNOWN, History, HistoryError, Operation, Raised, Recorder
from spec.linearize.report import format_history, format_result
from spec.linearize.search import Found, SearchResult, event_order, search, searching

__all__ = [
    "EVERY_GROUP",
    "FORMATS",
    "MODELS",
    "UNKNOWN",
    "ContainerModel",
    "Counterexample",
    "History",
    "HistoryError",
    "KVModel",
    "LinearizabilityResult",
    "Model",
    "Operation",
    "Outcome",
    "Raised",
    "Recorder",
    "RegisterModel",
    "UnknownModel",
    "check_history",
    "dump_json",
    "format_history",
    "get_model",
    "read_history",
]

SHRINK_SECONDS = 5.0
"""At most this long is spent shrinking a counterexample (within the time limit)."""

SUSPECT_AFTER = 2000
"""A partition's search that has tried this many configurations (plus one per
operation: a search that needs no backtracking tries about one per
operation) without an answer makes the checker try the model's suspects."""

_SUSPECT_SECONDS = 0.5  # the time limit of the search of each suspect part
_SUSPECTS = 100  # how many suspect parts are tried at most


class Outcome(enum.Enum):
    """The verdict of a linearizability check."""

    LINEARIZABLE = "linearizable"
    NOT_LINEARIZABLE = "not linearizable"
    UNKNOWN = "unknown"


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
    did not (time ran out, or ``minimize`` was off) ``prefix`` and
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


@dataclass(frozen=True)
class LinearizabilityResult:
    """The answer of :func:`check_history`.

    ``linearizations`` holds one linearization per partition when the
    history is linearizable (empty otherwise); ``counterexample`` is set
    when it is not.  ``configurations`` counts what the search tried.
    """

    outcome: Outcome
    model: Model[Any]
    operations: int
    partitions: int
    seconds: float
    configurations: int
    linearizations: tuple[tuple[Operation, ...], ...]
    counterexample: Counterexample | None

    @property
    def ok(self) -> bool:
        """True exactly when the history is linearizable."""
        return self.outcome is Outcome.LINEARIZABLE

    def format(self) -> str:
        """The result as text for a terminal, as ``python -m spec linearize`` prints it."""
        return format_result(self)


def get_model(model: str | Model[Any]) -> Model[Any]:
    """``model`` itself, or the built-in model of that name (:class:`UnknownModel` if none)."""
    return model if isinstance(model, Model) else _get_model(model)


def check_history(
    history: Iterable[Operation],
    model: str | Model[Any],
    *,
    timeout: float | None = None,
    minimize: bool = True,
) -> LinearizabilityResult:
    """Check whether ``history`` is linearizable under ``model`` (a :class:`Model` or a name).

    ``timeout`` bounds the whole check in seconds (``None``: no bound); when
    it runs out before a verdict, the outcome is :attr:`Outcome.UNKNOWN`.
    With ``minimize``, a counterexample is shrunk to the smallest part of
    the history found that still cannot be linearized (for at most
    :data:`SHRINK_SECONDS`).

    Raises :class:`HistoryError` when an operation does not fit the model,
    :class:`UnknownModel` for an unknown name, and :class:`ValueError` for a
    ``timeout`` that is not positive.
    """
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    model = get_model(model)
    ops = history if isinstance(history, History) else History(history)
    check_operations(model, list(ops))
    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    parts: dict[Hashable, list[Operation]] = {}
    for op in ops:
        parts.setdefault(model.partition(op), []).append(op)
    # Discussion: partitions are searched in turns, a few hundred
    # configurations each, so that one partition that fails quickly decides
    # the verdict even when another would take long to finish (the history
    # is not linearizable as soon as one partition is not).
    #
    # A partition whose search runs long is also given to the model's
    # suspects (Model.suspects), once: a small part of it that fails on its
    # own is a proof too, and may come long before the full search ends.
    searches = {key: searching(part, model) for key, part in parts.items()}
    tried = dict.fromkeys(parts, 0)
    found: dict[Hashable, SearchResult] = {}
    suspected: set[Hashable] = set()
    outcome = Outcome.LINEARIZABLE
    counterexample = None
    while searches and outcome is Outcome.LINEARIZABLE:
        for key, steps in list(searches.items()):
            if deadline is not None and time.monotonic() > deadline:
                outcome = Outcome.UNKNOWN
                break
            part = parts[key]
            try:
                tried[key] = next(steps)
            except StopIteration as stop:
                found[key] = stop.value
                tried[key] = found[key].configurations
                del searches[key]
            else:
                if key in suspected or tried[key] < SUSPECT_AFTER + len(part):
                    continue
                suspected.add(key)
                refuted = _refute(part, model, deadline)
                if refuted is None:
                    continue
                part, found[key] = refuted
                tried[key] += found[key].configurations
                del searches[key]
            if found[key].found is Found.NOT_LINEARIZABLE:
                outcome = Outcome.NOT_LINEARIZABLE
                counterexample = _counterexample(
                    key, part, found[key], model, deadline=deadline, minimize=minimize, whole=part is parts[key]
                )
                break
    configurations = sum(tried.values())
    orders: tuple[tuple[Operation, ...], ...] = ()
    if outcome is Outcome.LINEARIZABLE:
        orders = tuple(tuple(parts[key][i] for i in found[key].order) for key in parts)
    return LinearizabilityResult(
        outcome=outcome,
        model=model,
        operations=len(ops),
        partitions=len(parts),
        seconds=time.monotonic() - started,
        configurations=configurations,
        linearizations=orders,
        counterexample=counterexample,
    )


def _counterexample(
    key: Hashable,
    ops: list[Operation],
    found: SearchResult,
    model: Model[Any],
    *,
    deadline: float | None,
    minimize: bool,
    whole: bool,
) -> Counterexample:
    assert found.culprit is not None
    prefix, minimal, shrunk = ops, ops, False
    if minimize:
        limit = time.monotonic() + SHRINK_SECONDS
        limit = limit if deadline is None else min(limit, deadline)
        shortest = _shortest_failing_prefix(ops, model, found, limit)
        prefix = ops if shortest is None else shortest
        minimal, shrunk = _shrink(prefix, model, limit)
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


def _refute(
    ops: list[Operation], model: Model[Any], deadline: float | None
) -> tuple[list[Operation], SearchResult] | None:
    """A part of ``ops`` the model suspects that cannot be linearized, with its search; or ``None``.

    Discussion: a part is the operations of some groups (``Model.group``)
    plus every operation in no group, that is, ``ops`` with whole groups
    dropped (and with them the operations of every group); if ``ops`` were
    linearizable, so would the part be.
    """
    for groups in itertools.islice(model.suspects(ops), _SUSPECTS):
        part = [op for op in ops if (group := model.group(op)) is None or group in groups]
        limit = time.monotonic() + _SUSPECT_SECONDS
        found = search(part, model, limit if deadline is None else min(limit, deadline))
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
    ops: list[Operation], model: Model[Any], found: SearchResult, deadline: float
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
        attempt = search(_prefix(ops, ends[index]), model, deadline)
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


def _shrink(ops: list[Operation], model: Model[Any], deadline: float) -> tuple[list[Operation], bool]:
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
            found = search(rest, model, deadline)
            if found.found is Found.UNKNOWN:
                return ops, False
            if found.found is Found.NOT_LINEARIZABLE:
                # Out of time for the prefix: go on with all of rest (the next
                # search will say it is out of time too).
                shortest = _shortest_failing_prefix(rest, model, found, deadline)
                ops = rest if shortest is None else shortest
                chunks = max(chunks - 1, 2)
                break
        else:
            if chunks >= len(names):
                return ops, True
            chunks = min(2 * chunks, len(names))
