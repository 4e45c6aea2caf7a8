"""Known-bad implementations: each is wrong in one way, and a contract must say how.

A contract that passes a broken implementation is worse than none, because its
green light is trusted.  So every contract keeps, in ``spec/known_bad/NAME.py``,
a ``CATALOGUE`` of implementations that are each wrong in one way, with the
clause the oracle must report for it.  The test suite checks that the oracle
rejects every entry for exactly that clause, with a short counterexample, and
that every clause of every contract is broken by at least one entry.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["KnownBad", "catalogue"]


@dataclass(frozen=True)
class KnownBad:
    """One broken implementation and the verdict it must get.

    ``target`` is a ``TARGET`` string; ``breaks`` the id of the clause the
    oracle must name; ``why`` one line on what is wrong; ``max_steps`` bounds
    the steps of the shrunk counterexample; ``timeout`` (seconds per call) is
    set for entries that hang, to keep the check short.
    """

    target: str
    breaks: str
    why: str
    max_steps: int = 6
    timeout: float | None = None

    @property
    def name(self) -> str:
        return self.target.rpartition(":")[2]


def catalogue(contract: str) -> tuple[KnownBad, ...]:
    """The known-bad catalogue of ``contract`` (a registered contract name).

    Raises :class:`ModuleNotFoundError` if the contract has no catalogue.
    """
    entries = importlib.import_module(f"spec.known_bad.{contract}").CATALOGUE
    assert all(isinstance(entry, KnownBad) for entry in entries)
    return tuple(entries)
