"""The channel contract: a bounded channel between tasks on a cooperative scheduler.

Target: a zero-argument callable returning a pair ``(scheduler,
make_channel)``.  ``scheduler`` follows the ``scheduler`` contract (``spawn``
and ``run``); ``make_channel(capacity)`` returns a channel whose ``put(item)``
and ``get()`` tasks drive with ``yield from`` (they return generators, or
any iterable: ``yield from ch.put(item)``, ``item = yield from ch.get()``), and
whose ``close()`` is a plain call.  ``get()`` on a closed channel that is
empty raises :class:`EOFError` (a subclass is fine); items put before
``close()`` are still got.

Model: the items each producer puts, in order, and the log of what every
task saw (``("put", item)``, ``("got", item)``, ``("closed", producer)``,
``("end", consumer)``); an item is *in* the channel from the moment its
``put`` returns until the moment its ``get`` returns.

Check a channel::

    >>> import spec
    >>> spec.check("channel", "impl.channel:scheduler_and_channels", max_examples=20).ok
    True

or in a test suite::

    from spec.channel import ChannelContract

    class TestMyChannel(ChannelContract):
        factory = my_scheduler_and_channels

Discussion (attributing a failure to the right clause): each program is one
run, judged after ``run()`` ends, in this order; the first broken clause is
reported.

1. Conduct (CH5): a call raised (``put``/``get`` anything but ``get``'s
   ``EOFError``), or ``run()`` did not return in time before the channel was
   closed.
2. Exactly once (CH1): an item was got twice, an item was got that no
   producer put, or an item was never got, whatever else happened (a put
   that never returns, a consumer that gave up early, ``run()`` raising).
   Nothing lost comes first: a channel that drops an item also looks, to the
   log, as if it held one item too many, and must not be reported as CH3.
3. Order (CH2): one producer's items got out of order.
4. Capacity (CH3): puts returned minus gets returned exceeded the capacity.
5. Close (CH4): a ``get()`` raised ``EOFError`` before the channel was
   closed, ``run()`` raised, a consumer did not end, or ``run()`` hung after
   the channel was closed (a consumer that spins or waits forever).
"""

from __future__ import annotations

import dataclasses
import traceback
from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from spec._core.checker import TARGET_ERRORS, Binding, Checker, describe_exception
from spec._core.clauses import Clause, Clauses
from spec._core.contract import Contract, Prepared, as_factory, call_for_shape, given_runner
from spec._core.deadline import Deadline, TargetHung
from spec._core.errors import TargetError
from spec._core.options import Options
from spec._core.testcase import ContractTestCase
from spec.channel.plan import ITEM_KINDS, ChannelProgram, channel_programs, render_channel_tasks

__all__ = ["CLAUSES", "CONTRACT", "ChannelContract", "ChannelTarget"]

CLAUSES = Clauses(
    Clause(
        "CH1",
        "exactly once",
        "Every item a producer puts must be got exactly once, by some consumer: none lost, none duplicated.",
    ),
    Clause("CH2", "order", "Each producer's items must be got in the order it put them."),
    Clause(
        "CH3",
        "capacity",
        "The channel must never hold more than its capacity: puts returned minus gets returned stays at most "
        "capacity, so put() waits while the channel is full.",
    ),
    Clause(
        "CH4",
        "close",
        "get() must raise EOFError only once the channel is closed and drained; then every consumer ends and run() "
        "returns.",
    ),
    Clause(
        "CH5",
        "conduct",
        "make_channel(), put(), get(), close(), spawn() and run() must return within the time limit and raise "
        "nothing else.",
    ),
)

_ONCE, _ORDER, _CAPACITY, _CLOSE, _CONDUCT = map(
    CLAUSES.id_of, ("exactly once", "order", "capacity", "close", "conduct")
)


class ChannelTarget(Protocol):
    """What ``make_channel(capacity)`` returns."""

    def put(self, item: object, /) -> Iterable[Any]: ...

    def get(self) -> Generator[Any, Any, Any]: ...

    def close(self) -> object: ...


def _pair(made: object) -> tuple[Any, Any]:
    """``(scheduler, make_channel)`` from what the target returned, or :class:`TypeError`."""
    try:
        first, second = cast(Iterable[Any], made)
    except (TypeError, ValueError):
        raise TypeError(f"expected a pair (scheduler, make_channel), got {made!r}") from None
    return first, second


def _prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
    factory, name = as_factory(target, "a channel target must be a zero-argument callable")
    scheduler, make_channel = call_for_shape(f"{name}()", deadline, lambda: _pair(factory()))
    channel = call_for_shape(f"{name}()", deadline, make_channel, 1) if callable(make_channel) else None
    missing = [f"scheduler.{op}" for op in ("spawn", "run") if not callable(getattr(scheduler, op, None))]
    if channel is None:
        missing.append("a callable make_channel")
    else:
        missing += [f"channel.{op}" for op in ("put", "get", "close") if not callable(getattr(channel, op, None))]
    if missing:
        raise TargetError(
            f"{name}() returned a pair without {', '.join(missing)} (a channel target returns "
            "(scheduler, make_channel); make_channel(capacity) has put, get and close)"
        )
    kind = options.items.kind
    note = f"items: the producers put {kind} items ({ITEM_KINDS[kind]('p', 0)!r} ...)"
    return Prepared(factory=factory, notes=() if kind == "any" else (note,))


@dataclass
class _Seen:
    """A call that raised inside ``run()`` (a conduct violation), judged when it ends."""

    message: str
    actual: str
    detail: str


class _Run:
    """One program run against the target: logging tasks, evidence, verdict."""

    checker: Checker
    program: ChannelProgram
    channel: ChannelTarget
    log: list[tuple[str, object]]
    producing: list[str]
    closed: bool
    early_eof: list[str]  # consumers whose get() raised EOFError before close()
    seen: list[_Seen]

    def __init__(self, checker: Checker, program: ChannelProgram) -> None:
        self.checker = checker
        self.program = program
        self.log = []
        self.producing = list(program.producers)
        self.closed = False
        self.early_eof = []
        self.seen = []

    # -- the tasks ---------------------------------------------------------------

    def _producer(self, name: str) -> Generator[Any, Any, None]:
        for item in self.program.items(name):
            try:
                yield from self.channel.put(item)
            except Exception as exc:
                self._see(f"ch.put({item!r}) in {name}", exc)
                return
            self.log.append(("put", item))
            if name in self.program.pauses:
                yield
        self.producing.remove(name)
        if not self.producing:
            try:
                self.channel.close()
            except Exception as exc:
                self._see(f"ch.close() in {name}", exc)
                return
            self.closed = True
            self.log.append(("closed", name))

    def _consumer(self, name: str) -> Generator[Any, Any, None]:
        while True:
            try:
                item = yield from self.channel.get()
            except EOFError:
                if not self.closed:
                    self.early_eof.append(name)
                self.log.append(("end", name))
                return
            except Exception as exc:
                self._see(f"ch.get() in {name}", exc)
                return
            self.log.append(("got", item))
            if name in self.program.pauses:
                yield

    def _see(self, source: str, exc: Exception) -> None:
        self.seen.append(
            _Seen(
                f"{source} raised {describe_exception(exc)}",
                describe_exception(exc),
                "".join(traceback.format_exception(exc)),
            )
        )

    # -- running the program ---------------------------------------------------

    def check(self) -> None:
        c = self.checker
        binding = c.binding
        program = self.program
        c.program.add("log = []")
        scheduler, make_channel = c.call(f"s, make_channel = {binding.ref.name}()", lambda: _pair(binding.factory()))
        self.channel = c.call(f"ch = make_channel({program.capacity})", make_channel, program.capacity)
        c.program.add(*render_channel_tasks(program))
        for name in program.order:
            task = self._producer(name) if name in program.producers else self._consumer(name)
            c.call(f"s.spawn({name}())", scheduler.spawn, task)
        raised = self._run(scheduler)
        self._judge(raised)

    def _run(self, scheduler: Any) -> BaseException | None:
        c = self.checker
        c.program.add("s.run()")
        try:
            c.binding.deadline.call(scheduler.run)
        except TargetHung as hung:
            # After close(), a run() that does not end is a consumer that never
            # ends: the close clause.  Not shrunk, as every hang.
            if self.closed:
                c.hung("s.run()", hung, clause=_CLOSE, context=" after the channel was closed")
            c.hung("s.run()", hung)
        except TARGET_ERRORS as exc:
            return exc
        c.count(_CONDUCT)
        return None

    def _judge(self, raised: BaseException | None) -> None:
        if self.seen:
            seen = self.seen[0]
            self.checker.fail(
                _CONDUCT,
                seen.message,
                expected="no exception",
                actual=seen.actual,
                ending=(f"# {seen.message}",),
                detail=seen.detail,
            )
        self._judge_once(raised)
        self._judge_order()
        self._judge_capacity()
        self._judge_close(raised)

    def _got(self) -> list[object]:
        return [item for event, item in self.log if event == "got"]

    def _judge_once(self, raised: BaseException | None) -> None:
        want = sorted(self.program.all_items, key=repr)
        got = self._got()
        counts = Counter(map(repr, got))
        known = set(map(repr, want))
        ending = (
            "got = [item for event, item in log if event == 'got']",
            f"assert sorted(got, key=repr) == {want!r}, "
            f"{self.checker.tag(_ONCE) + ': every item put must be got exactly once'!r}",
        )
        for value in got:
            self.checker.require(
                repr(value) in known,
                _ONCE,
                f"a consumer got {value!r}, which no producer put",
                expected=f"one of {want}",
                actual=value,
                ending=ending,
            )
        because = "" if raised is None else f" (and run() raised {describe_exception(raised)})"
        for item in self.program.all_items:
            times = counts[repr(item)]
            self.checker.require(
                times == 1,
                _ONCE,
                f"{item!r} was got {times} times" if times else f"{item!r} was never got{because}",
                expected="got once",
                actual=f"got {times} times",
                ending=ending,
            )

    def _judge_order(self) -> None:
        got = self._got()
        for producer in self.program.producers:
            want = list(self.program.items(producer))
            mine = [item for item in got if item in want]
            self.checker.require(
                mine == want,
                _ORDER,
                f"{producer} put {want}, but its items were got in the order {mine}",
                expected=want,
                actual=mine,
                ending=(
                    f"assert [item for event, item in log if event == 'got' and item in {want!r}] == {want!r}, "
                    f"{self.checker.tag(_ORDER) + f': {producer} items must be got in order'!r}",
                ),
            )

    def _judge_capacity(self) -> None:
        capacity = self.program.capacity
        held = 0
        for index, (event, item) in enumerate(self.log):
            held += {"put": 1, "got": -1}.get(event, 0)
            self.checker.require(
                held <= capacity,
                _CAPACITY,
                f"after log[{index}] = {(event, item)!r} the channel held {held} items, over its capacity {capacity}",
                expected=f"at most {capacity}",
                actual=held,
                ending=(
                    "held = [0]",
                    "for event, item in log:",
                    "    held.append(held[-1] + {'put': 1, 'got': -1}.get(event, 0))",
                    f"assert max(held) <= {capacity}, "
                    f"{self.checker.tag(_CAPACITY) + f': the channel holds at most {capacity}'!r}",
                ),
            )

    def _judge_close(self, raised: BaseException | None) -> None:
        c = self.checker
        tag = c.tag(_CLOSE)
        for name in self.early_eof:
            c.fail(
                _CLOSE,
                f"ch.get() in {name} raised EOFError before the channel was closed",
                expected="get() waits while the channel is open",
                actual="EOFError",
                ending=(
                    "closed = next(i for i, (event, _) in enumerate(log) if event == 'closed')",
                    f"assert log.index(('end', {name!r})) > closed, {tag + ': EOFError only after close()'!r}",
                ),
            )
        if raised is not None:
            c.fail(
                _CLOSE,
                f"s.run() raised {describe_exception(raised)}"
                + ("" if self.closed else " (the channel was never closed)"),
                expected="run() returns",
                actual=describe_exception(raised),
                ending=(f"# raises {describe_exception(raised)}",),
                detail="".join(traceback.format_exception(raised)),
            )
        ended = {item for event, item in self.log if event == "end"}
        for name in self.program.consumer_names:
            c.require(
                name in ended,
                _CLOSE,
                f"consumer {name} did not end" + ("" if self.closed else ": the channel was never closed"),
                expected="get() raises EOFError once the channel is closed and drained",
                actual=f"{name} still waiting",
                ending=(f"assert ('end', {name!r}) in log, {tag + f': consumer {name} must end'!r}",),
            )


def _check_program(binding: Binding, program: ChannelProgram) -> None:
    kind = binding.options.items.kind
    _Run(Checker(clauses=CLAUSES, conduct=_CONDUCT, binding=binding), dataclasses.replace(program, kind=kind)).check()


CONTRACT = Contract(
    name="channel",
    summary="bounded channel between producer and consumer tasks on a cooperative scheduler",
    clauses=CLAUSES,
    target="a zero-argument callable returning (scheduler, make_channel): scheduler.spawn(task), scheduler.run(); "
    "make_channel(capacity) has put(item) and get() (driven with yield from) and close(); get() raises "
    "EOFError once closed and drained",
    prepare=_prepare,
    runner=given_runner(channel_programs(), _check_program),
    options=("items",),
    item_kinds=tuple(ITEM_KINDS),
    references=("impl.channel:scheduler_and_channels",),
)


class ChannelContract(ContractTestCase):
    """Subclass with ``factory = your_scheduler_and_channels`` to check a channel in your test suite."""

    contract = "channel"
