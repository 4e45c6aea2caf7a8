"""The state diagram of generators, drawn from :data:`impl.genlang.LABELS` for the README."""

from __future__ import annotations

from impl.genlang import LABELS, GenState

__all__ = ["mermaid"]


def mermaid() -> str:
    """The state diagram as a Mermaid ``stateDiagram-v2``, generated from :data:`LABELS`.

    Edges are listed in the order of the states' definition, so the text is
    stable; the README embeds it verbatim.
    """
    order = list(GenState)
    lines = ["stateDiagram-v2", f"    [*] --> {GenState.GEN_CREATED.value}: gen()"]
    for frm, to in sorted(LABELS, key=lambda pair: (order.index(pair[0]), order.index(pair[1]))):
        lines.append(f"    {frm.value} --> {to.value}: {LABELS[frm, to]}")
    return "\n".join(lines) + "\n"
