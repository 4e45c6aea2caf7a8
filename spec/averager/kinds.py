"""What the averager contract sends under ``--items``: a kind of real number, or a strategy.

=============  =============================================  =====================
kind           sent by ``send``                               NaN and infinities
=============  =============================================  =====================
``any``        finite floats, ints beyond ``2**53``,           sent (``send_nonfinite``)
               Fractions, bools (:func:`finite_reals`)
``int``        ints, up to ``2**70`` in size                   not sent: NaN and
                                                               infinity not judged
``float``      finite floats                                   sent
module:attr    what the strategy draws (each must be an        sent only if drawn
               int, float, Fraction or bool)
=============  =============================================  =====================

The values ``send_bad`` sends are not real numbers on purpose (the input
clause), whatever the kind.  The independence probe (see
:mod:`spec.averager.machine`) sends two values of the kind: the ints ``2`` and
``10**16 + 1`` for ``any`` and ``int``, ``2.0`` and ``1e16`` for ``float``, and
the simplest value a strategy draws, twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import hypothesis
from hypothesis import strategies as st

from spec._core.errors import OptionError
from spec._core.options import STRATEGY, Options
from spec.averager.machine import INFINITY, NAN, PROBE

__all__ = ["ITEM_KINDS", "AveragerPlan", "averager_plan", "averager_unjudged"]

_LIMIT = 1e300

ITEM_KINDS = ("any", "int", "float", STRATEGY)
"""The ``--items`` the averager contract takes."""

_DRAWS: Mapping[str, st.SearchStrategy[Any]] = {
    "int": st.integers(min_value=-(2**70), max_value=2**70),
    "float": st.floats(min_value=-_LIMIT, max_value=_LIMIT),
}
_PROBES: Mapping[str, tuple[Any, ...]] = {"int": PROBE, "float": (2.0, 1e16, 2.0)}
_REALS = (int, float, Fraction, bool)


@dataclass(frozen=True)
class AveragerPlan:
    """What to send: ``values`` (``send``), the ``probe`` values, and whether ``send_nonfinite`` runs."""

    values: st.SearchStrategy[Any]
    probe: tuple[Any, ...]
    nonfinite: bool


def averager_plan(options: Options) -> AveragerPlan | None:
    """The plan for ``options``' ``--items``; ``None`` for the default (the machine's own draws)."""
    kind = options.items.kind
    if kind == "any":
        return None
    if kind != STRATEGY:
        return AveragerPlan(_DRAWS[kind], _PROBES[kind], nonfinite=kind == "float")
    strategy = options.items.strategy
    assert strategy is not None
    values = strategy.map(_real)
    try:
        simplest = hypothesis.find(
            values,
            lambda _: True,
            settings=hypothesis.settings(
                database=None, derandomize=True, suppress_health_check=list(hypothesis.HealthCheck)
            ),
        )
    except OptionError:
        raise
    except Exception as exc:
        raise OptionError(f"--items: cannot draw a value from {options.items.text or 'the strategy'}: {exc}") from None
    return AveragerPlan(values, (simplest, simplest), nonfinite=False)


def _real(value: object) -> object:
    if type(value) not in _REALS:
        raise OptionError(f"--items: the strategy drew {value!r}; the averager is sent int, float, Fraction or bool")
    return value


def averager_unjudged(options: Options) -> dict[str, str]:
    """The clauses ``--items int`` leaves unjudged: no NaN or infinity is sent."""
    if options.items.kind != "int":
        return {}
    return {NAN: "--items int sends no NaN", INFINITY: "--items int sends no infinity"}
