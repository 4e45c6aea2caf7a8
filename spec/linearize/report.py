"""Printing linearizability results: verdicts, counterexamples, histories as timelines."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from spec.linearize.catalog import guarded
from spec.linearize.ops import Operation
from spec.linearize.values import show_value, value_of

if TYPE_CHECKING:
    from spec.linearize import LinearizabilityResult
    from spec.linearize.models import Model

__all__ = ["format_history", "format_result"]

# Histories longer than this are listed without a timeline.
_TIMELINE_MAX = 24


def format_result(result: LinearizabilityResult) -> str:
    """The result as text: the verdict line, then the counterexample if there is one."""
    model = guarded(result.model)
    parts = "" if result.partitions <= 1 else f" in {result.partitions} partitions"
    head = (
        f"{result.outcome.value.upper()}: {result.operations} operations{parts}, model {model.name}, "
        f"{result.configurations} configurations tried, {result.seconds:.2f} s"
    )
    lines = [head]
    cx = result.counterexample
    if cx is None:
        if result.outcome.value == "unknown":
            lines.append(_unknown(result))
        return "\n".join(lines)
    where = "" if cx.partition is None else f" (partition {show_value(value_of(cx.partition))})"
    if not cx.whole:
        lines.append(
            "Found in a part of the history checked on its own (the model's suspects): dropping whole groups of "
            "operations, such as all those on one item, leaves a linearizable history linearizable, so this part "
            "failing proves the whole fails."
        )
    lines.append(f"No linearization{where} gets past the return of {_name(model, cx.culprit)}.")
    lines.append(f"The furthest one reached, up to that return, leaves the {model.name} in state {cx.state}:")
    order = ", ".join(model.describe(op) for op in cx.linearized) or "(nothing)"
    lines.append(textwrap.indent(textwrap.fill(order, 100), "    "))
    if cx.shrunk:
        lines.append(
            f"The shortest prefix that cannot be linearized has {len(cx.prefix)} operations; "
            f"the smallest part of it that cannot either, {len(cx.minimal)}:"
        )
    else:
        lines.append(
            f"Not shrunk (out of time, or not asked to): the {len(cx.minimal)} operations that cannot be linearized:"
        )
    lines.append(textwrap.indent(format_history(cx.minimal, model), "    "))
    return "\n".join(lines)


def _unknown(result: LinearizabilityResult) -> str:
    limit = "time limit (--timeout)" if result.limit == "time" else "memory limit (--max-memory)"
    decided = (
        f"; {result.decided} of {result.partitions} partitions were found linearizable by then"
        if result.partitions > 1
        else ""
    )
    return f"The {limit} ran out before a verdict{decided}."


def _name(model: Model[Any], op: Operation) -> str:
    line = "" if op.line is None else f", line {op.line}"
    return f"{model.describe(op)} by client {show_value(op.client)}{line}"


def format_history(ops: Sequence[Operation], model: Model[Any]) -> str:
    """One operation a line, in call order, with a timeline when the history is short.

    The timeline has one column per distinct time: ``[`` is the call, ``]``
    the return, ``-`` the time in between; a pending operation runs to the
    right edge with ``>``.
    """
    ops = sorted(ops, key=lambda op: op.call)
    model = guarded(model)
    rows = [(show_value(op.client), model.describe(op), "" if op.line is None else f"line {op.line}") for op in ops]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    times = sorted({t for op in ops for t in (op.call, op.ret) if t is not None})
    column = {t: i for i, t in enumerate(times)}
    out = []
    for op, (client, text, line) in zip(ops, rows, strict=True):
        cells = f"client {client:<{widths[0]}}  {text:<{widths[1]}}"
        if widths[2]:
            cells += f"  {line:<{widths[2]}}"
        if len(ops) <= _TIMELINE_MAX:
            cells += "  " + _bar(column[op.call], None if op.ret is None else column[op.ret], len(times))
        out.append(cells.rstrip())
    return "\n".join(out)


def _bar(start: int, end: int | None, width: int) -> str:
    if end is None:
        return " " * 2 * start + "[" + "-" * (2 * (width - start) - 1) + ">"
    return " " * 2 * start + "[" + "-" * (2 * (end - start) - 1) + "]"
