"""Values and sizes for the given-based contracts: what items are, and how many.

Distinct small ints hide whole families of bugs, so a source (and the channel
contract's producers) may cycle through a *pool* of values drawn from
:data:`SPELLINGS`:

* sentinels that code mistakes for "nothing": ``None``, ``0``, ``False``,
  ``''``, ``-0.0``, an empty dict;
* values equal across types: ``1`` and ``True``, ``0``, ``False`` and
  ``-0.0``, which code that compares with ``==`` or keys a set by item
  confuses;
* objects equal but distinct: each big int, string or NaN in a pool is built
  afresh, so two entries with the same spelling are two objects (NaN is not
  even equal to itself);
* mutable, unhashable containers: a list, a dict;
* repeats: a pool is short and cycled, so the very same object comes again
  every ``len(pool)`` items, which code that drops a value it has seen loses.

A pool is kept as the Python source of its entries, so that a snippet builds
the same objects with the same identities (``int('1' * 25)`` twice is two
objects, ``-0.0`` twice one constant, in the oracle as in the snippet).

Under ``--items KIND`` (see :mod:`spec._core.options`) a pool holds only
values of that kind (:data:`KIND_SPELLINGS`): ``int`` draws from ``0``,
``1`` and a big int, ``bytes`` from ``b''`` and a built bytes, ``hashable``
leaves out the list and the dict.  Under the kinds of plain values
(``bytes``, ``str``, ``int``, ``float``: :data:`~spec._core.options.BY_VALUE`)
items are told apart by value (:func:`key_of`), since equal values of those
types may or may not be one object: a target that carries them as copies
(through a pipe, say) is right to.

Sizes (:func:`sizes`): bugs live at growth points and bounds (8, 16, 64 ...,
a limit of 40, a compaction every 32 operations) and recursion fails about a
thousand frames deep.  So a size is drawn log-uniformly or picked from the
edges (powers of two and their neighbours, round bounds).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from hypothesis import strategies as st

from spec._core.options import BY_VALUE
from spec._core.program import literal

__all__ = ["KIND_SPELLINGS", "SPELLINGS", "Pool", "by_value", "edge_sizes", "key_of", "pools", "sizes"]

_BUILDERS: dict[str, Callable[[], object]] = {
    "0": lambda: 0,
    "None": lambda: None,
    "False": lambda: False,
    "''": lambda: "",
    "1": lambda: 1,
    "True": lambda: True,
    "-0.0": lambda: -0.0,
    "int('1' * 25)": lambda: int("1" * 25),
    "'-'.join('ab')": lambda: "-".join("ab"),
    "float('nan')": lambda: float("nan"),
    "[0]": lambda: [0],
    "{}": dict,
    "b''": lambda: b"",
    "'-'.join('ab').encode()": lambda: "-".join("ab").encode(),
}
SPELLINGS = tuple(_BUILDERS)[:12]
"""The pool entries of the default draw (``--items any``), simplest first (a failing pool shrinks towards ``[0]``)."""

KIND_SPELLINGS: Mapping[str, tuple[str, ...]] = {
    "any": SPELLINGS,
    "picklable": SPELLINGS,
    "hashable": tuple(s for s in SPELLINGS if s not in ("[0]", "{}")),
    "int": ("0", "1", "int('1' * 25)"),
    "float": ("-0.0", "float('nan')"),
    "str": ("''", "'-'.join('ab')"),
    "bytes": ("b''", "'-'.join('ab').encode()"),
}
"""The pool entries under each ``--items`` kind: the values of :data:`SPELLINGS` of that kind, and bytes for bytes."""


@dataclass(frozen=True)
class Pool:
    """Values to cycle through, as Python source (entries of :data:`SPELLINGS`).

    :meth:`build` makes the objects, each entry afresh; ``str(pool)`` is a
    list display that builds the same objects in a snippet.
    """

    spellings: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [s for s in self.spellings if s not in _BUILDERS]
        if unknown or not self.spellings:
            raise ValueError(f"a pool needs entries of SPELLINGS or KIND_SPELLINGS, got {self.spellings!r}")

    def build(self) -> list[object]:
        """The pool's objects, built now."""
        return [_BUILDERS[spelling]() for spelling in self.spellings]

    def __str__(self) -> str:
        return f"[{', '.join(self.spellings)}]"


@functools.cache
def pools(kind: str = "any") -> st.SearchStrategy[Pool]:
    """Pools of one to four entries of the ``--items`` ``kind``, repeats allowed; shrinks towards the kind's first."""
    return st.lists(st.sampled_from(KIND_SPELLINGS[kind]), min_size=1, max_size=4).map(lambda s: Pool(tuple(s)))


def by_value(value: object) -> Hashable:
    """What tells plain values apart by value: their literal (``b'0'``, ``-0.0``), else the object's identity.

    Only plain ints, floats, strs, bytes, bools and ``None`` are read (no
    code of another object's runs); every NaN is one value.
    """
    text = literal(value)
    return ("object", id(value)) if text is None else text


def key_of(kind: str) -> Callable[[object], Hashable]:
    """How items of the ``--items`` ``kind`` are told apart: :func:`by_value` for plain values, else :func:`id`."""
    return by_value if kind in BY_VALUE else id


def edge_sizes(least: int, most: int) -> tuple[int, ...]:
    """Powers of two and their neighbours, and round bounds, between ``least`` and ``most``."""
    edges = {2**k + d for k in range(1, 13) for d in (-1, 0, 1)} | {40, 41, 100, 1000, 1001}
    return tuple(sorted(n for n in edges if least <= n <= most))


_STEPS_PER_DOUBLING = 64


@functools.cache  # one strategy per range: building one anew per draw costs more than the draw
def sizes(least: int, most: int, *, long: bool = False) -> st.SearchStrategy[int]:
    """Sizes from ``least`` to ``most``: log-uniform, or an edge size; shrinking towards ``least``.

    One integer ``u`` is drawn and mapped to ``least + 2**(u/64) - 1`` (rounded):
    every doubling of the size comes as often as the others (sizes drawn
    uniformly up to ``most`` would nearly all be large, and Hypothesis's own
    bias nearly all small), the map is monotone so a failing size shrinks to
    the smallest that fails (exactly below about 90, within 1 % above), and
    every size up to about 90 can be drawn.  A third of the draws are edge
    sizes instead.  ``long`` starts at ``least + 127`` (edges from ``least +
    128``): then every run is long.
    """
    top = math.ceil(_STEPS_PER_DOUBLING * math.log2(most - least + 1))
    start = 7 * _STEPS_PER_DOUBLING if long else 0
    spread = st.integers(min(start, top), top).map(
        lambda u: min(most, least + round(2 ** (u / _STEPS_PER_DOUBLING)) - 1)
    )
    edges = edge_sizes(least + 128 if long else least, most)
    return st.one_of(spread, spread, st.sampled_from(edges)) if edges else spread
