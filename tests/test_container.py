"""The queue and stack contracts under the contract options: real-library shapes, checked as they are.

Every target here is importable by name, so that each violation's snippet is
replayed as a user would paste it.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
import queue
import re
import tempfile
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

import spec
from spec import ClauseStatus
from spec.container import alike
from tests._support import replay

# -- targets, each shaped like a real library ------------------------------------


class Store:
    """A queue that keeps copies (as persistent stores do): put / get_nowait, queue.Empty, qsize; no peek, no len."""

    def __init__(self) -> None:
        self.items: deque[Any] = deque()

    def put(self, item: Any) -> None:
        self.items.append(copy.deepcopy(item))

    def get_nowait(self) -> Any:
        if not self.items:
            raise queue.Empty
        return self.items.popleft()

    def qsize(self) -> int:
        return len(self.items)


class LifoStore(Store):
    def get_nowait(self) -> Any:
        if not self.items:
            raise queue.Empty
        return self.items.pop()


class CopyingQueue:
    """The contract's protocol, returning deep copies."""

    def __init__(self) -> None:
        self.items: deque[Any] = deque()

    def push(self, item: Any) -> None:
        self.items.append(copy.deepcopy(item))

    def pop(self) -> Any:
        return self.items.popleft()

    def peek(self) -> Any:
        return self.items[0]

    def __len__(self) -> int:
        return len(self.items)


class PicklingQueue(CopyingQueue):
    """Copies by pickling: a copy of bytes is another bytes object (deepcopy would return the same one)."""

    def push(self, item: Any) -> None:
        self.items.append(pickle.loads(pickle.dumps(item)))


class PeeksACopyOfTheNewest(CopyingQueue):
    def peek(self) -> Any:
        return copy.deepcopy(self.items[-1])


class NoneWhenEmpty(CopyingQueue):
    """As queuelib's memory queues: empty pop() and peek() return None."""

    def pop(self) -> Any:
        return self.items.popleft() if self.items else None

    def peek(self) -> Any:
        return self.items[0] if self.items else None


class ZeroWhenEmpty(NoneWhenEmpty):
    def pop(self) -> Any:
        return self.items.popleft() if self.items else 0


class LosesZero(NoneWhenEmpty):
    """Answers None (its empty signal) for a stored 0, as persist-queue does for a stored None."""

    def pop(self) -> Any:
        item = super().pop()
        return None if item == 0 else item


class RaisesWhenEmpty(NoneWhenEmpty):
    def peek(self) -> Any:
        return self.items[0]


class Unsized:
    """No __len__ at all."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        return self.items.pop(0)

    def peek(self) -> Any:
        return self.items[0]


_SHARED: list[Any] = []


class SharedPopOnly:
    """Instances share one list: --without peek, so the probe pops."""

    def push(self, item: Any) -> None:
        _SHARED.append(item)

    def pop(self) -> Any:
        return _SHARED.pop(0)

    def __len__(self) -> int:
        return 0  # hides the sharing from the length check


class PrefilledPopOnly:
    def __init__(self) -> None:
        self.items: list[Any] = ["left over"]

    def push(self, item: Any) -> None:
        self.items.append(item)

    def pop(self) -> Any:
        return self.items.pop(0)

    def __len__(self) -> int:
        return len(self.items) - 1 if self.items and self.items[0] == "left over" else len(self.items)


class AsyncLifo(asyncio.LifoQueue[Any]):
    pass


class AsyncHangs(asyncio.Queue[Any]):
    async def put(self, item: Any) -> None:
        await asyncio.Event().wait()


EVENTS: list[str] = []


def in_a_directory() -> Iterator[Any]:
    """A fixture-style factory: a fresh directory per instance, removed afterwards."""
    with spec.temporary_directory() as path:
        (path / "store").write_text("")
        EVENTS.append("made")
        yield CopyingQueue()
        EVENTS.append("cleaned")


async def on_the_loop() -> AsyncIterator[Any]:
    q: asyncio.Queue[Any] = asyncio.Queue()
    await asyncio.sleep(0)
    EVENTS.append("made")
    yield q
    EVENTS.append("cleaned")


CLEANUPS: list[str] = []


def _clean(how: str) -> None:
    """Clean up as ``how`` says, except the first time (the shape check's instance)."""
    CLEANUPS.append(how)
    if len(CLEANUPS) == 1 or how == "cleanly":
        return
    if how == "hangs":
        threading.Event().wait()
    raise OSError("cannot remove the store")


def cleanup_raises() -> Iterator[Any]:
    yield CopyingQueue()
    _clean("raises")


def cleanup_raises_always() -> Iterator[Any]:
    yield CopyingQueue()
    raise OSError("cannot remove the store")


def cleanup_hangs() -> Iterator[Any]:
    yield CopyingQueue()
    _clean("hangs")


def shared_and_cleanup_raises() -> Iterator[Any]:
    yield SharedPopOnly()
    _clean("raises")


def shared_and_cleanup_hangs() -> Iterator[Any]:
    yield SharedPopOnly()
    _clean("hangs")


def yields_twice() -> Iterator[Any]:
    yield CopyingQueue()
    yield CopyingQueue()


class Entered:
    """A factory returning a context manager whose __enter__ is the queue."""

    def __enter__(self) -> CopyingQueue:
        EVENTS.append("made")
        return CopyingQueue()

    def __exit__(self, *exc: object) -> None:
        EVENTS.append("cleaned")


STORE = spec.make_options(map="push=put,pop=get_nowait,len=qsize", empty=queue.Empty, without="peek")
ASYNC = spec.make_options(map="push=put,pop=get_nowait,len=qsize", empty=asyncio.QueueEmpty, without="peek")
NAN_LISTS = st.lists(st.floats(), max_size=2)
DICTS = st.dictionaries(st.sampled_from("ab"), st.floats(), max_size=2)
NOTHING = st.nothing()


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    EVENTS.clear()
    CLEANUPS.clear()
    _SHARED.clear()


def statuses(report: spec.Report) -> dict[str, ClauseStatus]:
    return {r.clause.id: r.status for r in report.clauses}


# -- map, empty, without ------------------------------------------------------------


def test_a_store_is_checked_through_its_own_names() -> None:
    report = spec.check("queue", Store, seed=0, max_examples=30, compare="equal", options=STORE)
    assert report.ok, report.format()
    assert statuses(report)["Q2"] is ClauseStatus.NOT_JUDGED
    assert statuses(report)["Q5"] is ClauseStatus.NOT_JUDGED
    assert report.not_judged == (report.clauses[1].clause, report.clauses[4].clause)
    text = report.format()
    assert "  Q2    not judged       0 checks  peek (--without peek)" in text
    assert "  Q5    not judged       0 checks  identity (--compare equal accepts a copy)" in text
    assert "note: parts: push is put, pop is get_nowait, len is qsize" in text
    assert "note: bool() is not judged: the size is qsize(), not len()" in text
    assert "note: empty: pop() and peek() raise queue.Empty on an empty queue" in text


def test_a_copy_breaks_identity_unless_copies_are_accepted() -> None:
    report = spec.check("queue", Store, seed=0, options=STORE)
    assert report.violation is not None
    assert report.violation.clause.id == "Q5"
    assert "x1 = [" in report.snippet  # a list: unhashable, and copied by the store
    assert "q.put(x1)" in report.snippet
    assert isinstance(replay(report), AssertionError)
    assert report.rerun == (
        "python -m spec check queue tests.test_container:Store --seed 0 --map push=put,pop=get_nowait,len=qsize "
        "--empty queue.Empty --without peek"
    )


def test_identity_is_not_judged_on_kinds_of_plain_values() -> None:
    report = spec.check("queue", PicklingQueue, seed=0, max_examples=30, items="bytes")
    assert report.ok, report.format()
    assert "  Q5    not judged       0 checks  identity (--items bytes: equal bytes values need not be one object)" in (
        report.format()
    )


def test_identity_is_judged_on_the_containers_of_a_mixed_kind() -> None:
    report = spec.check("queue", PicklingQueue, seed=0, items="hashable")
    assert report.violation is not None
    assert report.violation.clause.id == "Q5"
    assert "b1 = [(i,) for i in range(" in report.snippet  # the bulk rules push tuples of hashable items
    assert isinstance(replay(report), AssertionError)


def test_a_wrong_order_under_equality_is_the_order_clause() -> None:
    report = spec.check("stack", Store, seed=0, compare="equal", options=STORE)
    assert report.violation is not None
    assert report.violation.clause.id == "S1"
    assert re.search(r"returned the item pushed 1st of the \d+ held", report.violation.message)
    assert isinstance(replay(report), AssertionError)


def test_a_peek_at_a_copy_of_another_item_under_equality() -> None:
    report = spec.check("queue", PeeksACopyOfTheNewest, seed=0, compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "Q2"
    assert isinstance(replay(report), AssertionError)


@pytest.mark.parametrize("items", ["float", "tests.test_container:NAN_LISTS", "tests.test_container:DICTS"])
def test_copies_of_nan_and_of_containers_match_under_equality(items: str) -> None:
    report = spec.check("queue", CopyingQueue, seed=0, max_examples=50, compare="equal", items=items)
    assert report.ok, report.format()


def test_alike() -> None:
    nan = float("nan")
    assert alike(nan, float("nan"))
    assert alike([nan, 1.0], [float("nan"), 1.0])
    assert alike((nan,), (float("nan"),))
    assert alike({"a": nan}, {"a": float("nan")})
    assert not alike([nan], [nan, nan])
    assert not alike({"a": 1}, {"b": 1})
    assert not alike([1], (1,))
    assert not alike(nan, 1.0)
    assert alike(b"x", bytearray(b"x"))


def test_an_equality_that_raises_counts_as_unequal() -> None:
    class Odd:
        def __eq__(self, other: object) -> bool:
            raise TypeError("no")

        __hash__ = object.__hash__

    class Oddly(CopyingQueue):
        def pop(self) -> Any:
            super().pop()
            return Odd()

    report = spec.check("queue", Oddly, seed=0, compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "Q1"


def test_a_target_without_len_is_judged_on_the_rest() -> None:
    report = spec.check("queue", Unsized, seed=0, max_examples=30, without="len")
    assert report.ok, report.format()
    assert statuses(report)["Q3"] is ClauseStatus.NOT_JUDGED


def test_without_peek_the_probe_pops_and_finds_shared_state() -> None:
    report = spec.check("queue", SharedPopOnly, seed=0, without="peek")
    assert report.violation is not None
    assert report.violation.clause.id == "Q6"
    assert isinstance(replay(report), AssertionError)


def test_without_peek_an_item_in_a_new_instance_breaks_the_empty_clause() -> None:
    report = spec.check("queue", PrefilledPopOnly, seed=0, without="peek")
    assert report.violation is not None
    assert report.violation.clause.id == "Q4"
    assert "on a new queue returned 'left over'; a new queue is empty" in report.violation.message
    assert isinstance(replay(report), AssertionError)


def test_a_method_with_a_literal_argument_plays_peek() -> None:
    report = spec.check("stack", deque, seed=0, max_examples=30, map="push=append,peek=__getitem__:-1")
    assert report.ok, report.format()
    bad = spec.check("queue", deque, seed=0, map="push=append,pop=popleft,peek=__getitem__:-1")
    assert bad.violation is not None
    assert "peeked = q.__getitem__(-1)" in bad.snippet
    assert isinstance(replay(bad), AssertionError)


def test_a_missing_mapped_method_is_a_shape_error() -> None:
    with pytest.raises(
        spec.TargetError, match=r"^Store\(\) returned a Store without push, peek, __len__ \(a queue target needs"
    ):
        spec.check("queue", Store, map="pop=get_nowait")


# -- empty as a returned sentinel ---------------------------------------------------


def test_a_sentinel_means_empty_and_is_never_pushed() -> None:
    pushed: list[Any] = []

    class Recording(NoneWhenEmpty):
        def push(self, item: Any) -> None:
            pushed.append(item)
            super().push(item)

    report = spec.check("queue", Recording, seed=0, max_examples=50, empty_returns=None, compare="equal")
    assert report.ok, report.format()
    assert pushed
    assert None not in pushed
    assert "note: empty: pop() and peek() return None on an empty queue, so None is never pushed" in report.format()


def test_a_wrong_sentinel_on_empty_breaks_the_empty_clause() -> None:
    report = spec.check("queue", ZeroWhenEmpty, seed=0, empty_returns=None, compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "Q4"
    assert (
        report.snippet.splitlines()[-1]
        == "assert q.pop() is None, 'Q4 (empty): pop() on an empty queue must return None'"
    )
    assert isinstance(replay(report), AssertionError)


def test_the_sentinel_for_a_held_item_breaks_the_empty_clause() -> None:
    report = spec.check("queue", LosesZero, seed=0, empty_returns=None, compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "Q4"
    assert report.violation.message == "q.pop() returned None, the empty signal, on a queue holding 1 item(s)"
    assert isinstance(replay(report), AssertionError)


def test_raising_on_empty_when_a_sentinel_is_the_signal_is_conduct() -> None:
    report = spec.check("queue", RaisesWhenEmpty, seed=0, empty_returns=None, compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"


def test_a_sentinel_and_exceptions_together() -> None:
    report = spec.check("queue", ZeroWhenEmpty, seed=0, empty_returns=None, empty="IndexError", compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "Q4"
    assert "    answer = q.pop()" in report.snippet
    assert isinstance(replay(report), AssertionError)
    holds = spec.check("queue", NoneWhenEmpty, seed=0, max_examples=20, empty_returns=None, empty=[IndexError])
    assert holds.violation is not None  # identity: copies
    assert holds.violation.clause.id == "Q5"


def test_a_strategy_probe_avoids_the_sentinel() -> None:
    report = spec.check(
        "queue",
        NoneWhenEmpty,
        seed=0,
        max_examples=20,
        items=st.none() | st.just(1),
        empty_returns=None,
        compare="equal",
    )
    assert report.ok, report.format()


def test_a_strategy_that_draws_nothing_is_refused() -> None:
    with pytest.raises(spec.OptionError, match=r"^--items: cannot draw an item from tests.test_container:NOTHING"):
        spec.check("queue", CopyingQueue, items="tests.test_container:NOTHING")


# -- async targets ------------------------------------------------------------------


def test_an_asyncio_queue_is_driven_on_a_loop_per_program() -> None:
    report = spec.check(
        "queue",
        asyncio.Queue,
        seed=0,
        max_examples=30,
        map="push=put,pop=get_nowait,len=qsize",
        empty=asyncio.QueueEmpty,
        without="peek",
    )
    assert report.ok, report.format()
    assert report.form == "async"
    assert "note: async: each program runs on an event loop of its own; awaited: push" in report.format()


def test_an_async_violation_replays_under_asyncio_run() -> None:
    report = spec.check(
        "queue", AsyncLifo, seed=0, map="push=put,pop=get_nowait,len=qsize", empty=asyncio.QueueEmpty, without="peek"
    )
    assert report.violation is not None
    assert report.violation.clause.id == "Q1"
    lines = report.snippet.splitlines()
    assert lines[:3] == ["import asyncio", "from tests.test_container import AsyncLifo", "async def program():"]
    assert "    for x in b1: await q.put(x)" in lines
    assert lines[-1] == "asyncio.run(program())"
    assert isinstance(replay(report), AssertionError)


def test_an_await_that_never_ends_is_a_hang() -> None:
    report = spec.check("queue", AsyncHangs, seed=0, timeout=0.2, options=ASYNC)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert "did not return within 0.2 s" in report.violation.message


def test_an_async_generator_factory_is_entered_and_cleaned_up_on_the_loop() -> None:
    report = spec.check("queue", on_the_loop, seed=0, max_examples=20, options=ASYNC)
    assert report.ok, report.format()
    assert "note: lifecycle: the factory is an async generator; each instance is cleaned up" in report.format()
    assert EVENTS.count("made") == EVENTS.count("cleaned") > 20
    bad = spec.check("stack", on_the_loop, seed=0, options=ASYNC)
    assert bad.violation is not None
    assert "    async with AsyncExitStack() as stack:" in bad.snippet
    assert "        s = await stack.enter_async_context(asynccontextmanager(on_the_loop)())" in bad.snippet
    assert isinstance(replay(bad), AssertionError)


# -- lifecycle -----------------------------------------------------------------------


def test_every_instance_of_a_generator_factory_is_cleaned_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    report = spec.check("queue", in_a_directory, seed=0, max_examples=30, compare="equal")
    assert report.ok, report.format()
    assert EVENTS.count("made") == EVENTS.count("cleaned") > 30
    assert list(tmp_path.iterdir()) == []
    assert "note: lifecycle: the factory is a generator; each instance is cleaned up after its program" in (
        report.format()
    )


def test_a_violation_of_a_fixture_style_factory_replays_and_cleans_up() -> None:
    report = spec.check("stack", in_a_directory, seed=0, compare="equal")
    assert report.violation is not None
    assert report.violation.clause.id == "S1"
    lines = report.snippet.splitlines()
    assert lines[:3] == [
        "from contextlib import ExitStack, contextmanager",
        "from tests.test_container import in_a_directory",
        "with ExitStack() as stack:",
    ]
    assert lines[3] == "    s = stack.enter_context(contextmanager(in_a_directory)())"
    EVENTS.clear()
    assert isinstance(replay(report), AssertionError)
    assert EVENTS == ["made"]  # the assertion is thrown into the generator, as pytest does


def test_a_factory_returning_a_context_manager_is_entered() -> None:
    report = spec.check("queue", Entered, seed=0, max_examples=20, compare="equal")
    assert report.ok, report.format()
    assert EVENTS.count("made") == EVENTS.count("cleaned") > 20


def test_a_cleanup_that_raises_at_load_is_refused() -> None:
    with pytest.raises(spec.TargetError, match=r"^calling the cleanup after cleanup_raises_always\(\) raised OSError"):
        spec.check("queue", cleanup_raises_always)


def test_a_cleanup_that_raises_during_the_search_is_conduct() -> None:
    report = spec.check("queue", cleanup_raises, seed=0, max_examples=20)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert report.violation.message == "cleaning up after the program raised OSError: cannot remove the store"
    assert report.snippet.splitlines()[-1] == "    # leaving the with block raises OSError: cannot remove the store"
    assert isinstance(replay(report), OSError)


def test_a_cleanup_that_hangs_is_conduct() -> None:
    report = spec.check("queue", cleanup_hangs, seed=0, timeout=0.2)
    assert report.violation is not None
    assert report.violation.clause.id == "Q7"
    assert "did not return within 0.2 s" in report.violation.message


@pytest.mark.parametrize("factory", [shared_and_cleanup_raises, shared_and_cleanup_hangs])
def test_a_cleanup_failure_after_a_violation_does_not_hide_it(factory: Any) -> None:
    report = spec.check("queue", factory, seed=0, timeout=0.2, without="peek")
    assert report.violation is not None
    assert report.violation.clause.id == "Q6"


def test_a_factory_that_yields_twice_is_refused_at_load() -> None:
    with pytest.raises(spec.TargetError, match=r"generator didn't stop"):
        spec.check("queue", yields_twice)


def test_picklable_items_through_a_pickling_store() -> None:
    report = spec.check("queue", PicklingQueue, seed=0, max_examples=30, items="picklable", compare="equal")
    assert report.ok, report.format()
    assert "note: items: push() is given picklable only" in report.format()
