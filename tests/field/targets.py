"""Fixture-style factories for the field suite: real PyPI queues, made and cleaned up, nothing adapted.

Each factory makes one instance of a library's queue exactly as its users
would, and cleans up after it (closing it, removing its files); the contract
options (:mod:`spec._core.options`) do the rest.  Plain classes (queuelib's
memory queues, llist's lists) need no factory: the field suite names them
directly.  Stores on disk get a fresh directory per instance from
:func:`spec.temporary_directory`, and a path *inside* it, since queuelib
deletes the directory it is given when a queue is closed empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import culsans
import janus
import persistqueue
from queuelib.queue import FifoDiskQueue, FifoSQLiteQueue, LifoDiskQueue, LifoSQLiteQueue

from spec import temporary_directory

__all__ = [
    "culsans_async",
    "culsans_lifo_async",
    "culsans_lifo_sync",
    "culsans_sync",
    "fifo_disk",
    "fifo_sqlite",
    "file_queue",
    "filo_sqlite_queue",
    "janus_async",
    "janus_lifo_sync",
    "janus_sync",
    "lifo_disk",
    "lifo_sqlite",
    "sqlite_queue",
    "sqlite_queue_threads",
]


def fifo_disk() -> Iterator[Any]:
    with temporary_directory() as path:
        q = FifoDiskQueue(str(path / "q"))
        yield q
        q.close()


def lifo_disk() -> Iterator[Any]:
    with temporary_directory() as path:
        q = LifoDiskQueue(str(path / "q"))
        yield q
        q.close()


def fifo_sqlite() -> Iterator[Any]:
    with temporary_directory() as path:
        q = FifoSQLiteQueue(str(path / "q"))
        yield q
        q.close()


def lifo_sqlite() -> Iterator[Any]:
    with temporary_directory() as path:
        q = LifoSQLiteQueue(str(path / "q"))
        yield q
        q.close()


def file_queue() -> Iterator[Any]:
    with temporary_directory() as path:
        yield persistqueue.Queue(str(path / "q"))


def sqlite_queue() -> Iterator[Any]:
    with temporary_directory() as path:
        q = persistqueue.SQLiteQueue(str(path / "q"))
        yield q
        q.close()


def sqlite_queue_threads() -> Iterator[Any]:
    # By default a SQLiteQueue may be used by the thread that made it only.
    with temporary_directory() as path:
        q = persistqueue.SQLiteQueue(str(path / "q"), multithreading=True)
        yield q
        q.close()


def filo_sqlite_queue() -> Iterator[Any]:
    with temporary_directory() as path:
        q = persistqueue.FILOSQLiteQueue(str(path / "q"))
        yield q
        q.close()


def janus_sync() -> Iterator[Any]:
    q: janus.Queue[Any] = janus.Queue()
    yield q.sync_q
    q.close()


def janus_lifo_sync() -> Iterator[Any]:
    q: janus.LifoQueue[Any] = janus.LifoQueue()
    yield q.sync_q
    q.close()


async def janus_async() -> AsyncIterator[Any]:
    q: janus.Queue[Any] = janus.Queue()
    yield q.async_q
    q.close()
    await q.wait_closed()


def culsans_sync() -> Any:
    return culsans.Queue().sync_q


def culsans_lifo_sync() -> Any:
    return culsans.LifoQueue().sync_q


def culsans_async() -> Any:
    return culsans.Queue().async_q


def culsans_lifo_async() -> Any:
    return culsans.LifoQueue().async_q
