"""A running check's journal: what a supervising process needs to give a verdict if the check dies.

The command line runs a search in a child process (see :mod:`spec._cli.supervise`)
so that nothing a target does -- exiting, killing its process, holding the GIL,
exhausting memory -- can end the command without a verdict.  The child keeps
the parent informed as it goes, *before* each step runs, through one
:class:`Journal` whose records are lines on a pipe:

* ``program KEY OP TEXT``: the program ``KEY`` changed: ``begin`` (``TEXT``: its
  preamble), ``need`` (an import), ``add`` (a statement), ``cut`` (``TEXT``:
  the number of statements it keeps);
* ``call SECONDS`` / ``return``: a call into the target began, with its time
  limit (``-`` for none), or ended;
* ``seed``, ``phase``, ``out``, ``err``, ``exit``: the seed of the search, what
  the oracle is doing (``import``, ``search``), and the command's output and
  exit status, sent at the end instead of printed, so that a target that
  closes or floods standard output cannot garble them.

``TEXT`` fields are JSON strings; one record is one ``os.write``, so records
from several threads never interleave.  Nothing is recorded unless a journal
is started (:func:`start`): in-process checks pay one test of a module global per step.
"""

from __future__ import annotations

import json
import os

__all__ = ["Journal", "active", "note", "note_call", "note_program", "note_return", "start", "stop"]


class Journal:
    """Records written to the file descriptor ``fd`` (a pipe to the supervising process)."""

    fd: int

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, record: str) -> None:
        """Write one record (a line); a parent that went away stops the journal, not the check."""
        data = record.encode("utf-8", "backslashreplace") + b"\n"
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError:
            stop()


class _Open:
    journal: Journal | None = None


def start(fd: int) -> Journal:
    """Start journalling to ``fd``; the journal stays open for the rest of the process."""
    _Open.journal = Journal(fd)
    return _Open.journal


def stop() -> None:
    """Stop journalling."""
    _Open.journal = None


def active() -> bool:
    """Whether a journal is open."""
    return _Open.journal is not None


def note(kind: str, text: str) -> None:
    """Record ``kind TEXT`` (``seed``, ``phase``, ``out``, ``err``, ``exit``)."""
    if (journal := _Open.journal) is not None:
        journal.write(f"{kind} {json.dumps(text)}")


def note_program(key: int, op: str, text: str) -> None:
    """Record a change to program ``key`` (see the module docstring)."""
    if (journal := _Open.journal) is not None:
        journal.write(f"program {key} {op} {json.dumps(text)}")


def note_call(seconds: float | None) -> None:
    """Record that a call into the target begins, with its time limit."""
    if (journal := _Open.journal) is not None:
        journal.write("call -" if seconds is None else f"call {seconds!r}")


def note_return() -> None:
    """Record that the call into the target that began last has ended."""
    if (journal := _Open.journal) is not None:
        journal.write("return")
