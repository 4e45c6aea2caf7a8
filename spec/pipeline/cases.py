"""The examples of the pipeline contract: sizes, values, injected failures, and their neighbours.

A :class:`Case` is one run to check: ``maxlen``, the number of items (or an
endless source), what the items are, and at most one injected failure, the
sink raising on item ``i`` or the source raising after its items.  One
failure at a time: with two, which one ``run`` should raise would depend on
the order in which it happens to meet them.

Discussion (what is drawn): half the cases have ``maxlen`` 1 to 8 and a few
buffer-fulls of items, where most faults show and every report is short; the
other half are long runs: ``maxlen`` 1 to 8 or up to 1025, and up to 3000
items from :func:`~spec.pipeline.values.sizes` (log-uniform from 64 up, or at
an edge: powers of two and their neighbours, 100, 1000), so that a fault at a growth point,
a bound of 64, a compaction every few dozen items, a limit on turns or a
recursion a thousand items deep is met at every seed.  Half the cases count
``0, 1, 2, ...``; the others cycle through a drawn :class:`~spec.pipeline.values.Pool`
of repeated, falsy, unhashable and equal-but-distinct values.  Under
``--items KIND`` the counted items are written in the kind and pools hold
only its values.  Everything shrinks towards the small, counting case.

Discussion (sizes near an edge): the edge-sizes clause names failures that
*only* an empty source, ``maxlen`` 1 or an exact multiple of ``maxlen`` show.
The shrinker drives every failure towards such sizes (they are the smallest),
so a failure found at one says nothing by itself.  :meth:`Case.neighbours`
lists the nearby cases that are not edge sizes, each at least as large in
the two quantities that bugs grow with: the item count, and the items beyond
one buffer-full (``items - maxlen``); an injected sink failure is kept at the
same item and at the same distance from the end.  A failure is an edge-size
failure only if every neighbour holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

from spec.pipeline.values import Pool, pools, sizes

__all__ = ["Case", "cases"]

_FAILURES = ("sink", "source", "endless")
_SMALL_MAXLEN = 8
_MAX_MAXLEN = 1025
_MAX_ITEMS = 4096


@dataclass(frozen=True)
class Case:
    """One run: ``maxlen``; ``items`` (``None``: endless); the failure injected, if any.

    ``sink_fails_at`` is the item the sink raises on; ``source_fails`` makes
    the source raise after its items.  An endless source always comes with a
    failing sink, the only way such a run can end.  ``values`` is the pool
    the source cycles through (``None``: it counts ``0, 1, 2, ...``);
    ``kind`` the ``--items`` kind, which writes the counted items (``b'0',
    b'1' ...``) and says how items are told apart (see
    :class:`~spec.pipeline.harness.CountingSource`).
    """

    maxlen: int
    items: int | None = 0
    sink_fails_at: int | None = None
    source_fails: bool = False
    values: Pool | None = None
    kind: str = "any"

    def __str__(self) -> str:
        size = "an endless source" if self.items is None else _items(self.items)
        if self.values is not None:
            size += f" cycling through {self.values}"
        if self.source_fails:
            size += " then a source failure"
        fails = "" if self.sink_fails_at is None else f", the sink failing on item {self.sink_fails_at}"
        return f"{size}, maxlen {self.maxlen}{fails}"

    @property
    def source(self) -> str:
        """The source as a snippet builds it (``CountingSource(3, values=[None, 0])``)."""
        fail = ", fail=True" if self.source_fails else ""
        values = "" if self.values is None else f", values={self.values}"
        kind = "" if self.kind == "any" else f", kind={self.kind!r}"
        return f"CountingSource({self.items!r}{fail}{values}{kind})"

    @property
    def edge(self) -> str:
        """The edge sizes this case is at, in words (``""`` if none)."""
        edges = []
        if self.items == 0:
            edges.append("an empty source")
        elif self.items is not None and self.items % self.maxlen == 0 and self.maxlen > 1:
            edges.append(f"{_items(self.items)}, a multiple of maxlen")
        if self.maxlen == 1:
            edges.append("maxlen 1")
        return " and ".join(edges)

    @property
    def injected(self) -> bool:
        """Whether the sink or the source is made to fail."""
        return self.sink_fails_at is not None or self.source_fails

    def neighbours(self) -> tuple[Case, ...]:
        """Nearby cases that are not at an edge size (see the module's Discussion)."""
        found: list[Case] = []
        for more_maxlen in (0, 1, 2):
            maxlen = self.maxlen + more_maxlen
            if maxlen < 2:
                continue
            if self.items is None:
                assert self.sink_fails_at is not None
                at = sorted({self.sink_fails_at, self.sink_fails_at + more_maxlen})
                found += [replace(self, maxlen=maxlen, sink_fails_at=i) for i in at]
                continue
            for more_items in (more_maxlen, more_maxlen + 1):
                items = self.items + more_items
                if items % maxlen == 0:
                    continue
                if self.sink_fails_at is None:
                    found.append(replace(self, maxlen=maxlen, items=items))
                else:
                    at = sorted({self.sink_fails_at, self.sink_fails_at + more_items})
                    found += [replace(self, maxlen=maxlen, items=items, sink_fails_at=i) for i in at]
        return tuple(dict.fromkeys(found))

    def uninjected(self) -> tuple[Case, ...]:
        """Cases without the injected failure: the same sizes, and more items than ``maxlen + 1``.

        A target that fails one of these has a fault that shows without any
        failure, which is the one to report.
        """
        if self.items is not None:
            items = self.items
        else:
            assert self.sink_fails_at is not None
            items = self.sink_fails_at + 1
        return tuple(Case(self.maxlen, n, values=self.values, kind=self.kind) for n in (items, items + self.maxlen + 2))


def _items(count: int) -> str:
    return f"{count} item{'' if count == 1 else 's'}"


def _counts(maxlen: int, least: int, long: bool) -> st.SearchStrategy[int]:
    # Up to three buffer-fulls and a bit (small counts, exact multiples of
    # maxlen and counts in between all come often), or a long run.
    return sizes(least, _MAX_ITEMS, long=True) if long else st.integers(least, 3 * maxlen + 3)


@st.composite
def cases(draw: st.DrawFn, kind: str = "any") -> Case:
    """Cases to check (see the module's Discussion): half of them without a failure injected.

    ``kind`` is the ``--items`` kind: pools hold only its values.  Shrinks
    towards a plain run, ``maxlen`` 1, no items and a counting source.
    """
    failure = draw(st.sampled_from(_FAILURES)) if draw(st.booleans()) else None
    long = draw(st.integers(0, 3)) > 0  # Hypothesis favours 0: about half the cases are long
    maxlen = draw(sizes(1, _MAX_MAXLEN) if long else st.integers(1, _SMALL_MAXLEN))
    values = draw(st.one_of(st.none(), pools(kind)))
    if failure == "endless":
        return Case(maxlen, None, sink_fails_at=draw(_counts(maxlen, 0, long)), values=values, kind=kind)
    if failure == "sink":
        items = draw(_counts(maxlen, 1, long))
        return Case(maxlen, items, sink_fails_at=draw(st.integers(0, items - 1)), values=values, kind=kind)
    return Case(maxlen, draw(_counts(maxlen, 0, long)), source_fails=failure == "source", values=values, kind=kind)
