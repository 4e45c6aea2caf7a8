"""A running check's journal: what a supervising process needs to give a verdict if the check dies.

The command line runs a search in a child process (see :mod:`spec._cli.supervise`)
so that nothing a target does -- exiting, killing its process, holding the GIL,
exhausting memory -- can end the command without a verdict.  The child keeps
the parent informed as it goes, *before* each step runs, through one
:class:`Journal` whose records are lines on a pipe:

* ``program KEY OP TEXT``: the program ``KEY`` changed: ``begin`` (``TEXT``: its
  preamble), ``need`` (an import), ``add`` (a statement), ``cut`` (``TEXT``:
  the number of statements it keeps), ``before`` and ``after`` (the lines
  the statements are put under and followed by);
* ``call SECONDS`` / ``return``: a call into the target began, with its time
  limit (``-`` for none), or ended;
* ``doing TEXT``: the statement the next call runs, when it is not yet in the
  program: a bulk step makes thousands of calls and writes them as one loop
  only when it ends;
* ``seed``, ``phase``, ``out``, ``err``, ``exit``: the seed of the search, what
  the oracle is doing (``import``, ``search``), and the command's output and
  exit status, sent at the end instead of printed, so that a target that
  closes or floods standard output cannot garble them.

``TEXT`` fields are escaped onto one line (:func:`escape`).  Program
changes are held back until the next call into the target, so that a call
costs one write, which holds whole records.  Nothing is recorded unless a journal is started
(:func:`start`): in-process checks pay one test of a module global per step.
"""

from __future__ import annotations

import os
import re

__all__ = [
    "Journal",
    "active",
    "escape",
    "note",
    "note_call",
    "note_doing",
    "note_program",
    "note_return",
    "start",
    "stop",
    "unescape",
]


def escape(text: str) -> str:
    """``text`` on one line: backslashes and line ends escaped (cheaper than JSON, which this runs often)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def unescape(text: str) -> str:
    """The inverse of :func:`escape`."""
    return _ESCAPED.sub(lambda match: _UNESCAPED[match.group(1)], text)


_ESCAPED = re.compile(r"\\([\\nr])")
_UNESCAPED = {"\\": "\\", "n": "\n", "r": "\r"}


class Journal:
    """Records written to the file descriptor ``fd`` (a pipe to the supervising process).

    Changes to programs are held back and written with the next call into
    the target (or any other record): one write per call, and every
    statement reaches the parent before the call that runs it.
    """

    fd: int
    held: list[str]

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.held = []

    def hold(self, record: str) -> None:
        """Keep ``record`` until the next :meth:`write`."""
        self.held.append(record)

    def write(self, record: str) -> None:
        """Write the records held and ``record``; a parent that went away stops the journal, not the check."""
        self.held.append(record)
        data = ("\n".join(self.held) + "\n").encode("utf-8", "backslashreplace")
        self.held.clear()
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
    """Record ``kind TEXT`` (``seed``, ``target``, ``scenario``, ``out``, ``err``, ``exit``)."""
    if (journal := _Open.journal) is not None:
        journal.write(f"{kind} {escape(text)}")


def note_program(key: int, op: str, text: str) -> None:
    """Record a change to program ``key`` (see the module docstring); it is sent with the next call."""
    if (journal := _Open.journal) is not None:
        journal.hold(f"program {key} {op} {escape(text)}")


def note_doing(text: str) -> None:
    """Record the statement the next call runs, which its program does not show yet; sent with the call."""
    if (journal := _Open.journal) is not None:
        journal.hold(f"doing {escape(text)}")


def note_call(seconds: float | None) -> None:
    """Record that a call into the target begins, with its time limit."""
    if (journal := _Open.journal) is not None:
        journal.write("call -" if seconds is None else f"call {seconds!r}")


def note_return() -> None:
    """Record that the call into the target that began last has ended."""
    if (journal := _Open.journal) is not None:
        journal.write("return")
