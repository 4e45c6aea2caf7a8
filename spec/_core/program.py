"""Replayable programs: the Python a contract's machine ran against a target.

Every call a machine makes into the target is recorded as one statement
(``q.push(0)``), so that a failure can be shown as a snippet the user pastes to
reproduce it.  Values that are compared by identity are bound to names first
(``x1 = [0]``) so that the final ``assert q.pop() is x1`` means what it says.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, TypeVar

from spec._core import journal
from spec._core.deadline import Deadline, TargetHung
from spec._core.signals import theirs

__all__ = [
    "SHOW_SECONDS",
    "Program",
    "TargetRef",
    "bounded",
    "describe_exception",
    "guarded",
    "literal",
    "looks_equal",
    "show",
    "type_name",
]

# Types whose repr is a literal that evaluates back to an equal value, and whose
# identity the contracts never rely on.
_LITERAL_TYPES = (bool, int, float, str, bytes, type(None))


def literal(value: object) -> str | None:
    """The source text of ``value`` when it is a plain literal, else ``None``.

    Floats that are not finite have no literal; they are spelled
    ``float('nan')`` and ``float('inf')`` so that the text still evaluates.
    """
    if isinstance(value, float) and math.isnan(value):
        return "float('nan')"
    if isinstance(value, float) and math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    if type(value) in _LITERAL_TYPES:
        return repr(value)
    return None


T = TypeVar("T")
D = TypeVar("D")

SHOW_SECONDS = 1.0
"""Time limit of rendering one value (:func:`show`) or one exception (:func:`bounded`)."""

# Past this many bits an int is not converted to decimal: the conversion takes
# time quadratic in its size, and beyond sys.get_int_max_str_digits() it raises.
_INT_BITS = 10_000

_HUNG_TYPES: set[type] = set()
"""Types whose ``__repr__`` once did not return in time: not called again (each attempt costs a time limit)."""


def _run(fn: Callable[..., object], *args: Any) -> tuple[object, bool]:
    """``(fn(*args), False)``; ``(None, False)`` if it raised, ``(None, True)`` if it hung."""
    try:
        with Deadline(SHOW_SECONDS) as deadline:
            return deadline.call(fn, *args), False
    except TargetHung:
        return None, True
    except BaseException as exc:
        theirs(exc)
        return None, False


def guarded(fn: Callable[..., T], *args: Any, default: D) -> T | D:
    """``fn(*args)`` for target code the oracle only needs in passing; ``default`` if it raised or hung.

    Like :func:`bounded`, under a time limit of :data:`SHOW_SECONDS`.
    """
    value, _ = _run(lambda: (True, fn(*args)))
    return value[1] if isinstance(value, tuple) else default


def looks_equal(a: object, b: object) -> bool:
    """``a == b`` asked in passing of objects a target made (a hint for a message, not a verdict).

    ``==`` and ``bool()`` of its result are target code: under :func:`guarded`,
    so that one that raises or hangs counts as "not equal".
    """
    return bool(guarded(lambda: bool(a == b), default=False))


def bounded(fn: Callable[..., object], *args: Any) -> str | None:
    """``fn(*args)``, a string computed from target objects; ``None`` if it raised, hung or was not a string.

    It runs under a time limit of :data:`SHOW_SECONDS` and catches
    everything the target may raise (see :mod:`spec._core.signals`): rendering
    what a target made must never fail the oracle.
    """
    text, _ = _run(fn, *args)
    return text if type(text) is str else None


def _qualname(kind: type) -> str:
    try:
        name = kind.__qualname__
    except BaseException as exc:  # a metaclass may make it a property
        theirs(exc)
        return "object"
    return name if type(name) is str else "object"


def type_name(value: object) -> str:
    """The qualified name of ``value``'s type, never raising, within :data:`SHOW_SECONDS`."""
    return bounded(_qualname, type(value)) or "object"


class _Show(reprlib.Repr):
    """An abbreviating repr for values a target made.

    Its placeholder for a ``__repr__`` that raises has no address in it (a
    report must not change from one run to the next); huge ints and byte
    strings are abbreviated without being converted whole.
    """

    culprit: type | None  # the type whose __repr__ is running, to blame if it hangs

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = 80
        self.culprit = None

    def repr_instance(self, x: object, level: int) -> str:
        kind = type(x)
        name = _qualname(kind)
        if kind in _HUNG_TYPES:
            return f"<{name} object; its repr did not return within {SHOW_SECONDS:g} s>"
        self.culprit = kind
        try:
            text = repr(x)
        except BaseException as exc:
            theirs(exc)
            self.culprit = None
            return f"<{name} object; its repr raised {_qualname(type(exc))}>"
        self.culprit = None
        if len(text) > self.maxother:
            head = max(0, (self.maxother - 3) // 2)
            tail = max(0, self.maxother - 3 - head)
            text = f"{text[:head]}...{text[len(text) - tail :]}"
        return text

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _INT_BITS:
            return f"<int of about {int(x.bit_length() * math.log10(2)) + 1} digits>"
        return super().repr_int(x, level)

    def repr_bytes(self, x: bytes, level: int) -> str:
        text = repr(x[: self.maxstring])
        return text if len(x) <= self.maxstring else f"{text[:-1]}...{text[-1]}"


def show(value: object) -> str:
    """A short repr for messages: bounded, and safe for anything a broken target returns.

    Long values are abbreviated; a ``__repr__`` that raises (anything, even
    ``SystemExit``) gives a placeholder; so does one that does not return within
    :data:`SHOW_SECONDS`, and that type's repr is not called again.
    """
    renderer = _Show()
    text, hung = _run(renderer.repr, value)
    if type(text) is str:
        return text
    if hung and renderer.culprit is not None:
        _HUNG_TYPES.add(renderer.culprit)
    what = f"did not return within {SHOW_SECONDS:g} s" if hung else "failed"
    return f"<{type_name(value)} object; its repr {what}>"


@dataclass(frozen=True)
class TargetRef:
    """How a snippet names the target.

    ``label`` is what reports print (``mypkg.mod:MyQueue``); ``imports`` are the
    statements that make ``name`` available in a fresh interpreter;
    ``importable`` is false when no such statements exist (a lambda, a local
    class) and the snippet asks the user to substitute the factory.
    """

    label: str
    name: str
    imports: tuple[str, ...]
    importable: bool = True


class Program:
    """An append-only list of statements, with helpers to name values.

    Every change is journalled (:mod:`spec._core.journal`) before the
    statement runs, so that a supervising process can show the program that
    was running if the process running it dies.
    """

    __slots__ = ("_after", "_before", "_imports", "_key", "_lines", "_names", "_preamble")

    _imports: list[str]
    _preamble: tuple[str, ...]
    _lines: list[str]
    _names: int
    _before: tuple[str, ...]
    _after: tuple[str, ...]
    _key: int
    _made: ClassVar[int] = 0

    def __init__(self, preamble: Sequence[str] = ()) -> None:
        self._imports = []
        self._preamble = tuple(preamble)
        self._lines = []
        self._names = 0
        self._before = self._after = ()
        Program._made += 1
        self._key = Program._made
        journal.note_program(self._key, "begin", "\n".join(self._preamble))

    def enclose(self, before: Sequence[str], after: Sequence[str]) -> None:
        """Put the statements under ``before`` and follow them with ``after``.

        Each line of ``before`` opens a block (``async def program():``, then
        ``with ExitStack() as stack:`` indented under it): the statements, and
        any ending, are indented one level per line.
        """
        self._before, self._after = tuple(before), tuple(after)
        journal.note_program(self._key, "before", "\n".join(self._before))
        journal.note_program(self._key, "after", "\n".join(self._after))

    def add(self, *lines: str) -> None:
        """Append statements."""
        self._lines.extend(lines)
        for line in lines:
            journal.note_program(self._key, "add", line)

    def drop_last(self) -> None:
        """Remove the last statement (a query that only served a passing check)."""
        self._lines.pop()
        journal.note_program(self._key, "cut", str(len(self._lines)))

    def mark(self) -> int:
        """A position to :meth:`truncate` back to."""
        return len(self._lines)

    def truncate(self, mark: int) -> None:
        """Forget the statements added since ``mark`` (a probe that passed)."""
        del self._lines[mark:]
        journal.note_program(self._key, "cut", str(len(self._lines)))

    def need(self, import_line: str) -> None:
        """Make sure the snippet starts with ``import_line`` (before the preamble)."""
        if import_line not in self._imports:
            self._imports.append(import_line)
            journal.note_program(self._key, "need", import_line)

    def name(self, value: object, *, prefix: str = "x") -> str:
        """The source text that refers to ``value`` from now on.

        Plain literals are written in place.  Anything else is bound to a fresh
        name by an assignment added to the program, so that later statements
        can compare by identity.  ``Fraction`` values bring their import.
        """
        text = literal(value)
        if text is not None:
            return text
        if isinstance(value, Fraction):
            self.need("from fractions import Fraction")
        return self.bind(repr(value), prefix=prefix)

    def bind(self, source: str, *, prefix: str = "x") -> str:
        """Bind the value of the expression ``source`` to a fresh name (added to the program); return the name."""
        self._names += 1
        name = f"{prefix}{self._names}"
        self.add(f"{name} = {source}")
        return name

    def lines(self, *, ending: Sequence[str] = (), replace_last: bool = False) -> tuple[str, ...]:
        """The whole program: imports, preamble, statements, then ``ending``.

        With ``replace_last``, ``ending`` takes the place of the last statement
        (used when the failing check re-runs the last call inside an assert).
        """
        body = [*(self._lines[:-1] if replace_last and self._lines else self._lines), *ending]
        if self._before:
            indent = "    " * len(self._before)
            body = [indent + line.replace("\n", "\n" + indent) for line in body]
        return (*sorted(self._imports), *self._preamble, *self._before, *body, *self._after)


_MESSAGE_CHARS = 500  # of an exception's message, in a one-line description


def describe_exception(exc: BaseException) -> str:
    """``TypeName: message`` (or just ``TypeName`` when there is no message).

    Safe for anything a target raises: the message is computed under a time
    limit, abbreviated, and replaced by a placeholder when ``str()`` fails.
    """
    name = type_name(exc)
    text = bounded(str, exc)
    if text is None:
        text = "<str() of the exception failed>"
    if len(text) > _MESSAGE_CHARS:
        text = f"{text[: _MESSAGE_CHARS - 3]}..."
    return f"{name}: {text}" if text else name
