"""Operations and histories: what a linearizability check reads.

An :class:`Operation` is one call made by one client: its name, its input,
what it returned (or the exception it raised), and when it was called and
returned.  An operation with no return time is *pending*: the client never
saw it return (it crashed, or timed out, as Jepsen's ``:info``), so it may or
may not have taken effect, and its output is :data:`UNKNOWN`.

A :class:`History` is a sequence of operations from any number of clients.
Times are numbers on one clock (integers from a counter, nanoseconds,
seconds); only their order matters.  Two operations overlap unless one
returned strictly before the other was called: equal times count as
overlapping, so a coarse clock can only make the check more permissive,
never report a violation that did not happen.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, overload

from spec._core.errors import SpecError
from spec.linearize.values import BadValue, key, show_value

__all__ = ["UNKNOWN", "History", "HistoryError", "Operation", "Raised", "Recorder"]


class HistoryError(SpecError, ValueError):
    """A history cannot be read or does not fit its model; ``str(err)`` names the line when known."""


class _Unknown:
    """The type of :data:`UNKNOWN` (one instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""The output of an operation whose result was not observed (a pending operation)."""


@dataclass(frozen=True, slots=True)
class Raised:
    """The outcome of an operation that raised: the exception's type name (``IndexError``)."""

    name: str

    def __repr__(self) -> str:
        return f"raises {self.name}"


@dataclass(frozen=True, slots=True)
class Operation:
    """One call by one client, as the client saw it.

    ``client`` identifies the caller (a thread, a process); ``name`` is the
    operation (``"push"``); ``input`` its argument (``None`` if it takes
    none); ``output`` what it returned, a :class:`Raised` if it raised, or
    :data:`UNKNOWN`.  ``call`` and ``ret`` are times on one clock; ``ret`` is
    ``None`` for a pending operation, whose output is always :data:`UNKNOWN`.
    ``line`` is where a reader found it in a file (for error messages).

    ``input_key`` and ``output_key`` are :func:`~spec.linearize.values.key`
    of the input and output (the output's :data:`UNKNOWN` or :class:`Raised`
    stand for themselves): what models compare, so that values compare as
    JSON and EDN mean them (``True`` is not ``1``; a NaN equals a NaN).

    Raises :class:`HistoryError` when a time is not a finite number or
    ``ret < call``, or when a value is nested too deeply.
    """

    client: Hashable
    name: str
    input: Any
    output: Any
    call: float
    ret: float | None
    line: int | None = None
    input_key: Any = field(init=False, repr=False, compare=False)
    output_key: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_times(self.name, self.call, self.ret, self.line)
        where = f"line {self.line}: " if self.line is not None else ""
        if self.ret is None:
            object.__setattr__(self, "output", UNKNOWN)
        try:
            object.__setattr__(self, "input_key", key(self.input))
            object.__setattr__(self, "output_key", _output_key(self.output))
        except BadValue as exc:
            raise HistoryError(f"{where}{exc}") from None

    @property
    def pending(self) -> bool:
        """True when the operation never returned (it may or may not have taken effect)."""
        return self.ret is None

    def precedes(self, other: Operation) -> bool:
        """True when this operation returned strictly before ``other`` was called."""
        return self.ret is not None and self.ret < other.call


def check_times(name: str, call: object, ret: object, line: int | None) -> None:
    """Raise :class:`HistoryError` unless ``call`` and ``ret`` are times of an operation ``name``.

    Times are finite numbers, ``ret`` (``None`` for a pending operation) no
    earlier than ``call``; ``line`` is named in the error when known.
    """
    where = f"line {line}: " if line is not None else ""
    if not _is_time(call):
        raise HistoryError(f"{where}call time {show_value(call)} of {name} is not a finite number")
    if ret is None:
        return
    if not _is_time(ret):
        raise HistoryError(f"{where}return time {show_value(ret)} of {name} is not a finite number")
    if ret < call:  # type: ignore[operator]  # both are numbers
        raise HistoryError(f"{where}{name} returns at {show_value(ret)}, before its call at {show_value(call)}")


class _Building:
    """An :class:`Operation` under construction: the same slots, but assignable.

    Discussion: readers build one operation per pair of events, and a frozen
    dataclass spends most of its constructor in ``object.__setattr__`` (some
    microseconds an operation, as long as reading the events).  A reader that
    has checked the times itself fills this twin class instead, then turns it
    into an :class:`Operation` by assigning ``__class__`` (allowed: the two
    classes have the same slots and so the same layout).
    """

    __slots__ = ("call", "client", "input", "input_key", "line", "name", "output", "output_key", "ret")


def trusted_operation(  # noqa: PLR0917 -- the fields of Operation, in its order
    client: Hashable, name: str, input: Any, output: Any, call: float, ret: float | None, line: int
) -> Operation:
    """``Operation(client, name, input, output, call, ret, line)`` for a reader that checked the times.

    Times must be finite numbers with ``call <= ret`` (or ``ret`` ``None``:
    the output is then :data:`UNKNOWN`, whatever is given), and values
    nested at most :data:`~spec.linearize.values.MAX_DEPTH` deep, as the
    readers make sure.
    """
    if ret is None:
        output = UNKNOWN
    op: Any = _Building()
    op.client = client
    op.name = name
    op.input = input
    op.output = output
    op.call = call
    op.ret = ret
    op.line = line
    op.input_key = input if type(input) in _SCALARS else key(input)
    op.output_key = output if type(output) in _SCALARS or output is UNKNOWN else _output_key(output)
    op.__class__ = Operation
    return op  # type: ignore[no-any-return]


_SCALARS = frozenset({int, str, type(None)})  # types whose values are their own keys


def trusted_history(ops: list[Operation]) -> History:
    """``History(ops)`` for a reader that built every element as an :class:`Operation`."""
    history = object.__new__(History)
    history._ops = tuple(ops)
    return history


def _is_time(value: object) -> bool:
    if isinstance(value, Decimal):  # a number of any size read from a file (a BigInt or BigFloat)
        return value.is_finite()
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _output_key(output: object) -> Hashable:
    return output if output is UNKNOWN or type(output) is Raised else key(output)


class History:
    """An immutable sequence of operations, in the order given.

    Build one from any iterable of :class:`Operation`; read one from a file
    with :func:`spec.linearize.read_history`; record one live with
    :class:`Recorder`.  Raises :class:`HistoryError` if an element is not an
    :class:`Operation`.
    """

    __slots__ = ("_ops",)

    _ops: tuple[Operation, ...]

    def __init__(self, operations: Iterable[Operation] = ()) -> None:
        ops = tuple(operations)
        for position, op in enumerate(ops):
            if not isinstance(op, Operation):
                raise HistoryError(f"element {position} of the history is {op!r}, not an Operation")
        self._ops = ops

    def __len__(self) -> int:
        return len(self._ops)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._ops)

    @overload
    def __getitem__(self, index: int) -> Operation: ...

    @overload
    def __getitem__(self, index: slice) -> History: ...

    def __getitem__(self, index: int | slice) -> Operation | History:
        if isinstance(index, slice):
            return History(self._ops[index])
        return self._ops[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, History) and self._ops == other._ops

    def __hash__(self) -> int:
        return hash(self._ops)

    def __repr__(self) -> str:
        return f"History({list(self._ops)!r})"

    @property
    def clients(self) -> tuple[Hashable, ...]:
        """Every client, in order of first appearance."""
        return tuple(dict.fromkeys(op.client for op in self._ops))


class Recorder:
    """Records a history live, from any number of threads or tasks.

    Call :meth:`begin` just before calling the object under test and
    :meth:`end` just after it returns (or raises); :meth:`history` is the
    history so far, with unfinished calls pending.  Times come from one
    global counter, so every call and return gets a distinct, increasing
    time: the recorded interval always contains the real one.  Safe to use
    from several threads at once.

    ``clock``, if given, is read for the times instead (``time.monotonic_ns``:
    a clock that other processes share, so that their histories merge with
    this one); equal readings count as overlapping, as everywhere.
    """

    __slots__ = ("_clock", "_lock", "_open", "_ops", "_tokens")

    _clock: Callable[[], float]
    _lock: threading.Lock
    _open: dict[int, tuple[Hashable, str, Any, float]]
    _ops: list[Operation]
    _tokens: Iterator[int]

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._tokens = itertools.count()
        self._clock = itertools.count().__next__ if clock is None else clock
        self._lock = threading.Lock()
        self._open = {}
        self._ops = []

    def begin(self, client: Hashable, name: str, input: Any = None) -> int:
        """Note a call; returns the token to pass to :meth:`end`."""
        with self._lock:
            token = next(self._tokens)
            self._open[token] = (client, name, input, self._clock())
        return token

    def end(self, token: int, output: Any) -> None:
        """Note that the call ``token`` returned ``output`` (a :class:`Raised` if it raised).

        Raises :class:`KeyError` for a token that is not open.
        """
        with self._lock:
            client, name, input, call = self._open.pop(token)
            self._ops.append(Operation(client, name, input, output, call, self._clock()))

    def history(self) -> History:
        """Every call so far, completed ones in order of return, then open ones (pending)."""
        with self._lock:
            pending = [Operation(c, n, i, UNKNOWN, t, None) for c, n, i, t in self._open.values()]
            return History([*self._ops, *pending])
