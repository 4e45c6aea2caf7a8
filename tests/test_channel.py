"""The reference channel (impl.channel) and the channel contract (spec.channel)."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Generator
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import spec
from impl.channel import Channel, ChannelClosed, scheduler_and_channels
from impl.scheduler import Deadlock, Request, Scheduler, WaitQueue
from spec import ClauseViolation, TargetError, Violation, load_target
from spec._core.checker import Binding, HungViolation
from spec._core.deadline import Deadline
from spec._core.target import ref_for
from spec.channel import ChannelContract, _check_program
from spec.channel.plan import ChannelProgram, channel_programs, render_items
from spec.known_bad import KnownBad, catalogue
from spec.pipeline import KIND_SPELLINGS, Pool
from tests._support import replay_violation

Gen = Generator[Any, Any, Any]


def producer(ch: Channel[str], name: str, n: int, log: list[str], pause: bool = False) -> Gen:
    for k in range(n):
        yield from ch.put(f"{name}{k}")
        log.append(f"put {name}{k}")
        if pause:
            yield


def consumer(ch: Channel[str], name: str, got: list[str], log: list[str]) -> Gen:
    while True:
        try:
            item = yield from ch.get()
        except ChannelClosed:
            log.append(f"{name} ends")
            return
        got.append(item)
        log.append(f"{name} got {item}")


# -- the reference channel -----------------------------------------------------


def test_one_producer_one_consumer_hand_off_in_order() -> None:
    s, ch = Scheduler(), Channel[str](2)
    got: list[str] = []
    log: list[str] = []

    def closing() -> Gen:
        yield from producer(ch, "p", 5, log)
        ch.close()

    s.spawn(closing())
    s.spawn(consumer(ch, "c", got, log))
    s.run()
    assert got == ["p0", "p1", "p2", "p3", "p4"]
    assert log == [
        "put p0", "put p1",
        "c got p0", "c got p1",
        "put p2", "put p3",
        "c got p2", "c got p3",
        "put p4",
        "c got p4", "c ends",
    ]  # fmt: skip


@given(
    capacity=st.integers(1, 4),
    puts=st.lists(st.integers(0, 6), min_size=1, max_size=3),
    consumers=st.integers(1, 3),
    pauses=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_many_producers_many_consumers(capacity: int, puts: list[int], consumers: int, pauses: list[bool]) -> None:
    s, ch = Scheduler(), Channel[str](capacity)
    got: list[str] = []
    log: list[str] = []
    left = [len(puts)]

    def closing(name: str, n: int, pause: bool) -> Gen:
        yield from producer(ch, name, n, log, pause)
        left[0] -= 1
        if not left[0]:
            ch.close()
        ch._check()

    for index in range(consumers):
        s.spawn(consumer(ch, "cde"[index], got, log))
    for index, n in enumerate(puts):
        s.spawn(closing("pqr"[index], n, pauses[index]))
    s.run()
    ch._check()
    assert sorted(got) == sorted(f"{'pqr'[i]}{k}" for i, n in enumerate(puts) for k in range(n))
    for index in range(len(puts)):
        mine = [item for item in got if item[0] == "pqr"[index]]
        assert mine == sorted(mine, key=lambda item: int(item[1:]))
    assert len(ch) == 0


def test_capacity_must_be_a_positive_int() -> None:
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match=r"^capacity must be a positive int, got "):
            Channel(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^capacity must be a positive int, got 0$"):
        Channel(0)


def test_closing_lets_consumers_drain_then_end() -> None:
    assert Channel[int](3).closed is False
    ch = Channel[int](3)
    s = Scheduler()
    got: list[int] = []
    messages: list[str] = []

    def fill_and_close() -> Gen:
        for item in (1, 2):
            yield from ch.put(item)
        ch.close()
        ch.close()  # closing twice is allowed
        try:
            yield from ch.put(3)
        except ChannelClosed as exc:
            got.append(-1)
            messages.append(str(exc))

    def drain() -> Gen:
        while True:
            try:
                got.append((yield from ch.get()))
            except ChannelClosed as exc:
                messages.append(str(exc))
                return

    s.spawn(fill_and_close())
    s.spawn(drain())
    s.run()
    assert got == [-1, 1, 2]
    assert messages == ["put() on a closed channel", "get() on a closed and empty channel"]
    assert ch.closed
    assert ch.capacity == 3
    assert repr(ch) == "<Channel closed [] capacity=3>"
    assert issubclass(ChannelClosed, EOFError)


def test_a_producer_waiting_when_the_channel_closes_is_told() -> None:
    ch = Channel[str](1)
    s = Scheduler()
    outcome: list[str] = []

    def blocked() -> Gen:
        yield from ch.put("a")
        try:
            yield from ch.put("b")
        except ChannelClosed:
            outcome.append("b refused")

    def closer() -> Gen:
        yield
        assert repr(ch) == "<Channel open ['a'] capacity=1>"
        ch.close()

    s.spawn(blocked())
    s.spawn(closer())
    s.run()
    assert outcome == ["b refused"]
    assert len(ch) == 1


def test_a_woken_task_rechecks_what_it_waited_for() -> None:
    # c waits on the empty channel; p puts and wakes c, but d, already
    # running, takes the item first: c must wait again, not fail.
    ch = Channel[str](1)
    s = Scheduler()
    got: list[str] = []
    log: list[str] = []
    s.spawn(consumer(ch, "c", got, log))

    def p() -> Gen:
        yield from ch.put("x")
        yield
        yield
        yield from ch.put("y")
        ch.close()

    def d() -> Gen:
        got.append((yield from ch.get()))
        log.append("d got")

    s.spawn(p())
    s.spawn(d())
    s.run()
    assert sorted(got) == ["x", "y"]
    assert log[-1] == "c ends"


def test_a_producer_woken_for_a_slot_another_filled_waits_again() -> None:
    ch = Channel[str](1)
    s = Scheduler()
    got: list[str] = []

    def waiting_producer() -> Gen:
        yield from ch.put("a")
        yield from ch.put("b")  # waits: full

    def other_producer() -> Gen:
        yield
        yield from ch.put("c")  # takes the slot the consumer just freed

    def taker() -> Gen:
        yield
        got.append((yield from ch.get()))  # frees a slot, wakes waiting_producer
        yield
        yield
        while len(got) < 3:
            got.append((yield from ch.get()))

    s.spawn(waiting_producer())
    s.spawn(taker())
    s.spawn(other_producer())
    s.run()
    assert got == ["a", "c", "b"]


def test_a_consumer_on_a_channel_nobody_closes_is_a_deadlock() -> None:
    s, make_channel = scheduler_and_channels()
    ch = make_channel(1)
    got: list[str] = []
    s.spawn(consumer(ch, "c", got, []))  # type: ignore[arg-type]
    with pytest.raises(ExceptionGroup) as info:
        s.run()
    assert isinstance(info.value.exceptions[0], Deadlock)
    # The dead task stays in the channel's line until a wake skips it.
    assert len(ch._getters.waiting) == 1
    s2 = Scheduler()

    def put_one() -> Gen:
        yield from ch.put("late")

    s2.spawn(put_one())
    s2.run()
    assert len(ch._getters.waiting) == 0
    assert len(ch) == 1


def test_the_target_shape() -> None:
    s, make_channel = scheduler_and_channels()
    assert isinstance(s, Scheduler)
    assert make_channel is Channel


# -- the contract ---------------------------------------------------------------


class TestReferenceChannel(ChannelContract):
    factory = scheduler_and_channels


def test_programs_print_short() -> None:
    program = ChannelProgram(2, (3, 0), 1, ("c", "p", "q"), frozenset("qp"))
    assert repr(program) == "ChannelProgram(capacity=2, puts=(3, 0), consumers=1, order='cpq', pauses='pq')"
    assert program.build() == {"p": ["p0", "p1", "p2"], "q": []}
    drawn = ChannelProgram(2, (3, 7), 1, ("p", "q", "c"), values=Pool(("[0]", "None")))
    assert repr(drawn).endswith("order='pqc', values=Pool(spellings=('[0]', 'None')))")
    built = drawn.build()
    assert built["p"] == [[0], None, [0]]
    assert built["p"][0] is built["p"][2]  # the pool cycles: the same object again
    assert built["p"][0] is not drawn.build()["p"][0]  # each run builds its own
    assert render_items(drawn) == (
        "p_values = [[0], None]",
        "items = {'p': [p_values[k % 2] for k in range(3)], 'q': [f'q{k}' for k in range(7)]}",
    )


def _no_make_channel() -> tuple[Scheduler, int]:
    return Scheduler(), 5


def _bare_channel() -> tuple[Scheduler, Callable[[int], object]]:
    return Scheduler(), lambda capacity: object()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (42, "a channel target must be a zero-argument callable, got 42"),
        (Scheduler, "calling Scheduler() raised TypeError: expected a pair (scheduler, make_channel), got <Scheduler"),
        (_no_make_channel, "_no_make_channel() returned a pair without a callable make_channel (a channel target"),
        (
            _bare_channel,
            "_bare_channel() returned a pair without channel.put, channel.get, channel.close (a channel target",
        ),
        (lambda: (deque(), Channel), "<lambda>() returned a pair without scheduler.spawn, scheduler.run"),
    ],
)
def test_targets_of_the_wrong_shape_are_refused(target: object, message: str) -> None:
    with pytest.raises(TargetError) as info:
        spec.check("channel", target)
    assert str(info.value).startswith(message)


def test_a_target_that_hangs_when_made_is_refused() -> None:
    def forever() -> None:
        while True:
            pass

    with pytest.raises(TargetError, match=r"^calling .*forever\(\) did not return within 0.1 s$"):
        spec.check("channel", forever, timeout=0.1)


# Channels and schedulers wrong in ways the catalogue does not cover, each on one program.


class _Plain(Channel[Any]):
    """The reference channel, open to small changes."""


class PutReturnsNone(_Plain):
    def put(self, item: Any) -> Any:
        return None


class CloseRaises(_Plain):
    def close(self) -> None:
        raise OSError("cannot close")


class GetRaises(_Plain):
    def get(self) -> Any:
        raise LookupError("nothing")


class GetsNone(_Plain):
    def get(self) -> Any:
        yield from super().get()
        return None


class Incomparable:
    def __eq__(self, other: object) -> bool:
        raise TypeError("no comparing")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "Incomparable()"


class GetsAStranger(_Plain):
    def get(self) -> Any:
        yield from super().get()
        return Incomparable()


class RefusesPutsOnceAnyIsClosed(_Plain):
    """A flag on the class, reset by each new channel: closing one refuses puts into all."""

    shut: ClassVar[bool] = False

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        RefusesPutsOnceAnyIsClosed.shut = False

    def close(self) -> None:
        RefusesPutsOnceAnyIsClosed.shut = True
        super().close()

    def put(self, item: Any) -> Any:
        if RefusesPutsOnceAnyIsClosed.shut:
            raise ChannelClosed("shut")
        return super().put(item)


class GetsTwice(_Plain):
    def get(self) -> Any:
        while not self._items:
            if self._closed:
                raise ChannelClosed("done")
            yield self._getters.wait()
        item = self._items[0]
        self._seen = getattr(self, "_seen", 0) + 1
        if self._seen % 2 == 0:
            self._items.popleft()
        return item


class EndsEarly(_Plain):
    """get() raises EOFError on an empty channel, closed or not."""

    def get(self) -> Any:
        if not self._items:
            raise ChannelClosed("empty")
        return (yield from super().get())


class _Quiet(Scheduler):
    """Returns from run() quietly when only waiting tasks are left (no deadlock error)."""

    def run(self) -> None:
        try:
            super().run()
        except ExceptionGroup as group:
            if not all(isinstance(e, Deadlock) for e in group.exceptions):
                raise


class _Spins(Scheduler):
    """Busy-waits forever when only waiting tasks are left."""

    def run(self) -> None:
        try:
            super().run()
        except ExceptionGroup:
            while True:
                pass


def put_returns_none() -> Any:
    return Scheduler(), PutReturnsNone


def close_raises() -> Any:
    return Scheduler(), CloseRaises


def get_raises() -> Any:
    return Scheduler(), GetRaises


def gets_none() -> Any:
    return Scheduler(), GetsNone


def gets_a_stranger() -> Any:
    return Scheduler(), GetsAStranger


def refuses_puts_once_any_is_closed() -> Any:
    return Scheduler(), RefusesPutsOnceAnyIsClosed


def gets_twice() -> Any:
    return Scheduler(), GetsTwice


def ends_early() -> Any:
    return Scheduler(), EndsEarly


def judge(factory: Callable[[], Any], program: ChannelProgram, timeout: float | None = None) -> Violation | None:
    with Deadline(timeout) as deadline:
        binding = Binding(factory=factory, ref=ref_for(factory), deadline=deadline)
        try:
            _check_program(binding, program)
        except (ClauseViolation, HungViolation) as exc:
            return exc.violation
    return None


ONE_ITEM = ChannelProgram(1, (1,), 1, ("p", "c"))
TWO_ITEMS = ChannelProgram(2, (2,), 1, ("p", "c"))
CONSUMER_FIRST = ChannelProgram(1, (1,), 2, ("c", "p", "d"))


@pytest.mark.parametrize(
    ("factory", "program", "clause", "message"),
    [
        (put_returns_none, ONE_ITEM, "CH5", "ch.put('p0') in p raised TypeError: 'NoneType' object is not iterable"),
        (close_raises, ONE_ITEM, "CH5", "ch.close() in p raised OSError: cannot close"),
        (get_raises, ONE_ITEM, "CH5", "ch.get() in c raised LookupError: nothing"),
        (gets_none, ONE_ITEM, "CH1", "a consumer got None, which no producer put"),
        (gets_twice, TWO_ITEMS, "CH1", "'p0' was got 2 times"),
        (gets_a_stranger, ONE_ITEM, "CH1", "a consumer got Incomparable(), which no producer put"),
        (
            refuses_puts_once_any_is_closed,
            ONE_ITEM,
            "CH6",
            "b.put() on the open channel b raised EOFError once a was closed",
        ),
        (ends_early, CONSUMER_FIRST, "CH4", "ch.get() in c raised EOFError before the channel was closed"),
    ],
)
def test_rarer_faults_are_judged_by_their_clause(
    factory: Callable[[], Any], program: ChannelProgram, clause: str, message: str
) -> None:
    violation = judge(factory, program)
    assert violation is not None
    assert (violation.clause.id, violation.message) == (clause, message)
    assert replay_violation(violation) is not None, "\n".join(violation.program)


def test_the_reference_passes_the_programs_the_rarer_faults_fail() -> None:
    for program in (ONE_ITEM, TWO_ITEMS, CONSUMER_FIRST):
        assert judge(scheduler_and_channels, program) is None


class NeverCloses(_Plain):
    def close(self) -> None:
        pass


def quiet_never_closes() -> Any:
    return _Quiet(), NeverCloses


def loud_never_closes() -> Any:
    return Scheduler(), NeverCloses


def spins_never_closes() -> Any:
    return _Spins(), NeverCloses


def test_a_consumer_left_waiting_breaks_close() -> None:
    # close() is called but does nothing: the consumer waits forever.
    quiet = judge(quiet_never_closes, ONE_ITEM)
    assert quiet is not None
    assert (quiet.clause.id, quiet.message) == ("CH4", "consumer c did not end")
    assert replay_violation(quiet) is not None
    loud = judge(loud_never_closes, ONE_ITEM)
    assert loud is not None
    assert loud.clause.id == "CH4"
    assert loud.message == "s.run() raised ExceptionGroup: 1 task failed (1 sub-exception)"


def test_a_run_that_hangs_after_close_breaks_close_and_before_it_conduct() -> None:
    after = judge(spins_never_closes, ONE_ITEM, timeout=0.1)
    assert after is not None
    assert (after.clause.id, after.message) == (
        "CH4",
        "s.run() did not return within 0.1 s after the channel was closed",
    )
    assert after.program[-1] == "# does not return within 0.1 s"


class NeverWakes(_Plain):
    """put() never wakes a waiting consumer: the channel is never closed either, since the producer waits."""

    def put(self, item: Any) -> Any:
        while len(self._items) >= self._capacity:
            yield self._putters.wait()
        self._items.append(item)


def test_a_consumer_that_spins_after_close_breaks_close_even_after_getting_items() -> None:
    violation = judge(load_target("spec.known_bad.channel:SpinsWhenEmpty"), ONE_ITEM, timeout=0.1)  # type: ignore[arg-type]
    assert violation is not None
    assert (violation.clause.id, violation.message) == (
        "CH4",
        "s.run() did not return within 0.1 s after the channel was closed",
    )


def test_a_run_that_hangs_before_close_breaks_conduct() -> None:
    program = ChannelProgram(1, (2,), 1, ("c", "p"))
    before = judge(lambda: (_Spins(), NeverWakes), program, timeout=0.1)
    assert before is not None
    assert (before.clause.id, before.message) == ("CH5", "s.run() did not return within 0.1 s")
    never = judge(lambda: (_Quiet(), NeverWakes), program)
    assert never is not None
    assert (never.clause.id, never.message) == ("CH1", "'p0' was never got")
    loud = judge(lambda: (Scheduler(), NeverWakes), program)
    assert loud is not None
    assert loud.message == "'p0' was never got (and run() raised ExceptionGroup: 2 tasks failed (2 sub-exceptions))"


class PutWaitsForAnAck(_Plain):
    """put() hands the item over, then waits for an acknowledgement nobody sends."""

    def put(self, item: Any) -> Any:
        yield from super().put(item)
        self._ack = getattr(self, "_ack", WaitQueue())
        yield self._ack.wait()


def test_run_raising_before_close_says_the_channel_was_never_closed() -> None:
    loud = judge(lambda: (Scheduler(), PutWaitsForAnAck), ONE_ITEM)
    assert loud is not None
    assert (loud.clause.id, loud.message) == (
        "CH4",
        "s.run() raised ExceptionGroup: 2 tasks failed (2 sub-exceptions) (the channel was never closed)",
    )
    assert replay_violation(loud) is not None
    quiet = judge(lambda: (_Quiet(), PutWaitsForAnAck), ONE_ITEM)
    assert quiet is not None
    assert (quiet.clause.id, quiet.message) == ("CH4", "consumer c did not end: the channel was never closed")


def test_requests_from_other_kernels_do_not_confuse_the_contract() -> None:
    assert isinstance(Channel[int](1)._getters.wait(), Request)


# -- the independence probe ------------------------------------------------------


@pytest.mark.parametrize(
    ("seen", "message"),
    [
        ([], None),
        (["a.put"], "b.put() on the empty channel b did not return once a held an item"),
        (["a.put", "b.put", ("b.get", "to a")], "b.get() returned 'to a', the item put into a"),
        (["a.put", "b.put", ("b.get", "x"), ("a.get", "to b")], "a.get() returned 'to b', the item put into b"),
        (["a.put", "b.put", ("b.get", "to b"), ("a.get", "to a"), ("raised", EOFError())], None),
        (
            ["a.put", "b.put", ("b.get", "to b"), ("a.get", "to a"), ("b.get, a open", "to b, a open"), "a.close"],
            None,
        ),
        (
            [
                *("a.put", "b.put", ("b.get", "to b"), ("a.get", "to a"), ("b.get, a open", "to b, a open")),
                *("a.close", "b.put raised EOFError after a.close"),
            ],
            "b.put() on the open channel b raised EOFError once a was closed",
        ),
        (
            [
                *("a.put", "b.put", ("b.get", "to b"), ("a.get", "to a"), ("b.get, a open", "to b, a open")),
                *("a.close", "b.get raised EOFError, a closed"),
            ],
            "b.get() on the open channel b raised EOFError once a was closed",
        ),
    ],
)
def test_the_probe_takes_only_cross_talk_for_evidence(seen: list[object], message: str | None) -> None:
    from spec.channel import probe

    own = {"to a": probe._TO_A, "to b": probe._TO_B, "to b, a open": probe._TO_B_OPEN}
    found = probe._evidence([(s[0], own.get(s[1], s[1])) if isinstance(s, tuple) else s for s in seen])
    assert (found and found[0]) == message


class _HoldsOneAcrossChannels(Channel[Any]):
    """Counts the items held by every channel together, against each one's capacity... of one."""

    held: ClassVar[list[object]] = []

    def put(self, item: Any) -> Any:
        while _HoldsOneAcrossChannels.held:
            yield self._putters.wait()
        _HoldsOneAcrossChannels.held.append(item)
        yield from super().put(item)

    def get(self) -> Any:
        item = yield from super().get()
        _HoldsOneAcrossChannels.held.remove(item)
        return item


def test_a_probe_that_hangs_on_another_channel_breaks_independence() -> None:
    # The probe's hung run leaves its item counted: a second run of the suite in
    # the same process (mutmut runs it twice) must start from none.
    _HoldsOneAcrossChannels.held.clear()
    violation = judge(lambda: (_Spins(), _HoldsOneAcrossChannels), ONE_ITEM, timeout=0.1)
    assert violation is not None
    assert (violation.clause.id, violation.message) == (
        "CH6",
        "ps.run() did not return within 0.1 s: b.put() on the empty channel b did not return once a held an item",
    )


def test_a_probe_that_hangs_for_another_reason_leaves_the_program_to_judge() -> None:
    violation = judge(lambda: (_Spins(), NeverWakes), ChannelProgram(1, (2,), 1, ("c", "p")), timeout=0.1)
    assert violation is not None
    assert violation.clause.id == "CH5"


class ClosesForGood(Channel[Any]):
    """close() shuts every channel of the class, for good: later programs start with closed channels."""

    shut: ClassVar[bool] = False

    def close(self) -> None:
        ClosesForGood.shut = True
        super().close()

    def get(self) -> Any:
        if ClosesForGood.shut and not self._items:
            raise ChannelClosed("shut")
        return (yield from super().get())


def closes_for_good() -> tuple[Scheduler, type[ClosesForGood]]:
    return Scheduler(), ClosesForGood


def test_evidence_found_once_is_reported_by_every_later_program_of_the_check() -> None:
    ClosesForGood.shut = False
    report = spec.check("channel", closes_for_good, seed=3)
    assert report.violation is not None
    assert report.violation.clause.id == "CH6"
    assert report.violation.message == "b.get() on the open channel b raised EOFError once a was closed"
    assert report.examples > 1
    ClosesForGood.shut = False  # as in a fresh interpreter: the probe's snippet shows it by itself
    assert isinstance(replay_violation(report.violation), AssertionError)


# -- --items ------------------------------------------------------------------------


def test_programs_put_items_of_the_kind() -> None:
    program = ChannelProgram(capacity=1, puts=(2, 1), consumers=1, order=("p", "q", "c"))
    assert program.build() == {"p": ["p0", "p1"], "q": ["q0"]}
    assert dataclasses.replace(program, kind="bytes").build() == {"p": [b"p0", b"p1"], "q": [b"q0"]}
    assert dataclasses.replace(program, kind="int").build() == {"p": [0, 1], "q": [1000]}
    assert dataclasses.replace(program, kind="float").build() == {"p": [0.5, 1.5], "q": [1000.5]}
    assert repr(dataclasses.replace(program, kind="int")).endswith(", kind='int')")


@pytest.mark.parametrize("kind", ["any", "str", "bytes", "int", "float", "hashable", "picklable"])
def test_a_snippet_builds_the_items_the_oracle_puts(kind: str) -> None:
    for puts in ((3, 2), (9, 8, 7)):  # items listed, then a comprehension
        for values in (None, Pool((KIND_SPELLINGS[kind][0],))):
            program = ChannelProgram(2, puts, 1, ("p", "q", "c"), values=values, kind=kind)
            scope: dict[str, Any] = {}
            exec("\n".join(render_items(program)), scope)
            built = program.build()
            for producer in program.producers:
                assert list(map(repr, scope["items"][producer])) == list(map(repr, built[producer]))
            # Under a kind of plain values the snippet tells items apart by value, as the oracle does.
            assert ("key" in scope) is (kind in ("bytes", "str", "int", "float"))
            assert program.key_source == ("key" if "key" in scope else "id")


@pytest.mark.parametrize("kind", ["bytes", "int", "float"])
def test_the_channel_contract_in_other_kinds(kind: str) -> None:
    report = spec.check("channel", scheduler_and_channels, seed=0, max_examples=30, items=kind)
    assert report.ok, report.format()
    assert f"note: items: the producers put {kind} items" in report.format()
    assert "told apart by value" in report.format()


@given(data=st.data(), kind=st.sampled_from(["bytes", "str", "int", "float", "hashable"]))
def test_programs_of_a_kind_put_only_values_of_it(data: st.DataObject, kind: str) -> None:
    program = data.draw(channel_programs(kind))
    assert program.kind == kind
    if program.values is not None:
        assert set(program.values.spellings) <= set(KIND_SPELLINGS[kind])
    wanted = {"bytes": bytes, "str": str, "int": int, "float": float}.get(kind, object)
    assert all(isinstance(item, wanted) for items in program.build().values() for item in items)


# Bugs that only a value outside the kind shows: None, an unhashable item, a copy that is another object.
OUT_OF_REACH_OF_INT = {"NoneMarksAFreeSlot", "CopiesItems", "IndexesItemsByValue"}


@pytest.mark.parametrize("entry", catalogue("channel"), ids=lambda entry: entry.name)
def test_the_known_bad_channels_with_int_items(entry: KnownBad) -> None:
    report = spec.check("channel", entry.target, seed=0, items="int", timeout=entry.timeout)
    if entry.name in OUT_OF_REACH_OF_INT:
        assert report.ok, report.format()  # no None, no list, and an int's copy is the int
        return
    assert report.violation is not None, entry.target
    assert report.violation.clause.id == entry.breaks, report.format()
    if entry.timeout is None:  # a snippet that hangs is not replayed
        assert replay_violation(report.violation) is not None, report.snippet
