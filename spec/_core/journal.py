"""A running check's journal: what a supervising process needs to give a verdict if the check dies.

The command line runs a search in a child process (see :mod:`spec._cli.supervise`)
so that nothing a target does -- exiting, killing its process, holding the GIL,
exhausting memory -- can end the command without a verdict.  The child keeps
the parent informed as it goes, *before* each step runs, through one
:class:`Journal`.  It has two parts.

Records, lines on a pipe:

* ``program KEY OP TEXT``: the program ``KEY`` changed: ``begin`` (``TEXT``: its
  preamble), ``need`` (an import), ``add`` (a statement), ``cut`` (``TEXT``:
  the number of statements it keeps), ``before`` and ``after`` (the lines
  the statements are put under and followed by);
* ``seed``, ``phase``, ``out``, ``err``, ``exit``: the seed of the search, what
  the oracle is doing (``import``, ``search``), and the command's output and
  exit status, sent at the end instead of printed, so that a target that
  closes or floods standard output cannot garble them.

``TEXT`` fields are escaped onto one line (:func:`escape`).  Program
changes are held back until the next call into the target, and then written
at once: every statement reaches the parent before the call that runs it.

And a :class:`Board`, a page of memory that the two processes share: the
calls into the target in flight, innermost last, each with its number and
time limit, and the statement the call that began last runs when the
program does not show it yet (a bulk step makes thousands of calls and writes them as one
loop only when it ends).  A check makes a million calls; a record per call
and its return, two system calls, doubled the time of a supervised check,
while a store to the board costs what a store to a Python object does.  The
parent looks at the board when it looks at the pipe.

Nothing is recorded unless a journal is started (:func:`start`): in-process
checks pay one test of a module global per step.
"""

from __future__ import annotations

import math
import mmap
import os
import re
import struct
from dataclasses import dataclass

__all__ = [
    "Board",
    "Calls",
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
    """Records written to the file descriptor ``fd`` (a pipe to the supervising process); calls go on a :class:`Board`.

    Changes to programs are held back and written before the next call into
    the target (or with any other record): every statement reaches the
    parent before the call that runs it, in one write for all.
    """

    fd: int
    held: list[str]

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.held = []

    def hold(self, record: str) -> None:
        """Keep ``record`` until the next :meth:`write` or :meth:`flush`."""
        self.held.append(record)

    def write(self, record: str) -> None:
        """Write the records held and ``record``; a parent that went away stops the journal, not the check."""
        self.held.append(record)
        self.flush()

    def flush(self) -> None:
        """Write the records held."""
        data = ("\n".join(self.held) + "\n").encode("utf-8", "backslashreplace")
        self.held.clear()
        try:
            while data:
                data = data[os.write(self.fd, data) :]
        except OSError:
            stop()


_HEAD = struct.Struct("<II")  # the depth of calls, the length of the doing text
_SLOT = struct.Struct("<Qd")  # a call's number and its time limit (NaN: none)
_SIZE, _SLOTS = 16384, 8
_SLOTS_AT = _HEAD.size
_TEXT_AT = _SLOTS_AT + _SLOTS * _SLOT.size
_TEXT_ROOM = _SIZE - _TEXT_AT
_NONE = math.nan
_pack_head, _pack_slot = _HEAD.pack_into, _SLOT.pack_into  # bound once: begin and end run a million times a check


@dataclass(frozen=True)
class Calls:
    """What the board shows: the calls in flight, ``(number, limit)``, innermost last, and what the innermost does."""

    calls: tuple[tuple[int, float | None], ...] = ()
    doing: str = ""


class Board:
    """The calls into the target in flight, on ``SIZE`` bytes of memory shared with the supervising process.

    ``fd`` is a file of at least :attr:`SIZE` bytes that both processes map.
    The child writes (:meth:`doing`, :meth:`begin`, :meth:`end`), the parent
    reads (:meth:`read`).  The layout: the depth of calls and the length of
    the doing text; :attr:`SLOTS` slots of (number, limit), one per depth;
    the doing text of the call that began last, UTF-8, cut to what fits.
    Calls nested deeper than :attr:`SLOTS` are counted but not shown: the
    calls around them hold them to a limit.

    Discussion: a begin and an end are a few stores, with no lock: this runs
    twice per call into the target, a million times a check.  A reader that
    catches a store half done may see a call that has just ended, or the
    number of the next one under the limit of the last; the parent acts only
    on a call it has seen the same, in flight, for longer than its limit
    (by then the stores are long done), or on what a dead child left.
    """

    SIZE = _SIZE
    SLOTS = _SLOTS

    def __init__(self, fd: int) -> None:
        self.map = mmap.mmap(fd, self.SIZE)
        self.depth = 0
        self.number = 0
        self.next: str | None = None  # the doing text of the next call
        self.shown = 0  # the length of the doing text on the board

    def doing(self, text: str) -> None:
        """The next call runs ``text``, a statement its program does not show yet."""
        self.next = text

    def begin(self, seconds: float | None) -> None:
        """A call begins, with the time limit ``seconds``."""
        depth, text, board = self.depth, self.next, self.map
        self.number = number = self.number + 1
        if depth < _SLOTS:
            _pack_slot(board, _SLOTS_AT + depth * _SLOT.size, number, _NONE if seconds is None else seconds)
        shown = 0
        if text is not None:
            data = text.encode("utf-8", "backslashreplace")[:_TEXT_ROOM]
            shown = len(data)
            board[_TEXT_AT : _TEXT_AT + shown] = data
            self.next = None
        self.shown = shown
        self.depth = depth + 1
        _pack_head(board, 0, depth + 1, shown)

    def end(self) -> None:
        """The innermost call ended."""
        if depth := self.depth:  # else the journal began inside the call
            self.depth = depth - 1
            _pack_head(self.map, 0, depth - 1, self.shown)

    def read(self) -> Calls:
        """What the board shows now."""
        depth, length = _HEAD.unpack_from(self.map, 0)
        slots = self.map[_SLOTS_AT : _SLOTS_AT + min(depth, self.SLOTS) * _SLOT.size]
        calls = tuple((number, None if math.isnan(limit) else limit) for number, limit in _SLOT.iter_unpack(slots))
        doing = self.map[_TEXT_AT : _TEXT_AT + length].decode("utf-8", "replace") if calls else ""
        return Calls(calls, doing)


class _Open:
    journal: Journal | None = None
    board: Board | None = None  # where the journal's calls go


def start(fd: int, board: int | None = None) -> Journal:
    """Start journalling to ``fd`` and, if given, the board in the file ``board``; open for the rest of the process."""
    _Open.journal = Journal(fd)
    _Open.board = None if board is None else Board(board)
    return _Open.journal


def stop() -> None:
    """Stop journalling."""
    _Open.journal = _Open.board = None


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


# The three below run for every call into the target: they look the board up once.


def note_doing(text: str) -> None:
    """Record the statement the next call runs, which its program does not show yet."""
    if (board := _Open.board) is not None:
        board.next = text


def note_call(seconds: float | None) -> None:
    """Record that a call into the target begins, with its time limit (the program changes held go first)."""
    if (journal := _Open.journal) is not None:
        if journal.held:
            journal.flush()
        if (board := _Open.board) is not None:
            board.begin(seconds)


def note_return() -> None:
    """Record that the call into the target that began last has ended."""
    if (board := _Open.board) is not None:
        board.end()
