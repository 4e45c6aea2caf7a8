"""Clauses as data, and the exception that names the one broken.

A clause is a numbered, one-line, testable statement (``Q1``: "``pop()`` returns
the oldest item ...").  Contracts keep their clauses in a :class:`Clauses`
collection so that the CLI can list them, a failure can name the one broken and
the README can be generated from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["Clause", "ClauseViolation", "Clauses", "Violation"]

_CLAUSE_ID = re.compile(r"[A-Z]{1,3}[1-9][0-9]*")


@dataclass(frozen=True)
class Clause:
    """One numbered statement of a contract.

    ``id`` is a short prefix plus a number (``Q1``, ``AV3``); ``title`` is one
    or two words (``FIFO``); ``text`` is the statement itself, in must/may
    language, on one line.
    """

    id: str
    title: str
    text: str

    def __post_init__(self) -> None:
        if not _CLAUSE_ID.fullmatch(self.id):
            raise ValueError(f"clause id {self.id!r} is not a prefix plus a number")
        if not self.title or not self.text or "\n" in self.text:
            raise ValueError(f"clause {self.id} needs a title and a one-line text")

    def __str__(self) -> str:
        return f"{self.id} ({self.title}): {self.text}"


class Clauses:
    """An ordered, immutable collection of clauses with unique ids.

    Raises :class:`ValueError` at construction when two clauses share an id or a title.
    """

    __slots__ = ("_by_id",)

    _by_id: dict[str, Clause]

    def __init__(self, *clauses: Clause) -> None:
        by_id: dict[str, Clause] = {}
        for clause in clauses:
            if clause.id in by_id:
                raise ValueError(f"duplicate clause id {clause.id}")
            if any(other.title == clause.title for other in by_id.values()):
                raise ValueError(f"duplicate clause title {clause.title!r}")
            by_id[clause.id] = clause
        if not by_id:
            raise ValueError("a contract needs at least one clause")
        self._by_id = by_id

    def __getitem__(self, clause_id: str) -> Clause:
        """The clause with this id; raises :class:`KeyError` if there is none."""
        return self._by_id[clause_id]

    def id_of(self, title: str) -> str:
        """The id of the clause titled ``title``; raises :class:`KeyError` if there is none.

        Contracts name the clause a check serves by its title, never by its
        position, so that reordering or renumbering clauses relabels nothing.
        """
        for clause in self._by_id.values():
            if clause.title == title:
                return clause.id
        raise KeyError(f"no clause titled {title!r} in {self!r}")

    def __iter__(self) -> Iterator[Clause]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._by_id

    def __repr__(self) -> str:
        return f"Clauses({', '.join(self._by_id)})"


@dataclass(frozen=True)
class Violation:
    """What a broken clause looks like: the evidence, not just a verdict.

    ``message`` is one line saying what happened; ``expected`` and ``actual``
    are reprs (empty when they do not apply, e.g. for a hang); ``program`` is
    the sequence of Python statements that reproduces the failure against the
    target, the last of which fails; ``detail`` is extra evidence, such as the
    traceback of an exception the target raised.
    """

    clause: Clause
    message: str
    expected: str = ""
    actual: str = ""
    program: tuple[str, ...] = field(default=())
    detail: str = ""


class ClauseViolation(AssertionError):
    """Raised inside a contract's test when the target breaks a clause.

    It is an :class:`AssertionError` so that test runners show it as a test
    failure, and it carries the :class:`Violation` so that the oracle can report
    the clause and the program without parsing text.
    """

    violation: Violation

    def __init__(self, violation: Violation) -> None:
        super().__init__(f"{violation.clause.id} ({violation.clause.title}) violated: {violation.message}")
        self.violation = violation
