"""Replayable programs: the Python a contract's machine ran against a target.

Every call a machine makes into the target is recorded as one statement
(``q.push(0)``), so that a failure can be shown as a snippet the user pastes to
reproduce it.  Values that are compared by identity are bound to names first
(``x1 = [0]``) so that the final ``assert q.pop() is x1`` means what it says.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Program", "TargetRef", "literal", "show"]

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


class _Show(reprlib.Repr):
    """Abbreviating repr whose placeholder for a failing ``__repr__`` has no address in it."""

    def repr_instance(self, x: object, level: int) -> str:
        try:
            repr(x)
        except Exception as exc:
            return f"<{type(x).__qualname__} object; its repr raised {type(exc).__qualname__}>"
        return super().repr_instance(x, level)


_SHOW = _Show()
_SHOW.maxstring = _SHOW.maxother = 80


def show(value: object) -> str:
    """A short repr for messages, safe for objects a broken target returns.

    Long values are abbreviated; a ``__repr__`` that raises gives a
    placeholder instead of crashing the report.  (A ``__repr__`` that never
    returns is not guarded against.)
    """
    return _SHOW.repr(value)


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
    """An append-only list of statements, with helpers to name values."""

    __slots__ = ("_after", "_before", "_imports", "_lines", "_names", "_preamble")

    _imports: list[str]
    _preamble: tuple[str, ...]
    _lines: list[str]
    _names: int
    _before: tuple[str, ...]
    _after: tuple[str, ...]

    def __init__(self, preamble: Sequence[str] = ()) -> None:
        self._imports = []
        self._preamble = tuple(preamble)
        self._lines = []
        self._names = 0
        self._before = self._after = ()

    def enclose(self, before: Sequence[str], after: Sequence[str]) -> None:
        """Put the statements under ``before`` and follow them with ``after``.

        Each line of ``before`` opens a block (``async def program():``, then
        ``with ExitStack() as stack:`` indented under it): the statements, and
        any ending, are indented one level per line.
        """
        self._before, self._after = tuple(before), tuple(after)

    def add(self, *lines: str) -> None:
        """Append statements."""
        self._lines.extend(lines)

    def drop_last(self) -> None:
        """Remove the last statement (a query that only served a passing check)."""
        self._lines.pop()

    def mark(self) -> int:
        """A position to :meth:`truncate` back to."""
        return len(self._lines)

    def truncate(self, mark: int) -> None:
        """Forget the statements added since ``mark`` (a probe that passed)."""
        del self._lines[mark:]

    def need(self, import_line: str) -> None:
        """Make sure the snippet starts with ``import_line`` (before the preamble)."""
        if import_line not in self._imports:
            self._imports.append(import_line)

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
        self._names += 1
        name = f"{prefix}{self._names}"
        self._lines.append(f"{name} = {value!r}")
        return name

    def lines(self, *, ending: Sequence[str] = (), replace_last: bool = False) -> tuple[str, ...]:
        """The whole program: imports, preamble, statements, then ``ending``.

        With ``replace_last``, ``ending`` takes the place of the last statement
        (used when the failing check re-runs the last call inside an assert).
        """
        body = [*(self._lines[:-1] if replace_last and self._lines else self._lines), *ending]
        if self._before:
            indent = "    " * len(self._before)
            body = [indent + line for line in body]
        return (*sorted(self._imports), *self._preamble, *self._before, *body, *self._after)
