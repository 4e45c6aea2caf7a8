"""An immutable sequence for model states: O(1) to grow or shrink at either end, O(1) to hash.

The search keeps one model state per operation it has linearized on its
current path, and remembers the states of the configurations that failed.
A queue held as a tuple costs a copy of the whole queue at every step and
a pass over it at every look-up: a sequential history of n pushes and then
n pops costs n^2 in time and memory (10^5 operations would need gigabytes).
:class:`Seq` shares structure between a state and the next one instead.

Discussion (the representation): a banker's deque.  The items are the
*front* list (oldest first) followed by the *back* list reversed (newest
first); both are chains of immutable cells, so a push at the back or a pop
at the front makes one cell at most and shares the rest.  When the end a pop
needs is empty, the other list is reversed, once: the reversal is
remembered in the cell it started from, so the many states of a search
that share that cell share the reversal too.

Equality is by content: two sequences with the same items are equal
however they are split.  The hash is a polynomial hash of the items'
hashes (modulo the Mersenne prime 2^61 - 1), kept up to date in O(1) at
each step; sequences of different hashes are unequal at once, and those
whose hashes agree are compared item by item (so a hash collision costs
time, never a wrong answer).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import Any, Final, Self

__all__ = ["Seq"]

_P: Final = (1 << 61) - 1
_B: Final = 1_000_003
_B_INVERSE: Final = pow(_B, -1, _P)
_POWERS: list[int] = [1]  # _POWERS[n] == _B ** n % _P, grown on demand


def _power(n: int) -> int:
    while len(_POWERS) <= n:
        _POWERS.append(_POWERS[-1] * _B % _P)
    return _POWERS[n]


class _Cell:
    """A link of a chain: an item, the rest of the chain, and the chain reversed (once asked for)."""

    __slots__ = ("item", "rest", "reversed")

    def __init__(self, item: Hashable, rest: _Cell | None) -> None:
        self.item = item
        self.rest = rest
        self.reversed: _Cell | None = None


def _reverse(chain: _Cell) -> _Cell:
    if chain.reversed is None:
        out: _Cell | None = None
        cell: _Cell | None = chain
        while cell is not None:
            out = _Cell(cell.item, out)
            cell = cell.rest
        assert out is not None  # the chain had a cell
        chain.reversed = out
    return chain.reversed


class Seq:
    """An immutable sequence of hashable items (see the module docstring).

    ``first()``/``last()`` look at the ends; ``push(x)`` adds at the back;
    ``pop_first()``/``pop_last()`` drop an end; each is O(1) amortised.
    ``Seq.EMPTY`` is the empty one.  Iterating or ``tuple(seq)`` gives the
    items oldest first.
    """

    __slots__ = ("_back", "_front", "_hash", "_len")

    EMPTY: Seq

    _front: _Cell | None
    _back: _Cell | None
    _len: int
    _hash: int

    @classmethod
    def _make(cls, front: _Cell | None, back: _Cell | None, length: int, hashed: int) -> Self:
        seq = object.__new__(cls)
        seq._front, seq._back, seq._len, seq._hash = front, back, length, hashed
        return seq

    @classmethod
    def of(cls, items: Iterable[Hashable]) -> Seq:
        """The sequence of ``items``, oldest first."""
        seq = cls.EMPTY
        for item in items:
            seq = seq.push(item)
        return seq

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Seq):
            return NotImplemented
        return self._hash == other._hash and self._len == other._len and tuple(self) == tuple(other)

    def __iter__(self) -> Iterator[Hashable]:
        cell = self._front
        while cell is not None:
            yield cell.item
            cell = cell.rest
        if self._back is not None:
            yield from _items(_reverse(self._back))

    def __repr__(self) -> str:
        return f"Seq({list(self)!r})"

    def push(self, item: Hashable) -> Seq:
        """The sequence with ``item`` added at the back."""
        return Seq._make(self._front, _Cell(item, self._back), self._len + 1, (self._hash * _B + hash(item)) % _P)

    def first(self) -> Any:
        """The oldest item; :class:`IndexError` if empty."""
        if self._front is not None:
            return self._front.item
        if self._back is None:
            raise IndexError("first() of an empty Seq")
        return _reverse(self._back).item

    def last(self) -> Any:
        """The newest item; :class:`IndexError` if empty."""
        if self._back is not None:
            return self._back.item
        if self._front is None:
            raise IndexError("last() of an empty Seq")
        return _reverse(self._front).item

    def pop_first(self) -> Seq:
        """The sequence without its oldest item; :class:`IndexError` if empty."""
        item = self.first()
        hashed = (self._hash - hash(item) * _power(self._len - 1)) % _P
        if self._front is not None:
            return Seq._make(self._front.rest, self._back, self._len - 1, hashed)
        assert self._back is not None  # first() found an item
        return Seq._make(_reverse(self._back).rest, None, self._len - 1, hashed)

    def pop_last(self) -> Seq:
        """The sequence without its newest item; :class:`IndexError` if empty."""
        item = self.last()
        hashed = (self._hash - hash(item)) * _B_INVERSE % _P
        if self._back is not None:
            return Seq._make(self._front, self._back.rest, self._len - 1, hashed)
        assert self._front is not None  # last() found an item
        return Seq._make(None, _reverse(self._front).rest, self._len - 1, hashed)


def _items(cell: _Cell | None) -> Iterator[Hashable]:
    while cell is not None:
        yield cell.item
        cell = cell.rest


Seq.EMPTY = Seq._make(None, None, 0, 0)
