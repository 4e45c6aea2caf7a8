"""Jepsen histories: EDN history maps and ``jepsen.util`` log lines, paired into operations.

A Jepsen history is a sequence of events, one map per event (in EDN, one
a line or all in one vector)::

    {:process 0, :type :invoke, :f :read, :value nil}
    {:process 0, :type :ok, :f :read, :value 3}

or, in a log, one ``jepsen.util`` line per event (``INFO jepsen.util - 0
:invoke :read nil``: process, type, function, value).  An ``:invoke``
opens an operation of its ``:process``, and the next completion of that
process closes it; times are the events' positions.  Jepsen's meaning of
the completions:

* ``:ok``: the operation took effect, and returned the completion's
  ``:value`` (a ``:cas`` returns ``true``: it swapped);
* ``:fail``: the operation certainly did not take effect, so it is left out
  (as ``knossos.history/without-failures`` does).  With ``fail_means="false"``
  a failed ``:cas`` is kept instead, as a compare-and-set that returned
  ``false`` (Porcupine's reading of its etcd logs, where a failed CAS means
  the register did not hold the expected value); other failures are still
  left out;
* ``:info``: the outcome is unknown: the operation may have taken effect at
  any time after its call, or never (it is pending).  An ``:info`` with no
  ``:invoke`` before it (Knossos's generators write them) is such an
  operation, called at the ``:info``.

A map with a ``:key`` makes the input ``(key, value)``, as the ``kv`` model
expects.  Events of a process that is not an integer (the nemesis) are
skipped, as are other keys of the maps (``:time``, ``:index`` ...).

Every error is a :class:`~spec.linearize.ops.HistoryError` naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from operator import attrgetter
from typing import Any, Final

from spec.linearize.edn import EDNError, Keyword, read_all, read_one
from spec.linearize.ops import History, HistoryError, Operation, trusted_history, trusted_operation
from spec.linearize.values import show_value

__all__ = ["FAIL_MEANS", "parse_edn", "parse_jepsen_log"]

FAIL_MEANS: Final = ("absent", "false")
"""What a ``:fail`` completion may mean (see the module docstring); ``absent`` is Jepsen's own."""

Check = Callable[[int], None]

_TYPES: Final = frozenset({"invoke", "ok", "fail", "info"})
_EVERY: Final = 4096  # lines read between two calls of ``check``


_Event = tuple[int, Any, str, str, Any]  # line, process, type, f, value


def _operations(events: list[_Event], fail_means: str) -> History:
    """Pair each invocation with its process's next completion, as the module docstring says.

    An event's ``value`` is the input of an invocation (or of a lone
    ``:info``), the output of a completion.  Times are the events' positions.
    """
    if fail_means not in FAIL_MEANS:
        raise HistoryError(f"fail_means must be one of {', '.join(FAIL_MEANS)}, got {fail_means!r}")
    fail_false = fail_means == "false"
    invoked: dict[Hashable, tuple[int, str, Any, int]] = {}
    ops: list[Operation] = []
    append = ops.append
    for time, (line, process, type_, f, value) in enumerate(events):
        if type(process) is not int and (type(process) is bool or not isinstance(process, int)):
            continue  # the nemesis, or another process that is not a client
        if type_ == "invoke":
            if process in invoked:
                first = invoked[process]
                raise HistoryError(
                    f"line {line}: process {process} invokes {f} while its {first[1]} "
                    f"from line {first[3]} has not completed"
                )
            invoked[process] = (time, f, value, line)
            continue
        start = invoked.pop(process, None)
        if start is None:
            if type_ != "info":
                raise HistoryError(f"line {line}: process {process} completes {f} it never invoked")
            append(trusted_operation(process, f, value, None, time, None, line))
            continue
        call, name, input, first_line = start
        if name != f:
            raise HistoryError(f"line {line}: process {process} completes {f}, but invoked {name} on line {first_line}")
        if type_ == "ok":
            append(trusted_operation(process, name, input, True if name == "cas" else value, call, time, first_line))
        elif type_ == "info":
            append(trusted_operation(process, name, input, None, call, None, first_line))
        elif fail_false and name == "cas":
            append(trusted_operation(process, name, input, False, call, time, first_line))
    for process, (call, name, input, line) in invoked.items():
        append(trusted_operation(process, name, input, None, call, None, line))
    ops.sort(key=attrgetter("call"))
    return trusted_history(ops)


_TYPE_NAMES: Final = {f":{name}": name for name in _TYPES}


def _type_name(value: Any, line: int) -> str:
    if type(value) is Keyword and value.name in _TYPES:
        return value.name
    raise HistoryError(f"line {line}: :type must be :invoke, :ok, :fail or :info, got {show_value(value)}")


def _f_name(value: Any, line: int) -> str:
    if type(value) is Keyword:
        return value.name
    if type(value) is str:
        return value
    raise HistoryError(f"line {line}: :f must be a keyword, got {show_value(value)}")


def _read(token: str, line: int) -> Any:
    try:
        return read_one(token, line)
    except EDNError as exc:
        raise HistoryError(str(exc)) from None


# -- EDN history maps --------------------------------------------------------------

# Discussion (speed): most Jepsen histories have one map a line, with plain
# values (nil, a number, a keyword, a string without escapes, a vector of
# such), and Knossos's and Porcupine's in the order :process, :type, :f,
# :key, :value.  Those are read without building the maps: one regular
# expression over the whole text gives each line's five fields (the
# canonical order), or each line's pairs (plain maps in any order); a text
# with any other line goes to the full EDN reader.  Every value token is
# read once (the same few recur).  The tests check that the three ways read
# the same events.
_ATOM: Final = r"""[^\s,()\[\]{}"\\;#]++"""  # possessive: an atom is never split
_PLAIN_VALUE: Final = rf"""(?:"[^"\\\n]*"|\[[^\[\]{{}}()"\\;#\n]*\]|\#\#(?:NaN|Inf|-Inf)|{_ATOM})"""
_CANONICAL: Final = re.compile(
    rf"""^[ \t\r,]*(?:\{{:process[ ,]+({_ATOM})[ ,]+:type[ ,]+({_ATOM})[ ,]+:f[ ,]+({_ATOM})"""
    rf"""(?:[ ,]+:key[ ,]+({_PLAIN_VALUE}))?[ ,]+:value[ ,]+({_PLAIN_VALUE})[ ,]*\}}[ \t\r,]*)?$""",
    re.MULTILINE,
)
_FLAT_LINE: Final = re.compile(
    rf"""^[ \t\r,]*(?:(\{{)((?:[ \t\r,]*:{_ATOM}[ \t\r,]+{_PLAIN_VALUE})*)[ \t\r,]*\}}[ \t\r,]*)?$""",
    re.MULTILINE,
)
_PAIR: Final = re.compile(rf""":({_ATOM})[ \t\r,]+({_PLAIN_VALUE})""")


def parse_edn(text: str, *, fail_means: str = "absent", check: Check | None = None) -> History:
    """The history in ``text``: Jepsen history maps in EDN (see the module docstring)."""
    lines = text.count("\n") + 1
    canonical = _CANONICAL.findall(text)
    if len(canonical) == lines:
        return _operations(_canonical_maps(canonical, check), fail_means)
    flat = _FLAT_LINE.findall(text)
    if len(flat) == lines:
        return _operations(_flat_maps(flat, check), fail_means)
    try:
        forms = read_all(text, elements=True, check=check)
    except EDNError as exc:
        raise HistoryError(str(exc)) from None
    events = []
    for number, form in forms:
        if not isinstance(form, dict):
            raise HistoryError(
                f"line {number}: expected a history map {{:process ..., :type ..., :f ...}}, got {show_value(form)}"
            )
        events.append(_map_event(number, {k.name: v for k, v in form.items() if type(k) is Keyword}))
    return _operations(events, fail_means)


_FIELDS: Final = frozenset({"process", "type", "f", "value", "key"})


def _canonical_maps(lines: list[tuple[str, str, str, str, str]], check: Check | None) -> list[_Event]:
    events: list[_Event] = []
    event = events.append
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for number, (process, type_, f, key, value) in enumerate(lines, start=1):
        if not process:
            continue  # a blank line
        if number % _EVERY == 0 and check is not None:
            check(number)
        p = values.get(process, values)
        if p is values:
            p = values[process] = _read(process, number)
        type_name = _TYPE_NAMES.get(type_) or _type_name(_read(type_, number), number)
        f_name = names.get(f)
        if f_name is None:
            f_name = names[f] = _f_name(_read(f, number), number)
        v = values.get(value, values)
        if v is values:
            v = values[value] = _read(value, number)
        if key and type_name in ("invoke", "info"):
            k = values.get(key, values)
            if k is values:
                k = values[key] = _read(key, number)
            v = (k, v)
        event((number, p, type_name, f_name, v))
    return events


def _flat_maps(lines: list[tuple[str, str]], check: Check | None) -> list[_Event]:
    events = []
    cache: dict[str, Any] = {}
    for number, (brace, inner) in enumerate(lines, start=1):
        if not brace:
            continue  # a blank line
        if number % _EVERY == 0 and check is not None:
            check(number)
        pairs = _PAIR.findall(inner)
        tokens = dict(pairs)
        if len(tokens) != len(pairs):
            raise HistoryError(f"line {number}: a map key appears twice")
        fields = {}
        for name, token in tokens.items():
            if name in _FIELDS:
                value = cache.get(token, cache)
                if value is cache:
                    value = cache[token] = _read(token, number)
                fields[name] = value
        events.append(_map_event(number, fields))
    return events


def _map_event(line: int, fields: dict[str, Any]) -> _Event:
    for name in ("process", "type", "f"):
        if name not in fields:
            raise HistoryError(f"line {line}: the history map has no :{name}")
    type_ = _type_name(fields["type"], line)
    value = fields.get("value")
    if "key" in fields and type_ in ("invoke", "info"):
        value = (fields["key"], value)
    return (line, fields["process"], type_, _f_name(fields["f"], line), value)


# -- jepsen.util log lines -----------------------------------------------------------------


def parse_jepsen_log(text: str, *, fail_means: str = "absent", check: Check | None = None) -> History:
    """The history in ``text``: Jepsen ``jepsen.util`` log lines; other lines carry no event.

    An event line is ``... jepsen.util - PROCESS TYPE F VALUE``, the fields
    separated by whitespace, ``VALUE`` the rest of the line (one EDN form).
    """
    events: list[_Event] = []
    event = events.append
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    processes: dict[str, Any] = {}
    types = _TYPE_NAMES
    lines = text.split("\n")
    for first in range(0, len(lines), _EVERY):
        if first and check is not None:
            check(first)
        for number, line in enumerate(lines[first : first + _EVERY], start=first + 1):
            at = line.find("jepsen.util")
            if at < 0:
                continue
            fields = line[at + 11 :].split(None, 4)
            if len(fields) != 5 or fields[0] != "-" or not fields[1].isdigit():
                _not_an_event(fields, line[at + 11 :], number)
                continue
            _, process, type_, f, token = fields
            type_name = types.get(type_) or _type_name(_read(type_, number), number)
            f_name = names.get(f)
            if f_name is None:
                f_name = names[f] = _f_name(_read(f, number), number)
            value = values.get(token, values)
            if value is values:
                value = values[token] = _read(token.rstrip(), number)
            client = processes.get(process)
            if client is None:
                client = processes[process] = _read(process, number)
            event((number, client, type_name, f_name, value))
    return _operations(events, fail_means)


def _not_an_event(fields: list[str], rest: str, line: int) -> None:
    """Check that what follows ``jepsen.util`` is the nemesis's, or a message: not an event gone wrong."""
    if len(fields) >= 2 and fields[0] == "-" and fields[1][:1].isdigit():
        raise HistoryError(
            f"line {line}: expected 'PROCESS TYPE F VALUE' after jepsen.util, got {show_value(rest.strip())}"
        )
