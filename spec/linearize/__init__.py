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
whole fails (see ``Model.group``); a time or memory limit that runs out
first gives :attr:`Outcome.UNKNOWN`.  When the history is not linearizable, the result
names the first return that no linearization gets past, the furthest
linearization, the shortest prefix that cannot be linearized, and the
smallest part of it found that cannot be linearized on its own.

Models: ``queue`` (alias ``fifo-queue``), ``stack``, ``unordered-queue``,
``set``, ``register``, ``cas-register``, ``multi-register``, ``mutex``,
``kv`` (see :data:`MODELS`), or your own :class:`Model` subclass.  Files:
:func:`read_history` reads the project's JSON format, Jepsen EDN histories
and Jepsen ``jepsen.util`` logs, with Jepsen's meaning of ``:fail`` and
``:info`` (see :mod:`spec.linearize.jepsen`).  Values compare as JSON and
EDN mean them (see :mod:`spec.linearize.values`).  From the command line:
``python -m spec linearize FILE --model NAME``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from spec.linearize.budget import Budget, OutOfBudget
from spec.linearize.catalog import MODELS, guarded
from spec.linearize.catalog import get_model as _get_model
from spec.linearize.containers import ContainerModel, SetModel, UnorderedQueueModel
from spec.linearize.histories import FAIL_MEANS, FORMATS, dump_json, parse_history, read_history
from spec.linearize.models import EVERY_GROUP, Model, ModelError, UnknownModel, check_operations
from spec.linearize.ops import UNKNOWN, History, HistoryError, Operation, Raised, Recorder
from spec.linearize.registers import CASRegisterModel, KVModel, MultiRegisterModel, MutexModel, RegisterModel
from spec.linearize.report import format_history, format_result
from spec.linearize.search import Found, SearchResult, searching
from spec.linearize.shrink import SHRINK_SECONDS, Counterexample, counterexample, refute

__all__ = [
    "EVERY_GROUP",
    "FAIL_MEANS",
    "FORMATS",
    "MODELS",
    "SHRINK_SECONDS",
    "UNKNOWN",
    "CASRegisterModel",
    "ContainerModel",
    "Counterexample",
    "History",
    "HistoryError",
    "KVModel",
    "LinearizabilityResult",
    "Model",
    "ModelError",
    "MultiRegisterModel",
    "MutexModel",
    "Operation",
    "Outcome",
    "Raised",
    "Recorder",
    "RegisterModel",
    "SetModel",
    "UnknownModel",
    "UnorderedQueueModel",
    "check_history",
    "dump_json",
    "format_history",
    "get_model",
    "parse_history",
    "read_history",
]

SUSPECT_AFTER = 2000
"""A partition's search that has tried this many configurations (plus one per
operation: a search that needs no backtracking tries about one per
operation) without an answer makes the checker try the model's suspects."""


class Outcome(enum.Enum):
    """The verdict of a linearizability check."""

    LINEARIZABLE = "linearizable"
    NOT_LINEARIZABLE = "not linearizable"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LinearizabilityResult:
    """The answer of :func:`check_history`.

    ``linearizations`` holds one linearization per partition when the
    history is linearizable (empty otherwise); ``counterexample`` is set
    when it is not.  ``configurations`` counts what the search tried.
    When the outcome is unknown, ``limit`` says which limit ran out
    (``"time"`` or ``"memory"``) and ``decided`` how many partitions had
    been found linearizable by then.
    """

    outcome: Outcome
    model: Model[Any]
    operations: int
    partitions: int
    seconds: float
    configurations: int
    linearizations: tuple[tuple[Operation, ...], ...]
    counterexample: Counterexample | None
    limit: str | None = None
    decided: int = 0

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
    max_memory: int | None = None,
    minimize: bool = True,
) -> LinearizabilityResult:
    """Check whether ``history`` is linearizable under ``model`` (a :class:`Model` or a name).

    ``timeout`` bounds the whole check in seconds, and ``max_memory`` the
    process's resident memory in bytes while it runs (``None``: no bound);
    when one runs out before a verdict, the outcome is
    :attr:`Outcome.UNKNOWN` (see :mod:`spec.linearize.budget`).  With
    ``minimize``, a counterexample is shrunk to the smallest part of the
    history found that still cannot be linearized (for at most
    :data:`SHRINK_SECONDS`).

    Raises :class:`HistoryError` when an operation does not fit the model,
    :class:`UnknownModel` for an unknown name, :class:`ModelError` when a
    model of one's own raises (or answers what a model may not), and
    :class:`ValueError` for a limit that is not positive.
    """
    started = time.monotonic()
    budget = Budget(timeout, max_memory)
    model = get_model(model)
    ops = history if isinstance(history, History) else History(history)
    checker = _Check(ops, model, guarded(model), budget, minimize)
    if budget.deadline is None:
        checker.run()
    else:
        try:
            with budget.armed():
                checker.run()
        except OutOfBudget as exc:  # the timer fired as the check began, or as it ended
            checker.stop(exc.limit)
    return checker.result(time.monotonic() - started)


class _Check:
    """One run of :func:`check_history`: the partitions, their searches, and what they found."""

    def __init__(self, ops: History, shown: Model[Any], model: Model[Any], budget: Budget, minimize: bool) -> None:
        self.ops, self.shown, self.model, self.budget, self.minimize = ops, shown, model, budget, minimize
        self.parts: dict[Hashable, list[Operation]] = {}
        self.tried: dict[Hashable, int] = {}
        self.found: dict[Hashable, SearchResult] = {}
        self.outcome = Outcome.LINEARIZABLE
        self.failed: tuple[Hashable, list[Operation], SearchResult, bool] | None = None
        self.counterexample: Counterexample | None = None
        self.limit: str | None = None

    def run(self) -> None:
        """Search every partition until one fails or all succeed, then explain a failure; or stop at a limit."""
        try:
            self._search()
            if self.failed is not None:
                self.counterexample = self._explain(self.minimize)
        except (OutOfBudget, MemoryError) as exc:
            self.stop(exc.limit if isinstance(exc, OutOfBudget) else "memory")
        self.budget.disarm()

    def stop(self, limit: str) -> None:
        """A limit ran out: the outcome is unknown, unless a partition failed already."""
        self.budget.disarm()
        if self.failed is None:
            self.outcome = Outcome.UNKNOWN
            self.limit = limit
        elif self.counterexample is None:  # the limit ran out as the explanation began
            self.counterexample = self._explain(False)

    def _search(self) -> None:
        # Discussion: partitions are searched in turns, a few hundred
        # configurations each, so that one partition that fails quickly decides
        # the verdict even when another would take long to finish (the history
        # is not linearizable as soon as one partition is not).
        #
        # A partition whose search runs long is also given to the model's
        # suspects (Model.suspects), once: a small part of it that fails on its
        # own is a proof too, and may come long before the full search ends.
        model, budget, parts = self.model, self.budget, self.parts
        check_operations(model, self.ops)
        if type(model).partition is Model.partition:  # one partition: no need to ask about each operation
            parts[None] = list(self.ops)
        else:
            partition = model.partition
            for op in self.ops:
                parts.setdefault(partition(op), []).append(op)
        self.tried = dict.fromkeys(parts, 0)
        searches = {key: searching(part, model) for key, part in parts.items()}
        suspected: set[Hashable] = set()
        while searches:
            for key, steps in list(searches.items()):
                budget.check()
                part = parts[key]
                try:
                    self.tried[key] = next(steps)
                except StopIteration as stop:
                    found: SearchResult = stop.value
                    self.tried[key] = found.configurations
                else:
                    if key in suspected or self.tried[key] < SUSPECT_AFTER + len(part):
                        continue
                    suspected.add(key)
                    refuted = refute(part, model, budget)
                    if refuted is None:
                        continue
                    part, found = refuted
                    self.tried[key] += found.configurations
                del searches[key]
                self.found[key] = found
                if found.found is Found.NOT_LINEARIZABLE:
                    self.outcome = Outcome.NOT_LINEARIZABLE
                    self.failed = (key, part, found, part is parts[key])
                    return

    def _explain(self, minimize: bool) -> Counterexample:
        assert self.failed is not None
        key, part, found, whole = self.failed
        return counterexample(key, part, found, self.model, budget=self.budget, minimize=minimize, whole=whole)

    def result(self, seconds: float) -> LinearizabilityResult:
        """The result of the run, which took ``seconds``."""
        orders: tuple[tuple[Operation, ...], ...] = ()
        if self.outcome is Outcome.LINEARIZABLE:
            orders = tuple(tuple(self.parts[key][i] for i in self.found[key].order) for key in self.parts)
        return LinearizabilityResult(
            outcome=self.outcome,
            model=self.shown,
            operations=len(self.ops),
            partitions=len(self.parts),
            seconds=seconds,
            configurations=sum(self.tried.values()),
            linearizations=orders,
            counterexample=self.counterexample,
            limit=self.limit,
            decided=sum(found.found is Found.LINEARIZABLE for found in self.found.values()),
        )
