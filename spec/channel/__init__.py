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

Discussion (attributing a failure to the right clause): every program starts
with the independence probe (CH6, see :mod:`spec.channel.probe`): two live
channels of one target, where only evidence that one saw the other counts.
Then each program is one run, judged after ``run()`` ends, in this order;
the first broken clause is reported.  Items are told apart by identity
(by value under ``--items`` ``bytes``, ``str``, ``int`` or ``float``: see
:mod:`spec.channel.plan`).

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

from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from hypothesis import strategies as st

from spec._core.checker import Binding, Checker, describe_exception, describe_traceback
from spec._core.clauses import Clause, Clauses
from spec._core.contract import Contract, Prepared, as_factory, call_for_shape, given_runner
from spec._core.deadline import Deadline, TargetHung
from spec._core.errors import TargetError
from spec._core.options import BY_VALUE, Options
from spec._core.program import guarded, looks_equal, show
from spec._core.signals import theirs
from spec._core.testcase import ContractTestCase
from spec.channel.plan import ITEM_KINDS, ChannelProgram, channel_programs, render_channel_tasks, render_items
from spec.channel.probe import probe_independence

__all__ = ["CLAUSES", "CONTRACT", "ChannelContract", "ChannelTarget"]

CLAUSES = Clauses(
    Clause(
        "CH1",
        "exactly once",
        "Every item a producer puts must be got exactly once, by some consumer: the very object put (not a copy), "
        "none lost, none duplicated, whatever its value (None, falsy, unhashable, equal to another).",
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
    Clause(
        "CH6",
        "independence",
        "Channels must not share state: what is put into one is got only from it, and closing or filling one "
        "changes nothing for another, also one made by another program.",
    ),
)

_ONCE, _ORDER, _CAPACITY, _CLOSE, _CONDUCT, _INDEPENDENCE = map(
    CLAUSES.id_of, ("exactly once", "order", "capacity", "close", "conduct", "independence")
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
        raise TypeError(f"expected a pair (scheduler, make_channel), got {show(made)}") from None
    return first, second


def _prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
    factory, name = as_factory(target, "a channel target must be a zero-argument callable")
    scheduler, make_channel = call_for_shape(f"{name}()", deadline, lambda: _pair(factory()))
    channel = call_for_shape(f"{name}()", deadline, make_channel, 1) if callable(make_channel) else None
    missing = [f"scheduler.{op}" for op in ("spawn", "run") if not _has_method(scheduler, op)]
    if channel is None:
        missing.append("a callable make_channel")
    else:
        missing += [f"channel.{op}" for op in ("put", "get", "close") if not _has_method(channel, op)]
    if missing:
        raise TargetError(
            f"{name}() returned a pair without {', '.join(missing)} (a channel target returns "
            "(scheduler, make_channel); make_channel(capacity) has put, get and close)"
        )
    kind = options.items.kind
    told = "by value" if kind in BY_VALUE else "by identity"
    note = f"items: the producers put {kind} items ({ITEM_KINDS[kind]('p', 0)!r} ...), told apart {told}"
    return Prepared(factory=factory, notes=() if kind == "any" else (note,))


def _has_method(obj: object, name: str) -> bool:
    return callable(guarded(getattr, obj, name, None, default=None))


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

    items: dict[str, list[object]]  # what each producer puts, built for this run

    def __init__(self, checker: Checker, program: ChannelProgram) -> None:
        self.checker = checker
        self.program = program
        self.items = program.build()
        self.log = []
        self.producing = list(program.producers)
        self.closed = False
        self.early_eof = []
        self.seen = []

    # -- the tasks ---------------------------------------------------------------

    def _producer(self, name: str) -> Generator[Any, Any, None]:
        for item in self.items[name]:
            try:
                yield from self.channel.put(item)
            except BaseException as exc:
                self._see(f"ch.put({show(item)}) in {name}", _task_error(exc))
                return
            self.log.append(("put", item))
            if name in self.program.pauses:
                yield
        self.producing.remove(name)
        if not self.producing:
            try:
                self.channel.close()
            except BaseException as exc:
                self._see(f"ch.close() in {name}", _task_error(exc))
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
            except BaseException as exc:
                self._see(f"ch.get() in {name}", _task_error(exc))
                return
            # Kept as it came: items are judged by identity, never by the target's
            # __eq__, and shown only through show().
            self.log.append(("got", item))
            if name in self.program.pauses:
                yield

    def _see(self, source: str, exc: BaseException) -> None:
        described = describe_exception(exc)
        self.seen.append(_Seen(f"{source} raised {described}", described, describe_traceback(exc)))

    # -- running the program ---------------------------------------------------

    def check(self) -> None:
        c = self.checker
        binding = c.binding
        program = self.program
        probe_independence(c, _INDEPENDENCE, lambda: _pair(binding.factory()))
        c.program.add("log = []")
        scheduler, make_channel = c.call(f"s, make_channel = {binding.ref.name}()", lambda: _pair(binding.factory()))
        self.channel = c.call(f"ch = make_channel({program.capacity})", make_channel, program.capacity)
        c.program.add(*render_items(program), *render_channel_tasks(program))
        for name in program.order:
            task = self._producer(name) if name in program.producers else self._consumer(name)
            c.call(f"s.spawn({name}())", scheduler.spawn, task)
        raised = self._run(scheduler)
        c.reach(sum(1 for event, _ in self.log if event == "put"))  # items that went into the channel
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
        except BaseException as exc:
            return theirs(exc)
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
        """Every object put is got as many times as it was put (items told apart as the program's ``key`` says).

        Checks are counted in bulk: one per item got and one per object put;
        only a failing one is spelt out.
        """
        c = self.checker
        key, k = self.program.key, self.program.key_source
        put = [item for producer in self.program.producers for item in self.items[producer]]
        times_put = Counter(map(key, put))
        got = self._got()
        times_got = Counter(map(key, got))
        ending = (
            "got = [item for event, item in log if event == 'got']",
            "put = [item for each in items.values() for item in each]",
            f"assert sorted(map({k}, got)) == sorted(map({k}, put)), "
            f"{c.tag(_ONCE) + ': every item put must be got exactly once'!r}",
        )
        stranger = next((value for value in got if key(value) not in times_put), _NOTHING)
        if stranger is not _NOTHING:
            copy = next((" (an equal object was put)" for x in put if looks_equal(x, stranger)), "")
            c.fail(
                _ONCE,
                f"a consumer got {show(stranger)}, which no producer put{copy}",
                expected="an object a producer put",
                actual=show(stranger),
                ending=ending,
            )
        c.binding.checks[_ONCE] += len(got)
        because = "" if raised is None else f" (and run() raised {describe_exception(raised)})"
        for item in {key(item): item for item in put}.values():
            want, times = times_put[key(item)], times_got[key(item)]
            if times == want:
                continue
            if want == 1:
                message = f"{show(item)} was got {times} times" if times else f"{show(item)} was never got{because}"
            else:
                message = f"{show(item)} was put {want} times and got {times} times{because if times < want else ''}"
            c.fail(_ONCE, message, expected=f"got {want} times", actual=f"got {times} times", ending=ending)
        c.binding.checks[_ONCE] += len(times_put)

    def _judge_order(self) -> None:
        got = self._got()
        key, k = self.program.key, self.program.key_source
        for producer in self.program.producers:
            want = self.items[producer]
            keys = [key(item) for item in want]
            mine = [item for item in got if key(item) in set(keys)]
            self.checker.require(
                [key(item) for item in mine] == keys,
                _ORDER,
                f"{producer} put {show(want)}, but its items were got in the order {show(mine)}",
                expected=show(want),
                actual=show(mine),
                ending=(
                    f"want = [{k}(y) for y in items[{producer!r}]]",
                    f"mine = [{k}(x) for event, x in log if event == 'got' and {k}(x) in want]",
                    f"assert mine == want, {self.checker.tag(_ORDER) + f': {producer} items must be got in order'!r}",
                ),
            )

    def _judge_capacity(self) -> None:
        """Puts returned minus gets returned never exceeds the capacity (one check per log entry)."""
        capacity = self.program.capacity
        held = 0
        for index, (event, item) in enumerate(self.log):
            held += 1 if event == "put" else -1 if event == "got" else 0
            if held > capacity:
                self.checker.fail(
                    _CAPACITY,
                    f"after log[{index}] = ({event!r}, {show(item)}) the channel held {held} items, "
                    f"over its capacity {capacity}",
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
        self.checker.binding.checks[_CAPACITY] += len(self.log)

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
                detail=describe_traceback(raised),
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


_NOTHING = object()


def _task_error(exc: BaseException) -> BaseException:
    """``exc``, out of a call a task made: the channel's failure, or raised again.

    What passes on is the oracle's own (see :func:`~spec._core.signals.theirs`)
    and the task being closed: a scheduler may close a task (``GeneratorExit``
    arrives at its ``yield from``), which is not the channel's failure.
    """
    if isinstance(exc, GeneratorExit):
        raise exc
    return theirs(exc)


def _check_program(binding: Binding, program: ChannelProgram) -> None:
    _Run(Checker(clauses=CLAUSES, conduct=_CONDUCT, binding=binding), program).check()


def _programs(options: Options) -> st.SearchStrategy[ChannelProgram]:
    return channel_programs(options.items.kind)


CONTRACT = Contract(
    name="channel",
    summary="bounded channel between producer and consumer tasks on a cooperative scheduler",
    clauses=CLAUSES,
    target="a zero-argument callable returning (scheduler, make_channel): scheduler.spawn(task), scheduler.run(); "
    "make_channel(capacity) has put(item) and get() (driven with yield from) and close(); get() raises "
    "EOFError once closed and drained",
    prepare=_prepare,
    runner=given_runner(_programs, _check_program),
    options=("items",),
    item_kinds=tuple(ITEM_KINDS),
    references=("impl.channel:scheduler_and_channels",),
)


class ChannelContract(ContractTestCase):
    """Subclass with ``factory = your_scheduler_and_channels`` to check a channel in your test suite."""

    contract = "channel"
