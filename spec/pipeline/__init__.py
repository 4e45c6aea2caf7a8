"""The producer/consumer pipeline contract.

Target: a callable ``run(source, buffer, sink) -> None`` that moves every item
of the iterator ``source`` through the bounded deque ``buffer`` to the
callable ``sink``.  The oracle supplies all three (see
:mod:`spec.pipeline.harness`): the source counts what is pulled and may be
endless, the buffer is an empty deque with ``maxlen >= 1`` that checks every
item added to it, and the sink records what it receives and may be made to
raise, as may the source.

Model: the produced sequence ``0, 1, 2, ...`` (or a drawn pool of values,
cycled: see :mod:`spec.pipeline.values`); the sink must receive a prefix of
it, in order, the very objects, and all of it when ``run`` returns.
``--items KIND`` writes the counted items in another kind (``'0'``, ``b'0'``,
``0.5`` ...; see :class:`CountingSource`) and draws pools of that kind's
values only, for a pipeline that only carries such values; under ``bytes``,
``str``, ``int`` and ``float`` an equal value stands for the object.

Check a pipeline::

    >>> import spec
    >>> spec.check("pipeline", "impl.pipeline:coordinator", max_examples=20).ok
    True

or in a test suite::

    from spec.pipeline import PipelineContract

    class TestMyPipeline(PipelineContract):
        factory = my_run          # the run(source, buffer, sink) callable

Discussion (attributing a failure): the checks run in this order, and the
first that fails names the clause.  (1) A violation seen inside the source,
buffer or sink while ``run`` ran: an add to a full buffer (no drop), a pull
too far ahead (bounded), an item delivered twice, early or not from the
source (exactly once), a sink called after it raised (sink error).  (2) What
``run`` raised: with no failure injected, any exception breaks conduct; after
an injected failure, anything but that very exception object breaks the sink-
or source-error clause.  (3) Where the items are: items pulled but neither
delivered nor in the buffer break exactly once (or the injected failure's
clause); items left undelivered break drained (or source error).  Then
three re-attributions, so that a report names the most specific clause.
Pulling too far ahead with drawn values, where the same sizes with a
counting source hold, breaks exactly once: the items not delivered were
dropped (taken for repeats, or for "nothing"), not held.  A sink- or
source-error violation stands only if the target also handles the same sizes,
and more items than ``maxlen + 1``, with nothing injected; otherwise that
plainer failure is reported.  A failure at an edge size becomes an
edge-sizes violation only if every nearby size that is not an edge size holds
(see :mod:`spec.pipeline.cases`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from hypothesis import strategies as st

from spec._core.checker import Binding, Checker, describe_exception, describe_traceback
from spec._core.clauses import ClauseViolation
from spec._core.contract import Contract, Prepared, as_factory, given_runner
from spec._core.deadline import Deadline
from spec._core.errors import TargetError
from spec._core.options import BY_VALUE, NUMBERED, Options
from spec._core.program import guarded, show
from spec._core.testcase import ContractTestCase
from spec.pipeline.cases import Case, cases
from spec.pipeline.harness import (
    BOUNDED,
    CLAUSES,
    CONDUCT,
    DRAINED,
    EDGE,
    NO_DROP,
    ORDER,
    SINK_ERROR,
    SOURCE_ERROR,
    CountingSource,
    RecordingBuffer,
    RecordingSink,
    SinkFailure,
    SourceFailure,
    Stopped,
    accounted,
    outcome,
    unaccounted,
)
from spec.pipeline.values import KIND_SPELLINGS, Pool, edge_sizes, key_of, pools, sizes

__all__ = [
    "CLAUSES",
    "CONTRACT",
    "KIND_SPELLINGS",
    "Case",
    "CountingSource",
    "PipelineContract",
    "Pool",
    "RecordingBuffer",
    "RecordingSink",
    "SinkFailure",
    "SourceFailure",
    "Stopped",
    "accounted",
    "edge_sizes",
    "key_of",
    "outcome",
    "pools",
    "sizes",
]

_HARNESS = "from spec.pipeline import CountingSource, RecordingBuffer, RecordingSink, accounted, outcome"


class _Run(Checker):
    """One case run against the target and judged (see the module's Discussion).

    With ``settle`` false (a probe), violations are reported as found,
    without re-attribution.
    """

    case: Case
    settle: bool
    source: CountingSource
    buffer: RecordingBuffer
    sink: RecordingSink

    def __init__(self, binding: Binding, case: Case, *, settle: bool) -> None:
        super().__init__(clauses=CLAUSES, conduct=CONDUCT, binding=binding)
        self.case = case
        self.settle = settle
        values = None if case.values is None else case.values.build()
        self.source = CountingSource(case.items, fail=case.source_fails, values=values, kind=case.kind)
        self.buffer = RecordingBuffer(maxlen=case.maxlen, source=self.source)
        self.sink = RecordingSink(self.source, fail_at=case.sink_fails_at)
        self.program.need(_HARNESS)
        self.program.add(
            f"source = {case.source}",
            f"buffer = RecordingBuffer(maxlen={case.maxlen}, source=source)",
            f"sink = {self.sink!r}",
        )

    def check(self) -> None:
        """Run the target on the case; raise :class:`ClauseViolation` if a clause breaks."""
        source, buffer, sink = self.source, self.buffer, self.sink
        call = f"raised = outcome({self.binding.ref.name}, source, buffer, sink)"
        raised: BaseException | None = self.call(call, outcome, self.binding.factory, source, buffer, sink)
        self.reach(source.pulls)
        if source.violated is not None:
            assert source.violation is not None
            tag = self.tag(source.violated)
            self.fail(
                source.violated,
                source.violation,
                ending=(f"assert source.violation is None, {tag + ': '!r} + source.violation",),
            )
        if buffer.adds:
            self.count(NO_DROP)
        if source.pulls:
            self.count(BOUNDED)
        if sink.items or sink.raised:
            self.count(ORDER)
        if sink.raised:
            self._sink_failed(raised)
        elif source.failed:
            self._source_failed(raised)
        else:
            self._returned(raised)
        if self.case.edge:
            self.count(EDGE)

    # -- judging ---------------------------------------------------------------

    def _returned(self, raised: BaseException | None) -> None:
        if raised is not None:
            self.fail(
                CONDUCT,
                f"run raised {describe_exception(raised)}",
                expected="returns None",
                actual=describe_exception(raised),
                ending=(f"assert raised is None, {self.tag(CONDUCT) + ': run raised '!r} + repr(raised)",),
                detail=describe_traceback(raised),
            )
        self._account(ORDER)
        source, left = self.source, list(self.buffer)
        tag = self.tag(DRAINED)
        if left:
            self.fail(
                DRAINED,
                f"run returned with {len(left)} item(s) still in the buffer: {show(left)}",
                expected=[],
                actual=left,
                ending=(f"assert len(buffer) == 0, {tag + ': run left items in the buffer'!r}",),
            )
        if not source.exhausted:
            total = "an endless source's" if source.items is None else f"the source's {source.items}"
            unseen = "; next(source) never raised StopIteration" if source.pulls == source.items else ""
            self.fail(
                DRAINED,
                f"run returned before the source was exhausted: it pulled {source.pulls} of {total} items{unseen}",
                expected="the source exhausted",
                actual=f"{source.pulls} items pulled",
                ending=(f"assert source.exhausted, {tag + ': run returned before the source was exhausted'!r}",),
            )
        self.count(DRAINED)

    def _sink_failed(self, raised: BaseException | None) -> None:
        sink = self.sink
        assert sink.error is not None
        self._reraised(raised, sink.error, SINK_ERROR, f"the sink raised on item {sink.fail_at}", "sink")
        self._account(SINK_ERROR)
        self.count(SINK_ERROR)

    def _source_failed(self, raised: BaseException | None) -> None:
        source, sink = self.source, self.sink
        assert source.error is not None
        assert source.items is not None
        what = f"the source raised after {source.items} item{'' if source.items == 1 else 's'}"
        self._reraised(raised, source.error, SOURCE_ERROR, what, "source")
        if len(sink.items) < source.items:
            pulled = {source.key(source.item(i)) for i in range(source.pulls)}
            left = sum(1 for value in self.buffer if source.key(value) in pulled)
            self.fail(
                SOURCE_ERROR,
                f"{what}, and run raised it having delivered {len(sink.items)} of them ({left} left in the buffer)",
                expected=f"{source.items} items delivered",
                actual=f"{len(sink.items)} items delivered",
                ending=(
                    f"assert len(sink.items) == {source.items}, "
                    f"{self.tag(SOURCE_ERROR) + ': items made before the failure must be delivered'!r}",
                ),
            )
        self._account(SOURCE_ERROR)
        self.count(SOURCE_ERROR)

    def _reraised(self, raised: BaseException | None, error: BaseException, clause: str, what: str, by: str) -> None:
        if raised is error:
            return
        if raised is None:
            did = "returned normally"
        else:
            chained = guarded(lambda: (raised.__cause__, raised.__context__), default=())
            wrapped = ", chained to it" if any(error is link for link in chained) else ""
            did = f"raised {describe_exception(raised)}{wrapped}"
        self.fail(
            clause,
            f"{what}, but run {did} instead of raising that exception",
            expected=describe_exception(error),
            actual="no exception" if raised is None else describe_exception(raised),
            ending=(f"assert raised is {by}.error, {self.tag(clause) + ': run must raise ' + by + '.error'!r}",),
            detail="" if raised is None else describe_traceback(raised),
        )

    def _account(self, clause: str) -> None:
        """Every item pulled is delivered, the one the sink raised on, or in the buffer: once."""
        source, sink = self.source, self.sink
        missing, extra = unaccounted(source, sink, self.buffer)
        if not missing and not extra:
            return
        if missing:
            problem = f"item(s) {_listed(missing)} were pulled but neither delivered nor left in the buffer"
        else:
            problem = f"item(s) {_listed(sorted(set(extra)))} are in the buffer more than once, or after delivery"
        done = len(sink.items) + (1 if sink.raised else 0)
        self.fail(
            clause,
            problem,
            expected=[source.item(i) for i in range(done, source.pulls)],
            actual=list(self.buffer),
            ending=(f"assert accounted(source, sink, buffer), {self.tag(clause) + ': ' + problem!r}",),
        )

    # -- attribution -------------------------------------------------------------

    def attribute(self, clause: str, message: str, ending: Sequence[str]) -> tuple[str, str, Sequence[str]]:
        """Re-attribute a failure (see the module's Discussion) before :meth:`Checker.fail` raises it."""
        if self.settle:
            if clause == BOUNDED and self.case.values is not None:
                counting = replace(self.case, values=None)
                if _holds(self.binding, counting):
                    clause, message, ending = self._relabel(
                        clause,
                        ORDER,
                        f"{message}; with the items {_counted(counting.kind, 3)}, ... instead it holds ({counting}): "
                        "the items not delivered were dropped",
                        ending,
                    )
            if clause in (SINK_ERROR, SOURCE_ERROR):
                for case in self.case.uninjected():
                    _Run(self.binding, case, settle=True).check()
            if clause != EDGE and self.case.edge:
                nearby = self.case.neighbours()
                if all(_holds(self.binding, case) for case in nearby):
                    clause, message, ending = self._relabel(
                        clause, EDGE, f"{message} (at {self.case.edge}; nearby sizes hold, e.g. {nearby[0]})", ending
                    )
        return clause, message, ending

    def _relabel(self, old: str, new: str, message: str, ending: Sequence[str]) -> tuple[str, str, tuple[str, ...]]:
        """``new``, ``message`` and ``ending`` with the tag of ``old`` in its assertions replaced by ``new``'s."""
        was, now = self.tag(old), self.tag(new)
        return new, message, tuple(line.replace(was, now) for line in ending)


def _holds(binding: Binding, case: Case) -> bool:
    try:
        _Run(binding, case, settle=False).check()
    except ClauseViolation:
        return False
    return True


def _listed(items: list[int]) -> str:
    return ", ".join(map(str, items))


def _body(binding: Binding, case: Case) -> None:
    _Run(binding, case, settle=True).check()


def _prepare(target: object, deadline: Deadline, options: Options) -> Prepared:
    if not callable(target):
        raise TargetError(f"a pipeline target must be a callable run(source, buffer, sink), got {show(target)}")
    _, name = as_factory(target, "")
    for kind, test in (
        ("a generator", inspect.isgeneratorfunction),
        ("an async generator", inspect.isasyncgenfunction),
        ("a coroutine", inspect.iscoroutinefunction),
    ):
        if test(target):
            raise TargetError(
                f"{name} is {kind} function: calling it runs nothing; the target is the callable "
                "that drives the pipeline, run(source, buffer, sink)"
            )
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):  # no signature to read (some builtins): try it as it is
        return Prepared(factory=target, notes=_notes(options))
    try:
        signature.bind(None, None, None)
    except TypeError as exc:
        shown = signature.replace(return_annotation=inspect.Signature.empty)
        raise TargetError(f"{name}{shown} cannot be called as run(source, buffer, sink): {exc}") from None
    return Prepared(factory=target, notes=_notes(options))


def _notes(options: Options) -> tuple[str, ...]:
    kind = options.items.kind
    if kind == "any":
        return ()
    drawn = ", ".join(KIND_SPELLINGS[kind])
    told = "by value" if kind in BY_VALUE else "by identity"
    counted = _counted(kind, 2)
    return (f"items: the source yields {kind} items ({counted} ..., or cycles through {drawn}), told apart {told}",)


def _counted(kind: str, n: int) -> str:
    """The first ``n`` items of a counting source of ``kind``, as a snippet writes them (``b'0', b'1'``)."""
    source = CountingSource(n, kind=kind)
    return ", ".join(repr(source.item(i)) for i in range(n))


def _cases(options: Options) -> st.SearchStrategy[Case]:
    return cases(options.items.kind)


CONTRACT = Contract(
    name="pipeline",
    summary="producer/consumer over a bounded deque: every item exactly once, in order, none dropped",
    clauses=CLAUSES,
    target="a callable run(source, buffer, sink) that moves every item of the iterator source through "
    "the bounded deque buffer to the callable sink",
    prepare=_prepare,
    runner=given_runner(_cases, _body),
    references=("impl.pipeline:coordinator",),
    options=("items",),
    item_kinds=tuple(NUMBERED),
)


class PipelineContract(ContractTestCase):
    """Subclass with ``factory = your_run`` to check a pipeline in your test suite.

    ``factory`` is the target itself, ``run(source, buffer, sink)``.
    """

    contract = "pipeline"
    factory: ClassVar[Callable[..., Any] | None] = None
