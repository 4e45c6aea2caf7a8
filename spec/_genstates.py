"""Generator states and their legal transitions, as data.

The four states are the strings :func:`inspect.getgeneratorstate` returns.
:data:`TRANSITIONS` is the one table of legal moves: the contract checks
observed changes against it, the reference implementation checks itself
against it, the tests read it and :func:`mermaid` draws it for the README.

Discussion: a call into a generator is observed from outside, before and
after.  Running is visible only from inside (``inspect.getgeneratorstate``
called from the generator's own body says ``GEN_RUNNING``).  So the table
holds the edges of the state machine, running included, and
:func:`after_one_call` derives what one call can do as seen from outside: one
edge that does not enter ``GEN_RUNNING``, or a pass through it.
"""

from __future__ import annotations

import enum

__all__ = ["LABELS", "TRANSITIONS", "GenState", "after_one_call", "mermaid"]


class GenState(enum.Enum):
    """A generator's state, named as :func:`inspect.getgeneratorstate` names it.

    ``GenState.parse`` also reads the coroutine and async generator spellings
    (``CORO_SUSPENDED``, ``AGEN_CLOSED``), which name the same four states.
    """

    GEN_CREATED = "GEN_CREATED"
    GEN_RUNNING = "GEN_RUNNING"
    GEN_SUSPENDED = "GEN_SUSPENDED"
    GEN_CLOSED = "GEN_CLOSED"

    @classmethod
    def parse(cls, text: str) -> GenState:
        """The state ``text`` names: ``GEN_X``, ``CORO_X`` or ``AGEN_X``; :class:`ValueError` otherwise."""
        prefix, _, suffix = text.partition("_")
        if prefix not in ("GEN", "CORO", "AGEN"):
            raise ValueError(f"{text!r} is not a generator, coroutine or async generator state")
        return cls(f"GEN_{suffix}")


CREATED, RUNNING, SUSPENDED, CLOSED = GenState

LABELS: dict[tuple[GenState, GenState], str] = {
    (CREATED, RUNNING): "next() or send(None)",
    (CREATED, CREATED): "send(v) with v not None raises TypeError",
    (CREATED, CLOSED): "close() or throw(e)",
    (RUNNING, SUSPENDED): "yield",
    (RUNNING, CLOSED): "return or raise",
    (SUSPENDED, RUNNING): "next(), send(v), throw(e), close()",
    (CLOSED, CLOSED): "next(), send(v), throw(e), close() change nothing",
}
"""Every legal transition, with what causes it (the diagram's edge labels).

Labels avoid ``:`` and ``;``, which Mermaid reads as syntax.
"""

TRANSITIONS: frozenset[tuple[GenState, GenState]] = frozenset(LABELS)
"""The legal transitions, as (from, to) pairs.  Nothing leads back to ``GEN_CREATED``."""


def after_one_call(before: GenState) -> frozenset[GenState]:
    """The states a generator in ``before`` can be in when one call into it returns or raises.

    A call takes one edge that does not enter ``GEN_RUNNING``, or runs the
    body: one edge into ``GEN_RUNNING`` and one out of it.  ``GEN_RUNNING``
    itself is never the answer: a call that returns has stopped running.
    """
    direct = {to for (frm, to) in TRANSITIONS if frm is before and to is not RUNNING}
    through = {to for (frm, to) in TRANSITIONS if frm is RUNNING} if (before, RUNNING) in TRANSITIONS else set()
    return frozenset(direct | through)


def mermaid() -> str:
    """The state diagram as a Mermaid ``stateDiagram-v2``, generated from :data:`LABELS`.

    Edges are listed in the order of the states' definition, so the text is
    stable; the README embeds it verbatim.
    """
    order = list(GenState)
    lines = ["stateDiagram-v2", f"    [*] --> {CREATED.value}: gen()"]
    for frm, to in sorted(LABELS, key=lambda pair: (order.index(pair[0]), order.index(pair[1]))):
        lines.append(f"    {frm.value} --> {to.value}: {LABELS[frm, to]}")
    return "\n".join(lines) + "\n"
