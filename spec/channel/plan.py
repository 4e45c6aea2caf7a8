"""The programs the channel contract runs: producers, consumers, one channel.

A program is a capacity, one to three producers (``p``, ``q``, ``r``), each
putting its own items (``"p0"``, ``"p1"`` ...), and one to three consumers
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
instead of its strings: repeated, falsy, unhashable and equal-but-distinct
items, which the oracle tells apart by identity.  Everything shrinks towards
the short program of strings.

Every task logs what it sees, in one list: ``("put", item)`` when a ``put``
returns, ``("got", item)`` when a ``get`` returns, ``("closed", producer)``
after ``close()``, ``("end", consumer)`` when ``get()`` raised ``EOFError``.
The oracle's tasks and the report's snippet log the same way, so that the
snippet's final assertion reads the same evidence the oracle judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from spec.pipeline import Pool, pools, sizes

__all__ = ["CONSUMERS", "PRODUCERS", "ChannelProgram", "channel_programs", "render_channel_tasks", "render_items"]

_LONG_CAPACITY = 130
_LONG_PUTS = 400
_LITERAL_ITEMS = 6  # a producer with more items is rendered as a comprehension

PRODUCERS = "pqr"
CONSUMERS = "cde"


@dataclass(frozen=True)
class ChannelProgram:
    """One program: ``puts[i]`` items by producer ``PRODUCERS[i]``, ``consumers`` consumers.

    ``order`` is the spawn order of every task, by name; ``pauses`` the
    names of the tasks that yield after each operation; ``values`` the pool
    producer ``p`` cycles through instead of putting strings.
    """

    capacity: int
    puts: tuple[int, ...]
    consumers: int
    order: tuple[str, ...]
    pauses: frozenset[str] = frozenset()
    values: Pool | None = None

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
        for producer in self.producers:
            n = self.count(producer)
            if producer == PRODUCERS[0] and self.values is not None:
                pool = self.values.build()
                built[producer] = [pool[k % len(pool)] for k in range(n)]
            else:
                built[producer] = [f"{producer}{k}" for k in range(n)]
        return built

    def __repr__(self) -> str:
        pauses = f", pauses={''.join(sorted(self.pauses))!r}" if self.pauses else ""
        values = f", values={self.values!r}" if self.values is not None else ""
        return (
            f"ChannelProgram(capacity={self.capacity}, puts={self.puts}, consumers={self.consumers}, "
            f"order={''.join(self.order)!r}{pauses}{values})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints the short form too


@st.composite
def channel_programs(draw: st.DrawFn) -> ChannelProgram:
    """Short or long programs (see the module's Discussion), any spawn order and pauses.

    Shrinks towards capacity 1, one producer of few strings, one consumer,
    producers spawned first, no pauses.
    """
    long = draw(st.integers(0, 3), label="long") > 0  # Hypothesis favours 0: about half are long
    capacity = draw(sizes(1, _LONG_CAPACITY) if long else st.integers(1, 3), label="capacity")
    count = sizes(0, _LONG_PUTS, long=True) if long else st.integers(0, 5)
    puts = tuple(draw(st.lists(count, min_size=1, max_size=3), label="puts"))
    consumers = draw(st.integers(1, 3), label="consumers")
    names = (*PRODUCERS[: len(puts)], *CONSUMERS[:consumers])
    order = tuple(draw(st.permutations(names), label="order"))
    pauses = frozenset(draw(st.sets(st.sampled_from(names)), label="pauses"))
    values = draw(st.one_of(st.none(), pools()), label="values")
    return ChannelProgram(capacity, puts, consumers, order, pauses, values)


def render_items(program: ChannelProgram) -> tuple[str, ...]:
    """Lines that make ``items``: what each producer puts, the same objects as :meth:`ChannelProgram.build`."""
    lines = []
    listed = []
    for producer in program.producers:
        n = program.count(producer)
        if producer == PRODUCERS[0] and program.values is not None:
            lines.append(f"{producer}_values = {program.values}")
            listed.append(f"{producer!r}: [{producer}_values[k % {len(program.values.spellings)}] for k in range({n})]")
        elif n <= _LITERAL_ITEMS:
            listed.append(f"{producer!r}: {[f'{producer}{k}' for k in range(n)]!r}")
        else:
            listed.append(f"{producer!r}: [f'{producer}{{k}}' for k in range({n})]")
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
