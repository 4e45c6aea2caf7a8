"""The pipeline contract's clauses, and the source, buffer and sink it hands to ``run``.

The three are ordinary objects that anyone can build, which is what makes a
counterexample a snippet to paste::

    source = CountingSource(3)                          # yields 0, 1, 2, then stops
    buffer = RecordingBuffer(maxlen=2, source=source)   # an empty deque(maxlen=2)
    sink = RecordingSink(source)                        # a callable that records
    raised = outcome(run, source, buffer, sink)         # run(source, buffer, sink)
    assert source.violation is None, source.violation

``CountingSource(5, values=[None, 0])`` yields ``None, 0, None, 0, None``
instead: the items are then told apart by identity, not by value.
``CountingSource(3, kind='bytes')`` yields ``b'0', b'1', b'2'`` (``--items``).

The source is also the ledger: it counts items pulled, the sink counts items
delivered, and the buffer learns its ``maxlen`` at construction, so that each
of them can check its clause at the moment it is called.

Discussion (checks inside callbacks): three clauses can only be judged while
``run`` is running -- an item added to a full buffer is gone by the time
``run`` returns, the number of items in hand is a property of every moment,
and an item delivered twice or out of order is best named when it happens.
The callbacks make these checks.  A callback that finds a violation records
it (the first one only) and raises :class:`Stopped`, a
:class:`BaseException`, so that a target's ``except Exception`` does not
swallow the evidence; every later call into any of the three raises
:class:`Stopped` again, so a target that catches it anyway cannot run on for
long.  The oracle reports the recorded violation after ``run`` returns,
whatever ``run`` did with :class:`Stopped`.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import NoReturn

from spec._core.clauses import Clause, Clauses
from spec._core.options import NUMBERED
from spec._core.program import looks_equal, show
from spec._core.signals import theirs
from spec.pipeline.values import by_value, key_of

__all__ = [
    "BOUNDED",
    "CLAUSES",
    "CONDUCT",
    "DRAINED",
    "EDGE",
    "NO_DROP",
    "ORDER",
    "SINK_ERROR",
    "SOURCE_ERROR",
    "CountingSource",
    "RecordingBuffer",
    "RecordingSink",
    "SinkFailure",
    "SourceFailure",
    "Stopped",
    "accounted",
    "outcome",
    "unaccounted",
]

CLAUSES = Clauses(
    Clause(
        "P1",
        "exactly once",
        "The sink must receive exactly the source's items, in the source's order: none missing, none twice.",
    ),
    Clause(
        "P2",
        "no drop",
        "run must never add an item to a full buffer (where a bounded deque silently discards one).",
    ),
    Clause(
        "P3",
        "bounded",
        "Items pulled from the source but not yet given to the sink must never exceed maxlen + 1 "
        "(the buffer plus one in hand).",
    ),
    Clause(
        "P4",
        "drained",
        "When run returns, the source must be exhausted and the buffer empty.",
    ),
    Clause(
        "P5",
        "sink error",
        "If the sink raises, run must raise that same exception without calling the sink again; every item "
        "pulled must be delivered, the one that failed, or still in the buffer.",
    ),
    Clause(
        "P6",
        "source error",
        "If the source raises after k items, run must deliver those k items in order, then raise that same exception.",
    ),
    Clause(
        "P7",
        "edge sizes",
        "An empty source, maxlen 1 and item counts that are exact multiples of maxlen must work like any "
        "other size (a failure only these sizes show breaks this clause).",
    ),
    Clause(
        "P8",
        "conduct",
        "run must return within the time limit and raise nothing but the sink's or the source's exception.",
    ),
)
ORDER, NO_DROP, BOUNDED, DRAINED, SINK_ERROR, SOURCE_ERROR, EDGE, CONDUCT = map(
    CLAUSES.id_of,
    ("exactly once", "no drop", "bounded", "drained", "sink error", "source error", "edge sizes", "conduct"),
)


class Stopped(BaseException):
    """Raised by the source, buffer and sink once the run has broken a clause.

    A :class:`BaseException`, so that ``except Exception`` in the target does
    not swallow it; the clause and message are on ``source.violated`` and
    ``source.violation``.
    """


class SourceFailure(Exception):
    """What ``CountingSource(k, fail=True)`` raises after its ``k`` items."""


class SinkFailure(Exception):
    """What ``RecordingSink(source, fail_at=i)`` raises when it is given item ``i``."""


class CountingSource:
    """An iterator of the items ``0, 1, 2, ...``; the ledger of a pipeline run.

    ``CountingSource(k)`` yields ``k`` items and then raises
    :class:`StopIteration` (and sets ``exhausted``); ``CountingSource(k,
    fail=True)`` raises its :class:`SourceFailure` (``error``) instead, once,
    and :class:`StopIteration` after that, as a failed generator does;
    ``CountingSource(None)`` never ends.  Raises :class:`ValueError` for a
    negative ``k``, an endless source that should fail, or empty ``values``.

    With ``values`` (a non-empty sequence), item ``i`` is
    ``values[i % len(values)]``, the very object: repeated, falsy, unhashable
    or equal-but-distinct values are then what ``run`` must move, and items
    are told apart by identity (see :meth:`key`).  Without, item ``i`` is the
    int ``i`` and ints are told apart by value.

    ``kind`` (an ``--items`` kind) says how item ``i`` of a counting source
    is written: ``i`` itself by default, ``'3'`` for ``str``, ``b'3'`` for
    ``bytes``, ``3.5`` for ``float`` (:data:`~spec._core.options.NUMBERED`);
    under ``bytes``, ``str``, ``int`` or ``float``, ``values`` are told apart
    by value, not identity (see :func:`~spec.pipeline.values.key_of`).

    Once a :class:`RecordingBuffer` is built with ``source=`` this source,
    pulling an item while ``maxlen + 1`` items pulled are not yet delivered is
    a violation of the bounded clause (see the module's Discussion).
    """

    items: int | None
    values: tuple[object, ...] | None
    kind: str
    error: SourceFailure | None
    pulls: int
    delivered: int
    exhausted: bool
    failed: bool
    maxlen: int | None
    violated: str | None
    violation: str | None

    def __init__(
        self, items: int | None, *, fail: bool = False, values: Sequence[object] | None = None, kind: str = "any"
    ) -> None:
        if items is not None and items < 0:
            raise ValueError(f"a source cannot have {items} items")
        if items is None and fail:
            raise ValueError("an endless source cannot fail after its items")
        if values is not None and not values:
            raise ValueError("a source's values cannot be empty")
        if kind not in NUMBERED:
            raise ValueError(f"unknown kind of item {kind!r} (known: {', '.join(NUMBERED)})")
        self.items = items
        self.values = None if values is None else tuple(values)
        self.kind = kind
        self._key = by_value if values is None else key_of(kind)
        self.error = SourceFailure(f"the source failed after {items} items") if fail else None
        self.pulls = 0
        self.delivered = 0
        self.exhausted = False
        self.failed = False
        self.maxlen = None
        self.violated = None
        self.violation = None

    def __repr__(self) -> str:
        values = "" if self.values is None else f", values={list(self.values)!r}"
        kind = "" if self.kind == "any" else f", kind={self.kind!r}"
        return f"CountingSource({self.items!r}{', fail=True' if self.error is not None else ''}{values}{kind})"

    def item(self, position: int) -> object:
        """Item number ``position`` (from 0) of this source."""
        if self.values is None:
            return NUMBERED[self.kind](position)
        return self.values[position % len(self.values)]

    def key(self, value: object) -> Hashable:
        """What tells items apart: their value for a counting source, else as the kind says.

        Counted items (``0``, ``'0'``, ``b'0'`` ...) are distinct values;
        drawn ones are told apart by identity, or by value under a kind of
        plain values (see :func:`~spec.pipeline.values.key_of`).  Two values
        with the same key are the same item as far as the ledger can tell (a
        repeated pool entry is one object).
        """
        return self._key(value)

    def positions(self, value: object, pulls: int | None = None) -> list[int]:
        """The positions (below ``pulls``, default: the items pulled) of the items that are ``value``."""
        key = self.key(value)
        return [i for i in range(self.pulls if pulls is None else pulls) if self.key(self.item(i)) == key]

    def __iter__(self) -> CountingSource:
        return self

    def __next__(self) -> object:
        self.check_running()
        if self.items is not None and self.pulls >= self.items:
            if self.error is not None and not self.failed:
                self.failed = True
                raise self.error
            self.exhausted = not self.failed
            raise StopIteration
        held = self.pulls - self.delivered
        if self.maxlen is not None and held > self.maxlen:
            self.stop(
                BOUNDED,
                f"next(source) would pull item {self.pulls} while {held} items pulled are not yet delivered; "
                f"at most maxlen + 1 = {self.maxlen + 1} may be",
            )
        item = self.item(self.pulls)
        self.pulls += 1
        return item

    def check_running(self) -> None:
        """Raise :class:`Stopped` if the run has already broken a clause."""
        if self.violation is not None:
            raise Stopped(f"{self.violated}: {self.violation}")

    def stop(self, clause: str, message: str) -> NoReturn:
        """Record the violation of ``clause`` and raise :class:`Stopped` (the first violation stays)."""
        self.check_running()
        self.violated, self.violation = clause, message
        raise Stopped(f"{clause}: {message}")


class RecordingBuffer(deque[object]):
    """A :class:`collections.deque` that checks every item added to it.

    Built with ``source=`` a :class:`CountingSource` and ``maxlen >= 1``
    (:class:`ValueError` otherwise), it reports to that source: ``append``,
    ``appendleft``, ``extend``, ``extendleft`` and ``+=`` on a full buffer
    break the no-drop clause instead of discarding an item.  ``adds`` counts
    the items added.  Without ``source`` (as when the deque copies itself) it
    is a plain deque.
    """

    source: CountingSource | None
    adds: int

    def __init__(
        self,
        iterable: Iterable[object] = (),
        maxlen: int | None = None,
        *,
        source: CountingSource | None = None,
    ) -> None:
        if source is not None and (maxlen is None or maxlen < 1):
            raise ValueError(f"a recording buffer needs maxlen >= 1, got {maxlen!r}")
        super().__init__(iterable, maxlen)
        self.source = source
        self.adds = 0
        if source is not None:
            source.maxlen = maxlen

    def _adding(self, op: str, item: object, discarded: int) -> None:
        source = self.source
        if source is None:
            return
        source.check_running()
        self.adds += 1
        if len(self) == self.maxlen:
            source.stop(
                NO_DROP,
                f"buffer.{op}({show(item)}) on a full buffer (maxlen {self.maxlen}): "
                f"a deque silently discards {show(self[discarded])}",
            )

    def append(self, item: object, /) -> None:
        self._adding("append", item, 0)
        super().append(item)

    def appendleft(self, item: object, /) -> None:
        self._adding("appendleft", item, -1)
        super().appendleft(item)

    def extend(self, iterable: Iterable[object], /) -> None:
        for item in list(iterable) if iterable is self else iterable:
            self.append(item)

    def extendleft(self, iterable: Iterable[object], /) -> None:
        for item in list(iterable) if iterable is self else iterable:
            self.appendleft(item)

    def __iadd__(self, iterable: Iterable[object], /) -> RecordingBuffer:
        self.extend(iterable)
        return self

    def insert(self, i: int, item: object, /) -> None:
        # A full deque refuses insert() with IndexError: nothing is lost, so
        # only the count and the stop apply.
        if self.source is not None:
            self.source.check_running()
            self.adds += 1
        super().insert(i, item)


class RecordingSink:
    """A callable that records the items given to it, and checks their order.

    Each item must be the next one the source yielded: an item given twice,
    early or not from the source at all breaks the exactly-once clause.
    ``RecordingSink(source, fail_at=i)`` raises its :class:`SinkFailure`
    (``error``) when given item ``i``; being called again after that breaks
    the consumer-failure clause.  ``items`` lists the items received, not
    counting the one it raised on.
    """

    source: CountingSource
    fail_at: int | None
    error: SinkFailure | None
    items: list[object]
    raised: bool

    def __init__(self, source: CountingSource, *, fail_at: int | None = None) -> None:
        if fail_at is not None and fail_at < 0:
            raise ValueError(f"fail_at must be an item (>= 0), got {fail_at}")
        self.source = source
        self.fail_at = fail_at
        self.error = SinkFailure(f"the sink failed on item {fail_at}") if fail_at is not None else None
        self.items = []
        self.raised = False

    def __repr__(self) -> str:
        return f"RecordingSink(source{'' if self.fail_at is None else f', fail_at={self.fail_at}'})"

    def __call__(self, item: object) -> None:
        source = self.source
        source.check_running()
        if self.raised:
            source.stop(
                SINK_ERROR,
                f"sink({show(item)}) was called after the sink raised on item {self.fail_at}",
            )
        expected = source.delivered
        if expected >= source.pulls or source.key(item) != source.key(source.item(expected)):
            source.stop(ORDER, self._misdelivered(item, expected))
        source.delivered += 1
        if self.error is not None and expected == self.fail_at:
            self.raised = True
            raise self.error
        self.items.append(item)

    def _misdelivered(self, item: object, expected: int) -> str:
        source = self.source
        pulls = source.pulls
        found = source.positions(item)
        if source.values is None:
            if not found:
                pulled = f"{source.item(0)!r} to {source.item(pulls - 1)!r}" if pulls else "nothing"
                return f"sink({item!r}): not an item pulled from the source (it has yielded {pulled})"
            if found[0] < expected:
                return f"sink({item!r}) delivers item {found[0]} a second time"
            return f"sink({item!r}) before item {expected}: item {expected} was skipped or is late"
        shown, due = show(item), f"item {expected} ({show(source.item(expected))})"
        if not found:
            copy = any(looks_equal(item, source.item(i)) for i in range(min(pulls, len(source.values))))
            what = "an object equal to an item but not it (a copy?)" if copy else "not an item pulled from the source"
            return f"sink({shown}) when {due} was due: {what}"
        later = [i for i in found if i > expected]
        if later:
            return f"sink({shown}) is item {later[0]}, but {due} was due: item {expected} was skipped or is late"
        return f"sink({shown}) delivers item {found[-1]} a second time; {due} was due"


def accounted(source: CountingSource, sink: RecordingSink, buffer: Iterable[object]) -> bool:
    """Whether every item pulled is delivered, the one the sink raised on, or in ``buffer``: once each.

    Items are told apart by :meth:`CountingSource.key`; objects in ``buffer``
    that are not items of ``source`` are ignored.
    """
    return unaccounted(source, sink, buffer) == ([], [])


def unaccounted(source: CountingSource, sink: RecordingSink, buffer: Iterable[object]) -> tuple[list[int], list[int]]:
    """The positions of the items due but not in ``buffer``, and of those in it more than due."""
    done = len(sink.items) + (1 if sink.raised else 0)
    held = Counter(source.key(value) for value in buffer)
    missing = []
    for position in range(done, source.pulls):
        key = source.key(source.item(position))
        if held[key]:
            held[key] -= 1
        else:
            missing.append(position)
    first: dict[Hashable, int] = {}
    for position in range(source.pulls):
        first.setdefault(source.key(source.item(position)), position)
    extra = sorted(first[key] for key in held.elements() if key in first)
    return missing, extra


def outcome(
    run: Callable[[CountingSource, RecordingBuffer, RecordingSink], object],
    source: CountingSource,
    buffer: RecordingBuffer,
    sink: RecordingSink,
) -> BaseException | None:
    """Call ``run(source, buffer, sink)``; return what it raised, or ``None``.

    Every exception is returned, :class:`Stopped` and other
    :class:`BaseException` subclasses too, except the oracle's own signals
    (its time limit, a real Ctrl-C: see :mod:`spec._core.signals`), which
    propagate.
    """
    try:
        run(source, buffer, sink)
    except BaseException as exc:  # the target's outcome, judged by the caller
        return theirs(exc)
    return None
