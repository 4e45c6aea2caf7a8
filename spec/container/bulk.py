"""The container machine's bulk rules: thousands of calls in one step, each checked.

``grow`` pushes fresh items up to a size drawn from
:func:`spec._core.values.sizes`, ``shrink`` pops (peeking first, when the
target has ``peek``) down to one, and ``cycle`` pops and pushes at a constant
size, which shows a compaction every k pops or a ring buffer that wraps
without the size ``grow`` would need.  What they push are items of the
check's ``--items`` kind (:func:`batches`).

Discussion (the fast path): each call is made under the time limit and
checked (the answer is the item due, the size moved as it should), but no
statement is recorded per call, which would make long programs slow.  At the
first call whose answer is not the right one, the rule writes the calls made
so far as one loop, and hands the answer to the rule that judges that call
alone (``_push``, ``_peek``, ``_pop``, ``_check_size``), so that a failure is
named and shown exactly as if the program had made the calls one by one: an
empty signal, a sentinel, a copy or another instance's item included.  Calls
into a synchronous target share one interval timer (``Deadline.batch``); a
target driven on an event loop is called through its session as every other
rule calls it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.stateful import rule

from spec._core import journal
from spec._core.deadline import TargetHung
from spec._core.options import BY_VALUE, NUMBERED, Sentinel, number_of
from spec._core.signals import theirs
from spec._core.values import sizes
from spec.container.judge import Judge, Side, alike

__all__ = ["BATCHES", "BULK_BUDGET", "Batch", "BulkRules", "batches"]


class _Outcome:
    """A call the fast path of a bulk rule already made, played back to the rule that judges it."""

    def __init__(self, value: object, error: BaseException | None) -> None:
        self.value, self.error = value, error

    def __call__(self) -> object:
        if self.error is not None:
            raise self.error
        return self.value


@dataclass(frozen=True)
class Batch:
    """Items a bulk rule pushes: built fresh by ``source`` (``{n}`` is the count) or by ``make``."""

    source: str
    make: Callable[[int], list[object]]


def _mixed(n: int) -> list[object]:
    return [(None, i, [i], (i, i), str(i) * 2, {i: i}, {i})[i % 7] for i in range(n)]


BATCHES: dict[str, Batch] = {
    "lists": Batch("[[i] for i in range({n})]", lambda n: [[i] for i in range(n)]),
    "mixed": Batch("[(None, i, [i], (i, i), str(i) * 2, {{i: i}}, {{i}})[i % 7] for i in range({n})]", _mixed),
}
"""What ``grow`` pushes by default: distinct lists, or a mix of None, ints, lists, tuples, strings, dicts and sets."""

# How NUMBERED's item n reads in source, for the kinds whose batches number items.
_NUMBERED_SOURCE = {"int": "i", "hashable": "(i,)", "str": "str(i)", "bytes": "str(i).encode()", "float": "i + 0.5"}


def _numbered(kind: str, start: int) -> Batch:
    if kind == "hashable":
        # Tuples: hashable, and distinct objects, so that identity is judged.
        make: Callable[[int], object] = lambda i: (i,)  # noqa: E731
    else:
        make = NUMBERED[kind]
    return Batch(
        f"[{_NUMBERED_SOURCE[kind]} for i in range({start}, {start} + {{n}})]",
        lambda n: [make(i) for i in range(start, start + n)],
    )


def batches(kind: str, sentinel: Sentinel | None) -> Mapping[str, Batch]:
    """The batches the bulk rules may push for an ``--items`` ``kind``: items of that kind, never the sentinel.

    ``any`` and ``picklable``: :data:`BATCHES` (only ``lists`` with a
    sentinel: the mix holds ``None`` and ints); ``bytes``, ``str``, ``int``,
    ``float``: numbered items of the kind (:data:`~spec._core.options.NUMBERED`),
    numbered past the sentinel's number; ``hashable``: one-int tuples; a
    strategy of the user's: none (the bulk rules push nothing then).
    """
    if kind in ("any", "picklable"):
        return BATCHES if sentinel is None else {"lists": BATCHES["lists"]}
    if kind not in _NUMBERED_SOURCE:
        return {}
    number = None if sentinel is None else number_of("int" if kind == "hashable" else kind, sentinel.value)
    return {"numbered": _numbered(kind, 0 if number is None else number + 1)}


BULK_BUDGET = 5000
"""Items the bulk rules push and pop in one program, at most: enough to grow past 4096 once and shrink back."""


def _bulk_caught(exc: BaseException) -> None:
    """Let what a bulk rule's fast path caught be replayed through the checker (see ``_bulk_error``).

    The target's exceptions and a hang are replayed; the oracle's other own
    signals pass on (see :func:`~spec._core.signals.theirs`).
    """
    if not isinstance(exc, TargetHung):
        theirs(exc)


def _kinds(machine: BulkRules) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(machine.batches) or [""])


class BulkRules(Judge):
    """``grow``, ``shrink`` and ``cycle`` (see the module docstring)."""

    batches: Mapping[str, Batch]
    bulk: int  # items the bulk rules may still push or pop in this program

    def _batched(self) -> contextlib.AbstractContextManager[None]:
        if self.session.loop is None:
            return self.binding.deadline.batch()
        return contextlib.nullcontext()

    def _fits(self, got: object, item: object) -> bool:
        """Whether ``got`` stands for ``item``, asked without a statement; ``False`` when unsure."""
        if got is item:
            return True
        if self._by_identity(item):
            return False
        try:
            return bool(self.binding.deadline.call(alike, got, item))
        except BaseException as exc:
            _bulk_caught(exc)
            return False  # the rule that judges the call alone asks again, and reports

    def _bulk_error(self, prefix: Callable[[], object], source: str, exc: BaseException) -> _Outcome:
        """What the fast path does when ``source`` raised: a hang is reported at once (after ``prefix()``)."""
        if isinstance(exc, TargetHung):
            prefix()
            self.program.add(source)
            self.hung(source, exc)
        return _Outcome(None, exc)

    def _bulk_size(self, prefix: Callable[[], object], side: Side) -> int:
        """``len()`` of ``side`` in the fast path; -1 when it raised (the caller then judges it alone)."""
        if journal.active():
            journal.note_doing(self._src("len", var=side.var))
        try:
            size: int = self.binding.deadline.call(self._op(side.target, "len"))
        except BaseException as exc:
            _bulk_caught(exc)
            self._bulk_error(prefix, self._src("len", var=side.var), exc)
            return -1
        return size

    @rule(to=sizes(), kind=st.runner().flatmap(_kinds))
    def grow(self, to: int, kind: str) -> None:
        """Push fresh items until ``q`` holds ``to`` of them (nothing if it holds as many already)."""
        cls = type(self)
        side = self.main
        count = min(to - len(side.model), self.bulk)
        if count <= 0 or kind not in self.batches:
            return
        self.bulk -= count
        batch = self.batches[kind]
        name = self.program.bind(batch.source.format(n=count), prefix="b")
        v, call, has_len = side.var, self.binding.deadline.call, self.plan.has("len")
        push = self._op(side.target, "push")
        done = 0

        def prefix(*more: str) -> None:
            if done:
                self.program.add(f"for x in {name}[:{done}]: {self._src('push', 'x', var=v)}")
            self.program.add(*more)

        model = side.model
        with self._batched():
            for done, item in enumerate(batch.make(count)):
                expr = f"{name}[{done}]"
                source = self._src("push", expr, var=v)
                journal.note_doing(source)
                try:
                    call(push, item)
                except BaseException as exc:
                    _bulk_caught(exc)
                    outcome = self._bulk_error(prefix, source, exc)
                    prefix()
                    self.call(source, outcome)
                self._pushed(side, item, expr)
                if has_len and self._bulk_size(functools.partial(prefix, source), side) != len(model):
                    prefix(source)
                    self._check_size(side, cls.size, +1, source)
        side.size = len(model)
        self.calls += (1 + has_len) * count
        self.program.add(f"for x in {name}: {self._src('push', 'x', var=v)}")
        self.count(cls.size, count * has_len)
        self.count(cls.conduct, (1 + has_len) * count)
        self._check_size(side, cls.size, 0, f"pushing {name}")

    @rule(to=sizes())
    def shrink(self, to: int) -> None:
        """Peek and pop until ``q`` holds ``to`` items (nothing if it holds that few already)."""
        side = self.main
        count = min(len(side.model) - to, self.bulk)
        if count <= 0:
            return
        self.bulk -= count
        self._take_off(side, count)

    def _take_off(self, side: Side, count: int) -> None:
        """Peek and pop ``count`` items off ``side``, each checked, recorded as one loop."""
        cls = type(self)
        done = 0
        body = "\n    ".join(self._taking(side))

        def prefix(*more: str) -> None:
            if done:
                self.program.add(f"for _ in range({done}):\n    {body}")
            self.program.add(*more)

        with self._batched():
            for done in range(count):  # noqa: B007  (prefix() reads done)
                self._peek_pop(side, prefix)
        done = count
        prefix()
        self._counted(count)
        self._check_size(side, cls.size, 0, f"{count} pops")

    @rule(times=sizes())
    def cycle(self, times: int) -> None:
        """Pop the front and push a fresh item, ``times`` times, at a constant size."""
        cls = type(self)
        side = self.main
        times = min(times, self.bulk // 2)
        if not side.model or times <= 0 or not self.batches:
            return
        self.bulk -= 2 * times
        batch = self.batches[min(self.batches)]
        name = self.program.bind(batch.source.format(n=times), prefix="c")
        v, call, model, has_len = side.var, self.binding.deadline.call, side.model, self.plan.has("len")
        taking = self._taking(side)
        push = self._op(side.target, "push")
        done = 0

        def prefix(*more: str) -> None:
            if done:
                body = "\n    ".join((*taking, self._src("push", "x", var=v)))
                self.program.add(f"for x in {name}[:{done}]:\n    {body}")
            self.program.add(*more)

        with self._batched():
            for done, item in enumerate(batch.make(times)):
                self._peek_pop(side, prefix)
                source = self._src("push", f"{name}[{done}]", var=v)
                journal.note_doing(source)
                try:
                    call(push, item)
                except BaseException as exc:
                    _bulk_caught(exc)
                    outcome = self._bulk_error(functools.partial(prefix, *taking), source, exc)
                    prefix(*taking)
                    self.call(source, outcome)
                self._pushed(side, item, f"{name}[{done}]")
                if has_len and self._bulk_size(functools.partial(prefix, *taking, source), side) != len(model):
                    prefix(*taking, source)
                    self._check_size(side, cls.size, +1, source)
                side.size = len(model)
        done = times
        prefix()
        self._counted(times)
        self.calls += (1 + has_len) * times
        self.count(cls.size, times * has_len)
        self.count(cls.conduct, (1 + has_len) * times)
        self._check_size(side, cls.size, 0, f"{times} pops and pushes")

    def _taking(self, side: Side) -> tuple[str, ...]:
        """The statements that take one item off ``side``: peek (if the target has it) and pop."""
        pop = self._src("pop", var=side.var)
        return (self._src("peek", var=side.var), pop) if self.plan.has("peek") else (pop,)

    def _counted(self, count: int) -> None:
        """Tally the checks of ``count`` items taken off by :meth:`_peek_pop`."""
        cls = type(self)
        has_peek, has_len = self.plan.has("peek"), self.plan.has("len")
        calls = (1 + has_peek) * (1 + has_len) * count
        self.calls += calls
        self.count(cls.peek_clause, count * has_peek)
        self.count(cls.order, count)
        self.count(cls.size, (1 + has_peek) * has_len * count)
        self.count(cls.conduct, calls)
        if not self.plan.equal and self.plan.kind not in BY_VALUE:
            self.count(cls.identity, (1 + has_peek) * count)

    def _peek_pop(self, side: Side, prefix: Callable[..., None]) -> None:
        """Take one item off ``side``: peek, len, pop, len, each checked; ``prefix(*more)`` writes the calls before."""
        cls = type(self)
        v, call, model = side.var, self.binding.deadline.call, side.model
        has_peek, has_len = self.plan.has("peek"), self.plan.has("len")
        pop = self._src("pop", var=v)
        item = model[cls.end.value][0]
        before: tuple[str, ...] = ()
        if has_peek:
            peek = self._src("peek", var=v)
            journal.note_doing(peek)
            try:
                peeked = call(self._op(side.target, "peek"))
            except BaseException as exc:
                _bulk_caught(exc)
                outcome = self._bulk_error(prefix, peek, exc)
                prefix()
                self._peek(side, outcome)
            if not self._fits(peeked, item):
                prefix()
                self._peek(side, _Outcome(peeked, None))
            if has_len and self._bulk_size(functools.partial(prefix, peek), side) != len(model):
                prefix(f"peeked = {peek}")
                self._check_size(side, cls.peek_clause, 0, peek)
            before = (peek,)
        journal.note_doing(pop)
        try:
            popped = call(self._op(side.target, "pop"))
        except BaseException as exc:
            _bulk_caught(exc)
            outcome = self._bulk_error(functools.partial(prefix, *before), pop, exc)
            prefix(*before)
            self._pop(side, outcome)
        if not self._fits(popped, item):
            prefix(*before)
            self._pop(side, _Outcome(popped, None))
        del model[cls.end.value]
        if has_len and self._bulk_size(functools.partial(prefix, *before, pop), side) != len(model):
            prefix(*before, pop)
            self._check_size(side, cls.size, -1, pop)
        side.size = len(model)
