"""Queues that processes share, for the stress oracle's processes mode.

The file- and database-backed ones take the directory to open the queue
in, as the stress oracle gives it (every run a new one; every client
process opens its own handle):

* :class:`FileQueue` keeps its items as JSON in a file and locks each
  operation with a :class:`threading.Lock`: safe between the threads of
  one process, but two processes can read the same list and both pop its
  first item.
* :class:`LockedFileQueue` takes an exclusive ``flock`` on a lock file
  beside it as well: safe between processes.
* :class:`SQLiteQueue` keeps its items in an SQLite table and makes each
  operation one ``BEGIN IMMEDIATE`` transaction: SQLite locks the database
  between processes, a lock the connection between threads.  It does not
  fsync (``PRAGMA synchronous = OFF``): durability is not stressed here.

And :func:`spawned_queue` makes a ``multiprocessing.Queue``, which the
oracle hands to every client process; :data:`MP_QUEUE` are the options that call it.
"""

from __future__ import annotations

import fcntl
import json
import multiprocessing
import multiprocessing.queues
import os
import pickle
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from spec._core.options import make_options

__all__ = ["MP_QUEUE", "FileQueue", "LockedFileQueue", "SQLiteQueue", "spawned_queue"]

MP_QUEUE = make_options(map="push=put,pop=get_nowait,len=qsize", without="peek", empty=queue.Empty)
"""The contract options that call a ``multiprocessing.Queue``: put, get_nowait (empty: queue.Empty), qsize; no peek.

It has no ``__len__``, so its truth value is always true: with ``len`` mapped
to ``qsize``, ``bool`` is left out too.
"""


def spawned_queue() -> multiprocessing.queues.Queue[Any]:
    """A ``multiprocessing.Queue`` of the spawn context.

    One made by plain ``multiprocessing.Queue()`` on Linux belongs to the
    fork context, and its locks cannot go to processes started otherwise
    (Python refuses: "A SemLock created in a fork context is being shared
    with a process in a spawn context").
    """
    return multiprocessing.get_context("spawn").Queue()


class FileQueue:
    """A FIFO queue of JSON values in ``directory/queue.json``; thread-safe, not process-safe."""

    path: Path
    lock: threading.Lock

    def __init__(self, directory: str) -> None:
        self.path = Path(directory) / "queue.json"
        self.lock = threading.Lock()
        with self._locked():
            if not self.path.exists():
                self._write([])

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self.lock:
            yield

    def _read(self) -> list[Any]:
        items: list[Any] = json.loads(self.path.read_text())
        return items

    def _write(self, items: list[Any]) -> None:
        # A new file renamed over the old one: a reader sees one or the other, never half.
        fresh = self.path.with_name(f"queue.{os.getpid()}.{threading.get_ident()}.json")
        fresh.write_text(json.dumps(items))
        fresh.replace(self.path)

    def push(self, item: Any) -> None:
        with self._locked():
            self._write([*self._read(), item])

    def pop(self) -> Any:
        with self._locked():
            items = self._read()
            if not items:
                raise IndexError("pop from an empty queue")
            self._write(items[1:])
            return items[0]

    def peek(self) -> Any:
        with self._locked():
            items = self._read()
            if not items:
                raise IndexError("peek at an empty queue")
            return items[0]

    def __len__(self) -> int:
        with self._locked():
            return len(self._read())


class LockedFileQueue(FileQueue):
    """:class:`FileQueue` with an exclusive ``flock`` on ``directory/queue.lock`` around every operation."""

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self.lock, open(self.path.with_name("queue.lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield  # closing the file releases the lock


class SQLiteQueue:
    """A FIFO queue in ``directory/queue.db``: one transaction per operation, items pickled."""

    connection: sqlite3.Connection
    lock: threading.Lock

    def __init__(self, directory: str) -> None:
        # isolation_level=None: no implicit transactions; each method opens its own.
        self.connection = sqlite3.connect(
            Path(directory) / "queue.db", timeout=60, isolation_level=None, check_same_thread=False
        )
        self.lock = threading.Lock()
        # No fsync: what is stressed is what processes see of each other, not
        # what survives a crash, and an fsync can stall for seconds on a busy disk.
        self.connection.execute("PRAGMA synchronous = OFF")
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, item BLOB)")

    def __del__(self) -> None:
        # Python 3.13 warns (ResourceWarning) about a connection left open.
        self.connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the database's write lock at once, so that
        # a read and the write depending on it are one step for every process.
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def push(self, item: Any) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO queue (item) VALUES (?)", (pickle.dumps(item),))

    def _first(self, db: sqlite3.Connection) -> tuple[int, Any]:
        row = db.execute("SELECT id, item FROM queue ORDER BY id LIMIT 1").fetchone()
        if row is None:
            raise IndexError("the queue is empty")
        return row[0], pickle.loads(row[1])

    def pop(self) -> Any:
        with self._transaction() as db:
            key, item = self._first(db)
            db.execute("DELETE FROM queue WHERE id = ?", (key,))
            return item

    def peek(self) -> Any:
        with self._transaction() as db:
            return self._first(db)[1]

    def __len__(self) -> int:
        with self._transaction() as db:
            count: int = db.execute("SELECT COUNT(*) FROM queue").fetchone()[0]
            return count
