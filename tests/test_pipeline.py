"""The pipeline contract: the reference coordinator, the seed's code, the oracle's harness and judge."""

from __future__ import annotations

import unittest
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import suppress
from inspect import GEN_CLOSED, GEN_SUSPENDED, getgeneratorstate
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec
import tests.seed_pipeline as seed
from impl.pipeline import (
    consume_all,
    consume_elements,
    coordinator,
    drive,
    produce_all,
    produce_elements,
    subroutine,
)
from spec import ClauseViolation, TargetError, TargetHung, load_target
from spec._core.checker import Binding
from spec._core.deadline import Deadline
from spec._core.target import ref_for
from spec.known_bad import KnownBad, catalogue
from spec.known_bad.pipeline import (
    pops_the_wrong_end,
    primes_with_next,
    reads_the_source_first,
    skips_a_repeated_item,
    skips_the_first_item,
)
from spec.pipeline import (
    CLAUSES,
    CONTRACT,
    CountingSource,
    PipelineContract,
    RecordingBuffer,
    RecordingSink,
    SinkFailure,
    SourceFailure,
    Stopped,
    _Run,
    accounted,
    outcome,
)
from spec.pipeline.cases import Case, cases
from spec.pipeline.harness import unaccounted
from spec.pipeline.values import SPELLINGS, Pool, edge_sizes, pools, sizes
from tests._support import replay, replay_violation

# -- the reference: impl.pipeline ----------------------------------------------------------------


class Pulls(Iterator[int]):
    """``0, 1, 2, ...`` (``n`` of them, or endlessly), counting how many were pulled."""

    def __init__(self, n: int | None = None) -> None:
        self.n = n
        self.pulled = 0

    def __next__(self) -> int:
        if self.pulled == self.n:
            raise StopIteration
        self.pulled += 1
        return self.pulled - 1


@given(n=st.integers(0, 60), maxlen=st.integers(1, 12))
def test_coordinator_delivers_every_item_in_order_and_drains(n: int, maxlen: int) -> None:
    buffer: deque[int] = deque(maxlen=maxlen)
    received: list[int] = []
    ahead = 0
    source = Pulls(n)

    def sink(item: int) -> None:
        nonlocal ahead
        ahead = max(ahead, source.pulled - len(received))
        received.append(item)

    coordinator(source, buffer, sink)
    assert received == list(range(n))
    assert not buffer
    assert ahead <= maxlen


def test_coordinator_delivers_items_already_in_the_buffer_first() -> None:
    received: list[str] = []
    coordinator(iter("cd"), deque("ba", maxlen=3), received.append)
    assert received == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("buffer", "message"),
    [
        (deque(), r"^the buffer must be a bounded deque \(maxlen >= 1\), got an unbounded one$"),
        (
            deque(maxlen=0),
            r"^the buffer must be a bounded deque \(maxlen >= 1\), got maxlen=0: it would lose every item$",
        ),
    ],
)
def test_coordinator_refuses_an_unbounded_or_zero_buffer_before_pulling(buffer: deque[int], message: str) -> None:
    source = Pulls(3)
    with pytest.raises(ValueError, match=message):
        coordinator(source, buffer, print)
    assert source.pulled == 0
    with pytest.raises(ValueError, match=message):
        next(produce_elements(buffer, source))


def test_an_endless_source_runs_in_constant_memory_until_the_sink_fails() -> None:
    source = Pulls()
    buffer: deque[int] = deque(maxlen=10)

    def sink(item: int) -> None:
        assert source.pulled - item <= 10
        if item == 10_000:
            raise KeyError(item)

    with pytest.raises(KeyError, match="10000"):
        coordinator(source, buffer, sink)
    assert list(buffer) == list(range(source.pulled - 1, 10_000, -1))


def test_produce_elements_pulls_only_what_fits_and_yields_when_full() -> None:
    source = Pulls(5)
    dq: deque[int] = deque(maxlen=2)
    producer = produce_elements(dq, source)
    next(producer)
    assert (list(dq), source.pulled) == ([1, 0], 2)
    next(producer)  # the buffer is still full: nothing more is pulled
    assert (list(dq), source.pulled) == ([1, 0], 2)
    dq.pop()
    next(producer)
    assert (list(dq), source.pulled) == ([2, 1], 3)
    dq.clear()
    next(producer)
    assert (list(dq), source.pulled) == ([4, 3], 5)
    dq.clear()
    with pytest.raises(StopIteration):  # a fill that leaves the buffer short of full: the source is exhausted
        next(producer)
    assert (list(dq), source.pulled) == ([], 5)


def test_consume_elements_leaves_the_items_after_a_failing_one_in_the_buffer() -> None:
    dq = deque([4, 3, 2, 1, 0], maxlen=5)
    received: list[int] = []

    def sink(item: int) -> None:
        if item == 2:
            raise ValueError(item)
        received.append(item)

    consumer = consume_elements(dq, sink)
    with pytest.raises(ValueError, match="2"):
        next(consumer)
    assert received == [0, 1]
    assert list(dq) == [4, 3]
    assert getgeneratorstate(consumer) == GEN_CLOSED


def make_pair(
    sink: Callable[[int], object], fail_after: int | None
) -> tuple[Generator[None, None, None], Generator[None, None, object]]:
    """A producer of 7 items (failing before item ``fail_after``) and a consumer, over a deque(maxlen=3)."""

    def items() -> Iterator[int]:
        for item in range(7):
            if item == fail_after:
                raise LookupError("source failed")
            yield item

    dq: deque[int] = deque(maxlen=3)
    return produce_elements(dq, items()), consume_elements(dq, sink)


def failing_sink(item: int) -> None:
    if item == 3:
        raise ArithmeticError("sink failed")


@pytest.mark.parametrize(
    ("sink", "fail_after", "error"),
    [
        (print, None, None),
        (failing_sink, None, ArithmeticError),
        (print, 5, LookupError),
        (print, 0, LookupError),  # the producer fails before the consumer ever ran
    ],
)
def test_drive_closes_both_generators_whatever_happens(
    sink: Callable[[int], object],
    fail_after: int | None,
    error: type[Exception] | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    producer, consumer = make_pair(sink, fail_after)
    if error is None:
        drive(producer, consumer)
    else:
        with pytest.raises(error):
            drive(producer, consumer)
    assert getgeneratorstate(producer) == GEN_CLOSED
    assert getgeneratorstate(consumer) == GEN_CLOSED
    if error is LookupError:  # what was produced before the failure was delivered
        assert capsys.readouterr().out.split() == [str(i) for i in range(fail_after or 0)]


def test_drive_refuses_a_consumer_that_returns() -> None:
    def returns() -> Generator[None, None, None]:
        yield from ()  # returns at once

    dq: deque[int] = deque([0], maxlen=1)
    message = r"^the consumer returned; it must run until it is closed$"
    with pytest.raises(RuntimeError, match=message):
        drive(produce_elements(dq, []), returns())
    failing_source = map(int, ["not a number"])
    with pytest.raises(RuntimeError, match=message) as raised:
        drive(produce_elements(deque(maxlen=1), failing_source), returns())
    context = raised.value.__context__  # the consumer's StopIteration, raised while handling the producer's error
    assert isinstance(context, StopIteration)
    assert isinstance(context.__context__, ValueError)


def test_the_subroutine_version_is_correct_but_holds_every_item_at_once() -> None:
    received: list[int] = []
    subroutine(range(5), received.append)
    assert received == [0, 1, 2, 3, 4]
    dq: deque[int] = deque()
    produce_all(dq, range(3))
    consume_all(dq, received.append)
    assert received[5:] == [0, 1, 2]
    with pytest.raises(
        ValueError, match=r"^produce_all needs an unbounded deque, got maxlen=10: it would discard items$"
    ):
        produce_all(deque(maxlen=10), range(3))


def subroutine_run(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    """The subroutine version in the contract's target shape (the buffer is not used)."""
    subroutine(source, sink)


def test_the_subroutine_version_breaks_the_bounded_clause() -> None:
    report = spec.check("pipeline", subroutine_run, seed=0)
    assert report.violation is not None
    assert report.violation.clause.id == "P3", report.format()
    assert replay(report) is not None


class TestCoordinatorContract(PipelineContract):
    factory = coordinator
    max_examples = 30


# -- the seed's code, faithfully copied ------------------------------------------------------------


def test_the_seeds_coordinator_holds_the_contract() -> None:
    report = spec.check("pipeline", seed.coordinator, seed=0)
    assert report.ok, report.format()


def test_the_seeds_coordinator_loses_every_item_with_a_zero_length_deque() -> None:
    received: list[int] = []
    seed.coordinator(range(1, 36), deque(maxlen=0), received.append)
    assert received == []
    received = []
    seed.coordinator(range(1, 36), deque(maxlen=10), received.append)
    assert received == list(range(1, 36))


def test_the_seeds_generators_yield_when_full_and_print_what_they_do() -> None:
    seed.OUTPUT.seek(0)
    seed.OUTPUT.truncate()
    dq: deque[int] = deque(maxlen=2)
    producer = seed.produce_elements(dq, range(1, 4))
    consumer = seed.consume_elements(dq, lambda item: None)
    next(producer)
    next(consumer)
    assert seed.OUTPUT.getvalue().splitlines() == [
        "Queue full - yielding control",
        "Processing item 1",
        "Processing item 2",
        "Queue empty - yielding control",
    ]
    assert getgeneratorstate(consumer) == GEN_SUSPENDED  # the seed never closes it


# -- the harness: source, buffer, sink -------------------------------------------------------------


def test_counting_source() -> None:
    source = CountingSource(2)
    assert repr(source) == "CountingSource(2)"
    assert list(source) == [0, 1]
    assert source.exhausted
    assert source.pulls == 2
    failing = CountingSource(1, fail=True)
    assert repr(failing) == "CountingSource(1, fail=True)"
    assert next(failing) == 0
    with pytest.raises(SourceFailure, match=r"^the source failed after 1 items$") as raised:
        next(failing)
    assert raised.value is failing.error
    assert list(failing) == []  # like a generator that raised: finished
    assert failing.failed
    assert not failing.exhausted
    assert list(islice(CountingSource(None), 3)) == [0, 1, 2]
    with pytest.raises(ValueError, match=r"^a source cannot have -1 items$"):
        CountingSource(-1)
    with pytest.raises(ValueError, match=r"^an endless source cannot fail after its items$"):
        CountingSource(None, fail=True)


def test_a_source_with_values_cycles_through_them_and_tells_items_apart_by_identity() -> None:
    big, twin, items = int("1" * 25), int("1" * 25), [0]
    source = CountingSource(5, values=[big, None, twin, items])
    assert repr(source) == f"CountingSource(5, values=[{big!r}, None, {twin!r}, [0]])"
    assert list(source) == [big, None, twin, items, big]
    assert source.item(4) is big
    assert source.key(big) != source.key(twin)  # equal, but two objects
    assert source.positions(big) == [0, 4]
    assert source.positions(twin, 3) == [2]
    assert source.positions([0]) == []  # an equal list is not the item
    counting = CountingSource(3)
    assert counting.key(2) == counting.key(int("2"))  # counted items are told apart by value
    assert counting.key("2") != counting.key(2)
    assert counting.key(True) != counting.key(1)
    with pytest.raises(ValueError, match=r"^a source's values cannot be empty$"):
        CountingSource(3, values=[])


class Incomparable:
    def __eq__(self, other: object) -> bool:
        raise TypeError("no comparing")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "Incomparable()"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([[0]], "sink([0]) when item 0 ([0]) was due: an object equal to an item but not it (a copy?)"),
        ([Incomparable()], "sink(Incomparable()) when item 0 ([0]) was due: not an item pulled from the source"),
        (["x"], "sink('x') when item 0 ([0]) was due: not an item pulled from the source"),
        (["ITEM", "ITEM"], "sink([0]) is item 2, but item 1 (None) was due: item 1 was skipped or is late"),
        (["ITEM", None, None], "sink(None) delivers item 1 a second time; item 2 ([0]) was due"),
        ([None], "sink(None) is item 1, but item 0 ([0]) was due: item 0 was skipped or is late"),
    ],
)
def test_the_sink_names_what_is_wrong_with_a_drawn_value(given: list[object], message: str) -> None:
    item = [0]
    source = CountingSource(3, values=[item, None])
    list(source)
    sink = RecordingSink(source)
    *before, last = [item if isinstance(value, str) and value == "ITEM" else value for value in given]
    for value in before:
        sink(value)
    with pytest.raises(Stopped):
        sink(last)
    assert (source.violated, source.violation) == ("P1", message)


def test_accounted_checks_every_pulled_item_off_once() -> None:
    item = [0]
    source = CountingSource(4, values=[item, None])
    list(source)
    sink = RecordingSink(source, fail_at=1)
    sink(item)
    with pytest.raises(SinkFailure):
        sink(None)
    assert accounted(source, sink, [item, None, "not an item"])
    assert unaccounted(source, sink, [item]) == ([3], [])
    assert unaccounted(source, sink, [item, None, None]) == ([], [1])
    assert not accounted(source, sink, [[0], None])  # a copy is not the item


def test_pools_build_fresh_objects_and_spell_them_for_a_snippet() -> None:
    pool = Pool(("int('1' * 25)", "int('1' * 25)", "-0.0", "-0.0", "[0]"))
    built = pool.build()
    assert built[0] == built[1]
    assert built[0] is not built[1]
    assert built[4] == [0]
    assert built[4] is not pool.build()[4]
    assert str(pool) == "[int('1' * 25), int('1' * 25), -0.0, -0.0, [0]]"
    snippet = eval(str(pool))  # the snippet builds the same identities
    assert snippet[0] is not snippet[1]
    assert snippet[2] is snippet[3]
    assert all(spelling in SPELLINGS for spelling in pool.spellings)
    for wrong in ((), ("os.system('x')",)):
        with pytest.raises(ValueError, match=r"^a pool needs entries of SPELLINGS"):
            Pool(wrong)


@given(data=st.data(), least=st.integers(0, 5), span=st.integers(0, 5000), long=st.booleans())
def test_sizes_stay_in_range_and_long_ones_are_long(data: st.DataObject, least: int, span: int, long: bool) -> None:
    size = data.draw(sizes(least, least + span, long=long))
    assert least <= size <= least + span
    if long and span >= 127:
        assert size >= least + 127


def test_edge_sizes_are_powers_of_two_their_neighbours_and_round_bounds() -> None:
    assert edge_sizes(0, 70) == (1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 41, 63, 64, 65)
    assert edge_sizes(1000, 1024) == (1000, 1001, 1023, 1024)
    assert edge_sizes(5000, 6000) == ()


@given(pool=pools())
def test_drawn_pools_are_short(pool: Pool) -> None:
    assert 1 <= len(pool.spellings) <= 4


def test_the_source_stops_a_run_that_pulls_too_far_ahead() -> None:
    source = CountingSource(None)
    RecordingBuffer(maxlen=2, source=source)
    assert list(islice(source, 3)) == [0, 1, 2]
    with pytest.raises(Stopped, match=r"^P3: next\(source\) would pull item 3 while 3 items pulled are not yet"):
        next(source)
    assert source.violated == "P3"
    assert source.violation == (
        "next(source) would pull item 3 while 3 items pulled are not yet delivered; at most maxlen + 1 = 3 may be"
    )
    with pytest.raises(Stopped):
        next(source)  # and every later call, too
    assert issubclass(Stopped, BaseException)
    assert not issubclass(Stopped, Exception)


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (lambda b: b.append(9), "buffer.append(9) on a full buffer (maxlen 2): a deque silently discards 'left'"),
        (
            lambda b: b.appendleft(9),
            "buffer.appendleft(9) on a full buffer (maxlen 2): a deque silently discards 'right'",
        ),
        (lambda b: b.extend([9]), "buffer.append(9) on a full buffer (maxlen 2): a deque silently discards 'left'"),
        (lambda b: b.extendleft([9]), "buffer.appendleft(9) on a full buffer (maxlen 2): a deque silently discards"),
        (lambda b: b.__iadd__([9]), "buffer.append(9) on a full buffer (maxlen 2): a deque silently discards 'left'"),
    ],
)
def test_the_buffer_stops_an_add_to_a_full_buffer(add: Callable[[RecordingBuffer], object], message: str) -> None:
    source = CountingSource(3)
    buffer = RecordingBuffer(["left", "right"], maxlen=2, source=source)
    with pytest.raises(Stopped):
        add(buffer)
    assert source.violated == "P2"
    assert source.violation is not None
    assert source.violation.startswith(message)
    assert list(buffer) == ["left", "right"]
    with pytest.raises(Stopped):
        buffer.insert(0, 1)


def test_the_buffer_counts_adds_and_stays_a_deque() -> None:
    source = CountingSource(3)
    buffer = RecordingBuffer(maxlen=8, source=source)
    buffer.extend([1])
    buffer.extendleft([0])
    buffer += [2]
    buffer.extend(buffer)  # extending with itself, as deque allows
    buffer.insert(0, "x")
    assert list(buffer) == ["x", 0, 1, 2, 0, 1, 2]
    assert buffer.adds == 7
    copy = buffer.copy()  # deque makes copies by calling the class: a plain deque is what it gets
    assert type(copy) is RecordingBuffer
    assert copy.source is None
    copy.append(3)
    copy.append(4)  # full, unchecked: discards "x" as a deque does
    assert list(copy) == [0, 1, 2, 0, 1, 2, 3, 4]
    copy.pop()
    copy.insert(0, "y")
    assert (copy.adds, source.violation) == (0, None)
    with pytest.raises(ValueError, match=r"^a recording buffer needs maxlen >= 1, got 0$"):
        RecordingBuffer(maxlen=0, source=source)


def test_the_sink_checks_order_and_fails_once_when_told() -> None:
    source = CountingSource(5)
    sink = RecordingSink(source, fail_at=1)
    assert repr(sink) == "RecordingSink(source, fail_at=1)"
    assert repr(RecordingSink(source)) == "RecordingSink(source)"
    next(source), next(source)
    sink(0)
    with pytest.raises(SinkFailure, match=r"^the sink failed on item 1$") as raised:
        sink(1)
    assert raised.value is sink.error
    assert (sink.items, sink.raised, source.delivered) == ([0], True, 2)
    with pytest.raises(Stopped):
        sink(2)
    assert source.violated == "P5"
    assert source.violation == "sink(2) was called after the sink raised on item 1"
    with pytest.raises(ValueError, match=r"^fail_at must be an item \(>= 0\), got -1$"):
        RecordingSink(source, fail_at=-1)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([0, 0], "sink(0) delivers item 0 a second time"),
        ([1], "sink(1) before item 0: item 0 was skipped or is late"),
        ([0, 7], "sink(7): not an item pulled from the source (it has yielded 0 to 2)"),
        (["0"], "sink('0'): not an item pulled from the source (it has yielded 0 to 2)"),
        ([True], "sink(True): not an item pulled from the source (it has yielded 0 to 2)"),
    ],
)
def test_the_sink_names_what_is_wrong_with_an_item(given: list[object], message: str) -> None:
    source = CountingSource(3)
    list(source)
    sink = RecordingSink(source)
    *before, last = given
    for item in before:
        sink(item)
    with pytest.raises(Stopped):
        sink(last)
    assert (source.violated, source.violation) == ("P1", message)


def test_outcome_returns_what_run_raised_but_lets_the_oracles_signals_through() -> None:
    source = CountingSource(0)
    buffer = RecordingBuffer(maxlen=1, source=source)
    sink = RecordingSink(source)
    assert outcome(coordinator, source, buffer, sink) is None
    error = SystemExit(3)

    def raises(exc: BaseException) -> Callable[..., None]:
        def run(*args: object) -> None:
            raise exc

        return run

    assert outcome(raises(error), source, buffer, sink) is error
    interrupt = KeyboardInterrupt()  # the target's own
    assert outcome(raises(interrupt), source, buffer, sink) is interrupt
    with pytest.raises(TargetHung):
        outcome(raises(TargetHung(1)), source, buffer, sink)


# -- the cases -----------------------------------------------------------------------------------


def test_cases_describe_themselves() -> None:
    assert str(Case(2, 3)) == "3 items, maxlen 2"
    assert str(Case(2, 1, source_fails=True)) == "1 item then a source failure, maxlen 2"
    assert str(Case(3, None, sink_fails_at=4)) == "an endless source, maxlen 3, the sink failing on item 4"
    drawn = Case(2, 5, source_fails=True, values=Pool(("None", "[0]")))
    assert str(drawn) == "5 items cycling through [None, [0]] then a source failure, maxlen 2"
    assert drawn.source == "CountingSource(5, fail=True, values=[None, [0]])"
    assert Case(2, None, sink_fails_at=1).source == "CountingSource(None)"
    assert Case(1, 0).edge == "an empty source and maxlen 1"
    assert Case(2, 4).edge == "4 items, a multiple of maxlen"
    assert Case(1, 3).edge == "maxlen 1"
    assert Case(1, None, sink_fails_at=0).edge == "maxlen 1"
    assert Case(2, 3).edge == ""
    assert Case(2, None, sink_fails_at=0).edge == ""


@given(case=cases())
def test_neighbours_are_not_edge_sizes_and_not_smaller(case: Case) -> None:
    neighbours = case.neighbours()
    assert neighbours
    assert len(set(neighbours)) == len(neighbours)
    for other in neighbours:
        assert not other.edge
        assert other.maxlen >= case.maxlen
        assert other.source_fails == case.source_fails
        if case.items is not None:
            assert other.items is not None
            assert other.items >= case.items
            assert other.items - other.maxlen >= case.items - case.maxlen
        if case.sink_fails_at is not None:
            assert other.sink_fails_at is not None
            assert other.sink_fails_at >= case.sink_fails_at
    for plain in case.uninjected():
        assert not plain.injected
        assert plain.maxlen == case.maxlen


# -- the judge: attribution, reports, snippets -------------------------------------------------


def judge(target: Callable[..., object], case: Case) -> ClauseViolation | None:
    with Deadline(None) as deadline:
        binding = Binding(factory=target, ref=ref_for(target), deadline=deadline)
        try:
            _Run(binding, case, settle=True).check()
        except ClauseViolation as violation:
            return violation
    return None


def test_a_failure_at_an_edge_size_that_nearby_sizes_share_keeps_its_clause() -> None:
    found = judge(pops_the_wrong_end, Case(2, 2))
    assert found is not None
    assert found.violation.clause.id == "P1"


def test_a_failure_only_an_edge_size_shows_breaks_the_edge_clause() -> None:
    found = judge(primes_with_next, Case(1, 0))
    assert found is not None
    violation = found.violation
    assert violation.clause.id == "P7"
    assert (
        violation.message
        == "run raised StopIteration (at an empty source and maxlen 1; nearby sizes hold, e.g. 1 item, maxlen 2)"
    )
    assert violation.program[-1] == "assert raised is None, 'P7 (edge sizes): run raised ' + repr(raised)"


def test_pulling_ahead_only_with_drawn_values_is_an_item_dropped() -> None:
    found = judge(skips_a_repeated_item, Case(2, 6, values=Pool(("0",))))
    assert found is not None
    violation = found.violation
    assert violation.clause.id == "P1"
    assert violation.message.endswith(
        "; with the items 0, 1, 2, ... instead it holds (6 items, maxlen 2): the items not delivered were dropped"
    )
    assert "P1 (exactly once)" in violation.program[-1]
    assert isinstance(replay_violation(violation), AssertionError)
    # A target that pulls too far ahead whatever the items keeps the bounded clause.
    held = judge(reads_the_source_first, Case(2, 6, values=Pool(("0",))))
    assert held is not None
    assert held.violation.clause.id == "P3"


def test_a_failure_handling_violation_gives_way_to_a_plainer_one() -> None:
    found = judge(skips_the_first_item, Case(2, 1, source_fails=True))
    assert found is not None
    assert found.violation.clause.id == "P1"
    assert "source = CountingSource(1)" in found.violation.program


def wraps_sink_errors(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    try:
        coordinator(source, buffer, sink)
    except SinkFailure as exc:
        raise RuntimeError("wrapped") from exc


def puts_the_failed_item_back(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    def put_back(item: int) -> None:
        try:
            sink(item)
        except SinkFailure:
            buffer.append(item)
            raise

    coordinator(source, buffer, put_back)


def swallows_source_errors(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    with suppress(SourceFailure):
        coordinator(source, buffer, sink)


def stops_after_five(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    coordinator(islice(source, 5), buffer, sink)


def catches_everything(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    try:
        for item in source:
            buffer.append(item)
            buffer.append(item)
    except BaseException:
        return


@pytest.mark.parametrize(
    ("target", "case", "clause", "message"),
    [
        (
            wraps_sink_errors,
            Case(2, 3, sink_fails_at=1),
            "P5",
            "the sink raised on item 1, but run raised RuntimeError: wrapped, chained to it instead of raising that "
            "exception",
        ),
        (
            puts_the_failed_item_back,
            Case(2, 3, sink_fails_at=1),
            "P5",
            "item(s) 1 are in the buffer more than once, or after delivery",
        ),
        (
            swallows_source_errors,
            Case(2, 3, source_fails=True),
            "P6",
            "the source raised after 3 items, but run returned normally instead of raising that exception",
        ),
        (
            stops_after_five,
            Case(2, None, sink_fails_at=7),
            "P4",
            "run returned before the source was exhausted: it pulled 5 of an endless source's items",
        ),
        (
            stops_after_five,
            Case(2, 5),
            "P4",
            "run returned before the source was exhausted: it pulled 5 of the source's 5 items; next(source) never "
            "raised StopIteration",
        ),
        (
            catches_everything,
            Case(2, 3),
            "P2",
            "buffer.append(1) on a full buffer (maxlen 2): a deque silently discards 0",
        ),
    ],
)
def test_violations_name_the_clause_and_replay(
    target: Callable[..., object], case: Case, clause: str, message: str
) -> None:
    found = judge(target, case)
    assert found is not None
    assert (found.violation.clause.id, found.violation.message) == (clause, message)
    assert isinstance(replay_violation(found.violation), AssertionError)


def test_a_wrong_exception_is_reported_with_its_traceback() -> None:
    def raises_on_source_failure(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
        try:
            for item in source:
                sink(item)
        except SourceFailure:
            raise LookupError("not the source's") from None

    found = judge(raises_on_source_failure, Case(2, 3, source_fails=True))
    assert found is not None
    assert found.violation.clause.id == "P6"
    assert found.violation.actual == "LookupError: not the source's"
    assert "raise LookupError" in found.violation.detail


GRID = [
    *(Case(maxlen, items) for maxlen in (1, 2, 3) for items in (0, 1, 2, 3, 4, 5, 7)),
    *(Case(maxlen, items, sink_fails_at=at) for maxlen in (1, 3) for items in (1, 4, 6) for at in (0, items - 1)),
    *(Case(maxlen, items, source_fails=True) for maxlen in (1, 3) for items in (0, 2, 3, 4)),
    *(Case(maxlen, None, sink_fails_at=at) for maxlen in (1, 3) for at in (0, 5)),
    # Values: repeats, None, an unhashable and a mutable item, equal but distinct objects.
    *(
        Case(maxlen, items, values=Pool(pool))
        for maxlen in (1, 3)
        for items in (2, 7)
        for pool in (("0",), ("None", "1"), ("[0]", "{}"), ("int('1' * 25)", "int('1' * 25)", "1", "True"))
    ),
    Case(3, 6, sink_fails_at=4, values=Pool(("None", "0"))),
    # Long runs: many turns, maxlen past 64, a thousand items and more.
    Case(1, 100),
    Case(100, 150),
    Case(4, 1500),
]
QUICK_ENTRIES = [entry for entry in catalogue("pipeline") if entry.timeout is None]


@pytest.mark.parametrize("entry", QUICK_ENTRIES, ids=lambda entry: entry.name)
def test_known_bad_pipelines_break_only_their_own_clause_on_a_grid(entry: KnownBad) -> None:
    target = load_target(entry.target)
    assert callable(target)
    verdicts = {case: judge(target, case) for case in GRID}
    broken = {case: found.violation.clause.id for case, found in verdicts.items() if found is not None}
    assert broken, f"{entry.name} passes every case of the grid"
    assert set(broken.values()) == {entry.breaks}, broken


def test_the_reference_and_the_seed_hold_on_the_grid() -> None:
    for target in (coordinator, seed.coordinator):
        assert [case for case in GRID if judge(target, case) is not None] == []


def test_the_report_of_a_known_bad_pipeline() -> None:
    report = spec.check("pipeline", "spec.known_bad.pipeline:one_item_per_turn", seed=0)
    assert report.violation is not None
    assert report.violation.clause == CLAUSES["P4"]
    assert report.snippet.startswith(
        "from spec.pipeline import CountingSource, RecordingBuffer, RecordingSink, accounted, outcome\n"
        "from spec.known_bad.pipeline import one_item_per_turn\n"
        "source = CountingSource("
    )
    assert isinstance(replay(report), AssertionError)


class NoSignature:
    __signature__ = "not a signature"

    def __call__(self, *args: object) -> None:
        coordinator(*args)  # type: ignore[arg-type]


def generator_run(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> Iterator[None]:
    yield


async def coroutine_run(source: Iterator[int], buffer: deque[int], sink: Callable[[int], object]) -> None:
    pass


async def async_generator_run(source: object, buffer: object, sink: object) -> AsyncIterator[None]:
    yield


def two_arguments(source: object, sink: object) -> None:
    pass


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (42, r"^a pipeline target must be a callable run\(source, buffer, sink\), got 42$"),
        (generator_run, r"^generator_run is a generator function: calling it runs nothing; the target is the"),
        (coroutine_run, r"^coroutine_run is a coroutine function: calling it runs nothing"),
        (async_generator_run, r"^async_generator_run is an async generator function: calling it runs nothing"),
        (
            two_arguments,
            r"^two_arguments\(source: 'object', sink: 'object'\) cannot be called as run\(source, buffer, sink\): "
            r"too many positional arguments$",
        ),
    ],
)
def test_targets_of_the_wrong_shape(target: object, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        spec.check("pipeline", target)


def test_a_callable_without_a_signature_is_tried_as_it_is() -> None:
    assert spec.check("pipeline", NoSignature(), max_examples=10).ok


def test_the_contract_test_case_reports_the_broken_clause() -> None:
    class Broken(PipelineContract):
        factory = pops_the_wrong_end
        seed = 0

    result = unittest.TestResult()
    Broken("test_contract").run(result)
    assert len(result.failures) == 1
    assert "P1 (exactly once)" in result.failures[0][1]


def test_clauses_and_contract() -> None:
    assert [c.id for c in CLAUSES] == [f"P{n}" for n in range(1, 9)]
    assert CONTRACT.references == ("impl.pipeline:coordinator",)


# -- --items ------------------------------------------------------------------------


def test_a_source_writes_its_items_in_a_kind_and_reads_them_back() -> None:
    source = CountingSource(3, kind="bytes")
    assert repr(source) == "CountingSource(3, kind='bytes')"
    assert list(source) == [b"0", b"1", b"2"]
    assert [source.item(n) for n in range(2)] == [b"0", b"1"]
    assert [source.positions(item) for item in (b"2", b"3", "2", 2)] == [[2], [], [], []]
    with pytest.raises(ValueError, match=r"^unknown kind of item 'list' \(known: any, int"):
        CountingSource(1, kind="list")


def test_a_source_of_a_kind_of_plain_values_tells_its_pool_apart_by_value() -> None:
    big = [int("1" * 25), int("1" * 25)]
    by_value = CountingSource(2, values=big, kind="int")
    by_identity = CountingSource(2, values=big)
    assert repr(by_value) == f"CountingSource(2, values={big!r}, kind='int')"
    list(by_value), list(by_identity)
    copy = int("1" * 25)
    assert by_value.positions(copy) == [0, 1]  # an equal int stands for either
    assert by_identity.positions(copy) == []  # by default only the object itself does
    assert by_identity.positions(big[1]) == [1]
    floats = CountingSource(3, values=[float("nan"), -0.0], kind="float")
    list(floats)
    assert floats.positions(float("nan")) == [0, 2]  # every NaN is one value
    assert floats.positions(0.0) == []  # 0.0 is not -0.0


def test_a_sink_names_what_is_not_an_item_of_the_source() -> None:
    source = CountingSource(2, kind="str")
    sink = RecordingSink(source)
    with pytest.raises(spec.pipeline.Stopped):
        sink("0")
    assert source.violation == "sink('0'): not an item pulled from the source (it has yielded nothing)"
    source = CountingSource(2, kind="str")
    next(source)
    with pytest.raises(spec.pipeline.Stopped):
        RecordingSink(source)(0)
    assert source.violation == "sink(0): not an item pulled from the source (it has yielded '0' to '0')"


@pytest.mark.parametrize("kind", ["str", "bytes", "float"])
def test_the_pipeline_contract_in_every_kind(kind: str) -> None:
    assert spec.check("pipeline", coordinator, seed=0, max_examples=30, items=kind).ok


@given(data=st.data(), kind=st.sampled_from(["bytes", "str", "int", "float", "hashable"]))
def test_cases_of_a_kind_yield_only_values_of_it(data: st.DataObject, kind: str) -> None:
    case = data.draw(cases(kind))
    assert case.kind == kind
    assert all(other.kind == kind for other in (*case.neighbours(), *case.uninjected()))
    values = None if case.values is None else case.values.build()
    source = CountingSource(min(case.items or 0, 20), values=values, kind=kind)
    wanted = {"bytes": bytes, "str": str, "int": int, "float": float}.get(kind, object)
    assert all(isinstance(item, wanted) for item in source)
    if kind == "hashable":
        assert all(hash(item) is not None for item in CountingSource(8, values=values, kind=kind))


# Bugs that only a value outside the kind shows: None, an unhashable item, a copy that is another object.
OUT_OF_REACH_OF_BYTES = {
    "takes_none_for_an_empty_buffer",
    "ends_at_a_none_item",
    "copies_each_item",
    "tracks_items_in_a_set",
}


@pytest.mark.parametrize("entry", catalogue("pipeline"), ids=lambda entry: entry.name)
def test_the_known_bad_pipelines_in_bytes(entry: KnownBad) -> None:
    report = spec.check("pipeline", entry.target, seed=0, items="bytes", timeout=entry.timeout)
    if entry.name in OUT_OF_REACH_OF_BYTES:
        assert report.ok, report.format()  # no None and no list is sent, and a copy of bytes is equal
        return
    assert report.violation is not None, entry.target
    assert report.violation.clause.id == entry.breaks, report.format()
    assert "kind='bytes'" in report.snippet
    if entry.timeout is None:  # a snippet that hangs is not replayed
        assert isinstance(replay(report), AssertionError), report.snippet
