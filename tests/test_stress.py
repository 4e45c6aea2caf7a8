"""The stress oracle: it catches racy queues and stacks, passes locked ones, reports hangs and errors."""

from __future__ import annotations

import asyncio
import dataclasses
import pickle
import queue
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

import pytest
from hypothesis.errors import FlakyStrategyDefinition

from spec import SpecError, TargetError, TargetNotFound, check, make_options
from spec._core.deadline import Deadline, TargetHung
from spec._core.lifecycle import Lifecycle
from spec.container import prepare_container
from spec.known_bad.stress import (
    CATALOGUE,
    AsyncHangingPopQueue,
    AsyncLockedQueue,
    AsyncRacyQueue,
    AsyncRacyStack,
    LockedQueue,
    StressCase,
)
from spec.known_bad.stress_processes import MP_QUEUE
from spec.linearize import EVERY_GROUP, UNKNOWN, Outcome, check_history, get_model
from spec.stress import STANDARD, SWITCH_INTERVAL, Driver, _search, _Tally, stress
from spec.stress.driver import Builtin, Method, driver_for
from spec.stress.notes import FEEDER_NOTE
from spec.stress.run import Call, RunFailed, RunHung, Scenario, _ChosenOrderLoop, run_asyncio, run_threads
from tests._support import run_cli

# Hangs are reported after this long (each call); short keeps the suite fast.
QUICK = 0.05


# Processes cost a fork each (milliseconds): fewer scenarios and runs there.
HOLDS = {"threads": (15, 4), "asyncio": (15, 4), "processes": (4, 2)}


def _options(case: StressCase) -> dict[str, Any]:
    # A racy pop is caught in about 99 runs of 100 of a scenario that can show
    # it (two pops overlapping on a target holding two items): five runs a
    # scenario miss it with odds of about 1e-10.
    if case.verdict == "holds":
        examples, runs = HOLDS[case.mode]
        return {"max_examples": examples, "runs": runs}
    if case.verdict == "hangs":
        return {"timeout": QUICK}
    return {"runs": 1 if case.mode == "processes" else 5}


@pytest.mark.parametrize("case", CATALOGUE, ids=[f"{c.kind}-{c.target.rpartition(':')[2]}-{c.mode}" for c in CATALOGUE])
def test_stress_oracle_answers_what_the_catalogue_says(case: StressCase) -> None:
    report = stress(case.kind, case.target, mode=case.mode, options=case.options, **_options(case))
    assert report.mode == case.mode
    if case.verdict == "holds":
        examples, runs = HOLDS[case.mode]
        assert report.ok, report.format()
        assert report.examples >= examples
        assert report.runs >= (examples * runs if case.mode != "asyncio" else examples)
        return
    failure = report.failure
    assert failure is not None, f"{case.target} ({case.why}) passed"
    assert failure.verdict == case.verdict, report.format()
    if case.verdict == "not linearizable":
        assert failure.result is not None
        assert failure.result.outcome is Outcome.NOT_LINEARIZABLE
        counterexample = failure.result.counterexample
        assert counterexample is not None
        # Shrunk to the end, and 1-minimal: dropping any group of operations
        # the model may drop together (an item's push with the pops and peeks
        # that saw it, and every len() and bool(), which count all items)
        # leaves a linearizable history.  Which race shows up on
        # threads varies from run to run; these hold for every one.
        assert counterexample.shrunk, report.format()
        minimal = list(counterexample.minimal)
        assert not check_history(minimal, case.kind).ok, report.format()
        model = get_model(case.kind)
        groups = {model.group(op) for op in minimal} - {None, EVERY_GROUP}
        assert groups, report.format()
        for group in groups:
            rest = [op for op in minimal if model.group(op) not in (group, EVERY_GROUP)]
            assert check_history(rest, case.kind).ok, f"{group} could go too\n{report.format()}"
        # A multiprocessing.Queue's failure names its documented cause; no other has a note.
        assert failure.note == (FEEDER_NOTE if case.options is MP_QUEUE else None), report.format()
        assert ("\n  Known cause: multiprocessing.Queue documents this." in report.format()) is (
            failure.note is not None
        )
        if case.mode == "asyncio":
            # Deterministic there (on threads, which race shows up varies, and
            # a race may not recur while its scenario shrinks): two pops
            # returned the same item, and the scenario is small.
            assert sorted(op.name for op in counterexample.minimal) == ["pop", "pop", "push"], report.format()
            assert failure.scenario.size <= 6, report.format()


@pytest.mark.parametrize("name", ["RacyQueue", "RacyStack", "LockedQueue", "LockedStack"])
def test_racy_targets_pass_the_sequential_contract(name: str) -> None:
    # One caller at a time, a racy pop is as good as any: only the stress
    # oracle can tell them from the locked ones.
    kind = "stack" if name.endswith("Stack") else "queue"
    assert check(kind, f"spec.known_bad.stress:{name}", max_examples=10).ok


def test_async_targets_work_one_call_at_a_time() -> None:
    async def use(target: Any) -> list[Any]:
        await target.push(1)
        await target.push(2)
        seen = [len(target), await target.peek(), await target.pop(), await target.pop()]
        with pytest.raises(IndexError):
            await target.peek()
        return seen

    assert asyncio.run(use(AsyncRacyQueue())) == [2, 1, 1, 2]
    assert asyncio.run(use(AsyncRacyStack())) == [2, 2, 2, 1]
    assert asyncio.run(use(AsyncLockedQueue())) == [2, 1, 1, 2]
    assert asyncio.run(use(AsyncHangingPopQueue())) == [2, 1, 1, 2]


def test_the_switch_interval_is_restored() -> None:
    before = sys.getswitchinterval()
    assert before != SWITCH_INTERVAL
    assert not stress("queue", "spec.known_bad.stress:RacyQueue", runs=5).ok
    assert stress("queue", LockedQueue, max_examples=2, runs=2).ok
    assert sys.getswitchinterval() == before


def test_asyncio_failures_are_reproducible_from_the_seed() -> None:
    first = stress("queue", "spec.known_bad.stress:AsyncRacyQueue", seed=3)
    again = stress("queue", "spec.known_bad.stress:AsyncRacyQueue", seed=3)
    assert first.mode == "asyncio"  # told by the coroutine methods
    assert first.failure is not None
    assert again.failure is not None
    assert (first.failure.scenario, first.failure.schedule) == (again.failure.scenario, again.failure.schedule)
    assert first.failure.history == again.failure.history
    text = first.format()
    assert text.startswith("stress queue: spec.known_bad.stress:AsyncRacyQueue (asyncio): NOT LINEARIZABLE\n")
    assert "\nSmallest failing scenario:\n    q = AsyncRacyQueue()\n" in text
    assert f"\n  interleaving chosen: {list(first.failure.schedule)}\n" in text
    assert "\n  NOT LINEARIZABLE: " in text
    assert text.endswith(
        "\nrerun: python -m spec stress queue spec.known_bad.stress:AsyncRacyQueue --mode asyncio --seed 3"
    )


def test_hangs_and_errors_are_reported_with_the_call() -> None:
    hung = stress("queue", "spec.known_bad.stress:HangingPopQueue", timeout=QUICK)
    assert hung.failure is not None
    assert "\nFailing scenario (not shrunk: a hang stops the search):\n" in hung.format()
    assert hung.failure.message.startswith("the ")
    assert "did not " in hung.failure.message
    assert "within" in hung.failure.message
    assert any(op.pending for op in hung.failure.history), hung.format()
    raised = stress("queue", "spec.known_bad.stress:ValueErrorQueue", runs=2)
    assert raised.failure is not None
    assert raised.failure.message.startswith("q.pop() (")
    assert raised.failure.message.endswith(") raised ValueError: nothing to pop")
    assert "\n  NOT LINEARIZABLE" not in raised.format()


class FailsOnce(LockedQueue):
    """Its very first pop from a non-empty queue returns an item nobody pushed; never again."""

    broken: ClassVar[list[bool]] = [True]

    def pop(self) -> Any:
        if self.items and self.broken[0]:
            self.broken[0] = False
            return "bogus"
        return super().pop()


def test_a_failure_that_does_not_recur_is_still_reported() -> None:
    report = stress("queue", FailsOnce, runs=1, seed=1)
    assert report.failure is not None
    assert report.failure.verdict == "not linearizable"
    assert "pop() -> 'bogus'" in report.format()
    assert report.target == "tests.test_stress:FailsOnce"


def test_a_factory_that_fails_later_is_reported_not_crashed_on() -> None:
    made: list[int] = []

    def later_calls_fail() -> LockedQueue:
        made.append(1)
        if len(made) > 4:  # the first is the shape check's
            raise RuntimeError("later call")
        return LockedQueue()

    report = stress("queue", later_calls_fail, runs=1, seed=1)
    assert report.mode == "threads"
    assert report.failure is not None
    assert report.failure.message == (
        "test_a_factory_that_fails_later_is_reported_not_crashed_on.<locals>.later_calls_fail() raised "
        "RuntimeError: later call"
    )


def test_a_target_without_a_name_is_rerun_from_python() -> None:
    report = stress("stack", lambda: FailsOnce(), max_examples=1, runs=1, seed=5)  # noqa: PLW0108
    assert report.rerun == "spec.stress.stress('stack', <your factory>, mode='threads', seed=5)"


def test_requests_that_cannot_run_are_refused() -> None:
    with pytest.raises(SpecError, match=r"^stress checks one of queue, stack, not 'heap'$"):
        stress("heap", LockedQueue)
    with pytest.raises(SpecError, match=r"^unknown mode 'fibers' \(known: threads, asyncio, processes\)$"):
        stress("queue", LockedQueue, mode="fibers")
    with pytest.raises(ValueError, match=r"^runs and max_examples must be positive, got 0 and None$"):
        stress("queue", LockedQueue, runs=0)
    with pytest.raises(ValueError, match=r"^runs and max_examples must be positive, got 20 and 0$"):
        stress("queue", LockedQueue, max_examples=0)
    with pytest.raises(
        TargetError,
        match=r"^int\(\) returned a int without push, pop, peek, __len__ "
        r"\(a queue target needs push, pop, peek and __len__; --map and --without say which methods play the parts\)$",
    ):
        stress("queue", int)
    with pytest.raises(TargetNotFound, match=r"^'spec.known_bad.stress' has no attribute 'Nothing'"):
        stress("queue", "spec.known_bad.stress:Nothing")


# -- the runners ---------------------------------------------------------------------


def test_scenarios_number_their_pushes_in_listing_order() -> None:
    scenario = Scenario(("push", "pop"), (("push", "peek"), ("push",)))
    start, clients = scenario.calls()
    assert start == (Call("push", 1), Call("pop"))
    assert clients == ((Call("push", 2), Call("peek")), (Call("push", 3),))
    assert scenario.size == 5
    assert scenario.program("MyQueue", "q", "thread") == (
        "q = MyQueue()",
        "q.push(1)",
        "q.pop()",
        "# then, at once, one thread each:",
        "#   1: q.push(2); q.peek()",
        "#   2: q.push(3)",
        "# then, all done, client 3 drains it: len(q); bool(q); q.pop() until it raises IndexError; len(q); bool(q)",
    )
    assert scenario.pushes == 3


class Refuses:
    def __init__(self) -> None:
        raise RuntimeError("no")


class StopsTheLoop(LockedQueue):
    def pop(self) -> Any:
        asyncio.get_running_loop().stop()
        return super().pop()


def test_runners_report_what_the_target_does_wrong() -> None:
    scenario = Scenario(("push", "pop", "pop"), (("pop",), ("pop",)))
    with Deadline(QUICK) as deadline:
        with pytest.raises(RunFailed, match=r"^Refuses\(\) raised RuntimeError: no$"):
            run_threads(Refuses, scenario, deadline, "q")
        with pytest.raises(RunHung, match=r"^the start did not return within 0.05 s$") as hung:
            run_threads(_hanging_queue(), scenario, deadline, "q")
        assert [op.output for op in hung.value.history] == [None, 1, UNKNOWN]
        with pytest.raises(RunHung, match=r"^the clients did not finish within 0.05 s \(0.05 s a call\)$") as hung:
            run_threads(_hanging_queue(), Scenario((), (("pop",), ("pop",))), deadline, "q")
        assert [op.output for op in hung.value.history] == [UNKNOWN, UNKNOWN]
    with Deadline(None) as deadline, pytest.raises(RunFailed, match=r"^q.pop\(\) \(client [12]\) raised ValueError"):
        run_threads(_value_error_queue(), Scenario((), (("pop",), ("pop",))), deadline, "q")
    with pytest.raises(RunFailed, match=r"^Refuses\(\) raised RuntimeError: no$"):
        run_asyncio(Refuses, scenario, lambda n: 0, None, "q")
    with pytest.raises(RunFailed, match=r"^the event loop stopped: Event loop stopped before Future completed.$"):
        run_asyncio(StopsTheLoop, scenario, lambda n: 0, None, "q")


def cleanup_hangs() -> Iterator[LockedQueue]:
    yield LockedQueue()
    time.sleep(3600)  # stands for a cleanup that never returns: the time limit stops it


async def making_hangs() -> AsyncIterator[LockedQueue]:
    await asyncio.Event().wait()  # never set: the run's time limit cancels it
    yield LockedQueue()  # pragma: no cover  (never reached)


async def async_cleanup_hangs() -> AsyncIterator[LockedQueue]:
    yield LockedQueue()
    await asyncio.Event().wait()  # never set: the run's time limit cancels it


def test_a_making_or_a_cleanup_that_hangs_is_a_hang_of_the_run() -> None:
    scenario = Scenario(("push",), (("pop",),))
    generator = dataclasses.replace(STANDARD, lifecycle=Lifecycle.GENERATOR)
    async_generator = dataclasses.replace(STANDARD, lifecycle=Lifecycle.ASYNC_GENERATOR)
    with Deadline(QUICK) as deadline, pytest.raises(RunHung, match=r"^cleaning up after the run did not") as hung:
        run_threads(cleanup_hangs, scenario, deadline, "q", driver=generator)
    assert [op.output for op in hung.value.history][:2] == [None, 1]  # then the drain
    for factory in (making_hangs, async_cleanup_hangs):
        with pytest.raises(RunHung, match=r"^the tasks did not finish within"):
            run_asyncio(factory, scenario, lambda n: 0, QUICK, "q", driver=async_generator)


def _value_error_queue() -> type[LockedQueue]:
    from spec.known_bad.stress import ValueErrorQueue

    return ValueErrorQueue


def _hanging_queue() -> type[LockedQueue]:
    from spec.known_bad.stress import HangingPopQueue

    return HangingPopQueue


def test_runners_run_without_time_limits() -> None:
    scenario = Scenario(("push",), (("pop",), ("push", "pop")))
    with Deadline(None) as deadline:
        history = run_threads(LockedQueue, scenario, deadline, "q")
    # Two pushes and two pops, then the drain of an empty queue.
    drain = ["len", "bool", "pop", "len", "bool"]
    assert len(history) == 4 + len(drain)
    assert [op.name for op in history if op.client == 3] == drain
    history = run_asyncio(LockedQueue, scenario, lambda n: n - 1, None, "q")
    assert [op.name for op in history if op.client == 3] == drain
    assert len(history) == 4 + len(drain)


class ChooserError(Exception):
    pass


def test_the_chosen_order_loop_hands_back_its_choosers_error_and_skips_cancelled_callbacks() -> None:
    def choose(n: int) -> int:
        raise ChooserError

    with pytest.raises(ChooserError):
        run_asyncio(LockedQueue, Scenario((), (("push",), ("pop",))), choose, None, "q")
    loop = _ChosenOrderLoop(lambda n: 0)
    try:
        ran: list[int] = []
        loop.call_soon(ran.append, 1).cancel()
        loop._release()
        assert ran == []
        loop.call_soon(ran.append, 2)
        loop.call_soon(ran.append, 3)
        loop.run_until_complete(asyncio.sleep(0))
        assert ran == [2, 3]
    finally:
        loop.close()


# -- the command line -----------------------------------------------------------------


def test_cli_stress() -> None:
    run = run_cli("stress", "queue", "spec.known_bad.stress:ValueErrorQueue", "--runs", "1", "--seed", "2")
    assert (run.code, run.err) == (1, "")
    assert run.out.startswith("stress queue: spec.known_bad.stress:ValueErrorQueue (threads): RAISES\n")
    assert run.out.endswith(
        "rerun: python -m spec stress queue spec.known_bad.stress:ValueErrorQueue --mode threads --seed 2\n"
    )
    run = run_cli("stress", "stack", "spec.adapters:LifoQueueAsStack", "--max-examples", "5", "--runs", "2")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith("stress stack: spec.adapters:LifoQueueAsStack (threads): HOLDS\n")
    run = run_cli("stress", "queue", "spec.known_bad.stress:Nothing", "--runs", "0")
    assert run.code == 2
    assert run.err.startswith("python -m spec: error: argument --runs: must be at least 1, got '0'")


# -- the contract options --------------------------------------------------------------

SIMPLE = make_options(map="push=put,pop=get_nowait,len=qsize", empty=queue.Empty, without="peek")
STRESS_EVENTS: list[str] = []


class NoneWhenEmpty(LockedQueue):
    def pop(self) -> Any:
        try:
            return super().pop()
        except IndexError:
            return None

    def peek(self) -> Any:
        try:
            return super().peek()
        except IndexError:
            return None


def simple_queue_fixture() -> Iterator[queue.SimpleQueue[Any]]:
    STRESS_EVENTS.append("made")
    yield queue.SimpleQueue()
    STRESS_EVENTS.append("cleaned")


async def async_fixture() -> AsyncIterator[asyncio.Queue[Any]]:
    STRESS_EVENTS.append("made")
    yield asyncio.Queue()
    STRESS_EVENTS.append("cleaned")


def _clean_up_or_fail() -> None:
    STRESS_EVENTS.append("made")
    if len(STRESS_EVENTS) > 1:  # not the shape check's instance
        raise OSError("cannot remove the store")


def cleanup_fails() -> Iterator[LockedQueue]:
    yield LockedQueue()
    _clean_up_or_fail()


async def async_cleanup_fails() -> AsyncIterator[LockedQueue]:
    yield LockedQueue()
    _clean_up_or_fail()


def test_stress_through_the_options_with_fixture_style_factories() -> None:
    STRESS_EVENTS.clear()
    report = stress("queue", simple_queue_fixture, max_examples=10, runs=2, seed=0, options=SIMPLE)
    assert report.ok, report.format()
    assert report.mode == "threads"
    assert STRESS_EVENTS.count("made") == STRESS_EVENTS.count("cleaned") > 20
    assert report.rerun == (
        "python -m spec stress queue tests.test_stress:simple_queue_fixture --mode threads --seed 0 "
        "--map push=put,pop=get_nowait,len=qsize --empty queue.Empty --without peek"
    )
    STRESS_EVENTS.clear()
    report = stress(
        "queue",
        async_fixture,
        max_examples=10,
        runs=2,
        seed=0,
        map="push=put,pop=get_nowait,len=qsize",
        empty=asyncio.QueueEmpty,
        without="peek",
    )
    assert report.mode == "asyncio"
    assert report.ok, report.format()
    assert STRESS_EVENTS.count("made") == STRESS_EVENTS.count("cleaned") > 20


def test_stress_writes_items_in_their_kind_and_reads_the_sentinel_as_empty() -> None:
    report = stress("queue", NoneWhenEmpty, max_examples=10, runs=2, seed=0, empty_returns=None, items="bytes")
    assert report.ok, report.format()
    bad = stress("queue", "spec.known_bad.stress:RacyStack", runs=5, seed=0, items="str")
    assert bad.failure is not None
    assert "'1'" in bad.format()
    assert bad.rerun.endswith("--items str")


def test_stress_reports_the_target_in_its_own_names() -> None:
    report = stress("stack", queue.SimpleQueue, seed=0, runs=2, options=SIMPLE)
    assert report.failure is not None
    assert report.failure.verdict == "not linearizable"
    text = report.format()
    assert "    s.put(1)" in text or "s.put(" in text
    assert "peek" not in text.split("History of the failing run")[0]


@pytest.mark.parametrize(("factory", "mode"), [(cleanup_fails, "threads"), (async_cleanup_fails, "asyncio")])
def test_a_cleanup_that_raises_fails_the_run(factory: Callable[[], Any], mode: str) -> None:
    STRESS_EVENTS.clear()
    report = stress("queue", factory, max_examples=5, runs=1, seed=0)
    assert report.mode == mode
    assert report.failure is not None
    assert report.failure.verdict == "raises"
    assert report.failure.message == "cleaning up after the run raised OSError: cannot remove the store"


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_an_async_target_on_threads_or_processes_is_refused(mode: str) -> None:
    with pytest.raises(SpecError, match=r"is async \(coroutine methods or an async factory\): stress it with --mode"):
        stress("queue", asyncio.Queue, mode=mode, map="push=put,pop=get_nowait,len=qsize", without="peek")


def test_a_driver_renders_and_calls_the_mapped_methods() -> None:
    driver = Driver(
        {"push": Method("put", awaited=True), "pop": Method("get"), "peek": Method("__getitem__", (0,))},
        kind="bytes",
        lifecycle=Lifecycle.GENERATOR,
    )
    assert Call("push", 3).source("q", driver) == "await q.put(b'3')"
    assert Call("push", 3).input(driver) == b"3"
    assert Call("peek").source("q", driver) == "q.__getitem__(0)"
    assert Scenario(("push",), (("peek",), ("pop",))).program("f", "q", "task", driver, opens=True) == (
        "q = stack.enter_context(contextmanager(f)(directory))",
        "await q.put(b'1')",
        "# then, at once, one task each:",
        "#   1: q.__getitem__(0)",
        "#   2: q.get()",
        "# then, all done, client 3 drains it: q.get() until it raises IndexError",
    )
    assert driver.call("peek", [7]) == 7


class PopRaises(LockedQueue):
    def pop(self) -> Any:
        raise KeyError("broken")


def raises_and_cleanup_fails() -> Iterator[LockedQueue]:
    yield PopRaises()
    STRESS_EVENTS.append("made")
    if len(STRESS_EVENTS) > 1:
        raise OSError("cannot remove the store")


def test_a_failed_run_is_reported_as_it_failed_whatever_the_cleanup_does() -> None:
    STRESS_EVENTS.append("the shape check's instance")  # so that this cleanup raises
    driver = dataclasses.replace(STANDARD, lifecycle=Lifecycle.GENERATOR)
    scenario = Scenario(("pop",), (("push",), ("push",)))
    with Deadline(1.0) as deadline, pytest.raises(RunFailed, match=r"^q.pop\(\) \(the start\) raised KeyError"):
        run_threads(raises_and_cleanup_fails, scenario, deadline, "q", driver=driver)


LIST_AS_QUEUE = make_options(map="push=append,pop=pop:0,peek=__getitem__:0", items="str")


def test_the_driver_is_built_from_the_options_plan_and_pickles() -> None:
    with Deadline(1.0) as deadline:
        plan = prepare_container("queue")(list, deadline, LIST_AS_QUEUE).plan
    driver = driver_for(plan, "str")
    assert driver.operations == ("push", "pop", "peek", "len", "bool")
    assert [driver.source(op, "q", 3 if op == "push" else None) for op in driver.operations] == [
        "q.append('3')",
        "q.pop(0)",
        "q.__getitem__(0)",
        "len(q)",
        "bool(q)",
    ]
    assert pickle.loads(pickle.dumps(driver)) == driver  # it reaches client processes
    with Deadline(1.0) as deadline:
        sized = prepare_container("queue")(
            queue.Queue, deadline, make_options(map="push=put,pop=get,len=qsize", without="peek")
        )
        unsized = prepare_container("queue")(
            queue.Queue, deadline, make_options(map="push=put,pop=get", without="peek,len")
        )
    assert driver_for(sized.plan, "any").calls["len"] == Method("qsize")
    assert driver_for(sized.plan, "any").operations == ("push", "pop", "len")  # bool(q) is not its size's
    assert driver_for(unsized.plan, "any").operations == ("push", "pop")
    assert STANDARD.calls["len"] == Builtin("len")


def test_a_list_is_a_queue_through_its_own_methods() -> None:
    report = stress("queue", list, max_examples=10, runs=2, seed=0, options=LIST_AS_QUEUE)
    assert report.ok, report.format()


class RaisesTheOraclesSignal(LockedQueue):
    """Raises, from a client thread, the exception the oracle's own time limit raises."""

    def pop(self) -> Any:
        raise TargetHung(1)


def test_a_client_thread_ends_with_nothing_escaping_it() -> None:
    with Deadline(None) as deadline, pytest.raises(RunFailed) as failed:
        run_threads(RaisesTheOraclesSignal, Scenario((), (("pop",), ("push",))), deadline, "q")
    assert str(failed.value) == "client 1 stopped: TargetHung: did not return within 1 s"


def test_a_search_hypothesis_finds_flaky_without_a_failure_could_not_run() -> None:
    def flaky() -> None:
        raise FlakyStrategyDefinition("Inconsistent data generation!")

    with pytest.raises(SpecError, match=r"^the search could not run: FlakyStrategyDefinition: Inconsistent"):
        _search(flaky, _Tally(), "threads")


class AsyncRefuses(AsyncLockedQueue):
    async def push(self, item: Any) -> None:
        raise KeyboardInterrupt  # a target's, in a task: judged, and the call ends


def test_an_async_call_that_raises_what_is_not_allowed_ends_in_the_history() -> None:
    with pytest.raises(RunFailed, match=r"^q.push\(1\) \(client 1\) raised KeyboardInterrupt$") as failed:
        run_asyncio(AsyncRefuses, Scenario((), (("push",), ("pop",))), lambda n: 0, None, "q")
    assert "KeyboardInterrupt" in str(failed.value.history[0].output)
