"""What the stress oracle generates and checks: the whole protocol, the drain, saved histories, known causes."""

from __future__ import annotations

import asyncio
import json
import multiprocessing.queues
import queue
import re
import shlex
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings

from spec import SpecError, make_options
from spec._core.deadline import Deadline
from spec.container import prepare_container
from spec.known_bad.stress import LockedQueue, LostPushQueue
from spec.linearize import Operation, Raised, check_history, get_model, read_history
from spec.stress import OPERATIONS, STANDARD, Driver, scenarios, stress
from spec.stress.drain import describe
from spec.stress.driver import driver_for
from spec.stress.notes import FEEDER_NOTE, explain
from spec.stress.run import Call, RunFailed, RunHung, Scenario, run_asyncio, run_threads
from tests._support import run_cli

# -- the driver: which operations exist, what they are called ------------------------


def test_scenarios_draw_every_operation_the_driver_offers() -> None:
    # Generation only (no shrinking): each operation shows up among the first scenarios.
    quick = settings(phases=[Phase.generate], max_examples=200, database=None)
    for operation in OPERATIONS:
        found = find(scenarios(), lambda s, op=operation: op in s.prefix, settings=quick)  # type: ignore[misc]
        assert operation in found.prefix


@given(scenarios(("push", "pop", "len")))
def test_scenarios_draw_nothing_the_driver_does_not_offer(scenario: Scenario) -> None:
    assert {*scenario.prefix, *sum(scenario.clients, ())} <= {"push", "pop", "len"}


def _driver(target: object, **options: Any) -> Driver:
    """The driver the stress oracle makes for ``target`` under ``options``."""
    with Deadline(1.0) as deadline:
        plan = prepare_container("queue")(target, deadline, make_options(**options)).plan
    return driver_for(plan, str(options.get("items", "any")))


def test_a_driver_maps_operations_to_calls() -> None:
    driver = _driver(queue.Queue, map="push=put,pop=get_nowait,len=qsize", without="peek", empty=queue.Empty)
    assert driver.operations == ("push", "pop", "len")  # qsize() is its size, so bool(q) is not judged
    assert "peek" not in driver
    assert [driver.source(op, "q", 3 if op == "push" else None) for op in driver.operations] == [
        "q.put(3)",
        "q.get_nowait()",
        "q.qsize()",
    ]
    target: queue.Queue[int] = queue.Queue()
    driver.call("push", target, 5)
    assert (driver.call("len", target), driver.call("pop", target)) == (1, 5)
    assert driver.is_empty(queue.Empty())
    assert not driver.is_empty(IndexError())
    assert driver.says_empty == "raises Empty"
    assert _driver(LockedQueue, empty=(KeyError, IndexError)).says_empty == "raises KeyError or IndexError"
    assert _driver(LockedQueue, empty_returns=None).says_empty == "returns None"
    assert describe(driver, "q") == "q.qsize(); q.get_nowait() until it raises Empty; q.qsize()"
    assert describe(STANDARD, "q") == "len(q); bool(q); q.pop() until it raises IndexError; len(q); bool(q)"
    assert _driver(LockedQueue) == STANDARD


def test_a_driver_records_the_empty_value_as_the_models_empty() -> None:
    driver = _driver(LockedQueue, empty_returns=None, items="bytes")
    assert driver.output("pop", None) == Raised("IndexError")
    assert driver.output("peek", None) == Raised("IndexError")
    assert driver.output("len", None) is None  # only pop and peek say empty
    assert driver.output("pop", b"1") == b"1"
    assert driver.item(3) == b"3"


class RenamedQueue:
    """A queue with another vocabulary, no peek, and KeyError for empty: as many libraries are."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.lock = threading.Lock()

    def put(self, item: Any) -> None:
        with self.lock:
            self.items.append(item)

    def take(self) -> Any:
        with self.lock:
            if not self.items:
                raise KeyError("empty")
            return self.items.pop(0)

    def __len__(self) -> int:
        return len(self.items)


RENAMED_TEXT: dict[str, Any] = {"map": "push=put,pop=take", "without": "peek", "empty": KeyError}
RENAMED = make_options(**RENAMED_TEXT)


def test_a_target_is_stressed_through_its_options() -> None:
    report = stress("queue", RenamedQueue, options=RENAMED, max_examples=10, runs=2)
    assert report.ok, report.format()
    with pytest.raises(SpecError, match=r"without put, take \(a queue target needs put, take and __len__; --map"):
        stress("queue", LockedQueue, options=RENAMED)


class LosesItems(RenamedQueue):
    def take(self) -> Any:
        item = super().take()
        self.items.clear()
        return item


def test_a_failure_prints_the_calls_as_the_options_name_them() -> None:
    report = stress("queue", LosesItems, options=RENAMED, runs=1, seed=0)
    text = report.format()
    assert report.failure is not None
    assert "    q = LosesItems()\n    q.put(1)\n" in text or "#   1: q.put(1)" in text, text
    assert "q.take() until it raises KeyError" in text
    assert report.rerun == (
        "python -m spec stress queue tests.test_stress_protocol:LosesItems --mode threads --seed 0 "
        "--map push=put,pop=take --empty KeyError --without peek"
    )


class AsyncLosesItems:
    """Async methods of other names; a take that finds two items drops the second."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    async def put(self, item: Any) -> None:
        self.items.append(item)

    async def take(self) -> Any:
        if not self.items:
            return None
        item = self.items.pop(0)
        await asyncio.sleep(0)
        if len(self.items) == 1:
            self.items.clear()
        return item

    def __len__(self) -> int:
        return len(self.items)


def test_a_rerun_line_under_options_reproduces_the_failure() -> None:
    options = make_options(map="push=put,pop=take", without="peek", empty_returns=None, items="str")
    report = stress("queue", AsyncLosesItems, options=options, runs=2, seed=3)
    assert report.mode == "asyncio"
    assert report.failure is not None
    assert "await q.put('1')" in report.format()
    assert "q.take() until it returns None" in report.format()
    words = shlex.split(report.rerun)
    assert words[:3] == ["python", "-m", "spec"]
    again = run_cli(*words[3:])
    assert again.code == 1, again.out
    # The same scenario, interleaving, history and explanation; only the
    # seconds the checker took may differ between the two runs.
    shown = _untimed(report.format()).split("\n")
    assert _untimed(again.out).split("\n")[: len(shown) - 2] == shown[:-2]


def _untimed(text: str) -> str:
    return re.sub(r"\b\d+\.\d+ s\b", "_ s", text)


# -- the drain ------------------------------------------------------------------------


class ForcedLostPush(LostPushQueue):
    """:class:`LostPushQueue` with its race forced by events: pop copies, lets a push append, stores the copy."""

    def __init__(self) -> None:
        super().__init__()
        self.copied = threading.Event()
        self.pushed = threading.Event()

    def push(self, item: Any) -> None:
        if not self.items:  # the start's push, into an empty queue
            super().push(item)
            return
        self.copied.wait(10)  # the client's push: after the pop's copy, before it stores it
        super().push(item)
        self.pushed.set()

    def pop(self) -> Any:
        with self.lock:
            item, rest = self.items[0], self.items[1:]
            self.copied.set()
            self.pushed.wait(10)
            self.items = rest
            return item


def test_the_drain_finds_what_no_client_saw() -> None:
    scenario = Scenario(("push",), (("pop",), ("push",)))
    with Deadline(None) as deadline:
        history = run_threads(ForcedLostPush, scenario, deadline, "q")
    drain = [op for op in history if op.client == 3]
    assert [(op.name, op.output) for op in drain] == [
        ("len", 0),
        ("bool", False),
        ("pop", Raised("IndexError")),
        ("len", 0),
        ("bool", False),
    ]
    # Every client's call returned what some order allows; the drain proves
    # the item pushed by client 2 is gone.
    assert check_history([op for op in history if op.client != 3], "queue").ok
    result = check_history(history, "queue")
    assert not result.ok
    assert result.counterexample is not None
    assert 3 in {op.client for op in result.counterexample.minimal}


class NeverEmpty(LockedQueue):
    """Its pop answers 0 when empty, instead of raising."""

    def pop(self) -> Any:
        return super().pop() if self.items else 0


def test_the_drain_stops_one_pop_after_the_pushes() -> None:
    scenario = Scenario(("push", "push"), (("peek",), ("peek",)))
    driver = _driver(NeverEmpty, without="len")
    history = run_asyncio(NeverEmpty, scenario, lambda n: 0, None, "q", driver=driver)
    assert [op.output for op in history if op.client == 3] == [1, 2, 0]
    assert not check_history(history, "queue").ok


class BadLen(LockedQueue):
    hang: bool = False

    def __len__(self) -> int:
        if self.hang:
            threading.Event().wait()
        raise RuntimeError("no size")


class HangingLen(BadLen):
    hang = True


def test_what_goes_wrong_in_the_drain_is_reported() -> None:
    scenario = Scenario((), (("push",), ("push",)))
    with Deadline(0.1) as deadline:
        with pytest.raises(RunFailed, match=r"^len\(q\) \(client 3\) raised RuntimeError: no size$"):
            run_threads(BadLen, scenario, deadline, "q")
        with pytest.raises(RunHung, match=r"^the drain did not return within 0.1 s$"):
            run_threads(HangingLen, scenario, deadline, "q")


# -- saved histories ------------------------------------------------------------------


class ReturnsAnObject(LockedQueue):
    def pop(self) -> Any:
        super().pop()
        return object()


def test_a_failing_history_is_saved_for_the_linearize_command(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    report = stress("queue", ReturnsAnObject, runs=1, seed=0, save_history=path)
    assert report.failure is not None
    assert report.saved == str(path)
    assert f"\nhistory saved: {path} (python -m spec linearize {path} --model queue)\n" in report.format()
    saved = read_history(path)
    assert len(saved) == len(report.failure.history)
    assert any(isinstance(op.output, str) and op.output.startswith("<object object at") for op in saved)
    assert not check_history(saved, "queue").ok
    with pytest.raises(ValueError, match=r"^the check found no failure: there is no history to save$"):
        stress("queue", LockedQueue, max_examples=1, runs=1).save(path)


def test_cli_stress_saves_the_history_where_asked_or_in_a_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    target = "spec.known_bad.stress:RacySizeQueue"
    run = run_cli("stress", "queue", target, "--runs", "5", "--seed", "1", "--save-history", str(path))
    assert (run.code, run.err) == (1, ""), run.out
    assert f"history saved: {path} (python -m spec linearize {path} --model queue)" in run.out
    again = run_cli("linearize", str(path), "--model", "queue")
    assert again.code == 1, again.out
    assert json.loads(path.read_text())["operations"]
    run = run_cli("stress", "queue", target, "--runs", "5", "--seed", "1")
    assert run.code == 1
    found = re.search(r"history saved: (\S+spec-stress-\S+\.json) ", run.out)
    assert found, run.out
    temporary = Path(found.group(1))
    assert read_history(temporary)
    temporary.unlink()
    missing = tmp_path / "no" / "such" / "dir.json"
    run = run_cli("stress", "queue", target, "--runs", "5", "--seed", "1", "--save-history", str(missing))
    assert run.code == 1
    assert run.err == f"python -m spec: cannot save the history to {str(missing)!r}: No such file or directory\n"
    assert "history saved" not in run.out


def test_cli_stress_runs_processes() -> None:
    target = "spec.known_bad.stress_processes:SQLiteQueue"
    run = run_cli("stress", "queue", target, "--mode", "processes", "--max-examples", "2", "--runs", "1")
    assert (run.code, run.err) == (0, ""), run.out
    assert run.out.startswith(f"stress queue: {target} (processes): HOLDS\n")


# -- known causes ---------------------------------------------------------------------


def test_only_a_multiprocessing_queue_gets_the_feeder_note() -> None:
    pushed = Operation(0, "push", 1, None, 0, 1)
    failing = check_history([pushed, Operation(0, "pop", None, Raised("IndexError"), 2, 3)], "queue")
    assert not failing.ok
    assert explain(LockedQueue, failing) is None
    assert explain(queue.Queue, failing) is None
    assert explain(multiprocessing.queues.Queue, failing) == FEEDER_NOTE
    assert explain(multiprocessing.queues.Queue, check_history([pushed], get_model("queue"))) is None


def test_calls_print_through_the_driver() -> None:
    renamed = _driver(RenamedQueue, **RENAMED_TEXT)
    assert Call("push", 3).source("q", renamed) == "q.put(3)"
    assert Call("len").source("q") == "len(q)"
    assert Scenario((), (("pop",),)).program("Q", "q", "process", renamed, opens=True)[0] == "q = Q(directory)"
