"""The stress oracle's processes mode: clients in processes of their own, and what can go wrong there.

The catalogue (``tests/test_stress.py``) checks the verdicts on real shared
queues; this module checks the runner itself, on targets that fail in the
client processes in every way a run can fail, each in every run.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing
import os
import pickle
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import persistqueue
import pytest

from spec import TargetError, make_options
from spec._core.deadline import Deadline
from spec._core.lifecycle import Lifecycle
from spec.known_bad.stress import LockedQueue
from spec.known_bad.stress_processes import FileQueue, LockedFileQueue, SQLiteQueue
from spec.linearize import UNKNOWN, Raised, check_history
from spec.stress import STANDARD, procs, stress
from spec.stress.procs import Target, run_processes
from spec.stress.run import RunFailed, RunHung, Scenario, _own

# Hangs are reported after this long (each call); the other runs have time enough.
QUICK = 0.2
ENOUGH = 30.0


def in_client() -> bool:
    """True in a client process (started by multiprocessing), False in the parent."""
    return multiprocessing.parent_process() is not None


class StuckOpen(FileQueue):
    """Opens at once in the parent; in a client process, never."""

    def __init__(self, directory: str) -> None:
        if in_client():
            threading.Event().wait()
        super().__init__(directory)


class FailsToOpen(FileQueue):
    """Fails to open in client 1 only: client 2 waits at the barrier until the run stops."""

    def __init__(self, directory: str) -> None:
        if multiprocessing.current_process().name == "spec-stress-1":
            raise RuntimeError("no")
        super().__init__(directory)


class StuckPop(FileQueue):
    def pop(self) -> Any:
        if in_client():
            threading.Event().wait()
        return super().pop()


class DiesOnPush(FileQueue):
    def push(self, item: Any) -> None:
        if in_client():
            os._exit(3)
        super().push(item)


class RefusesPop(FileQueue):
    def pop(self) -> Any:
        if in_client():
            raise ValueError("not here")
        return super().pop()


class BadDrain(FileQueue):
    """Works in the clients; in the parent, ``len()`` after the clients ran raises, or hangs."""

    hang: bool = False

    def __len__(self) -> int:
        if not in_client() and super().__len__() == 0:
            if self.hang:
                threading.Event().wait()
            raise RuntimeError("cannot count")
        return super().__len__()


class HangingDrain(BadDrain):
    hang = True


def run(factory: type, scenario: Scenario, seconds: float | None = ENOUGH, *, root: Path) -> Any:
    target = Target(factory, str(root), factory.__qualname__)
    with Deadline(seconds) as deadline:
        return run_processes(target, scenario, deadline, "q", driver=STANDARD)


def test_clients_share_an_opened_target_and_their_history_merges_on_one_clock(tmp_path: Path) -> None:
    scenario = Scenario(("push",), (("push", "pop"), ("pop", "len")))
    history = run(SQLiteQueue, scenario, None, root=tmp_path)
    assert sorted(op.client for op in history if op.client != 3) == [0, 1, 1, 2, 2]
    drain = [(op.name, op.output) for op in history if op.client == 3]
    assert [name for name, _ in drain[:2]] == ["len", "bool"]
    assert drain[-3:] == [("pop", Raised("IndexError")), ("len", 0), ("bool", False)]
    # Times are monotonic_ns readings: the start returned before any client
    # was called, and the drain began after every client returned.
    start = max(op.ret for op in history if op.client == 0)
    clients = [op for op in history if op.client in (1, 2)]
    assert all(start < op.call for op in clients)
    assert all(op.ret is not None and op.ret < min(d.call for d in history if d.client == 3) for op in clients)
    assert check_history(history, "queue").ok


def test_clients_start_by_spawn_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(procs, "START_METHOD", "spawn")
    target = Target("spec.known_bad.stress_processes:LockedFileQueue", str(tmp_path), "LockedFileQueue")
    with Deadline(None) as deadline:
        history = run_processes(target, Scenario((), (("push",), ("push",))), deadline, "q", driver=STANDARD)
    pops = [op.output for op in history if op.name == "pop"]
    assert sorted(pops[:2]) == [1, 2]
    assert pops[2:] == [Raised("IndexError")]
    assert check_history(history, "queue").ok


def test_an_instance_that_cannot_be_handed_to_the_clients_is_reported() -> None:
    # (multiprocessing.Queue can: the catalogue stresses one.)
    locked = stress("queue", LockedQueue, mode="processes", max_examples=1, runs=1)
    assert locked.failure is not None
    assert locked.failure.verdict == "raises"
    assert locked.failure.message == (
        "handing the target to a client process raised TypeError: cannot pickle '_thread.lock' object"
    )


def test_what_goes_wrong_in_a_client_process_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one_pop = Scenario(("push",), (("pop",), ("len",)))
    with pytest.raises(RunHung, match=r"^the clients did not finish within 0.2 s \(0.2 s a call\)$") as hung:
        run(StuckPop, one_pop, QUICK, root=tmp_path)
    assert [op.output for op in hung.value.history if op.name == "pop"] == [UNKNOWN]
    with pytest.raises(RunFailed, match=r"^client 1's process ended \(exit code 3\) before it finished$"):
        run(DiesOnPush, Scenario((), (("push",), ("len",))), root=tmp_path)
    with pytest.raises(RunFailed, match=r"^q.pop\(\) \(client 1\) raised ValueError: not here$"):
        run(RefusesPop, one_pop, root=tmp_path)
    with pytest.raises(RunFailed, match=r"^FailsToOpen\('.*'\) raised RuntimeError: no in client 1$"):
        run(FailsToOpen, one_pop, root=tmp_path)
    with pytest.raises(RunFailed, match=r"^len\(q\) \(client 3\) raised RuntimeError: cannot count$"):
        run(BadDrain, one_pop, root=tmp_path)
    # (The clients must not seem stuck first: a limit they have time enough to meet.)
    with pytest.raises(RunHung, match=r"^the drain did not return within 3 s$"):
        run(HangingDrain, one_pop, 3.0, root=tmp_path)
    monkeypatch.setattr(procs, "STARTUP_SECONDS", 0.5)
    with pytest.raises(RunHung, match=r"^the client processes did not start within 0.7 s$"):
        run(StuckOpen, one_pop, QUICK, root=tmp_path)


def cleaned_file_queue(directory: str) -> Iterator[LockedFileQueue]:
    """A fixture-style factory: each process that opens the queue marks its cleanup with a file."""
    yield LockedFileQueue(directory)
    (Path(directory) / f"cleaned-{os.getpid()}").touch()


def closes_badly_in_clients(directory: str) -> Iterator[LockedFileQueue]:
    yield LockedFileQueue(directory)
    if in_client():
        raise OSError("cannot close")


def test_every_process_cleans_up_what_it_opened(tmp_path: Path) -> None:
    target = Target(cleaned_file_queue, str(tmp_path), "cleaned_file_queue")
    driver = dataclasses.replace(STANDARD, lifecycle=Lifecycle.GENERATOR)
    with Deadline(ENOUGH) as deadline:
        history = run_processes(target, Scenario(("push",), (("pop",), ("push",))), deadline, "q", driver=driver)
    assert check_history(history, "queue").ok
    (opened,) = tmp_path.iterdir()
    assert len(list(opened.glob("cleaned-*"))) == 3  # the parent and both clients
    report = stress("queue", closes_badly_in_clients, mode="processes", max_examples=1, runs=1)
    assert report.failure is not None
    assert report.failure.verdict == "raises"
    assert re.fullmatch(r"cleaning up after client [12]'s calls raised OSError: cannot close", report.failure.message)


class FailsInParent(FileQueue):
    def __init__(self, directory: str) -> None:
        raise RuntimeError("parent")


class PopsBadlyInParent(FileQueue):
    hang: bool = False

    def pop(self) -> Any:
        if self.hang:
            threading.Event().wait()
        raise ValueError("parent")


class HangsInParent(PopsBadlyInParent):
    hang = True


def test_what_goes_wrong_in_the_start_is_reported(tmp_path: Path) -> None:
    scenario = Scenario(("push", "pop"), (("pop",), ("pop",)))
    with pytest.raises(RunFailed, match=r"^FailsInParent\(\) raised RuntimeError: parent$"):
        run(FailsInParent, scenario, root=tmp_path)
    with pytest.raises(RunFailed, match=r"^q.pop\(\) \(the start\) raised ValueError: parent$"):
        run(PopsBadlyInParent, scenario, root=tmp_path)
    with pytest.raises(RunHung, match=r"^the start did not return within 0.2 s$"):
        run(HangsInParent, scenario, QUICK, root=tmp_path)


def test_outputs_come_back_as_plain_values_or_their_safe_rendering_which_pickles() -> None:
    lock = threading.Lock()
    assert repr(pickle.loads(pickle.dumps(_own(lock)))) == repr(lock)
    assert _own(lock) != _own(lock)  # a stand-in equals nothing: no item pushed matches it
    for plain in (3, True, None, 1.5, "a", b"a"):
        assert _own(plain) is plain


def test_a_factory_takes_no_argument_or_one_directory() -> None:
    def needs_two(a: str, b: str) -> FileQueue:
        raise AssertionError("never called")

    with pytest.raises(TargetError, match=r"needs 2 arguments; a target factory takes none, or one"):
        stress("queue", needs_two, mode="processes")


def test_persist_queue_holds_on_threads_and_fails_in_processes() -> None:
    # The README's worked example, on fewer scenarios: each handle of
    # persist-queue's SQLiteQueue counts its own puts and gets for len(), so
    # the drain's handle in the parent answers a size the clients changed.
    factory = functools.partial(persistqueue.SQLiteQueue, multithreading=True)
    options = make_options(map="push=put,pop=get_nowait", without="peek", empty=persistqueue.Empty)
    threads = stress("queue", factory, options=options, max_examples=5, runs=2)
    assert threads.ok, threads.format()
    processes = stress("queue", factory, options=options, mode="processes", max_examples=5, runs=1)
    assert processes.failure is not None
    assert processes.failure.verdict in ("raises", "not linearizable"), processes.format()
    assert "    q = factory(directory)\n" in processes.format()
