"""How the stress oracle calls a target: which operations exist, how each is called, what means empty.

The queue and stack protocol has five operations: ``push(item)``,
``pop()``, ``peek()``, ``len`` and ``bool`` (truthiness).  A
:class:`Driver` is that protocol as data: an ordered mapping from each
operation the target offers to a :class:`Caller` (``caller(target,
*args)`` makes the call; ``caller.source(var, args)`` prints it), what
means "empty" for ``pop`` and ``peek`` (exceptions, or a value returned),
what the pushed items are (item ``n`` in the ``--items`` kind), and how an
instance begins and ends (the factory's lifecycle).  Generating scenarios,
running them on threads, tasks or processes, printing them and draining
the target afterwards all read the driver, and nothing else, to know what
exists and how to call it.

:func:`driver_for` builds one from the plan the container shape check made
under the contract options (``--map``, ``--empty``, ``--empty-returns``,
``--items``, ``--without``; see :mod:`spec.container`), and nowhere else:

* a part ``--map`` renames is a method call (``q.put(3)``), with the literal
  arguments the map gives first (``peek=__getitem__:0``: ``q.__getitem__(0)``),
  awaited when it is a coroutine function;
* ``len`` is ``len(q)``, and ``bool`` is ``bool(q)`` only then: when the
  size is another method (``--map len=qsize``), the target's truth is not its
  size's, and ``bool`` is left out; ``--without len`` leaves out both;
* an empty signal is recorded in histories as the model's ``IndexError``,
  whatever its type, and so is the ``--empty-returns`` value.

Every part of a driver pickles (methods by name, exceptions by reference,
items by their kind's name), so that it reaches client processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from spec._core.lifecycle import Lifecycle
from spec._core.options import NUMBERED, Sentinel
from spec._core.program import literal
from spec.container import ContainerPlan
from spec.linearize import Raised

__all__ = ["EMPTY", "OPERATIONS", "STANDARD", "Builtin", "Caller", "Driver", "Method", "driver_for"]

OPERATIONS = ("push", "pop", "peek", "len", "bool")
"""The protocol's operations, in the order scenarios list them (push first: it shrinks towards it)."""

EMPTY = Raised("IndexError")
"""What a history records for a ``pop`` or ``peek`` that said "empty", however the target said it."""


class Caller(Protocol):
    """One operation of a target: how to call it, and how to print the call."""

    def __call__(self, target: Any, /, *args: Any) -> Any: ...

    def source(self, var: str, args: str) -> str:
        """The call as Python (``q.push(3)``, ``len(q)``), with ``args`` already printed."""
        ...


@dataclass(frozen=True)
class Method:
    """A method of the target, by name: ``target.name(*given, *args)``, awaited when ``awaited``.

    ``given`` are the literal arguments ``--map`` passes first
    (``__getitem__:0``); the call returns the coroutine of a coroutine
    method, which the asyncio runner awaits.
    """

    name: str
    given: tuple[object, ...] = ()
    awaited: bool = False

    def __call__(self, target: Any, /, *args: Any) -> Any:
        return getattr(target, self.name)(*self.given, *args)

    def source(self, var: str, args: str) -> str:
        shown = ", ".join([*(str(literal(arg)) for arg in self.given), *([args] if args else [])])
        return f"{'await ' if self.awaited else ''}{var}.{self.name}({shown})"


@dataclass(frozen=True)
class Builtin:
    """``len(target)`` or ``bool(target)``: the built-in applied to the target itself."""

    name: str

    def __call__(self, target: Any, /, *args: Any) -> Any:
        return len(target) if self.name == "len" else bool(target)

    def source(self, var: str, args: str) -> str:
        return f"{self.name}({var})"


@dataclass(frozen=True)
class Driver:
    """The operations a target offers, each with its :class:`Caller`; its empty signal, items and lifecycle.

    ``calls`` maps operation names (a subset of :data:`OPERATIONS`, in that
    order) to callers; ``empty`` holds the exception types that ``pop()``
    and ``peek()`` raise on an empty target, and ``sentinel`` the value they
    return instead (``--empty-returns``), if any: both are recorded as
    :data:`EMPTY`.  Item ``n`` (1, 2, 3 ... in the order a scenario pushes)
    is written in the ``--items`` kind ``kind`` (``b'3'`` for bytes);
    ``lifecycle`` says how each run's instance is made and cleaned up.
    """

    calls: Mapping[str, Caller]
    empty: tuple[type[BaseException], ...] = (IndexError,)
    sentinel: Sentinel | None = None
    kind: str = "any"
    lifecycle: Lifecycle = Lifecycle.PLAIN

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations offered, in the order of :data:`OPERATIONS`."""
        return tuple(op for op in OPERATIONS if op in self.calls)

    def __contains__(self, operation: object) -> bool:
        return operation in self.calls

    def item(self, number: int) -> object:
        """Pushed item ``number``, in the items' kind (``3``, ``'3'``, ``b'3'``, ``3.5``)."""
        return NUMBERED[self.kind](number)

    def call(self, operation: str, target: Any, number: int | None = None) -> Any:
        """Make the call ``operation`` on ``target``; ``number`` is the item a push pushes."""
        args = () if number is None else (self.item(number),)
        return self.calls[operation](target, *args)

    def source(self, operation: str, var: str, number: int | None = None) -> str:
        """How the call reads in Python (``q.put(b'3')``)."""
        return self.calls[operation].source(var, "" if number is None else str(literal(self.item(number))))

    def output(self, operation: str, value: object) -> object:
        """What a history records for ``operation`` returning ``value``: the empty sentinel is :data:`EMPTY`."""
        said_empty = operation in ("pop", "peek") and self.sentinel is not None and self.sentinel.matches(value)
        return EMPTY if said_empty else value

    def is_empty(self, error: BaseException) -> bool:
        """True if ``error`` is the empty signal."""
        return isinstance(error, self.empty)

    @property
    def says_empty(self) -> str:
        """How ``pop()`` says "empty", as a program's comment reads (``raises IndexError``, ``returns None``)."""
        if self.sentinel is not None:
            return f"returns {self.sentinel.text}"
        return "raises " + " or ".join(t.__name__ for t in self.empty)


STANDARD = Driver(
    {
        "push": Method("push"),
        "pop": Method("pop"),
        "peek": Method("peek"),
        "len": Builtin("len"),
        "bool": Builtin("bool"),
    }
)
"""The protocol as the contracts define it: ``push``, ``pop``, ``peek``, ``len``, ``bool``; empty is IndexError."""


def driver_for(plan: ContainerPlan, kind: str) -> Driver:
    """The driver of a target the container shape check planned (see the module docstring); items of ``kind``."""
    calls: dict[str, Caller] = {}
    for op in OPERATIONS:
        if op == "bool":
            if plan.counts_with_len:
                calls[op] = Builtin("bool")
        elif op == "len" and plan.counts_with_len:
            calls[op] = Builtin("len")
        elif plan.has(op):
            method = plan.methods[op]
            calls[op] = Method(method.name, method.args, awaited=op in plan.awaiting)
    return Driver(calls, plan.empty, plan.sentinel, kind, plan.lifecycle)
