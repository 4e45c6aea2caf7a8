"""Reading histories from files: JSON, Jepsen EDN history maps, Jepsen log lines.

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
as tuples; values may not be objects.  Other keys are errors.

Jepsen histories (EDN maps, one event a line, or a vector of them; and the
``jepsen.util`` log lines ``PROCESS TYPE F VALUE``) are events: an
``:invoke`` opens an operation of its ``:process`` and the next ``:ok``,
``:fail`` or ``:info`` of that process completes it.  Times are the events'
positions.  ``:ok`` returns the completion's ``:value``; ``:info`` leaves
the operation pending (it may or may not have taken effect); ``:fail``
means it did not take effect and drops it -- except for ``:cas``, whose
``:ok``/``:fail`` are the outputs ``true``/``false`` (Jepsen's register
convention: a failed compare-and-set is an observed outcome).  A map with a
``:key`` makes the input ``(key, value)``, as the ``kv`` model expects.
Events of a process that is not an integer (the nemesis) are skipped.

Every error is a :class:`~spec.linearize.ops.HistoryError` naming the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spec.linearize.edn import EDNError, Keyword, read_all, read_one
from spec.linearize.ops import History, HistoryError, Operation, Raised

__all__ = ["FORMATS", "dump_json", "parse_edn", "parse_jepsen_log", "parse_json", "read_history"]

FORMATS = ("json", "edn", "jepsen-log")
"""The formats :func:`read_history` reads."""

_SUFFIXES = {".json": "json", ".edn": "edn", ".log": "jepsen-log"}
_JSON_KEYS = frozenset({"client", "op", "input", "output", "raises", "call", "return"})


def read_history(path: str | Path, format: str | None = None) -> History:
    """The history in the file ``path``, in ``format`` (one of :data:`FORMATS`).

    Without ``format``, the file's suffix decides (``.json``, ``.edn``,
    ``.log``), else its first characters.  Raises
    :class:`~spec.linearize.ops.HistoryError` when the file cannot be read or
    its format told, or when it is malformed (naming the line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryError(f"cannot read {str(path)!r}: {getattr(exc, 'strerror', None) or exc}") from None
    if format is None:
        format = _SUFFIXES.get(path.suffix) or _sniff(text)
        if format is None:
            raise HistoryError(f"cannot tell the format of {str(path)!r}; give one of: {', '.join(FORMATS)}")
    if format == "json":
        return parse_json(text)
    if format == "edn":
        return parse_edn(text)
    if format == "jepsen-log":
        return parse_jepsen_log(text)
    raise HistoryError(f"unknown history format {format!r} (known: {', '.join(FORMATS)})")


def _sniff(text: str) -> str | None:
    if re.match(r"\s*(\[\s*)?(\{\s*\"|\])", text):
        return "json"
    if re.match(r"\s*[\[(]?\s*\{\s*:", text):
        return "edn"
    if "jepsen.util" in text:
        return "jepsen-log"
    return None


# -- JSON ---------------------------------------------------------------------


def parse_json(text: str) -> History:
    """The history in ``text``, the JSON format above."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(f"line {exc.lineno}: {exc.msg}") from None
    return History(_json_operation(line, item) for line, item in _json_items(text))


def _json_items(text: str) -> list[tuple[int, Any]]:
    """The operations array's items with their lines (``text`` is valid JSON)."""
    decoder = json.JSONDecoder()
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


def _json_operation(line: int, item: Any) -> Operation:
    where = f"line {line}"
    if not isinstance(item, dict):
        raise HistoryError(f"{where}: an operation must be an object, got {item!r}")
    unknown = sorted(set(item) - _JSON_KEYS)
    if unknown:
        raise HistoryError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_JSON_KEYS))})")
    for key in ("client", "op", "call"):
        if key not in item:
            raise HistoryError(f"{where}: the operation has no {key!r}")
    client, name = item["client"], item["op"]
    if isinstance(client, bool) or not isinstance(client, int | str):
        raise HistoryError(f"{where}: 'client' must be an integer or a string, got {client!r}")
    if not isinstance(name, str) or not name:
        raise HistoryError(f"{where}: 'op' must be a non-empty string, got {name!r}")
    output = _json_value(item.get("output"), where)
    if "raises" in item:
        if "output" in item:
            raise HistoryError(f"{where}: an operation has an 'output' or 'raises', not both")
        if not isinstance(item["raises"], str):
            raise HistoryError(f"{where}: 'raises' must be the exception's name, got {item['raises']!r}")
        output = Raised(item["raises"])
    return Operation(
        client, name, _json_value(item.get("input"), where), output, item["call"], item.get("return"), line
    )


def _json_value(value: Any, where: str) -> Any:
    if isinstance(value, list):
        return tuple(_json_value(v, where) for v in value)
    if isinstance(value, dict):
        raise HistoryError(f"{where}: inputs and outputs cannot be objects, got {value!r}")
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


# -- Jepsen -------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    line: int
    process: Hashable
    type: str
    f: str
    value: Any
    key: Any
    has_key: bool


def parse_edn(text: str) -> History:
    """The history in ``text``: Jepsen history maps in EDN."""
    try:
        forms = read_all(text)
    except EDNError as exc:
        raise HistoryError(str(exc)) from None
    if len(forms) == 1 and isinstance(forms[0][1], tuple):
        line = forms[0][0]
        forms = [(line, form) for form in forms[0][1]]
    return _operations([_edn_event(line, form) for line, form in forms])


def _edn_event(line: int, form: Any) -> _Event:
    if not isinstance(form, dict):
        raise HistoryError(f"line {line}: expected a history map {{:process ..., :type ..., :f ...}}, got {form!r}")
    fields = {k.name: v for k, v in form.items() if isinstance(k, Keyword)}
    for name in ("process", "type", "f"):
        if name not in fields:
            raise HistoryError(f"line {line}: the history map has no :{name}")
    return _event(line, fields["process"], fields["type"], fields["f"], value=fields.get("value"), extra=fields)


def _event(line: int, process: Any, type_: Any, f: Any, *, value: Any, extra: dict[str, Any]) -> _Event:
    if not isinstance(type_, Keyword) or type_.name not in ("invoke", "ok", "fail", "info"):
        raise HistoryError(f"line {line}: :type must be :invoke, :ok, :fail or :info, got {type_!r}")
    if not isinstance(f, Keyword | str):
        raise HistoryError(f"line {line}: :f must be a keyword, got {f!r}")
    name = f.name if isinstance(f, Keyword) else f
    return _Event(line, process, type_.name, name, value, extra.get("key"), "key" in extra)


_LOG_LINE = re.compile(r"jepsen\.util\s+-\s+(?P<rest>.*)$")
_LOG_EVENT = re.compile(r"(?P<process>\d+)\s+(?P<type>\S+)\s+(?P<f>\S+)\s+(?P<value>\S.*?)\s*")


def parse_jepsen_log(text: str) -> History:
    """The history in ``text``: Jepsen ``jepsen.util`` log lines; other lines carry no event."""
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _LOG_LINE.search(line)
        if found is None:
            continue
        rest = found["rest"]
        if not rest[:1].isdigit():
            continue  # the nemesis, or a message that is not an event
        match = _LOG_EVENT.fullmatch(rest)
        if match is None:
            raise HistoryError(f"line {number}: expected 'PROCESS TYPE F VALUE' after jepsen.util, got {rest!r}")
        try:
            type_, f, value = (read_one(match[group], number) for group in ("type", "f", "value"))
        except EDNError as exc:
            raise HistoryError(str(exc)) from None
        events.append(_event(number, int(match["process"]), type_, f, value=value, extra={}))
    return _operations(events)


def _operations(events: list[_Event]) -> History:
    """Pair each invocation with its process's next completion (see the module docstring)."""
    invoked: dict[Hashable, tuple[int, _Event]] = {}
    ops: list[Operation] = []
    for time, event in enumerate(events):
        if isinstance(event.process, bool) or not isinstance(event.process, int):
            continue
        if event.type == "invoke":
            if event.process in invoked:
                first = invoked[event.process][1]
                raise HistoryError(
                    f"line {event.line}: process {event.process} invokes {event.f} while its {first.f} "
                    f"from line {first.line} has not completed"
                )
            invoked[event.process] = (time, event)
            continue
        if event.process not in invoked:
            raise HistoryError(f"line {event.line}: process {event.process} completes {event.f} it never invoked")
        call, start = invoked.pop(event.process)
        if start.f != event.f:
            raise HistoryError(
                f"line {event.line}: process {event.process} completes {event.f}, "
                f"but invoked {start.f} on line {start.line}"
            )
        if event.type == "fail" and start.f != "cas":
            continue  # it did not take effect
        output = event.type == "ok" if start.f == "cas" else event.value
        ops.append(_operation(start, output, call, None if event.type == "info" else time))
    ops.extend(_operation(start, None, call, None) for call, start in invoked.values())
    ops.sort(key=lambda op: op.call)
    return History(ops)


def _operation(start: _Event, output: Any, call: int, ret: int | None) -> Operation:
    value = (start.key, start.value) if start.has_key else start.value
    return Operation(start.process, start.f, value, output, call, ret, start.line)
