"""The register models: registers, a compare-and-set register, multi-registers, a key-value store, a mutex.

==================  ======================================================================
``register``        ``read() -> v``, ``write(v)``
``cas-register``    also ``cas([from, to]) -> true`` if it swapped, ``false`` if it did not
``multi-register``  ``txn([[f, k, v], ...]) -> [[f, k, v], ...]``: reads and writes of keys
``kv``              ``get([k, nil]) -> v``, ``put([k, v])``, ``append([k, v])``: strings
``mutex``           ``acquire()``, ``release()``
==================  ======================================================================

Registers start as ``initial`` (``None``, Jepsen's ``nil``, unless given);
with ``nil_reads_any``, a read of ``nil`` matches any value, as in Knossos
(where a read whose value was never seen looks the same as a read of
``nil``).  Values compare as JSON and EDN mean them (the states hold
:func:`~spec.linearize.values.key` of each value).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Final, Self

from spec.linearize.guess import kv_keys
from spec.linearize.models import Model, outcome
from spec.linearize.ops import UNKNOWN, Operation
from spec.linearize.values import BadValue, Keyword, key, show_value, value_of

__all__ = ["CASRegisterModel", "KVModel", "MultiRegisterModel", "MutexModel", "RegisterModel"]

_READ: Final = frozenset({"read", Keyword("read")})
_WRITE: Final = frozenset({"write", Keyword("write")})


class _Registers(Model[Any]):
    """What the register models share: an initial value and Knossos's rule for reads of ``nil``."""

    initial_value: Any
    nil_reads_any: bool
    _initial_key: Hashable

    def __init__(self, initial: Any = None, *, nil_reads_any: bool = False) -> None:
        try:
            self._initial_key = key(initial)
        except BadValue as exc:
            raise ValueError(f"initial value: {exc}") from None
        self.initial_value = initial
        self.nil_reads_any = nil_reads_any

    def configure(self, *, initial: Any = None, nil_reads_any: bool = False) -> Self:
        """The same model, with these options."""
        return type(self)(initial, nil_reads_any=nil_reads_any)

    def reads(self, seen: Hashable, held: Hashable) -> bool:
        """Whether a read that saw ``seen`` (a key, or :data:`UNKNOWN`) is legal when the register holds ``held``."""
        return seen is UNKNOWN or seen == held or (seen is None and self.nil_reads_any)


class RegisterModel(_Registers):
    """A read/write register, initially ``initial``: ``read() -> v``, ``write(v)``."""

    name = "register"
    operations = frozenset({"read", "write"})

    def initial(self) -> Hashable:
        return self._initial_key

    def validate(self, op: Operation) -> str | None:
        if op.name in self.operations:
            return None
        problem = super().validate(op)
        return f"{problem}; the cas-register model has it" if op.name == "cas" else problem

    def step(self, state: Hashable, op: Operation) -> tuple[bool, Hashable]:
        name = op.name
        if name == "read":
            seen = op.output_key  # as in reads(), inline: this is the search's innermost call
            return seen is UNKNOWN or seen == state or (seen is None and self.nil_reads_any), state
        if name == "write":
            return True, op.input_key
        old, new = op.input_key
        swaps = state == old
        out = op.output
        return out is UNKNOWN or out is swaps, new if swaps else state

    def observes(self, op: Operation) -> bool:
        return op.name == "read" or (op.name == "cas" and op.output is False)

    def group(self, op: Operation) -> Hashable | None:
        # A read, or a cas that did not swap, changes nothing: either can go.
        if op.output is UNKNOWN or op.name == "write" or (op.name == "cas" and op.output):
            return None
        return ("alone", id(op))

    def describe(self, op: Operation) -> str:
        if op.name == "read":
            return f"read(){outcome(op.output)}"
        if op.name == "write":
            return f"write({show_value(op.input)})"
        old, new = op.input
        return f"cas({show_value(old)}, {show_value(new)}){outcome(op.output)}"

    def describe_state(self, state: Hashable) -> str:
        return show_value(value_of(state))


class CASRegisterModel(RegisterModel):
    """A compare-and-set register: a register with ``cas((from, to)) -> True`` if it swapped (it held ``from``).

    A ``cas`` that returned ``False`` did not swap: the register did not hold
    ``from``.  (A Jepsen ``:fail`` means that only with ``fail_means="false"``,
    see :mod:`spec.linearize.jepsen`.)
    """

    name = "cas-register"
    operations = frozenset({"read", "write", "cas"})

    def validate(self, op: Operation) -> str | None:
        name = op.name
        if name == "read" or name == "write":  # noqa: PLR1714 -- the common case, quickly
            return None
        if name != "cas":
            return super().validate(op)
        if not (isinstance(op.input, tuple | list) and len(op.input) == 2):
            return f"cas takes a pair (from, to), got {show_value(op.input)}"
        if op.output is not UNKNOWN and not isinstance(op.output, bool):
            return f"cas returns true or false, got {show_value(op.output)}"
        return None


class MultiRegisterModel(_Registers):
    """Knossos's multi-register: transactions of reads and writes over registers named by keys.

    ``txn(micro-ops)``, each micro-op ``[f, k, v]`` with ``f`` ``read`` or
    ``write`` (a string or a keyword), ``k`` a key, ``v`` a value; its output
    is the same list with the values the reads saw (Jepsen writes ``nil`` for
    them at the invocation).  Micro-ops take effect in order, at once.  Every
    register starts as ``initial``.
    """

    name = "multi-register"
    operations = frozenset({"txn"})

    def initial(self) -> frozenset[tuple[Hashable, Hashable]]:
        return frozenset()

    def validate(self, op: Operation) -> str | None:
        problem = super().validate(op)
        if problem is not None:
            return problem
        micro = op.input
        if not isinstance(micro, tuple | list) or not all(
            isinstance(m, tuple | list) and len(m) == 3 and (m[0] in _READ or m[0] in _WRITE) for m in micro
        ):
            return f"txn takes a list of [read|write, key, value], got {show_value(micro)}"
        done = op.output
        if done is UNKNOWN or done is None:
            return None
        expected = [(f, k_, v if f in _WRITE else None) for f, k_, v in op.input_key]
        if (
            not isinstance(done, tuple | list)
            or len(done) != len(micro)
            or not all(isinstance(m, tuple | list) and len(m) == 3 for m in done)
        ):
            return f"txn returns its list of [f, key, value] with the values read, got {show_value(done)}"
        seen = [(f, k_, v if f in _WRITE else None) for f, k_, v in op.output_key]
        if seen != expected:
            return f"txn returns its own micro-ops (the values read filled in), got {show_value(done)}"
        return None

    def step(self, state: frozenset[tuple[Hashable, Hashable]], op: Operation) -> tuple[bool, Any]:
        values = dict(state)
        out = op.output_key
        for position, (f, k, v) in enumerate(op.input_key):
            if f in _WRITE:
                values[k] = v
            elif (
                out is not UNKNOWN
                and out is not None
                and not self.reads(out[position][2], values.get(k, self._initial_key))
            ):
                return False, state
        return True, frozenset(values.items())

    def observes(self, op: Operation) -> bool:
        return all(f in _READ for f, _, _ in op.input_key)

    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op)) if op.output not in (UNKNOWN, None) and self.observes(op) else None

    def describe(self, op: Operation) -> str:
        return f"txn({show_value(op.input if op.output in (UNKNOWN, None) else op.output)})"

    def describe_state(self, state: frozenset[tuple[Hashable, Hashable]]) -> str:
        return show_value({value_of(k): value_of(v) for k, v in state})


class KVModel(Model[str]):
    """A key-value store of strings, every key initially ``""``; partitioned by key.

    Inputs are ``(key, value)`` pairs: ``get((k, None)) -> v``,
    ``put((k, v))`` sets, ``append((k, v))`` concatenates.
    """

    name = "kv"
    operations = frozenset({"get", "put", "append"})

    def initial(self) -> str:
        return ""

    def validate(self, op: Operation) -> str | None:
        problem = super().validate(op)
        if problem is None:
            if not (isinstance(op.input, tuple | list) and len(op.input) == 2):
                return f"{op.name} takes a pair (key, value), got {show_value(op.input)}"
            if op.name != "get" and not isinstance(op.input[1], str):
                return f"{op.name} takes a string value, got {show_value(op.input[1])}"
        return problem

    def step(self, state: str, op: Operation) -> tuple[bool, str]:
        if op.name == "get":
            out = op.output_key
            return out is UNKNOWN or out == state, state
        value: str = op.input[1]
        return True, value if op.name == "put" else state + value

    def partition(self, op: Operation) -> Hashable:
        key_: Hashable = op.input_key[0]
        return key_

    def search_keys(self, ops: Sequence[Operation]) -> list[Any]:
        return kv_keys(ops)

    def group(self, op: Operation) -> Hashable | None:
        return ("alone", id(op)) if op.name == "get" and op.output is not UNKNOWN else None

    def describe(self, op: Operation) -> str:
        key_, value = op.input
        if op.name == "get":
            return f"get({show_value(key_)}){outcome(op.output)}"
        return f"{op.name}({show_value(key_)}, {show_value(value)})"


class MutexModel(Model[bool]):
    """Knossos's mutex: ``acquire()`` when it is free, ``release()`` when it is held; outputs are ignored."""

    name = "mutex"
    operations = frozenset({"acquire", "release"})

    def initial(self) -> bool:
        return False

    def step(self, state: bool, op: Operation) -> tuple[bool, bool]:
        if op.name == "acquire":
            return not state, True
        return state, False

    def describe(self, op: Operation) -> str:
        return f"{op.name}()"

    def describe_state(self, state: bool) -> str:
        return "held" if state else "free"
