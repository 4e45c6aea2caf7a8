"""Reading histories from files: the project's JSON format, Jepsen EDN history maps, Jepsen log lines.

JSON (the project's own format) is an object with an ``operations`` array
(or just the array); each operation is an object::

    {"client": 0, "op": "push", "input": 1, "call": 0, "return": 3}
    {"client": 1, "op": "pop", "output": 1, "call": 1, "return": 4}
    {"client": 2, "op": "pop", "raises": "IndexError", "call": 5, "return": 6}
    {"client": 3, "op": "push", "input": 2, "call": 7}

``client`` (integer or string), ``op`` (string) and ``call`` (number) are
required; ``input`` and ``output`` default to ``null``; ``raises`` names
the exception the operation raised instead of returning; an operation
without ``return`` (or with ``"return": null``) is pending.  Arrays are read
as tuples; values may not be objects.  Numbers of any size are read exactly
(see :mod:`spec.linearize.values`), ``NaN`` and ``Infinity`` as Python
writes them.  Other keys are errors.

Jepsen histories -- EDN history maps and ``jepsen.util`` log lines -- are
described in :mod:`spec.linearize.jepsen`, which reads them.

Every error is a :class:`~spec.linearize.ops.HistoryError` naming the line
when there is one: a file that cannot be read, or is not text (a NUL byte,
bytes that are not UTF-8), a format that cannot be told, a malformed line,
a value nested more than :data:`~spec.linearize.values.MAX_DEPTH` deep.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from spec.linearize.budget import Budget
from spec.linearize.edn import EDNError, read_one
from spec.linearize.jepsen import FAIL_MEANS, parse_edn, parse_jepsen_log
from spec.linearize.ops import (
    History,
    HistoryError,
    Operation,
    Raised,
    check_times,
    trusted_history,
    trusted_operation,
)
from spec.linearize.values import MAX_DEPTH, BadValue, BigInt, float_from_text, int_from_text, show_value

__all__ = [
    "FAIL_MEANS",
    "FORMATS",
    "dump_json",
    "format_of",
    "parse_edn",
    "parse_history",
    "parse_jepsen_log",
    "parse_json",
    "parse_value",
    "read_history",
    "read_text",
]

FORMATS: Final = ("json", "edn", "jepsen-log")
"""The formats :func:`read_history` reads."""

_SUFFIXES: Final = {".json": "json", ".edn": "edn", ".log": "jepsen-log"}
_JSON_KEYS: Final = frozenset({"client", "op", "input", "output", "raises", "call", "return"})
_CHUNK: Final = 1 << 20


def read_history(path: str | Path, format: str | None = None, *, fail_means: str = "absent") -> History:
    """The history in the file ``path``, in ``format`` (one of :data:`FORMATS`).

    Without ``format``, the file's suffix decides (``.json``, ``.edn``,
    ``.log``), else its first characters.  ``fail_means`` is what a Jepsen
    ``:fail`` means (one of :data:`FAIL_MEANS`, see
    :mod:`spec.linearize.jepsen`).  Raises
    :class:`~spec.linearize.ops.HistoryError` when the file cannot be read
    or its format told, or when it is malformed (naming the line).
    """
    text = read_text(path)
    return parse_history(text, format_of(path, text, format), fail_means=fail_means)


def read_text(path: str | Path, budget: Budget | None = None) -> str:
    """The text of the file ``path``; :class:`HistoryError` if it cannot be read or is not UTF-8 text.

    A file with a NUL byte is not text (``/dev/zero``): refused at the
    first megabyte.  With a ``budget``, a read that reaches its memory limit
    or outlasts its time raises :class:`~spec.linearize.budget.OutOfBudget`.
    """
    name = repr(str(path))
    chunks = []
    try:
        with open(path, "rb") as file:
            while chunk := file.read(_CHUNK):
                if b"\0" in chunk:
                    raise HistoryError(f"cannot read {name}: it holds NUL bytes, so it is not a text history")
                chunks.append(chunk)
                if budget is not None:
                    budget.check()
        return b"".join(chunks).decode("utf-8-sig")
    except OSError as exc:
        raise HistoryError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise HistoryError(f"cannot read {name}: it is not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def format_of(path: str | Path, text: str, format: str | None = None) -> str:
    """``format`` if given, else the format the suffix of ``path`` names, else the one ``text`` looks like.

    Raises :class:`HistoryError` for an unknown ``format``, or when the
    format cannot be told.
    """
    if format is not None:
        if format not in FORMATS:
            raise HistoryError(f"unknown history format {format!r} (known: {', '.join(FORMATS)})")
        return format
    found = _SUFFIXES.get(os.path.splitext(path)[1]) or _sniff(text)
    if found is None:
        raise HistoryError(f"cannot tell the format of {str(path)!r}; give one of: {', '.join(FORMATS)}")
    return found


def _sniff(text: str) -> str | None:
    start = text[:4096]
    if re.match(r"\s*(\[\s*)?(\{\s*\"|\])", start):
        return "json"
    if re.match(r"\s*[\[(]?\s*\{\s*:", start):
        return "edn"
    if "jepsen.util" in text:
        return "jepsen-log"
    return None


def parse_history(
    text: str, format: str, *, fail_means: str = "absent", check: Callable[[int], None] | None = None
) -> History:
    """The history in ``text``, in ``format`` (one of :data:`FORMATS`; see :func:`read_history`).

    ``check(line)``, if given, is called every few thousand lines (to stop a
    long read: whatever it raises goes through).
    """
    if fail_means not in FAIL_MEANS:
        raise HistoryError(f"fail_means must be one of {', '.join(FAIL_MEANS)}, got {fail_means!r}")
    if format == "json":
        return parse_json(text)
    if format == "edn":
        return parse_edn(text, fail_means=fail_means, check=check)
    if format == "jepsen-log":
        return parse_jepsen_log(text, fail_means=fail_means, check=check)
    raise HistoryError(f"unknown history format {format!r} (known: {', '.join(FORMATS)})")


def parse_value(text: str, format: str) -> Any:
    """The one value ``text`` spells, in the notation of ``format`` (JSON; EDN for the Jepsen formats).

    Raises :class:`HistoryError` when ``text`` is not one such value.
    """
    if format == "json":
        try:
            try:
                return _json_value(_FAST.decode(text), "the value", exact=False)
            except _Inexact:
                return _json_value(_EXACT.decode(text), "the value", exact=True)
        except HistoryError:
            raise
        except (ValueError, RecursionError) as exc:
            raise HistoryError(f"{show_value(text)} is not a JSON value: {_json_problem(exc)}") from None
    try:
        return read_one(text)
    except EDNError as exc:
        raise HistoryError(f"{show_value(text)} is not an EDN value: {str(exc).partition(': ')[2]}") from None


# -- JSON ---------------------------------------------------------------------

# Discussion (numbers): Python's own JSON reader turns an integer too long
# for int() into an error, and a float beyond a double's range into infinity
# or zero.  So a text is read the fast way first, and read again with hooks
# that keep numbers exact when that reading met one of those (an error, an
# infinity that is not the literal Infinity, a zero: rare in histories).
_POSITIVE_INFINITY: Final = float("inf")  # the objects the literals Infinity and -Infinity read as
_NEGATIVE_INFINITY: Final = float("-inf")
_CONSTANTS: Final = {"NaN": float("nan"), "Infinity": _POSITIVE_INFINITY, "-Infinity": _NEGATIVE_INFINITY}
_FAST: Final = json.JSONDecoder(parse_constant=_CONSTANTS.__getitem__)
_EXACT: Final = json.JSONDecoder(
    parse_int=int_from_text, parse_float=float_from_text, parse_constant=_CONSTANTS.__getitem__
)


class _Inexact(Exception):
    """The fast reading may have changed a number: read the text again, exactly."""


def _inexact(number: float) -> bool:
    """Whether a float the fast reading gave may stand for another number (see the discussion above)."""
    return number == 0 or (math.isinf(number) and number is not _POSITIVE_INFINITY and number is not _NEGATIVE_INFINITY)


def _json_problem(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return f"a value is nested more than {MAX_DEPTH} deep"
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)


def parse_json(text: str) -> History:
    """The history in ``text``, the JSON format above."""
    try:
        return _parse_json(text, exact=False)
    except _Inexact:
        return _parse_json(text, exact=True)


def _parse_json(text: str, *, exact: bool) -> History:
    decoder = _EXACT if exact else _FAST
    try:
        decoder.decode(text)
        items = _json_items(text, decoder)
    except json.JSONDecodeError as exc:
        raise HistoryError(f"line {exc.lineno}: {exc.msg}") from None
    except HistoryError:
        raise
    except (RecursionError, ValueError) as exc:
        if not exact and not isinstance(exc, RecursionError):
            raise _Inexact from None  # an integer too long for int()
        raise HistoryError(f"line 1: {_json_problem(exc)}") from None
    return trusted_history([_json_operation(line, item, exact) for line, item in items])


def _json_items(text: str, decoder: json.JSONDecoder) -> list[tuple[int, Any]]:
    """The operations array's items with their lines (``text`` is valid JSON)."""
    lines = _Lines(text)
    pos = _skip(text, 0)
    if text[pos] == "{":
        pos = _skip(text, pos + 1)
        found = None
        while text[pos] != "}":
            key, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
            pos = _skip(text, _skip(text, pos) + 1)
            if key == "operations":
                found = pos
            pos = _skip(text, decoder.raw_decode(text, pos)[1])
            if text[pos] == ",":
                pos = _skip(text, pos + 1)
        if found is None:
            raise HistoryError('line 1: a JSON history needs an "operations" array')
        pos = found
    if text[pos] != "[":
        raise HistoryError(f"line {lines.at(pos)}: the operations must be an array")
    items: list[tuple[int, Any]] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "]":
        item, end = decoder.raw_decode(text, pos)
        items.append((lines.at(pos), item))
        pos = _skip(text, end)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return items


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


class _Lines:
    """Line numbers of increasing positions in a text, counted incrementally."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _json_operation(line: int, item: Any, exact: bool) -> Operation:
    where = f"line {line}"
    if not isinstance(item, dict):
        raise HistoryError(f"{where}: an operation must be an object, got {show_value(item)}")
    unknown = sorted(set(item) - _JSON_KEYS)
    if unknown:
        raise HistoryError(f"{where}: unknown key {show_value(unknown[0])} (known: {', '.join(sorted(_JSON_KEYS))})")
    for key in ("client", "op", "call"):
        if key not in item:
            raise HistoryError(f"{where}: the operation has no {key!r}")
    client, name = item["client"], item["op"]
    if isinstance(client, bool) or not isinstance(client, int | str | BigInt):
        raise HistoryError(f"{where}: 'client' must be an integer or a string, got {show_value(client)}")
    if not isinstance(name, str) or not name:
        raise HistoryError(f"{where}: 'op' must be a non-empty string, got {show_value(name)}")
    try:
        output = _json_value(item.get("output"), where, exact=exact)
        input = _json_value(item.get("input"), where, exact=exact)
    except BadValue as exc:
        raise HistoryError(f"{where}: {exc}") from None
    if "raises" in item:
        if "output" in item:
            raise HistoryError(f"{where}: an operation has an 'output' or 'raises', not both")
        if not isinstance(item["raises"], str):
            raise HistoryError(f"{where}: 'raises' must be the exception's name, got {show_value(item['raises'])}")
        output = Raised(item["raises"])
    call, ret = item["call"], item.get("return")
    if not exact and ((type(call) is float and _inexact(call)) or (type(ret) is float and _inexact(ret))):
        raise _Inexact
    check_times(name, call, ret, line)
    return trusted_operation(client, name, input, output, call, ret, line)


def _json_value(value: Any, where: str, depth: int = 0, *, exact: bool) -> Any:
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            raise BadValue(f"a value is nested more than {MAX_DEPTH} deep")
        return tuple([_json_value(v, where, depth + 1, exact=exact) for v in value])
    if isinstance(value, dict):
        raise HistoryError(f"{where}: inputs and outputs cannot be objects, got {show_value(value)}")
    if not exact and type(value) is float and _inexact(value):
        raise _Inexact
    return value


def dump_json(history: History) -> str:
    """``history`` in the JSON format above, one operation a line.

    Raises :class:`TypeError` for an input or output JSON cannot hold.
    """
    lines = []
    for op in history:
        item: dict[str, Any] = {"client": op.client, "op": op.name}
        if op.input is not None:
            item["input"] = op.input
        if isinstance(op.output, Raised):
            item["raises"] = op.output.name
        elif op.output is not None and op.ret is not None:
            item["output"] = op.output
        item["call"] = op.call
        if op.ret is not None:
            item["return"] = op.ret
        lines.append("  " + json.dumps(item))
    return '{"operations": [\n' + ",\n".join(lines) + "\n]}\n"
