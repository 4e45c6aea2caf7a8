"""The programs the channel contract runs: producers, consumers, one channel.

A program is a capacity, one to three producers (``p``, ``q``, ``r``), each
putting its own items (``"p0"``, ``"p1"`` ...; under ``--items bytes``
``b"p0"``, under ``int`` ``0, 1 ...`` for ``p`` and ``10, 11 ...`` for ``q``,
``0.5 ...`` under ``float``), and one to three consumers
(``c``, ``d``, ``e``) that get items until ``get()`` raises ``EOFError``.  The
last producer to finish closes the channel.  Tasks are spawned in a drawn
order, and a *pausing* task yields once more after each of its operations, so
that the interleavings vary.

Every task logs what it sees, in one list: ``("put", item)`` when a ``put``
returns, ``("got", item)`` when a ``get`` returns, ``("closed", producer)``
after ``close()``, ``("end", consumer)`` when ``get()`` raised ``EOFError``.
The oracle's tasks and the report's snippet log the same way, so that the
snippet's final assertion reads the same evidence the oracle judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

__all__ = ["CONSUMERS", "ITEM_KINDS", "PRODUCERS", "ChannelProgram", "channel_programs", "render_channel_tasks"]

PRODUCERS = "pqr"
CONSUMERS = "cde"


def _labelled(producer: str, k: int) -> object:
    return f"{producer}{k}"


ITEM_KINDS: Mapping[str, Callable[[str, int], object]] = {
    "any": _labelled,
    "str": _labelled,
    "hashable": _labelled,
    "picklable": _labelled,
    "bytes": lambda producer, k: f"{producer}{k}".encode(),
    "int": lambda producer, k: 10 * PRODUCERS.index(producer) + k,
    "float": lambda producer, k: 10 * PRODUCERS.index(producer) + k + 0.5,
}
"""Item ``k`` of a producer under each ``--items`` kind the channel contract takes."""


@dataclass(frozen=True)
class ChannelProgram:
    """One program: ``puts[i]`` items by producer ``PRODUCERS[i]``, ``consumers`` consumers.

    ``order`` is the spawn order of every task, by name; ``pauses`` the
    names of the tasks that yield after each operation; ``kind`` the
    ``--items`` kind of the items put (see :data:`ITEM_KINDS`).
    """

    capacity: int
    puts: tuple[int, ...]
    consumers: int
    order: tuple[str, ...]
    pauses: frozenset[str] = frozenset()
    kind: str = "any"

    @property
    def producers(self) -> tuple[str, ...]:
        return tuple(PRODUCERS[: len(self.puts)])

    @property
    def consumer_names(self) -> tuple[str, ...]:
        return tuple(CONSUMERS[: self.consumers])

    def items(self, producer: str) -> tuple[object, ...]:
        """What ``producer`` puts, in order."""
        item = ITEM_KINDS[self.kind]
        return tuple(item(producer, k) for k in range(self.puts[PRODUCERS.index(producer)]))

    @property
    def all_items(self) -> tuple[object, ...]:
        return tuple(item for producer in self.producers for item in self.items(producer))

    def __repr__(self) -> str:
        pauses = f", pauses={''.join(sorted(self.pauses))!r}" if self.pauses else ""
        kind = f", kind={self.kind!r}" if self.kind != "any" else ""
        return (
            f"ChannelProgram(capacity={self.capacity}, puts={self.puts}, consumers={self.consumers}, "
            f"order={''.join(self.order)!r}{pauses}{kind})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis prints the short form too


@st.composite
def channel_programs(draw: st.DrawFn) -> ChannelProgram:
    """Capacity 1-3, 1-3 producers of 0-5 items, 1-3 consumers, any spawn order and pauses.

    Shrinks towards capacity 1, one producer of few items, one consumer,
    producers spawned first, no pauses.
    """
    capacity = draw(st.integers(1, 3), label="capacity")
    puts = tuple(draw(st.lists(st.integers(0, 5), min_size=1, max_size=3), label="puts"))
    consumers = draw(st.integers(1, 3), label="consumers")
    names = (*PRODUCERS[: len(puts)], *CONSUMERS[:consumers])
    order = tuple(draw(st.permutations(names), label="order"))
    pauses = frozenset(draw(st.sets(st.sampled_from(names)), label="pauses"))
    return ChannelProgram(capacity, puts, consumers, order, pauses)


def render_channel_tasks(program: ChannelProgram) -> tuple[str, ...]:
    """The program's producers and consumers as source lines (after ``ch`` and ``log`` exist)."""
    lines = [f"producing = {list(program.producers)!r}"]
    for producer in program.producers:
        lines += [
            f"def {producer}():",
            f"    for item in {list(program.items(producer))!r}:",
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
