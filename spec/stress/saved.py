"""Saving a failing run's history, so that it can be checked again and kept as a regression case.

The file is the linearizability checker's JSON format
(:func:`spec.linearize.dump_json`): ``python -m spec linearize FILE --model
queue`` reads it.  An output that JSON cannot hold (an object a broken
target returned) is written as its repr, a string, which no pushed item
equals: the saved history is linearizable exactly when the run's was.
"""

from __future__ import annotations

import json
from pathlib import Path

from spec.linearize import History, Operation, dump_json

__all__ = ["save_history"]


def save_history(history: History, path: str | Path) -> None:
    """Write ``history`` to ``path`` as JSON.  Raises :class:`OSError` if it cannot be written."""
    Path(path).write_text(dump_json(History(map(_portable, history))), encoding="utf-8")


def _portable(op: Operation) -> Operation:
    try:
        json.dumps(op.output)
    except (TypeError, ValueError):
        return Operation(op.client, op.name, op.input, repr(op.output), op.call, op.ret)
    return op
