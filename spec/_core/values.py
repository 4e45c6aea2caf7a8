"""Value strategies that exercise identity, equality and sentinels, and sizes that cross edges.

A contract is only as good as the values it tries.  Small distinct ints hide
whole families of bugs, so the strategies here draw what working code gets
wrong:

* **sentinels**: ``None``, ``False``, ``0``, ``0.0``, empty containers, which
  code that tests ``if not item`` or ``item is None`` mistakes for "nothing";
* **equal but not the same**: ``1`` next to ``True`` and ``1.0``, ``0`` next
  to ``False`` and ``-0.0``, and objects built at run time that are equal and
  distinct (big ints, strings, tuples, bytes), which code that compares with
  ``==``, keys a dict by item or interns values confuses;
* **not equal to itself**: NaN, which code that finds an item again with
  ``==`` loses;
* **mutable and unhashable**: lists, dicts, sets, bytearrays, a plain
  namespace object and a tuple that holds a list, which code that hashes
  items rejects and code that copies "to be safe" returns as a copy (a deep
  copy leaves a tuple of atoms as it is, but not one with a list inside);
* **repeats**: the pools are small, so equal values come again and again
  (code that drops a value it has seen is caught), and the contracts push the
  very same object twice.

Snippets must reproduce identity: ``x1 = 10**20`` written twice in one module
may compile to one constant, so :func:`spelling` gives, for each value that
is distinct by construction, source text that builds a fresh equal object at
run time (``int('100000000000000000000')``).

Sizes (:func:`sizes`): bugs live at growth points and bounds (capacities 8,
16, 64 ..., a compaction every 32 or 100 operations, a limit of 40), and
recursion fails a thousand frames deep, so sizes come mostly from the edges:
powers of two and their neighbours, multiples of small numbers, round bounds,
and a few thousand.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from hypothesis import strategies as st

__all__ = ["EDGE_SIZES", "MAX_SIZE", "container_items", "sizes", "spelling"]

MAX_SIZE = 4097
"""The largest size :func:`sizes` draws: past 2**12, and past the default recursion limit four times over."""

EDGE_SIZES: tuple[int, ...] = tuple(
    sorted(
        {2**k + d for k in range(2, 13) for d in (-1, 0, 1)}
        | {m * k for m in (3, 5, 7, 10) for k in (2, 3, 5, 7, 10)}
        | {40, 48, 96, 100, 101, 200, 256, 500, 1000, 1001, 1024, 1500, 2000, 3000, MAX_SIZE}
    )
)
"""Sizes where structures change shape: powers of two and their neighbours, multiples of small numbers, bounds."""

# Strings of digits for big ints: int(text) builds a new object every time.
_BIG = ("100000000000000000000", "18446744073709551616", "-9223372036854775809")


def _fresh_str(text: str) -> str:
    return "".join(list(text))  # a new str object (for two characters or more)


def _fresh_tuple(values: tuple[object, ...]) -> tuple[object, ...]:
    return (*values,)  # a new tuple object, equal to the constant


def _fresh_bytes(values: tuple[int, ...]) -> bytes:
    return bytes(values)


def container_items() -> st.SearchStrategy[object]:
    """Items for a queue or stack: the default ("any") draw of both contracts.

    Simplest first, so that failures shrink to small ints: small ints, then
    singletons and sentinels, numbers equal across types, objects equal but
    distinct, and mutable, unhashable containers (see the module docstring).
    """
    return st.one_of(
        st.integers(0, 9),
        st.sampled_from([None, False, True]),
        st.sampled_from([0.0, -0.0, 1.0, math.nan, math.inf]),
        st.sampled_from(_BIG).map(int),
        st.sampled_from(["ab", "ab", "xyz"]).map(_fresh_str),
        st.sampled_from([(1, 2), (None,), ("ab", 0)]).map(_fresh_tuple),
        st.sampled_from([(97, 98), (0,)]).map(_fresh_bytes),
        st.lists(st.integers(0, 9), max_size=2),
        st.lists(st.integers(0, 9), max_size=1).map(lambda parts: (parts,)),
        st.sampled_from([(), (("a", 0),)]).map(dict),
        st.sampled_from([(), (0,)]).map(set),
        st.sampled_from([b"", b"a"]).map(bytearray),
        st.integers(0, 1).map(lambda n: SimpleNamespace(n=n)),
        st.sampled_from(["", b"", ()]),
    )


def spelling(value: object) -> tuple[str, str] | None:
    """Source text that builds a fresh object equal to ``value``, and the import it needs.

    Only for values whose identity a snippet must reproduce and whose
    literal would not (big ints, strings and bytes of two or more, tuples,
    namespaces); ``None`` for everything else, whose repr or literal does.
    The import is ``""`` when none is needed.
    """
    kind = type(value)
    if kind is int and not -5 <= value <= 256:  # type: ignore[operator]
        return f"int({str(value)!r})", ""
    if isinstance(value, str | bytes | tuple) and kind in (str, bytes, tuple) and len(value) >= (kind is not tuple) + 1:
        parts = list(value)
        return (f"{kind.__name__}({parts!r})" if kind is not str else f"''.join({parts!r})"), ""
    if isinstance(value, SimpleNamespace):
        return f"SimpleNamespace(n={value.n!r})", "from types import SimpleNamespace"
    return None


_SMALL_EDGES = tuple(size for size in EDGE_SIZES if size <= 300)
_LARGE_EDGES = tuple(size for size in EDGE_SIZES if size > 300)
_SIZE_KINDS = (
    st.integers(0, 10),
    st.sampled_from(_SMALL_EDGES),
    st.integers(0, 100),
    st.sampled_from(_SMALL_EDGES),
    st.sampled_from(_LARGE_EDGES),
)


@st.composite
def _sizes(draw: st.DrawFn) -> int:
    # The kind is drawn from 0-39 and a large edge is kind 20: Hypothesis
    # draws the ends of a range more often than its middle, and large sizes
    # must stay rare.
    kind = draw(st.integers(0, 39))
    return draw(_SIZE_KINDS[4 if kind == 20 else kind % 4])


def sizes() -> st.SearchStrategy[int]:
    """A size to grow or shrink to: mostly small or an edge up to 300, now and then an edge up to :data:`MAX_SIZE`.

    Long programs are expensive (each item is a few calls), so one size in
    forty is a large edge: a bounded share of long programs alongside the
    many short ones.
    """
    return _sizes()
