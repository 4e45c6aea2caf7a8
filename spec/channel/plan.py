"""The programs the channel contract runs: producers, consumers, one channel.

A program is a capacity, one to three producers (``p``, ``q``, ``r``), each
putting its own items (``"p0"``, ``"p1"`` ...; under ``--items bytes``
``b"p0"``, under ``int`` ``0, 1 ...`` for ``p`` and ``1000, 1001 ...`` for
``q``, ``0.5 ...`` under ``float``), and one to three consumers
(``c``, ``d``, ``e``) that get items until ``get()`` raises ``EOFError``.  The
last producer to finish closes the channel.  Tasks are spawned in a drawn
order, and a *pausing* task yields once more after each of its operations, so
that the interleavings vary.

Discussion (what is drawn): half the programs are short (capacity 1 to 3,
up to 5 items per producer), where most faults show and reports are short;
the others are long: capacity up to 130 (log-uniform, or an edge such as 40,
64, 65, 128), 127 to 400 items per producer, so that a channel that fails
past a growth point, at a bound of 64 or after a few dozen operations is met
at every seed.  In half the programs producer ``p`` cycles through a drawn
:class:`~spec.pipeline.Pool` (``None``, ``0``, ``False``, ``''``, ``1``,
``True``, equal-but-distinct big ints and strings, NaN, ``[0]``, ``{}``)
instead of its own items: repeated, falsy, unhashable and equal-but-distinct
items, which the oracle tells apart by identity.  Under ``--items KIND`` the
pool holds values of that kind only (:data:`~spec.pipeline.KIND_SPELLINGS`),
and under ``bytes``, ``str``, ``int`` and ``float`` items are told apart by
value (:func:`~spec.pipeline.key_of`): equal values of those types may or may
not be one object.  Everything shrinks towards the short program of strings.

Every task logs what it sees, in one list: ``("put", item)`` when a ``put``
returns, ``("got", item)`` when a ``get`` returns, ``("closed", producer)``
after ``close()``, ``("end", consumer)`` when ``get()`` raised ``EOFError``.
The oracle's tasks and the report's snippet log the same way, so that the
snippet's final assertion reads the same evidence the oracle judged.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from spec._core.options import BY_VALUE
from spec.pipeline import Pool, key_of, pools, sizes

__all__ = [
    "CONSUMERS",
    "ITEM_KINDS",
    "PRODUCERS",
    "ChannelProgram",
    "channel_programs",
    "render_channel_tasks",
    "render_items",
]

_LONG_CAPACITY = 130
_LONG_PUTS = 400
_LITERAL_ITEMS = 6  # a producer with more items is rendered as a comprehension

PRODUCERS = "pqr"
CONSUMERS = "cde"


_BASE = 1000  # more than a producer ever puts: the ints of two producers never meet


def _labelled(producer: str, k: int) -> object:
    return f"{producer}{k}"


ITEM_KINDS: Mapping[str, Callable[[str, int], object]] = {
    "any": _labelled,
    "str": _labelled,
    "hashable": _labelled,
    "picklable": _labelled,
    "bytes": lambda producer, k: f"{producer}{k}".encode(),
    "int": lambda producer, k: _BASE * PRODUCERS.index(producer) + k,
    "float": lambda producer, k: _BASE * PRODUCERS.index(producer) + k + 0.5,
}
"""Item ``k`` of a producer under each ``--items`` kind the channel contract takes."""

# The same items as source, for a snippet's comprehension over k ({p}: the producer, {base}: its first int).
_SOURCES: Mapping[str, str] = {
    "any": "f'{p}{{k}}'",
    "str": "f'{p}{{k}}'",
    "hashable": "f'{p}{{k}}'",
    "picklable": "f'{p}{{k}}'",
    "bytes": "f'{p}{{k}}'.encode()",
    "int": "{base} + k",
    "float": "{base} + k + 0.5",
}


@dataclass(frozen=True)
class ChannelProgram:
    """One program: ``puts[i]`` items by producer ``PRODUCERS[i]``, ``consumers`` consumers.

    ``order`` is the spawn order of every task, by name; ``pauses`` the
    names of the tasks that yield after each operation; ``values`` the pool
    producer ``p`` cycles through instead of its own items; ``kind`` the
    ``--items`` kind of the items put (see :data:`ITEM_KINDS`; a pool then
    holds values of that kind only).
    """

    capacity: int
    puts: tuple[int, ...]
    consumers: int
    order: tuple[str, ...]
    pauses: frozenset[str] = frozenset()
    values: Pool | None = None
    kind: str = "any"

    @property
    def producers(self) -> tuple[str, ...]:
        return tuple(PRODUCERS[: len(self.puts)])

    @property
    def consumer_names(self) -> tuple[str, ...]:
        return tuple(CONSUMERS[: self.consumers])

    def count(self, producer: str) -> int:
        """How many items ``producer`` puts."""
        return self.puts[PRODUCERS.index(producer)]

    def build(self) -> dict[str, list[object]]:
        """What each producer puts, in order, as objects made now (the pool's afresh)."""
        built: dict[str, list[object]] = {}
        item = ITEM_KINDS[self.kind]
        for producer in self.producers:
            n = self.count(producer)
            if producer == PRODUCERS[0] and self.values is not None:
                pool = self.values.build()
                built[producer] = [pool[k % len(pool)] for k in range(n)]
            else:
                built[producer] = [item(producer, k) for k in range(n)]
        return built

    @property
    def key(self) -> Callable[[object], Hashable]:
        """What tells items apart: identity, or their value under ``--items`` of plain values (see :func:`key_of`)."""
        return key_of(self.kind)

    @property
    def key_source(self) -> str:
        """The name a snippet calls :attr:`key` by: ``id``, or ``key`` (which :func:`render_items` defines)."""
        return "key" if self.kind in BY_VALUE else "id"

    def __repr__(self) -> str:
        pauses = f", pauses={''.join(sorted(self.pauses))!r}" if self.pauses else ""
        values = f", values={self.values!r}" if self.values is not None else ""
        kind = f", kind={self.kind!r}" if self.kind != "any" else ""
        return (
            f"ChannelProgram(capacity={self.capacity}, puts={self.puts}, consumers={self.consumers}, "
            f"order={''.join(self.order)!r}{pauses}{values}{kind})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints the short form too


@st.composite
def channel_programs(draw: st.DrawFn, kind: str = "any") -> ChannelProgram:
    """Short or long programs (see the module's Discussion), any spawn order and pauses.

    ``kind`` is the ``--items`` kind: what producers put, and what a pool
    holds.  Shrinks towards capacity 1, one producer of few items, one
    consumer, producers spawned first, no pauses.
    """
    long = draw(st.integers(0, 3), label="long") > 0  # Hypothesis favours 0: about half are long
    capacity = draw(sizes(1, _LONG_CAPACITY) if long else st.integers(1, 3), label="capacity")
    count = sizes(0, _LONG_PUTS, long=True) if long else st.integers(0, 5)
    puts = tuple(draw(st.lists(count, min_size=1, max_size=3), label="puts"))
    consumers = draw(st.integers(1, 3), label="consumers")
    names = (*PRODUCERS[: len(puts)], *CONSUMERS[:consumers])
    order = tuple(draw(st.permutations(names), label="order"))
    pauses = frozenset(draw(st.sets(st.sampled_from(names)), label="pauses"))
    values = draw(st.one_of(st.none(), pools(kind)), label="values")
    return ChannelProgram(capacity, puts, consumers, order, pauses, values, kind)


# A snippet's key under --items of plain values: as spec.pipeline.values.by_value tells them apart.
_KEY = "key = lambda x: repr(x) if type(x) in (bytes, str, int, float) else id(x)"


def render_items(program: ChannelProgram) -> tuple[str, ...]:
    """Lines that make ``items`` (and ``key``), the same objects as :meth:`ChannelProgram.build`."""
    lines = [_KEY] if program.key_source == "key" else []
    listed = []
    item = ITEM_KINDS[program.kind]
    for producer in program.producers:
        n = program.count(producer)
        if producer == PRODUCERS[0] and program.values is not None:
            lines.append(f"{producer}_values = {program.values}")
            listed.append(f"{producer!r}: [{producer}_values[k % {len(program.values.spellings)}] for k in range({n})]")
        elif n <= _LITERAL_ITEMS:
            listed.append(f"{producer!r}: {[item(producer, k) for k in range(n)]!r}")
        else:
            base = _BASE * PRODUCERS.index(producer)
            listed.append(f"{producer!r}: [{_SOURCES[program.kind].format(p=producer, base=base)} for k in range({n})]")
    lines.append(f"items = {{{', '.join(listed)}}}")
    return tuple(lines)


def render_channel_tasks(program: ChannelProgram) -> tuple[str, ...]:
    """The program's producers and consumers as source lines (after ``ch``, ``log`` and ``items`` exist)."""
    lines = [f"producing = {list(program.producers)!r}"]
    for producer in program.producers:
        lines += [
            f"def {producer}():",
            f"    for item in items[{producer!r}]:",
            "        yield from ch.put(item)",
            "        log.append(('put', item))",
        ]
        if producer in program.pauses:
            lines.append("        yield")
        lines += [
            f"    producing.remove({producer!r})",
            "    if not producing:",
            "        ch.close()",
            f"        log.append(('closed', {producer!r}))",
        ]
    for consumer in program.consumer_names:
        lines += [
            f"def {consumer}():",
            "    while True:",
            "        try:",
            "            item = yield from ch.get()",
            "        except EOFError:",
            f"            log.append(('end', {consumer!r}))",
            "            return",
            "        log.append(('got', item))",
        ]
        if consumer in program.pauses:
            lines.append("        yield")
    return tuple(lines)
