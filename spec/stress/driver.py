"""How the stress oracle calls a target: which operations exist, what each is called, what means empty.

The queue and stack protocol has five operations: ``push(item)``,
``pop()``, ``peek()``, ``len`` and ``bool`` (truthiness).  A
:class:`Driver` is that protocol as data: an ordered mapping from each
operation the target offers to a :class:`Caller` (``caller(target,
*args)`` makes the call; ``caller.source(var, args)`` prints it), and the
exceptions that mean "empty" for ``pop`` and ``peek``.  Generating
scenarios, running them on threads, tasks or processes, printing them and
draining the target afterwards all read the driver, and nothing else, to
know what exists and how to call it.

:func:`protocol` builds one; the contract options (a method map, an empty
signal, optional operations) become a driver there and nowhere else.
Every part of a driver pickles (methods by name, exceptions by reference),
so that it reaches client processes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from spec._core.errors import SpecError

__all__ = ["OPERATIONS", "STANDARD", "Builtin", "Caller", "Driver", "Method", "protocol"]

OPERATIONS = ("push", "pop", "peek", "len", "bool")
"""The protocol's operations, in the order scenarios list them (push first: it shrinks towards it)."""

# The drain needs pop to take items out and push to have put any in.
_REQUIRED = ("push", "pop")


class Caller(Protocol):
    """One operation of a target: how to call it, print it, and tell whether an instance has it."""

    def __call__(self, target: Any, /, *args: Any) -> Any: ...

    def source(self, var: str, args: str) -> str:
        """The call as Python (``q.push(3)``, ``len(q)``), with ``args`` already printed."""
        ...

    def missing(self, instance: object) -> str | None:
        """What ``instance`` lacks to be called this way (an attribute name), or ``None``."""
        ...


@dataclass(frozen=True)
class Method:
    """A method of the target, by name: ``target.name(*args)``."""

    name: str

    def __call__(self, target: Any, /, *args: Any) -> Any:
        return getattr(target, self.name)(*args)

    def source(self, var: str, args: str) -> str:
        return f"{var}.{self.name}({args})"

    def missing(self, instance: object) -> str | None:
        return None if callable(getattr(instance, self.name, None)) else self.name


@dataclass(frozen=True)
class Builtin:
    """``len(target)`` or ``bool(target)``: the built-in applied to the target itself."""

    name: str

    def __call__(self, target: Any, /, *args: Any) -> Any:
        return len(target) if self.name == "len" else bool(target)

    def source(self, var: str, args: str) -> str:
        return f"{self.name}({var})"

    def missing(self, instance: object) -> str | None:
        # Every object has a truth value; only len() needs a method.
        return "__len__" if self.name == "len" and not hasattr(type(instance), "__len__") else None


@dataclass(frozen=True)
class Driver:
    """The operations a target offers, each with its :class:`Caller`, and its empty signal.

    ``calls`` maps operation names (a subset of :data:`OPERATIONS`, in that
    order) to callers; ``empty`` holds the exception types that ``pop()``
    and ``peek()`` raise on an empty target (recorded in histories as the
    model's ``IndexError``, whatever the type).
    """

    calls: Mapping[str, Caller]
    empty: tuple[type[BaseException], ...] = (IndexError,)

    @property
    def operations(self) -> tuple[str, ...]:
        """The operations offered, in the order of :data:`OPERATIONS`."""
        return tuple(op for op in OPERATIONS if op in self.calls)

    def __contains__(self, operation: object) -> bool:
        return operation in self.calls

    def call(self, operation: str, target: Any, *args: Any) -> Any:
        """Make the call ``operation`` on ``target``."""
        return self.calls[operation](target, *args)

    def source(self, operation: str, var: str, item: object = None) -> str:
        """How the call reads in Python."""
        return self.calls[operation].source(var, "" if item is None else repr(item))

    def missing(self, instance: object) -> list[str]:
        """What ``instance`` lacks for the operations offered (attribute names), in order."""
        return [name for op in self.operations if (name := self.calls[op].missing(instance)) is not None]

    def method(self, operation: str, instance: object) -> object:
        """The bound method behind ``operation`` on ``instance`` (``None`` for a built-in or a missing one)."""
        caller = self.calls.get(operation)
        return getattr(instance, caller.name, None) if isinstance(caller, Method) else None

    def is_empty(self, error: BaseException) -> bool:
        """True if ``error`` is the empty signal."""
        return isinstance(error, self.empty)

    @property
    def empty_name(self) -> str:
        """The empty signal as the program text names it (``IndexError``)."""
        return " or ".join(t.__name__ for t in self.empty)


def protocol(
    *,
    names: Mapping[str, str] | None = None,
    without: Collection[str] = (),
    empty: type[BaseException] | tuple[type[BaseException], ...] = IndexError,
) -> Driver:
    """The driver of a target whose methods may have other names, lack some operations, or signal empty otherwise.

    ``names`` maps protocol operations to the target's method names
    (``{"push": "put", "pop": "get_nowait", "len": "qsize"}``): a mapped
    ``len`` or ``bool`` is a method call instead of the built-in.
    ``without`` lists operations the target does not offer (``peek``,
    ``len``, ``bool``); ``empty`` is what ``pop()`` and ``peek()`` raise on
    an empty target.

    Raises :class:`~spec.SpecError` for an unknown operation, for leaving
    out ``push`` or ``pop``, or for an ``empty`` that is not an exception
    type.
    """
    names = dict(names or {})
    for op in (*names, *without):
        if op not in OPERATIONS:
            raise SpecError(f"unknown operation {op!r} (the protocol's: {', '.join(OPERATIONS)})")
    for op in _REQUIRED:
        if op in without:
            raise SpecError(f"the stress oracle needs {op}: it cannot go without it")
    signals = empty if isinstance(empty, tuple) else (empty,)
    if not signals or not all(isinstance(t, type) and issubclass(t, BaseException) for t in signals):  # type: ignore[redundant-expr]
        raise SpecError(f"the empty signal must be an exception type, got {empty!r}")
    calls: dict[str, Caller] = {}
    for op in OPERATIONS:
        if op in without:
            continue
        if op in names:
            calls[op] = Method(names[op])
        else:
            calls[op] = Builtin(op) if op in ("len", "bool") else Method(op)
    return Driver(calls, signals)


STANDARD = protocol()
"""The protocol as the contracts define it: ``push``, ``pop``, ``peek``, ``len``, ``bool``; empty is IndexError."""
